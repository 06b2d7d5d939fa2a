"""The restore in two parts (schema and rows, then post-data) with the tables verified while the
post-data is built: the same database as one pg_restore, and never a verification that a
post-data entry could make stale."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from backup.fixtures import Source, back_up, database_made_by, take_backup

from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.archive.reader import ReadProgress, read_dump
from trustctl.drill.restore import post_data_kinds, restore_archive
from trustctl.drill.scratch import LocalScratch
from trustctl.drill.tables import compare_tables
from trustctl.pg.connect import connect
from trustctl.pg.roles import RoleAllowlist
from trustctl.pg.server import LocalPostgres, pg_tool
from trustctl.pg.tools import ToolProcess

# A materialized view whose refresh (post-data) inserts a row: the restored table ends with one
# row more than the backup's manifest counts, which a verification run during the post-data
# would have missed.
REFRESH_WRITES = """
CREATE TABLE public.ledger (id serial PRIMARY KEY, note text);
INSERT INTO public.ledger (note) VALUES ('a'), ('b'), ('c');
CREATE FUNCTION public.stamp() RETURNS int LANGUAGE plpgsql VOLATILE AS
$$ BEGIN INSERT INTO public.ledger (note) VALUES ('refreshed'); RETURN 1; END $$;
CREATE MATERIALIZED VIEW public.stamped AS SELECT public.stamp() AS x;
"""


def _restore(where: Location, manifest: Manifest, jobs: int,
             meanwhile: Callable[[], None] | None = None) -> tuple[LocalScratch, object]:
    scratch = LocalScratch()
    try:
        scratch.prepare_roles(manifest.roles, RoleAllowlist.default())
        plaintext = read_dump(where.store(), where.kms(), manifest,
                              ReadProgress(manifest.object_key))
        return scratch, restore_archive(plaintext, manifest.dump_format, scratch, jobs,
                                        lambda: None, (), meanwhile)
    except BaseException:
        scratch.destroy()
        raise


def _schema(scratch: LocalScratch) -> list[str]:
    """pg_dump --schema-only of the scratch database, without its random \\restrict key."""
    tool = ToolProcess("pg_dump", ["--schema-only"], scratch.dsn, stdout=subprocess.PIPE)
    text = tool.process.stdout.read().decode()
    assert tool.wait() == 0, tool.reason()
    return [line for line in text.splitlines() if not line.startswith(("\\restrict",
                                                                       "\\unrestrict"))]


@pytest.mark.parametrize("jobs", [1, 2], ids=["streamed", "from-a-file"])
def test_two_part_restore_is_one_pg_restore_and_verifies_meanwhile(
        source: Source, locked_location: Location, tmp_path: Path, jobs: int) -> None:
    manifest = take_backup(source, locked_location)
    findings: list[list[str]] = []

    def meanwhile() -> None:  # runs while pg_restore builds keys, indexes and policies
        with connect(scratch_box[0].dsn, autocommit=True) as conn:
            findings.append(compare_tables(conn, manifest))

    scratch_box: list[LocalScratch] = []
    bare = LocalScratch()
    try:
        bare.prepare_roles(manifest.roles, RoleAllowlist.default())
        archive = tmp_path / "plain.dump"
        archive.write_bytes(b"".join(read_dump(locked_location.store(), locked_location.kms(),
                                               manifest, ReadProgress(manifest.object_key))))
        whole = ToolProcess("pg_restore", ["--exit-on-error", str(archive)], bare.dsn,
                            stdin=subprocess.DEVNULL)
        assert whole.wait() == 0, whole.reason()
        scratch = LocalScratch()
        scratch_box.append(scratch)
        try:
            scratch.prepare_roles(manifest.roles, RoleAllowlist.default())
            plaintext = read_dump(locked_location.store(), locked_location.kms(), manifest,
                                  ReadProgress(manifest.object_key))
            restored = restore_archive(plaintext, manifest.dump_format, scratch, jobs,
                                       lambda: None, (), meanwhile)
            assert restored.overlapped and findings == [[]]
            # keys, indexes, foreign keys, policies, RLS and grants: as one pg_restore makes them
            assert _schema(scratch) == _schema(bare)
            with connect(scratch.dsn, autocommit=True) as conn:
                assert compare_tables(conn, manifest) == []
        finally:
            scratch.destroy()
    finally:
        bare.destroy()


def test_a_post_data_that_may_write_rows_is_verified_after_the_restore(
        postgres_factory: Callable[[str], LocalPostgres], locked_location: Location) -> None:
    pg = postgres_factory("refresh-writes")
    manifest = back_up(database_made_by(pg, "refreshing", REFRESH_WRITES), locked_location)
    assert {t.name: t.rows for t in manifest.tables} == {"public.ledger": 4}
    ran: list[bool] = []
    scratch, restored = _restore(locked_location, manifest, 1, lambda: ran.append(True))
    try:
        assert not restored.overlapped and not ran
        assert restored.why_not == "its post-data may write rows (MATERIALIZED VIEW DATA)"
        with connect(scratch.dsn, autocommit=True) as conn:  # what verify-tables then finds
            assert compare_tables(conn, manifest) == [
                "table public.ledger: 5 rows restored, manifest says 4"]
    finally:
        scratch.destroy()


def test_a_name_cannot_hide_an_entry_kind() -> None:
    script = "\n".join([
        "-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: o",
        "-- Name: x; Type: INDEX; Schema: a; Owner: b; Type: MATERIALIZED VIEW DATA; "
        "Schema: public; Owner: o",
        "-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: o",
        "SELECT '-- Name: y; Type: EVENT TRIGGER; Schema: -; Owner: o';",
    ])
    assert post_data_kinds(script) == {"CONSTRAINT", "INDEX", "MATERIALIZED VIEW DATA",
                                       "TABLE DATA"}


def test_the_post_data_script_reads_only_the_table_of_contents(
        source: Source, locked_location: Location, tmp_path: Path) -> None:
    """A streamed restore reads the object once: the pg_restore writing the post-data SQL stops
    after the archive's head, so teeing the stream to it costs nothing past that."""
    manifest = take_backup(source, locked_location)
    plaintext = b"".join(read_dump(locked_location.store(), locked_location.kms(), manifest,
                                   ReadProgress(manifest.object_key)))
    script = tmp_path / "post.sql"
    reader = subprocess.Popen([str(pg_tool("pg_restore")), "--section=post-data", "-f",
                               str(script)], stdin=subprocess.PIPE, bufsize=0)
    fed = 0
    with contextlib.suppress(BrokenPipeError):
        for start in range(0, len(plaintext), 16 << 10):  # small pieces: fed counts what it took
            fed += reader.stdin.write(plaintext[start:start + (16 << 10)])
        reader.stdin.close()
    assert reader.wait() == 0
    assert fed < manifest.dump_bytes / 2, (fed, manifest.dump_bytes)
    assert post_data_kinds(script.read_text()) == {"CONSTRAINT", "FK CONSTRAINT", "INDEX",
                                                   "POLICY", "ROW SECURITY"}
