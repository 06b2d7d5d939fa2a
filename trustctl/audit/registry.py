"""Every live check: one module per check under trustctl/audit/checks/<area>/, each exposing
`check` (a LiveCheck). Adding a check is adding a file and naming its id in controls.yaml."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from trustctl.audit import checks as checks_package
from trustctl.audit.live_check import AREAS, LiveCheck


@cache
def all_checks() -> tuple[LiveCheck, ...]:
    found: list[LiveCheck] = []
    for area in AREAS:
        package = importlib.import_module(f"{checks_package.__name__}.{area}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            check = module.check
            if check.metadata.area != area:
                raise ValueError(f"{module.__name__}: check {check.id} says area "
                                 f"{check.metadata.area}, lives under {area}")
            found.append(check)
    ids = [c.id for c in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate live check ids: {duplicates}")
    return tuple(sorted(found, key=lambda c: (c.metadata.area, _number(c.id))))


def _number(check_id: str) -> tuple[str, int]:
    prefix, _, number = check_id.rpartition("_")
    return prefix, int(number) if number.isdigit() else 0
