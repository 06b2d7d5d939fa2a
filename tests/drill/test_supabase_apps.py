"""Real open-source Supabase apps (../shared/realworld/supabase-apps, read in place: the project
holds none of their SQL) loaded as published onto the Supabase platform stand-in
(trustctl/sandbox/supabase/platform.sql: auth, extensions, Supabase's default privileges), each
with a tenancy.yaml written the way the README tells a user to. A compliant app passes the drill
and the audit (exit 0); each one-change hole, applied by the test as a small SQL edit of its
own, fails both (exit 1) naming the table. One Postgres server serves the module (a database per
case).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from drill import supabase_stand_ins as stand_ins
from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from drill.supabase_source import SupabaseServer
from trustctl.archive.location import Location
from trustctl.cli import app
from trustctl.paths import REPO_ROOT
from trustctl.sandbox import supabase

pytestmark = [pytest.mark.realworld, pytest.mark.slow]
APPS = REPO_ROOT.parent / "shared" / "realworld" / "supabase-apps"
# What the embedded server lacks, written by us: uuid-ossp's generator.
STAND_INS = """
CREATE OR REPLACE FUNCTION extensions.uuid_generate_v4() RETURNS uuid LANGUAGE sql
    AS 'SELECT gen_random_uuid()';
"""
OTHER_AREAS = [arg for area in ("aws", "cloudflare", "site", "supabase", "records", "access")
               for arg in ("--skip", area)]

# Slack clone: no tenants but the user; channels, messages and profiles are read by every
# signed-in user (declared global, reviewed); user_roles is per user; role_permissions deny-all.
SLACK_TENANCY = """
tenant: auth.uid()
tenant_column: user_id
global_tables:
  - {table: public.users, reason: profiles every signed-in user sees, owner: chat@example.com,
     expires: 2099-12-31}
  - {table: public.channels, reason: channels are open to every member, owner: chat@example.com,
     expires: 2099-12-31}
  - {table: public.messages, reason: one shared chat; writes only as oneself,
     owner: chat@example.com, expires: 2099-12-31}
"""


def _user(n: int) -> str:
    return f"00000000-0000-4000-8000-00000000000{n}"


def load_slack(server: SupabaseServer) -> str:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        conn.execute(STAND_INS)
        for path in sorted((APPS / "supabase-supabase-slack-clone").glob("*.sql")):
            conn.execute(path.read_text())
        conn.execute("INSERT INTO public.role_permissions (role, permission) VALUES "
                     "('admin', 'channels.delete'), ('admin', 'messages.delete'), "
                     "('moderator', 'messages.delete')")
        for n, kind in ((1, "supaadmin"), (2, "supamod"), (3, "supamod")):
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                         (_user(n), f"u{n}+{kind}@example.com"))
        for role in ("anon", "authenticated"):  # reads logged (ACCESS-LOGGED), this database only
            conn.execute(f"ALTER ROLE {role} IN DATABASE {database} SET log_statement = 'all'")
        conn.execute("INSERT INTO public.channels (slug, created_by) VALUES ('general', %s)",
                     (_user(1),))
        conn.execute("INSERT INTO public.messages (message, channel_id, user_id) "
                     "SELECT 'hello', 1, id FROM public.users")
    return database


def audit(server: SupabaseServer, database: str, tenancy: Path, evidence: Path):
    """The audit CLI on the database alone (the database area, read-only), connected as the
    sandbox's audit does: as a role that may act as the application roles."""
    return CliRunner().invoke(app, [
        "audit", *OTHER_AREAS, "--tenancy", str(tenancy), "--evidence-dir", str(evidence),
        "--format", "json"], env={"TRUSTCTL_AUDIT_DSN": server.pg.dsn(database)})


def assert_hole_fails(server: SupabaseServer, database: str, where: Location, tmp_path: Path,
                      tenancy: Path, table: str, spy: SecretSpy, case: str) -> None:
    """The audit, then the drill on a backup of the same database: both exit 1 naming it."""
    audited = audit(server, database, tenancy, tmp_path / "audit")
    assert audited.exit_code == 1, audited.stdout + audited.stderr
    assert f"table {table}" in audited.stdout
    server.backup(database, where)
    result = run_drill_cli(where, tmp_path / "evidence", "--tenancy", str(tenancy))
    assert result.code == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert f"table {table}" in line, line
    assert_clean(result, spy)
    print(f"{case}: {line}")


@pytest.fixture
def slack_tenancy(tmp_path: Path) -> Path:
    path = tmp_path / "tenancy.yaml"
    path.write_text(SLACK_TENANCY)
    return path


def test_slack_clone_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, slack_tenancy: Path) -> None:
    database = load_slack(supabase_server)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(slack_tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    rls = steps["verify-rls"]
    assert rls["detail"].startswith("1 tenant tables in public; 3 global; 1 deny-all: "), rls
    assert rls["facts"]["deny_all"] == ["public.role_permissions"]
    assert rls["facts"]["tenancy"]["session"]["claims"].startswith('{"sub": "{tenant}"')
    assert any("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM authenticated, anon;" in a
               for a in rls["facts"]["advisories"])
    assert " 0 rows of other tenants visible" in steps["verify-isolation"]["detail"]
    assert_clean(result, spy)
    audited = audit(supabase_server, database, slack_tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


SLACK_HOLES = {
    "read-tautology": "CREATE POLICY everyone ON public.user_roles FOR SELECT "
                      "USING (auth.role() = 'authenticated')",
    "rls-off": "ALTER TABLE public.user_roles DISABLE ROW LEVEL SECURITY",
    "write-without-tenant": "CREATE POLICY promote ON public.user_roles FOR INSERT "
                            "WITH CHECK (auth.uid() IS NOT NULL)",
    "global-writable": "CREATE POLICY edit ON public.channels FOR UPDATE USING (true)",
}


@pytest.mark.parametrize("hole", list(SLACK_HOLES))
def test_slack_clone_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, slack_tenancy: Path, hole: str) -> None:
    database = load_slack(supabase_server)
    supabase_server.run(database, SLACK_HOLES[hole])
    table = "public.channels" if hole == "global-writable" else "public.user_roles"
    assert_hole_fails(supabase_server, database, locked_location, tmp_path, slack_tenancy,
                      table, spy, f"slack-clone {hole}")


def test_slack_clone_write_hole_fails_the_drill_naming_table_and_operation(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, slack_tenancy: Path) -> None:
    """A write policy checking the wrong column: no tautology for posture to see; the drill's
    write probe (rolled back, on its scratch copy) moves a row to another tenant."""
    database = load_slack(supabase_server)
    supabase_server.run(database, "CREATE POLICY add ON public.user_roles FOR INSERT "
                        "WITH CHECK (role IS NOT NULL)")
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(slack_tenancy))
    assert result.code == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert "verify-writes: table public.user_roles: a session of authenticated for tenant" in line
    assert "may INSERT B's row" in line, line
    matrix = next(s for s in result.record["steps"] if s["name"] == "verify-writes")["facts"]
    cells = {(c["table"], c["operation"]): c["result"] for c in matrix["matrix"]}
    assert cells[("public.user_roles", "UPDATE B's rows")] == "0 rows"
    assert cells[("public.user_roles", "UPDATE A's row to B")] == "0 rows"  # no UPDATE policy
    assert cells[("public.user_roles", "INSERT B's row")] == "allowed"
    assert json.dumps(result.record)
    assert_clean(result, spy)
    print(f"slack-clone write-wrong-column: {line}")


# StudyU: per user (a study's owner); invites, credentials and progress reach the owner through
# foreign keys (found in the catalog); a subject row names its participant in user_id but
# belongs to the study's owner (the editor manages it): declared `via` the study. The app's
# config and the repo list are read by every signed-in user (declared global).
STUDYU_TENANCY = """
tenant: auth.uid()
tenant_column: user_id
tenant_columns: {public.user: id}
via: {public.study_subject: study_id -> public.study.id}
global_tables:
  - {table: public.app_config, reason: the apps' configuration shared by everyone,
     owner: trials@example.com, expires: 2099-12-31}
  - {table: public.repo, reason: study repositories are listed to every designer,
     owner: trials@example.com, expires: 2099-12-31}
"""
STUDY = ("INSERT INTO public.study (id, contact, title, description, icon_name, questionnaire, "
         "eligibility_criteria, observations, interventions, consent, schedule, "
         "report_specification, results, user_id) VALUES (%s, '{}', 't', 'd', 'i', '{}', '{}', "
         "'{}', '{}', '{}', '{}', '{}', '{}', %s)")


def load_studyu(server: SupabaseServer) -> str:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        for path in sorted((APPS / "hpi-studyu-studyu").glob("*.sql")):
            conn.execute(path.read_text())
        conn.execute("SET search_path = public")
        for role in ("anon", "authenticated"):
            conn.execute(f"ALTER ROLE {role} IN DATABASE {database} SET log_statement = 'all'")
        for n in (1, 2, 3):  # each signs up (the trigger adds public.user) and runs a study
            user, study = _user(n), f"10000000-0000-4000-8000-00000000000{n}"
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                         (user, f"u{n}@example.com"))
            conn.execute(STUDY, (study, user))
            conn.execute("INSERT INTO public.study_invite (code, study_id) VALUES (%s, %s)",
                         (f"code{n}", study))
            conn.execute("INSERT INTO public.study_fitbit_credentials VALUES (%s, '{}')",
                         (study,))
            subject = conn.execute(
                "INSERT INTO public.study_subject (study_id, user_id, selected_intervention_ids)"
                " VALUES (%s, %s, '{}') RETURNING id", (study, user)).fetchone()[0]
            conn.execute("INSERT INTO public.subject_progress (subject_id, intervention_id, "
                         "task_id, result_type, result) VALUES (%s, 'i', 't', 'r', '{}')",
                         (subject,))
            conn.execute("INSERT INTO public.repo VALUES (%s, %s, %s, 'gitlab')",
                         (f"p{n}", user, study))
        conn.execute("INSERT INTO public.app_config (id, app_min_version, app_privacy, "
                     "app_terms, designer_privacy, designer_terms, imprint) VALUES "
                     "('prod', '1', '{}', '{}', '{}', '{}', '{}')")
    return database


@pytest.fixture
def studyu_tenancy(tmp_path: Path) -> Path:
    path = tmp_path / "studyu.yaml"
    path.write_text(STUDYU_TENANCY)
    return path


def test_studyu_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, studyu_tenancy: Path) -> None:
    database = load_studyu(supabase_server)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(studyu_tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    rls = steps["verify-rls"]
    assert rls["detail"].startswith("6 tenant tables in public (4 through foreign keys); "
                                    "2 global: "), rls["detail"]
    assert ("public.subject_progress: subject_id -> public.study_subject.id -> study_id -> "
            "public.study.id (user_id) (found: its only foreign key to a tenant table, "
            "subject_id -> public.study_subject.id)") in rls["facts"]["ownership"]
    assert " 0 rows of other tenants visible" in steps["verify-isolation"]["detail"]
    assert_clean(result, spy)
    audited = audit(supabase_server, database, studyu_tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


STUDYU_HOLES = {
    "read-tautology": ("public.study_invite", "CREATE POLICY everyone ON public.study_invite "
                       "FOR SELECT TO authenticated USING (true)"),
    "rls-off": ("public.subject_progress",
                "ALTER TABLE public.subject_progress DISABLE ROW LEVEL SECURITY"),
    "wrong-column": ("public.study", "CREATE POLICY mine ON public.study FOR SELECT TO "
                     "authenticated USING (id IS NOT NULL AND user_id IS NOT NULL)"),
}


@pytest.mark.parametrize("hole", list(STUDYU_HOLES))
def test_studyu_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, studyu_tenancy: Path, hole: str) -> None:
    table, change = STUDYU_HOLES[hole]
    database = load_studyu(supabase_server)
    supabase_server.run(database, change)
    assert_hole_fails(supabase_server, database, locked_location, tmp_path, studyu_tenancy,
                      table, spy, f"studyu {hole}")


# Chatbot UI: per user; every table names its user in user_id (profiles, workspaces, chats,
# messages, files, the workspace link tables). Its `http` extension (used only by a function
# that calls the storage API over the network) is not on the test server: left out.
CHATBOT_TENANCY = """
tenant: auth.uid()
tenant_column: user_id
"""
CHATBOT_UNAVAILABLE = ("create extension http with schema extensions;",)
CHAT = ("INSERT INTO public.chats (user_id, workspace_id, context_length, embeddings_provider, "
        "include_profile_context, include_workspace_instructions, model, name, prompt, "
        "temperature) SELECT user_id, id, 4096, 'openai', true, true, 'gpt-4', 'c', 'p', 0.5 "
        "FROM public.workspaces WHERE user_id = %s RETURNING id")


def load_chatbot(server: SupabaseServer) -> str:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE)
        for text in stand_ins.migrations(APPS / "mckaywrigley-chatbot-ui", CHATBOT_UNAVAILABLE):
            conn.execute(text)
        for role in ("anon", "authenticated"):
            conn.execute(f"ALTER ROLE {role} IN DATABASE {database} SET log_statement = 'all'")
        for n in (1, 2, 3):  # each signs up (the trigger adds a profile and a home workspace)
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                         (_user(n), f"u{n}@example.com"))
            chat = conn.execute(CHAT, (_user(n),)).fetchone()[0]
            conn.execute("INSERT INTO public.messages (chat_id, user_id, content, image_paths, "
                         "model, role, sequence_number) VALUES (%s, %s, 'hi', '{}', 'gpt-4', "
                         "'user', 0)", (chat, _user(n)))
    return database


@pytest.fixture
def chatbot_tenancy(tmp_path: Path) -> Path:
    path = tmp_path / "chatbot.yaml"
    path.write_text(CHATBOT_TENANCY)
    return path


def test_chatbot_ui_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, chatbot_tenancy: Path) -> None:
    database = load_chatbot(supabase_server)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(chatbot_tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["detail"].startswith("26 tenant tables in public: "), steps
    isolation = steps["verify-isolation"]["detail"]
    assert isolation.startswith("recipe jwt-claims, 3 tenants x 26 tables"), isolation
    assert " 0 rows of other tenants visible" in isolation
    assert_clean(result, spy)
    audited = audit(supabase_server, database, chatbot_tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


CHATBOT_HOLES = {
    "read-tautology": ("public.messages", "CREATE POLICY everyone ON public.messages FOR SELECT "
                       "TO authenticated USING (true)"),
    "rls-off": ("public.chats", "ALTER TABLE public.chats DISABLE ROW LEVEL SECURITY"),
    "write-without-tenant": ("public.files", "CREATE POLICY add ON public.files FOR INSERT TO "
                             "authenticated WITH CHECK (auth.uid() IS NOT NULL)"),
}


@pytest.mark.parametrize("hole", list(CHATBOT_HOLES))
def test_chatbot_ui_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, chatbot_tenancy: Path, hole: str) -> None:
    table, change = CHATBOT_HOLES[hole]
    database = load_chatbot(supabase_server)
    supabase_server.run(database, change)
    assert_hole_fails(supabase_server, database, locked_location, tmp_path, chatbot_tenancy,
                      table, spy, f"chatbot-ui {hole}")


# dbdev (the Postgres package registry): its tables live in schema `app`. A tenant is a handle:
# an account (the user) or an organization its members maintain. Packages, their versions and
# the member lists are published to everyone (global, reviewed); the handle registry, the
# download log and the extension allow-list have RLS off and are read-only to the API roles.
DBDEV_GLOBAL = {
    "app.members": "organization members are public on every handle's page",
    "app.packages": "the registry publishes every package",
    "app.package_versions": "the registry publishes every version",
    "app.package_upgrades": "the registry publishes every upgrade path",
    "app.downloads": "download counts are public; read-only to the API roles",
    "app.handle_registry": "taken handles are public; read-only to the API roles",
    "app.allowed_extensions": "the allow-list is public; read-only to the API roles",
}
DBDEV_TENANCY = """
tenant_schemas: [app]
tenant_column: user_id
tenant_columns: {app.accounts: id, app.organizations: id}
session:
  recipe: membership
  membership_query: >-
    SELECT id, id FROM app.accounts UNION ALL SELECT organization_id, account_id FROM app.members
  claims: '{"sub": "{user}", "role": "{role}", "aud": "authenticated"}'
global_tables:
""" + "".join(f"  - {{table: {t}, reason: {r}, owner: registry@example.com, expires: 2099-12-31}}\n"
              for t, r in DBDEV_GLOBAL.items())
DBDEV_UNAVAILABLE = ("create extension if not exists pg_cron;",)


def load_dbdev(server: SupabaseServer) -> str:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE + stand_ins.CRON
                     + stand_ins.AUTH_ACCOUNTS)
        for text in stand_ins.migrations(APPS / "supabase-dbdev", DBDEV_UNAVAILABLE):
            conn.execute(text)
        for role in ("anon", "authenticated"):
            conn.execute(f"ALTER ROLE {role} IN DATABASE {database} SET log_statement = 'all'")
        for n in (1, 2, 3):  # each signs up (the trigger adds the account) and founds an org
            conn.execute("INSERT INTO auth.users (id, email, raw_user_meta_data) "
                         "VALUES (%s, %s, %s)", (_user(n), f"u{n}@example.com",
                                                 json.dumps({"handle": f"user{n}"})))
            conn.execute("SELECT set_config('request.jwt.claims', %s, false)",
                         (json.dumps({"sub": _user(n)}),))
            conn.execute("INSERT INTO app.handle_registry (handle, is_organization) "
                         "VALUES (%s, true)", (f"org{n}",))
            conn.execute("INSERT INTO app.organizations (handle) VALUES (%s)", (f"org{n}",))
            conn.execute("INSERT INTO app.access_tokens (user_id, token_hash, token_name, "
                         "plaintext_suffix) VALUES (%s, 'x', 'ci', 'abcd')", (_user(n),))
    return database


@pytest.fixture
def dbdev_tenancy(tmp_path: Path) -> Path:
    path = tmp_path / "dbdev.yaml"
    path.write_text(DBDEV_TENANCY)
    return path


def test_dbdev_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, dbdev_tenancy: Path) -> None:
    database = load_dbdev(supabase_server)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(dbdev_tenancy))
    assert result.code == 0, result.stderr  # app.packages' generated name: see inventory.py
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["detail"].startswith("3 tenant tables in app; 7 global: "), steps
    isolation = steps["verify-isolation"]["detail"]
    assert isolation.startswith("recipe membership, 3 tenants x 3 tables"), isolation
    assert " 0 rows of other tenants visible" in isolation
    assert_clean(result, spy)
    audited = audit(supabase_server, database, dbdev_tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


DBDEV_HOLES = {
    "read-tautology": ("app.access_tokens", "CREATE POLICY everyone ON app.access_tokens FOR "
                       "SELECT TO authenticated USING (true)"),
    "rls-off": ("app.accounts", "ALTER TABLE app.accounts DISABLE ROW LEVEL SECURITY"),
    "wrong-column": ("app.accounts", "CREATE POLICY named ON app.accounts FOR SELECT TO "
                     "authenticated USING (handle IS NOT NULL)"),
}


@pytest.mark.parametrize("hole", list(DBDEV_HOLES))
def test_dbdev_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, dbdev_tenancy: Path, hole: str) -> None:
    table, change = DBDEV_HOLES[hole]
    database = load_dbdev(supabase_server)
    supabase_server.run(database, change)
    assert_hole_fails(supabase_server, database, locked_location, tmp_path, dbdev_tenancy,
                      table, spy, f"dbdev {hole}")


# Open BSP API (a WhatsApp business platform): organization tenancy. Members are agents rows
# (organization_id, user_id, extra.role); every table of public and billing names its
# organization (invoice items through their invoice, declared: they also name a ledger entry;
# a billing account may pay for several organizations, declared global); billing's catalogue
# (plans, products, tiers, costs) is read by everyone. Its pg_cron and pg_net extensions are
# not on the test server: left out, their schemas stood in for.
BSP_GLOBAL = ("billing.costs", "billing.plans", "billing.plans_products", "billing.products",
              "billing.tiers", "billing.tiers_products")
BSP_TENANCY = """
tenant_schemas: [public, billing]
tenant_column: organization_id
tenant_columns: {public.organizations: id}
via: {billing.invoices_items: invoice_id -> billing.invoices.id}
session:
  recipe: membership
  membership_query: >-
    SELECT organization_id, user_id FROM public.agents WHERE user_id IS NOT NULL
    ORDER BY extra ->> 'role' = 'owner' DESC, user_id
  claims: '{"sub": "{user}", "role": "{role}", "aud": "authenticated"}'
global_tables:
  - {table: billing.accounts, reason: a billing account may pay for several organizations
     (subscriptions name it); its policy lets only their owners read it,
     owner: billing@example.com, expires: 2099-12-31}
""" + "".join(f"  - {{table: {t}, reason: the price list every visitor sees, "
              "owner: billing@example.com, expires: 2099-12-31}\n" for t in BSP_GLOBAL)
BSP_UNAVAILABLE = ('create extension if not exists "pg_cron" with schema "pg_catalog";',
                   "create extension if not exists pg_net schema extensions;")


def load_bsp(server: SupabaseServer) -> str:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        supabase.create_platform(conn)
        conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE + stand_ins.CRON + stand_ins.NET
                     + stand_ins.VAULT + stand_ins.REALTIME)
        for text in stand_ins.migrations(APPS / "matiasbattocchia-open-bsp-api",
                                         BSP_UNAVAILABLE):
            conn.execute(text)
        for role in ("anon", "authenticated"):
            conn.execute(f"ALTER ROLE {role} IN DATABASE {database} SET log_statement = 'all'")
        for n in (1, 2, 3):  # each signs up and founds an organization (the app adds the owner)
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                         (_user(n), f"u{n}@example.com"))
            conn.execute("SELECT set_config('request.jwt.claims', %s, false)",
                         (json.dumps({"sub": _user(n), "role": "authenticated"}),))
            conn.execute("INSERT INTO public.organizations (name) VALUES (%s)", (f"org{n}",))
    return database


@pytest.fixture
def bsp_tenancy(tmp_path: Path) -> Path:
    path = tmp_path / "bsp.yaml"
    path.write_text(BSP_TENANCY)
    return path


def test_open_bsp_api_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, bsp_tenancy: Path) -> None:
    database = load_bsp(supabase_server)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(bsp_tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["detail"].startswith(
        "18 tenant tables in public, billing (1 through foreign keys); 7 global: "), steps
    isolation = steps["verify-isolation"]["detail"]
    assert isolation.startswith("recipe membership, 3 tenants x 18 tables"), isolation
    assert " 0 rows of other tenants visible" in isolation
    assert_clean(result, spy)
    audited = audit(supabase_server, database, bsp_tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


BSP_HOLES = {
    "read-tautology": ("public.messages", "CREATE POLICY everyone ON public.messages FOR SELECT "
                       "TO authenticated USING (true)"),
    "rls-off": ("public.contacts", "ALTER TABLE public.contacts DISABLE ROW LEVEL SECURITY"),
    "write-without-tenant": ("public.webhooks", "CREATE POLICY add ON public.webhooks FOR INSERT "
                             "TO authenticated WITH CHECK (auth.uid() IS NOT NULL)"),
    "wrong-column": ("public.agents", "CREATE POLICY peers ON public.agents FOR SELECT TO "
                     "authenticated USING (user_id IS NOT NULL)"),
}


@pytest.mark.parametrize("hole", list(BSP_HOLES))
def test_open_bsp_api_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, bsp_tenancy: Path, hole: str) -> None:
    table, change = BSP_HOLES[hole]
    database = load_bsp(supabase_server)
    supabase_server.run(database, change)
    assert_hole_fails(supabase_server, database, locked_location, tmp_path, bsp_tenancy,
                      table, spy, f"open-bsp-api {hole}")
