"""zizmor over the repository's GitHub Actions, beside checkov: its audits (unpinned actions,
dangerous triggers, template injection, ...) are kept rules, not ours to re-derive.

Each finding becomes a failed check `zizmor/<audit>` at the file and line zizmor names; the
catalog lists the audits that fail a control (`zizmor/unpinned-uses` under CHANGE-CONTROL),
and the gate reports the rest as advisories. zizmor runs offline (no GitHub API) and honours
the repository's own `.github/zizmor.yml`. It starts before checkov's run and is read after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from trustctl.errors import DependencyError
from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.tool_process import kill_tool, start_tool

CHECK_PREFIX = "zizmor/"
_TIMEOUT_S = 120


def zizmor_binary() -> Path:
    """zizmor installed beside this Python (the project's environment), else on PATH."""
    beside = Path(sys.executable).parent / "zizmor"
    found = beside if beside.exists() else shutil.which("zizmor")
    if found is None:
        raise DependencyError("zizmor not found: run scripts/bootstrap (uv sync --frozen)")
    return Path(found)


class ZizmorProcess:
    """zizmor started on a repository (or workflow files, named relative to `repository`);
    `results` waits for it."""

    def __init__(self, repository: Path, targets: list[Path]) -> None:
        self.repository = repository.resolve()
        try:
            self._proc = start_tool(
                [str(zizmor_binary()), "--offline", "--no-progress", "--format", "json",
                 *(str(t.resolve()) for t in targets)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
        except OSError as exc:
            raise DependencyError(f"zizmor could not start: {exc}") from exc

    def results(self) -> list[CheckResult]:
        try:
            stdout, stderr = self._proc.communicate(timeout=_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            kill_tool(self._proc)
            raise DependencyError(f"zizmor ran over {_TIMEOUT_S} s") from exc
        try:
            findings = json.loads(stdout)
        except json.JSONDecodeError as exc:
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            raise DependencyError(f"zizmor exited {self._proc.returncode}: {last}") from exc
        return [self._result(f) for f in findings if not f.get("ignored")]

    def close(self) -> None:
        kill_tool(self._proc)

    def _result(self, finding: dict[str, Any]) -> CheckResult:
        primary = next((loc for loc in finding.get("locations") or []
                        if loc.get("symbolic", {}).get("kind") == "Primary"),
                       (finding.get("locations") or [{}])[0])
        symbolic = primary.get("symbolic") or {}
        path = ((symbolic.get("key") or {}).get("Local") or {}).get("verbatim_path") or ""
        file = os.path.relpath(Path(path).resolve(), self.repository) if path else None
        row = (((primary.get("concrete") or {}).get("location") or {}).get("start_point")
               or {}).get("row")
        return CheckResult(
            check_id=CHECK_PREFIX + str(finding.get("ident")),
            check_name=f"zizmor: {finding.get('desc')}",
            passed=False,
            address=file or "repository",
            details=tuple(a for a in (symbolic.get("annotation"),) if a),
            file=Path(file).as_posix() if file else None,
            line=row + 1 if isinstance(row, int) else None,
        )
