"""The tenancy declaration, its autodetection and the probe's guards, on real databases."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source

from drill.supabase_source import SupabaseServer
from trustctl.errors import DependencyError, InputError
from trustctl.pg.judgment import assess, reads
from trustctl.pg.tenancy import Tenancy, autodetect, load, override
from trustctl.sandbox.supabase import TENANCY


@pytest.mark.parametrize(("text", "error"), [
    ("app_roles: authenticated", "app_roles must be a list of names"),
    ("tenant_schema: [public]", "unknown key(s) tenant_schema"),
    ("session: {recipe: cookies}", "session.recipe must be one of setting, jwt-claims, "
                                   "membership"),
    ("session: {claims: '{\"sub\": {user}'}", "session.claims is not a JSON template"),
    ("global_tables: [{table: public.countries, owner: a, expires: 2027-01-01}]",
     "global table 0 lacks reason (a global table is reviewed: reason, owner, expiry)"),
    ("global_tables: [{table: countries, reason: r, owner: a, expires: 2027-01-01}]",
     "needs a schema.table"),
    ("via: {public.messages: chat_id}", "via public.messages: expected `column -> "
                                         "schema.table.column`"),
    ("tenant: current_user", "tenant must be auth.uid() (per-user tenancy) or left out"),
])
def test_a_wrong_tenancy_file_is_one_clear_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "tenancy.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load(path)
    assert error in str(raised.value) and "\n" not in str(raised.value)


def test_per_user_and_via_declarations_read(tmp_path: Path) -> None:
    path = tmp_path / "tenancy.yaml"
    path.write_text("tenant: auth.uid()\ntenant_column: user_id\n"
                    "via: {public.messages: 'chat_id -> public.chats.id'}\n")
    tenancy = load(path)
    assert tenancy.tenant == "auth.uid()"
    assert tenancy.via == {"public.messages": ("chat_id", "public.chats", "id")}
    assert tenancy.to_json()["via"] == {"public.messages": "chat_id -> public.chats.id"}


def test_production_tenancy_reads_and_flags_override_it() -> None:
    tenancy = load(TENANCY)
    assert tenancy.tenant_roles == ("authenticated",)
    assert tenancy.column_of("storage.objects") == "bucket_id"
    assert tenancy.column_of("public.jobs") == "tenant_id"
    flagged = override(tenancy, app_roles=["app"], recipe="setting", setting="app.tenant")
    assert (flagged.app_roles, flagged.session.recipe, flagged.session.setting) == (
        ("app",), "setting", "app.tenant")
    assert flagged.global_tables == tenancy.global_tables


def test_autodetect_tells_supabase_from_a_setting(supabase_server: SupabaseServer,
                                                  source: Source) -> None:
    with psycopg.connect(supabase_server.pg.dsn(supabase_server.new_database())) as conn:
        found = autodetect(conn, Tenancy(tenant_schemas=("public", "storage")))
    assert (found.app_roles, found.anonymous_roles, found.session.recipe) == (
        ("authenticated", "anon"), ("anon",), "jwt-claims")
    assert "auth.jwt()/auth.uid()" in found.why[0]
    with psycopg.connect(source.dsn) as conn:
        found = autodetect(conn, Tenancy())
    assert (found.app_roles, found.session.recipe, found.session.setting) == (
        ("claver_app",), "setting", "app.tenant_id")


def probe(server: SupabaseServer, change: str):
    database = server.new_database()
    server.run(database, change)
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        return reads(conn, assess(conn, load(TENANCY)))


def test_anonymous_session_must_read_no_tenant_row(supabase_server: SupabaseServer) -> None:
    seen = probe(supabase_server, "CREATE POLICY anon_reads ON public.invoices TO anon "
                 "USING (tenant_id IS NOT NULL)")
    assert seen.findings == ["table public.invoices: an anonymous session as anon reads 48 "
                             "tenant rows"]


def test_positive_control_holds_per_table(supabase_server: SupabaseServer) -> None:
    """Own rows seen elsewhere do not vouch for a table where the tenant sees none of its own."""
    with pytest.raises(DependencyError) as raised:
        probe(supabase_server, "CREATE POLICY hide ON public.invoices AS RESTRICTIVE "
              "TO authenticated USING (false)")
    assert "sees none of its own rows in public.invoices (tenant " in str(raised.value)


def test_tenancy_through_foreign_keys_found_or_asked_for(supabase_server: SupabaseServer,
                                                          tmp_path: Path) -> None:
    """One key to a tenant table: found, and said why; two: one line asking for `via:`."""
    database = supabase_server.new_database("template1")
    supabase_server.run(database, """
        CREATE TABLE orgs (tenant_id uuid PRIMARY KEY);
        CREATE TABLE teams (tenant_id uuid REFERENCES orgs, id int PRIMARY KEY);
        CREATE TABLE chats (id int PRIMARY KEY, team_id int REFERENCES teams);
        CREATE TABLE alinks (a int REFERENCES chats, b int REFERENCES teams);
        DO $$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['orgs','teams','chats','alinks'] LOOP
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('CREATE POLICY p ON %I TO authenticated USING (true)', t);
            EXECUTE format('GRANT SELECT ON %I TO authenticated', t);
        END LOOP; END $$""")
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        posture = assess(conn, Tenancy(app_roles=("authenticated",))).posture
        chats = posture.ownership.owners["public.chats"]
        assert chats.describe() == "team_id -> public.teams.id (tenant_id)"
        assert posture.undecided == ["public.alinks"]
        assert posture.ownership.ambiguous["public.alinks"] == (
            "table public.alinks reaches a tenant through 2 foreign keys (a -> public.chats.id, "
            "b -> public.teams.id): declare which one under `via:` in the tenancy file")
        path = tmp_path / "tenancy.yaml"
        path.write_text("app_roles: [authenticated]\n"
                        "via: {public.alinks: 'b -> public.teams.id'}\n")
        declared = assess(conn, load(path)).posture
        assert declared.undecided == []
        assert declared.ownership.owners["public.alinks"].why == "declared (via)"
