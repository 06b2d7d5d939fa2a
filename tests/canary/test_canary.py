"""No secret escapes any command, in any DSN form, on success or on any failure path.

Each case runs the real CLI in its own process (see canary.py for what is watched). A new
command joins by adding one Case below.
"""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from canary.canary import Case
from canary.conftest import World

SCRATCH = {"TRUSTCTL_SCRATCH_DSN": "{scratch_uri_encoded}"}
DRILL = ["drill", "--sandbox", "--evidence-dir", "{work}/evidence"]
REVIEW = ["access-review", "prepare", "--out", "{work}/access-review/review.yaml",
          "--evidence-dir", "{work}/evidence"]
AUDIT = ["audit", "--evidence-dir", "{work}/evidence"]
ONLY_DATABASE = [x for area in ("aws", "cloudflare", "site", "supabase", "records", "access")
                 for x in ("--skip", area)]
ONLY_CLOUDFLARE = [x for area in ("aws", "site", "database", "supabase", "records", "access")
                   for x in ("--skip", area)]
TODAY = dt.datetime.now(dt.UTC).date().isoformat()
# Over every record the cases above left; exit 1: no access review on record is a gap.
EVIDENCE = ["evidence", "build", "--from", TODAY, "--to", TODAY, "--evidence-dir",
            "{work}/evidence"]


def _backup_run(name: str, dsn: str, codes: tuple[int, ...], *extra: str,
                **kwargs: object) -> Case:
    return Case(name, ["backup", "run", "{location}", "--kms-key", "{kms_key}", *extra], codes,
                env={"TRUSTCTL_BACKUP_DSN": dsn}, **kwargs)


# Every DSN form runs to success somewhere: backup's source (two forms), the drill's scratch
# (three), the production DSN every drill reads and refuses as scratch (key=value).
CASES = [
    Case("plan", ["plan", "--program", "{secure_program}", "--stack", "test",
                  "--output", "{work}/plan.json"], (0,)),
    Case("plan-raises", ["plan", "--program", "{raising_program}", "--stack", "test"], (2,)),
    Case("gate-fail-sarif", ["gate", "--program", "{secure_program}", "--stack", "broken",
                             "--format", "sarif", "--output", "{work}/gate.sarif",
                             "--tf-plan-out", "{work}/tf-plan.json"], (1,)),
    Case("gate-raises-junit", ["gate", "--program", "{raising_program}", "--stack", "test",
                               "--format", "junit", "--output", "{work}/gate.xml"], (2,)),
    Case("gate-fail-every-report", ["gate", "--program", "{secure_program}", "--stack", "broken",
                                    "--output", "json={work}/gate-all.json", "--output",
                                    "junit={work}/gate-all.xml", "--output",
                                    "sarif={work}/gate-all.sarif"], (1,)),
    Case("controls", ["controls", "--format", "json"], (0,)),
    Case("version", ["--version"], (0,)),
    Case("sandbox-up-again", ["sandbox", "up"], (0,)),
    Case("sandbox-status", ["sandbox", "status", "--format", "json"], (0,)),
    Case("sandbox-psql", ["sandbox", "psql", "--", "-c", "SELECT pg_sleep(0.5)"], (0,),
         must_see_process="psql"),
    _backup_run("backup-run-uri-driver-pasted", "{source_uri_driver_pasted}", (0,),
                must_see_process="pg_dump"),
    _backup_run("backup-run-uri-query", "{source_uri_query}", (0,), must_see_process="pg_dump"),
    _backup_run("backup-run-directory", "{source_uri_query}", (0,), "--dump-format", "directory",
                must_see_process="pg_dump"),
    _backup_run("backup-run-ipv6-unreachable", "{ipv6_source}", (2,)),
    _backup_run("backup-run-unix-socket-missing", "{socket_source}", (2,)),
    _backup_run("backup-run-wrong-password", "{wrong_password_source}", (2,)),
    _backup_run("backup-run-mysql", "mysql://root:{password}@db/x", (2,)),
    _backup_run("backup-run-not-a-dsn", "{password}", (2,)),
    Case("backup-list", ["backup", "list", "{location}", "--format", "json"], (0,)),
    Case("backup-verify", ["backup", "verify", "{backup_id}", "{location}"], (0,)),
    Case("backup-verify-unknown", ["backup", "verify", "20990101T000000Z-000000",
                                   "{location}"], (2,)),
    Case("drill-pass", DRILL, (0,), env=SCRATCH, must_see_process="pg_restore"),
    # from the replica the sandbox copied, the data key re-wrapped under its stand-in key
    Case("drill-region-outage", [*DRILL, "--region-outage"], (0,),
         env={"TRUSTCTL_SCRATCH_DSN": "{scratch_key_value}"}, must_see_process="pg_restore"),
    Case("drill-fail-rpo", [*DRILL, "--rpo-hours", "0.000001"], (1,),
         env={"TRUSTCTL_SCRATCH_DSN": "{scratch_key_value}"}),
    Case("drill-refuses-production", DRILL, (2,),
         env={"TRUSTCTL_SCRATCH_DSN": "{production_as_scratch}"}),
    Case("drill-bad-scratch-dsn", DRILL, (2,),
         env={"TRUSTCTL_SCRATCH_DSN": "mysql://root:{password}@db/x"}),
    # the canary superuser is on no roster: a finding (exit 1) that names it, never its password
    Case("access-review-sandbox", [*REVIEW, "--sandbox"], (1,)),
    Case("access-review-database", [*REVIEW, "--skip", "aws", "--skip", "cloudflare"], (1,),
         env={"TRUSTCTL_DATABASE_DSN": "{source_uri_driver_pasted}"}),
    Case("access-review-database-wrong-password", [*REVIEW, "--skip", "aws", "--skip",
                                                   "cloudflare"], (2,),
         env={"TRUSTCTL_DATABASE_DSN": "{wrong_password_source}"}),
    Case("access-review-cloudflare-unreachable", [
        *REVIEW, "--skip", "aws", "--skip", "database", "--cloudflare-account", "0123abcd",
        "--cloudflare-base-url", "http://127.0.0.1:9/client/v4"], (2,)),
    Case("access-review-record-incomplete", ["access-review", "record",
                                             "{work}/access-review/review.yaml",
                                             "--evidence-dir", "{work}/evidence"], (2,)),
    Case("drill-interrupted", DRILL, (130,),
         env={"TRUSTCTL_SCRATCH_DSN": "{scratch_uri_driver_pasted}"},
         interrupt_after="restore started", held=True),
    # after the drills: their records are what the sandbox audit's RESTORE-DRILL reads; no
    # access review was recorded (the one above is incomplete): ACCESS-REVIEW fails, exit 1
    Case("audit-sandbox", [*AUDIT, "--sandbox", "--format", "json"], (1,)),
    Case("audit-database-uri", [*AUDIT, *ONLY_DATABASE, "--app-role", "claver_app"], (0,),
         env={"TRUSTCTL_AUDIT_DSN": "{source_uri_driver_pasted}"}),
    Case("audit-database-wrong-password", [*AUDIT, *ONLY_DATABASE], (2,),
         env={"TRUSTCTL_AUDIT_DSN": "{wrong_password_source}"}),
    Case("audit-cloudflare-unreachable", [*AUDIT, *ONLY_CLOUDFLARE, "--cloudflare-base-url",
                                          "http://127.0.0.1:9/client/v4"], (2,)),
    Case("evidence-build", [*EVIDENCE, "--out", "{work}/evidence-report"], (1,)),
    Case("evidence-verify", ["evidence", "verify", "{work}/evidence-report",
                             "--allow-unsigned"], (0,)),
    Case("evidence-verify-not-a-report", ["evidence", "verify", "{work}/evidence"], (2,)),
    Case("evidence-build-trusting-this-machine", [*EVIDENCE, "--trust-local-key", "--out",
                                                  "{work}/evidence-local"], (1,)),
    # the sandbox's records, as the sandbox report (the production one leaves them out)
    Case("evidence-build-sandbox", [*EVIDENCE, "--environment", "sandbox", "--out",
                                    "{work}/evidence-sandbox"], (1,)),
    Case("evidence-verify-pinned-unsigned", ["evidence", "verify", "{work}/evidence-sandbox",
                                             "--fingerprint", "sha256:" + "0" * 64], (2,)),
]


def _fill(text: str, world: World) -> str:
    return text.format(work=world.work, **world.values)


def _argv(case: Case, world: World) -> list[str]:
    argv: list[str] = []
    for item in case.argv:
        argv += world.location if item == "{location}" else [_fill(item, world)]
    return argv


def _problems(world: World, case: Case) -> list[str]:
    run = world.run(_argv(case, world), {k: _fill(v, world) for k, v in case.env.items()},
                    interrupt_after=case.interrupt_after, held=case.held)
    if run.code not in case.codes:
        return [f"{case.name}: exit {run.code}: {run.stderr[-2000:]}\n{world.log_tails()}"]
    found = []
    leaks = run.leaks(world.secrets)  # where, not what: the message must not leak either
    if leaks:
        found.append(f"{case.name}: a secret escaped to {leaks}")
    if run.code and "Traceback" in run.stderr:
        found.append(f"{case.name}: a traceback on stderr")
    if case.must_see_process and not any(  # the watch saw the tool, so its argv was checked
            case.must_see_process in line.split(" ", 1)[0] for line in run.cmdlines):
        found.append(f"{case.name}: {case.must_see_process} was never seen running")
    return found


@pytest.mark.slow
def test_no_canary_escapes(world: World) -> None:
    """The cases build on each other (the drills' records feed the audit, the build feeds
    verify), so one test runs them in order whatever the scheduler; every case that fails is
    named. Then every record and report written is 0640 or stricter."""
    problems = [problem for case in CASES for problem in _problems(world, case)]
    assert not problems, "\n".join(problems)
    written = [p for p in world.work.rglob("*") if p.is_file()]
    assert any(p.name.startswith("drill-") for p in written), "no drill record was written"
    for path in written:
        assert not stat.S_IMODE(path.stat().st_mode) & 0o027, path
