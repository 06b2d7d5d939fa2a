"""Who read tenant tables, from the log a real PostgreSQL writes (jsonlog and csvlog, with
log_statement = 'all' and log_connections), beside the CloudTrail reads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from access_review.cli_support import Review
from trustctl.access_review import database_reads
from trustctl.access_review.data_reads import Period
from trustctl.access_review.database import TenantTables
from trustctl.access_review.inventory import Inventory
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.server import LocalPostgres

LOGGING = {"logging_collector": "on", "log_destination": "jsonlog,csvlog",
           "log_directory": "log", "log_filename": "postgresql.log", "log_statement": "all",
           "log_connections": "on", "log_timezone": "UTC"}
END = "SELECT 'end of the quarter'"


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> Iterator[tuple[LocalPostgres, Path]]:
    """A server logging every statement, after alice, bob and carol did their work."""
    first = LocalPostgres.start(tmp_path_factory.mktemp("pg-log") / "data")
    with psycopg.connect(first.dsn(), autocommit=True) as conn:
        for name, value in LOGGING.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    first.stop()  # the logging collector starts with the server only
    pg = LocalPostgres.start(first.data_dir)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (tenant_id uuid, id int); CREATE TABLE settings (k text);"
                     "CREATE ROLE alice LOGIN PASSWORD 'pw-alice-1'; GRANT SELECT ON jobs, "
                     "settings TO alice; CREATE ROLE bob LOGIN PASSWORD 'pw-bob-1';"
                     "CREATE ROLE carol LOGIN PASSWORD 'pw-carol-1'; GRANT SELECT ON settings "
                     "TO carol; GRANT INSERT ON jobs TO carol")
    as_user = {name: pg.dsn(user=name, password=f"pw-{name}-1") for name in
               ("alice", "bob", "carol")}
    with psycopg.connect(as_user["alice"], autocommit=True) as alice:
        alice.execute("SELECT * FROM jobs")
        alice.execute("SELECT count(*) FROM public.jobs j JOIN settings s ON true")
        alice.execute("SELECT id FROM jobs WHERE id = %s", (7,))  # extended protocol: execute
        with alice.cursor().copy('COPY "jobs" TO STDOUT') as copy:
            list(copy)
        alice.execute("SELECT k FROM settings")  # not a tenant table
        with pytest.raises(psycopg.errors.DivisionByZero):  # failed: read nothing
            alice.execute("SELECT id / 0 FROM jobs UNION SELECT 1 / 0")
    with psycopg.connect(as_user["bob"], autocommit=True) as bob, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        bob.execute("SELECT * FROM jobs")
    with psycopg.connect(as_user["carol"], autocommit=True) as carol:
        carol.execute("INSERT INTO jobs (id) VALUES (1)")  # a write, not a read
        carol.execute("SELECT k FROM settings")
        carol.execute(END)
    log = pg.data_dir / "log"
    for _ in range(100):  # the collector writes a moment later
        if END in (log / "postgresql.json").read_text(errors="replace"):
            break
        time.sleep(0.1)
    yield pg, log
    pg.destroy()


def read(pg: LocalPostgres, *files: Path, period: Period | None = None):
    inventory = Inventory()
    period = period or Period.last_days(1)
    found = database_reads.collect(Dsn.parse(pg.dsn(), "test"), TenantTables(), files, period,
                                   inventory)
    return found, inventory


@pytest.mark.parametrize("name", ["postgresql.json", "postgresql.csv"])
def test_reads_of_tenant_tables_per_principal(logged, name):
    pg, log = logged
    found, inventory = read(pg, log / name)
    assert inventory.errors == [] and inventory.sources["database-log"] == "read"
    by = {r["principal"]: r for r in found.to_json()}
    alice, bob, carol = by["postgres:alice"], by["postgres:bob"], by["postgres:carol"]
    assert (alice["reads"], alice["tables"], alice["denied"]) == (4, {"public.jobs": 4}, 0)
    assert (alice["connections"], len(alice["sessions"])) == (1, 1)
    assert alice["first"] <= alice["last"]
    assert (bob["reads"], bob["denied"], bob["tables"]) == (0, 1, {})
    assert (carol["reads"], carol["tables"], carol["connections"]) == (0, {}, 1)


def test_reads_outside_the_period_are_not_counted(logged):
    pg, log = logged
    long_ago = datetime.now(UTC) - timedelta(days=400)
    found, _inventory = read(pg, log / "postgresql.json",
                             period=Period(long_ago, long_ago + timedelta(days=92)))
    assert found.to_json() == []


def test_pgaudit_read_lines_count_and_supersede_the_statement(logged, tmp_path):
    """pgaudit is not in the embedded server: its lines are appended to the real log as the
    extension writes them (the statement line first, then the AUDIT line)."""
    pg, log = logged
    text = (log / "postgresql.json").read_text()
    audited = tmp_path / "audited.json"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.000 UTC")
    common = (f'"timestamp":"{stamp}","user":"dave","dbname":"postgres","session_id":"d1",'
              '"error_severity":"LOG"')
    audited.write_text(text + "\n".join([
        f'{{{common},"message":"statement: SELECT * FROM jobs"}}',
        f'{{{common},"message":"AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.jobs,'
        f'SELECT * FROM jobs,<not logged>"}}',
        f'{{{common},"message":"AUDIT: SESSION,2,1,WRITE,INSERT,TABLE,public.jobs,'
        f'INSERT INTO jobs VALUES (1),<not logged>"}}',
        f'{{{common},"message":"statement: SELECT * FROM jobs"}}',  # the AUDIT line counts
    ]) + "\n")
    found, _inventory = read(pg, audited)
    dave = {r["principal"]: r for r in found.to_json()}["postgres:dave"]
    assert (dave["reads"], dave["tables"]) == (1, {"public.jobs": 1})


def test_an_unreadable_log_is_an_error_entry_and_a_plain_log_is_bad_input(logged, tmp_path):
    pg, _log = logged
    _found, inventory = read(pg, tmp_path / "missing.json")
    assert [(e.source, e.what) for e in inventory.errors] == [
        ("database-log", f"log file {tmp_path / 'missing.json'}")]
    with pytest.raises(InputError, match="give a csvlog"):
        database_reads.check_files((tmp_path / "postgresql.log",))


def test_prepare_shows_database_reads_beside_cloudtrail(logged, tmp_path, roster_file):
    pg, log = logged
    review = Review(tmp_path, roster_file, dsn=pg.dsn())
    result = review.prepare("--skip", "aws", "--skip", "cloudflare", "--database-log",
                            str(log / "postgresql.json"))
    assert result.exit_code == 1, result.output  # bob and carol are not on the roster
    document = review.document()
    assert document["sources"]["database-log"] == "read"
    assert {r["principal"]: r["reads"] for r in document["database_reads"]} == {
        "postgres:alice": 4, "postgres:bob": 0, "postgres:carol": 0,
        "postgres:postgres": 0}  # the superuser connected (set-up, and the review's reads)
    rows = {row["id"]: row for row in document["rows"]}
    assert rows["postgres:alice -> postgres:postgres/public"]["reads_in_period"] == 4
    summary = (tmp_path / "review.md").read_text()
    assert "| postgres:alice | 4 | public.jobs (4) | 0 | 1 | 1 |" in summary
    assert "pw-alice-1" not in result.output + summary + review.file.read_text()
