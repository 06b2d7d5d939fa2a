"""Restoring a backup into the scratch database, streaming when it can, in parallel when asked.

- custom archive, one job: the authenticated plaintext streams straight into
  `pg_restore --exit-on-error` (nothing on disk, one read of the object);
- custom archive with --jobs N, or a directory-tar archive: `pg_restore -j` needs a file or a
  directory, so the plaintext is first written to the scratch workspace (disk for the whole
  uncompressed dump, plaintext on the drill host until teardown removes it), then restored.
- with extensions to skip (the scratch server lacks them, and the drill was told to go on
  without them): as with --jobs, from a file, restoring the archive's table of contents without
  their CREATE EXTENSION entries (`pg_restore -L`).
pg_restore always stops at the first error.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from trustctl.archive.formats import dump_format
from trustctl.drill.record import StepError, StepFailed
from trustctl.drill.scratch import Scratch
from trustctl.pg.server import pg_tool
from trustctl.pg.tools import ToolProcess


def restore_archive(plaintext: Iterable[bytes], format_name: str, scratch: Scratch, jobs: int,
                    on_started: Callable[[], None], skip_extensions: tuple[str, ...] = ()) -> None:
    """Restores the archive; StepError if the scratch server died, StepFailed otherwise."""
    archive_format = dump_format(format_name)
    if archive_format.restores_from_stream(jobs) and not skip_extensions:
        tool = ToolProcess("pg_restore", ["--exit-on-error"], scratch.dsn, stdin=subprocess.PIPE)

        def stream() -> None:
            on_started()
            tool.feed(plaintext)

        _run(tool, scratch, stream)
        return
    local = archive_format.unpack(plaintext, scratch.workspace())
    selection = _without_extensions(local, skip_extensions) if skip_extensions else []
    tool = ToolProcess("pg_restore", ["--exit-on-error", f"-j{max(jobs, 1)}", *selection,
                                      str(local)], scratch.dsn, stdin=subprocess.DEVNULL)
    _run(tool, scratch, on_started)


def toc_without_extensions(listing: str, names: tuple[str, ...]) -> str:
    """A `pg_restore -l` listing with the extensions' entries (and their comments) left out."""
    entry = re.compile(r"^\d+; \d+ \d+ (EXTENSION - |COMMENT - EXTENSION )(?P<name>\S+)")
    kept = [line for line in listing.splitlines()
            if not ((match := entry.match(line)) and match["name"] in names)]
    return "\n".join(kept) + "\n"


def _without_extensions(archive: Path, names: tuple[str, ...]) -> list[str]:
    listing = subprocess.run([str(pg_tool("pg_restore")), "-l", str(archive)],
                             capture_output=True, check=False)
    if listing.returncode != 0:
        raise StepFailed(f"pg_restore cannot list the archive: "
                         f"{listing.stderr.decode(errors='replace').strip()[:200]}")
    path = archive.parent / "restore.list"
    path.write_text(toc_without_extensions(listing.stdout.decode(), names))
    return ["-L", str(path)]


def _run(tool: ToolProcess, scratch: Scratch, body: Callable[[], None]) -> None:
    try:
        body()
        code = tool.wait()
    finally:
        tool.kill()
    if code != 0:
        if not scratch.is_alive():
            raise StepError(f"the scratch server stopped during the restore ({tool.reason()})")
        raise StepFailed(f"pg_restore failed: {tool.reason()}")
