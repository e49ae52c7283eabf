"""LTI Assignment and Grade Services 2.0 connector: line items, results, scores.

Implements the AGS 2.0 sections "Line item service" (container GET filtered by ``resource_link_id``,
``resource_id``, ``tag``, ``limit`` and paged by ``Link``; POST; item GET/PUT/DELETE), "Result service"
(``{lineitem}/results`` with ``user_id`` and ``limit``) and "Score publish service" (POST
``{lineitem}/scores``), with their media types. Sub-URLs are built by appending to the line item's *path*
and keeping its query: Moodle's line item URLs carry ``?type_id=…``.
Records: :mod:`connectors.lti_ags_records`.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from connectors.lti_ags_records import (
    ActivityProgress,
    CanvasSubmission,
    GradingProgress,
    InvalidScore,
    LineItem,
    Result,
    Score,
)
from connectors.lti_service import LtiServiceConnector, as_list
from connectors.lti_token import TokenSource
from connectors.paging import Page

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class Platform(StrEnum):
    """Which LMS is on the other side, for the few places where AGS behaviour differs."""

    GENERIC = "generic"
    CANVAS = "canvas"
    MOODLE = "moodle"
    BRIGHTSPACE = "brightspace"
    BLACKBOARD = "blackboard"


def service_url(lineitem_url: str, leaf: str) -> str:
    """``{lineitem}/scores`` or ``/results``: append to the path and keep the query."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + leaf, fragment=""))


class AgsConnector(LtiServiceConnector):
    """Gradebook access for one platform registration, authorised by a :class:`TokenSource`."""

    name = "lti-ags"
    SCOPES = frozenset({SCOPE_LINEITEM, SCOPE_RESULT_READONLY, SCOPE_SCORE})

    def __init__(self, tokens: TokenSource, *, platform: Platform = Platform.GENERIC, **kwargs: Any) -> None:
        super().__init__(tokens, **kwargs)
        self.platform = platform

    # -- line items -----------------------------------------------------------------------------------
    def line_item_pages(
        self,
        lineitems_url: str,
        *,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[Page, list[LineItem]]]:
        """Each page of the container with its parsed line items (``page.url`` to resume from)."""
        params = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag,
                  "limit": str(limit) if limit is not None else None}
        query = {key: value for key, value in params.items() if value is not None}
        for page in self.iter_pages(lineitems_url, accept=LINEITEM_CONTAINER, params=query or None):
            items = as_list_of(self, page, LineItem.from_json, "line item container")
            yield page, items

    def list_line_items(self, lineitems_url: str, **filters: Any) -> list[LineItem]:
        """All line items (every page), or an error: never a silently shortened list."""
        return [item for _, items in self.line_item_pages(lineitems_url, **filters) for item in items]

    def get_line_item(self, url: str) -> LineItem:
        data, _ = self.request_json("GET", url, accept=LINEITEM)
        return self.parse(url, LineItem.from_json, data)

    def create_line_item(self, lineitems_url: str, item: LineItem) -> LineItem:
        """POST a new line item; returns it as the platform stored it (with its ``id``)."""
        body = {key: value for key, value in item.to_json().items() if key != "id"}
        data, _ = self.request_json("POST", lineitems_url, accept=LINEITEM, content_type=LINEITEM,
                                    json_body=body)
        return self.parse(lineitems_url, LineItem.from_json, data)

    def find_or_create_line_item(self, lineitems_url: str, item: LineItem) -> LineItem:
        """The first line item matching ``item``'s resource link id, resource id and tag, else a new one.

        Matching is checked here too, because platforms may ignore the container's filter parameters.
        """
        wanted = {"resource_link_id": item.resource_link_id, "resource_id": item.resource_id, "tag": item.tag}
        if all(value is None for value in wanted.values()):
            raise ValueError("find_or_create needs a resource_link_id, resource_id or tag to match on")
        for found in self.list_line_items(lineitems_url, **wanted):
            if all(getattr(found, key) == value for key, value in wanted.items() if value is not None):
                return found
        return self.create_line_item(lineitems_url, item)

    def update_line_item(self, item: LineItem) -> LineItem:
        """PUT the whole line item to its ``id`` (AGS "Updating a line item")."""
        if item.id is None:
            raise ValueError("only a line item with an id can be updated")
        data, _ = self.request_json("PUT", item.id, accept=LINEITEM, content_type=LINEITEM,
                                    json_body=item.to_json())
        return item if data is None else self.parse(item.id, LineItem.from_json, data)

    def delete_line_item(self, url: str) -> None:
        self.request("DELETE", url)

    # -- results and scores ---------------------------------------------------------------------------
    def result_pages(
        self, lineitem_url: str, *, user_id: str | None = None, limit: int | None = None
    ) -> Iterator[tuple[Page, list[Result]]]:
        params = {"user_id": user_id, "limit": str(limit) if limit is not None else None}
        query = {key: value for key, value in params.items() if value is not None}
        url = service_url(lineitem_url, "results")
        for page in self.iter_pages(url, accept=RESULT_CONTAINER, params=query or None):
            yield page, as_list_of(self, page, Result.from_json, "result container")

    def list_results(self, lineitem_url: str, **filters: Any) -> list[Result]:
        """All results of a line item (every page), or an error."""
        return [result for _, results in self.result_pages(lineitem_url, **filters) for result in results]

    def post_score(self, lineitem_url: str, score: Score) -> None:
        """POST ``score`` to ``{lineitem}/scores``; the Canvas submission extension goes to Canvas only."""
        self.request("POST", service_url(lineitem_url, "scores"), headers={"Content-Type": SCORE},
                     json_body=score.to_json(canvas=self.platform is Platform.CANVAS))


def as_list_of(connector: LtiServiceConnector, page: Page, parse: Any, what: str) -> list[Any]:
    """Parse every element of a container page; one bad element fails the whole page."""
    return connector.parse(page.url, lambda data: [parse(entry) for entry in as_list(data, what)], page.data)


__all__ = [
    "ActivityProgress",
    "AgsConnector",
    "CanvasSubmission",
    "GradingProgress",
    "InvalidScore",
    "LineItem",
    "Platform",
    "Result",
    "Score",
    "service_url",
]
