"""The drill's production guard (issue 20 item 2): a scratch server that holds the production
database is refused however it is reached, by what production said of itself at backup time
(carried in the authenticated manifest), before anything is created on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import SecretSpy, altered, assert_clean, run_drill_cli
from drill.proxy import forwarded
from trustctl.archive.location import Location
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.drill.guard import refuse_production
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox.seed import DATABASE

NO_IDENTIFIER = "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC"
IDENTIFIER_BACK = "GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC"
LIMITED = "Limited-Role-Pw-3"


@pytest.fixture(scope="module")
def scratch_server(postgres_factory: Callable[[str], LocalPostgres]) -> Iterator[LocalPostgres]:
    """Another server: what a scratch server is."""
    with postgres_factory("guard-scratch") as server:
        yield server


def at_port(pg: LocalPostgres, port: int, dbname: str = "postgres") -> str:
    return pg.dsn(dbname).replace(f":{pg.port}/", f":{port}/")


def system_identifier(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT system_identifier::text FROM pg_control_system()").fetchone()[0]


def databases(pg: LocalPostgres) -> list[str]:
    with psycopg.connect(pg.dsn()) as conn:
        return [name for (name,) in conn.execute("SELECT datname FROM pg_database ORDER BY 1")]


def test_production_reached_through_another_address_is_refused(
        spy: SecretSpy, source: Source, locked_location: Location, tmp_path: Path) -> None:
    """A pooler, proxy or alias in front of production passes a host check, not this one."""
    take_backup(source, locked_location)
    before = databases(source.pg)
    with forwarded(source.pg.port) as port:
        result = run_drill_cli(locked_location, tmp_path,
                               env={"TRUSTCTL_SCRATCH_DSN": at_port(source.pg, port)})
    assert result.code == 2, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill error:"))
    assert line == (f"trustctl: drill error: scratch: refusing scratch target "
                    f"postgresql://postgres@127.0.0.1:{port}/postgres: it holds the production "
                    f"database {DATABASE}: its system identifier "
                    f"{system_identifier(source.dsn)} is the backup source's; use another "
                    "scratch server, or none (the drill then starts its own)")
    assert databases(source.pg) == before  # nothing was created there
    steps = {s["name"]: s["status"] for s in result.record["steps"]}
    assert steps["scratch"] == "error" and steps["restore"] == "skipped"
    assert_clean(result, spy)


def test_scratch_server_that_hides_its_identifier_is_refused(
        source: Source, locked_location: Location, scratch_server: LocalPostgres) -> None:
    manifest = take_backup(source, locked_location)
    admin = scratch_server.dsn()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE drill LOGIN CREATEDB PASSWORD '{LIMITED}'; {NO_IDENTIFIER}")
    try:
        limited = Dsn.parse(scratch_server.dsn(user="drill", password=LIMITED), "test")
        with pytest.raises(InputError) as refused:
            refuse_production(limited, [], manifest.source_identity)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"{IDENTIFIER_BACK}; DROP ROLE drill")
    assert "its system identifier cannot be read (pg_control_system(): permission denied" \
           in str(refused.value)
    assert "grant the drill's role EXECUTE on pg_control_system() there" in str(refused.value)


def test_unreadable_production_identifier_is_recorded_and_the_guard_falls_back(
        source: Source, location: Location, scratch_server: LocalPostgres) -> None:
    """A backup role that may not read pg_control_system() (a provider may revoke it): the
    manifest says so, and the guard compares the server's own address and database names."""
    role = (f"CREATE ROLE limited_backup LOGIN BYPASSRLS PASSWORD '{LIMITED}'; "
            f"GRANT pg_read_all_data TO limited_backup; {NO_IDENTIFIER}")
    undo = f"{IDENTIFIER_BACK}; DROP ROLE limited_backup"
    with altered(source, role, undo):
        backup_dsn = source.database(source.pg.dsn(DATABASE, "limited_backup", LIMITED))
        manifest = run_backup(backup_dsn, BackupTarget(location.store(), location.kms(),
                                                       location.kms_key_id), quiet=True)
    identity = manifest.source_identity
    assert identity.system_identifier is None and identity.role == "limited_backup"
    assert identity.unreadable.startswith("pg_control_system(): permission denied")
    assert (identity.server_address, identity.server_port) == ("127.0.0.1", source.pg.port)
    with forwarded(source.pg.port) as port, pytest.raises(InputError) as refused:
        refuse_production(Dsn.parse(at_port(source.pg, port), "test"), [], identity)
    assert f"it reports the production server's address 127.0.0.1:{source.pg.port}" \
           in str(refused.value)
    other = Dsn.parse(scratch_server.dsn(), "test")
    assert refuse_production(other, [], identity).startswith(
        "not production by address and database name only (production's system identifier "
        "was not recorded: pg_control_system(): permission denied")
    with psycopg.connect(scratch_server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    try:
        with pytest.raises(InputError, match=f"it holds a database named {DATABASE}, like "
                                             "production"):
            refuse_production(other, [], identity)
    finally:
        with psycopg.connect(scratch_server.dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {DATABASE}")
