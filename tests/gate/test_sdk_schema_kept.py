"""What translation reads of the provider SDKs is kept between runs (trustctl/gate/sdk_schema.py):
a run that reads the kept answers translates exactly as one that imports the SDKs, imports
none of them, and a file that is not the installed SDK's, or written during the run, is not
believed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gate_support import REALWORLD, REALWORLD_PREVIEWS, REALWORLD_STATES

from trustctl.gate import sdk_schema
from trustctl.gate.sdk_schema import ProviderSchema

pytestmark = [pytest.mark.realworld]

# the real files, and a Cloudflare ruleset and zone setting (no real file has Cloudflare)
TRANSLATE = """
import json, sys
from pathlib import Path
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import translate
from trustctl.plan.model import Plan, PlannedResource

urn = "urn:pulumi:prod::p::"
edge = [PlannedResource(urn=urn + "cloudflare:index/ruleset:Ruleset::waf",
                        type="cloudflare:index/ruleset:Ruleset", name="waf", inputs={
    "kind": "zone", "phase": "http_request_firewall_managed", "rules": [{
        "action": "execute", "expression": "true",
        "actionParameters": {"id": "efb7b8c949ac4650a09736fc376e9aee",
                             "overrides": {"rules": [{"id": "x", "enabled": True}]}}}]}),
        PlannedResource(urn=urn + "cloudflare:index/zoneSetting:ZoneSetting::tls",
                        type="cloudflare:index/zoneSetting:ZoneSetting", name="tls",
                        inputs={"settingId": "min_tls_version", "value": "1.2"})]
read = [from_preview(Path(p)) for p in sys.argv[1].split(",")]
read += [from_state(Path(p)) for p in sys.argv[2].split(",")]
documents = [translate(d).document for d in [*read, Declared(Plan(edge), "edge")]]
print(json.dumps({"documents": documents,
                  "sdk_modules": sorted(m for m in sys.modules if m.startswith("pulumi"))}))
"""


def _translate(home: Path) -> dict:
    previews = ",".join(str(REALWORLD / n) for n in REALWORLD_PREVIEWS)
    states = ",".join(str(REALWORLD / n) for n in REALWORLD_STATES)
    proc = subprocess.run([sys.executable, "-c", TRANSLATE, previews, states], check=True,
                          capture_output=True, text=True, timeout=600,
                          env={**_environ(), "TRUSTCTL_HOME": str(home)})
    return json.loads(proc.stdout)


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "TRUSTCTL_HOME"}


def test_kept_answers_translate_as_the_sdk_does_without_importing_it(tmp_path: Path) -> None:
    from_sdk = _translate(tmp_path)  # nothing kept yet: read from the SDKs, then kept
    kept = sorted(p.name for p in (tmp_path / sdk_schema.SCHEMA_DIR).iterdir())
    assert [name.split("-")[0] for name in kept] == ["aws", "cloudflare"]
    from_kept = _translate(tmp_path)
    assert from_kept["documents"] == from_sdk["documents"]
    # the SDKs' modules were read the first time, not the second
    assert "pulumi_aws.ec2._inputs" in from_sdk["sdk_modules"]
    assert "pulumi_cloudflare._inputs" in from_sdk["sdk_modules"]
    assert [m for m in from_kept["sdk_modules"] if m.startswith("pulumi_")] == []
    # the translation read the SDK's block names: a ruleset's rules keep their nested shape
    ruleset = next(r for r in from_kept["documents"][-1]["planned_values"]["root_module"]
                   ["resources"] if r["type"] == "cloudflare_ruleset")
    assert ruleset["values"]["rules"][0]["action_parameters"]["overrides"]["rules"] == [
        {"id": "x", "enabled": True}]


DYNAMIC = """
import json, sys
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.plan.model import Plan, PlannedResource

token = "pulumi-python:dynamic/supabase:ProjectSettings"
settings = PlannedResource(urn="urn:pulumi:prod::p::" + token + "::db", type=token, name="db",
                           inputs={"allowed_cidrs": ["10.0.0.0/8"], "ssl_enforced": True})
[resource] = translate(Declared(Plan([settings]), "dynamic")).document["planned_values"][
    "root_module"]["resources"]
print(json.dumps({"resource": resource,
                  "sdk_modules": sorted(m for m in sys.modules if m.startswith("pulumi"))}))
"""


def test_a_resource_type_no_sdk_declares_is_translated_without_importing_an_sdk(
        tmp_path: Path) -> None:
    """Nothing kept to read, and nothing to read from an SDK: the judge imports no Pulumi."""
    proc = subprocess.run([sys.executable, "-c", DYNAMIC], check=True, capture_output=True,
                          text=True, timeout=120,
                          env={**_environ(), "TRUSTCTL_HOME": str(tmp_path)})
    translated = json.loads(proc.stdout)
    assert translated["resource"]["type"] == "supabase_project_settings"
    assert translated["resource"]["values"]["allowed_cidrs"] == ["10.0.0.0/8"]
    assert translated["sdk_modules"] == []


def test_another_sdk_or_another_reader_is_another_file(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = sdk_schema._schema_path("aws")
    assert installed is not None and installed.parent.name == sdk_schema.SCHEMA_DIR
    real_record = sdk_schema._record
    monkeypatch.setattr(sdk_schema, "_record",
                        lambda d: real_record(d) + b"\nother,sha256=x,1" if d == "pulumi_aws"
                        else real_record(d))
    assert sdk_schema._schema_path("aws") not in (installed, None)
    monkeypatch.setattr(sdk_schema, "_record", lambda d: None)  # no RECORD: nothing is kept
    assert sdk_schema._schema_path("aws") is None


TOKEN = "aws:s3/bucketPolicy:BucketPolicy"


def test_a_file_written_during_the_run_is_not_read_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "aws.json"
    first = ProviderSchema("aws", path)
    args, name = first.resource_args(TOKEN)
    assert (args, name) == ("pulumi_aws.s3.bucket_policy:BucketPolicyArgs", "BucketPolicy")
    first.save()  # kept: the resource's input type, not yet its properties
    run = ProviderSchema("aws", path)  # a run reads the file before the program is planned
    # ... which then rewrites it, claiming the policy is a map of a nested type
    path.write_text(json.dumps({"tokens": None, "resources": {TOKEN: [args, name]},
                                "types": {args: {"policy": [True, args]}}}))
    fields = run.fields(args)  # read from the SDK: the run never saw the program's file
    assert fields["policy"] == sdk_schema.Field(False) and fields["bucket"].nested is None
    run.save()  # what the run read replaces what the program wrote
    assert ProviderSchema("aws", path).fields(args) == fields


def test_a_file_written_during_a_run_that_read_nothing_new_is_replaced(tmp_path: Path) -> None:
    """Every answer was kept already: the run reads nothing from the SDK, yet what the program
    wrote meanwhile must not stay for the next run to believe."""
    path = tmp_path / "aws.json"
    first = ProviderSchema("aws", path)
    args, _ = first.resource_args(TOKEN)
    truth = first.fields(args)
    first.save()
    run = ProviderSchema("aws", path)
    kept = path.read_text()
    path.write_text(kept.replace('"policy":[false', '"policy":[true'))
    assert path.read_text() != kept  # the program's edit took
    assert run.fields(args) == truth  # answered from what the run read before
    run.save()
    assert ProviderSchema("aws", path).fields(args) == truth


@pytest.mark.parametrize("text", ["{not json", "[]", '{"tokens": 1, "resources": {}, '
                                  '"types": {}}'])
def test_an_unreadable_file_is_read_from_the_sdk(tmp_path: Path, text: str) -> None:
    path = tmp_path / "aws.json"
    path.write_text(text)
    schema = ProviderSchema("aws", path)
    assert schema.declares(TOKEN)
    assert schema.fields(schema.resource_args(TOKEN)[0])["policy"] == sdk_schema.Field(False)
