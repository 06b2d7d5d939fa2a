"""Attestations (policies/attestations/*.yaml): a person vouches for a promise no machine checks.

Each file names the control, the statement attested, who attests, when, until when it holds
and where the evidence lives. An attestation proves less than a check: reports show it as
`attested`, never as verified, and one that has expired is a gap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from trustctl.catalog import load_catalog
from trustctl.errors import InputError
from trustctl.input_limits import ATTESTATION, load_yaml
from trustctl.paths import POLICIES

ATTESTATIONS_DIR = POLICIES / "attestations"
_TEXT_FIELDS = ("control", "statement", "attested_by", "evidence")
_DATE_FIELDS = ("attested_on", "valid_until")


@dataclass(frozen=True)
class Attestation:
    file: str
    control: str
    statement: str
    attested_by: str
    attested_on: dt.date
    valid_until: dt.date
    evidence: str

    def expired(self, on: dt.date) -> bool:
        return self.valid_until < on

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "control": self.control, "statement": self.statement,
                "attested_by": self.attested_by, "attested_on": self.attested_on.isoformat(),
                "valid_until": self.valid_until.isoformat(), "evidence": self.evidence}


def load_attestations(directory: Path = ATTESTATIONS_DIR) -> list[Attestation]:
    """Every attestation in `directory`; a bad file is one line naming the file and field."""
    if not directory.is_dir():
        return []
    known = {c.id for c in load_catalog()}
    return [_attestation(path, known) for path in sorted(directory.glob("*.y*ml"))]


def _attestation(path: Path, known: set[str]) -> Attestation:
    doc = load_yaml(path, ATTESTATION, "attestation").document
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping of fields")
    for name in _TEXT_FIELDS:
        if not isinstance(doc.get(name), str) or not doc[name].strip():
            raise InputError(f"{path}: {name}: missing or empty")
    if doc["control"] not in known:
        raise InputError(f"{path}: control: unknown control id {doc['control']!r}")
    dates = {name: _date(path, name, doc.get(name)) for name in _DATE_FIELDS}
    if dates["valid_until"] < dates["attested_on"]:
        raise InputError(f"{path}: valid_until: before attested_on")
    return Attestation(file=path.name, control=doc["control"], statement=doc["statement"].strip(),
                       attested_by=doc["attested_by"].strip(), evidence=doc["evidence"].strip(),
                       **dates)


def _date(path: Path, name: str, value: object) -> dt.date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(f"{path}: {name}: expected a YYYY-MM-DD date")
    return value
