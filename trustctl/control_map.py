"""Everything that keeps and proves one control, with the file of each: from a sentence of the
page to the infrastructure that declares it (the "Implements" docstrings of infra/components),
the static checks (policies/checks; checkov's built-ins named as such), the live checks
(trustctl/audit/checks), the drill's steps, the records that prove it and its figures.

`trustctl controls --show ID` prints it, so nobody greps ids across the tree.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from trustctl.catalog import Control, Figure, load_catalog
from trustctl.errors import InputError
from trustctl.gate.waiver_rules import POLICY_CHANGE
from trustctl.input_limits import ATTESTATION, CHECK, load_yaml
from trustctl.paths import POLICIES, PROJECT_CHECKS, REPO_ROOT

COMPONENTS = REPO_ROOT / "infra" / "components"
ATTESTATIONS = POLICIES / "attestations"
_PY_CHECK_ID = re.compile(r'check_id="(CKV_TRUST_\d+)"')
_IMPLEMENTS = re.compile(r"\bImplements\b")


@dataclass(frozen=True)
class Place:
    """One thing that keeps or proves the control: its name and the file that holds it
    (None for what lives outside the repository, like a checkov built-in)."""

    name: str
    file: str | None
    note: str = ""

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "file": self.file, **({"note": self.note} if self.note else {})}


@dataclass(frozen=True)
class ControlMap:
    control: Control
    components: tuple[Place, ...]
    static: tuple[Place, ...]
    live: tuple[Place, ...]
    drill: tuple[Place, ...]
    records: tuple[Place, ...]
    attestations: tuple[Place, ...]
    figures: dict[str, Figure] = field(default_factory=dict)

    def files(self) -> list[str]:
        """Every file this map names, relative to the repository."""
        return sorted({p.file for group in (self.components, self.static, self.live, self.drill,
                                            self.records, self.attestations)
                       for p in group if p.file})


def control_map(control_id: str) -> ControlMap:
    """The map of one control; an unknown id is refused naming the closest known one."""
    catalog = {c.id: c for c in load_catalog()}
    if control_id not in catalog:
        closest = difflib.get_close_matches(control_id.upper(), catalog, n=1, cutoff=0)
        raise InputError(f"unknown control id {control_id!r}"
                         + (f" (closest: {closest[0]})" if closest else ""))
    control = catalog[control_id]
    ver = control.verification
    return ControlMap(
        control=control,
        components=tuple(p for p, ids in implementing_components().items() if control.id in ids),
        static=tuple(_static(check) for check in ver.static),
        live=tuple(_live(check) for check in ver.live),
        drill=_drill(control.id),
        records=_records(control),
        attestations=tuple(Place(p.stem, _relative(p)) for p in sorted(ATTESTATIONS.glob("*.yaml"))
                           if (load_yaml(p, ATTESTATION, "attestation").document or {}).get(
                               "control") == control.id),
        figures=dict(control.figures),
    )


@cache
def implementing_components() -> dict[Place, frozenset[str]]:
    """Each component class of infra/components whose docstring says "Implements", and the
    control ids it names there."""
    ids = {c.id for c in load_catalog()}
    found: dict[Place, frozenset[str]] = {}
    for path in sorted(COMPONENTS.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            doc = ast.get_docstring(node) if isinstance(node, ast.ClassDef) else None
            match = _IMPLEMENTS.search(doc or "")
            if doc and match:
                named = frozenset(i for i in ids if re.search(
                    rf"(?<![\w-]){re.escape(i)}(?![\w-])", doc[match.start():]))
                found[Place(node.name, _relative(path))] = named
    return found


@cache
def _project_checks() -> dict[str, str]:
    """CKV_TRUST_* id -> the file of policies/checks that defines it."""
    files: dict[str, str] = {}
    for path in sorted(PROJECT_CHECKS.rglob("*")):
        if path.suffix == ".py":
            files |= {i: _relative(path) for i in _PY_CHECK_ID.findall(path.read_text())}
        elif path.suffix in (".yaml", ".yml"):
            check_id = ((load_yaml(path, CHECK).document or {}).get("metadata") or {}).get("id")
            if check_id:
                files[check_id] = _relative(path)
    return files


def _static(check_id: str) -> Place:
    if check_id in _project_checks():
        return Place(check_id, _project_checks()[check_id])
    if check_id.startswith("zizmor/"):
        return Place(check_id, None, "zizmor audit (run beside checkov)")
    if check_id == POLICY_CHANGE:  # judged by trustctl itself, against the base branch
        from trustctl.gate import policy_change
        return Place(check_id, _relative(Path(policy_change.__file__)))
    return Place(check_id, None, "checkov built-in")


@cache
def _live_checks() -> dict[str, str]:
    """Live check id -> the file of trustctl/audit/checks that defines it."""
    from trustctl.audit.registry import all_checks

    return {c.id: _relative(Path(c.judge.__code__.co_filename)) for c in all_checks()}


def _live(check_id: str) -> Place:
    return Place(check_id, _live_checks().get(check_id), "" if check_id in _live_checks()
                 else "no such live check")


def _drill(control_id: str) -> tuple[Place, ...]:
    from trustctl.drill import run

    return tuple(Place(step, _relative(Path(run.__file__)), "drill step")
                 for step, controls in run.STEP_CONTROLS.items() if control_id in controls)


def _records(control: Control) -> tuple[Place, ...]:
    """The kinds of record that carry a verdict on the control, each with the file writing it."""
    from trustctl.access_review import record as review
    from trustctl.evidence.assess import DAILY_BACKUP

    ver = control.verification
    kinds = [("gate", "trustctl/gate/command.py", bool(ver.static or control.requires
                                                       or ver.schedule)),
             ("audit", "trustctl/audit/command.py", bool(ver.live)),
             ("drill", "trustctl/drill/record.py", bool(_drill(control.id))),
             ("backup", "trustctl/backup/command.py", control.id == DAILY_BACKUP),
             (review.KIND, "trustctl/access_review/record.py", control.id == review.CONTROL)]
    return tuple(Place(f"{kind}-*.json", file) for kind, file, proves in kinds if proves)


def _relative(path: Path) -> str:
    return path.resolve().relative_to(REPO_ROOT).as_posix()
