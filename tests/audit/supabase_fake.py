"""A local HTTP server answering like the Supabase Management API (Bearer auth, JSON) for one
project, from a state the test can change."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.audit.json_server import serve_json

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
        self._server = serve_json(self._route)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _route(self, path: str, headers: Any) -> tuple[int, Any]:
        prefix = f"/v1/projects/{PROJECT}"
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Unauthorized"}
        if path.startswith(prefix) and path[len(prefix):] in self.project:
            return 200, self.project[path[len(prefix):]]
        return 404, {"message": "Not found"}

    def __enter__(self) -> FakeSupabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
