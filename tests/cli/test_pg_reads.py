"""Queries on a PostgreSQL store: up-to-date views are read over one plain
connection, without the write-side application, in one transaction; views
that are behind are still caught up first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import pgserver

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "hague-2025.jsonl"
QUERY = ["stance", "hague-2025", "-p", "defence-investment-5pct", "--format", "json"]

# Runs one query in a fresh interpreter, then says which heavy modules it
# loaded and how many statements it sent to the server.
PROBE = """
import json, sys
from psycopg import pq
sent = []
for name in ("send_query", "send_query_params", "send_query_prepared"):
    def counted(self, *a, _f=getattr(pq.PGconn, name), **k):
        sent.append(1)
        return _f(self, *a, **k)
    setattr(pq.PGconn, name, counted)
from cli.main import main
sys.argv = ["summit", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
loaded = [m for m in ("eventsourcing", "pydantic", "domain.application")
          if m in sys.modules]
print(json.dumps({"code": code, "loaded": loaded, "sent": len(sent)}),
      file=sys.stderr)
"""


@pytest.fixture
def store(pg: pgserver.PgServer) -> Any:
    schema = pg.new_schema("pgreads")
    url = pg.url(schema=schema)
    yield url
    pg.drop_schemas([schema])


def probe(url: str, *args: str) -> tuple[dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if k != "SUMMIT_STORE"}
    # The statements are counted on psycopg's pure-Python libpq wrapper,
    # whose methods can be wrapped (the C one's cannot); they are the same.
    env["PSYCOPG_IMPL"] = "python"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--store", url, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    said = json.loads(done.stderr.strip().splitlines()[-1])
    assert said["code"] in (0, None), done.stderr
    return said, done.stdout


def summit(url: str, *args: str) -> None:
    summit_script = Path(sys.executable).parent / "summit"
    subprocess.run([summit_script, "--store", url, *args], check=True, cwd=ROOT)


def test_a_query_on_current_views_opens_no_application(store: str) -> None:
    summit(store, "import", str(SAMPLE))
    said, out = probe(store, *QUERY)
    assert said["loaded"] == [], said
    assert len(json.loads(out)["allies"]) == 32


def test_a_query_is_a_few_statements_in_one_transaction(store: str) -> None:
    summit(store, "import", str(SAMPLE))
    for view in ("stance", "consensus", "delivery"):
        for extra in ([], ["--as-of", "2025-06-10"]):
            said, _ = probe(store, view, *QUERY[1:], *extra)
            # 32 allies; was a transaction per statement (511 for a stance)
            assert said["sent"] <= 12, said


def test_a_query_on_views_behind_catches_them_up_first(store: str) -> None:
    from tests.builders import NEG, opened, said, tabled
    from tests.cli.test_views import write_without_catching_up

    write_without_catching_up(store, opened(), tabled())
    query = ["stance", NEG, "--format", "json"]
    said_first, _ = probe(store, *query)
    assert "eventsourcing" in said_first["loaded"]  # the catch-up opened it
    write_without_catching_up(store, said("a", "GBR", "2025-06-10", "supports"))
    said_next, out = probe(store, *query)
    assert "eventsourcing" in said_next["loaded"]
    stances = {a["ally"]: a["stance"] for a in json.loads(out)["allies"]}
    assert stances == {"DEU": "unknown", "FRA": "unknown", "GBR": "supports"}
    said_again, again = probe(store, *query)
    assert said_again["loaded"] == [] and again == out


def test_the_reader_names_the_applications_tables(store: str) -> None:
    from cli.store import open_store
    from domain.application import Summit
    from projections.tables import postgres

    summit(store, "import", str(SAMPLE))
    app = open_store(store, write=False)
    try:
        found = postgres.recorder(app, create=False)
        assert app.recorder.events_table_name == postgres.EVENTS
        assert found.tracking_table_name == postgres.TRACKING
        assert f"{Summit.name.lower()}_events" == postgres.EVENTS
    finally:
        app.close()


def test_a_view_the_role_may_not_read_is_a_store_problem(
    store: str, pg: pgserver.PgServer
) -> None:
    summit(store, "import", str(SAMPLE))
    schema = store.rpartition("schema=")[2]
    role = pg.new_role("reader")
    pg.execute(
        pg.database,
        f'GRANT USAGE ON SCHEMA {schema} TO "{role}"; '
        f'GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO "{role}"; '
        f'REVOKE SELECT ON {schema}.summit_evidence FROM "{role}";',
    )
    url = pg.url(user=role, schema=schema)
    done = subprocess.run(
        [Path(sys.executable).parent / "summit", "--store", url, *QUERY],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "permission denied" in lines[0], done.stderr
