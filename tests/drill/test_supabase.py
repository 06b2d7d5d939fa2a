"""The whole drill on a Supabase-shaped database: the compliant project passes, and each
isolation hole fails with exit 1 and a one-line reason naming the table.

Each test backs up a fresh clone of one Supabase-shaped database (as the non-superuser
BYPASSRLS backup role), then drills it through the CLI with production's tenancy
(policies/tenancy.yaml).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest

from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from drill.supabase_source import SupabaseServer
from trustctl.archive.location import Location
from trustctl.sandbox.supabase import TENANCY

ALL_PASS = {"TENANT-ISOLATION": "pass", "BACKUP-DAILY-35D": "pass", "RESTORE-DRILL": "pass",
            "RPO-RTO": "pass", "DATA-EXPORT": "pass"}


def drill(server: SupabaseServer, where: Location, evidence: Path, spy: SecretSpy,
          change: str = "", role_change: tuple[str, str] | None = None, *extra: str):
    database = server.new_database()
    with psycopg.connect(server.backup_dsn(database)) as conn:  # the secret is there to leak
        secret = conn.execute("SELECT current_setting('app.settings.jwt_secret')").fetchone()[0]
        assert secret == server.logins.jwt_secret
    if change:
        server.run(database, change)
    if role_change:
        server.run(database, role_change[0])
    try:
        server.backup(database, where)
    finally:
        if role_change:
            server.run(database, role_change[1])
    result = run_drill_cli(where, evidence, "--tenancy", str(TENANCY), *extra)
    assert_clean(result, spy)
    everything = result.stdout + result.stderr + json.dumps(result.record)
    assert not [p for p in server.passwords if p in everything], "a password or the JWT secret"
    return result


def test_compliant_supabase_project_passes(supabase_server: SupabaseServer, spy: SecretSpy,
                                           locked_location: Location, tmp_path: Path) -> None:
    result = drill(supabase_server, locked_location, tmp_path, spy)
    assert result.code == 0, result.stderr
    assert {c["id"]: c["status"] for c in result.record["controls"]} == ALL_PASS
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-tables"]["status"] == "pass"  # enum columns in auth included
    assert steps["verify-rls"]["detail"] == (
        "10 tenant tables in public, storage; 1 global: RLS enabled on each tenant table, no "
        "policy admits another tenant's rows, no application role owns one or bypasses RLS; "
        "application "
        "roles: authenticated, anon; bypass RLS by design (reported): postgres, service_role, "
        "supabase_admin, trustctl_backup")
    bypass = {r["role"]: r for r in steps["verify-rls"]["facts"]["bypass_roles"]}
    assert bypass["service_role"]["can_be_used_by"] == ["authenticator"]
    assert not bypass["trustctl_backup"]["superuser"] and bypass["trustctl_backup"]["bypassrls"]
    isolation = steps["verify-isolation"]
    assert isolation["detail"].startswith("recipe jwt-claims, 3 tenants x 10 tables as "
                                          "authenticated, anon: 0 rows of other tenants visible")
    assert isolation["detail"].endswith("own rows seen in 30 of 30 (table, tenant) pairs that "
                                        "hold some")
    assert isolation["facts"]["recipe"] == "jwt-claims"
    assert steps["verify-rls"]["facts"]["tenancy"]["source"] == str(TENANCY)
    # partitions are exported through their parent: 11 tables, 8 files
    # one tenant: itself, 2 members, 12 customers, jobs, invoices and events, 1 bucket, 1 object
    assert re.fullmatch(r"tenant \S+ as authenticated: 8 tables, 53 rows, [\d,]+ bytes of CSV: "
                        r"exactly its rows", steps["export"]["detail"]), steps["export"]["detail"]
    assert set(steps["export"]["facts"]["files"]) == {
        "public.tenants", "public.members", "public.customers", "public.jobs",
        "public.invoices", "public.events", "storage.buckets", "storage.objects"}


def test_expired_global_table_review_fails(supabase_server: SupabaseServer, spy: SecretSpy,
                                           locked_location: Location, tmp_path: Path) -> None:
    expired = tmp_path / "tenancy.yaml"
    expired.write_text(TENANCY.read_text().replace("expires: 2027-06-30", "expires: 2025-01-31"))
    result = drill(supabase_server, locked_location, tmp_path / "evidence", spy, "", None,
                   "--tenancy", str(expired))
    assert result.code == 1, result.stderr
    assert ("global table public.countries: its review expired on 2025-01-31 (owner "
            "platform-team@claver.example)") in result.stderr


VARIANTS = {
    "rls-disabled": ("ALTER TABLE public.invoices DISABLE ROW LEVEL SECURITY", None,
                     "table public.invoices: row-level security is disabled"),
    "using-true": ("CREATE POLICY leak ON public.customers TO authenticated USING (true)", None,
                   "table public.customers: policy 'leak' lets authenticated SELECT with "
                   "USING (true)"),

    "owner": ("ALTER TABLE public.jobs OWNER TO authenticated", None,
              "table public.jobs is owned by application role authenticated"),
    "partition-without-rls": ("ALTER TABLE public.events_2026 DISABLE ROW LEVEL SECURITY", None,
                              "table public.events_2026: row-level security is disabled (a "
                              "partition of public.events"),
    # Supabase grants ALL by default: RLS refuses the writes unless a policy lets them through
    "global-writable": ("GRANT INSERT ON public.countries TO authenticated; CREATE POLICY add "
                        "ON public.countries FOR INSERT TO authenticated WITH CHECK (true)", None,
                        "global table public.countries: authenticated may INSERT"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_isolation_hole_fails_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, variant: str) -> None:
    change, role_change, reason = VARIANTS[variant]
    result = drill(supabase_server, locked_location, tmp_path, spy, change, role_change)
    assert result.code == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert reason in line, line
    assert "table public." in line
    controls = {c["id"]: c["status"] for c in result.record["controls"]}
    assert controls["TENANT-ISOLATION"] == "fail"
    assert controls["RESTORE-DRILL"] == "pass"
    print(f"{variant}: {line}")


def test_application_role_bypassing_rls_in_production_fails(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path) -> None:
    """BYPASSRLS on `authenticated` in production is not handed out on the scratch server (it
    is not in the restore allowlist): the withholding itself fails tenant isolation."""
    role_change = ("ALTER ROLE authenticated BYPASSRLS", "ALTER ROLE authenticated NOBYPASSRLS")
    result = drill(supabase_server, locked_location, tmp_path, spy, "", role_change)
    assert result.code == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert line.startswith("trustctl: drill fail: roles: role authenticated has BYPASSRLS in "
                           "production"), line
    assert "--allow-role-attribute authenticated=bypassrls" in line
    controls = {c["id"]: c["status"] for c in result.record["controls"]}
    assert controls["TENANT-ISOLATION"] == "fail" and controls["RESTORE-DRILL"] == "pass"
