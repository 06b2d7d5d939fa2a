"""Real open-source Supabase apps (../shared/realworld/supabase-apps, read in place: the project
holds none of their SQL) loaded as published onto the Supabase platform stand-in
(trustctl/sandbox/supabase/platform.sql: auth, extensions, Supabase's default privileges), each
with a tenancy.yaml written the way the README tells a user to. A compliant app passes the drill
and the audit (exit 0); each one-change hole, applied by the test as a small SQL edit of its
own, fails both (exit 1) naming the table. One Postgres server serves the module: each project's
migrations run once into a template database, and each case gets a fresh clone of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
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


def seed_slack(conn: psycopg.Connection) -> None:
    conn.execute(STAND_INS)
    for path in sorted((APPS / "supabase-supabase-slack-clone").glob("*.sql")):
        conn.execute(path.read_text())
    conn.execute("INSERT INTO public.role_permissions (role, permission) VALUES "
                 "('admin', 'channels.delete'), ('admin', 'messages.delete'), "
                 "('moderator', 'messages.delete')")
    for n, kind in ((1, "supaadmin"), (2, "supamod"), (3, "supamod")):
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                     (_user(n), f"u{n}+{kind}@example.com"))
    conn.execute("INSERT INTO public.channels (slug, created_by) VALUES ('general', %s)",
                 (_user(1),))
    conn.execute("INSERT INTO public.messages (message, channel_id, user_id) "
                 "SELECT 'hello', 1, id FROM public.users")


def audit(server: SupabaseServer, database: str, tenancy: Path, evidence: Path):
    """The audit CLI on the database alone (the database area, read-only), connected as the
    sandbox's audit does: as a role that may act as the application roles."""
    return CliRunner().invoke(app, [
        "audit", *OTHER_AREAS, "--tenancy", str(tenancy), "--evidence-dir", str(evidence),
        "--format", "json"], env={"TRUSTCTL_AUDIT_DSN": server.pg.dsn(database)})


SLACK_HOLES = {
    "read-tautology": ("public.user_roles", "CREATE POLICY everyone ON public.user_roles FOR "
                       "SELECT USING (auth.role() = 'authenticated')"),
    "rls-off": ("public.user_roles", "ALTER TABLE public.user_roles DISABLE ROW LEVEL SECURITY"),
    "write-without-tenant": ("public.user_roles", "CREATE POLICY promote ON public.user_roles "
                             "FOR INSERT WITH CHECK (auth.uid() IS NOT NULL)"),
    "global-writable": ("public.channels",
                        "CREATE POLICY edit ON public.channels FOR UPDATE USING (true)"),
}


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


def seed_studyu(conn: psycopg.Connection) -> None:
    for path in sorted((APPS / "hpi-studyu-studyu").glob("*.sql")):
        conn.execute(path.read_text())
    conn.execute("SET search_path = public")
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


STUDYU_HOLES = {
    "read-tautology": ("public.study_invite", "CREATE POLICY everyone ON public.study_invite "
                       "FOR SELECT TO authenticated USING (true)"),
    "rls-off": ("public.subject_progress",
                "ALTER TABLE public.subject_progress DISABLE ROW LEVEL SECURITY"),
    "wrong-column": ("public.study", "CREATE POLICY mine ON public.study FOR SELECT TO "
                     "authenticated USING (id IS NOT NULL AND user_id IS NOT NULL)"),
}


CHATBOT_TENANCY = """
tenant: auth.uid()
tenant_column: user_id
"""
CHATBOT_UNAVAILABLE = ("create extension http with schema extensions;",)
CHAT = ("INSERT INTO public.chats (user_id, workspace_id, context_length, embeddings_provider, "
        "include_profile_context, include_workspace_instructions, model, name, prompt, "
        "temperature) SELECT user_id, id, 4096, 'openai', true, true, 'gpt-4', 'c', 'p', 0.5 "
        "FROM public.workspaces WHERE user_id = %s RETURNING id")


def seed_chatbot(conn: psycopg.Connection) -> None:
    conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE)
    for text in stand_ins.migrations(APPS / "mckaywrigley-chatbot-ui", CHATBOT_UNAVAILABLE):
        conn.execute(text)
    for n in (1, 2, 3):  # each signs up (the trigger adds a profile and a home workspace)
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                     (_user(n), f"u{n}@example.com"))
        chat = conn.execute(CHAT, (_user(n),)).fetchone()[0]
        conn.execute("INSERT INTO public.messages (chat_id, user_id, content, image_paths, "
                     "model, role, sequence_number) VALUES (%s, %s, 'hi', '{}', 'gpt-4', "
                     "'user', 0)", (chat, _user(n)))


CHATBOT_HOLES = {
    "read-tautology": ("public.messages", "CREATE POLICY everyone ON public.messages FOR SELECT "
                       "TO authenticated USING (true)"),
    "rls-off": ("public.chats", "ALTER TABLE public.chats DISABLE ROW LEVEL SECURITY"),
    "write-without-tenant": ("public.files", "CREATE POLICY add ON public.files FOR INSERT TO "
                             "authenticated WITH CHECK (auth.uid() IS NOT NULL)"),
}


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


def seed_dbdev(conn: psycopg.Connection) -> None:
    conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE + stand_ins.CRON
                 + stand_ins.AUTH_ACCOUNTS)
    for text in stand_ins.migrations(APPS / "supabase-dbdev", DBDEV_UNAVAILABLE):
        conn.execute(text)
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


DBDEV_HOLES = {
    "read-tautology": ("app.access_tokens", "CREATE POLICY everyone ON app.access_tokens FOR "
                       "SELECT TO authenticated USING (true)"),
    "rls-off": ("app.accounts", "ALTER TABLE app.accounts DISABLE ROW LEVEL SECURITY"),
    "wrong-column": ("app.accounts", "CREATE POLICY named ON app.accounts FOR SELECT TO "
                     "authenticated USING (handle IS NOT NULL)"),
}


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


def seed_bsp(conn: psycopg.Connection) -> None:
    conn.execute(stand_ins.EXTENSIONS + stand_ins.STORAGE + stand_ins.CRON + stand_ins.NET
                 + stand_ins.VAULT + stand_ins.REALTIME)
    for text in stand_ins.migrations(APPS / "matiasbattocchia-open-bsp-api",
                                     BSP_UNAVAILABLE):
        conn.execute(text)
    for n in (1, 2, 3):  # each signs up and founds an organization (the app adds the owner)
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)",
                     (_user(n), f"u{n}@example.com"))
        conn.execute("SELECT set_config('request.jwt.claims', %s, false)",
                     (json.dumps({"sub": _user(n), "role": "authenticated"}),))
        conn.execute("INSERT INTO public.organizations (name) VALUES (%s)", (f"org{n}",))


BSP_HOLES = {
    "read-tautology": ("public.messages", "CREATE POLICY everyone ON public.messages FOR SELECT "
                       "TO authenticated USING (true)"),
    "rls-off": ("public.contacts", "ALTER TABLE public.contacts DISABLE ROW LEVEL SECURITY"),
    "write-without-tenant": ("public.webhooks", "CREATE POLICY add ON public.webhooks FOR INSERT "
                             "TO authenticated WITH CHECK (auth.uid() IS NOT NULL)"),
    "wrong-column": ("public.agents", "CREATE POLICY peers ON public.agents FOR SELECT TO "
                     "authenticated USING (user_id IS NOT NULL)"),
}


@dataclass(frozen=True)
class App:
    """One corpus project: how it is loaded, how its owner declares tenancy, what its healthy
    drill says, and its one-change holes (hole -> (table it exposes, SQL of the change))."""

    name: str
    seed: Callable[[psycopg.Connection], None]
    tenancy: str
    rls: str  # how the drill's verify-rls detail starts
    isolation: str  # how its verify-isolation detail starts
    holes: dict[str, tuple[str, str]]
    facts: Callable[[dict], None] = lambda steps: None  # what else its healthy drill must show


def _slack_facts(steps: dict) -> None:
    rls = steps["verify-rls"]
    assert rls["facts"]["deny_all"] == ["public.role_permissions"]
    assert rls["facts"]["tenancy"]["session"]["claims"].startswith('{"sub": "{tenant}"')
    assert any("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM authenticated, anon;" in a
               for a in rls["facts"]["advisories"])


def _studyu_facts(steps: dict) -> None:
    assert ("public.subject_progress: subject_id -> public.study_subject.id -> study_id -> "
            "public.study.id (user_id) (found: its only foreign key to a tenant table, "
            "subject_id -> public.study_subject.id)") in steps["verify-rls"]["facts"]["ownership"]


SLACK = App("slack-clone", seed_slack, SLACK_TENANCY,
            "1 tenant tables in public; 3 global; 1 deny-all: ", "recipe jwt-claims",
            SLACK_HOLES, _slack_facts)
CORPUS = [
    SLACK,
    App("studyu", seed_studyu, STUDYU_TENANCY,
        "6 tenant tables in public (4 through foreign keys); 2 global: ", "recipe jwt-claims",
        STUDYU_HOLES, _studyu_facts),
    App("chatbot-ui", seed_chatbot, CHATBOT_TENANCY, "26 tenant tables in public: ",
        "recipe jwt-claims, 3 tenants x 26 tables", CHATBOT_HOLES),
    App("dbdev", seed_dbdev, DBDEV_TENANCY, "3 tenant tables in app; 7 global: ",
        "recipe membership, 3 tenants x 3 tables", DBDEV_HOLES),
    App("open-bsp-api", seed_bsp, BSP_TENANCY,
        "18 tenant tables in public, billing (1 through foreign keys); 7 global: ",
        "recipe membership, 3 tenants x 18 tables", BSP_HOLES),
]
HOLES = [(a, hole) for a in CORPUS for hole in a.holes]
Loaded = Callable[[App], tuple[str, Path]]


@pytest.fixture(scope="session")
def app_templates(supabase_server: SupabaseServer) -> dict[str, str]:
    """Each project's migrations run once per worker, into a template database."""
    return {}


@pytest.fixture
def loaded(supabase_server: SupabaseServer, app_templates: dict[str, str],
           tmp_path: Path) -> Loaded:
    """A fresh database of the project (cloned from its template) and its tenancy file."""
    def load(project: App) -> tuple[str, Path]:
        if project.name not in app_templates:
            template = supabase_server.new_database("template1")
            with psycopg.connect(supabase_server.pg.dsn(template), autocommit=True) as conn:
                supabase.create_platform(conn)
                project.seed(conn)
            app_templates[project.name] = template
        database = supabase_server.new_database(app_templates[project.name])
        for role in ("anon", "authenticated"):  # reads logged (ACCESS-LOGGED), this database only
            supabase_server.run(database, f"ALTER ROLE {role} IN DATABASE {database} "
                                          "SET log_statement = 'all'")
        tenancy = tmp_path / f"{project.name}.yaml"
        tenancy.write_text(project.tenancy)
        return database, tenancy
    return load


@pytest.mark.parametrize("project", CORPUS, ids=[a.name for a in CORPUS])
def test_the_project_passes_drill_and_audit(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, loaded: Loaded, project: App) -> None:
    database, tenancy = loaded(project)
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy", str(tenancy))
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["detail"].startswith(project.rls), steps["verify-rls"]
    isolation = steps["verify-isolation"]["detail"]
    assert isolation.startswith(project.isolation), isolation
    assert " 0 rows of other tenants visible" in isolation
    project.facts(steps)
    assert_clean(result, spy)
    audited = audit(supabase_server, database, tenancy, tmp_path / "audit")
    assert audited.exit_code == 0, audited.stdout + audited.stderr


@pytest.mark.parametrize(("project", "hole"), HOLES, ids=[f"{a.name}:{h}" for a, h in HOLES])
def test_a_hole_fails_drill_and_audit_naming_the_table(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, loaded: Loaded, project: App, hole: str) -> None:
    """The audit, then the drill on a backup of the same database: both exit 1 naming it."""
    table, change = project.holes[hole]
    database, tenancy = loaded(project)
    supabase_server.run(database, change)
    audited = audit(supabase_server, database, tenancy, tmp_path / "audit")
    assert audited.exit_code == 1, audited.stdout + audited.stderr
    assert f"table {table}" in audited.stdout
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy", str(tenancy))
    assert result.code == 1, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert f"table {table}" in line, line
    assert_clean(result, spy)
    print(f"{project.name} {hole}: {line}")


def test_slack_clone_write_hole_fails_the_drill_naming_table_and_operation(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path, loaded: Loaded) -> None:
    """A write policy checking the wrong column: no tautology for posture to see; the drill's
    write probe (rolled back, on its scratch copy) moves a row to another tenant."""
    database, tenancy = loaded(SLACK)
    supabase_server.run(database, "CREATE POLICY add ON public.user_roles FOR INSERT "
                        "WITH CHECK (role IS NOT NULL)")
    supabase_server.backup(database, locked_location)
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy",
                           str(tenancy))
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
