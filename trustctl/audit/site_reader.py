"""The public site's facts: which TLS versions it accepts, its certificate chain, the headers
and scripts of its home page, the HTTP->HTTPS redirect and /.well-known/security.txt.

TLS versions are probed with Python's ssl module (OpenSSL) one version at a time; a kept scanner
(sslyze) was weighed and left out for its AGPL-3.0 licence and its weight. security.txt is
validated with `sectxt` (EUPL-1.2, the Dutch DTC's RFC 9116 validator, also used by
internet.nl). Anything that cannot be reached raises CouldNotRead; a certificate that does not
verify is a fact (the chain check fails on it), not an unreadable.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo
from trustctl.errors import InputError

TIMEOUT = 10
VERSIONS = {"TLSv1.0": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
            "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class SiteReader:
    def __init__(self, url: str, ca_bundle: Path | None, contact: str | None,
                 http_port: int = 80) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise InputError(f"--site {url}: not an https:// URL")
        self.url = f"https://{parts.netloc}"
        self.host = parts.hostname
        self.port = parts.port or 443
        self.ca_bundle = ca_bundle
        self.contact = contact
        self.http_port = http_port
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"url": self.url, "ca_bundle": str(self.ca_bundle) if self.ca_bundle else None,
                "expected_contact": self.contact}

    def verifying_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_bundle) if self.ca_bundle else None)

    def accepted_versions(self) -> dict[str, bool]:
        """For each TLS version, whether the server completes a handshake at it alone."""
        def read() -> dict[str, bool]:
            return {name: self._handshakes(version) for name, version in VERSIONS.items()}
        return self._memo.get("versions", read)

    def _handshakes(self, version: ssl.TLSVersion) -> bool:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # chain: own check
        context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer what we test for
        try:
            with warnings.catch_warnings():  # offering TLS 1.0/1.1 is the point of the probe
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = context.maximum_version = version
        except (ValueError, ssl.SSLError):
            raise CouldNotRead(f"this host's OpenSSL cannot offer {version.name} to test "
                               "whether the site refuses it") from None
        try:
            with (socket.create_connection((self.host, self.port), timeout=TIMEOUT) as raw,
                  context.wrap_socket(raw, server_hostname=self.host)):
                return True
        except ssl.SSLError:
            return False
        except OSError as exc:
            raise CouldNotRead(f"{self.url}: unreachable ({exc.strerror or exc})") from None

    def chain_problem(self) -> str | None:
        """Why the certificate chain does not verify for the host, or None when it does."""
        def read() -> str | None:
            try:
                with (socket.create_connection((self.host, self.port), timeout=TIMEOUT) as raw,
                      self.verifying_context().wrap_socket(raw, server_hostname=self.host)):
                    return None
            except ssl.SSLCertVerificationError as exc:
                return exc.verify_message or str(exc)
            except OSError as exc:
                raise CouldNotRead(f"{self.url}: unreachable ({exc})") from None
        return self._memo.get("chain", read)

    def get(self, path: str) -> Response:
        """GET over HTTPS with the chain verified (no redirects followed)."""
        def read() -> Response:
            connection = http.client.HTTPSConnection(self.host, self.port, timeout=TIMEOUT,
                                                     context=self.verifying_context())
            try:
                connection.request("GET", path, headers={"User-Agent": "trustctl-audit"})
                response = connection.getresponse()
                return Response(response.status, {k.lower(): v for k, v in response.getheaders()},
                                response.read(2 << 20))
            except (OSError, http.client.HTTPException) as exc:
                raise CouldNotRead(f"GET {self.url}{path}: {exc}") from None
            finally:
                connection.close()
        return self._memo.get(("get", path), read)

    def http_redirect(self) -> str | None:
        """Where plain HTTP on the host redirects to (None: no redirect)."""
        def read() -> str | None:
            connection = http.client.HTTPConnection(self.host, self.http_port, timeout=TIMEOUT)
            try:
                connection.request("GET", "/")
                response = connection.getresponse()
                location = response.getheader("Location")
                return location if 300 <= response.status < 400 else None
            except (OSError, http.client.HTTPException) as exc:
                raise CouldNotRead(f"GET http://{self.host}:{self.http_port}/: {exc}") from None
            finally:
                connection.close()
        return self._memo.get("redirect", read)

    def scripts(self) -> list[dict[str, str | None]]:
        """Every <script src> of the home page: absolute src and integrity attribute."""
        page = self.get("/")
        collector = _Scripts()
        collector.feed(page.body.decode("utf-8", errors="replace"))
        return [{"src": urljoin(self.url + "/", src), "integrity": integrity}
                for src, integrity in collector.found]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.found.append((attributes["src"], attributes.get("integrity")))
