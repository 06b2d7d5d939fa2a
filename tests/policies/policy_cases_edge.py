"""Cloudflare (TF provider v5 shapes): TLS-MIN, HSTS, CT-MONITOR, WAF, AUTH-RATE-LIMIT, CSP-SRI."""

from __future__ import annotations

from typing import Any

from policy_plan_builder import Resource
from policy_scenario import FAILED, PASSED, Scenario

ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
MANAGED = "efb7b8c949ac4650a09736fc376e9aee"
OWASP = "4814384a9e5d4991b9815dcfc25d2f1f"
TWO_YEARS = 63072000


def setting(name: str, setting_id: str, value: Any) -> Resource:
    return Resource(
        "cloudflare_zone_setting",
        name,
        {"zone_id": ZONE_ID, "setting_id": setting_id, "value": value},
    )


def ruleset(name: str, phase: str, rules: list[dict[str, Any]]) -> Resource:
    return Resource(
        "cloudflare_ruleset",
        name,
        {"zone_id": ZONE_ID, "kind": "zone", "name": name, "phase": phase, "rules": rules},
    )


def hsts(**overrides: Any) -> dict[str, Any]:
    policy = {"enabled": True, "max_age": TWO_YEARS, "include_subdomains": True, "preload": True}
    policy.update(overrides)
    return {"strict_transport_security": {**policy, "nosniff": True}}


def execute(ruleset_id: str, **rule: Any) -> dict[str, Any]:
    return {
        "action": "execute",
        "expression": "true",
        "enabled": True,
        "action_parameters": {"id": ruleset_id},
        **rule,
    }


def rate_limit(expression: str, **limits: Any) -> dict[str, Any]:
    rule = {"action": "block", "enabled": True, "expression": expression}
    rule.update({k: v for k, v in limits.items() if k in ("action", "enabled")})
    ratelimit = {
        "characteristics": ["ip.src", "cf.colo.id"],
        "period": 60,
        "requests_per_period": 10,
        "mitigation_timeout": 600,
        "counting_expression": "http.response.code in {401 403}",
    }
    ratelimit.update({k: v for k, v in limits.items() if k not in ("action", "enabled")})
    return {**rule, "ratelimit": ratelimit}


LOGIN = '(http.request.uri.path eq "/auth/login")'


def csp_rule(value: str, **rule: Any) -> dict[str, Any]:
    return {
        "action": "rewrite",
        "expression": "true",
        "enabled": True,
        "action_parameters": {
            "headers": {"Content-Security-Policy": {"operation": "set", "value": value}}
        },
        **rule,
    }


def tls_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_1", setting("min_tls_12", "min_tls_version", "1.2"))
    s.expect(PASSED, "CKV_TRUST_1", setting("min_tls_13", "min_tls_version", "1.3"))
    s.expect(FAILED, "CKV_TRUST_1", setting("min_tls_10", "min_tls_version", "1.0"))
    s.expect(PASSED, "CKV_TRUST_2", setting("tls13_on", "tls_1_3", "on"))
    s.expect(PASSED, "CKV_TRUST_2", setting("tls13_zrt", "tls_1_3", "zrt"))
    s.expect(FAILED, "CKV_TRUST_2", setting("tls13_off", "tls_1_3", "off"))
    s.expect(PASSED, "CKV_TRUST_3", setting("https_on", "always_use_https", "on"))
    s.expect(FAILED, "CKV_TRUST_3", setting("https_off", "always_use_https", "off"))
    s.expect(PASSED, "CKV_TRUST_4", setting("ssl_strict", "ssl", "strict"))
    s.expect(FAILED, "CKV_TRUST_4", setting("ssl_flexible", "ssl", "flexible"))
    return s


def hsts_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_5", setting("hsts_good", "security_header", hsts()))
    s.expect(FAILED, "CKV_TRUST_5", setting("hsts_one_day", "security_header", hsts(max_age=86400)))
    s.expect(
        FAILED, "CKV_TRUST_5", setting("hsts_no_preload", "security_header", hsts(preload=False))
    )
    s.expect(FAILED, "CKV_TRUST_5", setting("hsts_off", "security_header", hsts(enabled=False)))
    s.expect(
        FAILED,
        "CKV_TRUST_5",
        setting("hsts_no_subdomains", "security_header", hsts(include_subdomains=False)),
    )
    return s


def ct_scenario() -> Scenario:
    def policy(name: str, enabled: bool, mechanisms: dict[str, Any]) -> Resource:
        values = {
            "account_id": "f037e56e89293a057740de681ac9abbe",
            "name": name,
            "alert_type": "ct_alert",
            "enabled": enabled,
            "mechanisms": mechanisms,
        }
        return Resource("cloudflare_notification_policy", name, values)

    email = {"email": [{"id": "security@claver.example"}]}
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_6", policy("ct_good", True, email))
    s.expect(FAILED, "CKV_TRUST_6", policy("ct_disabled", False, email))
    s.expect(FAILED, "CKV_TRUST_6", policy("ct_nowhere", True, {}))

    def zone_alerting(name: str, enabled: bool, emails: list[str]) -> Resource:
        values = {"zone_id": ZONE_ID, "enabled": enabled, "emails": emails}
        return Resource("cloudflare_ct_alerting", name, values)

    s.expect(PASSED, "CKV_TRUST_6", zone_alerting("ct_zone", True, ["security@claver.example"]))
    s.expect(
        FAILED, "CKV_TRUST_6", zone_alerting("ct_zone_off", False, ["security@claver.example"])
    )
    s.expect(FAILED, "CKV_TRUST_6", zone_alerting("ct_zone_silent", True, []))
    return s


def waf_scenario() -> Scenario:
    phase = "http_request_firewall_managed"
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_26", ruleset("waf_good", phase, [execute(MANAGED), execute(OWASP)]))
    s.expect(FAILED, "CKV_TRUST_26", ruleset("waf_no_owasp", phase, [execute(MANAGED)]))
    s.expect(
        FAILED,
        "CKV_TRUST_26",
        ruleset("waf_disabled", phase, [execute(MANAGED, enabled=False), execute(OWASP)]),
    )
    log_only = {"id": OWASP, "overrides": {"action": "log"}}
    s.expect(
        FAILED,
        "CKV_TRUST_26",
        ruleset(
            "waf_log_only", phase, [execute(MANAGED), execute(OWASP, action_parameters=log_only)]
        ),
    )
    return s


def rate_limit_scenario() -> Scenario:
    phase = "http_ratelimit"
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_27 CKV_TRUST_28", ruleset("rl_good", phase, [rate_limit(LOGIN)]))
    for name, rule in {
        "rl_disabled": rate_limit(LOGIN, enabled=False),
        "rl_log": rate_limit(LOGIN, action="log"),
        "rl_loose": rate_limit(LOGIN, requests_per_period=100),
        "rl_no_lockout": rate_limit(LOGIN, mitigation_timeout=0),
    }.items():
        s.expect(FAILED, "CKV_TRUST_27", ruleset(name, phase, [rate_limit(LOGIN), rule]))
    s.expect(FAILED, "CKV_TRUST_27 CKV_TRUST_28", ruleset("rl_empty", phase, []))
    s.expect(
        FAILED, "CKV_TRUST_28", ruleset("rl_not_auth", phase, [rate_limit('(http.host eq "x")')])
    )
    return s


def csp_scenario() -> Scenario:
    phase = "http_response_headers_transform"
    strict = "default-src 'self'; script-src 'self' https://js.stripe.com"
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_29", ruleset("csp_good", phase, [csp_rule(strict)]))
    s.expect(FAILED, "CKV_TRUST_29", ruleset("csp_no_script_src", phase, [csp_rule("img-src *")]))
    s.expect(
        FAILED, "CKV_TRUST_29", ruleset("csp_disabled", phase, [csp_rule(strict, enabled=False)])
    )
    return s


def edge_scenario() -> Scenario:
    s = Scenario()
    for part in (tls_scenario, hsts_scenario, ct_scenario, waf_scenario, rate_limit_scenario):
        s.merge(part())
    return s.merge(csp_scenario())
