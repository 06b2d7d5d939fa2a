"""Cloudflare in front of the app: TLS, HSTS, CT alerts, WAF, auth rate limits, CSP."""

from __future__ import annotations

import pulumi
import pulumi_cloudflare as cloudflare
from stack_config import StackConfig

CLOUDFLARE_MANAGED_RULESET = "efb7b8c949ac4650a09736fc376e9aee"
OWASP_CORE_RULESET = "4814384a9e5d4991b9815dcfc25d2f1f"
# Responses that mean "this sign-in attempt failed"; only they count towards the lockout.
FAILED_ATTEMPT_STATUSES = "{401 403 429}"


class Edge(pulumi.ComponentResource):
    """Zone settings and rulesets that keep the in-transit and application-edge promises.

    Implements TLS-MIN (min_tls_version 1.2, tls_1_3 on, always_use_https, ssl strict),
    HSTS (security_header: max-age >= 2 years, includeSubDomains, preload, nosniff),
    CT-MONITOR (Certificate Transparency alerting for the zone, mailed to security),
    WAF (Cloudflare Managed Ruleset and OWASP Core Ruleset executed on every request),
    AUTH-RATE-LIMIT (per auth path, per client IP: block after `failedAttemptThreshold`
    failed attempts within the period, for `lockoutSeconds`) and CSP-SRI (a
    Content-Security-Policy header on every response; Subresource Integrity attributes on
    third-party scripts are added by the app build, which a header cannot do).
    """

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("trustctl:edge:Edge", name, None, opts)
        self._name, self._config = name, config
        self._zone_settings()
        cloudflare.CtAlerting(
            f"{name}-ct-alerting",
            zone_id=config.cloudflare_zone_id,
            enabled=True,
            emails=[config.security_contact_email],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._waf()
        self._auth_rate_limits()
        self._content_security_policy()
        self.register_outputs({"zoneId": config.cloudflare_zone_id})

    def _zone_settings(self) -> None:
        config = self._config
        settings = {
            "min_tls_version": "1.2",
            "tls_1_3": "on",
            "always_use_https": "on",
            "ssl": "strict",
            # Nested keys stay snake_case: `value` is passed to the API as is
            # (pulumi/pulumi-cloudflare#1579: camelCase keys never converge).
            "security_header": {"strict_transport_security": {
                "enabled": True,
                "max_age": config.hsts_max_age_seconds,
                "include_subdomains": True,
                "preload": True,
                "nosniff": True,
            }},
        }
        for setting_id, value in settings.items():
            cloudflare.ZoneSetting(
                f"{self._name}-{setting_id.replace('_', '-')}",
                zone_id=config.cloudflare_zone_id,
                setting_id=setting_id,
                value=value,
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _waf(self) -> None:
        rules = [
            {
                "description": f"Execute the {title}",
                "expression": "true",
                "action": "execute",
                "action_parameters": {"id": ruleset_id},
                "enabled": True,
            }
            for title, ruleset_id in (
                ("Cloudflare Managed Ruleset", CLOUDFLARE_MANAGED_RULESET),
                ("Cloudflare OWASP Core Ruleset", OWASP_CORE_RULESET),
            )
        ]
        self._ruleset("waf", "http_request_firewall_managed", "Managed WAF rules", rules)

    def _auth_rate_limits(self) -> None:
        config = self._config
        rules = []
        for path in config.auth_paths:
            matches = _path_expression(path)
            rules.append({
                "description": f"Lock out {path} after {config.failed_attempt_threshold} failures",
                "expression": matches,
                "action": "block",
                "enabled": True,
                "ratelimit": {
                    "characteristics": ["cf.colo.id", "ip.src"],
                    "period": config.rate_limit_period_seconds,
                    "requests_per_period": config.failed_attempt_threshold,
                    "mitigation_timeout": config.lockout_seconds,
                    # Response codes exist only for requests the origin answered.
                    "requests_to_origin": True,
                    "counting_expression":
                        f"{matches} and http.response.code in {FAILED_ATTEMPT_STATUSES}",
                },
            })
        self._ruleset("auth-rate-limits", "http_ratelimit", "Auth endpoint lockouts", rules)

    def _content_security_policy(self) -> None:
        rules = [{
            "description": "Content-Security-Policy on every response",
            "expression": "true",
            "action": "rewrite",
            "enabled": True,
            "action_parameters": {"headers": {
                "Content-Security-Policy": {
                    "operation": "set",
                    "value": self._config.content_security_policy,
                },
            }},
        }]
        self._ruleset("security-headers", "http_response_headers_transform",
                      "Security response headers", rules)

    def _ruleset(self, suffix: str, phase: str, title: str, rules: list[dict]) -> None:
        """The zone's entry-point ruleset for `phase` (one per phase and zone)."""
        cloudflare.Ruleset(
            f"{self._name}-{suffix}",
            zone_id=self._config.cloudflare_zone_id,
            kind="zone",
            phase=phase,
            name=f"{self._config.name_prefix}: {title}",
            description=title,
            rules=rules,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _path_expression(path: str) -> str:
    """Cloudflare rules-language match for one auth path; a trailing * matches a prefix."""
    if path.endswith("*"):
        return f'starts_with(http.request.uri.path, "{path[:-1]}")'
    return f'http.request.uri.path eq "{path}"'
