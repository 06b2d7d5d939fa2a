"""Where a finding points: the line a pull request changes, not the inside of a component.

A resource declared inside a component (`HardenedBucket`, `Edge`) takes its arguments from the
code that called the component, so the finding is reported at that call site (the innermost
enclosing component's), where code scanning annotates the changed line. The component's own
line, and the call sites further out, are related locations. Lines of libraries (node_modules,
site-packages) are never a location: a component a library declares is reported where the
program's own code called it. A failing value written in the stack's config file, or as a
literal in the code, is reported at that line (Pulumi.<stack>.yaml, or e.g. the settings dict
a component loops over), the declaration as a related location.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trustctl.plan.model import PlannedResource, SourceLocation, in_program
from trustctl.report.results import Related


def locate(resource: PlannedResource, evaluated: Sequence[str] = (), message: str = ""
           ) -> tuple[SourceLocation | None, list[Related]]:
    """The finding's location and its related locations (a library's lines are left out: no
    pull request changes them). A failing attribute (`evaluated`, checkov's key paths) whose
    value was written in the stack's config file or as a literal in the code puts the location
    on that line."""
    where, related = _in_code(resource)
    origin = _origin(resource, evaluated, message)
    if origin is None or origin == where:
        return where, related
    why = ("the call of the component that declared it" if resource.callers
           else f"{resource.type} {resource.name} declared here")
    code = [Related(where.file, where.line, why)] if where else []
    return origin, code + related


def _in_code(resource: PlannedResource) -> tuple[SourceLocation | None, list[Related]]:
    if not resource.callers:
        return resource.source, []
    where, *outer = resource.callers
    own = resource.source
    related = [Related(own.file, own.line,
                       f"{resource.type} {resource.name} declared in its component")
               ] if own is not None and in_program(own) else []
    related += [Related(c.file, c.line, "called from here") for c in outer]
    return where, related


def _origin(resource: PlannedResource, evaluated: Sequence[str], message: str
            ) -> SourceLocation | None:
    """Where the first failing value was written: a value of an attribute the check evaluated
    (by name), or, for a check that names none, a value its message quotes."""
    names = {_name(key.replace("/", ".").split(".")[-1]) for key in evaluated}
    for path, line in resource.value_origins.items():
        if evaluated and _name(path.split(".")[-1]) in names:
            return line
        if not evaluated and repr(_value_at(resource.inputs, path)) in message:
            return line
    return None


def _value_at(inputs: dict[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _name(attribute: str) -> str:
    """`min_tls_version` and `minTlsVersion` alike (checkov's keys are the provider's)."""
    return attribute.replace("_", "").lower()
