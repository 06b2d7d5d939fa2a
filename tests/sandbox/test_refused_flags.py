"""Options the sandbox sets itself are refused with --sandbox, in one line, before the sandbox
is looked at (issue 23, item 7): never silently ignored. `--profile` is the AWS profile
wherever it exists; the sandbox's is `--sandbox-profile` (item 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustctl.cli import app

NOT_UP = "trustctl: error: the sandbox is not up: start it with `trustctl sandbox up`"
REFUSED = [
    (["drill", "--sandbox", "--bucket", "no-such-bucket"], "--bucket"),
    (["drill", "--sandbox", "--region", "eu-west-1"], "--region"),
    (["drill", "--sandbox", "--endpoint-url", "http://127.0.0.1:9"], "--endpoint-url"),
    (["drill", "--sandbox", "--region-outage", "--recovery-region", "us-west-2"],
     "--recovery-region"),
    (["drill", "--sandbox", "--region-outage", "--recovery-bucket", "replica"],
     "--recovery-bucket"),
    (["backup", "run", "--sandbox", "--kms-key", "alias/backup"], "--kms-key"),
    (["backup", "run", "--sandbox", "--dsn-env", "PRODUCTION_DSN"], "--dsn-env"),
    (["backup", "list", "--sandbox", "--bucket", "claver-backups"], "--bucket"),
    (["backup", "verify", "20260101T000000Z-000000", "--sandbox", "--region", "us-east-1"],
     "--region"),
    (["audit", "--sandbox", "--profile", "prod-audit"], "--profile"),
    (["audit", "--sandbox", "--database", "postgresql://auditor:hunter2@db/postgres"],
     "--database"),
    (["audit", "--sandbox", "--site", "https://claver.app"], "--site"),
    (["audit", "--sandbox", "--cloudflare-zone", "0123abcd"], "--cloudflare-zone"),
    (["audit", "--sandbox", "--supabase-project", "abcdefgh"], "--supabase-project"),
    (["access-review", "prepare", "--sandbox", "--region", "us-east-1"], "--region"),
    (["access-review", "prepare", "--sandbox", "--cloudflare-account", "0123abcd"],
     "--cloudflare-account"),
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No sandbox anywhere: what is refused is refused before one is looked for."""
    monkeypatch.setenv("TRUSTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


@pytest.mark.parametrize(("argv", "flag"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_option_the_sandbox_sets_is_refused_in_one_line(home: Path, argv: list[str],
                                                            flag: str) -> None:
    result = CliRunner().invoke(app, [*argv, "--evidence-dir", str(home.parent / "evidence")]
                                if argv[0] in ("drill", "audit") else argv)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"trustctl: error: {flag} cannot be used with --sandbox: ")
    assert line.endswith(f"; drop {flag} (or --sandbox)")
    assert "hunter2" not in line and result.stdout == ""
    assert not home.exists() and not (home.parent / "evidence").exists()  # nothing started


def test_the_environment_production_reads_is_left_unused_not_refused(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ambient TRUSTCTL_BACKUP_BUCKET or AWS_REGION is nobody's request: the command goes
    on to the sandbox (here: there is none)."""
    monkeypatch.setenv("TRUSTCTL_BACKUP_BUCKET", "claver-backups")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    result = CliRunner().invoke(app, ["backup", "list", "--sandbox"])
    assert (result.exit_code, result.stderr.splitlines()) == (2, [NOT_UP])


@pytest.mark.parametrize("command", [["drill"], ["backup", "run"], ["backup", "list"],
                                     ["sandbox", "up"]])
def test_the_sandbox_profile_is_never_called_profile(home: Path, command: list[str]) -> None:
    helped = CliRunner().invoke(app, [*command, "-h"])
    assert "--sandbox-profile" in helped.stdout and "--profile" not in helped.stdout
    result = CliRunner().invoke(app, [*command, "--profile", "supabase"])
    assert result.exit_code == 2 and "No such option: --profile" in result.output
    assert "--sandbox-profile" in result.output  # the closest option is named


def test_profile_is_the_aws_profile_where_it_exists() -> None:
    helped = CliRunner().invoke(app, ["audit", "-h"])
    assert "--profile" in helped.stdout and "AWS profile" in helped.stdout


@pytest.mark.parametrize("command", [["drill"], ["backup", "list"], ["audit"],
                                     ["access-review", "prepare"]])
def test_a_sandbox_profile_needs_the_sandbox(home: Path, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--sandbox-profile", "supabase"])
    assert (result.exit_code, result.stderr.splitlines()) == (2, [
        "trustctl: error: --sandbox-profile needs --sandbox"])
