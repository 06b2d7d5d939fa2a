"""The restored tables against the manifest: row counts and checksums taken in the dump's
snapshot on production; no table missing or extra. Returns findings (empty = pass)."""

from __future__ import annotations

import psycopg

from trustctl.archive import inventory
from trustctl.archive.manifest import Manifest


def compare_tables(conn: psycopg.Connection, manifest: Manifest,
                   unverified: frozenset[str] = frozenset()) -> list[str]:
    """Row counts and checksums of the restored tables against the manifest, but for the
    `unverified` ones (tables of extensions the restore skipped)."""
    expected = {t.name: t for t in manifest.tables if t.name not in unverified}
    methods = {name: inventory.checksum_method(t) for name, t in expected.items()}
    restored = {t.name: t for t in inventory.all_table_stats(conn, methods)}
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
