"""The pg_dump/pg_restore plumbing: no password on a command line, why verify reads it all, and
a dump's pipe that holds a whole read."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

from backup.fixtures import Source
from trustctl.archive.formats import READ_SIZE, widen_pipe
from trustctl.pg.tools import ToolProcess


def test_truncated_custom_dump_passes_list_but_not_a_full_read(source: Source,
                                                               tmp_path: Path) -> None:
    """The trap `backup verify` avoids: the table of contents is at the front."""
    dump = ToolProcess("pg_dump", ["-Fc", "-Z0"], source.database(), stdout=subprocess.PIPE)
    archive = dump.process.stdout.read()
    assert dump.wait() == 0
    assert str(source.pg.state()["password"]) not in " ".join(dump.process.args)
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(archive[: len(archive) * 2 // 3])
    listing = ToolProcess("pg_restore", ["--list", str(truncated)], None,
                          stdout=subprocess.DEVNULL)
    assert listing.wait() == 0
    full = ToolProcess("pg_restore", ["-f", os.devnull, str(truncated)], None)
    assert full.wait() != 0


def test_a_dump_pipe_holds_a_whole_read_and_still_carries_every_byte(source: Source) -> None:
    dump = ToolProcess("pg_dump", ["-Fc", "-Z0"], source.database(), stdout=subprocess.PIPE)
    assert fcntl.fcntl(dump.process.stdout.fileno(), fcntl.F_GETPIPE_SZ) < READ_SIZE
    widen_pipe(dump.process.stdout)
    assert fcntl.fcntl(dump.process.stdout.fileno(), fcntl.F_GETPIPE_SZ) == READ_SIZE
    widened = dump.process.stdout.read()
    assert dump.wait() == 0
    plain = ToolProcess("pg_dump", ["-Fc", "-Z0"], source.database(), stdout=subprocess.PIPE)
    assert len(plain.process.stdout.read()) == len(widened)  # same dump, same size
    assert plain.wait() == 0
