"""Where a record came from, written by the store into every record (not by each flow).

The environment (production, or the sandbox and its profile: the provider's), the store it
was written to, the AWS region, the code and catalog, and the CI run when there is one.
What a flow alone knows (the bucket it backed up to, the database host and server version,
the Cloudflare zone, the site URL, the program a gate judged) it adds as the record's own
`provenance`; the store merges this over it, so no flow (nor a file it read) can say it came
from another environment or store. Never a credential: records pass redaction.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from trustctl.environment import Environment
from trustctl.records.ci import github_run


def provenance(environment: Environment, store: str) -> dict[str, Any]:
    """Where a record written now, to `store`, comes from (never a credential)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    found: dict[str, Any] = {"environment": environment.to_json(), "store": store,
                             "host": platform.node()}
    if region:
        found["aws_region"] = region
    run = github_run()
    if run:
        found["ci"] = run
    return found


def environment_of(record_provenance: dict[str, Any]) -> str:
    """A record's environment name; a record that does not say is not production's."""
    environment = record_provenance.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else None
    return name if isinstance(name, str) else "unknown"


def judged_input(kind: str, paths: list[Path], stack: str) -> dict[str, Any]:
    """What a gate judged: the input kind (program, preview, state), each path relative to its
    git checkout's root, the stack, and the checkout's commit and whether its tree was clean
    (a gate over uncommitted files proves nothing about what was merged)."""
    first = paths[0] if paths else Path.cwd()
    root = _git(first, "rev-parse", "--show-toplevel")
    shown = [_relative(p, Path(root)) if root else str(p) for p in paths]
    found: dict[str, Any] = {"input": kind, "paths": shown, "stack": stack}
    if root:
        found["commit"] = _git(first, "rev-parse", "HEAD")
        status = _git(first, "status", "--porcelain", "--untracked-files=no")
        found["clean"] = status == ""
    return found


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _git(where: Path, *args: str) -> str | None:
    directory = where if where.is_dir() else where.parent
    try:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
