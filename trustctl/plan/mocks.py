"""Pulumi's mock runtime, taught to record what a program declares and to answer it as a
preview would.

The monitor records every RegisterResource request (type, name, parent, inputs, dependencies
and the source position the SDK attaches), after running the program's `transforms` (the mock
monitor of the SDK does not). Resources are passed to providers by id, as the engine does for
bridged providers, not as resource references. The mocks answer:
- resources: the inputs plus every other output the SDK declares, shaped by its type; strings
  name their resource (`arn:aws:kms:...:key/<name>`, `<name>-<property>`) so that a reference
  from one resource to another stays traceable in the plan;
- `.get()` of an existing resource and data sources: values shaped by the SDK's types, strings
  marked as placeholders (unknown at plan time, naming where they came from), the arguments
  given echoed back; `aws.iam.get_policy_document` is computed for real;
- stack references: the outputs given for that stack (`--stack-outputs`), else unknown; an
  output the program asks for by name (`get_output`, `require_output`) is then a placeholder
  naming the stack and the output, so that what the program computes from it with `.apply`
  (a policy document, a CIDR list) is known except for that placeholder.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Collection, Iterator
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi import Output, ResourceOptions, ResourceTransformArgs, StackReference
from pulumi.runtime import rpc
from pulumi.runtime.mocks import (
    MockCallArgs,
    MockMonitor,
    MockResourceArgs,
    Mocks,
    _resolve_callbacks,
)
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from trustctl.plan import policy_document
from trustctl.plan.placeholders import placeholder
from trustctl.plan.synthesis import (
    as_declared,
    resource_output_types,
    result_types,
    shaped_properties,
)

ACCOUNT_ID = "123456789012"  # the account every synthesized ARN and caller identity names
AVAILABILITY_ZONE_SUFFIXES = ("a", "b", "c")
STACK_REFERENCE = "pulumi:pulumi:StackReference"


def synthesized_arn(type_token: str, name: str, region: str) -> str:
    """An ARN shaped like AWS's that names the resource: arn:aws:kms:us-east-1:...:key/<name>."""
    _, module, class_name = type_token.split(":")
    service = module.split("/")[0]
    if service == "s3":
        return f"arn:aws:s3:::{name}"
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", class_name).lower()
    scope = "" if service in ("iam", "cloudfront", "route53") else region
    return f"arn:aws:{service}:{scope}:{ACCOUNT_ID}:{kind}/{name}"


def stack_output_origin(stack: str, name: str) -> str:
    """Where a placeholder for another stack's output comes from, and how to give it."""
    return f"an output of stack {stack}, {name}: give it with --stack-outputs {stack}=FILE"


@contextlib.contextmanager
def placeholder_stack_outputs(given: Collection[str]) -> Iterator[None]:
    """While a program runs: a stack reference to a stack whose outputs were not given answers
    `get_output(name)` and `require_output(name)` with a placeholder naming the output (the
    SDK would answer an unknown, and skip every `.apply` over it); the others answer as the SDK
    does."""
    original = StackReference.get_output, StackReference.require_output

    def answering(method: Any) -> Any:
        def output(self: StackReference, name: Any) -> Output[Any]:
            return Output.all(Output.from_input(name), self.name).apply(
                lambda pair: method(self, pair[0]) if pair[1] in given
                else placeholder(stack_output_origin(pair[1], pair[0])))
        return output

    StackReference.get_output = answering(original[0])  # type: ignore[method-assign]
    StackReference.require_output = answering(original[1])  # type: ignore[method-assign]
    try:
        yield
    finally:
        StackReference.get_output, StackReference.require_output = original  # type: ignore


class SynthesizingMocks(Mocks):
    """Answers as a preview would, with invented values that say what they stand for."""

    def __init__(self, region: str, stack_outputs: dict[str, dict[str, Any]]) -> None:
        self.region = region
        self.stack_outputs = stack_outputs
        self.provider_regions: dict[str, str] = {}  # "<provider type>::<name>" -> its region

    def _resource_string(self, type_token: str, name: str, path: str, region: str) -> str:
        if path == "arn" and type_token.startswith("aws:"):
            return synthesized_arn(type_token, name, region)
        if path in ("name", "bucket"):
            return name
        return f"{name}-{path}"

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = args.name
        if args.typ.startswith("pulumi:providers:"):
            self.provider_regions[f"{args.typ}::{args.name}"] = (args.inputs.get("region")
                                                                 or self.region)
        region = self._region_of(args.provider)
        outputs = shaped_properties(resource_output_types(args.typ),
                                    lambda path: self._resource_string(args.typ, name, path,
                                                                       region))
        return args.resource_id or name, {**outputs, **args.inputs}

    def _region_of(self, provider: str | None) -> str:
        """The region of the resource's explicit provider (`<urn>::<id>`), else the stack's."""
        parts = (provider or "").split("::")
        if len(parts) < 5:
            return self.region
        key = f"{parts[2].split('$')[-1]}::{parts[3]}"  # type and name in the provider's URN
        return self.provider_regions.get(key, self.region)

    def read_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """`Resource.get(name, id)` of something that exists already, or a stack reference."""
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args.resource_id or args.name)
        origin = f"existing {args.typ} {args.resource_id}"
        outputs = shaped_properties(resource_output_types(args.typ),
                                    lambda path: placeholder(f"{origin} .{path}"))
        given = {k: v for k, v in args.inputs.items() if v is not None}
        return args.resource_id or args.name, {**outputs, **given}

    def _stack_reference(self, stack: str) -> tuple[str, dict[str, Any]]:
        outputs = self.stack_outputs.get(stack)
        return stack, {"name": stack, "outputs": rpc.UNKNOWN if outputs is None else outputs,
                       "secretOutputNames": []}

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        token = args.token
        if token == policy_document.TOKEN:
            return policy_document.policy_document(args.args)
        known = self._known_answer(token)
        if known is not None:
            return known
        origin = f"data source {token}"
        types = result_types(token)
        result = shaped_properties(types, lambda path: placeholder(f"{origin} .{path}"))
        # arguments echo into the same-named fields, as the type the SDK checks there
        given = {k: as_declared(v, types.get(k)) for k, v in args.args.items() if v is not None}
        return {**result, **given}

    def _known_answer(self, token: str) -> dict[str, Any] | None:
        """Answers that follow from the stack's config, or that every program may rely on."""
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{ACCOUNT_ID}:user/planner"
            return {"accountId": ACCOUNT_ID, "arn": arn, "userId": "planner", "id": ACCOUNT_ID}
        if token in ("aws:index/getRegion:getRegion", "aws:index/region:getRegion"):
            return {"name": self.region, "region": self.region, "id": self.region}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [self.region + s for s in AVAILABILITY_ZONE_SUFFIXES]
            return {"names": names, "zoneIds": names, "id": self.region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return None


def _source(request: Any) -> tuple[str, int] | None:
    pos = request.sourcePosition
    if not pos.uri:
        return None
    return unquote(urlparse(pos.uri).path), pos.line


def _transformed(transforms: list[Any], request: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs after the program's `transforms` (the engine runs them, not the SDK)."""
    for transform in transforms:
        args = ResourceTransformArgs(bool(request.custom), request.type, request.name, inputs,
                                     ResourceOptions())
        result = transform(args)
        if asyncio.iscoroutine(result):
            result = _sync_await(result)
        if result is not None:
            inputs = dict(result.props)
    return inputs


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps each registration request, in order, for the plan."""

    def __init__(self, mocks: SynthesizingMocks) -> None:
        super().__init__(mocks)
        self.synthesizer = mocks
        self.registrations: list[dict[str, Any]] = []
        # URN of a stack reference whose outputs were not given -> what its outputs stand for
        self.unknown_sources: dict[str, str] = {}
        self.unknown_stacks: list[str] = []

    def GetDeploymentInfo(self, request: Any) -> Any:
        """Without resource references: a resource given where an input expects its id is
        sent as its id, as the engine sends it to a bridged provider."""
        info = super().GetDeploymentInfo(request)
        features = [f for f in info.supportedFeatures
                    if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine writes them: a child's type is its parent's whole type chain, then
        its own (`acme:net:Vpc$acme:net:Subnets$aws:ec2/subnet:Subnet`); the root stack is not
        part of the chain."""
        if parent and "::pulumi:pulumi:Stack::" not in parent:
            type_ = f"{parent.split('::')[2]}${type_}"
        return "::".join(["urn:pulumi:" + get_stack(), get_project(), type_, name])

    def ReadResource(self, request: Any) -> Any:
        _ensure_event_loop()
        args = MockResourceArgs(typ=request.type, name=request.name,
                                inputs=rpc.deserialize_properties(request.properties),
                                provider=request.provider, resource_id=request.id)
        id_, state = self.synthesizer.read_resource(args)
        urn = self.make_urn(request.parent, request.type, request.name)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        if request.type == STACK_REFERENCE and state.get("outputs") == rpc.UNKNOWN:
            self.unknown_stacks.append(id_)
            self.unknown_sources[urn] = (f"an output of stack {id_} (give it with "
                                         f"--stack-outputs {id_}=FILE)")
        props = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.ReadResourceResponse(urn=urn, id=id_, properties=props)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        transforms = [*self._stack_transforms, *_resolve_callbacks(request.transforms)]
        inputs = _transformed(transforms, request, rpc.deserialize_properties(request.object))
        args = MockResourceArgs(typ=request.type, name=request.name, inputs=inputs,
                                provider=request.provider, resource_id=request.importId,
                                custom=request.custom or False)
        id_, state = self.mocks.new_resource(args)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        self.registrations.append({
            "urn": urn,
            "type": request.type,
            "name": request.name,
            "parent": request.parent or None,
            "custom": bool(request.custom),
            "inputs": inputs,
            "dependencies": list(request.dependencies),
            "property_dependencies": {prop: list(deps.urns) for prop, deps in
                                      request.propertyDependencies.items() if deps.urns},
            "source": _source(request),
        })
        state_proto = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=state_proto)
