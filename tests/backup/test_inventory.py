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
