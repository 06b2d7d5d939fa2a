"""Which policy a gate run judges by: the catalog, the project checks, the exceptions and the
owners who may accept them, chosen once from the command line.

In CI the policy comes from the base branch (`--base DIR`, a second checkout, or `--policies
DIR`), never from the pull request being judged: a pull request that edits the policy it is
judged by gains nothing from the edit. A policies directory without a catalog or checks of its
own (a repository that adopts trustctl keeps only its exceptions and owners) uses those
installed with trustctl.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trustctl.paths import EXCEPTIONS_PATH, PROJECT_CHECKS, catalog_path

POLICIES_IN_PROJECT = Path("policies")
OWNERS_FILE = "owners.yaml"


@dataclass(frozen=True)
class PolicySet:
    catalog: Path
    checks: Path
    exceptions: Path
    owners: Path  # beside the exceptions: who may own one

    @classmethod
    def installed(cls) -> PolicySet:
        """The policy installed with trustctl (this repository's policies/; the catalog in force,
        $TRUSTCTL_CATALOG when set)."""
        return cls(catalog_path(), PROJECT_CHECKS, EXCEPTIONS_PATH,
                   EXCEPTIONS_PATH.parent / OWNERS_FILE)

    @classmethod
    def choose(cls, *, policies: Path | None, base: Path | None, exceptions: Path | None,
               project: Path) -> PolicySet:
        """`--policies DIR`, else the base checkout's policies/, else the project's own
        exceptions and the catalog and checks installed with trustctl; `--exceptions FILE`
        overrides where the exceptions (and, beside them, the owners) are read."""
        folder = policies or (base / POLICIES_IN_PROJECT if base is not None else None)
        waivers = exceptions or (folder or project / POLICIES_IN_PROJECT) / "exceptions.yaml"
        catalog = folder / "controls.yaml" if folder is not None else catalog_path()
        checks = folder / PROJECT_CHECKS.name if folder is not None else PROJECT_CHECKS
        return cls(catalog=catalog if catalog.is_file() else catalog_path(),
                   checks=checks if checks.is_dir() else PROJECT_CHECKS,
                   exceptions=waivers, owners=waivers.parent / OWNERS_FILE)
