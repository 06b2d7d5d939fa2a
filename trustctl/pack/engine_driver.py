"""Drive a policy pack exactly as Pulumi's engine does, without the Pulumi CLI (the tests and
benchmarks/pack_bench.py do; the CLI cannot be installed everywhere trustctl runs).

The engine starts a Python pack as `python -u -m pulumi.policy ENGINE_ADDRESS PACK_DIR` (the
`pulumi-analyzer-policy-python` shim) in the pack's directory, with the stack's project, name,
config and dry-run flag in PULUMI_PROJECT, PULUMI_STACK, PULUMI_CONFIG and PULUMI_DRY_RUN,
reads the port from the first line the pack prints and talks to it over the Analyzer gRPC
protocol (the stubs in pulumi.runtime.proto). `AnalyzeStack` gets every resource of the stack
(the root stack, providers, components and custom resources) with its outputs, parent,
dependencies and property dependencies; a custom resource names its provider.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from trustctl.paths import REPO_ROOT
from trustctl.plan.model import Plan

PACK = REPO_ROOT / "policies" / "pack"
MANDATORY = analyzer_pb2.MANDATORY
ADVISORY = analyzer_pb2.ADVISORY
DISABLED = analyzer_pb2.DISABLED
_SKIPPED_OPS = {"delete", "delete-replaced", "discard", "remove-pending-replace", "read",
                "read-replacement", "read-discard"}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: int
    urn: str
    message: str


class Analyzer:
    """A running pack, reached as the engine reaches it."""

    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
        self.stub = stub

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=60)

    def configure(self, levels: Mapping[str, int]) -> None:
        self.stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
            name: analyzer_pb2.PolicyConfig(enforcementLevel=level)
            for name, level in levels.items()}), timeout=60)

    def analyze_stack(self, resources: list[analyzer_pb2.AnalyzerResource]) -> list[Diagnostic]:
        response = self.stub.AnalyzeStack(
            analyzer_pb2.AnalyzeStackRequest(resources=resources), timeout=900)
        return [Diagnostic(d.policyName, d.enforcementLevel, d.urn, d.message)
                for d in response.diagnostics]


@contextmanager
def running_pack(stack: str, project: str, *, pack: Path = PACK, dry_run: bool = True,
                 config: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> Iterator[Analyzer]:
    environment = {**os.environ, **(env or {}), "PULUMI_STACK": stack, "PULUMI_PROJECT": project,
                   "PULUMI_DRY_RUN": "true" if dry_run else "false",
                   "PULUMI_CONFIG": json.dumps(dict(config or {}))}
    # stderr to a file, and stdout read to its end once the port is known: a pack that writes
    # more than a pipe holds to a pipe nobody reads blocks in the middle of a judgment
    with tempfile.TemporaryFile() as pack_log:
        proc = subprocess.Popen(  # the engine address is unused by a pack that logs nothing
            [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack)], cwd=pack,
            env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=pack_log,
            text=True, errors="replace")  # bytes not UTF-8 must not stop the reading
        assert proc.stdout is not None
        try:
            port = proc.stdout.readline().strip()
            if not port.isdigit():
                proc.kill()
                proc.wait()
                proc.stdout.close()
                pack_log.seek(0)
                raise RuntimeError(f"the pack printed no port: {port!r} "
                                   f"{pack_log.read().decode(errors='replace')}")
            threading.Thread(target=_discard, args=(proc.stdout,), daemon=True).start()
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                yield Analyzer(analyzer_pb2_grpc.AnalyzerStub(channel))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a pack ignoring SIGTERM does not outlive us
                proc.kill()
                proc.wait()


def _discard(stream: IO[str]) -> None:
    """Read what the pack prints after its port to its end, as the engine does (which only
    logs it)."""
    with stream:
        while stream.read(1 << 16):
            pass


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct


def _resource(urn: str, type_token: str, properties: Mapping[str, Any], *,
              parent: str | None, dependencies: list[str],
              property_dependencies: Mapping[str, list[str]],
              provider: str | None) -> analyzer_pb2.AnalyzerResource:
    resource = analyzer_pb2.AnalyzerResource(
        type=type_token, urn=urn, name=urn.rsplit("::", 1)[-1], properties=_struct(properties),
        parent=parent or "", dependencies=dependencies,
        propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                              for k, v in property_dependencies.items()})
    if provider:  # a provider reference: its URN, "::", its id
        provider_urn = provider.rsplit("::", 1)[0]
        _, _, provider_type, provider_name = provider_urn.split("::", 3)
        resource.provider.CopyFrom(analyzer_pb2.AnalyzerProviderResource(
            type=provider_type, urn=provider_urn, name=provider_name))
    return resource


def from_states(states: list[dict[str, Any]]) -> list[analyzer_pb2.AnalyzerResource]:
    """Stack-export resources (or preview `newState`s) as the engine hands them to a pack: with
    their outputs (a preview's new resource has none yet: its inputs)."""
    return [_resource(s["urn"], s["type"], s.get("outputs") or s.get("inputs") or {},
                      parent=s.get("parent"), dependencies=s.get("dependencies") or [],
                      property_dependencies=s.get("propertyDependencies") or {},
                      provider=s.get("provider"))
            for s in states]


def from_state_file(path: Path) -> list[analyzer_pb2.AnalyzerResource]:
    doc = json.loads(path.read_text())
    return from_states([r for r in doc["deployment"]["resources"]
                        if not r.get("delete") and not r.get("external")])


def from_preview_file(path: Path) -> list[analyzer_pb2.AnalyzerResource]:
    doc = json.loads(path.read_text())
    return from_states([s["newState"] for s in doc["steps"] if s["op"] not in _SKIPPED_OPS])


def from_plan(plan: Plan) -> list[analyzer_pb2.AnalyzerResource]:
    """A `trustctl plan` as the engine would hand it over at preview: the root stack, a default
    provider per package, then every resource with its inputs as outputs."""
    prefix = f"urn:pulumi:{plan.stack}::{plan.project}::"
    root = f"{prefix}pulumi:pulumi:Stack::{plan.project}-{plan.stack}"
    packages = sorted({r.type.split(":", 1)[0] for r in plan.resources if r.custom})
    providers = {p: f"{prefix}pulumi:providers:{p}::default" for p in packages}
    engine = [_resource(root, "pulumi:pulumi:Stack", {}, parent=None, dependencies=[],
                        property_dependencies={}, provider=None)]
    engine += [_resource(u, f"pulumi:providers:{p}", {}, parent=None, dependencies=[],
                         property_dependencies={}, provider=None) for p, u in providers.items()]
    return engine + [_resource(
        r.urn, r.type, r.inputs, parent=r.parent or root, dependencies=r.dependencies,
        property_dependencies=r.property_dependencies,
        provider=f"{providers[r.type.split(':', 1)[0]]}::id" if r.custom else None)
        for r in plan.resources]
