"""A restrictive policy narrows a permissive tautology only when it speaks of the tenant: it
names the table's tenant key (its tenant column, or the foreign key towards its tenant). One
that filters on something else (a status, a soft delete) leaves every tenant's rows readable,
and the posture rule (trustctl/pg/posture.py) says so instead of passing it."""

from __future__ import annotations

import psycopg
import pytest

from drill.supabase_source import SupabaseServer
from drill.test_supabase_apps import STUDYU_TENANCY, seed_studyu
from trustctl.pg.judgment import assess
from trustctl.pg.tenancy import Tenancy, load
from trustctl.sandbox import supabase

NOTES = """
    CREATE TABLE members (tenant_id uuid NOT NULL, member name NOT NULL);
    CREATE TABLE notes (tenant_id uuid NOT NULL, body text, deleted_at timestamptz);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY everyone ON notes FOR SELECT TO authenticated USING (true);
    GRANT SELECT ON notes TO authenticated;"""
HOLE = ("table public.notes: policy 'everyone' lets authenticated SELECT with USING (true): "
        "every tenant's rows pass it")


@pytest.mark.parametrize(("restrictive", "findings"), [
    ("USING (deleted_at IS NULL)", [HOLE]),  # a soft delete: every tenant's live rows
    ("USING (body IS NOT NULL)", [HOLE]),
    ("USING (tenant_id = (current_setting('app.tenant_id'))::uuid)", []),
    ("USING (tenant_id IN (SELECT t.tenant_id FROM members t WHERE t.member = current_user))",
     []),
])
def test_only_a_restrictive_policy_on_the_tenant_narrows_a_tautology(
        supabase_server: SupabaseServer, restrictive: str, findings: list[str]) -> None:
    database = supabase_server.new_database("template1")
    supabase_server.run(database, NOTES + "CREATE POLICY narrow ON notes AS RESTRICTIVE FOR "
                        f"SELECT TO authenticated {restrictive};")
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        posture = assess(conn, Tenancy(app_roles=("authenticated",))).posture
    assert posture.findings == findings


@pytest.mark.realworld
def test_studyu_invites_readable_by_all_behind_a_status_filter_are_a_hole(
        supabase_server: SupabaseServer, tmp_path) -> None:
    """StudyU as published (../shared/realworld/supabase-apps/hpi-studyu-studyu), its invites
    opened to every signed-in user behind a restrictive policy on the code alone: a tautology
    the restrictive policy does not tie to the invite's study (its tenant key, study_id)."""
    database = supabase_server.new_database("template1")
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        seed_studyu(conn)
        conn.execute("CREATE POLICY everyone ON public.study_invite FOR SELECT TO authenticated "
                     "USING (true)")
        conn.execute("CREATE POLICY with_code ON public.study_invite AS RESTRICTIVE FOR SELECT "
                     "TO authenticated USING (code IS NOT NULL)")
        tenancy = tmp_path / "studyu.yaml"
        tenancy.write_text(STUDYU_TENANCY)
        posture = assess(conn, load(tenancy)).posture
        assert posture.ownership.owners["public.study_invite"].key == "study_id"
        assert ("table public.study_invite: policy 'everyone' lets authenticated SELECT with "
                "USING (true): every tenant's rows pass it") in posture.findings
        # the app's own restrictive INSERT policies name study_id: they still count
        assert not [f for f in posture.findings if "public.study_subject" in f]
