"""Several inputs (programs, stacks, previews, states) judged as one estate.

Each input is translated on its own (references resolve inside a stack) and checkov reads them
all in one run; the estate is then one plan: every resource of every input, addressed
`<input>/<TF address>` so two stacks may both declare `aws_kms_key.data`. What a control
requires is looked for in that union, so a key in the AWS stack and the zone settings in the
edge stack together meet what neither meets alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.translate import TfPlan


def union(plans: list[TfPlan], results: list[list[CheckResult]]
          ) -> tuple[TfPlan, list[CheckResult]]:
    """One plan and one result list for the estate (a single input is returned as it is)."""
    if len(plans) == 1:
        return plans[0], results[0]
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    merged = TfPlan(document={"planned_values": {"root_module": {"resources": planned}},
                              "configuration": {"root_module": {"resources": configured}}})
    found: list[CheckResult] = []
    for index, (plan, checked) in enumerate(zip(plans, results, strict=True)):
        prefix = f"{index + 1}/"
        planned += [{**r, "address": prefix + r["address"]}
                    for r in plan.document["planned_values"]["root_module"]["resources"]]
        configured += [{**r, "address": prefix + r["address"],
                        "expressions": _prefixed(r.get("expressions") or {}, prefix)}
                       for r in plan.document["configuration"]["root_module"]["resources"]]
        merged.resources |= {prefix + a: r for a, r in plan.resources.items()}
        merged.unknowns |= {prefix + a: u for a, u in plan.unknowns.items()}
        merged.partly_known |= {prefix + a: u for a, u in plan.partly_known.items()}
        merged.roles |= {prefix + a: r for a, r in plan.roles.items()}
        merged.identities |= {prefix + a: i for a, i in plan.identities.items()}
        merged.unchecked += plan.unchecked
        merged.skipped_inert += plan.skipped_inert
        found += [dataclasses.replace(r, address=prefix + r.address) for r in checked]
    return merged, found


def _prefixed(expressions: Any, prefix: str) -> Any:
    """The same expressions, every reference (`aws_kms_key.k.arn`) addressed in the estate."""
    if isinstance(expressions, dict):
        return {k: [prefix + ref for ref in v] if k == "references" and isinstance(v, list)
                else _prefixed(v, prefix) for k, v in expressions.items()}
    if isinstance(expressions, list):
        return [_prefixed(v, prefix) for v in expressions]
    return expressions
