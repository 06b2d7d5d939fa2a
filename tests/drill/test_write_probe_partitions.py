"""The write probe (trustctl/pg/writes.py) addresses a row by its partition and ctid: the
partitions of a partitioned table repeat each other's ctids, so a ctid alone would also reach
the session's own row in another partition and read as a cross-tenant write."""

from __future__ import annotations

import psycopg

from drill.supabase_source import SupabaseServer
from trustctl.pg.judgment import assess, reads
from trustctl.pg.tenancy import Tenancy
from trustctl.pg.writes import cross_tenant_writes

POLICY = "tenant_id = current_setting(''app.tenant_id'', true)::uuid"  # in format('...')
SCHEMA = f"""
    CREATE TABLE events (tenant_id uuid NOT NULL, at int NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (1) TO (2);
    CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (2) TO (3);
    -- the first row of each partition, at ctid (0,1) in both: one tenant's here, the other's there
    INSERT INTO events VALUES ('00000000-0000-0000-0000-00000000000a', 1),
                              ('00000000-0000-0000-0000-00000000000b', 2);
    DO $$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['events','events_1','events_2'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own ON %I TO authenticated USING ({POLICY})', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO authenticated', t);
    END LOOP; END $$;
"""


def test_a_row_of_the_other_tenant_is_reached_in_its_own_partition_only(
        supabase_server: SupabaseServer) -> None:
    database = supabase_server.new_database("template1")
    supabase_server.run(database, SCHEMA)
    with psycopg.connect(supabase_server.pg.dsn(database), autocommit=True) as conn:
        assessment = assess(conn, Tenancy(app_roles=("authenticated",)))
        probe = reads(conn, assessment).probe
        assert probe is not None
        writes = cross_tenant_writes(conn, probe, assessment.tenancy.tenant_roles)
    cells = {(c["table"], c["operation"]): c["result"] for c in writes.matrix}
    assert cells[("public.events", "UPDATE B's rows")] == "0 rows"
    assert cells[("public.events", "DELETE B's rows")] == "0 rows"
    assert writes.findings == []
