"""Restoring a backup into the scratch database, streaming when it can, in parallel when asked.

- custom archive, one job: the authenticated plaintext streams straight into
  `pg_restore --exit-on-error` (nothing on disk, one read of the object);
- custom archive with --jobs N, or a directory-tar archive: `pg_restore -j` needs a file or a
  directory, so the plaintext is first written to the scratch workspace (disk for the whole
  uncompressed dump, plaintext on the drill host until teardown removes it), then restored.
pg_restore always stops at the first error.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable

from trustctl.archive.formats import dump_format
from trustctl.drill.record import StepError, StepFailed
from trustctl.drill.scratch import Scratch
from trustctl.pg.tools import ToolProcess


def restore_archive(plaintext: Iterable[bytes], format_name: str, scratch: Scratch, jobs: int,
                    on_started: Callable[[], None]) -> None:
    """Restores the archive; StepError if the scratch server died, StepFailed otherwise."""
    archive_format = dump_format(format_name)
    if archive_format.restores_from_stream(jobs):
        tool = ToolProcess("pg_restore", ["--exit-on-error"], scratch.dsn, stdin=subprocess.PIPE)

        def stream() -> None:
            on_started()
            tool.feed(plaintext)

        _run(tool, scratch, stream)
        return
    local = archive_format.unpack(plaintext, scratch.workspace())
    tool = ToolProcess("pg_restore", ["--exit-on-error", f"-j{max(jobs, 1)}", str(local)],
                       scratch.dsn, stdin=subprocess.DEVNULL)
    _run(tool, scratch, on_started)


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
