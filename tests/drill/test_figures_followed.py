"""The drill judges by the catalog's figures: a backup locked for the page's 35 days fails the
retention step once a copy of the catalog promises 36 (the drill was given nothing else)."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup.fixtures import Source, take_backup
from catalog_copy import longer_retention

from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from trustctl.archive.location import Location
from trustctl.paths import CATALOG_ENV


@pytest.mark.slow
def test_the_drill_follows_a_changed_retention(spy: SecretSpy, source: Source,
                                               locked_location: Location,
                                               tmp_path: Path) -> None:
    take_backup(source, locked_location)  # locked for the catalog in force: 35 days
    changed = longer_retention(tmp_path)
    result = run_drill_cli(locked_location, tmp_path / "evidence",
                           env={CATALOG_ENV: str(changed)})
    assert result.code == 1, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["retention"]["status"] == "fail"
    assert "is locked only until" in " ".join(steps["retention"]["findings"])
    assert {c["id"]: c["status"] for c in result.record["controls"]}["BACKUP-DAILY-35D"] == "fail"
    assert_clean(result, spy)
