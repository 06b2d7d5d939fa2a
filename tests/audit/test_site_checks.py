"""Site checks against a local HTTPS server (its own CA made here) whose TLS versions, headers,
page and security.txt each test chooses: every check passes on the compliant site and fails
when one thing is wrong."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest

from tests.audit.conftest import check_by_id, messages
from trustctl.audit.site_reader import SiteReader
from trustctl.catalog import page_figures
from trustctl.report.results import Status
from trustctl.sandbox.site import CSP, PAGE, LocalSite, SiteConfig, security_txt

SITE_CHECKS = ["AUD_SITE_1", "AUD_SITE_2", "AUD_SITE_3", "AUD_SITE_4", "AUD_SITE_5",
               "AUD_SITE_6"]
CONTACT = "security@claver.app"


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(**changes):
        site = LocalSite(tmp_path / f"site{len(started)}", SiteConfig(**changes))
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


def run(site, check_id, ca_bundle="site"):
    bundle = site.ca_bundle if ca_bundle == "site" else ca_bundle
    reader = SiteReader(site.url, bundle, CONTACT, http_port=site.http_port)
    return check_by_id(check_id).run(reader)


@pytest.fixture(scope="module")
def compliant(tmp_path_factory):
    with LocalSite(tmp_path_factory.mktemp("site")) as site:
        yield site


@pytest.mark.parametrize("check_id", SITE_CHECKS)
def test_compliant_site_passes(compliant, check_id):
    outcome = run(compliant, check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_old_tls_accepted_and_13_missing_fails(serve):
    site = serve(min_version=ssl.TLSVersion.TLSv1, max_version=ssl.TLSVersion.TLSv1_2)
    assert messages(run(site, "AUD_SITE_1")) == [f"{site.url}: accepts TLSv1.0",
                                                 f"{site.url}: accepts TLSv1.1",
                                                 f"{site.url}: refuses TLSv1.3"]


def test_untrusted_chain_fails(compliant):
    outcome = run(compliant, "AUD_SITE_2", ca_bundle=None)  # the system CAs do not know ours
    assert outcome.status == Status.FAIL
    assert "certificate does not verify" in messages(outcome)[0]


def test_short_hsts_without_preload_and_no_redirect_fails(serve):
    site = serve(headers={"Strict-Transport-Security": "max-age=86400; includeSubDomains",
                          "Content-Security-Policy": CSP}, redirect_http=False)
    assert messages(run(site, "AUD_SITE_3")) == [
        f"{site.url}: max-age=86400 is below the promised "
        f"{page_figures().hsts_max_age_seconds} and the preload list's "
        "one year",
        f"{site.url}: preload is missing (required for preload)",
        "http://127.0.0.1/: does not redirect to https://127.0.0.1/ (Location: None)"]


def test_csp_with_unsafe_inline_fails(serve):
    site = serve(headers={"Content-Security-Policy": "script-src 'self' 'unsafe-inline'"})
    assert messages(run(site, "AUD_SITE_4")) == [f"{site.url}: scripts allow 'unsafe-inline'"]


def test_missing_csp_fails(serve):
    site = serve(headers={})
    assert messages(run(site, "AUD_SITE_4")) == [f"{site.url}: no Content-Security-Policy header"]


def test_third_party_script_without_sri_fails(serve):
    site = serve(page=PAGE + '<script src="https://cdn.example.net/widget.js"></script>')
    assert messages(run(site, "AUD_SITE_5")) == [
        "https://cdn.example.net/widget.js: third-party script without an integrity hash"]


def test_expired_security_txt_naming_someone_else_fails(serve):
    expired = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    site = serve(security_txt=security_txt("bugs@elsewhere.example", expired))
    found = messages(run(site, "AUD_SITE_6"))
    assert any(": expired: " in m for m in found)
    assert any(f"does not name {CONTACT}" in m for m in found)


def test_unreachable_site_is_error(serve):
    site = serve()
    site.stop()
    outcome = run(site, "AUD_SITE_1")
    assert outcome.status == Status.ERROR
    assert "unreachable" in outcome.unreadable[0]
