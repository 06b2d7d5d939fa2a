"""Files a pull request controls are refused with one line past their limits, before they are
parsed: bytes (on the file's size), YAML values once aliases expand, YAML nesting, and counted
entries (resources of a preview or state). A 50 MB exceptions file used to parse for over
300 s at 1.6 GB. Times are this process's CPU time: the suite runs under load."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trustctl.access_review import review_file, roster
from trustctl.archive import recovery
from trustctl.audit import expectations
from trustctl.catalog import load_catalog
from trustctl.cli import app
from trustctl.errors import InputError
from trustctl.evidence.attestations import load_attestations
from trustctl.gate.exceptions import load_exceptions
from trustctl.gate.owners import load_owners
from trustctl.gate.schedules import load_workflows
from trustctl.gate.sources import from_preview, from_state
from trustctl.input_limits import MAX_YAML_DEPTH, PULUMI_JSON
from trustctl.paths import REPO_ROOT
from trustctl.pg import tenancy
from trustctl.plan.project import load_project
from trustctl.plan.stack_outputs import read_stack_outputs

PROGRAM = REPO_ROOT / "tests" / "gate" / "programs" / "compliant"
ENTRY = ("  - control: NO-PUBLIC-DB\n    resource: reporting-db-{i}\n    reason: read replica\n"
         "    owner: platform-oncall@claver.example\n    added: 2026-11-01\n"
         "    expires: 2026-12-31\n")
# ten anchors, each ten times the one before: 10^10 values in a few hundred bytes
ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
DEEP = "x: " + "[" * 200 + "]" * 200 + "\n"


def _pulumi_stack(folder: Path) -> Path:
    folder.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (folder / name).write_text((PROGRAM / name).read_text())
    return folder / "Pulumi.test.yaml"


def _recovery_region(stack_file: Path) -> str:
    """The drill's default recovery region, read from `stack_file` as the production stack."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recovery, "PRODUCTION_STACK_CONFIG", stack_file)
        return recovery.default_recovery_region()


# what reads each input: (the file to write, how to read it)
YAML_INPUTS: dict[str, tuple[Callable[[Path], Path], Callable[[Path], Any]]] = {
    "exceptions": (lambda d: d / "exceptions.yaml", load_exceptions),
    "owners": (lambda d: d / "owners.yaml", load_owners),
    "tenancy": (lambda d: d / "tenancy.yaml", tenancy.load),
    "on-call roster": (lambda d: d / "oncall.yaml", roster.load),
    "stack config": (lambda d: _pulumi_stack(d / "program"),
                     lambda p: load_project(p.parent, "test")),
    "audit's stack config": (lambda d: d / "Pulumi.prod.yaml", expectations.load),
    "drill's stack config": (lambda d: d / "Pulumi.prod.yaml", _recovery_region),
    "workflow": (lambda d: (d / "workflows").mkdir() or d / "workflows" / "gate.yml",
                 lambda p: load_workflows(p.parent)),
}


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
def test_an_oversized_yaml_input_is_refused_before_parsing(tmp_path: Path, kind: str) -> None:
    where, read = YAML_INPUTS[kind]
    path = where(tmp_path)
    with path.open("wb") as file:
        file.truncate(50 << 20)  # 50 MB, never written: only its size is looked at
    began = time.process_time()
    with pytest.raises(InputError) as refused:
        read(path)
    assert time.process_time() - began < 1
    assert str(refused.value).startswith(f"{path}: 52,428,800 bytes, over the ")
    assert str(refused.value).endswith("-byte limit for " + {
        "exceptions": "an exceptions file", "owners": "an owners file",
        "tenancy": "a tenancy file", "on-call roster": "an on-call roster",
        "stack config": "a Pulumi project or stack config",
        "audit's stack config": "a Pulumi project or stack config",
        "drill's stack config": "a Pulumi project or stack config",
        "workflow": "a GitHub Actions workflow"}[kind] + " (refused before parsing)")


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
@pytest.mark.parametrize(("text", "refusal"), [
    (ALIAS_BOMB, r":\d+: more than [\d,]+ values once its aliases are expanded, the limit for "),
    (DEEP, rf":1: nested deeper than {MAX_YAML_DEPTH} levels$"),
    ("a: &a [1, *a]\n", r":1: a YAML alias refers to a value it is part of, or to no anchor$"),
])
def test_yaml_that_expands_or_nests_past_the_limit_is_refused(
        tmp_path: Path, kind: str, text: str, refusal: str) -> None:
    where, read = YAML_INPUTS[kind]
    path = where(tmp_path)
    path.write_text(text)
    with pytest.raises(InputError, match=refusal) as refused:
        read(path)
    assert str(refused.value).startswith(f"{path}:")


def test_a_50_mb_exceptions_file_is_refused_at_once_by_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    entries = "".join(ENTRY.format(i=i) for i in range(1000))
    with path.open("w") as file:
        file.write("exceptions:\n")
        while file.tell() < 50 << 20:
            file.write(entries)
    began = time.process_time()
    result = CliRunner().invoke(app, ["gate", "--program", str(PROGRAM), "--stack", "test",
                                      "--exceptions", str(path)])
    assert result.exit_code == 2
    size = path.stat().st_size
    assert result.stderr == (f"trustctl: error: {path}: {size:,} bytes, over the 1,048,576-byte "
                             "limit for an exceptions file (refused before parsing)\n")
    assert time.process_time() - began < 5  # nothing parsed, nothing planned, checkov never ran


def test_a_large_exceptions_file_within_the_limit_reads_in_a_moment(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n" + "".join(ENTRY.format(i=i) for i in range(4000)))
    assert path.stat().st_size < 1 << 20
    began = time.process_time()
    assert len(load_exceptions(path)) == 4000
    assert time.process_time() - began < 5  # one parse, by libyaml


@pytest.mark.parametrize(("read", "unit", "document"), [
    (from_preview, "steps", lambda n: {"steps": [{"op": "same"}] * n}),
    (from_state, "resources", lambda n: {"deployment": {"resources": [{}] * n}}),
])
def test_a_preview_or_state_with_too_many_resources_is_refused(
        tmp_path: Path, read: Callable[[Path], Any], unit: str,
        document: Callable[[int], dict]) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document(PULUMI_JSON.max_values + 1)))
    with pytest.raises(InputError) as refused:
        read(path)
    assert str(refused.value) == (f"{path}: {PULUMI_JSON.max_values + 1:,} {unit}, over the "
                                  f"limit of {PULUMI_JSON.max_values:,} for a Pulumi preview or "
                                  "state")


@pytest.mark.parametrize("flag", ["--preview", "--state"])
def test_json_nested_too_deep_for_python_is_one_line(tmp_path: Path, flag: str) -> None:
    path = tmp_path / "input.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(app, ["gate", flag, str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"trustctl: error: {path}: JSON nested too deep to read\n"


def test_stack_outputs_past_their_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    with path.open("wb") as file:
        file.truncate(17 << 20)
    with pytest.raises(InputError, match=r"over the 16,777,216-byte limit for a stack outputs "):
        read_stack_outputs([f"acme/network/prod={path}"])


# every other YAML trustctl reads, beside those above: one loader words them all alike
OTHER_YAML: dict[str, tuple[Callable[[Path], Path], Callable[[Path], Any]]] = {
    "control catalog": (lambda d: d / "controls.yaml", load_catalog),
    "attestation": (lambda d: (d / "attestations").mkdir() or d / "attestations" / "a.yaml",
                    lambda p: load_attestations(p.parent)),
    "review": (lambda d: d / "review.yaml", review_file.read),
}
REFUSING = {k: v for k, v in {**YAML_INPUTS, **OTHER_YAML}.items() if k != "workflow"}


@pytest.mark.parametrize("kind", sorted(REFUSING))
@pytest.mark.parametrize(("data", "refusal"), [
    (b"a: [1, 2\nb: 3\n", ":2: not valid YAML (did not find expected ',' or ']')"),
    (b"a: \xff\n", ": not valid YAML (unacceptable character #x00ff: invalid leading UTF-8 "
                   "octet)"),
])
def test_a_file_that_is_not_yaml_is_refused_in_the_same_words_by_every_reader(
        tmp_path: Path, kind: str, data: bytes, refusal: str) -> None:
    where, read = REFUSING[kind]
    path = where(tmp_path)
    path.write_bytes(data)
    with pytest.raises(InputError) as refused:
        read(path)
    assert str(refused.value) == f"{path}{refusal}"


@pytest.mark.parametrize("kind", sorted(set(REFUSING) - {"stack config"}))
def test_a_file_that_cannot_be_read_is_named_in_the_same_words_by_every_reader(
        tmp_path: Path, kind: str) -> None:
    where, read = REFUSING[kind]
    path = where(tmp_path)
    path.mkdir()  # there, but not a file
    with pytest.raises(InputError) as refused:
        read(path)
    assert str(refused.value).startswith("cannot read ")
    assert str(refused.value).endswith(f" {path}: Is a directory")


def test_a_workflow_that_is_not_yaml_is_named_not_fatal(tmp_path: Path) -> None:
    path = YAML_INPUTS["workflow"][0](tmp_path)
    path.write_bytes(b"jobs: [1, 2\n")
    assert load_workflows(path.parent).unreadable == ("gate.yml",)


STACK_READERS = ("stack config", "audit's stack config", "drill's stack config")


@pytest.mark.parametrize("kind", STACK_READERS)
@pytest.mark.parametrize("text", ["- aws:region: us-east-1\n", "just words\n",
                                  "config: [aws:region]\n"])
def test_a_stack_config_that_is_not_a_mapping_is_refused_by_every_reader(
        tmp_path: Path, kind: str, text: str) -> None:
    """Not an AttributeError (the audit's and the plan's reader) nor a silent default region
    (the drill's): every reader of Pulumi.<stack>.yaml refuses it in one line."""
    where, read = YAML_INPUTS[kind]
    path = where(tmp_path)
    path.write_text(text)
    with pytest.raises(InputError) as refused:
        read(path)
    assert str(refused.value) == (f"{path}: not a Pulumi stack config (expected a mapping "
                                  "`config:` of settings)")


@pytest.mark.parametrize(("setting", "says"), [
    ("trustctl:onCallPrincipalArns: arn:aws:iam::123456789012:role/oncall-alice",
     "trustctl:onCallPrincipalArns is not a list of strings"),
    ("trustctl:authPaths: [/login, [/signup]]", "trustctl:authPaths is not a list of strings"),
    ("trustctl:domain: [claver.app]", "trustctl:domain is not a single value"),
    ("trustctl:failedAttemptThreshold: ten", "trustctl:failedAttemptThreshold is not a whole "
                                             "number"),
])
def test_an_audit_expectation_of_the_wrong_shape_is_one_line(
        tmp_path: Path, setting: str, says: str) -> None:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(f"config:\n  {setting}\n")
    with pytest.raises(InputError) as refused:
        expectations.load(path)
    assert str(refused.value) == f"{path}: {says}"


def test_the_audit_refuses_a_bad_stack_config_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text("- not a mapping\n")
    result = CliRunner().invoke(app, ["audit", "--stack-config", str(path), "--evidence-dir",
                                      str(tmp_path / "evidence")])
    assert result.exit_code == 2
    assert result.stderr == (f"trustctl: error: {path}: not a Pulumi stack config (expected a "
                             "mapping `config:` of settings)\n")
