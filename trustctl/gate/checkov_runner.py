"""Run the real checkov over translated plans, in its own environment, and read its results.

checkov pins many dependencies, so it lives in tools/checkov/.venv and runs as a subprocess.
Start-up (importing every runner and check registry) is most of checkov's cost, so the gate
starts checkov before its plan exists (tools/checkov/warm_start.py) and puts several plans
through one run (`-d DIR`) when it has several.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustctl.errors import DependencyError
from trustctl.paths import PROJECT_CHECKS, REPO_ROOT

CHECKOV_VENV = REPO_ROOT / "tools" / "checkov" / ".venv"
WARM_START = REPO_ROOT / "tools" / "checkov" / "warm_start.py"
_OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR", "CHECKOV_SKIP_VERSION_CHECK": "1"}
_TIMEOUT_S = 600


@dataclass(frozen=True)
class CheckResult:
    """One check on one resource of one plan file."""

    check_id: str
    check_name: str
    passed: bool
    address: str  # TF address, e.g. aws_kms_key.data
    evaluated_keys: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # what a project check says is wrong


def checkov_venv() -> Path:
    """checkov's own environment; TRUSTCTL_CHECKOV_VENV points elsewhere (tests use it)."""
    venv = Path(os.environ.get("TRUSTCTL_CHECKOV_VENV", CHECKOV_VENV))
    if not (venv / "bin" / "checkov").exists():
        raise DependencyError(f"checkov not found in {venv}: run scripts/bootstrap "
                              "(uv sync --frozen --project tools/checkov)")
    return venv


def checkov_args(target: Path, external_checks: Path | None = PROJECT_CHECKS) -> list[str]:
    """checkov's arguments for the gate; the benchmark runs the same ones bare."""
    args = ["-d" if target.is_dir() else "-f", str(target),
            "--framework", "terraform_plan", "-o", "json", "--skip-download"]
    if external_checks is not None and _has_checks(external_checks):
        args += ["--external-checks-dir", str(external_checks)]
    return args


def checkov_env() -> dict[str, str]:
    return {**os.environ, **_OFFLINE_ENV}


class CheckovProcess:
    """A checkov that imports itself in the background (e.g. while the program is planned) and
    runs once `run` hands it the plans. Close it (or use `with`) if it is never run."""

    def __init__(self) -> None:
        python = checkov_venv() / "bin" / "python"
        try:
            self._proc = subprocess.Popen(
                [str(python), str(WARM_START)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=checkov_env())
        except OSError as exc:
            raise DependencyError(f"checkov could not start: {exc}") from exc

    def __enter__(self) -> CheckovProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()

    def run(self, plans: Sequence[dict[str, Any]]) -> list[list[CheckResult]]:
        """Results of one checkov run over every plan document, in the order given."""
        with tempfile.TemporaryDirectory(prefix="trustctl-gate-") as tmp:
            folder = Path(tmp)
            names = [f"plan{i}.json" for i in range(len(plans))]
            for name, plan in zip(names, plans, strict=True):
                (folder / name).write_text(json.dumps(plan))
            target = folder / names[0] if len(plans) == 1 else folder
            by_file = _parse(self._finish(checkov_args(target)))
            return [by_file.get(name, []) for name in names]

    def _finish(self, args: list[str]) -> str:
        try:
            stdout, stderr = self._proc.communicate(json.dumps(args) + "\n", timeout=_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            self.close()
            raise DependencyError(f"checkov ran over {_TIMEOUT_S} s") from exc
        if self._proc.returncode not in (0, 1):
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            raise DependencyError(f"checkov exited {self._proc.returncode}: {last}")
        return stdout


def _has_checks(folder: Path) -> bool:
    return folder.is_dir() and any(
        p.suffix in {".py", ".yaml", ".yml"} and p.name != "__init__.py" for p in folder.iterdir())


def _parse(stdout: str) -> dict[str, list[CheckResult]]:
    """checkov -o json prints one report (or a list, one per framework); key results by the
    plan file's name."""
    try:
        doc = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise DependencyError(f"checkov printed no JSON report ({exc})") from exc
    reports = doc if isinstance(doc, list) else [doc]
    by_file: dict[str, list[CheckResult]] = {}
    for report in reports:
        results = report.get("results") or {}
        for key, passed in (("passed_checks", True), ("failed_checks", False)):
            for item in results.get(key) or []:
                name = Path(item.get("file_abs_path") or item["file_path"]).name
                by_file.setdefault(name, []).append(_result(item, passed))
    return by_file


def _result(item: dict[str, Any], passed: bool) -> CheckResult:
    keys = (item.get("check_result") or {}).get("evaluated_keys") or []
    return CheckResult(
        check_id=item["check_id"],
        check_name=item.get("check_name") or item["check_id"],
        passed=passed,
        address=item.get("resource_address") or item["resource"],
        evaluated_keys=tuple(str(k) for k in keys),
        details=tuple(str(d) for d in item.get("details") or []),
    )
