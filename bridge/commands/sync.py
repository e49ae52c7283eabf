"""``bridge sync --course COURSE [--platform REG_ID] [--full]``: pull a course's roster and results once."""

from __future__ import annotations

from typing import Any

import click


def register(main: click.Group) -> None:
    main.add_command(sync)


@click.command(help="Pull the roster (NRPS) and gradebook results (AGS) of one course into progress facts.")
@click.option("--course", "course_ref", required=True, help="The course's number in the tool, or its LMS context id.")
@click.option("--platform", "registration_id", type=int, default=None, help="Registration id (see `platform list`).")
@click.option("--full", is_flag=True, help="Read the whole roster even if the platform offered differences.")
@click.option("--page-size", type=int, default=None, help="Ask the platform for pages of this many entries.")
def sync(course_ref: str, registration_id: int | None, full: bool, page_size: int | None) -> None:
    from bridge.cli import _app
    from bridge.services import sync as sync_service
    from bridge.services.service_tokens import token_cache

    app = _app()
    services = app.extensions["bridge"]
    cache = token_cache(services.db.sessionmaker, app.config.get("REDIS_URL") or None)
    with services.db.session() as session:
        try:
            course = sync_service.find_course(session, course_ref, registration_id=registration_id)
            connectors = sync_service.course_connectors(session, services.box, course, cache=cache,
                                                        http=services.http)
            with click.progressbar(length=1, label=f"syncing course {course.id}", show_pos=True) as bar:
                report = sync_service.sync_course(session, course, connectors, full=full, page_size=page_size,
                                                  progress=lambda p: _show(bar, p))
        except sync_service.SyncError as err:
            raise click.ClickException(str(err)) from err
    click.echo(report.summary())


def _show(bar: Any, progress: Any) -> None:
    if progress.steps is not None and bar.length != progress.steps:
        bar.length = progress.steps
    bar.label = f"{progress.phase:>9}"
    bar.update(max(0, progress.step - bar.pos))
