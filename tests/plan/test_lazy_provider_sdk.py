"""A generated provider SDK loaded lazily (trustctl/plan/lazy_provider.py) gives a program the
same names as the eager import, importing only the modules of the names used."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from trustctl.plan.lazy_provider import import_sdk
from pulumi.runtime import rpc
cloudflare = import_sdk("cloudflare")
loaded_first = sum(name.startswith("pulumi_cloudflare.") for name in sys.modules)
registered = sum(1 for modules in rpc._RESOURCE_MODULES.values() for m in modules
                 if (getattr(m, "mod_info", None) or {}).get("pkg") == "cloudflare")
ruleset = cloudflare.Ruleset
args_same = cloudflare.RulesetArgs is sys.modules["pulumi_cloudflare.ruleset"].RulesetArgs
nested = cloudflare.RulesetRuleArgs.__module__
untouched_unloaded = "pulumi_cloudflare.access_application" not in sys.modules
try:
    cloudflare.NoSuchResource
    unknown = "resolved"
except AttributeError:
    unknown = "AttributeError"
print(json.dumps({
    "loaded_first": loaded_first, "registered": registered,
    "ruleset_module": ruleset.__module__,
    "ruleset_args": args_same, "nested_input": nested, "untouched_unloaded": untouched_unloaded,
    "unknown": unknown, "names": sorted(cloudflare.__all__),
    # an unknown name ran every import left out, as the eager package would have
    "after_unknown": "pulumi_cloudflare.access_application" in sys.modules,
}))
"""
EAGER = """
import json, pulumi_cloudflare
from pulumi.runtime import rpc
print(json.dumps({"names": sorted(n for n in vars(pulumi_cloudflare) if not n.startswith("_")),
                  "registered": sum(1 for modules in rpc._RESOURCE_MODULES.values()
                                    for m in modules if (getattr(m, "mod_info", None) or {})
                                    .get("pkg") == "cloudflare")}))
"""


def _run(code: str) -> object:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(proc.stdout)


def test_lazy_sdk_resolves_what_is_used_and_nothing_else() -> None:
    lazy, eager = _run(PROBE), _run(EAGER)
    assert lazy["loaded_first"] <= 2  # _utilities (and config's lazy stub), not 780 modules
    # every resource type is known before any is imported
    assert lazy["registered"] == eager["registered"] > 300
    assert lazy["ruleset_module"] == "pulumi_cloudflare.ruleset"
    assert lazy["ruleset_args"] is True
    assert lazy["nested_input"] == "pulumi_cloudflare._inputs"
    assert lazy["untouched_unloaded"] is True
    assert lazy["unknown"] == "AttributeError" and lazy["after_unknown"] is True
    # every public name of the eager package, but the submodules it binds, is listed
    names = set(eager["names"])
    submodules = {n for n in names if n.islower() and n not in lazy["names"]}
    assert names - submodules <= set(lazy["names"])
    assert {"outputs", "config"} <= submodules | set(lazy["names"])


SUBPACKAGE = """
import json, sys
from trustctl.plan.lazy_provider import import_sdk
aws = import_sdk("aws")
group = aws.ec2.SecurityGroup
loaded = sorted(n for n in sys.modules if n.startswith("pulumi_aws.ec2."))
print(json.dumps({"group_module": group.__module__, "loaded": loaded,
                  "names": sorted(aws.ec2.__all__),
                  "args_same": aws.ec2.SecurityGroupArgs is sys.modules[
                      "pulumi_aws.ec2.security_group"].SecurityGroupArgs}))
"""
EAGER_SUBPACKAGE = """
import json, pulumi_aws.ec2 as ec2
print(json.dumps({"names": sorted(n for n in vars(ec2) if not n.startswith("_"))}))
"""


def test_a_subpackage_loads_only_the_modules_of_the_names_used() -> None:
    lazy, eager = _run(SUBPACKAGE), _run(EAGER_SUBPACKAGE)
    assert lazy["group_module"] == "pulumi_aws.ec2.security_group"
    assert lazy["args_same"] is True
    # the resource's module and what it imports (_enums, _inputs, outputs), not ec2's ~180
    assert "pulumi_aws.ec2.security_group" in lazy["loaded"] and len(lazy["loaded"]) <= 5
    assert "pulumi_aws.ec2.vpc" not in lazy["loaded"]
    names = set(eager["names"])
    assert {n for n in names if not n.islower()} <= set(lazy["names"])
