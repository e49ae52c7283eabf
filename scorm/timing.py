"""Time values of the two run-time data models, as integer centiseconds.

SCORM 1.2 RTE 3.4.2: CMITimespan `HHHH:MM:SS.SS` (hours 2–4 digits, optional 1–2 decimals) and
CMITime `HH:MM:SS.SS`. SCORM 2004 RTE 4.1.1.x: timeinterval (second,10,2) as an ISO 8601 duration
`P[yY][mM][dD][T[hH][mM][s[.s]S]]` (at least one component; the LMS may treat a year as 365 days and a
month as 30 days when adding) and time (second,10,0) as an ISO 8601 date-time.
"""

from __future__ import annotations

import re
from decimal import Decimal

TIMESPAN_12 = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?$")
TIME_12 = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?$")
TIMEINTERVAL = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)
TIME_2004 = re.compile(
    r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])"
    r"(?:T(?:[01]\d|2[0-3])(?::[0-5]\d(?::[0-5]\d(?:\.\d{1,2})?)?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?)?)?$"
)
_CS_PER = {"Y": 365 * 86_400_00, "M": 30 * 86_400_00, "D": 86_400_00, "H": 3_600_00, "TM": 60_00}


class TimeFormatError(ValueError):
    """The text is not a valid time value of the requested format."""


def _centis(seconds: str, fraction: str | None) -> int:
    return int(seconds) * 100 + int((fraction or "0").ljust(2, "0"))


def parse_timespan_12(text: str) -> int:
    """CMITimespan → centiseconds."""
    match = TIMESPAN_12.match(text)
    if not match:
        raise TimeFormatError(text)
    hours, minutes, seconds, fraction = match.groups()
    return int(hours) * 3_600_00 + int(minutes) * 60_00 + _centis(seconds, fraction)


def format_timespan_12(centis: int) -> str:
    """Centiseconds → CMITimespan (hours capped at 9999, the format's maximum)."""
    centis = min(max(centis, 0), 9999 * 3_600_00 + 59 * 60_00 + 5999)
    hours, rest = divmod(centis, 3_600_00)
    minutes, rest = divmod(rest, 60_00)
    seconds, hundredths = divmod(rest, 100)
    return f"{hours:04d}:{minutes:02d}:{seconds:02d}.{hundredths:02d}"


def parse_timeinterval(text: str) -> int:
    """ISO 8601 duration (SCORM 2004 timeinterval) → centiseconds."""
    match = TIMEINTERVAL.match(text)
    if not match:
        raise TimeFormatError(text)
    years, months, days, hours, minutes, seconds = match.groups()
    total = 0
    for value, unit in ((years, "Y"), (months, "M"), (days, "D"), (hours, "H"), (minutes, "TM")):
        total += int(value or 0) * _CS_PER[unit]
    if seconds:
        total += int(Decimal(seconds) * 100)
    return total


def format_timeinterval(centis: int) -> str:
    """Centiseconds → canonical ISO 8601 duration, e.g. 'PT1H2M3.04S' (zero is 'PT0S')."""
    centis = max(centis, 0)
    hours, rest = divmod(centis, 3_600_00)
    minutes, rest = divmod(rest, 60_00)
    seconds, hundredths = divmod(rest, 100)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if seconds or hundredths or out == "PT":
        out += f"{seconds}.{hundredths:02d}S" if hundredths else f"{seconds}S"
    return out


def is_time_12(text: str) -> bool:
    return TIME_12.match(text) is not None


def is_time_2004(text: str) -> bool:
    return TIME_2004.match(text) is not None
