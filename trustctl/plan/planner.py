"""Run any Pulumi Python program offline, under Pulumi's mock runtime, and return its Plan.

No Pulumi CLI, provider plugin or cloud credentials are needed: the program runs in this
process exactly as `pulumi preview` would run it, and every resource registration is recorded.
"""

from __future__ import annotations

import contextlib
import gc
import os
import runpy
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from trustctl.errors import InputError
from trustctl.plan.failures import (
    PlanTimeout,
    describe_failure,
    time_limit,
)
from trustctl.plan.mocks import RecordingMonitor, SynthesizingMocks, placeholder_stack_outputs
from trustctl.plan.model import Plan, PlannedResource, SourceLocation, in_program, link_callers
from trustctl.plan.placeholders import placeholder_origin
from trustctl.plan.project import SECRET_PLACEHOLDER, PulumiProject, load_project
from trustctl.plan.value_origins import source_literals, stack_config_lines, value_origins

DEFAULT_REGION = "us-east-1"


def _json_safe(value: Any) -> Any:
    """Plain JSON values; secrets become the placeholder, resources their URN."""
    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Unknown):
        return rpc.UNKNOWN  # what `pulumi preview --json` prints for a value unknown until apply
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_urn_str", None) or type(value).__name__
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a double
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _relative_source(source: tuple[str, int] | None, root: Path) -> SourceLocation | None:
    if source is None:
        return None
    path, line = source
    try:
        return SourceLocation(Path(path).resolve().relative_to(root).as_posix(), line)
    except ValueError:
        return SourceLocation(path, line)


_KEPT_MODULES = {"__main__", "trustctl", *sys.stdlib_module_names}


@contextlib.contextmanager
def _program_context(program_dir: Path) -> Iterator[None]:
    """Run as Pulumi does (program dir on sys.path and as cwd); forget its modules after."""
    # another program's module of the same name (`components`) must not shadow its own
    own = {p.stem for p in program_dir.iterdir()
           if p.suffix == ".py" or (p / "__init__.py").exists()} - _KEPT_MODULES
    for name in [n for n in sys.modules if n.split(".")[0] in own]:
        del sys.modules[name]
    before_modules = set(sys.modules)
    before_cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(before_cwd)
        sys.path.remove(str(program_dir))
        for name in set(sys.modules) - before_modules:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(program_dir)):
                del sys.modules[name]


@contextlib.contextmanager
def _long_lived_objects() -> Iterator[None]:
    """The Pulumi SDKs build ~450 000 objects that live until the process ends: collecting
    garbage while they are built, and again at exit, costs over a second and frees nothing."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _run(project: PulumiProject, stack: str, monitor: RecordingMonitor) -> None:
    set_mocks(monitor.mocks, project=project.name, stack=stack, preview=True, monitor=monitor)
    set_all_config(dict(project.config), list(project.secret_keys))
    with _long_lived_objects(), _program_context(project.program_dir), \
            placeholder_stack_outputs(monitor.synthesizer.stack_outputs), \
            contextlib.redirect_stdout(sys.stderr), \
            warnings.catch_warnings():
        # stdout may carry the plan; SDK deprecation warnings also reach the engine's log
        warnings.simplefilter("ignore")
        _sync_await(
            run_pulumi_func(
                lambda: runpy.run_path(str(project.program_dir), run_name="__main__")
            )
        )


def _forget_failed_outputs() -> None:
    """The SDK keeps a failed program's outputs, each holding its exception, in a set that
    outlives the run; the next plan in this process would await them and fail with the old
    program's error."""
    pulumi_settings.SETTINGS.outputs.clear()


def _position(r: PlannedResource) -> tuple[str, int, str]:
    return (r.source.file, r.source.line, r.urn) if r.source else ("", 0, r.urn)


def _in_dependency_order(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Parents and dependencies first, otherwise by source position: stable from run to run.

    The engine registers resources as their inputs resolve, an order that varies between runs.
    """
    by_urn = {r.urn: r for r in resources}
    waiting = {r.urn: {d for d in [r.parent, *r.dependencies] if d in by_urn} for r in resources}
    ordered: list[PlannedResource] = []
    while waiting:
        ready = [by_urn[u] for u, deps in waiting.items() if not deps] or [
            by_urn[u] for u in waiting  # a cycle cannot happen in Pulumi; never loop forever
        ]
        ready.sort(key=_position)
        for r in ready:
            ordered.append(r)
            del waiting[r.urn]
        done = {r.urn for r in ready}
        for deps in waiting.values():
            deps -= done
    return ordered


def _is_stack(urn: str | None) -> bool:
    return not urn or "::pulumi:pulumi:Stack::" in urn


def _unknowns(value: Any, deps: dict[str, list[str]], sources: dict[str, str]) -> dict[str, str]:
    """Input paths whose value is a placeholder or unknown in a preview -> where it came from."""
    found: dict[str, str] = {}

    def walk(item: Any, path: list[str]) -> None:
        if isinstance(item, dict):
            for key, sub in item.items():
                walk(sub, [*path, str(key)])
        elif isinstance(item, list | tuple):
            for index, sub in enumerate(item):
                walk(sub, [*path, str(index)])
        elif isinstance(item, Unknown) or item == rpc.UNKNOWN:
            named = [sources[u] for u in deps.get(path[0], []) if u in sources] if path else []
            found[".".join(path)] = " or ".join(named) or "an output unknown until apply"
        elif isinstance(item, str) and (origin := placeholder_origin(item)):
            found[".".join(path)] = origin

    walk(value, [])
    return dict(sorted(found.items()))


def _planned(reg: dict[str, Any], root: Path, monitor: RecordingMonitor) -> PlannedResource:
    deps = {prop: sorted(urns) for prop, urns in reg["property_dependencies"].items()}
    return PlannedResource(
        urn=reg["urn"],
        type=reg["type"],
        name=reg["name"],
        parent=None if _is_stack(reg["parent"]) else reg["parent"],
        custom=reg["custom"],
        inputs=_json_safe(reg["inputs"]),
        dependencies=sorted(reg["dependencies"]),
        property_dependencies=deps,
        source=_relative_source(reg["source"], root),
        unknowns=_unknowns(reg["inputs"], deps, monitor.unknown_sources),
    )


def _trace_values(resources: list[PlannedResource], root: Path, stack: str) -> None:
    """Each resource's values to the config line or source literal they came from."""
    config_lines = stack_config_lines(root, stack)
    literals: dict[frozenset[str], dict[str, list[SourceLocation]]] = {}
    for resource in resources:
        files = frozenset(s.file for s in (resource.source, *resource.callers)
                          if in_program(s))  # type: ignore[union-attr]
        if files not in literals:
            literals[files] = source_literals(root, set(files))
        resource.value_origins = value_origins(resource.inputs, config_lines, literals[files])


def plan_program(
    program_dir: Path,
    stack: str = "prod",
    config_overrides: dict[str, str] | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
    timeout: float = 0,
) -> Plan:
    """Every resource the Pulumi program in `program_dir` would declare for `stack`.

    `config_overrides` replaces config values (namespaced keys, or bare keys of the project);
    `stack_outputs` gives the outputs of stacks the program references (stack name -> outputs).
    Raises InputError for a missing Pulumi.yaml or stack file, or a program that raises, exits
    or runs longer than `timeout` seconds (0: no limit).
    """
    project = load_project(Path(program_dir), stack)
    for key, value in (config_overrides or {}).items():
        project.config[key if ":" in key else f"{project.name}:{key}"] = value
    region = project.config.get("aws:region", DEFAULT_REGION)
    monitor = RecordingMonitor(SynthesizingMocks(region, dict(stack_outputs or {})))
    try:
        with time_limit(timeout):
            _run(project, stack, monitor)
    except (Exception, SystemExit, PlanTimeout) as exc:
        reason = describe_failure(exc, project.root, timeout)
        _forget_failed_outputs()
        raise InputError(reason) from exc

    resources = [_planned(reg, project.root, monitor) for reg in monitor.registrations]
    link_callers(resources)
    _trace_values(resources, project.root, stack)
    return Plan(resources=_in_dependency_order(resources), project=project.name, stack=stack,
                unknown_stacks=sorted(set(monitor.unknown_stacks)))
