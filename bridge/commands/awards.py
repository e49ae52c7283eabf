"""``bridge awards evaluate``: run the award engine for a course (what a sync or a new progress fact triggers)."""

from __future__ import annotations

from datetime import UTC, datetime

import click


def register(main: click.Group) -> None:
    main.add_command(awards_group)


@click.group("awards", help="Micro-credential awards.")
def awards_group() -> None:
    pass


@awards_group.command("evaluate", help="Evaluate every learner of a course against its award rules.")
@click.option("--course", "course_id", type=int, required=True, help="Course id (database id).")
def evaluate(course_id: int) -> None:
    from bridge.cli import _app
    from bridge.services import awards

    with _app().extensions["bridge"].db.session() as session:
        made = awards.evaluate_course(session, course_id, now=datetime.now(UTC))
        session.commit()
        click.echo(f"{len(made)} new award(s) in course {course_id}")
