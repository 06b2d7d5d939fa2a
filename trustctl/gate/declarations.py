"""Resources a control needs to exist, not merely to be right when present.

checkov only judges what is declared: a program without Cloudflare zone settings would pass every
TLS check by having nothing to check. What each control requires is in the catalog
(`requires:` in policies/controls.yaml); this module asks which of it a plan lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trustctl.catalog import Control, Required, load_catalog
from trustctl.roles.rules import INFERRED_FROM


def requirements(catalog: Iterable[Control] | None = None) -> tuple[Required, ...]:
    """Every requirement of every control, in catalog order."""
    return tuple(req for control in catalog or load_catalog() for req in control.requires)


def missing_declarations(resources: Iterable[Mapping[str, Any]],
                         required: Iterable[Required] | None = None) -> list[Required]:
    """The requirements no resource meets; `resources` are plan entries with `type` and `values`."""
    present = [(r.get("type", ""), r.get("values") or {}) for r in resources]
    return [req for req in (requirements() if required is None else required)
            if not any(req.is_met_by(kind, values) for kind, values in present)]


def missing_by_control(planned: list[dict[str, Any]],
                       catalog: Iterable[Control] | None = None) -> dict[str, list[str]]:
    """Control id -> what it requires that no planned resource declares."""
    missing: dict[str, list[str]] = {}
    for req in missing_declarations(planned, requirements(catalog)):
        checks = ", ".join(req.checked_by)
        missing.setdefault(req.control, []).append(
            f"{req.describe()}{_inferred_from(req)} (checked by {checks})")
    return missing


def _inferred_from(req: Required) -> str:
    """How the gate would recognise a role the program does not tag."""
    roles = [f"{path.removeprefix('tags.')}={value}" for d in req.any_of
             for path, value in d.match.items()]
    graph = [INFERRED_FROM[r] for r in roles if r in INFERRED_FROM]
    return f", i.e. {' or '.join(graph)}" if graph else ""


def controls_with_requirements(catalog: Iterable[Control] | None = None) -> frozenset[str]:
    return frozenset(req.control for req in requirements(catalog))
