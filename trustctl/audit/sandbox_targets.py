"""What `trustctl audit --sandbox` audits: the sandbox's moto account and database (started if
needed) and a local HTTPS site that keeps the page's promises, for as long as the audit runs."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trustctl.audit.expectations import Expectations
from trustctl.sandbox import SandboxInfo, ensure_up
from trustctl.sandbox.account import ON_CALL_PRINCIPALS
from trustctl.sandbox.site import LocalSite, SiteConfig


@dataclass(frozen=True)
class SandboxTargets:
    info: SandboxInfo
    site_url: str
    site_http_port: int
    ca_bundle: Path
    on_call_principals: tuple[str, ...] = ON_CALL_PRINCIPALS

    @classmethod
    @contextlib.contextmanager
    def start(cls, expected: Expectations) -> Iterator[SandboxTargets]:
        info = ensure_up()
        with tempfile.TemporaryDirectory(prefix="trustctl-site-") as directory:
            config = SiteConfig(contact=expected.security_contact or SiteConfig.contact)
            with LocalSite(Path(directory), config) as site:
                yield cls(info, site.url, site.http_port, site.ca_bundle)
