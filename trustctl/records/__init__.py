"""The record store: the one place every flow leaves its evidence, append-only.

Every run of gate, audit, backup, drill and access review writes one record; the evidence
report is built from records alone. The whole API:

    from trustctl.records import Record, open_store
    from trustctl.records.facts import AuditFacts

    record = Record.new(AuditFacts(exit_code=0, checks=[...]), started, finished,
                        targets={"account": "1234..."},
                        controls=[result.to_json() for result in results])
    store = open_store("evidence/")                # or "s3://bucket/prefix"
    where = store.write(record)                    # refuses to overwrite: RecordExistsError
    records = store.read("drill", Period(start, end))   # hash-checked, oldest first

A record is JSON: `kind`, `id`, `started`/`finished` (UTC ISO 8601), `code_version`,
`catalog_version`, `targets` (what was looked at, never a secret: DSN passwords are
redacted on the way in), `controls` ({id, status, findings} as in DESIGN.md), `facts`
(what was looked at and found, one typed model per kind: trustctl/records/facts/), its
`facts_schema` (`drill/1`) and `sha256`, the SHA-256 of the RFC 8785 (JCS) canonical encoding
of everything else. Commands take `--evidence-dir DIR` (default `evidence/`) or
`--evidence s3://bucket/prefix` (see trustctl.records.options).

Kinds the evidence report reads: `gate`, `audit`, `backup` (one per complete backup, control
BACKUP-DAILY-35D), `drill`, `access-review` (control ACCESS-REVIEW). A record's `controls`
status is one of DESIGN.md's (pass, fail, error, excepted, not_applicable, attested).
"""

from trustctl.records.record import Period, Record, RecordError
from trustctl.records.store import RecordExistsError, RecordStore
from trustctl.records.stores import open_store

__all__ = ["Period", "Record", "RecordError", "RecordExistsError", "RecordStore", "open_store"]
