"""The control catalog (policies/controls.yaml): the spine every report is keyed by, and the one
home of the security page's figures (35 days, 2 years, 24 h, 4 h, 92 days, 10 attempts): each
control's `figures:`, read here by the infrastructure, the audit, the drill, the access review
and the evidence (and, in checkov's own environment, by policies/checks/trust_check_support.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

from trustctl.errors import InputError
from trustctl.input_limits import CATALOG, load_yaml
from trustctl.paths import catalog_path


@dataclass(frozen=True)
class ScheduleRequirement:
    """A job the repository's workflows must run: `command`, at least every `every_days` days,
    in the production environment, as the role named by the variable `role_variable`; with
    `when_declared`, only in an estate that declares a resource of one of those (TF) types."""

    command: str
    every_days: int
    role_variable: str
    when_declared: tuple[str, ...] = ()

    def applies_to(self, resource_types: set[str]) -> bool:
        return not self.when_declared or bool(resource_types & set(self.when_declared))


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


Figure = int | float | str


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
    figures: Mapping[str, Figure] = field(default_factory=dict)  # the page's numbers for it


def _control(raw: dict, path: Path) -> Control:
    try:
        ver = raw.get("verification") or {}
        figures = dict(raw.get("figures") or {})
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
                schedule=_schedule(ver.get("schedule"), figures),
                repository={str(k): str(v) for k, v in (ver.get("repository") or {}).items()},
            ),
            requires=tuple(_required(raw["id"], entry) for entry in raw.get("requires") or ()),
            figures=figures,
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


def _schedule(raw: dict | None, figures: Mapping[str, Figure]) -> ScheduleRequirement | None:
    """How often is the control's own figure `every_days` (one home for "daily", "quarterly")."""
    if raw is None:
        return None
    return ScheduleRequirement(str(raw["command"]), int(figures["every_days"]),
                               str(raw["role_variable"]),
                               tuple(str(t) for t in raw.get("when_declared") or ()))


def load_catalog(path: Path | None = None) -> tuple[Control, ...]:
    """The catalog at `path`, else the one in force (trustctl.paths.catalog_path)."""
    return _load(path or catalog_path())


@cache
def _document(path: Path) -> dict[str, Any]:
    doc = load_yaml(path, CATALOG, "control catalog").document
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a control catalog (expected a mapping)")
    return doc


@cache
def _load(path: Path) -> tuple[Control, ...]:
    """Read and validate a catalog once; ids must be unique."""
    doc = _document(path)
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


@dataclass(frozen=True)
class PageFigures:
    """The security page's figures, typed, each read from its control's `figures:`."""

    hsts_max_age_seconds: int  # HSTS "2-year max-age"
    key_rotation_days: int  # ENC-AT-REST: customer-managed keys rotate this often
    backup_every_days: int  # "Daily"
    backup_retention_days: int  # "kept 35 days"
    backup_lock_mode: str  # Object Lock mode that keeps them: nobody, root included, deletes early
    drill_every_days: int  # "quarterly" restore rehearsal
    review_every_days: int  # "quarterly" access review
    rpo: timedelta
    rto: timedelta
    lockout_after_attempts: int  # "Brute-force lockouts after 10 failed attempts"

    @property
    def rpo_hours(self) -> float:
        return self.rpo.total_seconds() / 3600

    @property
    def rto_hours(self) -> float:
        return self.rto.total_seconds() / 3600


_FIGURES = {  # PageFigures field -> (control, figure, type)
    "hsts_max_age_seconds": ("HSTS", "max_age_seconds", int),
    "key_rotation_days": ("ENC-AT-REST", "key_rotation_days", int),
    "backup_every_days": ("BACKUP-DAILY-35D", "every_days", int),
    "backup_retention_days": ("BACKUP-DAILY-35D", "retention_days", int),
    "backup_lock_mode": ("BACKUP-DAILY-35D", "lock_mode", str),
    "drill_every_days": ("RESTORE-DRILL", "every_days", int),
    "review_every_days": ("ACCESS-REVIEW", "every_days", int),
    "rpo": ("RPO-RTO", "rpo_hours", float),
    "rto": ("RPO-RTO", "rto_hours", float),
    "lockout_after_attempts": ("AUTH-RATE-LIMIT", "lockout_after_attempts", int),
}


def page_figures(path: Path | None = None) -> PageFigures:
    """The figures of the catalog at `path`, else of the one in force."""
    return _figures(path or catalog_path())


@cache
def _figures(path: Path) -> PageFigures:
    controls = {c.id: c for c in _load(path)}
    values: dict[str, object] = {}
    for name, (control_id, key, kind) in _FIGURES.items():
        raw = controls[control_id].figures.get(key) if control_id in controls else None
        if not _is_a(raw, kind):
            raise InputError(f"{path}: control {control_id} needs figure {key} ({kind.__name__}),"
                             f" got {raw!r}")
        values[name] = kind(raw)
    values["rpo"] = timedelta(hours=values["rpo"])  # type: ignore[arg-type]
    values["rto"] = timedelta(hours=values["rto"])  # type: ignore[arg-type]
    return PageFigures(**values)  # type: ignore[arg-type]


def _is_a(raw: object, kind: type) -> bool:
    """A figure of the right type: text for text, a whole number for a count, any number (not a
    yes/no) for hours."""
    if isinstance(raw, bool):
        return False
    return isinstance(raw, (int, float) if kind is float else kind)


@dataclass(frozen=True)
class ChangeControl:
    """What holds the gate's own policy: how long a waiver may last after it was added, and the
    paths (a trailing `/`: a directory) whose change a pull request needs the owners for."""

    waiver_max_days: int
    owners_review: tuple[str, ...]


def change_control(path: Path | None = None) -> ChangeControl:
    """The `change_control:` of the catalog at `path`, else of the one in force; a waiver limit
    that is missing, not a whole number or outside 1..365 days is refused: a waiver is never
    unlimited."""
    return _change_control(path or catalog_path())


@cache
def _change_control(path: Path) -> ChangeControl:
    raw = _document(path).get("change_control")
    raw = raw if isinstance(raw, dict) else {}
    days = raw.get("waiver_max_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise InputError(f"{path}: change_control.waiver_max_days must be a whole number of days "
                         f"from 1 to 365, not {days!r} (a waiver is never unlimited)")
    paths = raw.get("owners_review")
    if not isinstance(paths, list) or not paths or not all(
            isinstance(p, str) and p.strip("/") for p in paths):
        raise InputError(f"{path}: change_control.owners_review must list the paths the owners "
                         "review (policies/, .github/, ...)")
    return ChangeControl(days, tuple(paths))
