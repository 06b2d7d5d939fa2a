"""Pulumi's mock runtime, taught to record what a program declares and to invent outputs.

The monitor records every RegisterResource request (type, name, parent, inputs, dependencies
and the source position the SDK attaches). The mocks answer with the inputs plus synthesized
computed outputs: an `arn` that names its resource and `<name>-<property>` for other string
outputs, so a reference from one resource to another stays traceable in the plan.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi import _types
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.sync_await import _ensure_event_loop

ACCOUNT_ID = "123456789012"  # the account every synthesized ARN and caller identity names
AVAILABILITY_ZONE_SUFFIXES = ("a", "b", "c")


@cache
def _resource_class(type_token: str) -> type | None:
    """The SDK class for `pkg:mod/res:Res`, e.g. pulumi_aws.kms.Key; None if not importable."""
    try:
        package, module, class_name = type_token.split(":")
        mod = importlib.import_module(f"pulumi_{package.replace('-', '_')}")
        segment = module.split("/")[0]
        if segment != "index":
            mod = getattr(mod, segment)
        return getattr(mod, class_name)
    except (ValueError, ImportError, AttributeError):
        return None


def _string_outputs(type_token: str) -> list[str]:
    cls = _resource_class(type_token)
    if cls is None:
        return []
    return [name for name, typ in _types.resource_types(cls).items() if typ is str]


def synthesized_arn(type_token: str, name: str, region: str) -> str:
    """An ARN shaped like AWS's that names the resource: arn:aws:kms:us-east-1:...:key/<name>."""
    _, module, class_name = type_token.split(":")
    service = module.split("/")[0]
    if service == "s3":
        return f"arn:aws:s3:::{name}"
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", class_name).lower()
    scope = "" if service in ("iam", "cloudfront", "route53") else region
    return f"arn:aws:{service}:{scope}:{ACCOUNT_ID}:{kind}/{name}"


class SynthesizingMocks(Mocks):
    """Outputs = inputs + invented computed values that name their resource."""

    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = args.name
        outputs = dict(args.inputs)
        for prop in _string_outputs(args.typ):
            if prop in outputs:
                continue
            if prop == "arn" and args.typ.startswith("aws:"):
                outputs[prop] = synthesized_arn(args.typ, name, self.region)
            elif prop in ("name", "bucket"):
                outputs[prop] = name
            else:
                outputs[prop] = f"{name}-{prop}"
        return args.resource_id or name, outputs

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        """Answers for the data sources programs commonly read; {} (all None) otherwise."""
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{ACCOUNT_ID}:user/planner"
            identity = {"accountId": ACCOUNT_ID, "arn": arn, "userId": "planner"}
            return {**identity, "id": ACCOUNT_ID}
        if token in ("aws:index/getRegion:getRegion", "aws:index/region:getRegion"):
            return {"name": self.region, "region": self.region, "id": self.region}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [self.region + s for s in AVAILABILITY_ZONE_SUFFIXES]
            return {"names": names, "zoneIds": names, "id": self.region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


def _source(request: Any) -> tuple[str, int] | None:
    pos = request.sourcePosition
    if not pos.uri:
        return None
    return unquote(urlparse(pos.uri).path), pos.line


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps each registration request, in order, for the plan."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[dict[str, Any]] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine writes them: the root stack is not part of a child's type chain."""
        if "::pulumi:pulumi:Stack::" in parent:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        _ensure_event_loop()
        self.registrations.append(
            {
                "urn": response.urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent or None,
                "custom": bool(request.custom),
                "inputs": rpc.deserialize_properties(request.object),
                "dependencies": list(request.dependencies),
                "property_dependencies": {
                    prop: list(deps.urns)
                    for prop, deps in request.propertyDependencies.items()
                    if deps.urns
                },
                "source": _source(request),
            }
        )
        return response
