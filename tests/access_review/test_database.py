"""The database against a real Postgres: login roles, what they can become, tenant grants."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from access_review.support import checks_on, judged, row
from trustctl.access_review import database
from trustctl.access_review.database import TenantTables
from trustctl.access_review.inventory import Inventory
from trustctl.dsn import Dsn
from trustctl.pg.server import LocalPostgres

SETUP = """
CREATE ROLE claver_owner NOLOGIN;
CREATE SCHEMA app AUTHORIZATION claver_owner;
CREATE TABLE app.jobs (tenant_id uuid, id int);
CREATE TABLE app.invoices (tenant_id uuid, id int);
CREATE TABLE app.settings (id int);
ALTER TABLE app.jobs OWNER TO claver_owner;
ALTER TABLE app.invoices OWNER TO claver_owner;
CREATE ROLE readers NOLOGIN;
GRANT USAGE ON SCHEMA app TO readers;
GRANT SELECT ON app.jobs, app.invoices TO readers;
CREATE ROLE alice LOGIN PASSWORD 'alice-pw' IN ROLE readers;
CREATE ROLE claver_app LOGIN NOINHERIT;
GRANT SELECT, INSERT, UPDATE ON app.jobs TO claver_app;
CREATE ROLE ops LOGIN IN ROLE readers;
CREATE ROLE deploy LOGIN IN ROLE readers;
CREATE ROLE rls_bypass NOLOGIN BYPASSRLS;
CREATE ROLE mallory LOGIN NOINHERIT CREATEROLE IN ROLE rls_bypass;
CREATE ROLE owner_login LOGIN IN ROLE claver_owner;
CREATE ROLE nobody LOGIN;
"""


@pytest.fixture(scope="module")
def server(postgres_factory) -> Iterator[LocalPostgres]:
    with postgres_factory("access-review") as pg:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute(SETUP)
        yield pg


@pytest.fixture(scope="module")
def collected(server: LocalPostgres) -> Inventory:
    inventory = Inventory()
    database.collect(Dsn.parse(server.dsn(), "test"), TenantTables(("app",), "tenant_id"),
                     inventory)
    return inventory


def test_grants_through_membership_are_reads_of_tenant_tables(collected, the_roster):
    accesses, flags = judged(collected, the_roster)
    alice = row(accesses, "postgres:alice", "postgres:postgres/app")
    assert alice.level == "read" and alice.via == ["member of readers"]
    assert "app: reads 2, writes 0, owns 0 of 2 tenant tables" in alice.notes
    assert checks_on(flags, "postgres:alice") == set()


def test_the_application_role_writes_and_is_declared(collected, the_roster):
    accesses, flags = judged(collected, the_roster)
    assert row(accesses, "postgres:claver_app", "postgres:postgres/app").level == "write"
    assert checks_on(flags, "postgres:claver_app") == set()


def test_a_role_that_can_become_a_bypassrls_role_is_admin_and_unlisted(collected, the_roster):
    accesses, flags = judged(collected, the_roster)
    mallory = row(accesses, "postgres:mallory", "postgres:postgres/app")
    assert mallory.level == "admin"
    assert "is CREATEROLE" in mallory.notes
    assert "can become rls_bypass (BYPASSRLS)" in mallory.notes
    assert checks_on(flags, "postgres:mallory") == {"not-on-roster"}


def test_owning_tenant_tables_through_a_role_is_admin(collected):
    accesses = collected.merged()
    assert row(accesses, "postgres:owner_login", "postgres:postgres/app").level == "admin"


def test_the_superuser_is_admin(collected):
    superuser = row(collected.merged(), "postgres:postgres", "postgres:postgres/app")
    assert superuser.level == "admin" and "is SUPERUSER, BYPASSRLS, CREATEROLE" in superuser.notes


def test_a_login_role_reaching_no_tenant_table_is_listed_at_database_level(collected):
    nobody = row(collected.merged(), "postgres:nobody", "postgres:postgres")
    assert nobody.level == "none"


def test_a_generic_login_is_a_shared_principal_unless_declared_a_service(collected, the_roster):
    _accesses, flags = judged(collected, the_roster)
    assert checks_on(flags, "postgres:ops") == {"shared-principal", "not-on-roster"}
    assert checks_on(flags, "postgres:deploy") == set()


def test_last_connection_is_shown_when_the_server_exposes_it(server, collected):
    with psycopg.connect(server.dsn(user="alice", password="alice-pw", dbname="postgres")):
        inventory = Inventory()
        database.collect(Dsn.parse(server.dsn(), "test"), TenantTables(("app",)), inventory)
    alice = row(inventory.merged(), "postgres:alice", "postgres:postgres/app")
    assert alice.last_used is not None
    assert row(collected.merged(), "postgres:alice", "postgres:postgres/app").last_used is None


def test_an_unreachable_database_is_an_error_entry_without_its_password():
    inventory = Inventory()
    database.collect(Dsn.parse("postgresql://auditor:s3cret-pw@127.0.0.1:9/claver", "test"),
                     TenantTables(), inventory)
    assert inventory.accesses == []
    [error] = inventory.errors
    assert error.source == "database" and "cannot connect" in error.message
    assert "s3cret-pw" not in error.what + error.message
    assert "postgresql://auditor@127.0.0.1:9/claver" in error.what
