"""CODEOWNERS names an owner for every file of the gate: its policy, its code and environment,
and the workflows that run it (the catalog's change_control.owners_review). With branch
protection requiring code-owner review, a pull request that edits the policy it is judged by
cannot merge without the owners.

The gate hands checkov the CODEOWNERS file GitHub reads (the first of .github/, the root,
docs/) as a YAML document with the reviewed files the repository has, and one new file in each
reviewed directory (a file a pull request could add). GitHub's matching rules are those of the
`codeowners` library (MIT): the last matching line wins, a line without owners leaves its
files unowned, `docs/*` covers only the files directly in docs/.
"""

from typing import Any

from codeowners import CodeOwners
from trust_check_support import Metadata
from workflow_support import RepositoryFileCheck

NAMED = 3  # unowned files named per reviewed path; the rest are counted

METADATA = Metadata(
    severity="HIGH",
    risk="A pull request weakens the gate's policy, code or workflow (or adds itself a waiver) "
         "and merges with any reviewer's approval.",
    remediation="Add .github/CODEOWNERS lines giving policies/, .github/ and the gate's code an "
                "owner (e.g. `/policies/ @org/security`), and require code-owner review on main.",
)


def _unowned(owners: CodeOwners, files: list[str]) -> list[tuple[str, str]]:
    """(file, why) for each file no CODEOWNERS line gives an owner."""
    found = []
    for path in files:
        named, line, pattern, _ = owners.matching_line(path)
        if not named:
            found.append((path, f"line {line} (`{pattern}`) names no owner" if line
                          else "no line matches it"))
    return found


class CodeOwnersCoverTheGate(RepositoryFileCheck):
    def problems(self, document: dict[str, Any]) -> list[str] | None:
        if "codeowners" not in document or not isinstance(document.get("reviewed"), dict):
            return None  # not the CODEOWNERS document the gate stages
        owners = CodeOwners(str(document.get("text") or ""))
        found = []
        for entry, files in document["reviewed"].items():
            if str(entry).startswith("__") or not isinstance(files, list):
                continue  # checkov's line marks
            unowned = _unowned(owners, [str(f) for f in files])
            if unowned:
                named = "; ".join(f"{path}: {why}" for path, why in unowned[:NAMED])
                more = f" and {len(unowned) - NAMED} more" if len(unowned) > NAMED else ""
                found.append(f"{entry} has files without a code owner in "
                             f"{document['codeowners']} ({named}{more})")
        return found


check = CodeOwnersCoverTheGate(
    check_id="CKV_TRUST_66",
    name="Ensure CODEOWNERS names owners for the gate's policy, code and workflows",
    metadata=METADATA)
