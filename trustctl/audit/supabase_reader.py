"""The Supabase project's facts through its Management API (https://api.supabase.com/v1):
network restrictions, SSL enforcement, auth configuration, backups. The token comes from
SUPABASE_ACCESS_TOKEN only and never leaves this object. httpx (BSD-3-Clause) is the client,
as no official Python SDK covers the Management API."""

from __future__ import annotations

from typing import Any

import httpx

from trustctl import redaction
from trustctl.audit.expectations import Expectations
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo

DEFAULT_BASE_URL = "https://api.supabase.com"


class SupabaseReader:
    def __init__(self, token: str, project: str, base_url: str | None,
                 expected: Expectations) -> None:
        redaction.remember(token)
        self.project = project
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.expected = expected
        self._client = httpx.Client(base_url=self.base_url, timeout=30,
                                    headers={"Authorization": f"Bearer {token}"},
                                    transport=httpx.HTTPTransport(retries=2))
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"project": self.project, "base_url": self.base_url}

    def get(self, what: str, path: str) -> Any:
        """GET /v1/projects/<ref><path>, once per run."""
        def read() -> Any:
            try:
                response = self._client.get(f"/v1/projects/{self.project}{path}")
            except httpx.HTTPError as exc:
                raise CouldNotRead(f"Supabase {what}: {type(exc).__name__}") from None
            if response.status_code != 200:
                raise CouldNotRead(f"Supabase {what}: HTTP {response.status_code}")
            return response.json()
        return self._memo.get(path, read)

    def close(self) -> None:
        self._client.close()
