"""Which records a report may rest on: whole, signed by a pinned key, of its environment.

A report for production is built from production records only: a record from the sandbox
(or one that does not say where it came from) is left out, and the report says which and why.
A gate record counts only when it judged the estate's own program and stack (a gate run over
a test fixture or a preview says nothing about what is deployed). Records that are not whole
(unreadable, altered, out of their chain, signed by no pinned key, overwritten or deleted in
the bucket) are problems: each named, each a finding. Job outcomes (unsigned, see
trustctl/records/outcome.py) come along apart: they may only lower a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustctl.errors import InputError
from trustctl.paths import POLICIES
from trustctl.records import Record, RecordStore
from trustctl.records.chain import check_history
from trustctl.records.origin import environment_of
from trustctl.records.outcome import JobOutcome
from trustctl.records.signing import PublicKey, fingerprint, load_public_key, local_public_key
from trustctl.records.store import Problem

PINNED_KEY = POLICIES / "evidence-signing-key.pem"


@dataclass(frozen=True)
class Estate:
    """The report's subject: its environment, and the program and stack its gate judges."""

    environment: str = "production"
    program: str = "."
    stack: str = "prod"
    project: str | None = None  # the program's Pulumi project name, when it has a Pulumi.yaml


@dataclass
class History:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[JobOutcome] = field(default_factory=list)
    outcome_problems: list[Problem] = field(default_factory=list)


def trusted_keys(files: Iterable[Path], *also: PublicKey | None,
                 local: bool = False) -> dict[str, PublicKey]:
    """Keys whose signatures on records count: the files given, the key pinned in the
    repository (policies/evidence-signing-key.pem), `also`, and with `local` this machine's
    record key. Never the local key by default: whoever builds the report holds it, and could
    sign any record they like with it."""
    keys = [load_public_key(_read(path), str(path)) for path in files]
    if PINNED_KEY.is_file():
        keys.append(load_public_key(_read(PINNED_KEY), str(PINNED_KEY)))
    keys += [k for k in (local_public_key() if local else None, *also) if k is not None]
    return {fingerprint(k): k for k in keys}


def load_history(store: RecordStore, trusted: dict[str, PublicKey], estate: Estate) -> History:
    scan = store.scan()
    good, problems = check_history(scan.records, trusted,
                                   [p.record for p in scan.problems if p.record is not None])
    history = History(problems=scan.problems + problems, outcomes=scan.outcomes,
                      outcome_problems=scan.outcome_problems)
    for record in good:
        why = _not_for(record, estate)
        if why:
            history.left_out.append({"record": record.name, "why": why})
        else:
            history.records.append(record)
    return history


def _not_for(record: Record, estate: Estate) -> str | None:
    environment = environment_of(record.provenance)
    if environment != estate.environment:
        return f"from the {environment} environment, not {estate.environment}"
    if record.kind != "gate":
        return None
    judged: Any = record.provenance.get("gate") or {}
    if judged.get("input") == "policy-pack":  # the engine's resources of a stack, at deployment
        if judged.get("stack") == estate.stack and judged.get("project") == estate.project:
            return None
        return (f"a policy-pack run on {judged.get('project', '?')}/{judged.get('stack', '?')}, "
                f"not the estate's {estate.project or '(no Pulumi.yaml)'}/{estate.stack}")
    shown = (f"{judged.get('input', '?')} {','.join(judged.get('paths') or []) or '?'} "
             f"(stack {judged.get('stack', '?')})")
    if (judged.get("input") != "program" or judged.get("paths") != [estate.program]
            or judged.get("stack") != estate.stack):
        return (f"a gate over {shown}, not the estate's program {estate.program} "
                f"(stack {estate.stack})")
    return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
