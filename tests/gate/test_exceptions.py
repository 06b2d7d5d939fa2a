"""Reviewed exceptions: all fields required, in force -> accepted and listed, expired -> fail."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gate_support import TODAY, Checked

from trustctl.catalog import load_catalog
from trustctl.errors import InputError
from trustctl.gate.exceptions import Waiver, load_exceptions
from trustctl.paths import REPO_ROOT
from trustctl.report.render import summary, to_json, to_junit, to_table
from trustctl.report.results import Status, exit_code
from trustctl.report.sarif import to_sarif

PUBLIC_RDS = "mutation:public-rds"


def _exception(expires: dt.date, **who: str) -> Waiver:
    return Waiver(resource=who.pop("resource", "reporting-db"),
                  reason="read replica behind allow-listed NAT until the Q1 migration",
                  owner="platform-oncall@claver.example", expires=expires,
                  added=expires - dt.timedelta(days=60), **who)


def test_the_repository_exceptions_file_is_valid() -> None:
    assert isinstance(load_exceptions(REPO_ROOT / "policies" / "exceptions.yaml"), list)


@pytest.mark.parametrize(("entry", "reason"), [
    ("- {resource: r, reason: x, owner: o, added: 2026-11-01, expires: 2027-01-01}",
     "lacks control or check"),
    ("- {control: WAF, reason: x, owner: o, added: 2026-11-01, expires: 2027-01-01}",
     "lacks resource"),
    ("- {control: WAF, resource: r, owner: o, added: 2026-11-01, expires: 2027-01-01}",
     "lacks reason"),
    ("- {control: WAF, resource: r, reason: x, added: 2026-11-01, expires: 2027-01-01}",
     "lacks owner"),
    ("- {control: WAF, resource: r, reason: x, owner: o, expires: 2027-01-01}", "lacks added"),
    ("- {control: WAF, resource: r, reason: x, owner: o, added: 2026-11-01}", "lacks expires"),
    ("- {control: WAF, resource: r, reason: x, owner: o, added: 2026-11-01, expires: soon}",
     "expires 'soon' is not a YYYY-MM-DD"),
    ("- {control: WAF, resource: r, reason: x, owner: o, added: lately, expires: 2027-01-01}",
     "added 'lately' is not a YYYY-MM-DD"),
    ("- {control: WAF, resource: r, reason: x, owner: o, added: 2027-02-01, expires: 2027-01-01}",
     r"expires 2027-01-01, before it was added \(2027-02-01\)"),
    ("- {control: NOPE, resource: r, reason: x, owner: o, added: 2026-11-01, "
     "expires: 2027-01-01}", "unknown control 'NOPE'"),
    ("- {check: CKV_AWS_18, resource: r, reason: x, owner: o, added: 2026-11-01, "
     "expires: 2027-01-01}", "names check CKV_AWS_18, which no control lists"),
])
def test_incomplete_exceptions_are_refused(tmp_path: Path, entry: str, reason: str) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text(f"exceptions:\n  {entry}\n")
    with pytest.raises(InputError, match=reason):
        load_exceptions(path, frozenset({"WAF"}), frozenset({"CKV_TRUST_5"}))


def test_exception_in_force_accepts_the_finding_and_is_listed(checked: dict[str, Checked]) -> None:
    accepted = [_exception(TODAY + dt.timedelta(days=30), control="NO-PUBLIC-DB")]
    report = checked[PUBLIC_RDS].report(accepted)
    control = next(c for c in report.controls if c.id == "NO-PUBLIC-DB")
    assert control.status == Status.EXCEPTED and control.findings == []
    assert {x.finding.check_id for x in report.excepted} >= {"CKV_AWS_17", "CKV_TRUST_24"}
    assert exit_code(report.controls) == 0
    for text in (to_table(report), to_json(report), to_junit(report)):
        assert "read replica behind allow-listed NAT" in text


def test_an_excepted_control_never_reads_pass_in_any_format(checked: dict[str, Checked]) -> None:
    expires = TODAY + dt.timedelta(days=30)
    report = checked[PUBLIC_RDS].report([_exception(expires, control="NO-PUBLIC-DB")])
    [doc] = [c for c in json.loads(to_json(report))["controls"] if c["id"] == "NO-PUBLIC-DB"]
    assert doc["status"] == "excepted"
    assert doc["exceptions"] == [{
        "control": "NO-PUBLIC-DB", "check": None, "resource": "reporting-db",
        "reason": "read replica behind allow-listed NAT until the Q1 migration",
        "owner": "platform-oncall@claver.example",
        "added": (expires - dt.timedelta(days=60)).isoformat(), "expires": expires.isoformat()}]
    [row] = [line for line in to_table(report).splitlines() if line.startswith("NO-PUBLIC-DB ")]
    assert row.split()[1] == "excepted"
    case = ET.fromstring(to_junit(report)).find("testcase[@name='NO-PUBLIC-DB']")
    skipped = case.find("skipped")
    assert skipped is not None and case.find("failure") is None
    assert skipped.get("message").startswith("excepted: read replica behind allow-listed NAT")
    assert expires.isoformat() in skipped.get("message")
    sarif = json.loads(to_sarif(report, load_catalog(), "Pulumi.yaml", "0"))["runs"][0]
    assert sarif["properties"]["controls"]["NO-PUBLIC-DB"] == "excepted"
    suppressed = [r for r in sarif["results"] if r["ruleId"] == "NO-PUBLIC-DB"]
    assert suppressed and all(r["suppressions"][0]["kind"] == "external" for r in suppressed)
    assert "read replica" in suppressed[0]["suppressions"][0]["justification"]
    passed = sum(c.status == Status.PASS for c in report.controls)
    assert f"{passed} passed · 1 excepted (not verified)" in summary(report)


def test_a_control_with_nothing_excepted_still_passes(checked: dict[str, Checked]) -> None:
    expires = TODAY + dt.timedelta(days=30)
    report = checked["mutation:none"].report([_exception(expires, control="NO-PUBLIC-DB")])
    assert {c.id: c.status for c in report.controls}["NO-PUBLIC-DB"] == Status.PASS
    assert Status.EXCEPTED not in {c.status for c in report.controls}


def test_exception_for_one_check_leaves_the_others_failing(checked: dict[str, Checked]) -> None:
    accepted = [_exception(TODAY + dt.timedelta(days=1), check="CKV_AWS_17")]
    report = checked[PUBLIC_RDS].report(accepted)
    control = next(c for c in report.controls if c.id == "NO-PUBLIC-DB")
    assert control.status == Status.FAIL
    assert "CKV_AWS_17" not in {f.check_id for f in control.findings}
    assert "CKV_TRUST_24" in {f.check_id for f in control.findings}


def test_exception_for_another_resource_accepts_nothing(checked: dict[str, Checked]) -> None:
    accepted = [_exception(TODAY + dt.timedelta(days=1), control="NO-PUBLIC-DB",
                           resource="some-other-db")]
    report = checked[PUBLIC_RDS].report(accepted)
    assert report.excepted == []
    assert report.exceptions == accepted  # still listed: it is in force


def test_expired_exception_fails_the_gate(checked: dict[str, Checked]) -> None:
    expired = [_exception(TODAY - dt.timedelta(days=1), control="WAF", resource="waf")]
    report = checked["mutation:none"].report(expired)
    waf = next(c for c in report.controls if c.id == "WAF")
    assert waf.status == Status.FAIL
    assert "exception expired on 2026-11-23" in waf.findings[0].message
    assert exit_code(report.controls) == 1
    assert report.exceptions == []  # not in force


def test_an_exceptions_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - control: WAF\n    resource: [unclosed\n")
    with pytest.raises(InputError, match=rf"^{path}:4: not valid YAML"):
        load_exceptions(path)


def test_an_impossible_expiry_date_is_refused_with_its_line_not_a_parser_crash(
        tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - control: WAF\n    resource: waf\n    reason: r\n"
                    "    owner: o\n    added: 2026-11-01\n    expires: 2027-31-30\n")
    with pytest.raises(InputError) as refused:
        load_exceptions(path, frozenset({"WAF"}))
    assert str(refused.value) == (f"{path}:7: exception 1 (WAF on waf): expires '2027-31-30' "
                                  "is not a YYYY-MM-DD date")
