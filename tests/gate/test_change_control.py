"""CHANGE-CONTROL, statically: the repository's workflows run the gate, secret scanning and
dependency review on every pull request, a failing gate fails its job by steps nothing can
skip, no pull_request_target workflow checks out a pull request's head, actions are pinned
(zizmor), Dependabot updates the Python packages and the actions, and CODEOWNERS gives the
gate's files an owner. This repository passes; each mutation of a copy of its .github (and
policies/) fails the checks that guard it. One real checkov run judges every repository."""

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


FAIL_STEP = """      - name: Fail the job unless the gate exited 0
        if: always()
        env:
          GATE_EXIT: ${{ steps.gate.outputs.exit }}
        run: |
          echo "trustctl gate exited $GATE_EXIT (1: a control failed, 2: could not check)"
          exit "$GATE_EXIT"
"""
GATE_LINE = ("../base/scripts/trustctl gate --base ../base --output sarif=../gate.sarif "
             "--output json=../gate.json")
RECORDED = f"""          set +e
          {GATE_LINE}
          echo "exit=$?" >> "$GITHUB_OUTPUT"
"""
DIRECT = f"          {GATE_LINE}\n"  # the other shape: the gate's own step fails the job


def _direct(then: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """gate.yml in the direct shape (the gate step itself fails), then `then`'s edit."""
    def edit(github: Path) -> None:
        _edit("workflows/gate.yml", RECORDED, DIRECT)(github)
        _edit("workflows/gate.yml", FAIL_STEP, "")(github)
        if then is not None:
            then(github)
    return edit


def _gate_edit(old: str, new: str) -> Callable[[Path], None]:
    return _edit("workflows/gate.yml", old, new)


def _append(name: str, text: str) -> Callable[[Path], None]:
    return lambda github: (github / name).write_text((github / name).read_text() + text)


# mutation -> (how to break a copy of .github, the checks that must fail)
MUTATIONS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    # gate-record.yml still gates main after a merge (and fails its job), never a pull request
    "no-gate-workflow": (_remove("workflows/gate.yml"), {"CKV_TRUST_60"}),
    "gate-on-push-only": (_gate_edit("  pull_request:\n", ""), {"CKV_TRUST_60"}),
    "gate-some-paths": (_gate_edit("  pull_request:\n",
                                   "  pull_request:\n    paths: [infra/**]\n"), {"CKV_TRUST_60"}),
    "gate-step-switched-off": (_gate_edit("        id: gate\n",
                                          "        id: gate\n        if: false\n"),
                               {"CKV_TRUST_60", "CKV_TRUST_65"}),
    "gate-lenient": (_gate_edit("  gate:\n    runs-on: ubuntu-latest\n",
                                "  gate:\n    runs-on: ubuntu-latest\n"
                                "    continue-on-error: true\n"),
                     {"CKV_TRUST_60", "CKV_TRUST_65"}),
    # the gate's verdict no longer fails the job (issue 20 item 3)
    "fail-step-deleted": (_gate_edit(FAIL_STEP, ""), {"CKV_TRUST_65"}),
    "fail-step-condition-changed": (_gate_edit("        if: always()\n        env:\n",
                                               "        if: steps.gate.outputs.exit == '3'\n"
                                               "        env:\n"), {"CKV_TRUST_65"}),
    "fail-step-lenient": (_gate_edit("        if: always()\n        env:\n",
                                     "        if: always()\n        continue-on-error: true\n"
                                     "        env:\n"), {"CKV_TRUST_65"}),
    "fail-step-exits-0": (_gate_edit('          exit "$GATE_EXIT"\n', "          exit 0\n"),
                          {"CKV_TRUST_65"}),
    "fail-step-exit-swallowed": (_gate_edit('          exit "$GATE_EXIT"\n',
                                            '          true || exit "$GATE_EXIT"\n'),
                                 {"CKV_TRUST_65"}),
    "gate-or-true": (_gate_edit(GATE_LINE + "\n", GATE_LINE + " || true\n"), {"CKV_TRUST_65"}),
    "exit-not-recorded": (_gate_edit('          echo "exit=$?" >> "$GITHUB_OUTPUT"\n', ""),
                          {"CKV_TRUST_65"}),
    "gate-step-conditional": (_gate_edit("        id: gate\n",
                                         "        id: gate\n        if: github.event_name == "
                                         "'push'\n"), {"CKV_TRUST_65"}),
    "direct-or-true": (_direct(_gate_edit(DIRECT, DIRECT.rstrip() + " || true\n")),
                       {"CKV_TRUST_65"}),
    "direct-piped": (_direct(_gate_edit(DIRECT, DIRECT.rstrip() + " | tee gate.txt\n")),
                     {"CKV_TRUST_65"}),
    "direct-no-errexit": (_direct(_gate_edit(DIRECT, "          set +e\n" + DIRECT)),
                          {"CKV_TRUST_65"}),
    "direct-trap": (_direct(_gate_edit(DIRECT, "          trap 'exit 0' EXIT\n" + DIRECT)),
                    {"CKV_TRUST_65"}),
    "direct-shell": (_direct(_gate_edit("        working-directory: pr\n",
                                        "        working-directory: pr\n"
                                        "        shell: bash {0}\n")), {"CKV_TRUST_65"}),
    "no-secret-scan": (_edit("workflows/change-control.yml",
                             "uses: gitleaks/gitleaks-action", "uses: actions/cache"),
                       {"CKV_TRUST_61"}),
    "secret-scan-lenient": (_edit("workflows/change-control.yml",
                                  "  secret-scan:\n    runs-on: ubuntu-latest\n",
                                  "  secret-scan:\n    runs-on: ubuntu-latest\n"
                                  "    continue-on-error: true\n"), {"CKV_TRUST_61"}),
    "review-critical-only": (_edit("workflows/change-control.yml", "fail-on-severity: high",
                                   "fail-on-severity: critical"), {"CKV_TRUST_62"}),
    "no-dependency-review": (_edit("workflows/change-control.yml",
                                   "uses: actions/dependency-review-action",
                                   "uses: actions/cache"), {"CKV_TRUST_62"}),
    "prt-head-checkout": (_write("workflows/label.yml", HEAD_CHECKOUT), {"CKV_TRUST_63"}),
    "no-dependabot": (_remove("dependabot.yml"), {"CKV_TRUST_64"}),
    "dependabot-no-actions": (_edit("dependabot.yml", "package-ecosystem: github-actions",
                                    "package-ecosystem: docker"), {"CKV_TRUST_64"}),
    "no-codeowners": (_remove("CODEOWNERS"), {"CKV_TRUST_66"}),
    "codeowners-without-policies": (_edit("CODEOWNERS", "/policies/          @claver/security\n",
                                          ""), {"CKV_TRUST_66"}),
    "codeowners-carves-out-exceptions": (_append("CODEOWNERS", "/policies/exceptions.yaml\n"),
                                         {"CKV_TRUST_66"}),
    "unpinned-action": (_edit("workflows/gate.yml", PIN, "actions/checkout@v4"),
                        {"zizmor/unpinned-uses"}),
}
# other shapes that keep change control: each passes
KEPT: dict[str, Callable[[Path], None]] = {
    "prt-base-only": _write("workflows/label.yml", PRT_BASE_ONLY),
    "direct-shape": _direct(),
    "codeowners-catch-all": _write("CODEOWNERS", "*  @claver/maintainers\n"),
}
CASES = ["this-repository", *KEPT, *MUTATIONS]


def _repository(case: str, root: Path) -> Path:
    if case == "this-repository":
        return REPO_ROOT
    repo = root / case
    shutil.copytree(GITHUB, repo / ".github")
    shutil.copytree(REPO_ROOT / "policies", repo / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (KEPT[case] if case in KEPT else MUTATIONS[case][0])(repo / ".github")
    return repo


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ControlResult,
                                                                        list[CheckResult]]]:
    root = tmp_path_factory.mktemp("repositories")
    repos = {case: _repository(case, root) for case in CASES}
    zizmor = {case: ZizmorProcess(repo, [repo]) for case, repo in repos.items()}
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


@pytest.mark.parametrize("case", ["this-repository", *KEPT])
def test_a_repository_that_keeps_change_control_passes(judged, case: str) -> None:
    control, results = judged[case]
    assert (control.status, control.findings) == (Status.PASS, [])
    passed = {r.check_id for r in results if r.passed}
    assert {"CKV_TRUST_60", "CKV_TRUST_61", "CKV_TRUST_62", "CKV_TRUST_63",
            "CKV_TRUST_64", "CKV_TRUST_65", "CKV_TRUST_66"} <= passed


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_each_break_fails_change_control_on_its_check(judged, case: str) -> None:
    control, _ = judged[case]
    assert control.status == Status.FAIL
    assert {f.check_id for f in control.findings} == MUTATIONS[case][1]
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
    first_pin = (GITHUB / "workflows" / "gate.yml").read_text().splitlines().index(
        f"        uses: {PIN}") + 1
    assert (finding.file, finding.line) == (".github/workflows/gate.yml", first_pin)
    assert "not pinned" in finding.message


# mutation -> the one line CHANGE-CONTROL now prints for it
SAYS = {
    "fail-step-deleted": "job gate: nothing fails the job when the gate fails: step 'Gate, run "
                         "once from the base branch (SARIF for code scanning, JSON kept, text "
                         "here)' records its exit (exit=$?) and no later step exits with it",
    "fail-step-condition-changed": "job gate: step 'Fail the job unless the gate exited 0' has "
                                   "`if: steps.gate.outputs.exit == '3'`, which can skip it "
                                   "(only always() may stand there)",
    "fail-step-lenient": "job gate: step 'Fail the job unless the gate exited 0' has "
                         "continue-on-error, so its failure does not fail the job",
    "gate-or-true": f"ignores the gate's exit (`{GATE_LINE} || true`)",
    "direct-piped": f"ignores the gate's exit (`{GATE_LINE} | tee gate.txt`)",
    "codeowners-carves-out-exceptions": "policies/ has files without a code owner in "
                                        ".github/CODEOWNERS (policies/exceptions.yaml: line 14 "
                                        "(`/policies/exceptions.yaml`) names no owner)",
    "codeowners-without-policies": "policies/ has files without a code owner in "
                                   ".github/CODEOWNERS (policies/controls.yaml: no line matches "
                                   "it;",
}


@pytest.mark.parametrize("case", sorted(SAYS))
def test_each_forgery_is_named_in_one_line(judged, case: str) -> None:
    control, _ = judged[case]
    [finding] = control.findings
    assert "\n" not in finding.message and SAYS[case] in finding.message, finding.message


def test_pull_request_target_is_flagged_by_zizmor_too(judged) -> None:
    _, results = judged["prt-base-only"]
    assert "zizmor/dangerous-triggers" in {r.check_id for r in results}  # an advisory


def test_without_the_repository_change_control_is_not_judged() -> None:
    report = evaluate(load_catalog(), "plan only", translate(Declared(Plan([]), "x")), [], [],
                      TODAY)
    control = next(c for c in report.controls if c.id == "CHANGE-CONTROL")
    assert control.status == Status.NOT_APPLICABLE
