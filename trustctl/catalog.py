"""The control catalog (policies/controls.yaml): the spine every report is keyed by."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from trustctl.errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG_PATH = REPO_ROOT / "policies" / "controls.yaml"


@dataclass(frozen=True)
class Verification:
    static: tuple[str, ...] = ()
    live: tuple[str, ...] = ()
    drill: bool = False
    attested: bool = False


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    section: str
    promise: str
    soc2: tuple[str, ...]
    severity: str
    risk: str
    remediation: str
    verification: Verification = field(default_factory=Verification)


def _control(raw: dict, path: Path) -> Control:
    try:
        ver = raw.get("verification") or {}
        return Control(
            id=raw["id"],
            title=raw["title"],
            section=raw["section"],
            promise=raw["promise"],
            soc2=tuple(raw["soc2"]),
            severity=raw["severity"],
            risk=raw["risk"],
            remediation=raw["remediation"],
            verification=Verification(
                static=tuple(ver.get("static") or ()),
                live=tuple(ver.get("live") or ()),
                drill=bool(ver.get("drill", False)),
                attested=bool(ver.get("attested", False)),
            ),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: control {raw.get('id', '?')!r} lacks field {exc}") from exc


@cache
def load_catalog(path: Path = CATALOG_PATH) -> tuple[Control, ...]:
    """Read and validate the catalog once; ids must be unique."""
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read control catalog {path}: {exc}") from exc
    controls = tuple(_control(raw, path) for raw in doc["controls"])
    ids = [c.id for c in controls]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(f"{path}: duplicate control ids {duplicates}")
    return controls


def control(control_id: str) -> Control:
    """The control with this id, or an InputError naming the known ids."""
    for c in load_catalog():
        if c.id == control_id:
            return c
    raise InputError(f"unknown control id {control_id!r}")
