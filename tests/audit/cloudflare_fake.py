"""A local HTTP server answering like the Cloudflare API v4 (the envelope, Bearer auth, the
zone settings, CT alerting and rulesets endpoints), from a zone the test can change, or from
files of real API responses (../shared/realworld/cloudflare/responses), read in place."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from tests.audit.json_server import serve_json

ZONE = "fedcba9876543210fedcba9876543210"  # Pulumi.prod.yaml cloudflareZoneId
TOKEN = "cf-test-token-b7a9c3d1e5f20468"
CSP = ("default-src 'self'; script-src 'self' https://js.stripe.com; object-src 'none'; "
       "frame-ancestors 'none'")
AUTH_PATHS = ("/login", "/signup", "/password/reset", "/oauth/token", "/api/auth/")


def compliant_zone() -> dict[str, Any]:
    """What infra/components/edge.py declares, as the API returns it."""
    auth = " or ".join(f'starts_with(http.request.uri.path, "{p}")' for p in AUTH_PATHS)
    return {
        "settings": {
            "min_tls_version": "1.2", "tls_1_3": "on", "always_use_https": "on", "ssl": "strict",
            "security_header": {"strict_transport_security": {
                "enabled": True, "max_age": 63072000, "include_subdomains": True,
                "preload": True, "nosniff": True}},
        },
        "ct_alerting": {"enabled": True, "emails": ["security@claver.app"]},
        "rulesets": {
            "0a1b": {"phase": "http_request_firewall_managed", "rules": [
                {"id": f"r{i}", "action": "execute", "expression": "true", "enabled": True,
                 "action_parameters": {"id": ruleset}}
                for i, ruleset in enumerate(("efb7b8c949ac4650a09736fc376e9aee",
                                             "4814384a9e5d4991b9815dcfc25d2f1f"))]},
            "2c3d": {"phase": "http_ratelimit", "rules": [
                {"id": "rl", "action": "block", "expression": f"({auth})", "enabled": True,
                 "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60,
                               "requests_per_period": 10, "mitigation_timeout": 600}}]},
            "4e5f": {"phase": "http_response_headers_transform", "rules": [
                {"id": "csp", "action": "rewrite", "expression": "true", "enabled": True,
                 "action_parameters": {"headers": {"Content-Security-Policy": {
                     "operation": "set", "value": CSP}}}}]},
        },
    }


class FakeCloudflare:
    """Serves `zone` (mutable: tests break it) or, with `files`, real recorded responses."""

    def __init__(self, zone: dict[str, Any] | None = None,
                 files: dict[str, Path] | None = None) -> None:
        self.zone = copy.deepcopy(zone if zone is not None else compliant_zone())
        self.files = files or {}
        self.status_override: int | None = None
        self.requests: list[str] = []
        self._server = serve_json(self._route)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/client/v4"

    def _route(self, raw_path: str, headers: Any) -> tuple[int, Any]:
        self.requests.append(raw_path)
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 403, _envelope(None, [{"code": 9109, "message": "Invalid access token"}])
        if self.status_override:
            return self.status_override, _envelope(None, [{
                "code": 10000, "message": "Authentication error"}])
        body = self.answer(re.sub(r"^/client/v4", "", raw_path.split("?")[0]))
        if body is None:
            return 404, _envelope(None, [{"code": 7003, "message": "No route"}])
        return 200, body

    def answer(self, path: str) -> dict[str, Any] | None:
        if path in self.files:
            return json.loads(self.files[path].read_text())
        prefix = f"/zones/{ZONE}"
        if not path.startswith(prefix) or self.files:
            return None
        rest, zone = path[len(prefix):], self.zone
        if rest == "/settings":
            return _envelope([{"id": k, "value": v, "editable": True}
                              for k, v in zone["settings"].items()])
        if rest == "/ct/alerting":
            return _envelope(zone["ct_alerting"])
        if rest == "/rulesets":
            return _envelope([{"id": i, "name": "default", "kind": "zone", "version": "1",
                               "phase": r["phase"], "last_updated": "2026-11-01T00:00:00Z"}
                              for i, r in zone["rulesets"].items()])
        match = re.fullmatch(r"/rulesets/(\w+)", rest)
        if match and match.group(1) in zone["rulesets"]:
            ruleset = zone["rulesets"][match.group(1)]
            return _envelope({"id": match.group(1), "name": "default", "kind": "zone",
                              "version": "1", "phase": ruleset["phase"],
                              "last_updated": "2026-11-01T00:00:00Z", "rules": [
                                  {"version": "1", "last_updated": "2026-11-01T00:00:00Z", **r}
                                  for r in ruleset["rules"]]})
        return None

    def __enter__(self) -> FakeCloudflare:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _envelope(result: Any, errors: list | None = None) -> dict[str, Any]:
    return {"result": result, "success": not errors, "errors": errors or [], "messages": []}
