"""Where a finding points: the line a pull request changes, not the inside of a component.

A resource declared inside a component (`HardenedBucket`, `Edge`) takes its arguments from the
code that called the component, so the finding is reported at that call site (the innermost
enclosing component's), where code scanning annotates the changed line. The component's own
line, and the call sites further out, are related locations. Lines of libraries (node_modules,
site-packages) are never a location: a component a library declares is reported where the
program's own code called it.
"""

from __future__ import annotations

from trustctl.plan.model import PlannedResource, SourceLocation, in_program
from trustctl.report.results import Related


def locate(resource: PlannedResource) -> tuple[SourceLocation | None, list[Related]]:
    """The finding's location and its related locations (a library's lines are left out: no
    pull request changes them)."""
    if not resource.callers:
        return resource.source, []
    where, *outer = resource.callers
    own = resource.source
    related = [Related(own.file, own.line,
                       f"{resource.type} {resource.name} declared in its component")
               ] if own is not None and in_program(own) else []
    related += [Related(c.file, c.line, "called from here") for c in outer]
    return where, related
