"""Reviewed exceptions (policies/exceptions.yaml): a known finding accepted for a while.

Each names a control or a check, a resource (URN or logical name), a reason, an owner and an
expiry date; all are required. An expired exception fails the gate rather than silently
lapsing, and every exception in force is listed in every report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from trustctl.errors import InputError
from trustctl.paths import EXCEPTIONS_PATH

_REQUIRED = ("resource", "reason", "owner", "expires")


@dataclass(frozen=True)
class Waiver:
    """One entry of policies/exceptions.yaml: a finding accepted until `expires` (not a raise)."""

    resource: str
    reason: str
    owner: str
    expires: dt.date
    control: str | None = None
    check: str | None = None

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

    def to_json(self) -> dict[str, str | None]:
        return {"control": self.control, "check": self.check, "resource": self.resource,
                "reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat()}


def load_exceptions(path: Path = EXCEPTIONS_PATH,
                    control_ids: frozenset[str] = frozenset()) -> list[Waiver]:
    """Read and validate the exceptions file; a missing file means no exceptions."""
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read exceptions {path}: {exc}") from exc
    entries = doc.get("exceptions") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a top-level `exceptions` list")
    return [_exception(entry, i, path, control_ids) for i, entry in enumerate(entries)]


def _exception(entry: object, index: int, path: Path,
               control_ids: frozenset[str]) -> Waiver:
    where = f"{path}: exception {index}"
    if not isinstance(entry, dict):
        raise InputError(f"{where} is not a mapping")
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if not (entry.get("control") or entry.get("check")):
        missing.insert(0, "control or check")
    if missing:
        raise InputError(f"{where} lacks {', '.join(missing)}")
    if control_ids and entry.get("control") and entry["control"] not in control_ids:
        raise InputError(f"{where} names unknown control {entry['control']!r}")
    expires = entry["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError as exc:
            raise InputError(f"{where}: expires {expires!r} is not a YYYY-MM-DD date") from exc
    if not isinstance(expires, dt.date):
        raise InputError(f"{where}: expires must be a YYYY-MM-DD date")
    return Waiver(
        resource=str(entry["resource"]), reason=str(entry["reason"]), owner=str(entry["owner"]),
        expires=expires, control=entry.get("control"), check=entry.get("check"),
    )
