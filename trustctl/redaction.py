"""The last line of defence for secrets: every byte trustctl shows or writes passes `redact`.

Two kinds of rule: shapes that hold a password whatever the program (URI userinfo of any
scheme, `password=`/`pwd=` pairs), and the exact secret values this process was given
(`remember`: DSN passwords, secret environment variables, Pulumi `secure:` values), so that a
library message quoting its input cannot leak them either. `redacting_output()` puts stdout
and stderr behind `redact`; `write_file()` does the same for files (mode 0640).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, quote_plus

REDACTED = "***"
# Shorter values are not replaced: hiding every "ab" would mangle all output and hide nothing.
MIN_SECRET_LENGTH = 4
FILE_MODE = 0o640
# Environment variables whose values are secrets wherever they show up.
SECRET_ENVIRONMENT = (
    "PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN",
)

# scheme://user:password@host -- any scheme; up to the last '@' of the token, so a password
# with an unencoded '@' or '/' is hidden whole.
_URI_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^\s:/?#@\"'<>]*:)([^\s\"'<>]*)(@)",
                           re.IGNORECASE)
# password=secret, pwd = 'se cret', "password": "x", ?password=x&... (query or key/value)
_PASSWORD_PAIR = re.compile(
    r"""(\b(?:password|passwd|pwd)["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s&;,"'}]+)""",
    re.IGNORECASE)

_known: set[str] = set()
_lock = threading.Lock()


def remember(value: str | None) -> None:
    """Redact this exact secret (and its percent-encoded spellings) from now on."""
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        _known.update(form for form in (value, quote(value, safe=""), quote_plus(value),
                                        json.dumps(value)[1:-1])  # as a JSON string holds it
                      if len(form) >= MIN_SECRET_LENGTH)


def remember_environment(environ: os._Environ | dict[str, str] = os.environ) -> None:
    """The secrets this process holds in its environment (AWS, Cloudflare, Pulumi, libpq)."""
    for name in SECRET_ENVIRONMENT:
        remember(environ.get(name))


def redact(text: str) -> str:
    """`text` with every password shape and every remembered secret replaced by '***'."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: no half-hidden secret
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _URI_USERINFO.sub(rf"\g<1>{REDACTED}\g<3>", text)
    return _PASSWORD_PAIR.sub(_hide_value, text)


def _hide_value(match: re.Match[str]) -> str:
    """Keeps the quotes around a hidden value, so JSON and key=value text stay well formed."""
    value = match.group(2)
    quote_char = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group(1)}{quote_char}{REDACTED}{quote_char}"


def write_file(path: Path, text: str) -> None:
    """Writes `text`, redacted, to a file only its owner and group can read (0640): records,
    reports, plans. A device (/dev/stdout) is written to as it is."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, FILE_MODE)  # an existing file would keep its old mode otherwise
    with os.fdopen(fd, "w") as out:
        out.write(redact(text))


class RedactingStream(io.TextIOBase):
    """A text stream that redacts whole lines before passing them on.

    Text is held until a line ends ('\\n' or a progress bar's '\\r') or `flush()`, so a secret
    split over two writes is still seen whole. No `buffer` attribute: nothing can go around it.
    """

    def __init__(self, target: TextIO, redactor: Callable[[str], str] = redact) -> None:
        self._target = target
        self._redact = redactor
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._pending += text
        end = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
        if end >= 0:
            done, self._pending = self._pending[:end + 1], self._pending[end + 1:]
            self._target.write(self._redact(done))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._target.write(self._redact(self._pending))
            self._pending = ""
        self._target.flush()


@contextlib.contextmanager
def redacting_output() -> Iterator[None]:
    """stdout and stderr pass through `redact` until the block ends (the CLI, the daemon)."""
    originals = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
        sys.stdout, sys.stderr = originals
