"""Dependabot keeps the dependencies of every ecosystem a gated repository has up to date: its
Python packages (pip or uv: the gate checks Pulumi Python programs) and its GitHub Actions."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import RepositoryFileCheck

WANTED = {"Python packages": ("pip", "uv"), "GitHub Actions": ("github-actions",)}

METADATA = Metadata(
    severity="MEDIUM",
    risk="Vulnerable dependencies and actions stay pinned at old versions; nobody is told.",
    remediation="Add .github/dependabot.yml (version: 2) with updates for package-ecosystem "
                "uv (or pip) and github-actions, each with a schedule.",
)


class DependabotUpdatesEcosystems(RepositoryFileCheck):
    def problems(self, document: dict[str, Any]) -> list[str] | None:
        updates = document.get("updates")
        if not isinstance(updates, list) or "version" not in document:
            return None  # not a Dependabot file
        found = [] if str(document["version"]) == "2" else [
            f"version is {document['version']!r}, Dependabot reads version 2"]
        entries = [u for u in updates if isinstance(u, dict)]
        ecosystems = {str(u.get("package-ecosystem")) for u in entries}
        for what, names in WANTED.items():
            if not ecosystems & set(names):
                found.append(f"no update for {what} (package-ecosystem {' or '.join(names)})")
        found += [f"{u.get('package-ecosystem')}: no schedule.interval" for u in entries
                  if not isinstance(u.get("schedule"), dict) or not u["schedule"].get("interval")]
        return found


check = DependabotUpdatesEcosystems(
    check_id="CKV_TRUST_64",
    name="Ensure Dependabot updates the repository's Python packages and GitHub Actions",
    metadata=METADATA)
