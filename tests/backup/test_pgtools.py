"""The pg_dump/pg_restore plumbing: no password on a command line, and why verify reads it all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from backup.fixtures import Source
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
