"""Issue 20 items 1 and 2: whoever can only write the backup bucket cannot make a forged
backup pass. Each attack is made with plain boto3 calls on the bucket (tests/drill/attacker.py);
`backup verify` and the drill must both exit 1 with one line naming what was forged, before
anything is restored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backup.fixtures import Source, take_backup
from typer.testing import CliRunner

from drill.attacker import BucketWriter, new_id, replayed_under
from drill.helpers import SecretSpy, assert_clean, location_args, run_drill_cli
from trustctl.archive.location import Location
from trustctl.cli import app

VERIFY_FAILED = "trustctl: backup verify: "


def verify(where: Location, backup_id: str) -> tuple[int, str]:
    """`backup verify` through the CLI: its exit code and its one line on stderr."""
    result = CliRunner().invoke(app, ["backup", "verify", backup_id, *location_args(where)])
    lines = [x for x in result.stderr.splitlines() if x.startswith(VERIFY_FAILED)]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return result.exit_code, lines[0][len(VERIFY_FAILED):]


def drill(where: Location, evidence: Path, spy: SecretSpy, *extra: str,
          step: str = "authenticate") -> str:
    """The drill through the CLI: exit 1 at `step`, nothing restored, no age measured; its
    one line (after the step's name)."""
    result = run_drill_cli(where, evidence, *extra)
    assert result.code == 1, result.stderr
    assert_clean(result, spy)
    steps = {s["name"]: s["status"] for s in result.record["steps"]}
    assert steps[step] == "fail" and steps["restore"] == "skipped"
    assert steps["rpo"] == "skipped" and result.record["rpo"]["measured_seconds"] is None
    assert (result.record["backup"] or {"authenticated": False})["authenticated"] is False
    controls = {c["id"]: c["status"] for c in result.record["controls"]}
    assert controls["BACKUP-DAILY-35D"] == controls["RESTORE-DRILL"] == "fail"
    prefix = f"trustctl: drill fail: {step}: "
    line = next(x for x in result.stderr.splitlines() if x.startswith("trustctl: drill fail:"))
    assert line.startswith(prefix), line
    return line[len(prefix):]


def refused_everywhere(where: Location, backup_id: str, tmp_path: Path, spy: SecretSpy,
                       *drill_args: str, step: str = "authenticate") -> str:
    """Both commands refuse the backup with the same line; returns it."""
    line = refused_by_verify(where, backup_id)
    assert drill(where, tmp_path / "evidence", spy, *drill_args, step=step) == line
    return line


def refused_by_verify(where: Location, backup_id: str) -> str:
    code, line = verify(where, backup_id)
    assert code == 1, line
    print(f"\n{backup_id}: {line}")
    return line


def test_old_dump_replayed_under_a_new_id_is_refused(spy: SecretSpy, source: Source,
                                                     locked_location: Location,
                                                     tmp_path: Path) -> None:
    """The replay of issue 20: `drill` used to pass it with RPO 0 h while restoring stale data.
    On a versioned, locked bucket, like production's."""
    old = take_backup(source, locked_location)
    forged = replayed_under(BucketWriter(locked_location), old.backup_id)
    line = refused_everywhere(locked_location, forged, tmp_path, spy)  # the drill's "latest"
    assert line == (f"backup {forged}: manifest field wrapped_data_key holds a data key KMS "
                    "will not unwrap under this backup's encryption context (backup_id, "
                    "object_key, started_at): it was sealed for another backup or time (a "
                    "replayed or swapped backup, or an edited started_at)")


def test_replay_that_keeps_the_old_id_in_the_manifest_is_refused(
        spy: SecretSpy, source: Source, location: Location, tmp_path: Path) -> None:
    old = take_backup(source, location)
    writer = BucketWriter(location)
    forged, _ = new_id()
    writer.copy_dump(old.backup_id, forged)
    writer.put_manifest(forged, {**writer.manifest(old.backup_id),
                                 "finished_at": datetime.now(UTC).isoformat()})
    line = refused_everywhere(location, forged, tmp_path, spy)
    assert line == (f"backup {forged}: manifest field backup_id says {old.backup_id}: the "
                    f"manifest at backups/{forged}/manifest.json belongs to another backup "
                    "(swapped or copied)")


def test_swapped_manifests_are_refused(spy: SecretSpy, source: Source, location: Location,
                                       tmp_path: Path) -> None:
    """`backup verify A` must not report A verified after reading B's manifest."""
    first, second = take_backup(source, location), take_backup(source, location)
    writer = BucketWriter(location)
    a, b = writer.manifest(first.backup_id), writer.manifest(second.backup_id)
    writer.put_manifest(first.backup_id, b)
    writer.put_manifest(second.backup_id, a)
    line = refused_everywhere(location, first.backup_id, tmp_path, spy,
                              "--backup", first.backup_id)
    assert line.startswith(f"backup {first.backup_id}: manifest field backup_id says "
                           f"{second.backup_id}: ")
    code, other = verify(location, second.backup_id)
    assert code == 1 and f"backup_id says {first.backup_id}" in other


# Fields the issue names; the drill is run on these, `backup verify` on every edit (both call
# the same authentication).
DRILLED = ("finished_at", "source", "roles")
EDITS = {
    # the age: an old backup made to look like today's
    "finished_at": lambda m: datetime.now(UTC).isoformat(),
    # the production guard's inputs: the source the drill refused as a scratch target
    "source": lambda m: "postgresql://postgres@elsewhere.example:5432/claver",
    "source_identity": lambda m: {**m["source_identity"], "system_identifier": "1"},
    # a GRANT the drill would have made on the scratch server
    "roles": lambda m: [{**r, "member_of": [*r["member_of"], "pg_execute_server_program"]}
                        if r["name"] == "claver_app" else r for r in m["roles"]],
    "tables": lambda m: [{**t, "rows": t["rows"] + 1} for t in m["tables"]],
    "object_sha256": lambda m: "0" * 64,
    "retain_until": lambda m: (datetime.now(UTC) + timedelta(days=3650)).isoformat(),
}


def test_edited_field_is_named(spy: SecretSpy, source: Source, location: Location,
                               tmp_path: Path) -> None:
    """One backup, each field rewritten in turn (then put back)."""
    manifest = take_backup(source, location)
    writer = BucketWriter(location)
    original = writer.manifest(manifest.backup_id)
    for field, edit in EDITS.items():
        writer.edit(manifest.backup_id, **{field: edit(original)})
        line = (refused_everywhere(location, manifest.backup_id, tmp_path / field, spy)
                if field in DRILLED else refused_by_verify(location, manifest.backup_id))
        assert line == (f"backup {manifest.backup_id}: manifest field(s) {field} changed after "
                        "the backup was sealed (MAC does not verify under the backup's data "
                        "key)"), field
        writer.put_manifest(manifest.backup_id, original)


def started_within_its_second(m: dict) -> dict:
    """started_at and the context moved by microseconds: the id (to the second) still agrees."""
    started = m["started_at"][:19] + ".000001+00:00"
    return {**m, "started_at": started,
            "encryption_context": {**m["encryption_context"], "trustctl:created-at": started}}


REWRITES = {
    "added": (lambda m: {**m, "note": "trust me"},
              "manifest field(s) note added after the backup was sealed"),
    "removed": (lambda m: {k: v for k, v in m.items() if k != "extensions"},
                "manifest field(s) extensions missing: stripped from the manifest"),
    "stripped-with-its-mac": (lambda m: {
        **{k: v for k, v in m.items() if k != "source_identity"},
        "authentication": {**m["authentication"], "fields": {
            k: v for k, v in m["authentication"]["fields"].items() if k != "source_identity"}}},
        "manifest field(s) source_identity missing: stripped from the manifest"),
    "unsealed": (lambda m: {**m, "authentication": None},
                 "the manifest carries no authentication"),
    "started-within-its-second": (started_within_its_second, "manifest field wrapped_data_key "
                                  "holds a data key KMS will not unwrap"),
    "started-elsewhen": (lambda m: {**m, "started_at": "2020-01-01T00:00:00+00:00"},
                         "manifest field started_at says 2020-01-01T00:00:00+00:00, not the "
                         "time its id records"),
    "object-key": (lambda m: {**m, "object_key": "backups/elsewhere/dump.enc"},
                   "manifest field object_key names backups/elsewhere/dump.enc"),
    "context": (lambda m: {**m, "encryption_context": {}},
                "manifest field encryption_context is not the context of its backup_id, "
                "object_key, started_at"),
}


def test_rewritten_manifest_is_named(source: Source, location: Location) -> None:
    """One backup, its manifest rewritten in each way in turn (then put back)."""
    manifest = take_backup(source, location)
    writer = BucketWriter(location)
    original = writer.manifest(manifest.backup_id)
    for name, (rewrite, says) in REWRITES.items():
        writer.put_manifest(manifest.backup_id, rewrite(original))
        line = refused_by_verify(location, manifest.backup_id)
        assert line.startswith(f"backup {manifest.backup_id}: {says}"), (name, line)
        writer.put_manifest(manifest.backup_id, original)


def test_old_format_manifest_is_refused_with_what_to_do(spy: SecretSpy, source: Source,
                                                        location: Location,
                                                        tmp_path: Path) -> None:
    """A manifest of format 1 carried no MAC: it is refused, never silently trusted."""
    manifest = take_backup(source, location)
    writer = BucketWriter(location)
    old = {k: v for k, v in writer.manifest(manifest.backup_id).items()
           if k not in ("authentication", "source_identity")}
    writer.put_manifest(manifest.backup_id, {**old, "format": "trustctl-backup-manifest/1"})
    line = refused_everywhere(location, manifest.backup_id, tmp_path, spy,
                              "--backup", manifest.backup_id, step="select-backup")
    assert line == (f"backup {manifest.backup_id}: its manifest is of the old format "
                    "trustctl-backup-manifest/1, which carries no MAC (anyone who can write the "
                    "bucket could have written it): refused; take a new backup (`trustctl "
                    "backup run`), or restore this one by hand with "
                    "scripts/restore-without-trustctl.py --unauthenticated-v1")
    latest = run_drill_cli(location, tmp_path / "latest")  # never picked as the latest either
    assert latest.code == 1
    assert f"1 manifest(s) refused, the newest: backup {manifest.backup_id}: its manifest is " \
           "of the old format" in latest.stderr


def test_swapped_dumps_are_refused(spy: SecretSpy, source: Source, location: Location,
                                   tmp_path: Path) -> None:
    """Manifests intact, dumps exchanged: authentic manifests, but not their objects."""
    first, second = take_backup(source, location), take_backup(source, location)
    writer = BucketWriter(location)
    writer.copy_dump(second.backup_id, "swap")
    writer.copy_dump(first.backup_id, second.backup_id)
    writer.copy_dump("swap", first.backup_id)
    code, line = verify(location, first.backup_id)
    assert code == 1
    assert line == "the object's wrapped data key differs from the manifest's"
    result = run_drill_cli(location, tmp_path / "evidence", "--backup", first.backup_id)
    assert result.code == 1 and "restore: the object's wrapped data key differs" in result.stderr
    assert_clean(result, spy)


def test_deleted_dump_is_a_finding(spy: SecretSpy, source: Source, location: Location,
                                   tmp_path: Path) -> None:
    """In a bucket without Object Lock the writer can delete: a finding, not "could not run"."""
    manifest = take_backup(source, location)
    BucketWriter(location).s3.delete_object(Bucket=location.bucket, Key=manifest.object_key)
    line = refused_everywhere(location, manifest.backup_id, tmp_path, spy)
    assert line == (f"backup {manifest.backup_id}: {manifest.object_key} is not in the bucket: "
                    "its manifest names an object that was deleted or never written")


def test_authentic_backup_still_verifies(spy: SecretSpy, source: Source,
                                         locked_location: Location) -> None:
    """The checks above fail on forgeries only: a real backup passes, saying what was proven."""
    manifest = take_backup(source, locked_location)
    result = CliRunner().invoke(app, ["backup", "verify", manifest.backup_id, "--format", "json",
                                      *location_args(locked_location)])
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["authenticated"].startswith(f"manifest authentic: {len(manifest.fields())} "
                                              "fields MAC-verified")
    spy.assert_absent(result.stdout, result.stderr)
