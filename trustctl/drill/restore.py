"""Restoring a backup into the scratch database, streaming when it can, in parallel when asked,
with the tables verified while the indexes and constraints are built.

- custom archive, one job: the authenticated plaintext streams straight into
  `pg_restore --exit-on-error` (no row on disk, one read of the object);
- custom archive with --jobs N, or a directory archive: `pg_restore -j` needs a file or a
  directory, so the plaintext is first written to the scratch workspace (disk for the whole
  uncompressed dump, plaintext on the drill host until teardown removes it), then restored.
- with extensions to skip (the scratch server lacks them, and the drill was told to go on
  without them): as with --jobs, from a file, restoring the archive's table of contents without
  their CREATE EXTENSION entries (`pg_restore -L`).

Either way the restore runs in two parts, pg_restore's own sections: first the schema and the
rows (`--section=pre-data --section=data`), then the post-data (primary keys, indexes, foreign
keys, triggers, policies: 40% of a restore's time) while `meanwhile` (the drill's table
verification) reads the rows already there, on the cores the index builds leave idle. That is
only done when every post-data entry is of a kind whose restore writes no row
(`POST_DATA_WRITES_NO_ROWS`); a materialized view's refresh, an event trigger or a CHECK
constraint's validation may run the database's own functions, so with one of those the tables
are verified after the restore, as the drill always did. A streamed archive is read once: its
post-data part (DDL, no row) is written as SQL to the scratch workspace by a second pg_restore
that reads only the archive's table of contents from the same stream, and run by psql.
Both parts stop at the first error.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trustctl.archive.formats import dump_format, widen_pipe
from trustctl.archive.pipeline import ahead
from trustctl.drill.record import StepError, StepFailed
from trustctl.drill.scratch import Scratch
from trustctl.pg.server import pg_tool
from trustctl.pg.tools import ToolProcess

ROWS = ["--section=pre-data", "--section=data"]
POST_DATA = "--section=post-data"
POST_DATA_SCRIPT = "post-data.sql"
# plaintext chunks (one AEAD chunk decompressed: ~3 MiB of a 1 MiB zstd chunk) read ahead of
# pg_restore: S3, SHA-256, AES-GCM and zstd run while pg_restore reads the chunk before
PREFETCH_CHUNKS = 2
# Post-data kinds (pg_dump's names) whose restore writes no table row: index and key builds
# and foreign-key checks only read rows (through the opclasses' support functions), the rest
# is catalog. Missing on purpose: MATERIALIZED VIEW DATA (a refresh runs the view's query),
# EVENT TRIGGER (fires on the DDL after it), CHECK CONSTRAINT (validation calls the check's
# functions, volatile ones included), and any kind not named here.
POST_DATA_WRITES_NO_ROWS = frozenset({
    "CONSTRAINT", "FK CONSTRAINT", "INDEX", "INDEX ATTACH", "TRIGGER", "RULE", "POLICY",
    "ROW SECURITY", "COMMENT", "ACL", "DEFAULT ACL", "SECURITY LABEL", "STATISTICS DATA",
})
# A script entry's header, e.g. `-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: public; ...`
# (pg_restore writes names on one line; a name holding "; Type: " adds a match, never hides one)
_ENTRY = re.compile(r"^-- (?:Data for )?Name: ")
_KIND = re.compile(r"; Type: ([^;]*);")


@dataclass(frozen=True)
class Restored:
    """How the restore went: whether `meanwhile` ran during the post-data, and if not, why."""

    overlapped: bool
    why_not: str = ""


def restore_archive(plaintext: Iterable[bytes], format_name: str, scratch: Scratch, jobs: int,
                    on_started: Callable[[], None], skip_extensions: tuple[str, ...] = (),
                    meanwhile: Callable[[], None] | None = None) -> Restored:
    """Restores the archive; StepError if the scratch server died, StepFailed otherwise.
    `meanwhile` runs while the post-data is restored when that writes no row (see module
    docstring); the caller runs it after the restore otherwise."""
    archive_format = dump_format(format_name)
    script = scratch.workspace() / POST_DATA_SCRIPT
    if archive_format.restores_from_stream(jobs) and not skip_extensions:
        _rows_from_stream(plaintext, scratch, script, on_started)
        post = ToolProcess("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)],
                           scratch.dsn, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL)  # the script's SELECTs print rows
    else:
        local = archive_format.unpack(plaintext, scratch.workspace())
        selection = _without_extensions(local, skip_extensions) if skip_extensions else []
        archive = [*selection, str(local)]
        _script(POST_DATA, *archive, script=script)
        parallel = ["--exit-on-error", f"-j{max(jobs, 1)}"]
        rows = ToolProcess("pg_restore", [*parallel, *ROWS, *archive], scratch.dsn,
                           stdin=subprocess.DEVNULL)
        _run(rows, scratch, on_started)
        post = ToolProcess("pg_restore", [*parallel, POST_DATA, *archive], scratch.dsn,
                           stdin=subprocess.DEVNULL)
    kinds = post_data_kinds(script.read_text(errors="replace"))
    writing = sorted(kinds - POST_DATA_WRITES_NO_ROWS)
    overlapped = meanwhile is not None and not writing
    _run(post, scratch, meanwhile if overlapped else lambda: None)
    return Restored(overlapped, f"its post-data may write rows ({', '.join(writing)})"
                    if writing else "")


def post_data_kinds(script: str) -> set[str]:
    """Every entry kind named in a pg_restore script's entry headers."""
    return {kind for line in script.splitlines() if _ENTRY.match(line)
            for kind in _KIND.findall(line)}


def toc_without_extensions(listing: str, names: tuple[str, ...]) -> str:
    """A `pg_restore -l` listing with the extensions' entries (and their comments) left out."""
    entry = re.compile(r"^\d+; \d+ \d+ (EXTENSION - |COMMENT - EXTENSION )(?P<name>\S+)")
    kept = [line for line in listing.splitlines()
            if not ((match := entry.match(line)) and match["name"] in names)]
    return "\n".join(kept) + "\n"


def _rows_from_stream(plaintext: Iterable[bytes], scratch: Scratch, script: Path,
                      on_started: Callable[[], None]) -> None:
    """Streams the archive into the schema-and-rows restore, its head also into a pg_restore
    writing the post-data script (it reads the table of contents, then stops)."""
    rows = ToolProcess("pg_restore", ["--exit-on-error", *ROWS], scratch.dsn,
                       stdin=subprocess.PIPE)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(rows.kill)
        widen_pipe(rows.process.stdin)
        toc = ToolProcess("pg_restore", [POST_DATA, "-f", str(script)], None,
                          stdin=subprocess.PIPE)
        cleanup.callback(toc.kill)

        reader = ahead(plaintext, PREFETCH_CHUNKS, "restore-reader")
        cleanup.callback(reader.close)  # a failed restore stops the reading thread at once
        chunks = _teed(reader, toc)

        def stream() -> None:
            on_started()
            rows.feed(chunks)

        _run(rows, scratch, stream)
        for _ in chunks:  # whatever pg_restore did not read is still read, to the final check
            pass
        if toc.wait() != 0:
            raise StepFailed(f"pg_restore cannot read the archive's post-data: {toc.reason()}")


def _teed(chunks: Iterable[bytes], reader: ToolProcess) -> Iterator[bytes]:
    """The chunks, also written to `reader` for as long as it reads them."""
    stdin = reader.process.stdin
    for chunk in chunks:
        if not stdin.closed:
            try:
                stdin.write(chunk)
            except BrokenPipeError:  # it has read all it needs
                with contextlib.suppress(OSError):
                    stdin.close()
        yield chunk
    with contextlib.suppress(OSError):
        stdin.close()


def _script(*args: str, script: Path) -> None:
    """Writes the SQL pg_restore would run for `args` (no database, no row read)."""
    tool = ToolProcess("pg_restore", ["-f", str(script), *args], None, stdin=subprocess.DEVNULL)
    if tool.wait() != 0:
        raise StepFailed(f"pg_restore cannot read the archive: {tool.reason()}")


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
        raise StepFailed(f"{tool.name} failed: {tool.reason()}")
