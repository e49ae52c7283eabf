"""Run-time API error codes and their strings (SCORM 1.2 RTE 3.3.3; SCORM 2004 RTE 3.1.7, table 3.1.7a).

SCORM 1.2 defines 0–405. Like scorm-again, we also answer 407 for a value of the right form outside
its range (e.g. cmi.core.score.raw = "101"), so a SCO author sees the real problem; strictly
1.2-conformant callers can treat 407 as 405.
"""

from __future__ import annotations

from enum import IntEnum


class Err12(IntEnum):
    NO_ERROR = 0
    GENERAL = 101
    INVALID_ARGUMENT = 201
    CANNOT_HAVE_CHILDREN = 202
    CANNOT_HAVE_COUNT = 203
    NOT_INITIALIZED = 301
    NOT_IMPLEMENTED = 401
    KEYWORD = 402
    READ_ONLY = 403
    WRITE_ONLY = 404
    TYPE = 405
    RANGE = 407


class Err2004(IntEnum):
    NO_ERROR = 0
    GENERAL = 101
    INIT_FAILURE = 102
    ALREADY_INITIALIZED = 103
    TERMINATED = 104
    TERMINATION_FAILURE = 111
    TERMINATE_BEFORE_INIT = 112
    TERMINATE_AFTER_TERMINATE = 113
    GET_BEFORE_INIT = 122
    GET_AFTER_TERMINATE = 123
    SET_BEFORE_INIT = 132
    SET_AFTER_TERMINATE = 133
    COMMIT_BEFORE_INIT = 142
    COMMIT_AFTER_TERMINATE = 143
    ARGUMENT = 201
    GET_FAILURE = 301
    SET_FAILURE = 351
    COMMIT_FAILURE = 391
    UNDEFINED = 401
    UNIMPLEMENTED = 402
    NOT_INITIALIZED_VALUE = 403
    READ_ONLY = 404
    WRITE_ONLY = 405
    TYPE = 406
    RANGE = 407
    DEPENDENCY = 408


ERROR_STRINGS_12: dict[int, str] = {
    0: "No error",
    101: "General exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect data type",
    407: "Element value out of range",
}

ERROR_STRINGS_2004: dict[int, str] = {
    0: "No Error",
    101: "General Exception",
    102: "General Initialization Failure",
    103: "Already Initialized",
    104: "Content Instance Terminated",
    111: "General Termination Failure",
    112: "Termination Before Initialization",
    113: "Termination After Termination",
    122: "Retrieve Data Before Initialization",
    123: "Retrieve Data After Termination",
    132: "Store Data Before Initialization",
    133: "Store Data After Termination",
    142: "Commit Before Initialization",
    143: "Commit After Termination",
    201: "General Argument Error",
    301: "General Get Failure",
    351: "General Set Failure",
    391: "General Commit Failure",
    401: "Undefined Data Model Element",
    402: "Unimplemented Data Model Element",
    403: "Data Model Element Value Not Initialized",
    404: "Data Model Element Is Read Only",
    405: "Data Model Element Is Write Only",
    406: "Data Model Element Type Mismatch",
    407: "Data Model Element Value Out Of Range",
    408: "Data Model Dependency Not Established",
}


def error_string(family: str, code: int | str) -> str:
    """GetErrorString: the short text for `code`, or "" for an unknown code (as both specs allow)."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        return ""
    table = ERROR_STRINGS_12 if family == "1.2" else ERROR_STRINGS_2004
    return table.get(number, "")
