"""Headless Chromium (Debian's `chromium` package) for what people look at: the HTML report.

Each run gets a fresh profile directory and no network chatter (no component updates, no
sync, no background networking), so it works offline, in CI and as root (--no-sandbox).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from trustctl.errors import DependencyError

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars")
TIMEOUT_SECONDS = 120


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise DependencyError("chromium not found: install Debian's package (apt-get install -y "
                          "chromium); scripts/bootstrap does it")


def run_chromium(*args: str) -> str:
    """Run headless Chromium with a throw-away profile; its stdout (e.g. --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="trustctl-chromium-") as profile:
        try:
            done = subprocess.run(
                [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise DependencyError(f"chromium did not finish within {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise DependencyError(f"chromium exited {done.returncode}: {last}")
    return done.stdout


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2600) -> Path:
    """The top of the page as people see it on a wide screen: summary, gaps, controls."""
    run_chromium(f"--window-size={width},{height}", f"--screenshot={png.resolve()}",
                 html.resolve().as_uri())
    if not png.is_file() or png.stat().st_size == 0:
        raise DependencyError(f"chromium wrote no screenshot to {png}")
    return png


def print_pdf(html: Path, pdf: Path) -> Path:
    """What the auditor's printer gets (Chromium's default paper, with the print CSS)."""
    run_chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf.resolve()}",
                 html.resolve().as_uri())
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise DependencyError(f"chromium wrote no PDF to {pdf}")
    return pdf
