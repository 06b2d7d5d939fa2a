"""The gate end to end, short of printing: declared resources -> report by control.

`check_many` puts several inputs through ONE checkov run: checkov's start-up dominates its cost,
so tests and batch users pay it once; a caller may also start checkov before planning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from trustctl.catalog import load_catalog
from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.evaluate import GateReport, evaluate
from trustctl.gate.exceptions import load_exceptions
from trustctl.gate.schedules import Workflows
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.paths import CATALOG_PATH, EXCEPTIONS_PATH


def check_many(
    inputs: list[Declared], exceptions_path: Path = EXCEPTIONS_PATH,
    catalog_path: Path = CATALOG_PATH, today: dt.date | None = None,
    checkov: CheckovProcess | None = None, workflows: Workflows | None = None,
) -> list[GateReport]:
    """Reports for each input; `checkov` may be one started earlier (it is used up).
    With `workflows`, controls with a schedule are judged against them too."""
    catalog = load_catalog(catalog_path)
    exceptions = load_exceptions(exceptions_path, frozenset(c.id for c in catalog))
    plans = [translate(declared) for declared in inputs]
    with checkov or CheckovProcess() as engine:
        results = engine.run([p.document for p in plans])
    day = today or dt.datetime.now(dt.UTC).date()
    return [evaluate(catalog, declared.origin, plan, found, exceptions, day, workflows)
            for declared, plan, found in zip(inputs, plans, results, strict=True)]


def check(declared: Declared, exceptions_path: Path = EXCEPTIONS_PATH,
          catalog_path: Path = CATALOG_PATH, today: dt.date | None = None,
          checkov: CheckovProcess | None = None,
          workflows: Workflows | None = None) -> GateReport:
    return check_many([declared], exceptions_path, catalog_path, today, checkov, workflows)[0]
