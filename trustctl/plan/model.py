"""What a Pulumi program would declare: the planned resources every other flow reads.

The same model is filled from three sources: the offline planner (Pulumi's mock runtime),
`pulumi preview --json` and `pulumi stack export`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceLocation:
    """Where the program declared a resource: the file (relative to the project) and line."""

    file: str
    line: int


@dataclass
class PlannedResource:
    urn: str
    type: str  # Pulumi type token, e.g. "aws:kms/key:Key"
    name: str  # logical name
    parent: str | None = None  # parent URN (components), None at the stack root
    custom: bool = True  # False for ComponentResources
    inputs: dict[str, Any] = field(default_factory=dict)  # Pulumi (camelCase) property names
    dependencies: list[str] = field(default_factory=list)  # URNs the inputs depend on
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    source: SourceLocation | None = None
    # input paths ("ingress.0.cidrBlocks.0") whose value only the cloud knows -> where it came from
    unknowns: dict[str, str] = field(default_factory=dict)
    # where each enclosing component was called, innermost first: the first is the line in the
    # caller's code that chose this resource's arguments (what a pull request changes)
    callers: list[SourceLocation] = field(default_factory=list)
    # input paths whose value came from the stack's config file -> its line there
    value_origins: dict[str, SourceLocation] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": self.inputs,
            "dependencies": self.dependencies,
            "property_dependencies": self.property_dependencies,
            "source": None if self.source is None else {
                "file": self.source.file, "line": self.source.line,
            },
            "unknowns": self.unknowns,
            "callers": [{"file": c.file, "line": c.line} for c in self.callers],
            "value_origins": {path: {"file": c.file, "line": c.line}
                               for path, c in self.value_origins.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedResource:
        src = data.get("source")
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            parent=data.get("parent"),
            custom=data.get("custom", True),
            inputs=data.get("inputs") or {},
            dependencies=list(data.get("dependencies") or []),
            property_dependencies=dict(data.get("property_dependencies") or {}),
            source=SourceLocation(src["file"], int(src["line"])) if src else None,
            unknowns=dict(data.get("unknowns") or {}),
            callers=[SourceLocation(c["file"], int(c["line"])) for c in data.get("callers") or []],
            value_origins={path: SourceLocation(c["file"], int(c["line"]))
                            for path, c in (data.get("value_origins") or {}).items()},
        )


_LIBRARY_DIRS = frozenset({"node_modules", "site-packages", ".venv"})


def in_program(location: SourceLocation | None) -> bool:
    """Whether a line is the program's own code (not a library's, not outside the project)."""
    if location is None:
        return False
    path = location.file.replace("\\", "/")
    return not path.startswith("/") and not _LIBRARY_DIRS & set(path.split("/"))


def link_callers(resources: list[PlannedResource]) -> None:
    """Give each resource the call sites of its enclosing components (their own `source`) that
    are the program's own code."""
    by_urn = {r.urn: r for r in resources}
    for resource in resources:
        resource.callers, seen = [], set()
        parent = by_urn.get(resource.parent or "")
        while parent is not None and parent.urn not in seen:  # a malformed state may loop
            seen.add(parent.urn)
            if in_program(parent.source):
                resource.callers.append(parent.source)  # type: ignore[arg-type]
            parent = by_urn.get(parent.parent or "")


@dataclass
class Plan:
    """Every resource a program would declare; parents and dependencies before dependents."""

    resources: list[PlannedResource]
    project: str = ""
    stack: str = ""
    # stacks referenced without their outputs: code that runs on those (apply) did not run
    unknown_stacks: list[str] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def by_urn(self, urn: str) -> PlannedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "unknown_stacks": self.unknown_stacks,
            "resources": [r.to_json() for r in self.resources],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            resources=[PlannedResource.from_json(r) for r in data["resources"]],
            project=data.get("project", ""),
            stack=data.get("stack", ""),
            unknown_stacks=list(data.get("unknown_stacks") or []),
        )
