"""Issue 23 item 5: a full disk while writing a record leaves no empty or half record.

A real 48 KiB tmpfs, mounted in a user and mount namespace of its own (`unshare -rm`), fills
up under the record store: the write that does not fit fails with one line naming the file and
the space left, nothing is left behind, and every record written before still reads and builds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = f"import sys; sys.path.insert(0, {str(Path(__file__).parents[1])!r})\n" + """
import datetime as dt, json, os, sys
from sample_facts import backup_facts
from trustctl.errors import InputError
from trustctl.records import Record, open_store

directory = sys.argv[1]
store = open_store(directory)
at = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)
written, error = 0, None
while error is None and written < 500:
    record = Record.new(backup_facts(at, at, source="x" * 3000), at, at, targets={},
                        controls=[{"id": "BACKUP-DAILY-35D", "status": "pass", "findings": []}],
                        record_id=f"r{written:04d}")
    try:
        store.write(record)
        written += 1
    except InputError as exc:
        error = str(exc)
scan = open_store(directory).scan()
print(json.dumps({"written": written, "error": error, "files": sorted(os.listdir(directory)),
                  "empty": [n for n in os.listdir(directory)
                            if os.path.getsize(os.path.join(directory, n)) == 0],
                  "read": len(scan.records), "problems": [str(p) for p in scan.problems]}))
"""


def test_a_full_disk_names_the_record_and_leaves_nothing_behind(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    shell = (f'mount -t tmpfs -o size=48k tmpfs "$1" && "{sys.executable}" -c "$2" "$1"')
    done = subprocess.run(["unshare", "-rm", "sh", "-c", shell, "sh", str(disk), SCRIPT],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["written"] > 3 and found["error"] is not None
    name = f"backup-r{found['written']:04d}.json"
    assert found["error"].startswith(f"cannot write record {disk}/{name}: no space left on "
                                     "the device (")
    assert "bytes free, the record needs" in found["error"]
    assert found["empty"] == [] and name not in found["files"]
    assert not [n for n in found["files"] if n.startswith(".")]  # no temporary file left
    assert found["read"] == found["written"] and found["problems"] == []
