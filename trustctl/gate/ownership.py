"""Which controls a stack owns: one stack is rarely the whole estate.

A team that keeps the edge (Cloudflare) in one stack and AWS in another declares it in each
stack's config, under the key `trustctl:controls`:

    config:
      trustctl:controls:
        owns: [ENC-AT-REST, BACKUP-KEY-SEPARATE]   # only these (default: every control)
        ownedBy:                                   # and who owns some of the others
          acme/edge/prod: [TLS-MIN, HSTS, WAF]

The gate judges a control over the union of the inputs that own it; a control no input owns
is `not_applicable`, naming its owner when some input named one. A failed check is reported
wherever it is declared: disowning a control never hides a finding.

A control judged on the repository (CHANGE-CONTROL: its workflows, CODEOWNERS, the gate's own
policy) belongs to no stack: `owns` that leaves it out keeps it judged, and `ownedBy` that hands
it to another stack is refused with one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trustctl.errors import InputError

CONFIG_KEY = "trustctl:controls"


@dataclass(frozen=True)
class Ownership:
    """What one input declared: `owns` None means every control; `owned_by` control -> stack."""

    owns: frozenset[str] | None = None
    owned_by: Mapping[str, str] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()  # judged on the repository: owned whatever `owns` says

    def owns_control(self, control_id: str) -> bool:
        return control_id in self.kept or (
            (self.owns is None or control_id in self.owns) and control_id not in self.owned_by)


def parse_ownership(value: Any, where: str, known: Iterable[str],
                    repository_controls: Iterable[str] = ()) -> Ownership:
    """The `trustctl:controls` value (a mapping, or its JSON as Pulumi passes config) of one
    input; InputError naming `where` for anything else, an unknown control id, or a
    `repository_controls` id handed to another stack."""
    kept = frozenset(repository_controls)
    if value is None:
        return Ownership()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: {CONFIG_KEY} is not a mapping ({exc})") from exc
    if not isinstance(value, dict) or not set(value) <= {"owns", "ownedBy"}:
        raise InputError(f"{where}: {CONFIG_KEY} takes `owns: [control ids]` and/or "
                         "`ownedBy: {stack: [control ids]}`")
    known_ids = frozenset(known)
    owns = None if value.get("owns") is None else frozenset(
        _ids(value["owns"], f"{where}: {CONFIG_KEY}.owns", known_ids))
    owned_by: dict[str, str] = {}
    for stack, ids in _mapping(value.get("ownedBy"), f"{where}: {CONFIG_KEY}.ownedBy").items():
        for control_id in _ids(ids, f"{where}: {CONFIG_KEY}.ownedBy.{stack}", known_ids):
            if control_id in kept:
                raise InputError(f"{where}: {CONFIG_KEY}.ownedBy.{stack} names {control_id}, "
                                 "which no stack can disown: it is judged on the repository "
                                 "(its workflows, CODEOWNERS and the gate's policy)")
            if control_id in owned_by or (owns is not None and control_id in owns):
                raise InputError(f"{where}: {CONFIG_KEY} gives {control_id} two owners")
            owned_by[control_id] = str(stack)
    return Ownership(owns, owned_by, kept)


def owners_elsewhere(ownerships: Iterable[Ownership], control_ids: Iterable[str]
                     ) -> dict[str, str]:
    """Control id -> who owns it, for every control that no input owns (`another stack` when
    no input named the owner)."""
    ownerships = list(ownerships)
    elsewhere: dict[str, str] = {}
    for control_id in control_ids:
        if any(o.owns_control(control_id) for o in ownerships):
            continue
        named = sorted({o.owned_by[control_id] for o in ownerships if control_id in o.owned_by})
        elsewhere[control_id] = ", ".join(named) or "another stack"
    return elsewhere


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: not a mapping of stack -> [control ids]")
    return value


def _ids(value: Any, where: str, known: frozenset[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: not a list of control ids")
    unknown = sorted(set(value) - known)
    if unknown:
        raise InputError(f"{where}: unknown control id(s) {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(known))})")
    return value
