"""PostgreSQL stores: a postgresql:// URL turned into eventsourcing's settings.

Before the application opens, one short connection checks the server, the
database and the role's rights, so a failure is one line naming host, port,
database and reason. The password is never shown: messages mask it.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, unquote

from domain.errors import StoreUnavailable, UsageError
from domain.vocabulary import POSTGRES_SCHEMES as SCHEMES

URL_FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=NAME]"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 5
MASK = "***"
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

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


@dataclass(frozen=True)
class PgTarget:
    """Where a postgresql:// URL points: server, database, schema and role."""

    host: str
    port: int
    dbname: str
    user: str
    password: str | None = field(default=None, repr=False)
    schema: str = "public"

    @property
    def where(self) -> str:
        text = f"host {self.host}, port {self.port}, database {self.dbname}"
        return text if self.schema == "public" else f"{text}, schema {self.schema}"

    @property
    def table(self) -> str:
        return f"{self.schema}.{events_table()}"


def events_table() -> str:
    """The table eventsourcing keeps summit's log in (named after the application)."""
    from domain.application import Summit

    return f"{Summit.name.lower()}_events"


def mask_url(store: str) -> str:
    """`store` with any password replaced by ***; a SQLite path comes back as is."""
    if not store.startswith(SCHEMES):
        return store
    scheme, _, rest = store.partition("://")
    userinfo, at, location = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return store
    return f"{scheme}://{userinfo.split(':', 1)[0]}:{MASK}@{location}"


def parse_url(url: str) -> PgTarget:
    """The parts of `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=NAME]`.

    USER defaults to PGUSER or the operating-system user; parts may be
    percent-encoded. A malformed URL is a UsageError (exit 2).
    """
    if not url.startswith(SCHEMES):
        raise _bad(url, "it must start with postgresql://")
    rest = url.partition("://")[2]
    # The last @ ends the user part, so a password may hold @, / or ?.
    userinfo, _, location = rest.rpartition("@")
    location, _, query = location.partition("?")
    hostport, slash, dbname = location.partition("/")
    user, colon, password = userinfo.partition(":")
    host, port = _host_port(url, hostport)
    dbname = unquote(dbname)
    if not slash or not dbname:
        raise _bad(url, "it names no database (…@HOST:PORT/DB)")
    if "/" in dbname or "#" in dbname:
        raise _bad(url, f"'{dbname}' is not a database name")
    return PgTarget(
        host=host,
        port=port,
        dbname=dbname,
        user=unquote(user) or os.environ.get("PGUSER") or _os_user(),
        password=unquote(password) if colon and password else None,
        schema=_schema(url, query),
    )


def password_for(target: PgTarget) -> str:
    """The URL's password, else PGPASSWORD, else "" so that libpq reads PGPASSFILE
    or ~/.pgpass (libpq skips PGPASSWORD once a password is passed, even "")."""
    return target.password or os.environ.get("PGPASSWORD", "")


def env(url: str, *, write: bool) -> dict[str, str]:
    """eventsourcing's settings for the store at `url`, after checking it can be used.

    The log's tables are created only by a writer on first use: eventsourcing
    issues no DDL for a reader, nor for a writer once they exist, so a role
    with only the rights it needs (SELECT to read; INSERT and UPDATE to
    write) works.
    """
    target = parse_url(url)
    password = password_for(target)
    tables_exist = _check(target, password, write=write)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": target.dbname,
        "POSTGRES_HOST": target.host,
        "POSTGRES_PORT": str(target.port),
        "POSTGRES_USER": target.user,
        "POSTGRES_PASSWORD": password,
        "POSTGRES_GET_PASSWORD_TOPIC": "",
        "POSTGRES_SCHEMA": target.schema,
        "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S),
        "POSTGRES_LOCK_TIMEOUT": "0",
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "2",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "ORIGINATOR_ID_TYPE": "uuid",
        "CREATE_TABLE": "y" if write and not tables_exist else "n",
    }


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


def _connect(target: PgTarget, password: str) -> Any:
    import psycopg
    from psycopg.rows import dict_row

    return psycopg.connect(
        host=target.host,
        port=target.port,
        dbname=target.dbname,
        user=target.user,
        password=password,
        connect_timeout=CONNECT_TIMEOUT_S,
        autocommit=True,
        row_factory=dict_row,
        application_name="summit",
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
    text = " ".join(str(error).split())
    if password:
        text = text.replace(password, MASK)
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


def _host_port(url: str, hostport: str) -> tuple[str, int]:
    if hostport.startswith("["):  # [IPv6]:port
        host, _, tail = hostport[1:].partition("]")
        port_text = tail.removeprefix(":")
    else:
        host, _, port_text = hostport.partition(":")
    host = unquote(host)
    if not host:
        raise _bad(url, "it names no host (…@HOST:PORT/DB)")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(url, f"'{port_text}' is not a port number")
    return host, int(port_text)


def _schema(url: str, query: str) -> str:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - {"schema"})
    if unknown:
        raise _bad(url, f"unknown option '{unknown[0]}' (only schema=NAME is accepted)")
    schema = options.get("schema", "public")
    if not _SCHEMA_NAME.fullmatch(schema):
        raise _bad(url, f"'{schema}' is not a schema name (letters, digits, _)")
    return schema


def _bad(url: str, why: str) -> UsageError:
    return UsageError(f"not a PostgreSQL URL: {mask_url(url)}: {why} (use {URL_FORM})")


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return "postgres"


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


def application() -> type[Any]:
    """The application class: summit as it is."""
    from domain.application import Summit

    return Summit


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
