"""A waiver keeps its limits or is refused: at most change_control.waiver_max_days after the
date it was added (a limit the catalog must give, never unlimited), an accountable owner from
owners.yaml, no date later than the commit that wrote it, never over a policy change. A refused
waiver accepts nothing and fails its control with one line naming its file:line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from trustctl.catalog import ChangeControl, change_control, load_catalog
from trustctl.errors import InputError
from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.evaluate import evaluate
from trustctl.gate.exceptions import Waiver
from trustctl.gate.git_history import LineOrigin, line_origins
from trustctl.gate.owners import Owners, load_owners
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.gate.waiver_rules import judge, judged_waivers
from trustctl.paths import CATALOG_PATH
from trustctl.plan.model import Plan, PlannedResource
from trustctl.report.results import Status, exit_code

TODAY = dt.date(2026, 11, 24)
RULES = ChangeControl(90, ("policies/",))
OWNERS = Owners(frozenset({"platform-oncall@claver.example"}), Path("/nowhere/owners.yaml"))
UNWAIVABLE = frozenset({"CHANGE-CONTROL"})
OWNERS_YAML = """owners:
  - id: platform-oncall@claver.example
    accountable: Alice Martin
"""


def _waiver(**given: object) -> Waiver:
    fields: dict[str, object] = {
        "control": "NO-PUBLIC-DB", "resource": "reporting-db", "reason": "read replica",
        "owner": "platform-oncall@claver.example", "added": TODAY - dt.timedelta(days=10),
        "expires": TODAY + dt.timedelta(days=30), "file": "policies/exceptions.yaml",
        "line": 3, "added_line": 8}
    return Waiver(**{**fields, **given})  # type: ignore[arg-type]


def _refused(waiver: Waiver, origins: dict[int, LineOrigin] | None = None,
             rules: ChangeControl = RULES) -> str | None:
    [judged] = judge([waiver], rules, OWNERS, TODAY, origins or {}, UNWAIVABLE)
    return judged.refused


def test_a_waiver_within_its_limits_is_in_force() -> None:
    assert _refused(_waiver()) is None
    assert _refused(_waiver(added=TODAY, expires=TODAY + dt.timedelta(days=90))) is None


@pytest.mark.parametrize(("given", "refusal"), [
    ({"expires": dt.date(2099, 12, 31)},
     "expires 2099-12-31, 26,710 days after it was added on 2026-11-14: at most 90 "
     "(change_control.waiver_max_days)"),
    ({"added": TODAY - dt.timedelta(days=1), "expires": TODAY + dt.timedelta(days=90)},
     "expires 2027-02-22, 91 days after it was added on 2026-11-23: at most 90 "
     "(change_control.waiver_max_days)"),
    ({"owner": "mallory@example.com"},
     "owner 'mallory@example.com' is not an accountable owner in /nowhere/owners.yaml, which "
     "does not exist"),
    ({"added": dt.date(2027, 1, 10), "expires": dt.date(2027, 3, 1)},
     "added 2027-01-10, a date still to come"),
    ({"control": "CHANGE-CONTROL", "resource": "policies/controls.yaml"},
     "it would waive the owners' review of a policy change (trustctl/policy-change), which is "
     "never waived"),
    ({"control": None, "check": "trustctl/policy-change"},
     "it would waive the owners' review of a policy change (trustctl/policy-change), which is "
     "never waived"),
    ({"added": None}, "it records no date added (added: YYYY-MM-DD)"),
])
def test_a_forged_waiver_is_refused_naming_the_rule(given: dict, refusal: str) -> None:
    assert _refused(_waiver(**given)) == refusal


def test_a_waiver_of_one_change_control_check_other_than_the_review_may_stand() -> None:
    assert _refused(_waiver(control="CHANGE-CONTROL", check="zizmor/unpinned-uses")) is None


def test_the_limit_is_the_catalog_s() -> None:
    waiver = _waiver(added=TODAY, expires=TODAY + dt.timedelta(days=45))
    assert _refused(waiver) is None
    assert "at most 30" in (_refused(waiver, rules=ChangeControl(30, ("policies/",))) or "")


def test_a_date_later_than_the_commit_that_wrote_it_is_refused() -> None:
    written = {8: LineOrigin("a" * 40, dt.date(2026, 8, 1))}
    late = _waiver(added=dt.date(2026, 10, 1), expires=dt.date(2026, 12, 20))
    assert _refused(late, written) == ("added 2026-10-01, later than the commit that wrote "
                                       f"that date ({'a' * 12}, 2026-08-01)")
    # the writer's time zone may be a day ahead; an earlier date only shortens the waiver
    assert _refused(_waiver(added=dt.date(2026, 8, 2), expires=dt.date(2026, 10, 30)),
                    written) is None
    assert _refused(_waiver(added=dt.date(2026, 7, 1), expires=dt.date(2026, 9, 29)),
                    written) is None


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@example.com"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def _entry(added: str, expires: str, owner: str = "platform-oncall@claver.example") -> str:
    return (f"  - control: NO-PUBLIC-DB\n    resource: reporting-db\n    reason: read replica\n"
            f"    owner: {owner}\n    added: {added}\n    expires: {expires}\n")


def test_git_history_bounds_the_date_a_waiver_was_added(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    exceptions = repo / "policies" / "exceptions.yaml"
    exceptions.write_text("exceptions:\n" + _entry("2026-08-01", "2026-10-30"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "waiver", when="2026-08-01T10:00:00+0000")
    # a later pull request moves the date (and the expiry) forward, dated in the commit too
    exceptions.write_text("exceptions:\n" + _entry("2026-11-20", "2027-02-15"))
    _git(repo, "commit", "-q", "-am", "renewed", when="2026-09-01T10:00:00+0000")
    origins = line_origins(exceptions)
    assert origins is not None and origins[6].committed == dt.date(2026, 9, 1)
    assert origins[2].committed == dt.date(2026, 8, 1)
    (repo / "policies" / "owners.yaml").write_text(OWNERS_YAML)
    policies = PolicySet(CATALOG_PATH, CATALOG_PATH.parent / "checks", exceptions,
                         repo / "policies" / "owners.yaml")
    [judged] = judged_waivers(policies, load_catalog(), TODAY)
    assert judged.refused is not None and judged.refused.startswith(
        "added 2026-11-20, later than the commit that wrote that date (")
    assert judged.refused.endswith(", 2026-09-01)")
    exceptions.write_text("exceptions:\n" + _entry("2026-11-21", "2027-02-15"))  # not committed
    assert line_origins(exceptions) is not None and 6 not in line_origins(exceptions)


def test_outside_git_there_is_no_history(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions: []\n")
    assert line_origins(path) is None


def _policies(folder: Path, entry: str) -> PolicySet:
    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "exceptions.yaml").write_text("exceptions:\n" + entry)
    (folder / "policies" / "owners.yaml").write_text(OWNERS_YAML)
    return PolicySet(CATALOG_PATH, CATALOG_PATH.parent / "checks",
                     folder / "policies" / "exceptions.yaml", folder / "policies" / "owners.yaml")


def test_without_git_history_the_date_rule_is_not_checked_and_says_so(tmp_path: Path) -> None:
    """The same entry: committed, its date is bounded and it is in force; outside any git
    checkout nothing bounds it, and the waiver says that rule was not checked."""
    entry = _entry("2026-11-14", "2026-12-24")
    repo = tmp_path / "repo"
    policies = _policies(repo, entry)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "waiver", when="2026-11-14T10:00:00+0000")
    [committed] = judged_waivers(policies, load_catalog(), TODAY)
    assert (committed.refused, committed.unchecked) == (None, None)
    alone = _policies(tmp_path / "copy", entry)
    [unchecked] = judged_waivers(alone, load_catalog(), TODAY)
    assert unchecked.refused is None and unchecked.lapse(TODAY) is None  # still accepts
    assert unchecked.unchecked == (
        "its date added (2026-11-14) is not checked against the commit that wrote it: git has "
        f"no history of {alone.exceptions} here (not in a git checkout, or not committed); "
        "judge the exceptions of a git checkout")
    # a rule broken is still a refusal, git or not
    [late] = judge([_waiver(added=dt.date(2027, 1, 1), expires=dt.date(2027, 2, 1))], RULES,
                   OWNERS, TODAY, None, UNWAIVABLE)
    assert late.refused == "added 2027-01-01, a date still to come" and late.unchecked is None


def test_a_finding_accepted_by_an_unchecked_waiver_is_not_checked_never_excepted() -> None:
    """Its control reads `error` (exit 2 when nothing failed) with one line naming the entry;
    the finding is still listed as accepted by the waiver."""
    db = PlannedResource(urn="urn:pulumi:prod::p::aws:rds/instance:Instance::reporting-db",
                         type="aws:rds/instance:Instance", name="reporting-db",
                         inputs={"publiclyAccessible": True})
    plan = translate(Declared(Plan([db]), "one database"))
    [address] = plan.resources
    public = CheckResult("CKV_AWS_17", "RDS instance is not public", False, address)
    for waiver, status in ((_waiver(), Status.EXCEPTED),
                           (_waiver(unchecked="its date added is not checked"), Status.ERROR)):
        report = evaluate(load_catalog(), "one database", plan, [public], [waiver], TODAY)
        control = next(c for c in report.controls if c.id == "NO-PUBLIC-DB")
        assert control.status == status
        assert [(x.control, x.finding.check_id) for x in report.excepted] == [
            ("NO-PUBLIC-DB", "CKV_AWS_17")]
    assert [(f.message, f.file, f.line) for f in control.findings] == [
        ("waiver not checked (policies/exceptions.yaml:3): its date added is not checked",
         "policies/exceptions.yaml", 3)]
    assert exit_code([control]) == 2


def test_a_refused_waiver_fails_its_control_naming_its_line() -> None:
    refused = dataclasses.replace(_waiver(), refused="owner 'x' is not an accountable owner")
    report = evaluate(load_catalog(), "x", translate(Declared(Plan([]), "x")), [], [refused],
                      TODAY)
    control = next(c for c in report.controls if c.id == "NO-PUBLIC-DB")
    assert control.status == Status.FAIL and report.exceptions == []
    [finding] = [f for f in control.findings if "refused" in f.message]
    assert finding.message == ("waiver refused (policies/exceptions.yaml:3): owner 'x' is not "
                               "an accountable owner")
    assert (finding.file, finding.line) == ("policies/exceptions.yaml", 3)


@pytest.mark.parametrize("days", [None, 0, -5, 400, "90", True, 9999999])
def test_the_catalog_never_allows_unlimited_waivers(tmp_path: Path, days: object) -> None:
    doc = yaml.safe_load(CATALOG_PATH.read_text())
    doc["change_control"]["waiver_max_days"] = days
    path = tmp_path / "controls.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"waiver_max_days must be a whole number of days from "
                                         r"1 to 365, not .* \(a waiver is never unlimited\)"):
        change_control(path)


def test_the_repository_s_catalog_limits_waivers_to_90_days() -> None:
    assert change_control().waiver_max_days == 90


@pytest.mark.parametrize(("text", "error"), [
    ("owners: [{id: a@example.com}]", "owner 1 needs an `id` and the `accountable` person"),
    ("owners: {a: b}", "expected a top-level `owners` list"),
    ("owners: [", "not valid YAML"),
])
def test_a_malformed_owners_file_is_refused(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "owners.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=error):
        load_owners(path)


def test_the_repository_s_owners_are_accountable_people() -> None:
    owners = load_owners(CATALOG_PATH.parent / "owners.yaml")
    assert "platform-oncall@claver.example" in owners and "mallory@example.com" not in owners
