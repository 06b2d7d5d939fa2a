"""Where a finding points: the line a pull request changes, not the inside of a component.

A resource declared inside a component (`HardenedBucket`, `Edge`) takes its arguments from the
code that called the component, so the finding is reported at that call site (the innermost
enclosing component's), where code scanning annotates the changed line. The component's own
line, and the call sites further out, are related locations.
"""

from __future__ import annotations

from trustctl.plan.model import PlannedResource, SourceLocation
from trustctl.report.results import Related


def locate(resource: PlannedResource) -> tuple[SourceLocation | None, list[Related]]:
    """The finding's location and its related locations."""
    if not resource.callers:
        return resource.source, []
    where, *outer = resource.callers
    related = [Related(resource.source.file, resource.source.line,
                       f"{resource.type} {resource.name} declared in its component")
               ] if resource.source else []
    related += [Related(c.file, c.line, "called from here") for c in outer]
    return where, related
