"""Production runs itself: the scheduled workflows pass actionlint and zizmor, say what they
run, where, as whom and how often; the gate fails BACKUP-DAILY-35D or RESTORE-DRILL when a
schedule is removed or weakened."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gate_support import TODAY, Checked

from trustctl.catalog import load_catalog
from trustctl.gate.evaluate import evaluate
from trustctl.gate.schedules import find_workflows, load_workflows, longest_gap_days
from trustctl.paths import REPO_ROOT
from trustctl.records.outcome import JobOutcome
from trustctl.report.results import Status

GITHUB = REPO_ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
BIN = Path(sys.executable).parent
SCHEDULED = {  # workflow -> (job, role variable, command, longest gap in days)
    "backup-daily.yml": ("backup", "BACKUP_ROLE_ARN", "trustctl backup run", 1),
    "drill-quarterly.yml": ("drill", "DRILL_ROLE_ARN", "trustctl drill", 92),
    "audit-weekly.yml": ("audit", "AUDIT_ROLE_ARN", "trustctl audit", 7),
    "evidence-monthly.yml": ("evidence", "EVIDENCE_ROLE_ARN", "trustctl evidence build", 31),
}
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _workflow(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def _every_step() -> list[dict]:
    docs = [_workflow(p.name) for p in WORKFLOWS.glob("*.yml")]
    steps = [s for d in docs for job in d["jobs"].values() for s in job["steps"]]
    action = yaml.safe_load((GITHUB / "actions" / "job-record" / "action.yml").read_text())
    return steps + action["runs"]["steps"]


def test_every_scheduled_job_signs_its_records_with_the_kms_evidence_key() -> None:
    for name in SCHEDULED:
        jobs = _workflow(name)["jobs"].values()
        assert all(job["env"]["TRUSTCTL_EVIDENCE_SIGNING_KEY"]
                   == "${{ vars.EVIDENCE_SIGNING_KEY_ARN }}" for job in jobs), name


def test_actionlint_finds_nothing() -> None:
    done = subprocess.run([BIN / "actionlint", "-no-color"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "")


def test_zizmor_finds_nothing() -> None:
    done = subprocess.run([BIN / "zizmor", "--offline", "--no-progress", "--format", "json",
                           str(GITHUB)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert json.loads(done.stdout) == []
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_action_is_pinned_to_a_commit() -> None:
    uses = [s["uses"] for s in _every_step() if "uses" in s]
    assert uses
    assert [u for u in uses if not (PINNED.match(u) or u.startswith("./.github/actions/"))] == []


@pytest.mark.parametrize("name", sorted(SCHEDULED))
def test_scheduled_job_runs_its_command_in_production_as_its_role(name: str) -> None:
    job_name, role_variable, command, gap = SCHEDULED[name]
    doc = _workflow(name)
    assert doc["permissions"] == {}  # nothing by default; the job asks for what it needs
    crons = [s["cron"] for s in doc["on"]["schedule"]]
    assert longest_gap_days(crons) == gap
    assert "workflow_dispatch" in doc["on"]
    job = doc["jobs"][job_name]
    assert job["environment"] == "production"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    [assume] = [s for s in job["steps"]
                if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert assume["with"]["role-to-assume"] == f"${{{{ vars.{role_variable} }}}}"
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert f"python3 -m uv run --frozen {command}" in runs
    record = job["steps"][-1]
    assert record["uses"] == "./.github/actions/job-record"
    assert record["if"] == "always()"
    assert record["with"]["kind"] == job_name
    assert record["with"]["evidence-role"] == "${{ vars.EVIDENCE_ROLE_ARN }}"
    assert record["with"]["outcome"] == "${{ steps.command.outcome }}"


def test_secrets_reach_commands_through_the_environment_only() -> None:
    steps = _every_step()
    assert [s["run"] for s in steps if "${{" in s.get("run", "")] == []
    used = {v for s in steps for v in (s.get("env") or {}).values() if "secrets." in str(v)}
    assert used >= {"${{ secrets.PRODUCTION_DATABASE_DSN }}",
                    "${{ secrets.CLOUDFLARE_API_TOKEN }}", "${{ secrets.SCRATCH_DATABASE_DSN }}"}
    backup = _workflow("backup-daily.yml")["jobs"]["backup"]["steps"]
    command = next(s for s in backup if s.get("id") == "command")
    assert command["env"]["TRUSTCTL_BACKUP_DSN"] == "${{ secrets.PRODUCTION_DATABASE_DSN }}"


def test_only_jobs_that_reach_aws_may_mint_an_oidc_token() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        doc = _workflow(path.name)
        assert doc.get("permissions", {}).get("id-token") is None, path.name
        for job in doc["jobs"].values():
            oidc = any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
                       or s.get("uses") == "./.github/actions/job-record" for s in job["steps"])
            assert (job.get("permissions", {}).get("id-token") == "write") == oidc, path.name


def test_drill_scratch_is_local_unless_a_secret_names_one_and_summary_is_the_drill() -> None:
    job = _workflow("drill-quarterly.yml")["jobs"]["drill"]
    command = next(s for s in job["steps"] if s.get("id") == "command")
    assert command["env"]["SCRATCH_DSN"] == "${{ secrets.SCRATCH_DATABASE_DSN }}"
    assert "TRUSTCTL_BACKUP_DSN" not in command["env"]  # the drill never sees production
    script = command["run"]
    assert 'if [ -n "$SCRATCH_DSN" ]; then export TRUSTCTL_SCRATCH_DSN="$SCRATCH_DSN"; fi' in script
    assert 'tee -a "$GITHUB_STEP_SUMMARY"' in script
    assert 'exit "$status"' in script  # a failed drill fails the job
    assert job["timeout-minutes"] >= 240


def test_record_action_writes_an_outcome_and_delivers_it_as_the_evidence_role() -> None:
    steps = yaml.safe_load((GITHUB / "actions" / "job-record" / "action.yml").read_text())[
        "runs"]["steps"]
    assert steps[0]["run"] == "python3 scripts/job-record"
    assert steps[1]["with"]["role-to-assume"] == "${{ inputs.evidence-role }}"
    assert '--key "records/${record##*/}"' in steps[2]["run"]  # flat: records, outcomes
    assert "--if-none-match '*'" in steps[2]["run"]  # the bucket policy denies other writes


def test_job_outcome_is_written_whatever_happened(tmp_path: Path) -> None:
    env = {**os.environ, "JOB_KIND": "backup", "JOB_CONTROLS": "BACKUP-DAILY-35D RPO-RTO",
           "JOB_OUTCOME": "failure", "JOB_STARTED": "2026-12-01T03:17:00Z",
           "TRUSTCTL_EVIDENCE_DIR": str(tmp_path), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "claver/trustctl", "GITHUB_RUN_ID": "42",
           "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": "a" * 40, "GITHUB_WORKFLOW": "backup-daily",
           "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "schedule"}
    subprocess.run([sys.executable, REPO_ROOT / "scripts" / "job-record"], env=env, check=True,
                   capture_output=True, timeout=60)
    [path] = tmp_path.iterdir()
    # not `<kind>-<id>.json`: an unsigned outcome is read apart from records, never as one
    assert path.name == "job-outcome-backup-20261201T031700Z-run42-1.json"
    assert path.stat().st_mode & 0o777 == 0o640
    written = json.loads(path.read_text())
    assert written["format"] == "trustctl-job-outcome/1"
    assert (written["job"], written["outcome"]) == ("backup", "failure")
    assert written["started"] == "2026-12-01T03:17:00+00:00"
    assert written["controls"] == ["BACKUP-DAILY-35D", "RPO-RTO"]
    assert written["run"] == "https://github.com/claver/trustctl/actions/runs/42/attempts/1"
    assert written["catalog_version"].startswith("1+sha256:")
    digest = written.pop("sha256")
    canonical = json.dumps(written, sort_keys=True, separators=(",", ":")).encode()
    assert digest == hashlib.sha256(canonical).hexdigest()
    outcome = JobOutcome.from_bytes(path.read_bytes(), str(path))  # what trustctl reads
    assert (outcome.job, outcome.failed, outcome.controls) == (
        "backup", True, ("BACKUP-DAILY-35D", "RPO-RTO"))


@pytest.mark.parametrize(("crons", "gap"), [
    (["17 3 * * *"], 1), (["23 6 1 1,4,7,10 *"], 92), (["0 0 1 */4 *"], 123),
    (["0 0 * * 1"], 7), (["0 0 1 1 *", "0 0 1 7 *"], 184), (["not a cron"], None), ([], None),
])
def test_longest_gap_between_runs(crons: list[str], gap: int | None) -> None:
    assert longest_gap_days(crons) == gap


# --- the gate over the workflows --------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / ".github" / "workflows"
    shutil.copytree(WORKFLOWS, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _status(checked: dict[str, Checked], workflows: Path) -> dict[str, tuple[Status, list[str]]]:
    run = checked["mutation:none"]
    report = evaluate(load_catalog(), run.declared.origin, run.plan, run.results, [],
                      TODAY, load_workflows(workflows))
    return {c.id: (c.status, [f.message for f in c.findings]) for c in report.controls}


def test_gate_passes_the_repository_workflows(checked: dict[str, Checked]) -> None:
    status = _status(checked, WORKFLOWS)
    assert status["BACKUP-DAILY-35D"] == (Status.PASS, [])
    assert status["RESTORE-DRILL"] == (Status.PASS, [])
    assert find_workflows(REPO_ROOT / "tests" / "gate" / "programs" / "compliant") == WORKFLOWS


BREAKS = {
    "drill removed": (lambda d: (d / "drill-quarterly.yml").unlink(), "RESTORE-DRILL",
                      "no workflow job runs `trustctl drill`"),
    "backup removed": (lambda d: (d / "backup-daily.yml").unlink(), "BACKUP-DAILY-35D",
                       "no workflow job runs `trustctl backup run`"),
    "backup weekly": (lambda d: _edit(d / "backup-daily.yml", '"17 3 * * *"', '"17 3 * * 1"'),
                      "BACKUP-DAILY-35D", "runs it up to 7 days apart (at most 1)"),
    "drill twice a year": (lambda d: _edit(d / "drill-quarterly.yml", "1,4,7,10", "1,7"),
                           "RESTORE-DRILL", "runs it up to 184 days apart (at most 92)"),
    "drill on demand only": (
        lambda d: _edit(d / "drill-quarterly.yml", '  schedule:\n    - cron: "23 6 1 1,4,7,10 *"'
                        ' # first day of each quarter, 06:23 UTC\n', ""),
        "RESTORE-DRILL", "has no valid schedule"),
    "backup as the drill role": (
        lambda d: _edit(d / "backup-daily.yml", "vars.BACKUP_ROLE_ARN", "vars.DRILL_ROLE_ARN"),
        "BACKUP-DAILY-35D", "does not assume the role ${{ vars.BACKUP_ROLE_ARN }}"),
    "backup outside production": (
        lambda d: _edit(d / "backup-daily.yml", "    environment: production\n", ""),
        "BACKUP-DAILY-35D", "does not run in the production environment"),
    "backup commented out": (
        lambda d: _edit(d / "backup-daily.yml", "run: python3 -m uv run",
                        "run: |\n          true\n          # python3 -m uv run"),
        "BACKUP-DAILY-35D", "no workflow job runs `trustctl backup run`"),
    "drill switched off": (
        lambda d: _edit(d / "drill-quarterly.yml", "    environment: production\n",
                        "    environment: production\n    if: false\n"),
        "RESTORE-DRILL", "no workflow job runs `trustctl drill`"),
    "drill without an OIDC token": (
        lambda d: _edit(d / "drill-quarterly.yml", "      id-token: write", "      actions: read"),
        "RESTORE-DRILL", "lacks `id-token: write`"),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_gate_fails_a_removed_or_weakened_schedule(checked: dict[str, Checked], tmp_path: Path,
                                                   name: str) -> None:
    mutate, control, says = BREAKS[name]
    workflows = _copy(tmp_path)
    mutate(workflows)
    status, findings = _status(checked, workflows)[control]
    assert status == Status.FAIL
    assert any(says in f for f in findings), findings
    other = "RESTORE-DRILL" if control == "BACKUP-DAILY-35D" else "BACKUP-DAILY-35D"
    assert _status(checked, workflows)[other][0] == Status.PASS


def test_an_estate_whose_databases_aws_backup_covers_needs_no_backup_workflow(
        checked: dict[str, Checked], tmp_path: Path) -> None:
    """The independent program declares no database outside AWS Backup (no Supabase project):
    its backup plan is the proof, so removing the backup workflow changes nothing for it, while
    the estate with the Supabase project fails."""
    workflows = _copy(tmp_path)
    (workflows / "backup-daily.yml").unlink()
    run = checked["independent:none"]
    report = evaluate(load_catalog(), run.declared.origin, run.plan, run.results, [], TODAY,
                      load_workflows(workflows))
    backup = next(c for c in report.controls if c.id == "BACKUP-DAILY-35D")
    assert (backup.status, backup.findings) == (Status.PASS, [])
    assert _status(checked, workflows)["BACKUP-DAILY-35D"][0] == Status.FAIL
