"""``bridge scorm import PACKAGE.zip --course COURSE [--link RESOURCE_LINK_ID]``: add a package to a course.

The same checks as the instructor's upload form (``bridge.services.packages``); exit 2 with the reason when
the package is refused, like ``bridge scorm inspect``.
"""

from __future__ import annotations

import json
import sys

import click


def register(main: click.Group) -> None:
    group = main.commands["scorm"]
    if isinstance(group, click.Group):
        group.add_command(scorm_import)


@click.command("import", help="Import a SCORM package into a course (optionally attach it to a resource link).")
@click.argument("package", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "course_ref", required=True, help="The course's number in the tool, or its LMS context id.")
@click.option("--platform", "registration_id", type=int, default=None, help="Registration id (see `platform list`).")
@click.option("--link", "resource_link_id", default=None, help="LMS resource link id that should play the package.")
@click.option("--json", "as_json", is_flag=True)
def scorm_import(package: str, course_ref: str, registration_id: int | None, resource_link_id: str | None,
                 as_json: bool) -> None:
    from bridge.cli import _app
    from bridge.services import packages, scorm_attempts
    from bridge.services import sync as sync_service

    app = _app()
    storage = packages.storage_from_config(app.config)
    with app.extensions["bridge"].db.session() as session:
        try:
            course = sync_service.find_course(session, course_ref, registration_id=registration_id)
        except sync_service.SyncError as err:
            raise click.ClickException(str(err)) from err
        with open(package, "rb") as source:
            try:
                row = packages.import_zip(session, storage, source, registration_id=course.registration_id,
                                          course_id=course.id, original_name=package.rsplit("/", 1)[-1])
            except packages.PackageRefused as err:
                click.echo(f"error: {err}", err=True)
                sys.exit(2)
        if resource_link_id:
            link = scorm_attempts.link_for(session, course.id, resource_link_id)
            if link is None:
                raise click.ClickException(f"course {course.id} has no resource link {resource_link_id!r} yet "
                                           "(launch it once from the LMS)")
            scorm_attempts.attach(session, link, row, scorm_attempts.AttemptRules())
        out = {"id": row.id, "title": row.title, "version": row.version, "files": row.files, "bytes": row.bytes,
               "course": course.id, "scos": len(row.summary.get("scos", []))}
    click.echo(json.dumps(out, indent=2) if as_json else f"imported package #{out['id']}: SCORM {row.version} "
               f"{row.title!r} ({row.files} files)")
