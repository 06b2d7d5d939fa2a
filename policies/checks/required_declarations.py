"""What a program must declare at all, for the checks beside this file to have something to judge.

checkov judges the resources it is given: a program that never declares min_tls_version
passes CKV_TRUST_1 vacuously. The gate therefore asks `missing_declarations` which of these
required resources a plan lacks, and fails the named control for each one.

Pure data and standard library only: the gate imports this file from the project's own
environment (checkov also executes it when loading the folder; it registers no check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class Declaration:
    """A resource of `type` whose values match `match`: dotted paths to `fnmatch` patterns."""

    type: str
    match: Mapping[str, str]

    def describe(self) -> str:
        wanted = ", ".join(f"{k}={v}" for k, v in self.match.items())
        return self.type + (f" with {wanted}" if wanted else "")

    def is_met_by(self, resource_type: str, values: Mapping[str, Any]) -> bool:
        return resource_type == self.type and all(
            fnmatchcase(str(_value_at(values, path)), pattern)
            for path, pattern in self.match.items()
        )


@dataclass(frozen=True)
class Required:
    """One of `any_of` must be declared for `control`; `checked_by` then judges its settings."""

    control: str
    any_of: tuple[Declaration, ...]
    checked_by: tuple[str, ...]

    def describe(self) -> str:
        return " or ".join(d.describe() for d in self.any_of)

    def is_met_by(self, resource_type: str, values: Mapping[str, Any]) -> bool:
        return any(d.is_met_by(resource_type, values) for d in self.any_of)


def _one(control: str, resource_type: str, match: Mapping[str, str], *check_ids: str) -> Required:
    return Required(control, (Declaration(resource_type, match),), check_ids)


def _zone_setting(control: str, setting_id: str, check_id: str) -> Required:
    return _one(control, "cloudflare_zone_setting", {"setting_id": setting_id}, check_id)


def _ruleset(control: str, phase: str, *check_ids: str) -> Required:
    return _one(control, "cloudflare_ruleset", {"phase": phase}, *check_ids)


BACKUP_KEY = {"tags.trustctl:purpose": "backup"}
BACKUP_BUCKET = {"tags.trustctl:role": "backup"}

REQUIRED: tuple[Required, ...] = (
    _zone_setting("TLS-MIN", "min_tls_version", "CKV_TRUST_1"),
    _zone_setting("TLS-MIN", "tls_1_3", "CKV_TRUST_2"),
    _zone_setting("TLS-MIN", "always_use_https", "CKV_TRUST_3"),
    _zone_setting("TLS-MIN", "ssl", "CKV_TRUST_4"),
    _zone_setting("HSTS", "security_header", "CKV_TRUST_5"),
    Required(
        "CT-MONITOR",
        (
            Declaration("cloudflare_ct_alerting", {}),
            Declaration("cloudflare_notification_policy", {"alert_type": "ct_alert"}),
        ),
        ("CKV_TRUST_6",),
    ),
    _one("ENC-AT-REST", "aws_kms_key", {}, "CKV_TRUST_8", "CKV_AWS_7"),
    _one("BACKUP-KEY-SEPARATE", "aws_kms_key", BACKUP_KEY, "CKV_TRUST_9", "CKV_TRUST_11"),
    _one("BACKUP-KEY-SEPARATE", "aws_s3_bucket", BACKUP_BUCKET, "CKV_TRUST_10"),
    _one("BACKUP-DAILY-35D", "aws_backup_plan", {}, "CKV_TRUST_12"),
    _one("BACKUP-DAILY-35D", "aws_backup_vault", {}, "CKV_TRUST_14"),
    _one("BACKUP-DAILY-35D", "aws_backup_vault_lock_configuration", {}, "CKV_TRUST_13"),
    _one("BACKUP-DAILY-35D", "aws_s3_bucket", BACKUP_BUCKET, "CKV_TRUST_15", "CKV_TRUST_16"),
    _one("ACCESS-LOGGED", "aws_cloudtrail", {}, "CKV_TRUST_20", "CKV_AWS_67"),
    _one("PRIVATE-NETWORK", "aws_vpc", {}, "CKV_TRUST_21", "CKV2_AWS_11", "CKV2_AWS_12"),
    _one(
        "PRIVATE-NETWORK",
        "aws_vpc_endpoint",
        {"service_name": "com.amazonaws.*.s3"},
        "CKV_TRUST_21",
    ),
    _ruleset("WAF", "http_request_firewall_managed", "CKV_TRUST_26"),
    _ruleset("AUTH-RATE-LIMIT", "http_ratelimit", "CKV_TRUST_27", "CKV_TRUST_28"),
    _ruleset("CSP-SRI", "http_response_headers_transform", "CKV_TRUST_29"),
)


def missing_declarations(resources: Iterable[Mapping[str, Any]]) -> list[Required]:
    """The requirements no resource meets; `resources` are plan entries with `type` and `values`."""
    present = [(r.get("type", ""), r.get("values") or {}) for r in resources]
    return [
        req for req in REQUIRED if not any(req.is_met_by(kind, values) for kind, values in present)
    ]


def _value_at(values: Mapping[str, Any], path: str) -> Any:
    """`tags.trustctl:purpose` reads values["tags"]["trustctl:purpose"]; tag keys hold no dots."""
    node: Any = values
    for key in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
