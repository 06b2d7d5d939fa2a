"""The read probe over a table whose rows reach their tenant through a foreign key: a session
that sees more keys than the probe attributes is no proof of isolation (trustctl/pg/isolation.py
KEY_GROUPS)."""

from __future__ import annotations

import psycopg
import pytest

from drill.supabase_source import SupabaseServer
from trustctl.errors import DependencyError
from trustctl.pg import isolation
from trustctl.pg.judgment import assess, reads
from trustctl.pg.tenancy import Tenancy
from trustctl.sandbox.supabase import create_platform

TENANT = "(auth.jwt() -> 'app_metadata' ->> 'tenant_id')::uuid"
SCHEMA = f"""
    CREATE TABLE orgs (tenant_id uuid PRIMARY KEY);
    CREATE TABLE chats (id int PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES orgs);
    CREATE TABLE messages (id int PRIMARY KEY, chat_id int NOT NULL REFERENCES chats);
    INSERT INTO orgs VALUES ('00000000-0000-0000-0000-00000000000a'),
                            ('00000000-0000-0000-0000-00000000000b');
    INSERT INTO chats SELECT i, (SELECT tenant_id FROM orgs ORDER BY 1 OFFSET i % 2 LIMIT 1)
        FROM generate_series(1, 8) i;
    INSERT INTO messages SELECT i, 1 + i % 8 FROM generate_series(1, 32) i;
    ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
    ALTER TABLE chats ENABLE ROW LEVEL SECURITY;
    ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON orgs TO authenticated USING (tenant_id = {TENANT});
    CREATE POLICY own ON chats TO authenticated USING (tenant_id = {TENANT});
    CREATE POLICY own ON messages TO authenticated USING (
        chat_id IN (SELECT id FROM chats WHERE tenant_id = {TENANT}));
    GRANT SELECT ON orgs, chats, messages TO authenticated;
"""


def probed(server: SupabaseServer) -> isolation.Isolation:
    database = server.new_database("template1")
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        create_platform(conn)  # auth.jwt()
    server.run(database, SCHEMA)
    with psycopg.connect(server.pg.dsn(database), autocommit=True) as conn:
        return reads(conn, assess(conn, Tenancy(app_roles=("authenticated",))))


def test_keys_within_the_limit_are_all_attributed(supabase_server: SupabaseServer) -> None:
    seen = probed(supabase_server)
    assert seen.findings == [] and seen.own_seen == seen.own_expected > 0


def test_more_keys_than_the_limit_and_no_leak_seen_is_not_a_pass(
        supabase_server: SupabaseServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "KEY_GROUPS", 3)  # each tenant owns 4 chats
    with pytest.raises(DependencyError, match=r"table public\.messages: a session of .* sees "
                       r"more than 3 distinct chat_id values: the probe cannot attribute"):
        probed(supabase_server)
