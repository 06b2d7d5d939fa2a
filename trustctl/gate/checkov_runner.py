"""Run the real checkov over translated plans, in its own environment, and read its results.

checkov pins many dependencies, so it lives in tools/checkov/.venv and runs as a subprocess.
Start-up (importing every runner and check registry) is most of checkov's cost, so the gate
starts checkov before its plan exists (tools/checkov/warm_start.py) and puts several plans
through one run (`-d DIR`) when it has several, with the repository's workflows, Dependabot
file and CODEOWNERS when it judges them too (CHANGE-CONTROL: the github_actions and yaml
frameworks). The project checks are those of the run's policy (gate/policy_set.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trustctl.catalog import change_control
from trustctl.errors import DependencyError
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.reviewed_paths import files_under
from trustctl.gate.tool_process import kill_tool, start_tool
from trustctl.input_limits import CODEOWNERS, read_text
from trustctl.paths import CATALOG_ENV, PROJECT_CHECKS, REPO_ROOT

CHECKOV_VENV = REPO_ROOT / "tools" / "checkov" / ".venv"
WARM_START = REPO_ROOT / "tools" / "checkov" / "warm_start.py"
_OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR", "CHECKOV_SKIP_VERSION_CHECK": "1"}
_TIMEOUT_S = 600
PLAN_FRAMEWORKS = ("terraform_plan",)
REPOSITORY_FRAMEWORKS = ("github_actions", "yaml")
_REPOSITORY = "repository"  # the folder beside the plans holding the repository's files
# checkov's yaml framework skips hidden folders, so Dependabot's file sits outside `.github`
_DEPENDABOT_COPY = "dependabot.yml"
# GitHub reads the first CODEOWNERS of these; checkov reads it as YAML with the files it must
# cover (CKV_TRUST_66), one new file in each reviewed directory among them
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_CODEOWNERS_COPY = "codeowners.yaml"
NEW_FILE = "a-file-a-pull-request-adds"


@dataclass(frozen=True)
class CheckResult:
    """One check on one resource of one plan file."""

    check_id: str
    check_name: str
    passed: bool
    address: str  # TF address, e.g. aws_kms_key.data
    evaluated_keys: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # what a project check says is wrong
    file: str | None = None  # a repository file (`.github/workflows/gate.yml`), not a plan
    line: int | None = None


def checkov_venv() -> Path:
    """checkov's own environment; TRUSTCTL_CHECKOV_VENV points elsewhere (tests use it)."""
    venv = Path(os.environ.get("TRUSTCTL_CHECKOV_VENV", CHECKOV_VENV))
    if not (venv / "bin" / "checkov").exists():
        raise DependencyError(f"checkov not found in {venv}: run scripts/bootstrap "
                              "(uv sync --frozen --project tools/checkov)")
    return venv


def checkov_args(target: Path, external_checks: Path | None = PROJECT_CHECKS,
                 frameworks: Sequence[str] = PLAN_FRAMEWORKS) -> list[str]:
    """checkov's arguments for the gate; the benchmark runs the same ones bare. `--compact`:
    the report leaves out each resource's code, which nobody reads and JSON-encoding costs."""
    args = ["-d" if target.is_dir() else "-f", str(target),
            "--framework", *frameworks, "-o", "json", "--skip-download", "--compact"]
    if external_checks is not None and _has_checks(external_checks):
        args += ["--external-checks-dir", str(external_checks)]
    return args


@dataclass
class Staged:
    """Inputs laid out in a folder the way checkov's frameworks read them, the arguments that
    read them, and how to split checkov's report back into inputs."""

    args: list[str]
    plan_names: list[str]
    copies: list[dict[str, str]]  # per repository: copy (as `_parse` keys it) -> path in it
    resource_types: list[str]  # every TF type the plans declare: no other check can apply

    def split(self, by_file: dict[str, list[CheckResult]]) -> list[list[CheckResult]]:
        return [by_file.get(name, []) for name in self.plan_names] + [
            [_in_repository(r, where) for copy, where in copied.items()
             for r in by_file.get(copy, [])] for copied in self.copies]


def stage_plans(folder: Path, plans: Sequence[dict[str, Any]],
                checks: Path = PROJECT_CHECKS) -> Staged:
    """Write the plans into `folder`: checkov's terraform_plan framework reads them."""
    names = [f"plan{i}.json" for i in range(len(plans))]
    for name, plan in zip(names, plans, strict=True):
        (folder / name).write_text(json.dumps(plan))
    types = sorted({r.get("type", "") for plan in plans
                    for r in plan.get("planned_values", {}).get("root_module", {})
                    .get("resources", [])} - {""})
    target = folder / names[0] if len(plans) == 1 else folder
    return Staged(checkov_args(target, checks), names, [], types)


def stage_repositories(folder: Path, repositories: Sequence[Path],
                       policies: PolicySet | None = None) -> Staged:
    """Copy each repository's workflows, Dependabot file and CODEOWNERS into `folder`:
    checkov's github_actions and yaml frameworks read them."""
    policies = policies or PolicySet.installed()
    reviewed = change_control(policies.catalog).owners_review
    copies = [_copy_repository(repo, folder, f"{_REPOSITORY}{i}", reviewed)
              for i, repo in enumerate(repositories)]
    return Staged(checkov_args(folder, policies.checks, REPOSITORY_FRAMEWORKS), [], copies, [])


def stage(folder: Path, plans: Sequence[dict[str, Any]],
          repositories: Sequence[Path] = ()) -> Staged:
    """Plans and repositories in one folder, read by one checkov run with every framework
    they need: what a user runs without trustctl (the benchmark's baseline)."""
    staged = stage_plans(folder, plans)
    copies = stage_repositories(folder, repositories).copies
    frameworks = PLAN_FRAMEWORKS + (REPOSITORY_FRAMEWORKS if repositories else ())
    return Staged(checkov_args(folder, frameworks=frameworks), staged.plan_names, copies,
                  staged.resource_types)


def checkov_env(catalog: Path | None = None) -> dict[str, str]:
    """checkov offline; its project checks read `catalog` (the run's), else the one in force."""
    return {**os.environ, **_OFFLINE_ENV, **({CATALOG_ENV: str(catalog)} if catalog else {})}


class CheckovProcess:
    """A checkov that imports itself in the background (e.g. while the program is planned) and
    runs once `run` hands it the plans. Repositories given at the start are judged as soon as
    checkov has imported, while the plans are still being made, so what is left once they
    are ready is one framework (terraform_plan) run in-process. Close it (or use `with`) if
    it is never run."""

    def __init__(self, repositories: Sequence[Path] = (),
                 policies: PolicySet | None = None) -> None:
        self._policies = policies or PolicySet.installed()
        python = checkov_venv() / "bin" / "python"
        self._folder = tempfile.TemporaryDirectory(prefix="trustctl-gate-")
        try:
            self._proc = start_tool(
                [str(python), str(WARM_START), *PLAN_FRAMEWORKS, *REPOSITORY_FRAMEWORKS],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=checkov_env(self._policies.catalog))
        except OSError as exc:
            self._folder.cleanup()
            raise DependencyError(f"checkov could not start: {exc}") from exc
        self.repositories = tuple(repositories)
        self._repositories: Staged | None = None
        if repositories:
            folder = Path(self._folder.name) / "repositories"
            folder.mkdir()
            self._repositories = stage_repositories(folder, repositories, self._policies)
            self._send(self._repositories)

    def __enter__(self) -> CheckovProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        kill_tool(self._proc)
        self._folder.cleanup()

    def run(self, plans: Sequence[dict[str, Any]]) -> list[list[CheckResult]]:
        """Results of checkov over every plan document, in the order given, then one list per
        repository given at the start: its workflows' and Dependabot file's results, each
        naming its file (relative to the repository) and line."""
        staged = None
        if plans:
            folder = Path(self._folder.name) / "plans"
            folder.mkdir()
            staged = stage_plans(folder, plans, self._policies.checks)
            self._send(staged)
        reports = self._finish()
        results = []
        if staged is not None:
            results += staged.split(_parse(reports.pop()))
        if self._repositories is not None:
            results += self._repositories.split(_parse(reports[0]))
        return results

    def _send(self, staged: Staged) -> None:
        """One run's arguments, on one line of warm_start's stdin."""
        message = {"argv": staged.args, "resource_types": staged.resource_types}
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died importing: _finish says why
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()

    def _finish(self) -> list[str]:
        """Every run's report, in the order sent (warm_start prints each as one JSON line)."""
        try:
            stdout, stderr = self._proc.communicate(timeout=_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            self.close()
            raise DependencyError(f"checkov ran over {_TIMEOUT_S} s") from exc
        reports = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        if self._proc.returncode != 0 or not reports:
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            raise DependencyError(f"checkov exited {self._proc.returncode}: {last}")
        return reports


def _copy_repository(repository: Path, folder: Path, name: str,
                     reviewed: tuple[str, ...]) -> dict[str, str]:
    """Copy the workflows, Dependabot file and CODEOWNERS to `folder/name`, where checkov's
    frameworks look for them; the copies' keys (as `_parse` keys results) -> the files' paths
    in the repository."""
    github = repository / ".github"
    workflows = folder / name / ".github" / "workflows"
    workflows.mkdir(parents=True)
    copied = {}
    for source in sorted([*github.glob("workflows/*.yml"), *github.glob("workflows/*.yaml")]):
        shutil.copyfile(source, workflows / source.name)
        copied[f"{name}/.github/workflows/{source.name}"] = f".github/workflows/{source.name}"
    for source in (github / "dependabot.yml", github / "dependabot.yaml"):
        if source.is_file():
            shutil.copyfile(source, folder / name / _DEPENDABOT_COPY)
            copied[f"{name}/{_DEPENDABOT_COPY}"] = f".github/{source.name}"
            break
    found = next((p for p in CODEOWNERS_PLACES if (repository / p).is_file()), None)
    if found is not None:
        document = {"codeowners": found, "text": read_text(repository / found, CODEOWNERS),
                    "reviewed": _reviewed_files(repository, reviewed)}
        (folder / name / _CODEOWNERS_COPY).write_text(yaml.safe_dump(document))
        copied[f"{name}/{_CODEOWNERS_COPY}"] = found
    return copied


def _reviewed_files(repository: Path, reviewed: tuple[str, ...]) -> dict[str, list[str]]:
    """Each reviewed path the repository has -> its files, and a file a pull request could add
    to it when it is a directory."""
    found = {}
    for entry in reviewed:
        files = [relative for relative, _ in files_under(repository, entry)]
        if files and entry.endswith("/"):
            files.append(f"{entry.strip('/')}/{NEW_FILE}")
        if files:
            found[entry] = files
    return found


def _in_repository(result: CheckResult, where: str) -> CheckResult:
    return dataclasses.replace(result, file=where, address=where)


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
                name = _relative(item.get("file_path") or item["file_abs_path"])
                by_file.setdefault(name, []).append(_result(item, passed))
    return by_file


def _relative(file_path: str) -> str:
    """checkov's `/plan0.json` or `/repository/.github/workflows/gate.yml`, relative to the
    folder it scanned (a single file's path is its name)."""
    return Path(file_path).name if Path(file_path).suffix == ".json" else file_path.lstrip("/")


def _result(item: dict[str, Any], passed: bool) -> CheckResult:
    check_result = item.get("check_result") or {}
    keys = check_result.get("evaluated_keys") or []
    configured = check_result.get("results_configuration")
    problems = configured.get("problems") if isinstance(configured, dict) else None
    lines = item.get("file_line_range") or [None]
    return CheckResult(
        check_id=item["check_id"],
        check_name=item.get("check_name") or item["check_id"],
        passed=passed,
        address=item.get("resource_address") or item["resource"],
        evaluated_keys=tuple(str(k) for k in keys),
        details=tuple(str(d) for d in item.get("details") or problems or []),
        line=lines[0] or None,
    )
