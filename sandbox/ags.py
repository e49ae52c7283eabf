"""LTI Assignment and Grade Services 2.0: line items, scores and results for one course."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from . import scopes as s
from .ags_json import line_item_json, parse_line_item, result_json, validate_score
from .errors import ProtocolError
from .models import Course, LineItem
from .oauth import inject_faults, require_scope
from .paging import json_response, limit_arg, numbered_page, page_arg, require_accept, require_content_type
from .platform import Platform
from .views_oidc import platform

bp = Blueprint("ags", __name__, url_prefix="/api/lti/courses/<course_id>/lineitems")
bp.before_request(inject_faults)
READ_ITEMS = (s.AGS_LINEITEM, s.AGS_LINEITEM_READONLY)


def _course(p: Platform, course_id: str) -> Course:
    course = p.courses.get(course_id)
    if course is None:
        raise ProtocolError("not_found", f"no course {course_id!r}", 404)
    return course


def _item(p: Platform, course_id: str, item_id: str, client_id: str) -> LineItem:
    item = p.line_items.get(item_id)
    if item is None or item.course_id != course_id or item.client_id not in (None, client_id):
        raise ProtocolError("not_found", f"no line item {item_id!r} in course {course_id!r}", 404)
    return item


def _url(p: Platform, item: LineItem) -> str:
    return p.url(f"/api/lti/courses/{item.course_id}/lineitems/{item.id}")


def _links(p: Platform, course: Course) -> set[str]:
    return {rl.id for rl in p.resource_links.values() if rl.course_id == course.id}


@bp.get("")
def list_items(course_id: str) -> ResponseReturnValue:
    p = platform()
    client_id = require_scope(p, READ_ITEMS)
    require_accept(s.MEDIA_LINEITEM_CONTAINER)
    _course(p, course_id)
    filters = {k: request.args.get(k) for k in ("resource_link_id", "resource_id", "tag")}
    with p._lock:
        items = [i for i in p.line_items.values() if i.course_id == course_id and i.client_id in (None, client_id)]
    for attr, wanted in filters.items():
        items = [i for i in items if wanted is None or getattr(i, attr) == wanted]
    base = p.url(request.path)
    page, link = numbered_page(items, base, filters, limit_arg(p.page_size), page_arg())
    response = json_response([line_item_json(_url(p, i), i) for i in page], s.MEDIA_LINEITEM_CONTAINER)
    response.headers["Link"] = link
    return response


@bp.post("")
def create_item(course_id: str) -> ResponseReturnValue:
    p = platform()
    client_id = require_scope(p, [s.AGS_LINEITEM])
    course = _course(p, course_id)
    fields = parse_line_item(require_content_type(s.MEDIA_LINEITEM), course, _links(p, course))
    item = p.add_line_item(course_id, client_id=client_id, **fields)
    response = json_response(line_item_json(_url(p, item), item), s.MEDIA_LINEITEM, 201)
    response.headers["Location"] = _url(p, item)
    return response


@bp.get("/<item_id>")
def get_item(course_id: str, item_id: str) -> ResponseReturnValue:
    p = platform()
    item = _item(p, course_id, item_id, require_scope(p, READ_ITEMS))
    require_accept(s.MEDIA_LINEITEM)
    return json_response(line_item_json(_url(p, item), item), s.MEDIA_LINEITEM)


@bp.put("/<item_id>")
def update_item(course_id: str, item_id: str) -> ResponseReturnValue:
    p = platform()
    item = _item(p, course_id, item_id, require_scope(p, [s.AGS_LINEITEM]))
    course = _course(p, course_id)
    fields = parse_line_item(require_content_type(s.MEDIA_LINEITEM), course, _links(p, course))
    with p._lock:
        for attr in ("resource_id", "tag", "resource_link_id", "start_date_time", "end_date_time"):
            setattr(item, attr, fields.get(attr))
        item.label, item.score_maximum = fields["label"], fields["score_maximum"]
        item.grades_released = fields.get("grades_released")
    return json_response(line_item_json(_url(p, item), item), s.MEDIA_LINEITEM)


@bp.delete("/<item_id>")
def delete_item(course_id: str, item_id: str) -> ResponseReturnValue:
    p = platform()
    item = _item(p, course_id, item_id, require_scope(p, [s.AGS_LINEITEM]))
    p.delete_line_item(item.id)
    return Response(status=204)


@bp.post("/<item_id>/scores")
def post_score(course_id: str, item_id: str) -> ResponseReturnValue:
    p = platform()
    client_id = require_scope(p, [s.AGS_SCORE])
    item = _item(p, course_id, item_id, client_id)
    body = validate_score(require_content_type(s.MEDIA_SCORE), _course(p, course_id), p.allow_extra_credit)
    record = p.record_score(item, client_id, body)
    # A score older than the latest one is accepted but changes nothing (AGS 2.0 §3.4.7).
    return json_response({"resultUrl": f"{_url(p, item)}/results/{record.user_id}"}, "application/json")


@bp.get("/<item_id>/results")
def results(course_id: str, item_id: str) -> ResponseReturnValue:
    p = platform()
    item = _item(p, course_id, item_id, require_scope(p, [s.AGS_RESULT_READONLY]))
    require_accept(s.MEDIA_RESULT_CONTAINER)
    user_id = request.args.get("user_id")
    records = [r for r in p.results(item.id) if user_id is None or r.user_id == user_id]
    page, link = numbered_page(records, p.url(request.path), {"user_id": user_id}, limit_arg(p.page_size), page_arg())
    response = json_response([result_json(_url(p, item), item, r) for r in page], s.MEDIA_RESULT_CONTAINER)
    response.headers["Link"] = link
    return response
