"""Store locations: libpq parameters, other schemes, psycopg missing, the password
masked only in the URL's password field (issue 13 items 4 and 9, issue 15 item 10)."""

from __future__ import annotations

import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.main import cli
from tests.cli.test_team_store import one_line_error, run

NEG = "hague-2025"
SEED = Path(__file__).parents[2] / "examples" / "hague-2025-seed.jsonl"


def refusing_server() -> tuple[int, threading.Thread]:
    """A server speaking PostgreSQL's protocol just far enough to refuse a
    password with PostgreSQL's own words (the test server trusts everyone)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        listener.settimeout(20)
        for _ in range(4):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                _refuse(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return int(listener.getsockname()[1]), thread


def _refuse(conn: socket.socket) -> None:
    conn.settimeout(10)
    while True:
        head = conn.recv(8)
        if len(head) < 8:
            return
        length, code = struct.unpack("!ii", head)
        body = conn.recv(length - 8) if length > 8 else b""
        if code in (80877103, 80877104):  # SSL / GSS encryption requests
            conn.sendall(b"N")
            continue
        user = body.split(b"user\x00", 1)[1].split(b"\x00", 1)[0].decode()
        conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # cleartext password, please
        conn.recv(1024)
        message = f'password authentication failed for user "{user}"'
        fields = b"".join(
            k + v.encode() + b"\x00"
            for k, v in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", "28P01"))
        )
        fields += b"M" + message.encode() + b"\x00\x00"
        conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)
        return


def test_a_one_letter_password_never_corrupts_the_server_message() -> None:
    port, _ = refusing_server()
    url = f"postgresql://alice:a@127.0.0.1:{port}/teamdb?sslmode=disable"
    line = one_line_error(run(url, "stance", NEG), 3)
    assert "login refused" in line, line
    assert 'password authentication failed for user "alice"' in line, line
    assert "***" not in line and ":a@" not in line


def test_libpq_parameters_in_the_url_reach_the_server(pg: Any) -> None:
    from tests import pgserver

    schema = pg.new_schema("params")
    url = pg.url(schema=schema) + "&sslmode=disable&application_name=summit-params"
    seen: list[Any] = []

    def watch() -> None:
        with pgserver._connect(pg.admin_url) as conn:
            for _ in range(200):
                rows = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'summit-params'"
                ).fetchone()
                seen.append(rows[0] if rows else 0)
                if seen[-1]:
                    return
                threading.Event().wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    seed = str(SEED)
    result = CliRunner().invoke(cli, ["--store", url, "import", seed])
    watcher.join()
    assert result.exit_code == 0, result.stderr
    assert max(seen) > 0
    pg.drop_schemas([schema])


def test_an_unknown_url_parameter_and_another_scheme_are_bad_usage() -> None:
    line = one_line_error(run("postgresql://u@h/db?nosuch=1", "stance", NEG), 2)
    assert "unknown option 'nosuch'" in line
    line = one_line_error(run("mysql://x@y/z", "stance", NEG), 2)
    assert "unsupported store scheme 'mysql://'" in line


def test_without_psycopg_the_message_says_what_to_install(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` fails
    line = one_line_error(run("postgresql://u@127.0.0.1:1/db", "stance", NEG), 3)
    assert line.endswith("install PostgreSQL support: pip install 'summit[postgres]'")
