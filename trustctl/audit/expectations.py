"""What the deployment is expected to be, read from the Pulumi stack config (Pulumi.prod.yaml):
the on-call principals, the Cloudflare zone, the domain, the security contact, the auth paths.
The audit judges the live world against the same values `pulumi up` declared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trustctl.errors import InputError
from trustctl.paths import PRODUCTION_STACK_CONFIG
from trustctl.plan.project import stack_config


@dataclass(frozen=True)
class Expectations:
    on_call_principals: tuple[str, ...] = ()
    cloudflare_zone_id: str | None = None
    domain: str | None = None
    security_contact: str | None = None
    auth_paths: tuple[str, ...] = ()
    failed_attempt_threshold: int | None = None  # None: the page's (AUTH-RATE-LIMIT)


def load(path: Path = PRODUCTION_STACK_CONFIG) -> Expectations:
    """The expected values, each read as `pulumi up` passes it (scalars as text); InputError,
    one line naming the file and the setting, when one is of the wrong shape, so the live world
    is never judged against a value the program would have refused."""
    config = stack_config(path)

    def text(name: str) -> str | None:
        raw = config.get(f"trustctl:{name}")
        if isinstance(raw, dict | list):
            raise InputError(f"{path}: trustctl:{name} is not a single value")
        return None if raw is None or raw == "" else str(raw)

    def texts(name: str) -> tuple[str, ...]:
        raw = config.get(f"trustctl:{name}") or []
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise InputError(f"{path}: trustctl:{name} is not a list of strings")
        return tuple(raw)

    threshold = text("failedAttemptThreshold")
    if threshold is not None and not threshold.isdigit():
        raise InputError(f"{path}: trustctl:failedAttemptThreshold is not a whole number")
    return Expectations(
        on_call_principals=texts("onCallPrincipalArns"),
        cloudflare_zone_id=text("cloudflareZoneId"),
        domain=text("domain"),
        security_contact=text("securityContactEmail"),
        auth_paths=texts("authPaths"),
        failed_attempt_threshold=None if threshold is None else int(threshold),
    )
