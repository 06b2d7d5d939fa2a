"""A local stand-in for the public site: HTTPS on 127.0.0.1 with its own CA, chosen TLS versions
and response headers, an HTTP listener that redirects to it, and /.well-known/security.txt.

`trustctl audit --sandbox` audits one that keeps every promise; the tests start variants that
break one (TLS 1.0 accepted, a short HSTS, a script without SRI, an expired security.txt).
The CA's certificate is written to `directory/ca.pem` for the audit's --ca-bundle.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from trustctl.catalog import page_figures

CSP = ("default-src 'self'; script-src 'self' https://js.stripe.com; object-src 'none'; "
       "base-uri 'self'; frame-ancestors 'none'")
STRIPE = "https://js.stripe.com/v3/"
STRIPE_SRI = "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"
PAGE = f"""<!doctype html>
<html><head><title>Claver</title>
<script src="/app.js"></script>
<script src="{STRIPE}" integrity="{STRIPE_SRI}" crossorigin="anonymous"></script>
</head><body>Claver</body></html>
"""


def security_txt(contact: str, expires: dt.datetime) -> str:
    """An RFC 9116 security.txt naming `contact`."""
    return (f"Contact: mailto:{contact}\n"
            f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
            "Preferred-Languages: en\n"
            "Policy: https://claver.app/security\n")


@dataclass
class SiteConfig:
    """What the site serves; the defaults keep every promise of the security page."""

    contact: str = "security@claver.app"
    min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
    max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3
    headers: dict[str, str] = field(default_factory=lambda: {
        "Strict-Transport-Security": f"max-age={page_figures().hsts_max_age_seconds}; "
                                     "includeSubDomains; preload",
        "Content-Security-Policy": CSP,
    })
    page: str = PAGE
    security_txt: str | None = None  # None: a valid one naming `contact`, expiring in 300 days
    redirect_http: bool = True


class LocalSite:
    """HTTPS (and an HTTP redirector) on 127.0.0.1 until `stop()`."""

    def __init__(self, directory: Path, config: SiteConfig | None = None) -> None:
        self.config = config or SiteConfig()
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_bundle = directory / "ca.pem"
        cert, key = _certificates(directory, self.ca_bundle)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")  # so that old versions can be offered at all
        with warnings.catch_warnings():  # a test site may offer TLS 1.0 on purpose
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = self.config.min_version
            context.maximum_version = self.config.max_version
        context.load_cert_chain(cert, key)
        self._https = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._https.socket = context.wrap_socket(self._https.socket, server_side=True)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._redirector())
        self.url = f"https://127.0.0.1:{self._https.server_port}"
        self.http_port = self._http.server_port
        for server in (self._https, self._http):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        config = self.config
        txt = config.security_txt or security_txt(
            config.contact, dt.datetime.now(dt.UTC) + dt.timedelta(days=300))

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/security.txt":
                    body, kind = txt.encode(), "text/plain; charset=utf-8"
                elif self.path == "/":
                    body, kind = config.page.encode(), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in config.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def _redirector(self) -> type[BaseHTTPRequestHandler]:
        config, site = self.config, self

        class Redirect(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if config.redirect_http:
                    self.send_response(301)
                    self.send_header("Location", f"{site.url}{self.path}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Redirect

    def stop(self) -> None:
        for server in (self._https, self._http):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> LocalSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _certificates(directory: Path, ca_path: Path) -> tuple[Path, Path]:
    """A CA (written to ca_path) and a leaf for 127.0.0.1/localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trustctl sandbox CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path, key_path = directory / "site.pem", directory / "site.key"
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    return cert_path, key_path
