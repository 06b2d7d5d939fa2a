"""The posture rule (trustctl/pg/posture.py) reads a policy as Postgres applies it: to its roles
and to every role that is a member of one. A policy TO a group the application role belongs to
is the application role's policy."""

from __future__ import annotations

import secrets

import psycopg

from drill.supabase_source import SupabaseServer
from trustctl.pg.judgment import assess
from trustctl.pg.tenancy import Tenancy


def test_a_policy_to_a_group_of_the_application_role_is_judged_as_its_own(
        supabase_server: SupabaseServer) -> None:
    group = f"readers_{secrets.token_hex(3)}"
    database = supabase_server.new_database("template1")
    supabase_server.run(database, f"""
        CREATE ROLE {group} NOLOGIN;
        GRANT {group} TO authenticated;
        CREATE TABLE notes (tenant_id uuid NOT NULL, body text);
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone ON notes TO {group} USING (true);
        GRANT SELECT ON notes TO authenticated;""")
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        posture = assess(conn, Tenancy(app_roles=("authenticated",))).posture
    assert "public.notes" not in posture.deny_all
    assert posture.findings == [
        "table public.notes: policy 'everyone' lets authenticated SELECT with USING (true): "
        "every tenant's rows pass it"]
    assert posture.readable == {"authenticated": {"public.notes"}}
