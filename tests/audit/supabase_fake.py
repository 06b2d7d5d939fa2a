"""A local HTTP server answering like the Supabase Management API (Bearer auth, JSON) for one
project, from a state the test can change."""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROJECT = "abcdefghijklmnopqrst"
TOKEN = "sbp_test_0123456789abcdef0123456789abcdef"


def compliant_project() -> dict[str, Any]:
    yesterday = (datetime.now(UTC) - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "/network-restrictions": {"entitlement": "allowed", "status": "applied", "config": {
            "dbAllowedCidrs": ["10.40.0.0/16"], "dbAllowedCidrsV6": ["2001:db8::/48"]}},
        "/ssl-enforcement": {"currentConfig": {"database": True}, "appliedSuccessfully": True},
        "/config/auth": {"rate_limit_verify": 10, "rate_limit_token_refresh": 150,
                         "rate_limit_otp": 30, "mfa_totp_enroll_enabled": True,
                         "mfa_totp_verify_enabled": True, "site_url": "https://claver.app"},
        "/database/backups": {"region": "us-east-1", "pitr_enabled": False,
                              "walg_enabled": True, "backups": [
                                  {"is_physical_backup": True, "status": "COMPLETED",
                                   "inserted_at": yesterday}]},
    }


class FakeSupabase:
    def __init__(self) -> None:
        self.project = copy.deepcopy(compliant_project())
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                prefix = f"/v1/projects/{PROJECT}"
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    status, body = 401, {"message": "Unauthorized"}
                elif self.path.startswith(prefix) and self.path[len(prefix):] in fake.project:
                    status, body = 200, fake.project[self.path[len(prefix):]]
                else:
                    status, body = 404, {"message": "Not found"}
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def __enter__(self) -> FakeSupabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
