"""What the deployment is expected to be, read from the Pulumi stack config (Pulumi.prod.yaml):
the on-call principals, the Cloudflare zone, the domain, the security contact, the auth paths.
The audit judges the live world against the same values `pulumi up` declared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from trustctl.errors import InputError
from trustctl.paths import REPO_ROOT

DEFAULT_STACK_CONFIG = REPO_ROOT / "Pulumi.prod.yaml"


@dataclass(frozen=True)
class Expectations:
    on_call_principals: tuple[str, ...] = ()
    cloudflare_zone_id: str | None = None
    domain: str | None = None
    security_contact: str | None = None
    auth_paths: tuple[str, ...] = ()
    failed_attempt_threshold: int | None = None  # None: the page's (AUTH-RATE-LIMIT)


def load(path: Path = DEFAULT_STACK_CONFIG) -> Expectations:
    try:
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"--stack-config {path}: cannot read ({exc})") from None

    def value(name: str) -> object:
        return config.get(f"trustctl:{name}")

    return Expectations(
        on_call_principals=tuple(value("onCallPrincipalArns") or ()),
        cloudflare_zone_id=value("cloudflareZoneId"),
        domain=value("domain"),
        security_contact=value("securityContactEmail"),
        auth_paths=tuple(value("authPaths") or ()),
        failed_attempt_threshold=_int_or_none(value("failedAttemptThreshold")),
    )


def _int_or_none(raw: object) -> int | None:
    return None if raw is None or raw == "" else int(raw)  # type: ignore[call-overload]
