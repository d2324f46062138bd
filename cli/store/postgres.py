"""PostgreSQL stores: a postgresql:// URL turned into eventsourcing's settings.

Before the application opens, one short connection checks the server, the
database and the role's rights, so a failure is one line naming host, port,
database and reason. The password is never shown: messages mask it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from cli.store.postgres_url import MASK, PgTarget, events_table, mask_url, parse_url
from domain.errors import StoreUnavailable, UsageError

__all__ = ["PgTarget", "events_table", "mask_url", "parse_url"]

CONNECT_TIMEOUT_S = 5
INSERT_BATCH = 1000  # events per INSERT statement of an import (one transaction)
INSTALL_HINT = "install PostgreSQL support: pip install 'summit[postgres]'"
_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@")

# A query opens the store twice (to read, and to bring the views up to date):
# the rights of a store whose tables exist are checked once per few seconds.
RIGHTS_TTL_S = 5.0
_rights_seen: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}

# What the role may do, read from the catalogue (readable by any role, unlike
# to_regclass on a schema the role may not use).
_RIGHTS_SQL = """
SELECT n.oid IS NOT NULL AS schema_exists,
       c.oid IS NOT NULL AS table_exists,
       current_user AS role,
       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS can_use,
       CASE WHEN n.oid IS NULL
            THEN has_database_privilege(current_database(), 'CREATE')
            ELSE has_schema_privilege(n.oid, 'CREATE') END AS can_create,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'SELECT') AS can_select,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'INSERT') AS can_insert,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'UPDATE') AS can_lock,
       (SELECT bool_and(has_sequence_privilege(s.oid, 'USAGE'))
          FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         WHERE d.refobjid = c.oid AND d.deptype = 'a') AS can_number
  FROM (SELECT 1) AS one
  LEFT JOIN pg_namespace n ON n.nspname = %(schema)s
  LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = %(table)s
"""

SHARED = True  # a team's server: writers keep the views current for readers


def password_for(target: PgTarget) -> str:
    """The URL's password, else PGPASSWORD, else "" so that libpq reads PGPASSFILE
    or ~/.pgpass (libpq skips PGPASSWORD once a password is passed, even "")."""
    return target.password or os.environ.get("PGPASSWORD", "")


def env(url: str, *, write: bool) -> dict[str, str]:
    """eventsourcing's settings for the store at `url`, after checking it can be used.

    The log's tables are created only by a writer on first use: eventsourcing
    issues no DDL for a reader, nor for a writer once they exist, so a role
    with only the rights it needs (SELECT to read; INSERT and UPDATE to
    write) works. A lock held by another writer is waited for at most
    SUMMIT_LOCK_TIMEOUT seconds.
    """
    from cli.store.locks import lock_timeout_s

    target = parse_url(url)
    _require_psycopg()
    password = password_for(target)
    tables_exist = _check(target, password, write=write)
    params = dict(target.params)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": target.dbname,
        "POSTGRES_HOST": target.host,
        "POSTGRES_PORT": str(target.port),
        "POSTGRES_USER": target.user,
        "POSTGRES_PASSWORD": password,
        "POSTGRES_GET_PASSWORD_TOPIC": "",
        "POSTGRES_SCHEMA": target.schema,
        "POSTGRES_CONNECT_TIMEOUT": params.get("connect_timeout")
        or str(CONNECT_TIMEOUT_S),
        "POSTGRES_LOCK_TIMEOUT": str(lock_timeout_s()),
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "2",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "ORIGINATOR_ID_TYPE": "uuid",
        "CREATE_TABLE": "y" if write and not tables_exist else "n",
        "SUMMIT_LIBPQ_PARAMETERS": json.dumps(params),
    }


def _require_psycopg() -> None:
    """StoreUnavailable saying what to install when psycopg is missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreUnavailable(INSTALL_HINT) from None


def describe_failure(url: str, exc: BaseException) -> str:
    """One line for a store that would not open: host, port, database and reason."""
    try:
        target = parse_url(url)
    except UsageError as e:
        return str(e)
    password = password_for(target)
    reason = _reason(exc, password)
    if reason.startswith("server unreachable"):
        # A pool timeout hides the cause; one direct attempt shows it.
        try:
            _connect(target, password).close()
        except Exception as e:
            reason = _reason(e, password)
    return _line(target, reason)


def _check(target: PgTarget, password: str, *, write: bool) -> bool:
    """StoreUnavailable unless the role may read (or write) the store; True when
    summit's tables exist. Connects once (a writer creates a missing schema).
    """
    key = (target, password)
    seen = _rights_seen.get(key)
    if seen is not None and time.monotonic() - seen[0] < RIGHTS_TTL_S:
        problem = _rights_problem(target, seen[1], write=write)
        if problem is not None:
            raise StoreUnavailable(_line(target, problem))
        return True
    try:
        conn = _connect(target, password)
    except Exception as e:
        raise StoreUnavailable(_line(target, _reason(e, password))) from None
    try:
        with conn:
            rights = conn.execute(
                _RIGHTS_SQL, {"schema": target.schema, "table": events_table()}
            ).fetchone()
            assert rights is not None
            problem = _rights_problem(target, rights, write=write)
            if problem is not None:
                raise StoreUnavailable(_line(target, problem))
            if write and not rights["schema_exists"]:
                from psycopg import sql

                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(target.schema)
                    )
                )
    except StoreUnavailable:
        raise
    except Exception as e:
        raise StoreUnavailable(_line(target, _reason(e, password))) from None
    if rights["table_exists"]:
        _rights_seen[key] = (time.monotonic(), rights)
    return bool(rights["table_exists"])


def reader(url: str) -> tuple[Any, str]:
    """(A connection that reads the store, its schema): no pool and no
    application; one read-only REPEATABLE READ transaction, begun by the
    first read, so every read sees one state of the store. StoreUnavailable,
    saying why, when the server cannot be reached or refuses the login."""
    target = parse_url(url)
    _require_psycopg()
    password = password_for(target)
    try:
        from psycopg import IsolationLevel
        from psycopg.rows import tuple_row

        conn = _connect(target, password, autocommit=False, row_factory=tuple_row)
        conn.read_only = True
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
    except Exception as e:
        raise StoreUnavailable(_line(target, _reason(e, password))) from None
    return conn, target.schema


def _connect(target: PgTarget, password: str, **options: Any) -> Any:
    """A connection to the store's database: autocommit, rows as dicts,
    unless `options` say otherwise."""
    import psycopg
    from psycopg.rows import dict_row

    params: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "summit",
        "autocommit": True,
        "row_factory": dict_row,
        **dict(target.params),
        **options,
    }
    return psycopg.connect(
        host=target.host,
        port=target.port,
        dbname=target.dbname,
        user=target.user,
        password=password,
        **params,
    )


def _rights_problem(
    target: PgTarget, rights: dict[str, Any], *, write: bool
) -> str | None:
    role = rights["role"]
    if not rights["table_exists"]:
        if not write:
            return (
                "store not found: no summit log in this database yet (record or "
                "import something first, or name another with --store / SUMMIT_STORE)"
            )
        if not rights["can_create"]:
            where = f"schema {target.schema}"
            if not rights["schema_exists"]:
                where = f"database {target.dbname} (to create schema {target.schema})"
            return (
                f"permission denied: role {role} may not create summit's tables in "
                f"{where}; the first import must be made by a role that may"
            )
        return None
    missing = [
        what
        for what, ok in (
            (f"USAGE on schema {target.schema}", rights["can_use"]),
            (f"SELECT on {target.table}", rights["can_select"]),
        )
        if not ok
    ]
    if missing:
        return f"permission denied: role {role} lacks " + " and ".join(missing)
    if not write:
        return None
    missing = [
        what
        for what, ok in (
            (f"INSERT on {target.table}", rights["can_insert"]),
            (
                f"UPDATE on {target.table} (to lock it while appending)",
                rights["can_lock"],
            ),
            ("USAGE on its sequence", rights["can_number"] is not False),
        )
        if not ok
    ]
    if not missing:
        return None
    if not rights["can_insert"]:
        return f"permission denied: role {role} may only read this store (it lacks " + (
            " and ".join(missing) + ")"
        )
    return f"permission denied: role {role} lacks " + " and ".join(missing)


# Words in a driver's message that say why a connection failed.
_LOGIN_REFUSED = ("password", "authentication", "role ", "pg_hba.conf")
_LOGIN_REFUSED += ("not permitted to log in",)
_UNREACHABLE = ("connection refused", "timeout", "timed out", "resolve host")
_UNREACHABLE += ("translate host", "unreachable", "no route", "ssl")
_UNREACHABLE += ("couldn't get a connection", "server closed")
_UNREACHABLE += ("no such file or directory",)


def _reason(error: BaseException, password: str) -> str:
    """Why a connection or a statement failed, as a short phrase."""
    text = _URL_PASSWORD.sub(rf"\1{MASK}@", " ".join(str(error).split()))
    if password:  # only where it stands alone: never inside the server's words
        text = re.sub(rf"(?<!\w){re.escape(password)}(?!\w)", MASK, text)
    said = text.rpartition("failed: ")[2] if "failed: " in text else text
    for marker in (" DETAIL:", " HINT:", " Is the server running"):
        said = said.partition(marker)[0]
    said = said.removeprefix("FATAL:").strip()
    low = said.lower()
    if "database" in low and "does not exist" in low:
        return "database does not exist"
    if "no password supplied" in low:
        return "login refused (no password: put it in ~/.pgpass, PGPASSWORD or the URL)"
    if "permission denied" in low or "must be owner" in low:
        return f"permission denied ({said})"
    if any(k in low for k in _LOGIN_REFUSED):
        return f"login refused ({said})"
    if any(k in low for k in _UNREACHABLE):
        return f"server unreachable ({said})"
    return said


def _line(target: PgTarget, reason: str) -> str:
    return f"cannot use PostgreSQL store ({target.where}): {reason}"


def display(url: str) -> str:
    """How the store is named in messages (its password masked)."""
    return mask_url(url)


def readable_file(url: str) -> None:
    """A server store has no file."""
    return None


def tables() -> ModuleType:
    """The views' tables on PostgreSQL."""
    from projections.tables import postgres

    return postgres


@functools.cache
def application() -> type[Any]:
    """The application class: summit, writing an import in one transaction of
    bounded INSERTs (one INSERT of every event hangs psycopg's pipeline)."""
    from domain.application import Summit

    class PostgresSummit(Summit):
        name = Summit.name  # the log's table is named after it

        def construct_factory(self, env: Any) -> Any:
            factory = super().construct_factory(env)
            params = json.loads(env.get("SUMMIT_LIBPQ_PARAMETERS") or "{}")
            factory.datastore.pool.kwargs.update(params)  # sslmode=… and the rest
            return factory

        def insert_stored(self, chunks: Iterable[list[Any]]) -> None:
            """One transaction: the log locked once, then INSERTs of INSERT_BATCH."""
            from eventsourcing.postgres import PostgresAggregateRecorder as Rows

            from cli.store.locks import busy_means_unavailable

            recorder: Any = self.recorder
            with (
                busy_means_unavailable(),
                recorder.datastore.transaction(commit=True) as cursor,
            ):
                recorder._lock_table(cursor)
                recorder._notify_channel(cursor)
                for chunk in chunks:
                    for at in range(0, len(chunk), INSERT_BATCH):
                        batch = chunk[at : at + INSERT_BATCH]
                        Rows._insert_stored_events(recorder, cursor, batch)

        def forget_snapshots(self, aggregate_id: Any, before: int) -> None:
            """Delete the aggregate's snapshots older than version `before`
            (creating their table on a store from before them, if the role may)."""
            from psycopg.errors import UndefinedTable
            from psycopg.sql import SQL, Identifier

            assert self.snapshots is not None
            recorder: Any = self.snapshots.recorder
            statement = SQL(
                "DELETE FROM {}.{} WHERE originator_id = %s AND originator_version < %s"
            ).format(
                Identifier(recorder.datastore.schema),
                Identifier(recorder.events_table_name),
            )
            try:
                with recorder.datastore.transaction(commit=True) as cursor:
                    cursor.execute(statement, (aggregate_id, before))
            except Exception as e:
                if not isinstance(e.__cause__, UndefinedTable):
                    raise
                recorder.create_table()

    return PostgresSummit


def restart_positions(app: Any) -> None:
    """Number an empty log from 1 again: a sequence is not rolled back with a
    failed transaction, so a copy retried after one would start further on."""
    recorder: Any = app.recorder
    table = f"{recorder.datastore.schema}.{recorder.events_table_name}"
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), 1, false)",
            (table,),
        )
