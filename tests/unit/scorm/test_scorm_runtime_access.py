"""SetValue compiled once per element name (``scorm.runtime_access``): the per-name work is remembered without
mixing up the two versions' error codes, the collection cap and index rules still hold, and hostile input
cannot grow the table without bound."""

from __future__ import annotations

from scorm.datamodel import model_for
from scorm.runtime import RuntimeSession
from scorm.runtime_access import _SETTER_LIMIT, CODES_12, CODES_2004, set_value
from scorm.runtime_store import CmiStore


def _running(version: str) -> RuntimeSession:
    session = RuntimeSession(version, None, learner_id="learner-7")
    assert session.initialize("") == "true"
    return session


def test_a_setter_compiled_for_one_set_of_codes_is_not_reused_with_another() -> None:
    model = model_for("1.2")
    assert set_value(model, CmiStore(), CODES_12, "cmi.core.student_id", "x").code == 403
    assert set_value(model, CmiStore(), CODES_2004, "cmi.core.student_id", "x").code == 404
    assert set_value(model, CmiStore(), CODES_12, "cmi.core.student_id", "x").code == 403


def test_records_past_the_storage_cap_are_refused_in_both_versions() -> None:
    for version, code in (("1.2", 201), ("2004 4th", 351)):
        session = _running(version)
        for index in range(1000):
            assert session.set_value(f"cmi.objectives.{index}.id", f"o{index}") == "true", (version, index)
        assert session.set_value("cmi.objectives.1000.id", "o1000") == "false"
        assert int(session.get_last_error()) == code
        assert session.get_value("cmi.objectives._count") == "1000"


def test_the_same_name_is_checked_against_the_current_counts_every_time() -> None:
    """The compiled setter keeps no state: a gap refused before is accepted once the record before it exists."""
    session = _running("1.2")
    assert session.set_value("cmi.interactions.1.id", "q1") == "false" and session.get_last_error() == "201"
    assert session.set_value("cmi.interactions.0.id", "q0") == "true"
    assert session.set_value("cmi.interactions.1.id", "q1") == "true"
    assert session.set_value("cmi.interactions.1.objectives.1.id", "o") == "false"
    assert session.get_value("cmi.interactions._count") == "2"


def test_endless_distinct_names_do_not_grow_the_setter_table_without_bound() -> None:
    model = model_for("2004 4th")
    store = CmiStore()
    for n in range(_SETTER_LIMIT + 10):
        assert set_value(model, store, CODES_2004, f"cmi.no_such_element_{n}", "x").code == 401
    assert len(model.setters) <= _SETTER_LIMIT
    assert store.values == {} and store.counts == {}
