"""Findings point where a pull request changes code: the call of a component in the author's
code (the component's own line a SARIF related location), or the stack file's line when the
failing value came from config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from gate_support import GATE_TESTS, TODAY

from trustctl.catalog import load_catalog
from trustctl.gate.locations import locate
from trustctl.gate.run import check_many
from trustctl.gate.sources import Declared
from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program
from trustctl.plan.model import PlannedResource, SourceLocation, link_callers
from trustctl.plan.value_origins import source_literals, stack_config_lines, value_origins
from trustctl.report.model import ControlReport
from trustctl.report.render import to_table
from trustctl.report.sarif import to_sarif

PROGRAM = GATE_TESTS / "programs" / "component_caller"
CALL = 'exports = Store("exports", key=data_key)'
TLS_LITERAL = '"min_tls_version": "1.2",'


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, ControlReport]]:
    """The program as is, with one call of its component changed, and with one config line
    changed (as three pull requests would), checked in one checkov run."""
    root = tmp_path_factory.mktemp("locations")
    changed_call, changed_config = root / "changed-call", root / "changed-config"
    for copy in (changed_call, changed_config):
        shutil.copytree(PROGRAM, copy)
    main = changed_call / "__main__.py"
    main.write_text(main.read_text().replace(CALL, CALL.replace("key=data_key", "key=None")))
    stack = changed_config / "Pulumi.test.yaml"
    stack.write_text(stack.read_text().replace('minTlsVersion: "1.2"', 'minTlsVersion: "1.0"'))
    changed_literal = root / "changed-literal"  # this repository's program, TLS 1.0 at the edge
    changed_literal.mkdir()
    for name in ("infra", "Pulumi.yaml", "Pulumi.prod.yaml"):
        copy = shutil.copytree if (REPO_ROOT / name).is_dir() else shutil.copy
        copy(REPO_ROOT / name, changed_literal / name)
    edge = changed_literal / "infra" / "components" / "edge.py"
    edge.write_text(edge.read_text().replace(TLS_LITERAL, TLS_LITERAL.replace("1.2", "1.0")))
    programs = {"as is": (PROGRAM, "test"), "changed call": (changed_call, "test"),
                "changed config": (changed_config, "test"),
                "changed literal": (changed_literal, "prod")}
    reports = check_many([Declared(plan_program(d, stack), str(d))
                          for d, stack in programs.values()],
                         today=TODAY)
    return {name: (d, r) for (name, (d, _)), r in zip(programs.items(), reports, strict=True)}


def _results(report: ControlReport, rule: str) -> list[dict]:
    doc = json.loads(to_sarif(report, load_catalog(), "Pulumi.yaml", "0"))
    return [r for r in doc["runs"][0]["results"] if r["ruleId"] == rule and "[CKV" in
            r["message"]["text"]]


def test_the_program_as_is_has_no_such_finding(variants: dict) -> None:
    _, report = variants["as is"]
    assert _results(report, "ENC-AT-REST") == [] and _results(report, "TLS-MIN") == []


def test_literals_written_once_in_the_code_are_traced_and_others_not(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text('a = "1.2"\nb = {"v": "1.0", "w": "1.0"}\nc = 35\n')
    literals = source_literals(tmp_path, {"main.py", "missing.py"})
    assert value_origins({"x": "1.2", "y": "1.0", "z": 35, "t": True}, {}, literals) == {
        "x": SourceLocation("main.py", 1), "z": SourceLocation("main.py", 3)}
    config = {"1.2": [SourceLocation("Pulumi.dev.yaml", 3)]}
    assert value_origins({"x": "1.2"}, config, literals) == {
        "x": SourceLocation("Pulumi.dev.yaml", 3)}  # the stack file first


def test_a_changed_call_of_a_component_is_annotated_on_that_line(variants: dict) -> None:
    program, report = variants["changed call"]
    main = program / "__main__.py"
    [result] = _results(report, "ENC-AT-REST")
    changed_line = _line_of(main, CALL[:10])
    assert "exports" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "__main__.py"}, "region": {"startLine": changed_line}}
    [component] = result["relatedLocations"]
    assert component["physicalLocation"] == {
        "artifactLocation": {"uri": "components/store.py"},
        "region": {"startLine": _line_of(PROGRAM / "components" / "store.py", "aws.s3.Bucket(")}}
    assert "declared in its component" in component["message"]["text"]
    table = to_table(report)
    assert f"exports  __main__.py:{changed_line}" in table
    assert "declared in its component: components/store.py:10" in table


def test_a_changed_config_value_is_annotated_on_its_stack_file_line(variants: dict) -> None:
    program, report = variants["changed config"]
    [result] = _results(report, "TLS-MIN")
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "Pulumi.test.yaml"},
        "region": {"startLine": _line_of(program / "Pulumi.test.yaml", "minTlsVersion")}}
    [code] = result["relatedLocations"]
    assert code["physicalLocation"]["artifactLocation"]["uri"] == "__main__.py"
    assert code["physicalLocation"]["region"]["startLine"] == _line_of(
        program / "__main__.py", 'cloudflare.ZoneSetting("min-tls"')


def test_a_changed_literal_inside_a_component_is_annotated_on_its_line(variants: dict) -> None:
    """The issue's case: TLS 1.0 written in the Edge component's settings dict is reported
    there, not at the ZoneSetting( call that loops over the dict."""
    program, report = variants["changed literal"]
    edge = program / "infra" / "components" / "edge.py"
    [result] = _results(report, "TLS-MIN")
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/components/edge.py"},
        "region": {"startLine": _line_of(edge, '"min_tls_version": "1.0"')}}
    related = {(r["physicalLocation"]["artifactLocation"]["uri"],
                r["physicalLocation"]["region"]["startLine"]) for r in result["relatedLocations"]}
    assert related == {("infra/components/edge.py", _line_of(edge, "cloudflare.ZoneSetting(")),
                       ("infra/__main__.py", _line_of(program / "infra" / "__main__.py",
                                                      'edge = Edge("edge"'))}


def test_a_value_the_stack_file_holds_twice_is_not_traced_to_either(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  app:a: shared\n  app:b: shared\n  app:c: only-here\n"
        "  app:d:\n    secure: AAABAHsecretciphertext\n")
    lines = stack_config_lines(tmp_path, "dev")
    assert "AAABAHsecretciphertext" not in lines
    origins = value_origins({"x": "shared", "y": [{"z": "only-here"}],
                              "w": "AAABAHsecretciphertext"}, lines)
    assert origins == {"y.0.z": SourceLocation("Pulumi.dev.yaml", 4)}


def test_a_resource_outside_any_component_points_at_its_own_line() -> None:
    plan = plan_program(PROGRAM, "test")
    key = next(r for r in plan.resources if r.name == "data-key")
    bucket = next(r for r in plan.resources if r.name == "invoices" and r.custom)
    assert key.callers == [] and key.source.file == "__main__.py"
    assert [(c.file, c.line) for c in bucket.callers] == [
        ("__main__.py", _line_of(PROGRAM / "__main__.py", 'Store("invoices"'))]


def test_a_librarys_lines_are_never_a_location() -> None:
    """A role a library component (node_modules) declares under the program's bucket is
    reported at the program's line that declared that bucket."""
    outer = PlannedResource("urn:a", "aws:s3/bucket:Bucket", "docs",
                            source=SourceLocation("index.ts", 5))
    mixin = PlannedResource("urn:b", "aws:s3:BucketEventSubscription", "handler", parent="urn:a",
                            custom=False,
                            source=SourceLocation("node_modules/@pulumi/s3/s3Mixins.ts", 137))
    role = PlannedResource("urn:c", "aws:iam/role:Role", "handler", parent="urn:b",
                           source=SourceLocation("node_modules/@pulumi/lambda/mixins.ts", 339))
    link_callers([outer, mixin, role])
    where, related = locate(role)
    assert where == SourceLocation("index.ts", 5) and related == []
    assert locate(outer) == (SourceLocation("index.ts", 5), [])
