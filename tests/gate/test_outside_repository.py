"""A team's own Pulumi project, outside this repository: gated from inside it with no flags, by
the installed `trustctl` (README: "Gating a project outside this repository")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = """
import pulumi_aws as aws

key = aws.kms.Key("data", enable_key_rotation=True)
aws.s3.Bucket("files")
"""


def test_a_project_without_stack_config_is_gated_from_inside_it_with_no_flags(
        tmp_path: Path) -> None:
    project = tmp_path / "team-project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: team-project\nruntime: python\n")
    (project / "__main__.py").write_text(PROGRAM)
    installed = Path(sys.executable).parent / "trustctl"  # the console script the install makes
    result = subprocess.run([str(installed), "gate", "-o", "gate.sarif"], cwd=project,
                            capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 1, result.stderr  # judged (its controls fail), not "could not run"
    lines = result.stderr.splitlines()
    assert lines[0] == ("trustctl: note: no --stack given and no single Pulumi.<stack>.yaml: "
                        "planning stack 'prod'; give --stack NAME or set PULUMI_STACK")
    sarif = json.loads((project / "gate.sarif").read_text())
    assert sarif["runs"][0]["properties"]["controls"]["ENC-AT-REST"] == "fail"
    [announced] = [line for line in lines if "record written to" in line]
    [record] = (project / "evidence").glob("gate-*.json")
    assert announced == f"trustctl: gate: record written to {Path('evidence') / record.name}" \
        or announced.endswith(str(record))
    assert json.loads(record.read_text())["targets"]["stack"] == "prod"
    # most of its controls fail only for what another stack would declare: said once, how to
    # scope it
    [scoping] = [line for line in lines if "fail only because what they require" in line]
    assert scoping.startswith("trustctl: note: ") and "trustctl:controls: {owns: [...]}" in scoping
