"""Is the history whole? Each kind's records of one store form a chain; each is signed.

A record carries its kind's sequence number and the hash of the record before it, and a
signature over its own hash. Against keys pinned apart from the records:
- an edited record no longer matches its signature (re-hashing does not help, re-signing
  needs the key);
- a forged record is signed by no trusted key, or claims a place another record holds;
- a deleted record leaves a hole in the sequence; a reordered or swapped one names a
  `previous` that is not the record before it.
Each is a Problem naming the record. Records whose signature fails are no evidence at all;
the others still count, but the history around them is reported as broken.
(Removing the newest records of a kind leaves no hole: the bucket's Object Lock and its
version listing, trustctl/records/s3.py, are what guard the end of the chain.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from trustctl.records.record import Record
from trustctl.records.signing import ALGORITHM, PublicKey, Signature, verifies
from trustctl.records.store import Problem


def check_history(records: list[Record], trusted: Mapping[str, PublicKey],
                  unread: list[Record] | None = None) -> tuple[list[Record], list[Problem]]:
    """The records that are evidence (signed by a trusted key), and every problem found.
    `unread`: whole records whose facts did not read (already problems, never evidence),
    which still hold their place in their chain: no hole is reported after them."""
    good, problems = [], []
    for record in records:
        problem = _signature_problem(record, trusted)
        if problem:
            problems.append(Problem(record.name, problem, record))
        else:
            good.append(record)
    by_kind: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records + (unread or []):
        by_kind[record.kind, record.chain].append(record)
    for chain in by_kind.values():
        problems += _chain_problems(sorted(chain, key=lambda r: (r.sequence, r.name)))
    return good, problems


def _signature_problem(record: Record, trusted: Mapping[str, PublicKey]) -> str | None:
    if record.signature is None:
        return "not signed: no proof who wrote it"
    signature = Signature.from_json(record.signature)
    if signature is None or signature.algorithm != ALGORITHM:
        return "signature malformed"
    key = trusted.get(signature.key)
    if key is None:
        return (f"signed by a key that is not trusted ({signature.key}): a forged or "
                "re-signed record")
    if not verifies(key, signature.value, record.signed_message):
        return "signature does not verify: the record was edited after it was signed"
    return None


def _chain_problems(chain: list[Record]) -> list[Problem]:
    problems = []
    before: Record | None = None
    for record in chain:
        expected = before.sequence + 1 if before else 1
        if before is not None and record.sequence == before.sequence:
            problems.append(Problem(record.name, f"claims {record.kind} sequence "
                                    f"{record.sequence}, as {before.name} does: one of them "
                                    "was added", record))
            continue
        if record.sequence != expected:
            missing = (f"{expected}" if record.sequence == expected + 1
                       else f"{expected} to {record.sequence - 1}")
            problems.append(Problem(record.name, f"{record.kind} record(s) {missing} before "
                                    "it are missing: deleted from the history", record))
        elif record.previous != (before.sha256 if before else None):
            after = f"after {before.name}" if before else "first of its kind"
            problems.append(Problem(record.name, f"does not follow the record {after} "
                                    "(previous hash differs): reordered, replaced or edited",
                                    record))
        before = record
    return problems
