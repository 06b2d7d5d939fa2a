"""CHANGE-CONTROL, statically: the repository's workflows run the gate, secret scanning and
dependency review on every pull request, never check out a pull request's head under
pull_request_target, pin their actions (zizmor), and Dependabot updates the Python packages
and the actions. This repository passes; each mutation of a copy of its .github fails the
check that guards it. One real checkov run judges every repository."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gate_support import TODAY

from trustctl.catalog import load_catalog
from trustctl.gate.checkov_runner import CheckovProcess, CheckResult
from trustctl.gate.evaluate import evaluate
from trustctl.gate.schedules import load_workflows
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.gate.zizmor import ZizmorProcess
from trustctl.paths import REPO_ROOT
from trustctl.plan.model import Plan
from trustctl.report.results import ControlResult, Status

GITHUB = REPO_ROOT / ".github"
PIN = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
HEAD_CHECKOUT = """name: label
on: pull_request_target
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          ref: ${{ github.event.pull_request.head.sha }}
          persist-credentials: false
"""
PRT_BASE_ONLY = HEAD_CHECKOUT.replace(
    "          ref: ${{ github.event.pull_request.head.sha }}\n", "")


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(github: Path) -> None:
        path = github / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))
    return edit


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda github: (github / name).write_text(text)


def _remove(name: str) -> Callable[[Path], None]:
    return lambda github: (github / name).unlink()


# mutation -> (how to break a copy of .github, the check that must fail)
MUTATIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "no-gate-workflow": (_remove("workflows/gate.yml"), "CKV_TRUST_60"),
    "gate-on-push-only": (_edit("workflows/gate.yml", "  pull_request:\n", ""), "CKV_TRUST_60"),
    "gate-some-paths": (_edit("workflows/gate.yml", "  pull_request:\n",
                              "  pull_request:\n    paths: [infra/**]\n"), "CKV_TRUST_60"),
    "gate-step-switched-off": (_edit("workflows/gate.yml", "        id: gate\n",
                                     "        id: gate\n        if: false\n"), "CKV_TRUST_60"),
    "gate-lenient": (_edit("workflows/gate.yml", "  gate:\n    runs-on: ubuntu-latest\n",
                           "  gate:\n    runs-on: ubuntu-latest\n    continue-on-error: true\n"),
                     "CKV_TRUST_60"),
    "no-secret-scan": (_edit("workflows/change-control.yml",
                             "uses: gitleaks/gitleaks-action", "uses: actions/cache"),
                       "CKV_TRUST_61"),
    "secret-scan-lenient": (_edit("workflows/change-control.yml",
                                  "  secret-scan:\n    runs-on: ubuntu-latest\n",
                                  "  secret-scan:\n    runs-on: ubuntu-latest\n"
                                  "    continue-on-error: true\n"), "CKV_TRUST_61"),
    "review-critical-only": (_edit("workflows/change-control.yml", "fail-on-severity: high",
                                   "fail-on-severity: critical"), "CKV_TRUST_62"),
    "no-dependency-review": (_edit("workflows/change-control.yml",
                                   "uses: actions/dependency-review-action",
                                   "uses: actions/cache"), "CKV_TRUST_62"),
    "prt-head-checkout": (_write("workflows/label.yml", HEAD_CHECKOUT), "CKV_TRUST_63"),
    "no-dependabot": (_remove("dependabot.yml"), "CKV_TRUST_64"),
    "dependabot-no-actions": (_edit("dependabot.yml", "package-ecosystem: github-actions",
                                    "package-ecosystem: docker"), "CKV_TRUST_64"),
    "unpinned-action": (_edit("workflows/gate.yml", PIN, "actions/checkout@v4"),
                        "zizmor/unpinned-uses"),
}
CASES = ["this-repository", "prt-base-only", *MUTATIONS]


def _repository(case: str, root: Path) -> Path:
    if case == "this-repository":
        return REPO_ROOT
    repo = root / case
    shutil.copytree(GITHUB, repo / ".github")
    if case == "prt-base-only":
        _write("workflows/label.yml", PRT_BASE_ONLY)(repo / ".github")
    else:
        MUTATIONS[case][0](repo / ".github")
    return repo


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ControlResult,
                                                                        list[CheckResult]]]:
    root = tmp_path_factory.mktemp("repositories")
    repos = {case: _repository(case, root) for case in CASES}
    zizmor = {case: ZizmorProcess(repo) for case, repo in repos.items()}
    with CheckovProcess(list(repos.values())) as checkov:
        checked = checkov.run([])
    empty = translate(Declared(Plan([]), "nothing"))
    out = {}
    for (case, repo), results in zip(repos.items(), checked, strict=True):
        results = results + zizmor[case].results()
        report = evaluate(load_catalog(), case, empty, results, [], TODAY,
                          load_workflows(repo / ".github" / "workflows"))
        out[case] = (next(c for c in report.controls if c.id == "CHANGE-CONTROL"), results)
    return out


@pytest.mark.parametrize("case", ["this-repository", "prt-base-only"])
def test_a_repository_that_keeps_change_control_passes(judged, case: str) -> None:
    control, results = judged[case]
    assert (control.status, control.findings) == (Status.PASS, [])
    passed = {r.check_id for r in results if r.passed}
    assert {"CKV_TRUST_60", "CKV_TRUST_61", "CKV_TRUST_62", "CKV_TRUST_63",
            "CKV_TRUST_64"} <= passed


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_each_break_fails_change_control_on_its_check(judged, case: str) -> None:
    control, _ = judged[case]
    assert control.status == Status.FAIL
    assert {f.check_id for f in control.findings} == {MUTATIONS[case][1]}
    # a file that breaks a check is named; what is missing altogether is said, not located
    assert all(f.file.startswith(".github/") if f.file else "does this" in f.message
               for f in control.findings)


def test_a_finding_says_what_is_wrong_and_where(judged) -> None:
    control, _ = judged["review-critical-only"]
    finding = control.findings[0]
    assert finding.file == ".github/workflows/change-control.yml" and finding.line
    assert "fail-on-severity critical" in finding.message
    control, _ = judged["unpinned-action"]
    finding = control.findings[0]
    assert (finding.file, finding.line) == (".github/workflows/gate.yml", 21)
    assert "not pinned" in finding.message


def test_pull_request_target_is_flagged_by_zizmor_too(judged) -> None:
    _, results = judged["prt-base-only"]
    assert "zizmor/dangerous-triggers" in {r.check_id for r in results}  # an advisory


def test_without_the_repository_change_control_is_not_judged() -> None:
    report = evaluate(load_catalog(), "plan only", translate(Declared(Plan([]), "x")), [], [],
                      TODAY)
    control = next(c for c in report.controls if c.id == "CHANGE-CONTROL")
    assert control.status == Status.NOT_APPLICABLE
