"""Offline planning: what a Pulumi program would declare, without the Pulumi CLI or a cloud.

`plan_program` runs a program in this process and loads the Pulumi SDKs on first use: the gate
and `trustctl plan` run programs in a child (plan/isolated.py) and never load them.
"""

from typing import Any

from trustctl.plan.model import Plan, PlannedResource, SourceLocation

__all__ = ["Plan", "PlannedResource", "SourceLocation", "plan_program"]


def __getattr__(name: str) -> Any:
    if name == "plan_program":
        from trustctl.plan.planner import plan_program

        return plan_program
    raise AttributeError(name)
