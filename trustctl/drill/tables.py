"""The restored tables against the manifest: row counts and checksums taken in the dump's
snapshot on production; no table missing or extra. Returns findings (empty = pass).

Nothing writes a row to the scratch database while it is verified (the drill may verify while
pg_restore builds keys and indexes, which write none: drill/restore.py), so the tables need no
common snapshot: given more connections, each checksums a share of them at the same time
(largest first, each connection taking the next table when it is done), one server backend per
connection busy on its own core. On autocommit connections each table is its own transaction,
so a table's lock is held only while it is read (pg_restore's ALTER TABLE waits no longer).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Sequence

import psycopg

from trustctl.archive import inventory
from trustctl.archive.manifest import Manifest


def compare_tables(conn: psycopg.Connection, manifest: Manifest,
                   unverified: frozenset[str] = frozenset(),
                   more: Sequence[psycopg.Connection] = ()) -> list[str]:
    """Row counts and checksums of the restored tables against the manifest, but for the
    `unverified` ones (tables of extensions the restore skipped); `more` connections to the
    same database share the checksumming."""
    expected = {t.name: t for t in manifest.tables if t.name not in unverified}
    restored = {t.name: t for t in _stats(conn, more, {
        name: inventory.checksum_method(t) for name, t in expected.items()},
        {name: t.rows for name, t in expected.items()})}
    findings = [f"table {name} is missing after the restore"
                for name in sorted(expected.keys() - restored.keys())]
    findings += [f"table {name} is not in the manifest" for name in sorted(restored.keys() -
                                                                              expected.keys())]
    for name in sorted(expected.keys() & restored.keys()):
        want, got = expected[name], restored[name]
        if want.rows != got.rows:
            findings.append(f"table {name}: {got.rows} rows restored, manifest says {want.rows}")
        elif want.checksum != got.checksum:
            findings.append(f"table {name}: content checksum differs from the manifest")
    return findings


def _stats(conn: psycopg.Connection, more: Sequence[psycopg.Connection],
           methods: dict[str, str], rows: dict[str, int]) -> list[inventory.TableStats]:
    """Every user table's stats (inventory.all_table_stats's), over all the connections."""
    by_text = inventory.columns_by_text(conn)
    names = sorted(inventory.table_names(conn), key=lambda st: -rows.get(f"{st[0]}.{st[1]}", 0))
    todo: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
    for name in names:
        todo.put(name)
    results: list[inventory.TableStats] = []
    failures: list[BaseException] = []

    def work(worker: psycopg.Connection) -> None:
        try:
            inventory.pin_settings(worker)
            while not failures:
                try:
                    schema, table = todo.get_nowait()
                except queue.Empty:
                    return
                name = f"{schema}.{table}"
                results.append(inventory.table_stats(worker, schema, table, methods.get(name),
                                                     by_text.get(name)))
        except BaseException as exc:  # raised again by the caller's thread
            failures.append(exc)

    helpers = [threading.Thread(target=work, args=(c,), name="verify-tables")
               for c in more[:max(len(names) - 1, 0)]]
    for helper in helpers:
        helper.start()
    try:
        work(conn)
    finally:
        if failures:  # an interrupt or an error: the others stop their table too
            for other in more:
                with contextlib.suppress(psycopg.Error):
                    other.cancel()
        for helper in helpers:
            helper.join()
    if failures:
        raise failures[0]
    return results
