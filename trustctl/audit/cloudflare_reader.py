"""The Cloudflare zone's facts, through the official `cloudflare` SDK, each read once per run.

The token comes from the environment only (CLOUDFLARE_API_TOKEN) and never leaves this object:
not in the record, not in a message. The base URL can point at a local server (tests). An API
refusal (401/403), rate limiting beyond the SDK's retries or an unreachable API raises
CouldNotRead naming what could not be read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustctl import redaction
from trustctl.audit.expectations import Expectations
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo


class CloudflareReader:
    def __init__(self, token: str, zone_id: str, base_url: str | None,
                 expected: Expectations) -> None:
        import cloudflare

        redaction.remember(token)
        self.zone_id = zone_id
        self.base_url = base_url
        self.expected = expected
        self._client = cloudflare.Cloudflare(api_token=token, base_url=base_url, max_retries=4,
                                             timeout=30)
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"zone_id": self.zone_id, "base_url": self.base_url or "api.cloudflare.com"}

    def _read(self, what: str, call: Callable[[], Any]) -> Any:
        import cloudflare

        try:
            return call()
        except cloudflare.APIStatusError as exc:
            raise CouldNotRead(f"Cloudflare {what}: HTTP {exc.status_code}") from None
        except cloudflare.APIConnectionError:
            raise CouldNotRead(f"Cloudflare {what}: API unreachable") from None
        except cloudflare.APIError as exc:
            raise CouldNotRead(f"Cloudflare {what}: {type(exc).__name__}") from None

    def settings(self) -> dict[str, Any]:
        """Every zone setting, id -> value."""
        def read() -> dict[str, Any]:
            body = self._read("zone settings", lambda: self._client.get(
                f"/zones/{self.zone_id}/settings", cast_to=object))
            return {s["id"]: s.get("value") for s in (body or {}).get("result") or []}
        return self._memo.get("settings", read)

    def ct_alerting(self) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            found = self._read("CT alerting", lambda: self._client.zones.ct.alerting.get(
                zone_id=self.zone_id))
            return None if found is None else found.to_dict()
        return self._memo.get("ct", read)

    def phase_rules(self, phase: str) -> list[dict[str, Any]] | None:
        """The rules of the zone's own ruleset for `phase` (its entrypoint), None if none."""
        def read() -> dict[str, list[dict[str, Any]]]:
            listed = self._read("rulesets", lambda: list(self._client.rulesets.list(
                zone_id=self.zone_id)))
            out = {}
            for ruleset in listed:
                if ruleset.kind != "zone":
                    continue
                full = self._read(f"ruleset {ruleset.id}", lambda r=ruleset: (
                    self._client.rulesets.get(r.id, zone_id=self.zone_id)))
                out[ruleset.phase] = [rule.to_dict() for rule in full.rules or []]
            return out
        return self._memo.get("rulesets", read).get(phase)
