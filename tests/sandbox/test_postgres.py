"""LocalPostgres: a real server on 127.0.0.1 with password auth, reattachable, removable."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import psutil
import psycopg
import pytest

from trustctl.pg.server import LocalPostgres, pg_tool

pytestmark = pytest.mark.slow


def test_server_listens_on_loopback_with_password_auth(
    postgres_factory: Callable[[str], LocalPostgres],
) -> None:
    with postgres_factory("auth") as pg:
        with psycopg.connect(pg.dsn()) as conn:
            server_version, address = conn.execute(
                "SELECT current_setting('server_version_num')::int, inet_server_addr()::text"
            ).fetchone()
        assert server_version >= 180000
        assert address == "127.0.0.1/32"
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(pg.dsn(user="postgres", password="wrong"), connect_timeout=5)


def test_attach_reaches_the_same_server_and_destroy_removes_everything(
    postgres_factory: Callable[[str], LocalPostgres],
) -> None:
    pg = postgres_factory("attach")
    again = LocalPostgres.attach(pg.state())
    assert again.pid == pg.pid and again.port == pg.port
    pid, data_dir = pg.pid, pg.data_dir
    again.destroy()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not data_dir.exists()


def test_client_tools_of_the_wheel_dump_the_server(
    postgres_factory: Callable[[str], LocalPostgres],
) -> None:
    with postgres_factory("tools") as pg:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE marker (id int)")
        dump = subprocess.run([pg_tool("pg_dump"), "--schema-only", pg.dsn()],
                              capture_output=True, text=True, check=True, timeout=60)
        assert "CREATE TABLE public.marker" in dump.stdout
        assert pg_tool("pg_restore").parent == pg.bin_dir
