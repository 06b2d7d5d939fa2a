"""NO-PUBLIC-DB for Supabase: the dynamic provider applies the allowed CIDRs and SSL enforcement
through the Management API (a local server answering like it), and the plan declares them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from infra_queries import one

from trustctl.plan import Plan

REF = "abcdefghijklmnopqrst"
TOKEN = "sbp_test_token_not_a_secret"


class FakeManagementApi(ThreadingHTTPServer):
    """The project's two settings, served like api.supabase.com does (paths, shapes, codes)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.restrictions = {"dbAllowedCidrs": ["0.0.0.0/0"], "dbAllowedCidrsV6": ["::/0"]}
        self.ssl = False
        self.calls: list[tuple[str, str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeManagementApi

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.calls.append((self.command, self.path, body))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"message": "Unauthorized"})
            return
        base = f"/v1/projects/{REF}"
        state = self.server
        if (self.command, self.path) == ("GET", f"{base}/network-restrictions"):
            self._reply(200, {"entitlement": "allowed", "config": state.restrictions,
                              "status": "applied"})
        elif (self.command, self.path) == ("POST", f"{base}/network-restrictions/apply"):
            old, state.restrictions = state.restrictions, body
            self._reply(201, {"entitlement": "allowed", "config": body, "old_config": old,
                              "status": "stored"})
        elif (self.command, self.path) == ("GET", f"{base}/ssl-enforcement"):
            self._reply(200, {"currentConfig": {"database": state.ssl},
                              "appliedSuccessfully": True})
        elif (self.command, self.path) == ("PUT", f"{base}/ssl-enforcement"):
            state.ssl = body["requestedConfig"]["database"]
            self._reply(200, {"currentConfig": {"database": state.ssl},
                              "appliedSuccessfully": True})
        else:
            self._reply(404, {"message": "Not Found"})

    do_GET = do_POST = do_PUT = _handle


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> Iterator[FakeManagementApi]:
    monkeypatch.syspath_prepend(str(repo_root / "infra"))
    server = FakeManagementApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SUPABASE_API_URL", server.url)
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", TOKEN)
    yield server
    server.shutdown()
    server.server_close()


def _provider() -> Any:
    from components.supabase_project import SupabaseSettingsProvider
    return SupabaseSettingsProvider()


PROPS = {"project_ref": REF, "allowed_cidrs": ["10.40.0.0/16", "2600:1f18::/40"],
         "ssl_enforced": True}


def test_create_closes_the_database_to_all_but_the_allowed_networks(api: FakeManagementApi
                                                                    ) -> None:
    created = _provider().create(dict(PROPS))
    assert created.id == REF
    assert api.restrictions == {"dbAllowedCidrs": ["10.40.0.0/16"],
                                "dbAllowedCidrsV6": ["2600:1f18::/40"]}
    assert api.ssl is True
    assert created.outs == {"project_ref": REF, "ssl_enforced": True,
                            "allowed_cidrs": ["10.40.0.0/16", "2600:1f18::/40"]}
    assert ("PUT", f"/v1/projects/{REF}/ssl-enforcement",
            {"requestedConfig": {"database": True}}) in api.calls


def test_diff_sees_a_changed_range_and_ignores_order(api: FakeManagementApi) -> None:
    provider = _provider()
    same = provider.diff(REF, dict(PROPS), {**PROPS, "allowed_cidrs": PROPS["allowed_cidrs"][::-1]})
    assert same.changes is False
    wider = provider.diff(REF, dict(PROPS), {**PROPS, "allowed_cidrs": ["10.0.0.0/8"]})
    assert wider.changes is True and wider.replaces == []
    moved = provider.diff(REF, dict(PROPS), {**PROPS, "project_ref": "zyxwvutsrqponmlkjihg"})
    assert moved.replaces == ["project_ref"]
    ssl = provider.diff(REF, dict(PROPS), {**PROPS, "ssl_enforced": False})
    assert ssl.changes is True


def test_update_applies_the_new_ranges_and_read_reports_drift(api: FakeManagementApi) -> None:
    provider = _provider()
    provider.create(dict(PROPS))
    updated = provider.update(REF, dict(PROPS), {**PROPS, "allowed_cidrs": ["10.50.0.0/16"]})
    assert api.restrictions == {"dbAllowedCidrs": ["10.50.0.0/16"], "dbAllowedCidrsV6": []}
    assert updated.outs["allowed_cidrs"] == ["10.50.0.0/16"]
    api.restrictions = {"dbAllowedCidrs": ["0.0.0.0/0"], "dbAllowedCidrsV6": []}  # a console edit
    api.ssl = False
    read = provider.read(REF, {})
    assert read.outs == {"project_ref": REF, "allowed_cidrs": ["0.0.0.0/0"],
                         "ssl_enforced": False}


def test_delete_leaves_the_restrictions_in_place(api: FakeManagementApi) -> None:
    provider = _provider()
    provider.create(dict(PROPS))
    calls = len(api.calls)
    provider.delete(REF, dict(PROPS))
    assert len(api.calls) == calls
    assert api.restrictions["dbAllowedCidrs"] == ["10.40.0.0/16"]


def test_refused_token_is_one_clear_error_without_the_token(api: FakeManagementApi,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    from components.supabase_project import SupabaseApiError
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", "sbp_wrong")
    with pytest.raises(SupabaseApiError) as raised:
        _provider().create(dict(PROPS))
    assert str(raised.value) == (
        f"POST /v1/projects/{REF}/network-restrictions/apply: HTTP 401 Unauthorized")
    monkeypatch.delenv("SUPABASE_ACCESS_TOKEN")
    with pytest.raises(SupabaseApiError, match="set SUPABASE_ACCESS_TOKEN"):
        _provider().create(dict(PROPS))


def test_plan_declares_the_supabase_settings_from_stack_config(prod_plan: Plan) -> None:
    settings = one(prod_plan, "pulumi-python:dynamic/supabase:ProjectSettings",
                   "supabase-settings").inputs
    assert settings["project_ref"] == REF
    assert settings["allowed_cidrs"] == ["203.0.113.0/28"]
    assert settings["ssl_enforced"] is True
    # the access token is read when an operation runs, never an input kept in the state
    assert set(settings) == {"project_ref", "allowed_cidrs", "ssl_enforced", "__provider"}
