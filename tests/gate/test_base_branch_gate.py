"""A pull request cannot pass the gate by editing the gate's policy in the same pull request
(issue 20 item 3). Each attack runs `trustctl gate` end to end on a repository (the gate's
compliant test program, this repository's .github and policies/), the pull request's copy judged
by the base branch's (`--base`) where CI would: each is refused with exit 1 and one line naming
what was forged, and a real waiver within its limits still passes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from gate_support import PROGRAM, commit_all
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.gate import waiver_rules
from trustctl.paths import REPO_ROOT

pytestmark = pytest.mark.slow
TODAY = dt.datetime.now(dt.UTC).date()
OWNER = "platform-oncall@claver.example"  # in policies/owners.yaml
FAIL_STEP = "      - name: Fail the job unless the gate exited 0\n"


def _repository(path: Path, breaks: str = "none", config: str = "") -> Path:
    """The program at the root of a repository with this repository's .github and policies/."""
    shutil.copytree(PROGRAM, path)
    shutil.copytree(REPO_ROOT / ".github", path / ".github")
    shutil.copytree(REPO_ROOT / "policies", path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (path / "Pulumi.test.yaml").write_text(
        f"config:\n  aws:region: eu-west-1\n  gate-compliant:break: {breaks}\n{config}")
    return path


def _pull_request(base: Path, breaks: str = "none", config: str = "") -> Path:
    return _repository(base.parent / "pr", breaks, config)


def _entry(control: str, resource: str, owner: str = OWNER, added: dt.date = TODAY,
           expires: dt.date = TODAY + dt.timedelta(days=30)) -> str:
    return (f"  - control: {control}\n    resource: {resource}\n    reason: accepted for a while\n"
            f"    owner: {owner}\n    added: {added.isoformat()}\n"
            f"    expires: {expires.isoformat()}\n")


def _waive(repo: Path, *entries: str) -> Path:
    path = repo / "policies" / "exceptions.yaml"
    path.write_text("exceptions:\n" + "".join(entries))
    return path


def _gate(repo: Path, base: Path | None = None, policies: Path | None = None):
    args = ["gate", "--program", str(repo), "--stack", "test", "--format", "json",
            "--evidence-dir", str(repo.parent / "evidence")]
    args += ["--base", str(base)] if base else []
    return CliRunner().invoke(app, args + (["--policies", str(policies)] if policies else []))


def _controls(result) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads(result.stdout)["controls"]}


def _said(control: dict) -> list[str]:
    return [f["message"] for f in control["findings"]]


def test_waivers_beyond_their_limits_are_refused_each_failing_its_control(
        tmp_path: Path) -> None:
    """The pull request's own exceptions in force (no --base): still held to the limits."""
    repo = _repository(tmp_path / "repo")
    path = _waive(repo, _entry("NO-PUBLIC-DB", "reporting-db", expires=dt.date(2099, 12, 31)),
                  _entry("WAF", "waf", owner="mallory@example.com"),
                  _entry("HSTS", "zone", added=TODAY + dt.timedelta(days=5),
                         expires=TODAY + dt.timedelta(days=20)),
                  _entry("CHANGE-CONTROL", "policies/controls.yaml"))
    result = _gate(repo)
    assert result.exit_code == 1, result.output
    controls = _controls(result)
    days = (dt.date(2099, 12, 31) - TODAY).days
    refused = {
        "NO-PUBLIC-DB": f"waiver refused ({path}:2): expires 2099-12-31, {days:,} days after it "
                        f"was added on {TODAY.isoformat()}: at most 90 "
                        "(change_control.waiver_max_days)",
        "WAF": f"waiver refused ({path}:8): owner 'mallory@example.com' is not an accountable "
               f"owner in {repo / 'policies' / 'owners.yaml'}",
        "HSTS": f"waiver refused ({path}:14): added "
                f"{(TODAY + dt.timedelta(days=5)).isoformat()}, a date still to come",
        "CHANGE-CONTROL": f"waiver refused ({path}:20): it would waive the owners' review of a "
                          "policy change (trustctl/policy-change), which is never waived",
    }
    for control, line in refused.items():
        assert controls[control]["status"] == "fail"
        assert _said(controls[control]) == [line]  # the control passes but for the waiver
    assert json.loads(result.stdout)["exceptions"] == []  # none in force


def test_a_waiver_the_pull_request_adds_itself_has_no_effect_and_says_why(
        tmp_path: Path) -> None:
    base = _repository(tmp_path / "base")
    pr = _pull_request(base, breaks="public-rds")
    _waive(pr, _entry("NO-PUBLIC-DB", "reporting-db", owner="mallory@example.com",
                      expires=dt.date(2099, 12, 31)))
    result = _gate(pr, base)
    assert result.exit_code == 1, result.output
    controls = _controls(result)
    assert controls["NO-PUBLIC-DB"]["status"] == "fail"  # the base's exceptions: none
    assert {"CKV_AWS_17", "CKV_TRUST_24"} <= {f["check_id"] for f in
                                              controls["NO-PUBLIC-DB"]["findings"]}
    days = (dt.date(2099, 12, 31) - TODAY).days
    assert controls["CHANGE-CONTROL"]["status"] == "fail"
    assert _said(controls["CHANGE-CONTROL"]) == [
        "policy change needs review by the owners: policies/ differs from the base branch "
        "(policies/exceptions.yaml): its code owners review and merge it (CODEOWNERS)",
        "policy change needs review by the owners: waiver added by this pull request "
        "(NO-PUBLIC-DB on reporting-db, owner mallory@example.com, expires 2099-12-31) is not "
        "in force: only the base branch's are, until the owners merge it; it would be refused: "
        f"expires 2099-12-31, {days:,} days after it was added on {TODAY.isoformat()}: at most "
        "90 (change_control.waiver_max_days)"]
    [added] = [f for f in controls["CHANGE-CONTROL"]["findings"] if "waiver added" in f["message"]]
    assert (added["file"], added["line"]) == ("policies/exceptions.yaml", 2)


def test_deleting_a_control_s_checks_in_the_pull_request_does_not_pass_it(
        tmp_path: Path) -> None:
    base = _repository(tmp_path / "base")
    pr = _pull_request(base, breaks="public-rds")
    catalog = pr / "policies" / "controls.yaml"
    doc = yaml.safe_load(catalog.read_text())
    [control] = [c for c in doc["controls"] if c["id"] == "NO-PUBLIC-DB"]
    control["verification"]["static"], control["requires"] = [], []
    catalog.write_text(yaml.safe_dump(doc))
    alone = _gate(pr, policies=pr / "policies")  # by its own policy, as CI ran it before
    assert _controls(alone)["NO-PUBLIC-DB"]["status"] == "not_applicable"
    result = _gate(pr, base)
    assert result.exit_code == 1, result.output
    controls = _controls(result)
    assert controls["NO-PUBLIC-DB"]["status"] == "fail"  # the base branch's catalog judges
    assert _said(controls["CHANGE-CONTROL"]) == [
        "policy change needs review by the owners: policies/ differs from the base branch "
        "(policies/controls.yaml): its code owners review and merge it (CODEOWNERS)"]


def test_deleting_the_step_that_fails_the_job_fails_change_control(tmp_path: Path) -> None:
    base = _repository(tmp_path / "base")
    pr = _pull_request(base)
    workflow = pr / ".github" / "workflows" / "gate.yml"
    text = workflow.read_text()
    workflow.write_text(text[:text.index(FAIL_STEP)])
    result = _gate(pr, base)
    assert result.exit_code == 1, result.output
    control = _controls(result)["CHANGE-CONTROL"]
    assert control["status"] == "fail"
    assert {(f["check_id"], f["file"], f["message"]) for f in control["findings"]} == {
        ("CKV_TRUST_65", ".github/workflows/gate.yml",
         "Ensure a failing policy gate fails its job, by steps nothing can skip: job gate: "
         "nothing fails the job when the gate fails: step 'Gate, run once from the base branch "
         "(SARIF for code scanning, JSON kept, text here)' records its exit (exit=$?) and no "
         "later step exits with it"),
        ("trustctl/policy-change", ".github/workflows/gate.yml",
         "policy change needs review by the owners: .github/ differs from the base branch "
         "(.github/workflows/gate.yml): its code owners review and merge it (CODEOWNERS)")}


def _owns_all_but_change_control() -> str:
    catalog = yaml.safe_load((REPO_ROOT / "policies" / "controls.yaml").read_text())
    ids = [c["id"] for c in catalog["controls"] if c["id"] != "CHANGE-CONTROL"]
    return f"  trustctl:controls:\n    owns: [{', '.join(ids)}]\n"


def test_a_stack_that_leaves_change_control_out_does_not_disown_it(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo", config=_owns_all_but_change_control())
    (repo / ".github" / "CODEOWNERS").unlink()
    result = _gate(repo)
    assert result.exit_code == 1, result.output
    control = _controls(result)["CHANGE-CONTROL"]
    assert (control["status"], "owned_by" in control) == ("fail", False)
    assert _said(control) == [
        f"nothing in {repo} does this (CKV_TRUST_66): CODEOWNERS names owners for the gate's "
        "policy, code and workflows"]


def test_a_stack_cannot_hand_change_control_to_another_stack(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo", config="  trustctl:controls:\n    ownedBy:\n"
                                                 "      acme/other/prod: [CHANGE-CONTROL]\n")
    result = _gate(repo)
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if x.startswith("trustctl: error:")]
    assert line == (f"trustctl: error: program {repo} (stack test): trustctl:controls.ownedBy."
                    "acme/other/prod names CHANGE-CONTROL, which no stack can disown: it is "
                    "judged on the repository (its workflows, CODEOWNERS and the gate's policy)")


def test_a_real_waiver_within_its_limits_still_passes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _repository(tmp_path / "base")
    _waive(base, _entry("NO-PUBLIC-DB", "reporting-db", added=TODAY - dt.timedelta(days=10),
                        expires=TODAY + dt.timedelta(days=80)))
    commit_all(base, TODAY - dt.timedelta(days=10))  # CI's checkout of the base branch
    pr = _pull_request(base, breaks="public-rds")
    _waive(pr, _entry("NO-PUBLIC-DB", "reporting-db", added=TODAY - dt.timedelta(days=10),
                      expires=TODAY + dt.timedelta(days=80)))
    reads: Counter[Path] = Counter()
    load = waiver_rules.load_exceptions

    def counted(path: Path, *args: object):
        reads[path] += 1
        return load(path, *args)

    monkeypatch.setattr(waiver_rules, "load_exceptions", counted)
    result = _gate(pr, base)
    assert result.exit_code == 0, result.output
    controls = _controls(result)
    assert controls["NO-PUBLIC-DB"]["status"] == "excepted"
    assert controls["CHANGE-CONTROL"]["status"] == "pass"
    assert [e["owner"] for e in json.loads(result.stdout)["exceptions"]] == [OWNER]
    # read and validated once per run: the base's (in force) and the pull request's (compared)
    assert reads == {base / "policies" / "exceptions.yaml": 1,
                     pr / "policies" / "exceptions.yaml": 1}


def test_a_waiver_git_cannot_date_accepts_but_its_control_is_not_checked(
        tmp_path: Path) -> None:
    """The same waiver in a copy of the base branch without its git history: nothing bounds
    the date it says it was added, so NO-PUBLIC-DB is not verified (exit 2, not excepted)."""
    base = _repository(tmp_path / "base")
    path = _waive(base, _entry("NO-PUBLIC-DB", "reporting-db",
                               added=TODAY - dt.timedelta(days=10),
                               expires=TODAY + dt.timedelta(days=80)))
    pr = _pull_request(base, breaks="public-rds")
    _waive(pr, _entry("NO-PUBLIC-DB", "reporting-db", added=TODAY - dt.timedelta(days=10),
                      expires=TODAY + dt.timedelta(days=80)))
    result = _gate(pr, base)
    assert result.exit_code == 2, result.output
    controls = _controls(result)
    assert controls["NO-PUBLIC-DB"]["status"] == "error"
    assert _said(controls["NO-PUBLIC-DB"]) == [
        f"waiver not checked ({path}:2): its date added "
        f"({(TODAY - dt.timedelta(days=10)).isoformat()}) is not checked against the commit "
        f"that wrote it: git has no history of {path} here (not in a git checkout, or not "
        "committed); judge the exceptions of a git checkout"]
    assert "fail" not in {c["status"] for c in controls.values()}
    assert result.stderr.splitlines()[-1].startswith("trustctl: gate: 1 could not be checked")
