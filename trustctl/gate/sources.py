"""What the gate checks: Pulumi programs planned offline, `pulumi preview --json` or `pulumi
stack export` output, each read into the same Plan model, with the controls its stack says it
owns (`trustctl:controls` in the stack's config; gate/ownership.py).

Preview: a step's `newState` is what will exist, so `delete`, `delete-replaced`, `discard` and
`remove-pending-replace` steps (which carry only `oldState`) are skipped, and so are `read`
steps (external resources the program only looks up). State: resources pending deletion and
external (read) resources are skipped for the same reasons. Engine resources (the stack,
providers) and component resources declare nothing themselves and are left out everywhere.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustctl.errors import InputError
from trustctl.gate.ownership import CONFIG_KEY as OWNERSHIP_KEY
from trustctl.gate.references import UNKNOWN, string_leaves
from trustctl.gate.resource_types import BRIDGED_PACKAGES, is_engine_resource
from trustctl.gate.sdk_schema import provider_schema, read_all
from trustctl.input_limits import PULUMI_JSON, load_json, require_at_most
from trustctl.plan.model import Plan, PlannedResource, SourceLocation, link_callers

_SKIPPED_OPS = frozenset({"delete", "delete-replaced", "discard", "remove-pending-replace",
                          "read", "read-replacement", "read-discard"})
_SOURCE_POSITION = re.compile(r"^project://(?P<file>/[^#]*)#(?P<line>\d+)")
_IDENTITY_OUTPUTS = ("id", "arn")


@dataclass
class Declared:
    """The planned resources, plus the strings (ids, ARNs) that name each one once it exists,
    which let the translator turn a value like a key ARN back into a reference."""

    plan: Plan
    origin: str
    identities: dict[str, set[str]] = field(default_factory=dict)
    ownership: Any = None  # the stack's `trustctl:controls` config value, as written


def from_program(program_dir: Path, stack: str,
                 stack_outputs: dict[str, dict[str, Any]] | None = None,
                 timeout: float = 0) -> Declared:
    """Plan the program offline with the Pulumi mock runtime (no CLI, no credentials), in a
    process of its own (the program cannot reach the judgment); a program that fails is worded
    as `trustctl plan` words it."""
    if not program_dir.is_dir():
        raise InputError(f"--program {program_dir}: not a directory")
    from trustctl.plan.isolated import plan_isolated
    from trustctl.plan.project import load_project
    from trustctl.plan.sdk_warmup import warm

    project = load_project(program_dir, stack)
    # what a run before read of the SDKs, read before the program runs (gate/sdk_schema.py);
    # the SDK types translation will still need, imported while it plans (then done:
    # translation never imports beside it)
    read_all(BRIDGED_PACKAGES)
    warming = warm(project.program_dir, _unknown_to_schema, _keep_in_schema)
    ownership = project.config.get(OWNERSHIP_KEY)
    try:
        plan = plan_isolated(program_dir, stack=stack, stack_outputs=stack_outputs,
                             timeout=timeout)
    finally:
        warming.join()
    plan.resources = [r for r in plan.resources if _is_declared(r.type, r.custom)]
    return Declared(plan, f"program {program_dir} (stack {stack})", ownership=ownership)


def _unknown_to_schema(package: str, chains: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return provider_schema(package).unknown(chains) if package in BRIDGED_PACKAGES else set()


def _keep_in_schema(package: str, chains: set[tuple[str, ...]]) -> None:
    with contextlib.suppress(Exception):  # a hint only: translation reads what this missed
        provider_schema(package).keep(chains)


def gather(programs: list[Path], stacks: list[str], previews: list[Path], states: list[Path],
           stack_outputs: dict[str, dict[str, Any]] | None = None, timeout: float = 0,
           planning: Callable[[Path, str], None] | None = None) -> list[Declared]:
    """Every input of one gate run: each (program, stack), preview and state. Files are read
    before programs are planned, so a bad one is reported at once; `planning` hears of each
    program before it is planned (progress)."""
    read = [from_preview(p) for p in previews] + [from_state(s) for s in states]
    planned = []
    for program, stack in programs_and_stacks(programs, stacks) if programs else []:
        if planning is not None:
            planning(program, stack)
        planned.append(from_program(program, stack, stack_outputs, timeout))
    return planned + read


def programs_and_stacks(programs: list[Path], stacks: list[str]) -> list[tuple[Path, str]]:
    """Which (program, stack) pairs to plan: one stack for every program, every stack of one
    program, or the i-th stack for the i-th program."""
    if len(stacks) == 1 or len(programs) == len(stacks):
        return list(zip(programs, stacks * len(programs) if len(stacks) == 1 else stacks,
                        strict=True))
    if len(programs) == 1:
        return [(programs[0], stack) for stack in stacks]
    raise InputError(f"{len(programs)} --program and {len(stacks)} --stack: give one --stack "
                     "for all programs, or one per --program (in the same order)")


def from_preview(path: Path) -> Declared:
    doc = _read_json(path, "--preview")
    steps = doc.get("steps") if isinstance(doc, dict) else None
    if not isinstance(steps, list):
        raise InputError(f"--preview {path}: not `pulumi preview --json` output (no `steps` list)")
    require_at_most(len(steps), PULUMI_JSON, path, "steps")
    states: dict[str, dict[str, Any]] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise InputError(f"--preview {path}: step {i} has no `op`")
        if step["op"] in _SKIPPED_OPS:
            continue
        state = step.get("newState")
        if not isinstance(state, dict):
            raise InputError(f"--preview {path}: step {i} ({step['op']}) has no `newState`")
        states[state.get("urn") or step.get("urn", "")] = state
    declared = declared_from_states(list(states.values()), f"preview {path}", path)
    mark_unknown_until_apply(declared.plan.resources)
    config = doc.get("config")
    declared.ownership = config.get(OWNERSHIP_KEY) if isinstance(config, dict) else None
    return declared


KNOWN_AFTER_CREATE = "the engine, known once the resource exists (`pulumi up` judges it)"


def mark_unknown_until_apply(resources: list[PlannedResource]) -> None:
    """Each value the engine left unknown (`pulumi preview`: what only creating a resource
    returns) is listed with where it comes from, so a check resting on it says so instead of
    judging its absence; one that refers to another declared resource is still read as that
    reference (gate/references.py)."""
    for resource in resources:
        for path, leaf in string_leaves(resource.inputs):
            if leaf == UNKNOWN:
                resource.unknowns[".".join(str(p) for p in path)] = _unknown_origin(
                    resource, str(path[0]) if path else "")


def _unknown_origin(resource: PlannedResource, prop: str) -> str:
    names = sorted({urn.rsplit("::", 1)[-1] for urn in
                    resource.property_dependencies.get(prop, [])})
    if names:
        return f"an output of {', '.join(names)} unknown until `pulumi up`"
    return KNOWN_AFTER_CREATE


def from_state(path: Path) -> Declared:
    doc = _read_json(path, "--state")
    resources = _state_resources(doc)
    if resources is None:
        raise InputError(f"--state {path}: not `pulumi stack export` output "
                         "(no deployment.resources or checkpoint.latest.resources)")
    require_at_most(len(resources), PULUMI_JSON, path, "resources")
    if not all(isinstance(r, dict) for r in resources):
        raise InputError(f"--state {path}: a resource is not an object")
    live = [r for r in resources if not r.get("delete") and not r.get("external")]
    return declared_from_states(live, f"state {path}", path)


def _state_resources(doc: Any) -> list[Any] | None:
    if not isinstance(doc, dict):
        return None
    deployment = doc.get("deployment") or (doc.get("checkpoint") or {}).get("latest")
    if not isinstance(deployment, dict):
        return None
    resources = deployment.get("resources")
    return resources if isinstance(resources, list) else None


def _read_json(path: Path, flag: str) -> Any:
    try:
        return load_json(path, PULUMI_JSON)
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{flag} {path}: not JSON ({exc})") from exc


def declared_from_states(states: list[dict[str, Any]], origin: str, path: Path) -> Declared:
    """Resources in Pulumi's state shape (a preview's steps, a stack export, the policy pack's
    engine resources) as the gate judges them: components left out, callers linked."""
    resources: list[PlannedResource] = []
    identities: dict[str, set[str]] = {}
    every = [(_resource(state, path), state) for state in states]
    link_callers([resource for resource, _ in every])  # components are left out below
    for resource, state in every:
        if not _is_declared(resource.type, resource.custom):
            continue
        resources.append(resource)
        identities[resource.urn] = _identities(state)
    project, stack = _project_and_stack(resources)
    return Declared(Plan(resources, project=project, stack=stack), origin, identities)


def _is_declared(type_token: str, custom: bool) -> bool:
    return custom and not is_engine_resource(type_token)


def _resource(state: dict[str, Any], path: Path) -> PlannedResource:
    urn, type_token = state.get("urn"), state.get("type")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or not isinstance(
            type_token, str):
        raise InputError(f"{path}: a resource lacks a Pulumi `urn` or `type`")
    inputs = state.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise InputError(f"{path}: {urn}: `inputs` is not an object")
    return PlannedResource(
        urn=urn,
        type=type_token,
        name=urn.rsplit("::", 1)[-1],
        parent=state.get("parent"),
        custom=bool(state.get("custom", True)),
        inputs=inputs,
        dependencies=_urns(state.get("dependencies"), f"{path}: {urn}: `dependencies`"),
        property_dependencies=_property_dependencies(state.get("propertyDependencies"),
                                                     f"{path}: {urn}: `propertyDependencies`"),
        source=source_location(state.get("sourcePosition")),
    )


def _urns(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise InputError(f"{where} is not a list of URNs")
    return value


def _property_dependencies(value: Any, where: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where} is not an object")
    return {prop: _urns(urns, f"{where}.{prop}") for prop, urns in value.items()}


def source_location(position: Any) -> SourceLocation | None:
    """`project:///infra/x.py#12,5` -> infra/x.py line 12."""
    match = _SOURCE_POSITION.match(position) if isinstance(position, str) else None
    if not match:
        return None
    return SourceLocation(match["file"].lstrip("/"), int(match["line"]))


def _identities(state: dict[str, Any]) -> set[str]:
    outputs = state.get("outputs") if isinstance(state.get("outputs"), dict) else {}
    found = {state.get("id"), *(outputs.get(key) for key in _IDENTITY_OUTPUTS)}
    return {value for value in found if isinstance(value, str) and value}


def _project_and_stack(resources: list[PlannedResource]) -> tuple[str, str]:
    if not resources:
        return "", ""
    parts = resources[0].urn.split("::")
    return parts[1], parts[0].removeprefix("urn:pulumi:")
