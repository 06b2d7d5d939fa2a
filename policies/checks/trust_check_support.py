"""What every project check shares: Prowler-style metadata and readers for plan values.

checkov hands a resource check its Terraform-plan values wrapped in lists (a scalar `x`
arrives as `[x]`, a nested object `{...}` as `[{...}]`, a list of objects stays a list),
so the checks read them through `attr`/`items` instead of indexing by hand.

This module registers no check; checkov imports it like any file of the checks folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# The one map from a control to its checks, and the one home of the page's figures; a check
# learns its control(s) and figures there. $TRUSTCTL_CATALOG names another (trustctl.paths).
CATALOG = Path(os.environ.get("TRUSTCTL_CATALOG")
               or Path(__file__).resolve().parent.parent / "controls.yaml")


@dataclass(frozen=True)
class Metadata:
    """Prowler-style metadata: how bad a failure is, why it matters, how to fix it."""

    severity: str
    risk: str
    remediation: str


def controls_of(check_id: str) -> tuple[str, ...]:
    """The controls whose static checks list `check_id` (policies/controls.yaml)."""
    return tuple(c["id"] for c in _catalog()["controls"]
                 if check_id in ((c.get("verification") or {}).get("static") or ()))


def figure(control_id: str, name: str) -> Any:
    """One of the security page's figures: the control's `figures:` entry in the catalog."""
    for control in _catalog()["controls"]:
        if control["id"] == control_id and name in (control.get("figures") or {}):
            return control["figures"][name]
    raise KeyError(f"{CATALOG}: control {control_id} has no figure {name}")


def graph_check(*, check_id: str, metadata: dict[str, str], definition: dict[str, Any],
                path: str) -> None:
    """Register a graph check (what a `.yaml` check file holds) built in Python, so the figures
    it compares with come from the catalog. checkov executes every `.py` file of the folder on
    each run, before it runs the graph checks; a check of the same id is replaced. Like a
    `TrustCheck`, its guideline names its control(s) first."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.runner_filter import RunnerFilter

    guideline = f"{', '.join(controls_of(check_id))}: {metadata['guideline']}"
    raw = {"metadata": {**metadata, "id": check_id, "guideline": guideline},
           "definition": definition}
    registry = get_graph_checks_registry("terraform")
    check = registry.parser.parse_raw_check(raw, resources_types=None, check_path=path)
    registry.checks = [c for c in registry.checks if c.id != check_id] + [check]
    RunnerFilter.notify_external_check(check_id)


def backup_bucket_definition(connected: str, *conditions: dict[str, Any],
                             on_bucket: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """A graph check's definition: every bucket with the role backup or backup-replica has a
    `connected` resource whose attributes meet `conditions` (and itself meets `on_bucket`);
    other buckets pass."""
    return {"or": [
        {"cond_type": "attribute", "resource_types": ["aws_s3_bucket"],
         "attribute": "tags.trustctl:role", "operator": "not_within",
         "value": ["backup", "backup-replica"]},
        {"and": [
            {"cond_type": "filter", "attribute": "resource_type", "operator": "within",
             "value": ["aws_s3_bucket"]},
            *({"cond_type": "attribute", "resource_types": ["aws_s3_bucket"], **c}
              for c in on_bucket),
            {"cond_type": "connection", "resource_types": ["aws_s3_bucket"],
             "connected_resource_types": [connected], "operator": "exists"},
            *({"cond_type": "attribute", "resource_types": [connected], **c}
              for c in conditions),
        ]},
    ]}


@cache
def _catalog() -> dict[str, Any]:
    """The catalog, parsed once per checkov run (with libyaml when present): every check asks
    for its controls while checkov loads it, so this is on checkov's critical path."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(CATALOG.read_text(), Loader=loader)


class TrustCheck(BaseResourceCheck):
    """A project check: the guideline names its control(s) first, as the catalog maps them, so
    checkov's own report keys by control too.

    Subclasses say what is wrong with a resource (`problems`); the messages become the
    record's `details` in checkov's report, so a finding says which rule or port broke it.
    """

    def __init__(
        self,
        *,
        check_id: str,
        name: str,
        category: CheckCategories,
        resources: Iterable[str],
        metadata: Metadata,
    ) -> None:
        super().__init__(
            name=name,
            id=check_id,
            categories=[category],
            supported_resources=list(resources),
            guideline=f"{', '.join(controls_of(check_id))}: {metadata.remediation}",
        )
        self.metadata = metadata
        self.severity = Severities[metadata.severity]

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        found = self.problems(conf)
        self.details = list(found or [])
        if found is None:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if found else CheckResult.PASSED

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        """What breaks the control (empty: nothing), or None when the check does not apply."""
        raise NotImplementedError


class ZoneSettingCheck(TrustCheck):
    """A `cloudflare_zone_setting` (provider v5) whose value must be one of `allowed`."""

    def __init__(
        self, *, check_id: str, setting_id: str, allowed: Iterable[str], metadata: Metadata
    ) -> None:
        self.setting_id = setting_id
        self.allowed = tuple(allowed)
        super().__init__(
            check_id=check_id,
            name=f"Ensure the Cloudflare zone setting {setting_id} is "
            f"one of {', '.join(self.allowed)}",
            category=CheckCategories.ENCRYPTION,
            resources=["cloudflare_zone_setting"],
            metadata=metadata,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if attr(conf, "setting_id") != self.setting_id:
            return None
        value = attr(conf, "value")
        if str(value) in self.allowed:
            return []
        return [f"{self.setting_id} is {value!r}, expected one of {list(self.allowed)}"]


class RulesetPhaseCheck(TrustCheck):
    """A check of the rules of one `cloudflare_ruleset` phase; rulesets of other phases are
    not its business (UNKNOWN)."""

    def __init__(self, *, check_id: str, name: str, phase: str, metadata: Metadata) -> None:
        self.phase = phase
        super().__init__(
            check_id=check_id,
            name=name,
            category=CheckCategories.APPLICATION_SECURITY,
            resources=["cloudflare_ruleset"],
            metadata=metadata,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        rules = rules_of_phase(conf, self.phase)
        return None if rules is None else self.rule_problems(rules)

    def rule_problems(self, rules: list[dict[str, Any]]) -> list[str]:
        """What breaks the control in this phase's rules (empty: nothing)."""
        raise NotImplementedError


def unwrap(value: Any) -> Any:
    """The plan parser wraps scalars and objects in one-element lists; take them out."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def attr(node: Any, *path: str) -> Any:
    """The value at `path` below a resource's conf (or a nested object), or None."""
    for key in path:
        node = unwrap(node)
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return unwrap(node)


def items(node: Any, *path: str) -> list[dict[str, Any]]:
    """The objects of a list attribute or repeated block (`rules`, `ingress`, ...)."""
    parent = attr(node, *path[:-1]) if len(path) > 1 else unwrap(node)
    if not isinstance(parent, dict):
        return []
    value = parent.get(path[-1])
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)]


def strings(value: Any) -> list[str]:
    """A list-of-strings attribute, however deeply the parser wrapped it."""
    if value is None:
        return []
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [str(value)]


def is_true(value: Any) -> bool:
    return unwrap(value) is True or str(unwrap(value)).lower() == "true"


def number(value: Any) -> float | None:
    """A numeric attribute, or None when it is unset or not a number."""
    value = unwrap(value)
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rule_enabled(rule: dict[str, Any]) -> bool:
    """Cloudflare enables a ruleset rule unless `enabled` is explicitly false."""
    value = attr(rule, "enabled")
    return value is None or is_true(value)


def rules_of_phase(conf: dict[str, list[Any]], phase: str) -> list[dict[str, Any]] | None:
    """The rules of a `cloudflare_ruleset` in `phase`, or None for a ruleset of another phase."""
    if attr(conf, "phase") != phase:
        return None
    return items(conf, "rules")


def shown(value: float | None) -> str:
    """A number as a finding shows it: 86400, not 86400.0; `unset` when absent."""
    return "unset" if value is None else f"{value:g}"


def tag(conf: dict[str, Any], key: str) -> str | None:
    """A tag's value from `tags` (or `tags_all`, which the plan fills from provider defaults)."""
    for field in ("tags", "tags_all"):
        tags = unwrap(conf.get(field))
        if isinstance(tags, dict) and key in tags:
            return str(unwrap(tags[key]))
    return None


RETENTION_DAYS = figure("BACKUP-DAILY-35D", "retention_days")  # "kept 35 days"
