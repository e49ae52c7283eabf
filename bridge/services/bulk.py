"""Driver-level bulk writes for the sync path: a Core statement compiled once, rows handed to the DBAPI as is."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Insert, Table

from bridge.models.base import UTCDateTime


class DriverStatement:
    """A Core statement compiled once per dialect, executed as a plain DBAPI ``executemany``.

    A course sync writes 100,000 progress facts and 10,000 users and memberships; Core's per-row parameter
    handling (bind processors, Python-side defaults, parameter dictionaries) cost more than SQLite's own work.
    Here each row is a tuple (or a dict on named-parameter drivers) of already-processed values: the column
    types' bind processors are applied by :meth:`rows`, once per distinct value for the date-time columns (all
    rows of a page share their times).

    On SQLite an INSERT of many rows is sent as one multi-row ``VALUES`` statement instead: ``executemany``
    steps the statement once per row and the driver releases the GIL at every step, so in a process that also
    serves HTTP (the prefetch thread, a server thread) each row could wait a thread switch interval to resume.
    """

    def __init__(self, connection: Connection, statement: Any, keys: Sequence[str], table: Table) -> None:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = str(compiled)
        self.positional = bool(dialect.positional)
        # Multi-row VALUES for qmark INSERTs: "INSERT … VALUES (?, …) [ON CONFLICT …]" →
        # prefix + ", ".join(group × rows) + suffix.
        self.multi: tuple[str, str, str, int] | None = None
        if isinstance(statement, Insert) and dialect.paramstyle == "qmark" and " VALUES (" in self.sql:
            prefix, _, rest = self.sql.rpartition(" VALUES ")
            end = rest.index(")") + 1
            raw = connection.connection.dbapi_connection
            limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if isinstance(raw, sqlite3.Connection) else 999
            self.multi = (prefix + " VALUES ", rest[:end], rest[end:], max(1, limit // len(keys)))
        self._multi_sql: dict[int, str] = {}
        # Bind names in the order the driver wants them ("b_" marks an UPDATE's bind named after its column).
        self.order = list(compiled.positiontup or keys) if self.positional else list(keys)
        self.columns = [key.removeprefix("b_") for key in self.order]
        self.get = itemgetter(*self.columns)
        # (position, processor, memoise) for the columns whose type converts values for this driver.
        self.processors: list[tuple[int, Callable[[Any], Any], bool]] = []
        for position, name in enumerate(self.columns):
            column_type = table.c[name].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors.append((position, process, isinstance(column_type, UTCDateTime)))

    def rows(self, values: Iterable[Mapping[str, Any]]) -> list[Any]:
        memo: dict[Any, Any] = {}
        out: list[Any] = []
        for row in values:
            processed = list(self.get(row))
            for position, process, memoise in self.processors:
                value = processed[position]
                if value is None:
                    continue
                if memoise:
                    if value not in memo:
                        memo[value] = process(value)
                    processed[position] = memo[value]
                else:
                    processed[position] = process(value)
            out.append(tuple(processed) if self.positional else dict(zip(self.order, processed, strict=True)))
        return out

    def shared_rows(self, shared: Mapping[str, Any], varying: Sequence[str],
                    values: Iterable[Sequence[Any]]) -> list[Any]:
        """Like :meth:`rows` for rows that share the ``shared`` column values (processed once); each item of
        ``values`` holds the ``varying`` columns, in that order. Built column by column, each distinct value of
        a converted column converted once (a page of facts shares its course, activity, source and times)."""
        columns = list(zip(*values, strict=False))
        if not columns:
            return []
        processors = {self.columns[position]: process for position, process, _memo in self.processors}
        constants = []
        for name in shared:
            value, process = shared[name], processors.get(name)
            constants.append(process(value) if process is not None and value is not None else value)
        processed: list[Sequence[Any]] = []
        for name, column in zip(varying, columns, strict=True):
            process = processors.get(name)
            if process is None:
                processed.append(column)
                continue
            memo: dict[Any, Any] = {None: None}
            processed.append([memo[v] if v in memo else memo.setdefault(v, process(v)) for v in column])
        slots = {name: index for index, name in enumerate((*shared, *varying))}
        pick = itemgetter(*(slots[name] for name in self.columns))
        head = tuple(constants)
        rows = [pick(head + row) for row in zip(*processed, strict=True)]
        return rows if self.positional else [dict(zip(self.order, row, strict=True)) for row in rows]

    def executemany(self, connection: Connection, values: Iterable[Mapping[str, Any]], *,
                    prepared: list[Any] | None = None) -> int:
        """Execute for every row of ``values`` (or the rows ``prepared`` by :meth:`shared_rows`); returns the
        number of rows the database reports as written."""
        rows = prepared if prepared is not None else self.rows(values)
        if not rows:
            return 0
        if self.multi is None or len(rows) == 1:
            return int(connection.exec_driver_sql(self.sql, rows).rowcount)
        prefix, group, suffix, most = self.multi
        written = 0
        for start in range(0, len(rows), most):
            chunk = rows[start:start + most]
            sql = self._multi_sql.get(len(chunk))
            if sql is None:
                sql = self._multi_sql[len(chunk)] = prefix + ", ".join([group] * len(chunk)) + suffix
            written += connection.exec_driver_sql(sql, tuple(chain.from_iterable(chunk))).rowcount
        return written


    def fetch_all(self, connection: Connection, values: Iterable[Mapping[str, Any]]) -> list[Any]:
        """Execute an INSERT … RETURNING for every row of ``values`` and return the rows it returns (only for
        statements sent as multi-row VALUES: ``multi`` is set)."""
        if self.multi is None:
            raise LookupError("RETURNING rows are only collected from multi-row INSERTs")
        rows = self.rows(values)
        prefix, group, suffix, most = self.multi
        found: list[Any] = []
        for start in range(0, len(rows), most):
            chunk = rows[start:start + most]
            sql = prefix + ", ".join([group] * len(chunk)) + suffix
            found += connection.exec_driver_sql(sql, tuple(chain.from_iterable(chunk))).all()
        return found


_statements: dict[tuple[Any, str], DriverStatement] = {}


def driver_statement(connection: Connection, name: str,
                     build: Callable[[], tuple[Any, Sequence[str], Table]]) -> DriverStatement:
    """The :class:`DriverStatement` called ``name`` for this connection's dialect, built on first use."""
    key = (connection.dialect, name)
    found = _statements.get(key)
    if found is None:
        statement, keys, table = build()
        found = _statements[key] = DriverStatement(connection, statement, keys, table)
    return found
