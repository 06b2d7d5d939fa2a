"""One world for every canary case: a sandbox (2 MB) whose Postgres has a `canary` superuser
with the canary password, a scratch server with the same, two Pulumi programs holding canary
`secure:` config, and an environment full of canary secrets. Built once per session; the
sandbox is always torn down."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from sandbox.sandbox_harness import kill_leftovers

from canary.canary import PASSWORD, Run, dsn_forms, run_trustctl, secret
from trustctl.pg.server import LocalPostgres

REPO = Path(__file__).resolve().parents[2]
COMPLIANT = REPO / "tests" / "gate" / "programs" / "compliant"
CANARY_ROLE = "canary"
ENVIRONMENT_SECRETS = {
    "AWS_SECRET_ACCESS_KEY": secret("aws-secret-key"),
    "AWS_SESSION_TOKEN": secret("aws-session-token"),
    "CLOUDFLARE_API_TOKEN": secret("cloudflare-token"),
    "PULUMI_CONFIG_PASSPHRASE": secret("pulumi-passphrase"),
}
# What a library might quote in an error: shapes only the redaction rules can catch (the
# process was never told these values), plus values it does know.
RAISING_PROGRAM = f'''"""Raises like a library that quotes its input."""
import os
import pathlib

config = pathlib.Path(__file__).with_name("Pulumi.test.yaml").read_text()
secure = config.split("secure: ")[1].split()[0]
raise RuntimeError(
    "cannot reach mysql://app:{secret("uri-in-message")}@db/x or "
    "host=db password={secret("pair-in-message")} with key "
    + os.environ["AWS_SECRET_ACCESS_KEY"] + " and config " + secure)
'''


@dataclass
class World:
    """What the cases run against; `values` fill the `{placeholders}` of a Case."""

    env: dict[str, str]
    work: Path
    watched: list[Path]
    secrets: list[str]  # non-canary secrets that must not show either (the sandbox's passwords)
    values: dict[str, str]
    location: list[str]
    server_logs: list[Path]  # shown when a case ends unexpectedly

    def log_tails(self) -> str:
        return "\n".join(f"{log}:\n" + "\n".join(log.read_text().splitlines()[-8:])
                         for log in self.server_logs if log.exists())

    def run(self, argv: list[str], env: dict[str, str] | None = None, **kwargs: object) -> Run:
        return run_trustctl(argv, {**self.env, **(env or {})}, self.work, self.watched, **kwargs)


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    # Not under pytest's basetemp: every pytest that starts on this machine makes that 0700
    # for a moment, and the Postgres servers (run as another user when we are root) then
    # lose their own data directories.
    root = Path(tempfile.mkdtemp(prefix="trustctl-canary-"))
    home, work, programs = root / "home", root / "work", root / "programs"
    for directory in (home, work, programs):
        directory.mkdir()
    env = {**os.environ, "TRUSTCTL_HOME": str(home), "AWS_ACCESS_KEY_ID": "canary-key-id",
           "TRUSTCTL_EVIDENCE_DIR": str(work / "evidence"),  # every record is watched too
           "NO_COLOR": "1", **ENVIRONMENT_SECRETS}
    world = World(env, work, [work, home], [], _programs(programs), [], [])
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, root, ignore_errors=True)
        stack.callback(kill_leftovers, home / "sandbox")
        stack.callback(world.run, ["sandbox", "down"])
        up = world.run(["sandbox", "up", "--size-mb", "2", "--format", "json"])
        assert up.code == 0, up.stderr
        assert not up.leaks([]), up.leaks([])
        state = json.loads((home / "sandbox" / "state.json").read_text())
        info = state["info"]
        world.secrets = [conninfo_to_dict(info[k])["password"]
                         for k in ("dsn", "app_dsn")]
        _canary_superuser(info["dsn"])
        scratch = stack.enter_context(LocalPostgres.start(root / "scratch" / "data"))
        _canary_superuser(scratch.dsn())
        world.server_logs = [home / "sandbox" / "pgdata" / "server.log",
                             scratch.data_dir / "server.log"]
        world.location = ["--bucket", info["backup_bucket"], "--region", info["region"],
                          "--endpoint-url", info["aws_endpoint"]]
        world.values.update(_connection_values(info["pg_port"], scratch.port, info["kms_key_arn"]))
        backup = world.run(["backup", "run", "--sandbox", "--format", "json"])
        assert backup.code == 0, backup.stderr
        world.values["backup_id"] = json.loads(backup.stdout)["backup_id"]
        world.env["TRUSTCTL_BACKUP_DSN"] = world.values["source_key_value"]
        yield world


def _programs(directory: Path) -> dict[str, str]:
    """A compliant program with a canary `secure:` value (stack `test`), the same broken
    (stack `broken`: exit 1), and one that raises quoting secrets (exit 2)."""
    secure = directory / "secure"
    shutil.copytree(COMPLIANT, secure)
    for stack, mutation in (("test", "none"), ("broken", "tls-min-1.0")):
        (secure / f"Pulumi.{stack}.yaml").write_text(
            f"config:\n  aws:region: eu-west-1\n  gate-compliant:break: {mutation}\n"
            f"  gate-compliant:dbPassword:\n    secure: {secret('pulumi-secure-' + stack)}\n")
    raising = directory / "raising"
    raising.mkdir()
    (raising / "Pulumi.yaml").write_text("name: canary-raises\nruntime:\n  name: python\n")
    (raising / "Pulumi.test.yaml").write_text(
        f"config:\n  canary-raises:token:\n    secure: {secret('pulumi-secure-raising')}\n")
    (raising / "__main__.py").write_text(RAISING_PROGRAM)
    return {"secure_program": str(secure), "raising_program": str(raising)}


def _canary_superuser(admin_dsn: str) -> None:
    """A login role with the canary password (sent as SCRAM verifier: the server logs none)."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        verifier = conn.pgconn.encrypt_password(PASSWORD.encode(), CANARY_ROLE.encode(),
                                                b"scram-sha-256").decode()
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
            sql.Identifier(CANARY_ROLE), sql.Literal(verifier)))


def _connection_values(source_port: int, scratch_port: int, kms_key: str) -> dict[str, str]:
    values = {f"source_{form.replace('-', '_')}": dsn for form, dsn in
              dsn_forms("127.0.0.1", source_port, CANARY_ROLE, "claver").items()}
    encoded = quote(PASSWORD, safe="")
    return {
        **values,
        "kms_key": kms_key,
        "password": PASSWORD,
        **{f"scratch_{form.replace('-', '_')}": dsn for form, dsn in
           dsn_forms("localhost", scratch_port, CANARY_ROLE, "postgres").items()},
        "production_as_scratch": dsn_forms("127.0.0.1", source_port, CANARY_ROLE,
                                           "postgres")["uri-driver-pasted"],
        "ipv6_source": f"postgresql://{CANARY_ROLE}:{encoded}@[::1]:{source_port}/claver",
        "socket_source": f"host=/nonexistent/socket/dir dbname=claver user={CANARY_ROLE} "
                         f"password={encoded}",
        "wrong_password_source": f"postgresql://{CANARY_ROLE}:{secret('wrong-password')}"
                                 f"@127.0.0.1:{source_port}/claver",
    }
