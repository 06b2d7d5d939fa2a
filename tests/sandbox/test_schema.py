"""The seeded schema keeps TENANT-ISOLATION: tenant_id everywhere, RLS forced, app role boxed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest

from trustctl.errors import InputError
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox import seed

pytestmark = pytest.mark.slow

SIZE_MB = 30  # 2 batches of tenants: enough for 2 workers, quick to seed
TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"


@dataclass
class Seeded:
    pg: LocalPostgres
    app_password: str
    progress: list[str]

    def superuser(self) -> psycopg.Connection:
        return psycopg.connect(self.pg.dsn(seed.DATABASE), autocommit=True)

    def app(self) -> psycopg.Connection:
        return psycopg.connect(self.pg.dsn(seed.DATABASE, user=seed.APP_ROLE,
                                           password=self.app_password), autocommit=True)

    def tables(self) -> list[str]:
        with self.superuser() as conn:
            return [name for (name,) in conn.execute(TABLES_SQL)]


def _seed(pg: LocalPostgres, workers: int) -> Seeded:
    lines: list[str] = []
    return Seeded(pg, seed.seed(pg, SIZE_MB, lines.append, workers=workers), lines)


@pytest.fixture(scope="module")
def seeded(postgres_factory: Callable[[str], LocalPostgres]) -> Seeded:
    return _seed(postgres_factory("seeded"), workers=1)


def test_every_table_carries_a_non_null_tenant_id(seeded: Seeded) -> None:
    with seeded.superuser() as conn:
        rows = conn.execute("""
            SELECT t.tablename, c.data_type, c.is_nullable
            FROM pg_tables t LEFT JOIN information_schema.columns c
              ON c.table_schema = t.schemaname AND c.table_name = t.tablename
             AND c.column_name = 'tenant_id'
            WHERE t.schemaname = 'public' ORDER BY 1""").fetchall()
    assert len(rows) >= 10
    assert [r for r in rows if r[1:] != ("uuid", "NO")] == []


def test_rls_is_enabled_forced_and_keyed_on_the_tenant_everywhere(seeded: Seeded) -> None:
    with seeded.superuser() as conn:
        rows = conn.execute("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policies p
                     WHERE p.schemaname = 'public' AND p.tablename = c.relname
                       AND p.qual LIKE '%app.tenant_id%' AND p.with_check LIKE '%app.tenant_id%')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1""").fetchall()
    assert rows and [r for r in rows if r[1:] != (True, True, 1)] == []


def test_app_role_can_log_in_but_is_no_superuser_bypasses_nothing_and_owns_nothing(
    seeded: Seeded,
) -> None:
    with seeded.superuser() as conn:
        role = conn.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb "
            "FROM pg_roles WHERE rolname = %s", (seed.APP_ROLE,)).fetchone()
        owned = conn.execute("""
            SELECT count(*) FROM (
                SELECT relowner AS owner FROM pg_class
                UNION ALL SELECT nspowner FROM pg_namespace
                UNION ALL SELECT datdba FROM pg_database
                UNION ALL SELECT proowner FROM pg_proc) o
            WHERE owner = %s::regrole""", (seed.APP_ROLE,)).fetchone()[0]
    assert role == (True, False, False, False, False)
    assert owned == 0


def test_app_role_sees_only_the_tenant_it_names(seeded: Seeded) -> None:
    tenant_a, tenant_b = seed.tenant_id(1), seed.tenant_id(2)
    with seeded.app() as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_a),))
        for table in seeded.tables():
            own, foreign = conn.execute(
                f"SELECT count(*) FILTER (WHERE tenant_id = %s), "
                f"count(*) FILTER (WHERE tenant_id <> %s) FROM {table}",
                (tenant_a, tenant_a)).fetchone()
            assert (table, foreign) == (table, 0)
            assert own > 0, table
        assert conn.execute("SELECT count(*) FROM jobs WHERE tenant_id = %s",
                            (tenant_b,)).fetchone()[0] == 0


def test_app_role_cannot_write_rows_of_another_tenant(seeded: Seeded) -> None:
    with seeded.app() as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(seed.tenant_id(1)),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO customers VALUES (%s, gen_random_uuid(), 'x', 'x', 'x', 'x', 'x', "
                "'x', now())", (seed.tenant_id(2),))
        moved = conn.execute("UPDATE jobs SET title = 'moved' WHERE tenant_id = %s",
                             (seed.tenant_id(2),))
        assert moved.rowcount == 0


def test_without_a_tenant_nobody_but_the_superuser_sees_rows(seeded: Seeded) -> None:
    with seeded.app() as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
    with seeded.superuser() as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
        conn.execute(f"SET ROLE {seed.OWNER_ROLE}")  # FORCE: the table owner is boxed in too
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 0


def test_seeding_is_deterministic_whatever_the_workers_and_sized_by_tenants(
    seeded: Seeded, postgres_factory: Callable[[str], LocalPostgres],
) -> None:
    def digests(target: Seeded) -> dict[str, str]:
        with target.superuser() as conn:
            return {table: conn.execute(
                f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t"
            ).fetchone()[0] for table in target.tables()}

    with postgres_factory("again") as pg:
        again = _seed(pg, workers=2)
        assert digests(again) == digests(seeded)
    with seeded.superuser() as conn:
        tenants = conn.execute("SELECT count(*) FROM tenants").fetchone()[0]
        # tenant 1 has scale 1 + 1 % 4 = 2: 180 jobs
        jobs = conn.execute("SELECT count(*) FROM jobs WHERE tenant_id = %s",
                            (seed.tenant_id(1),)).fetchone()[0]
    assert tenants == seed.tenant_count(SIZE_MB) >= 3
    assert jobs == 180
    assert f"seeded {tenants} of {tenants} tenants (100%)" in seeded.progress
    assert f"seeded {tenants} of {tenants} tenants (100%)" in again.progress
    assert len([line for line in again.progress if line.startswith("seeded ")]) == 2


@pytest.mark.parametrize(("size", "mb", "expected"),
                         [("small", None, 16), ("large", None, 4096), ("small", 42, 42)])
def test_size_flags_pick_the_target_size(size: str, mb: int | None, expected: int) -> None:
    assert seed.size_mb(size, mb) == expected


@pytest.mark.parametrize(("size", "mb"), [("huge", None), ("small", 0)])
def test_bad_size_flags_are_refused(size: str, mb: int | None) -> None:
    with pytest.raises(InputError):
        seed.size_mb(size, mb)
