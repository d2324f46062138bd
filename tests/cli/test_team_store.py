"""The team store on PostgreSQL: URLs, passwords, clear failures, and per-role rights.

The role tests follow the README's "Sharing a store" set-up from an empty
database: the GRANTs below are the ones it documents.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from cli.store.postgres import env as postgres_env
from cli.store.postgres import mask_url, parse_url, password_for
from domain.errors import StoreUnavailable, UsageError
from tests.builders import corrected, retracted, said, spent

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hague-2025-seed.jsonl"
NEG = "hague-2025"
PROPOSAL = "defence-investment-5pct"

# docs/sharing.md, step 2, with this session's names in braces.
TEAM_SQL = """
REVOKE CONNECT ON DATABASE {db} FROM PUBLIC;
CREATE ROLE {writers} NOLOGIN;
CREATE ROLE {readers} NOLOGIN;
GRANT CONNECT ON DATABASE {db} TO {writers}, {readers};
GRANT USAGE ON SCHEMA public TO {writers}, {readers};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT SELECT ON TABLES TO {readers};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE ON TABLES TO {writers};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT USAGE ON SEQUENCES TO {writers};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {readers};
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {writers};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {writers};
CREATE ROLE {alice} LOGIN PASSWORD 'alice-secret' IN ROLE {writers};
CREATE ROLE {carol} LOGIN PASSWORD 'carol-secret' IN ROLE {readers};
"""

# After the owner's first import has created the read models' tables:
# writers keep the derived ones current, which deletes superseded rows.
VIEWS_SQL = """
GRANT DELETE ON summit_evidence, summit_pledges, summit_targets, summit_spending,
    summit_refs TO {writers};
"""


def run(store: str, *args: str, input: str | None = None, env: Any = None) -> Result:
    return CliRunner().invoke(
        cli, ["--store", store, "--by", "tester", *args], input=input, env=env
    )


def one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- URLs and passwords (no server needed) ------------------------------------


def test_a_url_gives_user_password_host_port_database_and_schema() -> None:
    t = parse_url("postgresql://ann:s3cret@db.example.org:6543/summit?schema=desk")
    assert (t.user, t.password, t.host, t.port, t.dbname, t.schema) == (
        "ann",
        "s3cret",
        "db.example.org",
        6543,
        "summit",
        "desk",
    )
    t = parse_url("postgres://ann@db.example.org/summit")
    assert (t.password, t.port, t.schema) == (None, 5432, "public")


def test_a_password_may_be_percent_encoded_or_hold_at_slash_and_question_marks() -> (
    None
):
    assert parse_url("postgresql://ann:p%40ss%2Fw@h/db").password == "p@ss/w"
    t = parse_url("postgresql://ann:p@ss/w?x@h:5433/db")
    assert (t.user, t.password, t.host, t.port, t.dbname) == (
        "ann",
        "p@ss/w?x",
        "h",
        5433,
        "db",
    )


def test_an_ipv6_host_and_a_user_from_pguser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGUSER", "bob")
    t = parse_url("postgresql://[::1]:5433/db")
    assert (t.user, t.host, t.port) == ("bob", "::1", 5433)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ann:s3cret@h",
        "postgresql://ann:s3cret@h/",
        "postgresql://ann:s3cret@:5432/db",
        "postgresql://ann:s3cret@h:port/db",
        "postgresql://ann:s3cret@h:99999/db",
        "postgresql://ann:s3cret@h/db?sslmode=require&nosuchparameter=1",
        "postgresql://ann:s3cret@h/db?schema=no-dashes",
        "postgresql://ann:s3cret@h/a/b",
    ],
)
def test_a_malformed_url_is_bad_usage_and_never_shows_the_password(url: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_url(url)
    assert "s3cret" not in str(raised.value)
    line = one_line_error(run(url, "stance", NEG), 2)
    assert "not a PostgreSQL URL" in line and "s3cret" not in line


def test_mask_url_hides_only_the_password() -> None:
    assert mask_url("postgresql://ann:p@ss@h:1/db") == "postgresql://ann:***@h:1/db"
    assert mask_url("postgresql://ann@h/db") == "postgresql://ann@h/db"
    assert mask_url("summit.db") == "summit.db"


def test_the_password_comes_from_the_url_else_pgpassword_else_libpq(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "from-env")
    assert password_for(parse_url("postgresql://a:from-url@h/db")) == "from-url"
    assert password_for(parse_url("postgresql://a@h/db")) == "from-env"
    monkeypatch.delenv("PGPASSWORD")
    # Empty: libpq then reads PGPASSFILE or ~/.pgpass itself.
    assert password_for(parse_url("postgresql://a@h/db")) == ""


def test_an_unreachable_server_exits_3_naming_host_port_and_database() -> None:
    port = free_port()
    url = f"postgresql://ann:s3cret@127.0.0.1:{port}/teamdb"
    line = one_line_error(run(url, "stance", NEG), 3)
    assert f"host 127.0.0.1, port {port}, database teamdb" in line
    assert "server unreachable" in line and "s3cret" not in line


def test_a_failure_after_the_check_is_still_one_clear_line() -> None:
    from cli.store.postgres import describe_failure

    port = free_port()
    url = f"postgresql://ann:s3cret@127.0.0.1:{port}/teamdb"
    pool_timeout = Exception("couldn't get a connection after 5.00 sec")
    line = describe_failure(url, pool_timeout)
    assert "server unreachable (Connection refused)" in line and "s3cret" not in line
    denied = Exception("permission denied for table summit_events s3cret\nDETAIL: x")
    line = describe_failure(url, denied)
    assert line.endswith(
        "permission denied (permission denied for table summit_events ***)"
    )


# -- against the server -------------------------------------------------------


def test_a_missing_database_exits_3(pg: Any) -> None:
    url = pg.url(f"{pg.database}_missing").replace("@", ":s3cret@", 1)
    line = one_line_error(run(url, "consensus", NEG), 3)
    assert "database does not exist" in line and f"{pg.database}_missing" in line
    assert "s3cret" not in line


def test_an_unknown_role_is_a_refused_login(pg: Any) -> None:
    url = pg.url(user=f"nobody_{pg.tag}")
    line = one_line_error(run(url, "stance", NEG), 3)
    assert "login refused" in line and pg.database in line


def test_reading_a_database_without_a_log_says_store_not_found(pg: Any) -> None:
    line = one_line_error(run(pg.url(pg.new_database()), "stance", NEG), 3)
    assert "store not found" in line


def test_tables_are_created_by_the_first_writer_only(
    pg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg.url(schema=pg.new_schema("first"))
    with pytest.raises(StoreUnavailable, match="store not found"):
        postgres_env(url, write=False)
    assert postgres_env(url, write=True)["CREATE_TABLE"] == "y"
    assert run(url, "import", str(SAMPLE)).exit_code == 0
    monkeypatch.setenv("PGPASSWORD", "from-env")  # the server trusts; it is passed on
    env = postgres_env(url, write=True)
    assert env["CREATE_TABLE"] == "n" and env["POSTGRES_PASSWORD"] == "from-env"
    assert postgres_env(url, write=False)["CREATE_TABLE"] == "n"


def test_demo_imports_into_a_named_postgres_store(pg: Any) -> None:
    url = pg.url(pg.new_database()).replace("@", ":s3cret@", 1)
    seed = ["demo", "--sample", "seed"]
    first = CliRunner().invoke(cli, seed, env={"SUMMIT_STORE": url})
    result = CliRunner().invoke(cli, seed, env={"SUMMIT_STORE": url})
    for shown in (first, result):
        assert shown.exit_code == 0, shown.stderr
        assert "s3cret" not in shown.stdout + shown.stderr
    assert "Loaded 0 events (23 already there)" in result.stdout
    assert "United Kingdom" in result.stdout


@pytest.fixture(scope="module")
def team(pg: Any) -> dict[str, str]:
    """docs/sharing.md from `createdb` on: roles and GRANTs before any table
    exists, the owner's first import, then one record by a writer."""
    names = {k: pg.role_name(k) for k in ("writers", "readers", "alice", "carol")}
    owner = pg.new_role("owner")
    db = pg.new_database(owner=owner)
    pg.execute(db, TEAM_SQL.format(db=db, owner=owner, **names))
    stores = {
        "owner": pg.url(db, user=owner),
        "alice": pg.url(db, user=names["alice"]).replace("@", ":alice-secret@", 1),
        "carol": pg.url(db, user=names["carol"]).replace("@", ":carol-secret@", 1),
    }
    assert run(stores["owner"], "import", str(SAMPLE)).exit_code == 0
    pg.execute(db, VIEWS_SQL.format(**names))
    record = said("alice-was-here", "GBR", "2025-06-20", None, negotiation=NEG)
    written = run(stores["alice"], "record", "--json", json.dumps(record))
    assert written.exit_code == 0, written.stderr
    return stores


QUERIES = [
    ("stance", NEG, "--format", "json"),
    ("consensus", NEG, "--format", "json"),
    ("timeline", NEG, "--format", "json"),
    ("export", NEG),
    ("audit", "verify"),
    ("audit", "log", "--format", "json"),
    ("replay", NEG, "--until", "20", "--format", "json"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "-".join(q[:2]))
def test_a_read_only_analyst_sees_what_the_owner_sees(
    team: dict[str, str], query: tuple[str, ...]
) -> None:
    theirs = run(team["carol"], *query)
    assert theirs.exit_code == 0 and theirs.stderr == "", theirs.stderr
    assert theirs.stdout == run(team["owner"], *query).stdout
    assert "alice-was-here" in run(team["carol"], "export", NEG).stdout


def test_the_writer_keeps_the_views_current_for_readers(team: dict[str, str]) -> None:
    # Corrections and retractions close (and may delete) rows of every
    # derived table, the consensus ref rows too: the documented grants allow it.
    neg = {"negotiation": NEG}
    records = [
        spent("alice-spent", "GBR", 2024, 2.3, "2025-06-21", negotiation=NEG),
        said("alice-said", "FRA", "2025-06-21", None, negotiation=NEG),
        corrected("alice-fix", "alice-said", {"occurred_on": "2025-06-22"}, **neg),
        retracted("alice-undo", "alice-spent", **neg),
        retracted("alice-undo-2", "alice-fix", **neg),
    ]
    for record in records:
        written = run(team["alice"], "record", "--json", json.dumps(record))
        assert written.exit_code == 0 and written.stderr == "", written.stderr
    status = run(team["carol"], "views", "status", "--format", "json")
    assert status.exit_code == 0, status.stderr
    view = json.loads(status.stdout)
    assert view["behind"] == 0 and view["views_position"] == view["log_head"]


@pytest.mark.parametrize("command", ["record", "import"])
def test_a_read_only_analyst_cannot_write(team: dict[str, str], command: str) -> None:
    record = said("analyst-try", "GBR", "2025-06-21", None, negotiation=NEG)
    text = json.dumps(record)
    args = ("record", "--json", text) if command == "record" else ("import", "-")
    result = run(team["carol"], *args, input=None if command == "record" else text)
    line = one_line_error(result, 3)
    assert "permission denied" in line and "may only read" in line
    assert "carol-secret" not in line
    assert "analyst-try" not in run(team["owner"], "export", NEG).stdout
