"""The on-call roster (policies/oncall.yaml): who may hold production access, reviewed like code.

People are named engineers; services are machine principals with an owner and a purpose. Each
entry lists the principals it accounts for, as the review names them (`aws:role/oncall-alice`,
`sso:user/alice`, `postgres:alice`, `cloudflare:member/alice@claver.app`), shell-style patterns
allowed (`aws:role/claver-*-backup-writer`). A trusted ARN in a role's trust policy is matched
by its principal name (`arn:aws:iam::123456789012:role/oncall-alice` is `aws:role/oncall-alice`).
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from trustctl.errors import InputError
from trustctl.input_limits import ROSTER, load_yaml
from trustctl.paths import REPO_ROOT

DEFAULT_ROSTER = REPO_ROOT / "policies" / "oncall.yaml"
KINDS = {"people": "person", "services": "service"}
_IAM_ARN = re.compile(r"^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):"
                      r"(user|role|assumed-role|root)(?:/(.*))?$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Entry:
    """One person or service on the roster and the principals it accounts for."""

    name: str
    kind: str  # person | service
    principals: tuple[str, ...]
    owner: str | None = None

    def covers(self, principal: str) -> bool:
        return any(fnmatch.fnmatchcase(principal, pattern) for pattern in self.principals)

    def describe(self) -> str:
        return f"{self.name} ({self.kind}{f', owner {self.owner}' if self.owner else ''})"


@dataclass(frozen=True)
class Roster:
    entries: tuple[Entry, ...]
    path: str
    sha256: str

    def entry_for(self, principal: str) -> Entry | None:
        """The roster entry accounting for `principal` (a review name or a trusted ARN)."""
        name = principal_name(principal)
        return next((e for e in self.entries if e.covers(name)), None)


def load(path: Path = DEFAULT_ROSTER) -> Roster:
    """Read and validate the roster; every entry needs a name and at least one principal."""
    read = load_yaml(path, ROSTER, "the on-call roster")  # changed by pull request
    doc, raw = read.document, read.raw
    if not isinstance(doc, dict):
        raise InputError(f"{path}: the roster must be a mapping with people and services")
    entries = []
    for section, kind in KINDS.items():
        for number, item in enumerate(doc.get(section) or [], 1):
            if not isinstance(item, dict) or not item.get("name") or not item.get("principals"):
                raise InputError(f"{path}: {section} entry {number} needs a name and principals")
            if kind == "service" and not item.get("owner"):
                raise InputError(f"{path}: service {item['name']!r} needs an owner")
            entries.append(Entry(str(item["name"]), kind,
                                 tuple(str(p) for p in item["principals"]), item.get("owner")))
    return Roster(tuple(entries), _shown(path), hashlib.sha256(raw).hexdigest())


def _shown(path: Path) -> str:
    """The path relative to the repository when inside it: the same in every checkout."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def principal_name(principal: str) -> str:
    """The review's name for an IAM ARN (`aws:role/<name>`, `aws:user/<name>`); else as is."""
    match = _IAM_ARN.match(principal)
    if not match:
        return principal
    _account, kind, rest = match.groups()
    if kind == "root":
        return f"aws:account/{_account}"
    name = (rest or "").split("/")
    if kind == "assumed-role":
        return f"aws:role/{name[0]}"
    return f"aws:{kind}/{name[-1]}"


def whole_account(principal: str) -> bool:
    """True for a trust that admits every principal of an account (or of every account)."""
    return (principal == "*" or bool(_ACCOUNT_ID.match(principal))
            or principal_name(principal).startswith("aws:account/"))
