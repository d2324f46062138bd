"""The test session's own PostgreSQL database, schemas and roles, dropped at the end.

Everything it creates carries this session's tag (pid and a random part), and
it drops only what it created: it never uses or empties another database.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import secrets
from collections.abc import Iterable
from typing import Any

from cli.store.postgres import mask_url, parse_url, password_for

ADMIN_URL = os.environ.get(
    "SUMMIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@functools.cache
def unavailable() -> str | None:
    """Why no PostgreSQL server can be used for tests, or None when one answers."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        _connect(ADMIN_URL).close()
    except Exception as e:
        said = " ".join(str(e).split())
        return f"no PostgreSQL server answers at {mask_url(ADMIN_URL)} ({said})"
    return None


def _connect(url: str, dbname: str | None = None) -> Any:
    import psycopg

    target = parse_url(url)
    return psycopg.connect(
        host=target.host,
        port=target.port,
        dbname=dbname or target.dbname,
        user=target.user,
        password=password_for(target),
        connect_timeout=3,
        autocommit=True,
    )


class PgServer:
    """Creates and later drops this session's databases, schemas and roles."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.target = parse_url(admin_url)
        self.tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.databases: list[str] = []
        self.roles: list[str] = []
        self._n = itertools.count(1)
        self._admin = _connect(admin_url)
        self.database = self.new_database()
        self._session_db = _connect(admin_url, self.database)

    def url(
        self,
        database: str | None = None,
        *,
        user: str | None = None,
        schema: str | None = None,
    ) -> str:
        """A store URL for `database` (the session's by default)."""
        t = self.target
        url = f"postgresql://{user or t.user}@{t.host}:{t.port}/"
        url += database or self.database
        return url if schema is None else f"{url}?schema={schema}"

    def new_database(self, owner: str | None = None) -> str:
        """A fresh, empty database of this session (`createdb [-O owner]`)."""
        name = f"summit_test_{self.tag}"
        if self.databases:
            name += f"_{next(self._n)}"
        owned = f' OWNER "{owner}"' if owner else ""
        self._admin.execute(f'CREATE DATABASE "{name}"{owned}')
        self.databases.append(name)
        return name

    def new_schema(self, hint: str = "") -> str:
        """The name of a schema no one uses yet; summit's first write creates it."""
        return f"t{next(self._n)}_{re.sub(r'[^a-z0-9]+', '_', hint.lower())}"[:63]

    def drop_schemas(self, names: Iterable[str]) -> None:
        for name in names:
            self._session_db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def role_name(self, kind: str) -> str:
        """A role name of this session, dropped at the end (SQL may create it)."""
        name = f"summit_{kind}_{self.tag}_{next(self._n)}"
        self.roles.append(name)
        return name

    def new_role(self, kind: str) -> str:
        """A login role of this session (no rights beyond PUBLIC's)."""
        name = self.role_name(kind)
        self._admin.execute(f'CREATE ROLE "{name}" LOGIN')
        return name

    def execute(self, database: str, statements: str) -> None:
        """Run SQL as the administrator in `database`."""
        with _connect(self.admin_url, database) as conn:
            conn.execute(statements)

    def close(self) -> None:
        self._session_db.close()
        for name in reversed(self.databases):
            self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for name in reversed(self.roles):
            self._admin.execute(f'DROP ROLE IF EXISTS "{name}"')
        self._admin.close()
