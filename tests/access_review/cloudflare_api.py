"""A local HTTP server answering like Cloudflare's API v4 for account members and API tokens.

Responses have the API's envelope (success, errors, messages, result, result_info) and page
the way the SDK pages (`page`, `per_page`; an empty page ends the list). Requests without the
expected bearer token get 401, and paths listed in `denied` get 403, as the API answers.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCOUNT = "0123456789abcdef0123456789abcdef"
ZONE = "fedcba9876543210fedcba9876543210"  # a zone of ACCOUNT (GET /zones/ZONE names it)
TOKEN = "cf-test-token-9f8e7d6c5b4a"


@dataclass
class CloudflareApi:
    """What the server holds; change it between requests freely."""

    members: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    denied: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def routes(self) -> dict[str, list[dict[str, Any]]]:
        return {f"/client/v4/accounts/{ACCOUNT}/members": self.members,
                f"/client/v4/accounts/{ACCOUNT}/tokens": self.tokens}

    def objects(self) -> dict[str, dict[str, Any]]:
        """Paths answered with one object, not a paged list."""
        return {f"/client/v4/zones/{ZONE}": {
            "id": ZONE, "name": "claver.app", "status": "active", "paused": False,
            "type": "full", "development_mode": 0, "name_servers": [],
            "original_name_servers": [], "original_registrar": None, "original_dnshost": None,
            "created_on": "2024-01-01T00:00:00Z", "modified_on": "2026-01-01T00:00:00Z",
            "activated_on": "2024-01-01T00:00:00Z", "meta": {}, "owner": {},
            "permissions": [], "account": {"id": ACCOUNT, "name": "Claver"}}}


def member(email: str, *roles: str, two_factor: bool = True, status: str = "accepted",
           policies: tuple[tuple[str, str], ...] = ()) -> dict:
    """A member with legacy `roles`, and `policies` as (access, permission group name)."""
    return {"id": f"m-{email}", "status": status,
            "user": {"id": f"u-{email}", "email": email, "first_name": email.split("@")[0],
                     "last_name": None, "two_factor_authentication_enabled": two_factor},
            "roles": [{"id": f"r-{r}", "name": r, "description": r, "permissions": {}}
                      for r in roles],
            "policies": [{"id": f"p-{n}", "access": access,
                          "permission_groups": [{"id": f"g-{name}", "name": name}],
                          "resource_groups": []} for n, (access, name) in enumerate(policies)]}


def token(name: str, *permission_groups: str, expires_on: str | None = None,
          status: str = "active", last_used_on: str | None = None) -> dict:
    return {"id": f"t-{name}", "name": name, "status": status, "expires_on": expires_on,
            "issued_on": "2026-01-05T10:00:00Z", "last_used_on": last_used_on,
            "modified_on": "2026-01-05T10:00:00Z",
            "policies": [{"id": f"p-{name}", "effect": "allow",
                          "permission_groups": [{"id": f"g-{g}", "name": g}
                                                for g in permission_groups],
                          "resources": {f"com.cloudflare.api.account.{ACCOUNT}": "*"}}]}


def serve(api: CloudflareApi) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            api.requests.append(url.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, _envelope(None, [{"code": 10000,
                                                         "message": "Authentication error"}]))
            if url.path in api.denied:
                return self._send(403, _envelope(None, [{
                    "code": 9109, "message": "Unauthorized to access requested resource"}]))
            if url.path in api.objects():
                return self._send(200, _envelope(api.objects()[url.path], []))
            items = api.routes().get(url.path)
            if items is None:
                return self._send(404, _envelope(None, [{"code": 7003,
                                                         "message": "Could not route"}]))
            query = parse_qs(url.query)
            page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["2"])[0])
            chunk = items[(page - 1) * per_page: page * per_page]
            return self._send(200, {**_envelope(chunk, []), "result_info": {
                "page": page, "per_page": per_page, "count": len(chunk),
                "total_count": len(items), "total_pages": -(-len(items) // per_page)}})

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/client/v4"
    return server


def _envelope(result: Any, errors: list[dict]) -> dict:
    return {"success": not errors, "errors": errors, "messages": [], "result": result}
