"""The run-time API state machine for one SCO attempt (SCORM 1.2 RTE 3.3; SCORM 2004 RTE 3.1).

States: not initialized → running → terminated. Method names follow SCORM 2004 (`initialize`,
`terminate`, `get_value`, …); the return values are the strings a SCO sees ("true"/"false", values,
error numbers). The session is pure: persist `to_state()` and pass it back to continue (suspend/
resume: cmi.entry is "resume" when the last session exited with "suspend"; in SCORM 2004 any other
exit ends the attempt, so the next session starts a fresh attempt). `apply_commits` replays the calls
a browser adapter reports, so the server checks them exactly like a live API would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple

from scorm.api_errors import error_string
from scorm.datamodel import model_for
from scorm.errors import RuntimeStateError
from scorm.manifest_model import Sco
from scorm.runtime_access import CODES_12, CODES_2004, Outcome, get_value, set_value
from scorm.runtime_rules import (
    add_session_time,
    evaluated_completion,
    evaluated_success,
    finish_12,
    initial_values_12,
    initial_values_2004,
)
from scorm.runtime_store import CmiStore

State = Literal["not_initialized", "running", "terminated"]
STATE_FORMAT = 1
_LIFECYCLE = {"Initialize": "initialize", "Finish": "terminate", "Terminate": "terminate", "Commit": "commit"}
_SESSION_ONLY = ("cmi.core.exit", "cmi.core.session_time", "cmi.exit", "cmi.session_time", "adl.nav.request")


class ApiCall(NamedTuple):  # tuples: built for every replayed call, and cheaper than frozen dataclasses
    method: str  # "Initialize", "SetValue", … (the "LMS" prefix of 1.2 names is accepted)
    element: str = ""
    value: str = ""


class CallResult(NamedTuple):
    call: ApiCall
    returned: str
    error: int


class RuntimeSession:
    """One launch of one SCO. Not thread-safe; one instance per request."""

    def __init__(self, version: str, sco_info: Sco | None = None, state: Mapping[str, Any] | None = None, *,
                 learner_id: str = "", learner_name: str = "", credit: str = "credit",
                 mode: str = "normal") -> None:
        self._setup(version)
        learner = (learner_id, learner_name, credit, mode)
        self.store = self._load(state, sco_info, learner) if state else self._fresh(sco_info, learner)

    def _setup(self, version: str) -> None:
        self.version = version
        self.model = model_for(version)
        self.family = self.model.family
        self.codes = CODES_12 if self.family == "1.2" else CODES_2004
        self.state: State = "not_initialized"
        self._error = 0
        self._diagnostic = ""
        self._status_set = False
        self.attempt = 1
        self.store = CmiStore()

    @classmethod
    def running(cls, version: str, state: Mapping[str, Any], *, status_set: bool) -> RuntimeSession:
        """Continue a session that is still running: Initialize was replayed by an earlier request.

        Unlike a new session (`RuntimeSession(version, sco, state)`, which treats `state` as the previous
        session's and sets cmi.entry), the values are taken as they are, and `status_set` (whether the SCO set
        cmi.core.lesson_status in this session; `status_set` of the earlier request) keeps the SCORM 1.2
        finish rule right across requests.
        """
        session = cls.__new__(cls)  # no fresh store to build and throw away: the values are taken as they are
        session._setup(version)
        if state.get("format") != STATE_FORMAT or state.get("family") != session.family:
            raise RuntimeStateError(f"saved run-time state is not a running SCORM {session.family} session")
        session.store = CmiStore(state.get("values"), state.get("counts"))
        session.attempt = int(state.get("attempt", 1))
        session.state = "running"
        session._status_set = status_set
        return session

    @property
    def status_set(self) -> bool:
        """Whether the SCO set cmi.core.lesson_status in this session (SCORM 1.2 finish rule)."""
        return self._status_set

    def _fresh(self, sco: Sco | None, learner: tuple[str, str, str, str]) -> CmiStore:
        if self.family == "1.2":
            return CmiStore(initial_values_12(sco, *learner))
        values, counts = initial_values_2004(sco, *learner)
        return CmiStore(values, counts)

    def _load(self, state: Mapping[str, Any], sco: Sco | None, learner: tuple[str, str, str, str]) -> CmiStore:
        if state.get("format") != STATE_FORMAT or state.get("family") != self.family:
            raise RuntimeStateError(f"saved run-time state is not a SCORM {self.family} state of format "
                                    f"{STATE_FORMAT}; it cannot be resumed")
        previous = CmiStore(state.get("values"), state.get("counts"))
        exit_key = "cmi.core.exit" if self.family == "1.2" else "cmi.exit"
        last_exit = previous.get(exit_key)
        self.attempt = int(state.get("attempt", 1))
        if self.family == "2004" and state.get("terminated") and last_exit != "suspend":
            self.attempt += 1  # RTE 2004 4.2.8: any exit but "suspend" ends the attempt
            return self._fresh(sco, learner)
        store = previous
        for key in _SESSION_ONLY:
            store.values.pop(key, None)
        fresh = self._fresh(sco, learner).values
        store.values.update({k: v for k, v in fresh.items() if ".objectives." not in k})
        entry = "resume" if last_exit == "suspend" else ""
        store.values["cmi.core.entry" if self.family == "1.2" else "cmi.entry"] = entry
        return store

    # -- the API -------------------------------------------------------------------------------
    def _answer(self, outcome: Outcome, failure: str = "false") -> str:
        self._error, self._diagnostic = outcome.code, outcome.diagnostic
        return outcome.value if outcome.code == 0 else failure

    def _lifecycle_error(self, before: int, after: int) -> Outcome | None:
        if self.state == "not_initialized":
            return Outcome("false", before, "Initialize has not been called.")
        if self.state == "terminated":
            return Outcome("false", after, "The session has already been terminated.")
        return None

    def initialize(self, param: str = "") -> str:
        if param != "":
            return self._answer(Outcome("false", self.codes.argument, "The parameter must be \"\"."))
        if self.state != "not_initialized":
            code = self.codes.init_twice if self.state == "running" else self.codes.init_after_term
            return self._answer(Outcome("false", code, "Initialize may be called once per session."))
        self.state = "running"
        return self._answer(Outcome("true", 0))

    def terminate(self, param: str = "") -> str:
        if param != "":
            return self._answer(Outcome("false", self.codes.argument, "The parameter must be \"\"."))
        problem = self._lifecycle_error(self.codes.term_before_init, self.codes.term_after_term)
        if problem:
            return self._answer(problem)
        if self.family == "1.2":
            finish_12(self.store, self._status_set)
        else:
            self.store.values["cmi.completion_status"] = evaluated_completion(self.store)
            self.store.values["cmi.success_status"] = evaluated_success(self.store)
        add_session_time(self.store, self.family)
        self.state = "terminated"
        return self._answer(Outcome("true", 0))

    def commit(self, param: str = "") -> str:
        if param != "":
            return self._answer(Outcome("false", self.codes.argument, "The parameter must be \"\"."))
        problem = self._lifecycle_error(self.codes.commit_before_init, self.codes.commit_after_term)
        return self._answer(problem or Outcome("true", 0))

    def get_value(self, element: str) -> str:
        problem = self._lifecycle_error(self.codes.get_before_init, self.codes.get_after_term)
        if problem:
            return self._answer(problem, failure="")
        return self._answer(get_value(self.model, self.store, self.codes, element), failure="")

    def set_value(self, element: str, value: str) -> str:
        problem = self._lifecycle_error(self.codes.set_before_init, self.codes.set_after_term)
        if problem:
            return self._answer(problem)
        outcome = set_value(self.model, self.store, self.codes, element, str(value))
        if outcome.code:
            return self._answer(outcome)
        if element == "cmi.core.lesson_status":
            self._status_set = True
        self._error, self._diagnostic = 0, ""
        return "true"

    def get_last_error(self) -> str:
        return str(self._error)

    def get_error_string(self, code: str | int) -> str:
        return error_string(self.family, code)

    def get_diagnostic(self, code: str | int = "") -> str:
        if code in ("", str(self._error), self._error):
            return self._diagnostic or error_string(self.family, self._error)
        return error_string(self.family, code)

    # -- batch and persistence -----------------------------------------------------------------
    def call(self, call: ApiCall) -> CallResult:
        """Run one API call given by name (2004 or 1.2 spelling) and report its result."""
        method = call.method.removeprefix("LMS")
        if method == "SetValue":
            returned = self.set_value(call.element, call.value)
        elif method == "GetValue":
            returned = self.get_value(call.element)
        elif method in _LIFECYCLE:
            returned = getattr(self, _LIFECYCLE[method])(call.value)
        else:
            self._error, self._diagnostic = self.codes.argument, f"Unknown API method {call.method!r}."
            return CallResult(call, "false", self._error)
        return CallResult(call, returned, self._error)

    def apply_commits(self, calls: Iterable[ApiCall | Mapping[str, Any]]) -> tuple[CallResult, ...]:
        """Replay calls reported by the browser adapter; each keeps the error the real API gives."""
        results = []
        for raw in calls:
            call = raw if isinstance(raw, ApiCall) else ApiCall(
                str(raw.get("method", "")), str(raw.get("element", "")), str(raw.get("value", "")))
            results.append(self.call(call))
        return tuple(results)

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state; pass it to a new RuntimeSession to continue."""
        return {"format": STATE_FORMAT, "family": self.family, "version": self.version, "attempt": self.attempt,
                "terminated": self.state == "terminated", **self.store.to_json()}
