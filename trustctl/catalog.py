"""The control catalog (policies/controls.yaml): the spine every report is keyed by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError
from trustctl.paths import CATALOG_PATH


@dataclass(frozen=True)
class ScheduleRequirement:
    """A job the repository's workflows must run: `command`, at least every `every_days` days,
    in the production environment, as the role named by the variable `role_variable`."""

    command: str
    every_days: int
    role_variable: str


@dataclass(frozen=True)
class Verification:
    static: tuple[str, ...] = ()
    live: tuple[str, ...] = ()
    drill: bool = False
    attested: bool = False
    schedule: ScheduleRequirement | None = None
    # checks of the repository's .github: id -> what passing it somewhere proves (gate/run.py)
    repository: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    """A resource of `type` whose values match `match`: dotted paths to `fnmatch` patterns."""

    type: str
    match: Mapping[str, str]

    def describe(self) -> str:
        wanted = ", ".join(f"{k}={v}" for k, v in self.match.items())
        return self.type + (f" with {wanted}" if wanted else "")

    def is_met_by(self, resource_type: str, values: Mapping[str, Any]) -> bool:
        return resource_type == self.type and all(
            fnmatchcase(str(_value_at(values, path)), pattern)
            for path, pattern in self.match.items()
        )


@dataclass(frozen=True)
class Required:
    """One of `any_of` must be declared for `control`; `checked_by` then judges its settings."""

    control: str
    any_of: tuple[Declaration, ...]
    checked_by: tuple[str, ...]

    def describe(self) -> str:
        return " or ".join(d.describe() for d in self.any_of)

    def is_met_by(self, resource_type: str, values: Mapping[str, Any]) -> bool:
        return any(d.is_met_by(resource_type, values) for d in self.any_of)


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
    requires: tuple[Required, ...] = ()


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
                schedule=_schedule(ver.get("schedule")),
                repository={str(k): str(v) for k, v in (ver.get("repository") or {}).items()},
            ),
            requires=tuple(_required(raw["id"], entry) for entry in raw.get("requires") or ()),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: control {raw.get('id', '?')!r} lacks field {exc}") from exc


def _required(control_id: str, raw: dict) -> Required:
    """`declare:`/`where:`, or `any_of:` a list of them; `checked_by:` the judging checks."""
    options = raw.get("any_of", [raw])
    return Required(
        control=control_id,
        any_of=tuple(Declaration(o["declare"], dict(o.get("where") or {})) for o in options),
        checked_by=tuple(raw["checked_by"]),
    )


def _value_at(values: Mapping[str, Any], path: str) -> Any:
    """`tags.trustctl:purpose` reads values["tags"]["trustctl:purpose"]; tag keys hold no dots."""
    node: Any = values
    for key in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _schedule(raw: dict | None) -> ScheduleRequirement | None:
    if raw is None:
        return None
    return ScheduleRequirement(str(raw["command"]), int(raw["every_days"]),
                               str(raw["role_variable"]))


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
