"""`trustctl sandbox up --sandbox-profile supabase` and a one-command rehearsal of the real
thing: `trustctl drill --sandbox --sandbox-profile supabase`, through the real CLI and
background process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from sandbox_harness import Cli, RunningSandbox, kill_leftovers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def supabase_sandbox(sandbox_home: Path, sandbox_cli: Cli) -> Iterator[RunningSandbox]:
    directory = sandbox_home / "sandbox"
    try:
        up = sandbox_cli("sandbox", "up", "--sandbox-profile", "supabase", "--format",
                         "json")
        assert up.returncode == 0, up.stderr
        state = json.loads((directory / "state.json").read_text())
        yield RunningSandbox(sandbox_home, up, json.loads(up.stdout), state)
    finally:
        sandbox_cli("sandbox", "down")
        kill_leftovers(directory)


def test_supabase_profile_is_shaped_like_a_supabase_project(
        supabase_sandbox: RunningSandbox) -> None:
    public = supabase_sandbox.public
    assert (public["profile"], public["pg_user"], public["app_role"]) == (
        "supabase", "trustctl_backup", "authenticated")
    with psycopg.connect(supabase_sandbox.state["info"]["dsn"]) as conn:  # the backup role
        roles = dict(conn.execute(
            "SELECT rolname, rolsuper::text || rolbypassrls::text FROM pg_roles "
            "WHERE rolname = ANY(%s)",
            (["anon", "authenticated", "service_role", "authenticator", "supabase_admin",
              "trustctl_backup"],)).fetchall())
        schemas = {n for (n,) in conn.execute("SELECT nspname FROM pg_namespace")}
        forced = conn.execute("SELECT count(*) FROM pg_class WHERE relforcerowsecurity"
                              ).fetchone()[0]
        enums = conn.execute("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = "
                             "t.typnamespace WHERE typtype = 'e' AND nspname = 'auth'"
                             ).fetchone()[0]
    assert roles["service_role"] == roles["trustctl_backup"] == "falsetrue"
    assert roles["authenticated"] == roles["anon"] == roles["authenticator"] == "falsefalse"
    assert {"auth", "storage", "extensions"} <= schemas
    assert forced == 0 and enums == 3
    with psycopg.connect(supabase_sandbox.state["info"]["app_dsn"]) as conn:  # authenticator
        conn.execute("SET ROLE authenticated")
        assert conn.execute("SELECT count(*) FROM public.customers").fetchone()[0] == 0


def test_drill_of_the_supabase_sandbox_passes_in_one_command(
        supabase_sandbox: RunningSandbox, sandbox_cli: Cli, tmp_path: Path) -> None:
    drill = sandbox_cli("drill", "--sandbox", "--sandbox-profile", "supabase", "--evidence-dir",
                        str(tmp_path), "--scratch-dir", str(tmp_path), timeout=300)
    assert drill.returncode == 0, drill.stderr
    assert "Restore drill" in drill.stdout and "PASSED" in drill.stdout
    assert "recipe jwt-claims" in drill.stdout
    assert "DATA-EXPORT pass" in drill.stdout
    record = json.loads(next(tmp_path.glob("drill-*.json")).read_text())
    assert record["facts"]["exit_code"] == 0
    everything = drill.stdout + drill.stderr + json.dumps(record)
    assert not [p for p in supabase_sandbox.passwords if p in everything]
    other = sandbox_cli("drill", "--sandbox", "--sandbox-profile", "default", "--evidence-dir",
                        str(tmp_path / "other"))
    assert other.returncode == 2
    assert other.stderr.splitlines() == [
        "trustctl: error: --sandbox-profile default: the sandbox was started with profile "
        "supabase; to change it, `trustctl sandbox down` (deletes its data), then `trustctl "
        "sandbox up --sandbox-profile default`"]


def test_the_sandboxs_own_logins_are_on_its_roster(
        supabase_sandbox: RunningSandbox, sandbox_cli: Cli, tmp_path: Path) -> None:
    """Supabase's authenticator and the backup role are the sandbox's own logins: accounted
    for (they were findings: 'not on the on-call roster'), and said to be the sandbox's."""
    review = tmp_path / "review.yaml"
    prepared = sandbox_cli("access-review", "prepare", "--sandbox", "--out", str(review),
                           "--evidence-dir", str(tmp_path / "evidence"), timeout=300)
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    document = yaml.safe_load(review.read_text())
    assert document["findings"] == []
    on_roster = {row["principal"]: row["roster"] for row in document["rows"]}
    assert on_roster["postgres:trustctl_backup"] == (
        "the sandbox's backup login (service, owner trustctl sandbox)")
    assert on_roster["postgres:authenticator"] == (
        "the sandbox's application login (service, owner trustctl sandbox)")
    assert document["inputs"]["roster"]["path"] == (
        "policies/oncall.yaml + the sandbox's own logins")
