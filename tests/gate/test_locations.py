"""Findings point where a pull request changes code: the call of a component in the author's
code, with the component's own line as a SARIF related location."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gate_support import GATE_TESTS, TODAY

from trustctl.catalog import load_catalog
from trustctl.gate.locations import locate
from trustctl.gate.run import check_many
from trustctl.gate.sources import Declared
from trustctl.plan import plan_program
from trustctl.plan.model import PlannedResource, SourceLocation, link_callers
from trustctl.report.render import to_table
from trustctl.report.sarif import to_sarif

PROGRAM = GATE_TESTS / "programs" / "component_caller"
CALL = 'exports = Store("exports", key=data_key)'


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_changed_call_of_a_component_is_annotated_on_that_line(tmp_path: Path) -> None:
    changed = tmp_path / "component_caller"
    shutil.copytree(PROGRAM, changed)
    main = changed / "__main__.py"
    main.write_text(main.read_text().replace(CALL, CALL.replace("key=data_key", "key=None")))
    before, after = check_many(
        [Declared(plan_program(d, "test"), str(d)) for d in (PROGRAM, changed)],
        exceptions_path=tmp_path / "none.yaml", today=TODAY)

    def results(report) -> list[dict]:
        doc = json.loads(to_sarif(report, load_catalog(), "Pulumi.yaml", "0"))
        return [r for r in doc["runs"][0]["results"] if r["ruleId"] == "ENC-AT-REST"]

    assert results(before) == []  # both calls pass a customer key
    [result] = results(after)
    changed_line = _line_of(main, CALL[:10])
    assert "exports" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "__main__.py"}, "region": {"startLine": changed_line}}
    [component] = result["relatedLocations"]
    assert component["physicalLocation"] == {
        "artifactLocation": {"uri": "components/store.py"},
        "region": {"startLine": _line_of(PROGRAM / "components" / "store.py", "aws.s3.Bucket(")}}
    assert "declared in its component" in component["message"]["text"]
    table = to_table(after)
    assert f"exports  __main__.py:{changed_line}" in table
    assert "declared in its component: components/store.py:10" in table


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
