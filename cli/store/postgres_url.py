"""postgresql:// URLs: their parts, libpq parameters passed through, password masked.

Only the URL's password field is ever masked (never a search-and-replace of
the password over a server's message, which would corrupt the message and,
for a short password, reveal it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from domain.errors import UsageError
from domain.vocabulary import POSTGRES_SCHEMES as SCHEMES

URL_FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=NAME&sslmode=…]"
DEFAULT_PORT = 5432
MASK = "***"
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

# libpq connection parameters a URL's query may carry (passed through as is);
# host, port, dbname, user and password come from the URL itself.
LIBPQ_PARAMETERS = frozenset(
    [
        "application_name",
        "fallback_application_name",
        "connect_timeout",
        "client_encoding",
        "options",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "sslmode",
        "requiressl",
        "sslnegotiation",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "requirepeer",
        "require_auth",
        "channel_binding",
        "gssencmode",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "passfile",
        "target_session_attrs",
        "load_balance_hosts",
        "hostaddr",
    ]
)


@dataclass(frozen=True)
class PgTarget:
    """Where a postgresql:// URL points: server, database, schema and role."""

    host: str
    port: int
    dbname: str
    user: str
    password: str | None = field(default=None, repr=False)
    schema: str = "public"
    params: tuple[tuple[str, str], ...] = ()

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
    """The parts of `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=NAME&…]`.

    USER defaults to PGUSER or the operating-system user; parts may be
    percent-encoded; libpq parameters (sslmode=require, …) are kept to be
    passed through. A malformed URL is a UsageError (exit 2).
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
    schema, params = _options(url, query)
    return PgTarget(
        host=host,
        port=port,
        dbname=dbname,
        user=unquote(user) or os.environ.get("PGUSER") or _os_user(),
        password=unquote(password) if colon and password else None,
        schema=schema,
        params=params,
    )


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


def _options(url: str, query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The schema and the libpq parameters of a URL's query."""
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - {"schema"} - LIBPQ_PARAMETERS)
    if unknown:
        raise _bad(
            url,
            f"unknown option '{unknown[0]}' (schema=NAME and libpq's connection "
            "parameters such as sslmode=require are accepted)",
        )
    schema = options.pop("schema", "public")
    if not _SCHEMA_NAME.fullmatch(schema):
        raise _bad(url, f"'{schema}' is not a schema name (letters, digits, _)")
    return schema, tuple(sorted(options.items()))


def _bad(url: str, why: str) -> UsageError:
    return UsageError(f"not a PostgreSQL URL: {mask_url(url)}: {why} (use {URL_FORM})")


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return "postgres"
