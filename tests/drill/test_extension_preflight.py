"""Before restoring, the drill checks the scratch server can create every extension the backup
needs: if not, exit 2 naming them and the way out; an explicit skip list is honoured and
recorded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from backup.fixtures import reseal

from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from drill.supabase_source import SupabaseServer
from trustctl.archive.inventory import Extension
from trustctl.archive.location import Location
from trustctl.archive.reader import ReadProgress, read_dump
from trustctl.drill.restore import toc_without_extensions
from trustctl.pg.server import pg_tool
from trustctl.sandbox.supabase import TENANCY

PG_NET = Extension("pg_net", "0.14.0", "extensions", ["net.http_request_queue"])


def test_missing_extension_is_named_with_the_way_out(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path) -> None:
    manifest = supabase_server.backup(supabase_server.new_database(), locked_location)
    reseal(locked_location, manifest, extensions=[*manifest.extensions, PG_NET])
    result = run_drill_cli(locked_location, tmp_path, "--tenancy", str(TENANCY))
    assert result.code == 2, result.stderr
    reason = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill error"))
    assert "extension(s) pg_net that the scratch server lacks" in reason
    assert "--scratch-dsn" in reason and "--skip-extension" in reason
    steps = {s["name"]: s["status"] for s in result.record["steps"]}
    assert steps["extensions"] == "error" and steps["restore"] == "skipped"
    assert_clean(result, spy)


def test_skipped_extension_is_left_out_and_recorded(
        supabase_server: SupabaseServer, spy: SecretSpy, locked_location: Location,
        tmp_path: Path) -> None:
    database = supabase_server.new_database()
    supabase_server.run(database, "CREATE EXTENSION pg_trgm WITH SCHEMA extensions")
    manifest = supabase_server.backup(database, locked_location)
    assert "pg_trgm" in {e.name for e in manifest.extensions}
    result = run_drill_cli(locked_location, tmp_path / "evidence", "--tenancy", str(TENANCY),
                           "--skip-extension", "pg_trgm")
    assert result.code == 0, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["extensions"]["detail"].endswith("skipped (not restored): pg_trgm")
    assert steps["extensions"]["facts"]["skipped"] == ["pg_trgm"]
    assert_clean(result, spy)
    # what the restore was given: the archive's table of contents without pg_trgm
    archive = tmp_path / "dump.custom"
    archive.write_bytes(b"".join(read_dump(locked_location.store(), locked_location.kms(),
                                           manifest, ReadProgress(manifest.object_key))))
    listing = subprocess.run([str(pg_tool("pg_restore")), "-l", str(archive)],
                             capture_output=True, text=True, check=True).stdout
    kept = toc_without_extensions(listing, ("pg_trgm",))
    assert "EXTENSION - pg_trgm" in listing and "COMMENT - EXTENSION pg_trgm" in listing
    assert "pg_trgm" not in kept
    assert "EXTENSION - citext" in kept
    assert len(kept.splitlines()) == len(listing.splitlines()) - 2
