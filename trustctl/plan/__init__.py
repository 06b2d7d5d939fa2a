"""Offline planning: what a Pulumi program would declare, without the Pulumi CLI or a cloud."""

from trustctl.plan.model import Plan, PlannedResource, SourceLocation
from trustctl.plan.planner import plan_program

__all__ = ["Plan", "PlannedResource", "SourceLocation", "plan_program"]
