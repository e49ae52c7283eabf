"""Line items and scores (the platform side of AGS 2.0)."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Any

from .models import LineItem, ScoreRecord


class Gradebook:
    """Mixin of `Platform`: line items, every score received, the latest result per user."""

    _lock: threading.RLock
    line_items: dict[str, LineItem]
    scores: list[ScoreRecord]
    # line item id -> user id -> latest applied score, users in order of first score (keeps results O(page)).
    latest_scores: dict[str, dict[str, ScoreRecord]]
    _line_item_ids: itertools.count[int]

    def add_line_item(self, course_id: str, label: str, score_maximum: float, **fields: Any) -> LineItem:
        with self._lock:
            item_id = str(next(self._line_item_ids))
            item = LineItem(item_id, course_id, label, float(score_maximum), **fields)
            self.line_items[item_id] = item
            return item

    def delete_line_item(self, item_id: str) -> None:
        with self._lock:
            del self.line_items[item_id]
            self.latest_scores.pop(item_id, None)

    def line_item_for_link(self, resource_link_id: str, client_id: str) -> LineItem | None:
        """The first line item bound to a resource link and visible to the tool."""
        with self._lock:
            for item in self.line_items.values():
                if item.resource_link_id == resource_link_id and item.client_id in (None, client_id):
                    return item
            return None

    def record_score(self, item: LineItem, client_id: str, body: dict[str, Any]) -> ScoreRecord:
        """Keep every score; apply it only if it is not older than the latest for that user."""
        with self._lock:
            latest = self.latest_score(item.id, body["userId"])
            applied = latest is None or _when(latest.body) <= _when(body)
            record = ScoreRecord(item.id, item.course_id, body["userId"], dict(body), applied, client_id)
            self.scores.append(record)
            if applied:
                self.latest_scores.setdefault(item.id, {})[record.user_id] = record
            return record

    def latest_score(self, item_id: str, user_id: str) -> ScoreRecord | None:
        with self._lock:
            return self.latest_scores.get(item_id, {}).get(user_id)

    def results(self, item_id: str) -> list[ScoreRecord]:
        """The latest applied score per user for a line item, in user order of first score."""
        with self._lock:
            return list(self.latest_scores.get(item_id, {}).values())


def _when(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(body["timestamp"]))
