"""Durable runner state in SQLite: pipelines, jobs, traces and the artifacts index.

Everything is written through on the event loop's thread (small WAL transactions), so a trace
line is visible to the API as soon as the job prints it and nothing finished is lost on restart.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pipelines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL,
    ref TEXT NOT NULL,
    sha TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    yaml_errors TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    variables TEXT NOT NULL DEFAULT '{}',
    auto_cancel TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
    name TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_idx INTEGER NOT NULL,
    status TEXT NOT NULL,
    allow_failure INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    queued_at REAL,
    started_at REAL,
    finished_at REAL,
    failure_reason TEXT,
    retried INTEGER NOT NULL DEFAULT 0,
    hold INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 1,
    spec TEXT NOT NULL,
    artifacts TEXT,
    pid INTEGER,
    scheduled_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_pipeline ON jobs(pipeline_id);
CREATE TABLE IF NOT EXISTS trace_chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS trace_job ON trace_chunks(job_id);
"""

#: Statuses after which a job or pipeline never changes again (except by retry).
FINISHED = frozenset({"success", "failed", "canceled", "skipped"})
#: Statuses of work that is still going on.
ACTIVE = frozenset({"created", "pending", "running", "scheduled", "waiting_for_resource"})
#: Every status GitLab's ``scope[]`` filter accepts.
STATUSES = frozenset(
    {
        "created",
        "waiting_for_resource",
        "preparing",
        "pending",
        "running",
        "success",
        "failed",
        "canceling",
        "canceled",
        "skipped",
        "manual",
        "scheduled",
    }
)
_JSON_COLUMNS = {"warnings", "variables", "spec", "artifacts", "auto_cancel"}
#: Columns added after the first release, with their SQL type: older databases gain them on open.
_ADDED = {
    "jobs": {"pid": "INTEGER", "scheduled_at": "REAL"},
    "pipelines": {
        "auto_cancel": "TEXT NOT NULL DEFAULT '{}'",
        # Child pipelines (trigger:): their parent pipeline and the trigger job that made them.
        "parent_pipeline_id": "INTEGER",
        "source_job_id": "INTEGER",
    },
}


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> dict[str, Any]:
    row = {col[0]: value for col, value in zip(cursor.description, values, strict=True)}
    for key in _JSON_COLUMNS & row.keys():
        if row[key] is not None:
            row[key] = json.loads(row[key])
    for key in ("allow_failure", "retried", "hold"):
        if key in row:
            row[key] = bool(row[key])
    return row


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v) if k in _JSON_COLUMNS and v is not None else v for k, v in fields.items()
    }


class Store:
    """The runner's SQLite database (one connection, used from the event loop thread only)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = _row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        for table, added in _ADDED.items():
            columns = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for column, kind in added.items():
                if column not in columns:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # -- pipelines ---------------------------------------------------------------------------

    def create_pipeline(self, **fields: Any) -> int:
        """Insert a pipeline and return its id."""
        now = time.time()
        return self._insert("pipelines", {"created_at": now, "updated_at": now, **fields})

    def update_pipeline(self, pipeline_id: int, **fields: Any) -> None:
        """Update columns of one pipeline."""
        self._update("pipelines", pipeline_id, {**fields, "updated_at": time.time()})

    def pipeline(self, pipeline_id: int) -> dict[str, Any] | None:
        """Return one pipeline, or None."""
        cur = self._db.execute("SELECT * FROM pipelines WHERE id = ?", (pipeline_id,))
        row: dict[str, Any] | None = cur.fetchone()
        return row

    def pipelines(
        self, statuses: Iterable[str] = (), ref: str | None = None
    ) -> list[dict[str, Any]]:
        """Return pipelines, newest first, optionally filtered by status and ref."""
        where, args = self._filters(statuses, ref=ref)
        cur = self._db.execute(f"SELECT * FROM pipelines {where} ORDER BY id DESC", args)  # noqa: S608
        return list(cur.fetchall())

    # -- jobs --------------------------------------------------------------------------------

    def create_job(self, **fields: Any) -> int:
        """Insert a job and return its id."""
        return self._insert("jobs", {"created_at": time.time(), **fields})

    def update_job(self, job_id: int, **fields: Any) -> None:
        """Update columns of one job."""
        self._update("jobs", job_id, fields)

    def job(self, job_id: int) -> dict[str, Any] | None:
        """Return one job, or None."""
        cur = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,))
        row: dict[str, Any] | None = cur.fetchone()
        return row

    def jobs(
        self,
        pipeline_id: int | None = None,
        statuses: Iterable[str] = (),
        include_retried: bool = False,
    ) -> list[dict[str, Any]]:
        """Return jobs, newest first, filtered by pipeline and status."""
        where, args = self._filters(statuses, pipeline_id=pipeline_id)
        if not include_retried:
            where += (" AND" if where else "WHERE") + " retried = 0"
        cur = self._db.execute(f"SELECT * FROM jobs {where} ORDER BY id DESC", args)  # noqa: S608
        return list(cur.fetchall())

    # -- traces ------------------------------------------------------------------------------

    def append_trace(self, job_id: int, data: bytes) -> None:
        """Append bytes to a job's trace."""
        if data:
            self._db.execute(
                "INSERT INTO trace_chunks (job_id, data) VALUES (?, ?)", (job_id, data)
            )

    def trace(self, job_id: int) -> bytes:
        """Return a job's whole trace."""
        cur = self._db.execute(
            "SELECT data FROM trace_chunks WHERE job_id = ? ORDER BY seq", (job_id,)
        )
        return b"".join(row["data"] for row in cur.fetchall())

    def trace_size(self, job_id: int) -> int:
        """Return the length of a job's trace in bytes."""
        cur = self._db.execute(
            "SELECT COALESCE(SUM(LENGTH(data)), 0) AS n FROM trace_chunks WHERE job_id = ?",
            (job_id,),
        )
        return int(cur.fetchone()["n"])

    # -- helpers -----------------------------------------------------------------------------

    def _columns(self, table: str, fields: dict[str, Any]) -> dict[str, Any]:
        # Column names are interpolated into SQL: only the table's real columns get through.
        known = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
        unknown = set(fields) - known
        if unknown or table not in ("pipelines", "jobs"):
            msg = f"Unknown {table} columns: {sorted(unknown)}"
            raise ValueError(msg)
        return _encode(fields)

    def _insert(self, table: str, fields: dict[str, Any]) -> int:
        fields = self._columns(table, fields)
        sql = f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"  # noqa: S608
        cur = self._db.execute(sql, [*fields.values()])
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _update(self, table: str, row_id: int, fields: dict[str, Any]) -> None:
        fields = self._columns(table, fields)
        sql = f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?"  # noqa: S608
        self._db.execute(sql, [*fields.values(), row_id])

    @staticmethod
    def _filters(statuses: Iterable[str], **eq: Any) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        wanted = list(statuses)
        if wanted:
            clauses.append(f"status IN ({', '.join('?' * len(wanted))})")
            args.extend(wanted)
        for key, value in eq.items():
            if value is not None:
                clauses.append(f"{key} = ?")
                args.append(value)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), args
