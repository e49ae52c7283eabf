"""Moodle Web Services (REST protocol): course and activity completion, grade items, enrolled users.

Implements calls to ``/webservice/rest/server.php`` with ``wstoken``, ``wsfunction`` and
``moodlewsrestformat=json`` (Moodle developer docs, "Web services" → "REST protocol"), form-encoded as Moodle
expects (arrays as ``options[0][name]=…``). Functions used, with the shapes of their ``execute_returns()``:

- ``core_enrol_get_enrolled_users`` (``courseid``, ``options``: ``userfields``, ``limitfrom``,
  ``limitnumber``, ``onlyactive``) → a list of users with ``id`` and ``roles[].shortname``;
- ``core_completion_get_activities_completion_status`` (``courseid``, ``userid``) → ``statuses[]`` of
  ``cmid``, ``modname``, ``instance``, ``state`` (0 incomplete, 1 complete, 2 complete-pass, 3 complete-fail),
  ``timecompleted``;
- ``core_completion_get_course_completion_status`` (``courseid``, ``userid``) →
  ``completionstatus.completed`` and ``completions[].timecompleted`` (error ``nocriteriaset`` when the course
  has no completion criteria: we answer None);
- ``gradereport_user_get_grade_items`` (``courseid``, ``userid`` 0 for every user) → ``usergrades[]`` with
  ``userid`` and ``gradeitems[]`` of ``id``, ``itemtype``, ``itemmodule``, ``cmid``, ``graderaw``,
  ``grademax``, ``gradedategraded``.

The token is the tenant's web-service token, sent in the form body (never in a URL we log). Moodle reports
web-service errors as HTTP 200 with ``{"exception", "errorcode", "message"}``; they are translated into the
connector error tree by ``errorcode``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors import errors
from connectors.http import HttpConnector, HttpResult
from connectors.lti_service import PayloadError, as_list, as_object, optional_number

REST_PATH = "/webservice/rest/server.php"
# errorcode → error class. Moodle's codes: webservice/lib.php, lib/setuplib.php, lib/dml/moodle_database.php.
AUTH_CODES = frozenset({"invalidtoken", "accessexception", "nopermissions", "requireloginerror",
                        "servicerequireslogin", "sitemaintenance", "usernotfullysetup", "invalidlogin",
                        "restoredaccountresetpassword", "forcepasswordchangenotice", "enrolmentnotfound"})
NOT_FOUND_CODES = frozenset({"invalidrecord", "invalidrecordunknown", "invalidcourseid", "invaliduser",
                             "coursehidden"})
NO_CRITERIA = "nocriteriaset"


class MoodleWsError(errors.ConnectorRequestError):
    """Moodle answered a web-service exception (HTTP 200 with ``exception``/``errorcode``)."""

    def __init__(self, connector: str, url: str, errorcode: str, *, response: Any = None) -> None:
        super().__init__(connector, url, f"Moodle error {errorcode}", status=200, response=response)
        self.errorcode = errorcode


class MoodleAuthError(errors.ConnectorAuthError):
    """Moodle refused the token or its service (``invalidtoken``, ``accessexception``…)."""

    def __init__(self, connector: str, url: str, errorcode: str, *, response: Any = None) -> None:
        super().__init__(connector, url, f"Moodle refused the web-service token ({errorcode})", status=200,
                         response=response)
        self.errorcode = errorcode


class MoodleNotFound(errors.ConnectorNotFound):
    """Moodle does not know the course or user asked for."""

    def __init__(self, connector: str, url: str, errorcode: str, *, response: Any = None) -> None:
        super().__init__(connector, url, f"Moodle has no such record ({errorcode})", status=200, response=response)
        self.errorcode = errorcode


@dataclass(frozen=True, slots=True)
class EnrolledUser:
    id: int
    roles: tuple[str, ...]  # role short names: student, editingteacher…


@dataclass(frozen=True, slots=True)
class ActivityCompletion:
    cmid: int
    modname: str
    instance: int | None
    state: int  # 0 incomplete, 1 complete, 2 complete and passed, 3 complete and failed
    timecompleted: datetime | None

    @property
    def completed(self) -> bool:
        return self.state in (1, 2, 3)

    @property
    def passed(self) -> bool | None:
        return {2: True, 3: False}.get(self.state)


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    completed: bool
    timecompleted: datetime | None


@dataclass(frozen=True, slots=True)
class GradeItem:
    id: int
    itemtype: str  # mod, course, category, manual
    itemmodule: str | None
    cmid: int | None
    graderaw: float | None
    grademax: float | None
    dategraded: datetime | None


@dataclass(frozen=True, slots=True)
class UserGrades:
    userid: int
    items: tuple[GradeItem, ...]


def _int(data: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, str) and not value.isdigit()):
        if value is None and not required:
            return None
        raise PayloadError(f"field {key!r} is not an integer")
    return int(value)


def _time(data: Mapping[str, Any], key: str) -> datetime | None:
    """A Unix time; Moodle sends 0 or null for "never"."""
    value = _int(data, key, required=False)
    return datetime.fromtimestamp(value, UTC) if value else None


def _flatten(prefix: str, value: Any, into: dict[str, str]) -> None:
    """Moodle's REST form encoding of nested parameters: ``options[0][name]=userfields``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]", item, into)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, into)
    elif isinstance(value, bool):
        into[prefix] = "1" if value else "0"
    else:
        into[prefix] = str(value)


class MoodleWsConnector(HttpConnector):
    """Calls one Moodle site's web services with one tenant's token."""

    name = "moodle-ws"

    def __init__(self, base_url: str, token: str, **http: Any) -> None:
        super().__init__(**http)
        self.url = base_url.rstrip("/") + REST_PATH
        self._token = token

    def call(self, function: str, **params: Any) -> Any:
        """Call ``function`` and return its decoded JSON answer (raising on a Moodle exception)."""
        form: dict[str, str] = {"wstoken": self._token, "wsfunction": function, "moodlewsrestformat": "json"}
        for key, value in params.items():
            _flatten(key, value, form)
        # Read-only functions: repeating one after a lost answer is harmless.
        result = self.request("POST", self.url, data=form, idempotent=True, headers={"Accept": "application/json"})
        data = self.decode_json(result, "application/json")
        if isinstance(data, Mapping) and "exception" in data:
            raise self._exception(result, data)
        return data

    def _exception(self, result: HttpResult, data: Mapping[str, Any]) -> errors.ConnectorError:
        # Moodle reports web-service errors in a 200 body, so the status code alone is not enough.
        code = str(data.get("errorcode") or data.get("exception") or "unknown")[:64]
        kind: type[MoodleWsError] | type[MoodleAuthError] | type[MoodleNotFound] = MoodleWsError
        if code in AUTH_CODES or data.get("exception") == "webservice_access_exception":
            kind = MoodleAuthError
        elif code in NOT_FOUND_CODES or data.get("exception") == "dml_missing_record_exception":
            kind = MoodleNotFound
        return kind(self.name, self.url, code, response=result.response)

    def _parse(self, parser: Any, data: Any) -> Any:
        try:
            return parser(data)
        except PayloadError as err:
            raise self.bad_response(self.url, str(err)) from err

    def enrolled_users(self, course_id: int, *, page_size: int = 500,
                       only_active: bool = True) -> Iterator[EnrolledUser]:
        """Every user enrolled in the course, ``page_size`` at a time (``limitfrom``/``limitnumber``)."""
        offset = 0
        while True:
            options = [{"name": "userfields", "value": "id,roles"}, {"name": "limitfrom", "value": offset},
                       {"name": "limitnumber", "value": page_size},
                       {"name": "onlyactive", "value": 1 if only_active else 0}]
            page = self._parse(_users, self.call("core_enrol_get_enrolled_users", courseid=course_id,
                                                 options=options))
            yield from page
            if len(page) < page_size:
                return
            offset += page_size

    def activities_completion(self, course_id: int, user_id: int) -> list[ActivityCompletion]:
        data = self.call("core_completion_get_activities_completion_status", courseid=course_id, userid=user_id)
        return self._parse(_statuses, data)

    def course_completion(self, course_id: int, user_id: int) -> CourseCompletion | None:
        """The learner's course completion; None when the course has no completion criteria."""
        try:
            data = self.call("core_completion_get_course_completion_status", courseid=course_id, userid=user_id)
        except MoodleWsError as err:
            if err.errorcode == NO_CRITERIA:
                return None
            raise
        return self._parse(_course_completion, data)

    def grade_items(self, course_id: int, user_id: int = 0) -> list[UserGrades]:
        """Grade items of one user, or of every user in the course when ``user_id`` is 0."""
        data = self.call("gradereport_user_get_grade_items", courseid=course_id, userid=user_id)
        return self._parse(_user_grades, data)


def _users(data: Any) -> list[EnrolledUser]:
    users = []
    for entry in as_list(data, "enrolled users"):
        user = as_object(entry, "user")
        roles = tuple(str(as_object(r, "role").get("shortname", "")) for r in as_list(user.get("roles", []), "roles"))
        users.append(EnrolledUser(id=_int(user, "id") or 0, roles=roles))
    return users


def _statuses(data: Any) -> list[ActivityCompletion]:
    found = []
    for entry in as_list(as_object(data, "completion status").get("statuses"), "statuses"):
        status = as_object(entry, "status")
        found.append(ActivityCompletion(cmid=_int(status, "cmid") or 0, modname=str(status.get("modname") or ""),
                                        instance=_int(status, "instance", required=False),
                                        state=_int(status, "state") or 0,
                                        timecompleted=_time(status, "timecompleted")))
    return found


def _course_completion(data: Any) -> CourseCompletion:
    status = as_object(as_object(data, "course completion").get("completionstatus"), "completionstatus")
    completed = status.get("completed")
    if not isinstance(completed, bool):
        raise PayloadError("field 'completed' is not a boolean")
    times = [t for c in as_list(status.get("completions", []), "completions")
             if (t := _time(as_object(c, "completion"), "timecompleted")) is not None]
    return CourseCompletion(completed=completed, timecompleted=max(times) if completed and times else None)


def _user_grades(data: Any) -> list[UserGrades]:
    found = []
    for entry in as_list(as_object(data, "grade report").get("usergrades"), "usergrades"):
        grades = as_object(entry, "user grades")
        items = []
        for raw in as_list(grades.get("gradeitems"), "gradeitems"):
            item = as_object(raw, "grade item")
            items.append(GradeItem(id=_int(item, "id") or 0, itemtype=str(item.get("itemtype") or ""),
                                   itemmodule=item.get("itemmodule") or None, cmid=_int(item, "cmid", required=False),
                                   graderaw=optional_number(item, "graderaw"),
                                   grademax=optional_number(item, "grademax"),
                                   dategraded=_time(item, "gradedategraded")))
        found.append(UserGrades(userid=_int(grades, "userid") or 0, items=tuple(items)))
    return found
