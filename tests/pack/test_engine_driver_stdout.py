"""What a pack prints after its port is read while it runs, as the engine reads it: a pack that
prints more than a pipe holds (64 KiB) used to block mid-judgment, its `AnalyzeStack` never
answered."""

from __future__ import annotations

from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2

from trustctl.pack.engine_driver import from_states, running_pack

CHATTY_PACK = '''
import sys

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy


def validate(args, report_violation):
    for _ in range(1024):  # 1 MiB, sixteen pipes' worth
        sys.stdout.write("x" * 1023 + "\\n")
    sys.stdout.flush()
    report_violation(f"judged {len(args.resources)} resources after printing 1 MiB")


PolicyPack(name="chatty", enforcement_level=EnforcementLevel.MANDATORY, policies=[
    StackValidationPolicy(name="chatty", description="prints a lot", validate=validate)])
'''


def test_a_pack_printing_a_megabyte_is_still_answered(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text(CHATTY_PACK)
    stack = [{"urn": "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test",
              "type": "pulumi:pulumi:Stack"}]
    with running_pack("test", "p", pack=tmp_path) as analyzer:
        for _ in range(2):  # and again: the pipe stays drained
            response = analyzer.stub.AnalyzeStack(
                analyzer_pb2.AnalyzeStackRequest(resources=from_states(stack)), timeout=30)
            assert [d.message for d in response.diagnostics] == [
                "prints a lot\njudged 1 resources after printing 1 MiB"]
