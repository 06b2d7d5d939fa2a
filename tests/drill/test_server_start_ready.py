"""A server start returns once postmaster.pid says `ready` (trustctl/pg/server.py, sooner than
pg_ctl -w's 100 ms polls): the file must be the new postmaster's, not one a killed server left
saying `ready` with its dead pid."""

from __future__ import annotations

from pathlib import Path

import psutil

from trustctl.dsn import Dsn
from trustctl.pg.connect import connect
from trustctl.pg.server import LocalPostgres


def test_a_start_waits_for_its_own_postmaster_not_a_stale_ready_pid_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    killed = LocalPostgres.start(data)
    try:
        postmaster = psutil.Process(killed.pid)
        everything = [postmaster, *postmaster.children(recursive=True)]
        for process in everything:  # kill -9: nothing cleans up postmaster.pid
            process.kill()
        psutil.wait_procs(everything, timeout=10)
        stale = (data / "postmaster.pid").read_text().split("\n")
        assert stale[0] == str(postmaster.pid) and stale[7].strip() == "ready"

        restarted = LocalPostgres.start(data)  # crash recovery first: not ready at once
        try:
            assert restarted.pid != postmaster.pid
            with connect(Dsn.parse(restarted.dsn(), "the restarted server")) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            restarted.destroy()
    finally:
        killed.destroy()
