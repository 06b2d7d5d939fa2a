"""Who may accept a finding: the accountable owners (policies/owners.yaml, beside the exceptions).

A waiver names its owner, and only an owner listed here may own one: a team or person, each
with the person accountable for it. The file is changed by pull request only, under CODEOWNERS
like the rest of policies/, and in CI the base branch's copy is the one read.

    owners:
      - id: platform-oncall@claver.example
        accountable: Alice Martin (platform lead)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trustctl.errors import InputError
from trustctl.gate.policy_file import read_list
from trustctl.input_limits import OWNERS


@dataclass(frozen=True)
class Owners:
    ids: frozenset[str]
    path: Path

    def __contains__(self, owner: object) -> bool:
        return owner in self.ids


def load_owners(path: Path) -> Owners:
    """The owners file; a missing one lists nobody (so no waiver is accepted). Anything
    malformed is one InputError naming the file and the entry."""
    if not path.exists():
        return Owners(frozenset(), path)
    ids = []
    for index, (entry, node) in enumerate(read_list(path, "owners", OWNERS, "owners")):
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry[k].strip() for k in ("id", "accountable")):
            raise InputError(f"{path}:{node.start_mark.line + 1}: owner {index + 1} needs an "
                             "`id` and the `accountable` person behind it")
        ids.append(entry["id"].strip())
    return Owners(frozenset(ids), path)
