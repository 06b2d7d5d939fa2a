"""Row counts and checksums: order-independent, sensitive to content, fall back when needed."""

from __future__ import annotations

import psycopg

from backup.fixtures import Source
from trustctl.archive import inventory


def stats_of(conn: psycopg.Connection, table: str) -> inventory.TableStats:
    return inventory.table_stats(conn, "public", table)


def test_checksum_is_order_independent_and_content_sensitive(source: Source) -> None:
    with psycopg.connect(source.pg.dsn("postgres")) as conn:  # rolled back at the end
        conn.execute("CREATE TABLE a (id int, v text)")
        conn.execute("CREATE TABLE b (id int, v text)")
        conn.execute("INSERT INTO a VALUES (1, 'x'), (2, 'y'), (3, 'z')")
        conn.execute("INSERT INTO b VALUES (3, 'z'), (1, 'x'), (2, 'y')")
        a, b = stats_of(conn, "a"), stats_of(conn, "b")
        assert a.rows == b.rows == 3 and a.checksum == b.checksum
        assert a.checksum.startswith("hash:")
        conn.execute("UPDATE b SET v = 'Y' WHERE id = 2")
        assert stats_of(conn, "b").checksum != a.checksum
        conn.rollback()


def test_types_without_hash_fall_back_to_md5_in_the_same_transaction(source: Source) -> None:
    with psycopg.connect(source.pg.dsn("postgres")) as conn:
        conn.execute("CREATE TABLE docs (id int, doc json)")
        conn.execute("""INSERT INTO docs VALUES (1, '{"a": 1}')""")
        stats = stats_of(conn, "docs")
        assert stats.rows == 1 and stats.checksum.startswith("md5:")
        assert conn.execute("SELECT count(*) FROM docs").fetchone()[0] == 1  # still usable
        forced = inventory.table_stats(conn, "public", "docs", "md5")
        assert forced == stats
        conn.rollback()


def test_stored_generated_columns_are_not_hashed_a_restore_recomputes_them(
        source: Source) -> None:
    """dbdev redefined the function behind app.packages.package_name after rows were written:
    the source keeps the old values, a restore computes new ones. The dump does not carry a
    generated column, so the checksum must not either."""
    with psycopg.connect(source.pg.dsn("postgres")) as conn:
        conn.execute("CREATE FUNCTION pkg_name(h text, p text) RETURNS text IMMUTABLE "
                     "LANGUAGE sql AS $$ SELECT h || '-' || p $$")
        for table in ("before", "after"):
            conn.execute(f"CREATE TABLE {table} (h text, p text, "
                         "name text GENERATED ALWAYS AS (pkg_name(h, p)) STORED)")
        conn.execute("INSERT INTO before (h, p) VALUES ('supabase', 'dbdev')")
        conn.execute("CREATE OR REPLACE FUNCTION pkg_name(h text, p text) RETURNS text "
                     "IMMUTABLE LANGUAGE sql AS $$ SELECT h || '@' || p $$")
        conn.execute("INSERT INTO after (h, p) VALUES ('supabase', 'dbdev')")
        assert conn.execute("SELECT (SELECT name FROM before), (SELECT name FROM after)"
                            ).fetchone() == ("supabase-dbdev", "supabase@dbdev")
        columns = inventory.columns_by_text(conn)
        assert columns["public.before"] == ['t."h"', 't."p"']
        for method in ("hash", "md5"):
            before, after = (inventory.table_stats(conn, "public", t, method,
                                                   columns[f"public.{t}"])
                             for t in ("before", "after"))
            assert before.checksum == after.checksum, method
        conn.execute("UPDATE after SET p = 'other'")  # a stored column still counts
        changed = inventory.table_stats(conn, "public", "after", "md5", columns["public.after"])
        assert changed.checksum != before.checksum
        conn.rollback()
