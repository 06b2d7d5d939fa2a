"""What a pull request changes in the gate itself, against a checkout of the base branch: each
reviewed path that differs is a failed `trustctl/policy-change`, and a waiver it adds is
reported not in force (with the rule it would break). Nothing else counts as a change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from trustctl.catalog import change_control
from trustctl.gate.exceptions import Waiver
from trustctl.gate.policy_change import differences, policy_change
from trustctl.paths import REPO_ROOT

REVIEWED = change_control().owners_review


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    """A base checkout and a pull request's, equal: policies/, .github/, a trustctl/ file."""
    base = tmp_path / "base"
    for name in ("policies", ".github"):
        shutil.copytree(REPO_ROOT / name, base / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (base / "trustctl").mkdir()
    (base / "trustctl" / "gate.py").write_text("def judge(): return 'fail'\n")
    (base / "infra").mkdir()
    (base / "infra" / "__main__.py").write_text("# the program\n")
    pr = tmp_path / "pr"
    shutil.copytree(base, pr)
    return base, pr


def _waiver(**given: object) -> Waiver:
    fields: dict[str, object] = {
        "control": "NO-PUBLIC-DB", "resource": "reporting-db", "reason": "replica",
        "owner": "mallory@example.com", "added": dt.date(2026, 11, 24),
        "expires": dt.date(2099, 12, 31), "line": 19}
    return Waiver(**{**fields, **given})  # type: ignore[arg-type]


def test_an_unchanged_gate_passes_and_a_program_change_is_not_a_policy_change(trees) -> None:
    base, pr = trees
    (pr / "infra" / "__main__.py").write_text("# the program, changed\n")
    (pr / "policies" / "__pycache__").mkdir()  # what running leaves is not the repository's
    (pr / "policies" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    [result] = policy_change(base, pr, REVIEWED, [], [])
    assert (result.check_id, result.passed) == ("trustctl/policy-change", True)


@pytest.mark.parametrize(("change", "entry", "named"), [
    (lambda pr: (pr / "policies" / "controls.yaml").write_text("controls: []\n"),
     "policies/", "policies/controls.yaml"),
    (lambda pr: (pr / "trustctl" / "gate.py").write_text("def judge(): return 'pass'\n"),
     "trustctl/", "trustctl/gate.py"),
    (lambda pr: (pr / ".github" / "workflows" / "gate.yml").unlink(),
     ".github/", ".github/workflows/gate.yml"),
    (lambda pr: (pr / "policies" / "checks" / "Loophole.py").write_text("check = None\n"),
     "policies/", "policies/checks/Loophole.py"),
    (lambda pr: (pr / "uv.lock").write_text("# a gate of another version\n"),
     "uv.lock", "uv.lock"),
])
def test_a_change_to_the_gate_needs_the_owners(trees, change, entry: str, named: str) -> None:
    base, pr = trees
    change(pr)
    [result] = policy_change(base, pr, REVIEWED, [], [])
    assert (result.check_id, result.passed, result.address, result.file) == (
        "trustctl/policy-change", False, entry, named)
    assert result.check_name == "policy change needs review by the owners"
    assert result.details == (f"{entry} differs from the base branch ({named}): its code owners "
                              "review and merge it (CODEOWNERS)",)


def test_a_link_is_compared_by_where_it_points(trees) -> None:
    base, pr = trees
    (base / "policies" / "current").symlink_to("controls.yaml")
    (pr / "policies" / "current").symlink_to("exceptions.yaml")
    assert differences(base, pr, "policies/") == ["policies/current"]


def test_many_changed_files_are_counted(trees) -> None:
    base, pr = trees
    for i in range(8):
        (pr / "policies" / f"new-{i}.yaml").write_text("x: 1\n")
    [result] = policy_change(base, pr, REVIEWED, [], [])
    assert "policies/new-0.yaml, policies/new-1.yaml" in result.details[0]
    assert "policies/new-4.yaml and 3 more)" in result.details[0]


def test_a_waiver_the_pull_request_adds_is_not_in_force_and_says_why(trees) -> None:
    base, pr = trees
    kept = _waiver(owner="platform-oncall@claver.example", expires=dt.date(2027, 1, 31))
    added = dataclasses.replace(_waiver(), file=str(pr / "policies" / "exceptions.yaml"),
                                refused="expires 2099-12-31, 26,700 days after it was added")
    results = policy_change(base, pr, REVIEWED, [kept], [kept, added])
    assert [(r.passed, r.file, r.line) for r in results] == [
        (False, "policies/exceptions.yaml", 19)]  # the file itself is unchanged in this tree
    assert results[0].details == (
        "waiver added by this pull request (NO-PUBLIC-DB on reporting-db, owner "
        "mallory@example.com, expires 2099-12-31) is not in force: only the base branch's are, "
        "until the owners merge it; it would be refused: expires 2099-12-31, 26,700 days after "
        "it was added",)
