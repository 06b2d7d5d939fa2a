"""Reviewed exceptions (policies/exceptions.yaml): a known finding accepted for a while.

Each names a control or a check, a resource (URN or logical name), a reason, an owner, the date
it was added and an expiry date; all are required, and a malformed entry is refused with its
`file:line` before anything is planned (exit 2). Whether a well-formed entry keeps the rules
(how long, whose) is gate/waiver_rules.py's; an expired or refused exception fails the gate
rather than silently lapsing, and every exception in force is listed in every report. The file
is read once per run, within the size and value limits of a file a pull request controls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from trustctl.errors import InputError
from trustctl.gate.policy_file import read_list, value_node
from trustctl.input_limits import EXCEPTIONS
from trustctl.paths import EXCEPTIONS_PATH

_REQUIRED = ("resource", "reason", "owner", "added", "expires")


@dataclass(frozen=True)
class Waiver:
    """One entry of policies/exceptions.yaml: a finding accepted until `expires` (not a raise)."""

    resource: str
    reason: str
    owner: str
    expires: dt.date
    control: str | None = None
    check: str | None = None
    added: dt.date | None = None
    file: str | None = None  # where the entry is written: its first line, its `added:` line
    line: int | None = None
    added_line: int | None = None
    refused: str | None = None  # why it breaks a rule (gate/waiver_rules.py): it accepts nothing
    # a rule that could not be checked (gate/waiver_rules.py): it accepts, but what it accepts
    # is not verified, and its control reads `error` (not checked), never `excepted`
    unchecked: str | None = None

    def covers(self, control_id: str, check_id: str | None, urn: str | None,
               name: str | None) -> bool:
        """True when this exception accepts that check's finding on that resource."""
        if self.control is not None and self.control != control_id:
            return False
        if self.check is not None and self.check != check_id:
            return False
        return self.resource in {urn, name}

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else self.file or "?"

    def lapse(self, today: dt.date) -> str | None:
        """Why it accepts nothing today (refused, or expired), None while it is in force."""
        if self.refused is not None:
            return f"waiver refused ({self.where}): {self.refused}"
        if self.expired(today):
            return (f"exception expired on {self.expires.isoformat()} (owner {self.owner}): "
                    f"{self.reason}")
        return None

    def to_json(self) -> dict[str, str | None]:
        return {"control": self.control, "check": self.check, "resource": self.resource,
                "reason": self.reason, "owner": self.owner,
                "added": self.added.isoformat() if self.added else None,
                "expires": self.expires.isoformat()}


class _DatesAsText(yaml.CSafeLoader):
    """YAML without implicit timestamps: `expires: 2027-31-30` stays text to be refused with
    its line, instead of PyYAML's ValueError from deep inside the parser."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def load_exceptions(path: Path = EXCEPTIONS_PATH, control_ids: frozenset[str] = frozenset(),
                    check_ids: frozenset[str] = frozenset()) -> list[Waiver]:
    """Read and validate the exceptions file; a missing file means no exceptions. Any problem is
    one InputError naming the file, the line and the entry. Given `check_ids` (the checks some
    control lists), an exception for any other check is refused: advisories need none."""
    if not path.exists():
        return []
    return [_exception(entry, node, i, path, control_ids, check_ids) for i, (entry, node) in
            enumerate(read_list(path, "exceptions", EXCEPTIONS, "exceptions", _DatesAsText))]


def _exception(entry: object, node: yaml.Node, index: int, path: Path,
               control_ids: frozenset[str], check_ids: frozenset[str]) -> Waiver:
    """One entry, refused with its line (the offending key's, else the entry's)."""
    label = f"exception {index + 1}"
    if isinstance(entry, dict):
        what = " ".join(str(entry[k]) for k in ("control", "check") if entry.get(k))
        label += f" ({what or '?'} on {entry.get('resource') or '?'})"

    def refuse(problem: str, key: str | None = None) -> InputError:
        at = (value_node(node, key) if key else None) or node
        return InputError(f"{path}:{at.start_mark.line + 1}: {label}: {problem}")

    if not isinstance(entry, dict):
        raise refuse("is not a mapping")
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if not (entry.get("control") or entry.get("check")):
        missing.insert(0, "control or check")
    if missing:
        raise refuse(f"lacks {', '.join(missing)}")
    if control_ids and entry.get("control") and entry["control"] not in control_ids:
        raise refuse(f"names unknown control {entry['control']!r}", "control")
    if check_ids and entry.get("check") and entry["check"] not in check_ids:
        raise refuse(f"names check {entry['check']}, which no control lists (advisories need "
                     "no exception)", "check")
    added, expires = (_date(entry, key, refuse) for key in ("added", "expires"))
    if expires < added:
        raise refuse(f"expires {expires.isoformat()}, before it was added "
                     f"({added.isoformat()})", "expires")
    return Waiver(
        resource=str(entry["resource"]), reason=str(entry["reason"]), owner=str(entry["owner"]),
        expires=expires, control=entry.get("control"), check=entry.get("check"), added=added,
        file=str(path), line=node.start_mark.line + 1,
        added_line=value_node(node, "added").start_mark.line + 1,  # type: ignore[union-attr]
    )


def _date(entry: dict, key: str, refuse: Callable[..., InputError]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(entry[key]))
    except ValueError as exc:
        raise refuse(f"{key} {entry[key]!r} is not a YYYY-MM-DD date", key) from exc
