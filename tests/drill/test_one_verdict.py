"""One judgment, one verdict: on the same database, the drill (on a restored copy) and the audit
(live, read-only) give TENANT-ISOLATION the same status, on both sandbox profiles (the plain
claver schema and the Supabase-shaped one), compliant and with a hole."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source, take_backup
from typer.testing import CliRunner

from drill.helpers import run_drill_cli
from drill.supabase_source import SupabaseServer
from trustctl.archive.location import Location
from trustctl.cli import app
from trustctl.sandbox.supabase import TENANCY

pytestmark = pytest.mark.slow
OTHER_AREAS = [arg for area in ("aws", "cloudflare", "site", "supabase", "records", "access")
               for arg in ("--skip", area)]
HOLES = {
    "plain": "CREATE POLICY peek ON public.customers FOR SELECT TO claver_app USING (true)",
    "supabase": "CREATE POLICY peek ON public.customers FOR SELECT TO authenticated "
                "USING (auth.uid() IS NOT NULL)",
}


def verdicts(dsn: str, where: Location, evidence: Path, *tenancy: str) -> tuple[str, str]:
    """TENANT-ISOLATION as the drill of the latest backup and the audit of `dsn` judge it."""
    drill = run_drill_cli(where, evidence / "drill", *tenancy)
    audited = CliRunner().invoke(app, ["audit", *OTHER_AREAS, *tenancy, "--evidence-dir",
                                       str(evidence / "audit"), "--format", "json"],
                                 env={"TRUSTCTL_AUDIT_DSN": dsn})
    audit = {c["id"]: c["status"] for c in json.loads(audited.stdout)["controls"]}
    drilled = {c["id"]: c["status"] for c in drill.record["controls"]}
    return drilled["TENANT-ISOLATION"], audit["TENANT-ISOLATION"]


@pytest.mark.parametrize("hole", [False, True], ids=["compliant", "hole"])
def test_plain_profile_one_verdict(source: Source, locked_location: Location, tmp_path: Path,
                                   hole: bool) -> None:
    with psycopg.connect(source.dsn, autocommit=True) as conn:
        conn.execute(HOLES["plain"] if hole else "SELECT 1")
    try:
        take_backup(source, locked_location)
        drilled, audited = verdicts(source.dsn, locked_location, tmp_path)
    finally:
        with psycopg.connect(source.dsn, autocommit=True) as conn:
            conn.execute("DROP POLICY IF EXISTS peek ON public.customers")
    assert drilled == audited == ("fail" if hole else "pass")


@pytest.mark.parametrize("hole", [False, True], ids=["compliant", "hole"])
def test_supabase_profile_one_verdict(supabase_server: SupabaseServer, locked_location: Location,
                                      tmp_path: Path, hole: bool) -> None:
    database = supabase_server.new_database()
    for role in ("anon", "authenticated"):  # reads logged (ACCESS-LOGGED), this database only
        supabase_server.run(database, f"ALTER ROLE {role} IN DATABASE {database} "
                            "SET log_statement = 'all'")
    if hole:
        supabase_server.run(database, HOLES["supabase"])
    supabase_server.backup(database, locked_location)
    drilled, audited = verdicts(supabase_server.pg.dsn(database), locked_location, tmp_path,
                                "--tenancy", str(TENANCY))
    assert drilled == audited == ("fail" if hole else "pass")
