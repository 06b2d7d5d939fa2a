"""Benchmark: the audit's S3, KMS, RDS and EC2 checks over an account of many buckets, against
the same checks making the same calls one at a time, the audit's peak memory, and (--prowler)
Prowler over the same account.

    uv run python benchmarks/audit_speed.py --buckets 1000 --keys 20 --databases 6 --groups 10
    uv venv /tmp/prowler-venv && uv pip install --python /tmp/prowler-venv prowler==5.46.0
    uv run python benchmarks/audit_speed.py --latency-ms 0 --prowler /tmp/prowler-venv/bin/prowler

moto runs in its own process (`trustctl.sandbox.moto`, as the sandbox runs it), holding
--buckets buckets configured like the file-storage bucket but half under SSE-S3 instead of
SSE-KMS, --keys KMS keys (half never rotate), --databases RDS instances (half public) and
--groups security groups (half open to PostgreSQL from anywhere): the mix of issue 27.
Measured in the same run:
- baseline: the same checks (AUD_AWS_1, 2, 5, 10, 11, 12, 13, 19, 20), each API call the
  checks need made once, one at a time (AwsReader(parallel=1), checks one after another): the
  least a sequential tool must do;
- audit: the audit as it runs (AwsReader(parallel=--parallel), checks concurrently), with its
  CPU and moto's (against a local moto every call costs CPU on the shared cores, not latency);
- per service: each service's facts read alone by a fresh reader, sequential and parallel, with
  the calls made (so where the time goes is visible).
Peak memory: tracemalloc's peak of a further, untimed audit run (tracing slows it).
--latency-ms adds a fixed delay per call in a local proxy to show the ratio under real-AWS
round trips (~20-50 ms), reported separately.
--prowler: `trustctl audit` (every AWS check, the other areas skipped) and Prowler (its 4
checks matching ours: KMS rotation, S3 SSE-KMS, RDS public, PostgreSQL open to the internet;
--scan-unused-services), both run as commands against the same account, the audit once before
and once after Prowler; prints both times (wall; each command's own CPU and the CPU moto spent
serving it, which a loaded machine moves less), the ratios (aim <= 0.1x) and, per check pair,
whether both failed the same resources. Prowler's RDS check fails a public instance only when a
security group also opens its port to the internet from a public subnet; ours fails the
public flag itself, so the RDS line differs by design.
"""

from __future__ import annotations

import argparse
import csv
import glob
import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.registry import all_checks
from trustctl.audit.run import run_checks
from trustctl.aws import AwsTarget, client
from trustctl.sandbox.account import PAB, tls_only_policy

CHECKS = ("AUD_AWS_1", "AUD_AWS_2", "AUD_AWS_5", "AUD_AWS_10", "AUD_AWS_11", "AUD_AWS_12",
          "AUD_AWS_13", "AUD_AWS_19", "AUD_AWS_20")
SERVICES = {  # service -> the reader's facts of it the checks use
    "s3": lambda r: r.buckets(), "kms": lambda r: r.kms_keys(),
    "rds": lambda r: r.databases(), "ec2": lambda r: r.security_groups(),
}
REGION = "us-east-1"
PROWLER_CHECKS = {  # Prowler's check -> (ours judging the same thing, the CSV column naming
    "kms_cmk_rotation_enabled": ("AUD_AWS_1", "RESOURCE_UID"),  # the resource as ours do)
    "s3_bucket_kms_encryption": ("AUD_AWS_2", "RESOURCE_NAME"),
    "rds_instance_no_public_access": ("AUD_AWS_19", "RESOURCE_NAME"),
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432": (
        "AUD_AWS_20", "RESOURCE_NAME"),
}
OTHER_AREAS = [arg for area in ("cloudflare", "site", "database", "supabase", "records",
                                "access") for arg in ("--skip", area)]


def start_moto(workdir: str) -> tuple[subprocess.Popen, str]:
    """The project's moto (`trustctl.sandbox.moto`, as the sandbox and the tests run it: no
    log line per request) in a process of its own, so the audit's threads do not share its
    interpreter."""
    url_file = os.path.join(workdir, "moto.url")
    moto = subprocess.Popen([sys.executable, "-m", "trustctl.sandbox.moto", url_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if os.path.exists(url_file):
            return moto, Path(url_file).read_text()
        time.sleep(0.1)
    moto.kill()
    raise SystemExit("moto did not start")


def delaying_proxy(upstream: str, delay: float) -> str:
    """A local HTTP proxy that waits `delay` seconds before forwarding each request."""
    host, port = upstream.removeprefix("http://").split(":")

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(delay)
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            conn.request(self.command, self.path, body, dict(self.headers))
            response = conn.getresponse()
            data = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


@dataclass(frozen=True)
class Mix:
    buckets: int
    keys: int
    databases: int
    groups: int


def populate(endpoint: str, mix: Mix) -> None:
    target = AwsTarget(REGION, endpoint)
    kms, s3 = client("kms", target), client("s3", target)
    key = kms.create_key(Description="data")["KeyMetadata"]["Arn"]
    for index in range(mix.keys - 1):
        made = kms.create_key(Description=f"key {index}")["KeyMetadata"]["KeyId"]
        if index % 2 == 0:  # the data key and 9 more never rotate: 10 findings
            kms.enable_key_rotation(KeyId=made)
    rds, ec2 = client("rds", target), client("ec2", target)
    for index in range(mix.databases):
        rds.create_db_instance(DBInstanceIdentifier=f"db-{index}", Engine="postgres",
                               DBInstanceClass="db.t3.micro", AllocatedStorage=20,
                               MasterUsername="bench", MasterUserPassword="bench-password-1",
                               PubliclyAccessible=bool(index % 2))
    for index in range(mix.groups):
        group = ec2.create_security_group(GroupName=f"sg-{index}", Description="bench")
        if index % 2:
            ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    def make(index: int) -> None:
        name = f"bench-{index:05d}"
        s3.create_bucket(Bucket=name)
        default = ({"SSEAlgorithm": "AES256"} if index % 2 else  # half SSE-S3: findings
                   {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": default}]})
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, range(mix.buckets)))


def counted(reader: AwsReader) -> Counter:
    """Counts the reader's API calls by service:operation (botocore's before-call event)."""
    calls: Counter = Counter()
    reader._session = reader._base_session()  # its clients, made next, inherit the probe
    reader._session.events.register(
        "before-call.*.*", lambda model, **_: calls.update([
            f"{model.service_model.service_name}:{model.name}"]))
    return calls


def audit_time(endpoint: str, parallel: int, check_parallel: int) -> tuple[float, Counter]:
    checks = tuple(c for c in all_checks() if c.id in CHECKS)
    reader = AwsReader(AwsSettings(region=REGION, endpoint_url=endpoint, parallel=parallel))
    calls = counted(reader)
    started = time.perf_counter()
    outcomes = run_checks(checks, {"aws": reader}, {}, parallel=check_parallel)
    elapsed = time.perf_counter() - started
    reader.close()
    unreadable = [w for o in outcomes for w in o.unreadable]
    assert not unreadable, f"unreadable facts: {unreadable[:3]}"
    return elapsed, calls


def service_times(endpoint: str, parallel: int) -> None:
    for service, read in SERVICES.items():
        line = []
        for label, width in (("one call at a time", 1), (f"{parallel} in flight", parallel)):
            reader = AwsReader(AwsSettings(region=REGION, endpoint_url=endpoint,
                                           parallel=width))
            calls = counted(reader)
            started = time.perf_counter()
            found = len(read(reader))
            line.append(f"{label} {time.perf_counter() - started:6.2f} s")
            reader.close()
        print(f"  {service:<4} {found:5d} found, {sum(calls.values()):5d} calls: "
              + ", ".join(line))


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(endpoint: str, parallel: int, label: str, moto_pid: int) -> None:
    baseline, calls = audit_time(endpoint, parallel=1, check_parallel=1)
    ours, theirs = time.process_time(), cpu_seconds(moto_pid)
    audit, audit_calls = audit_time(endpoint, parallel=parallel, check_parallel=len(CHECKS))
    ours, theirs = time.process_time() - ours, cpu_seconds(moto_pid) - theirs
    tracemalloc.start()  # a third run: tracing slows the audit, so it is not the timed one
    audit_time(endpoint, parallel=parallel, check_parallel=len(CHECKS))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert audit_calls == calls, "the audit and the baseline make different calls"
    total = sum(calls.values())
    print(f"{label}: {len(CHECKS)} checks, {total} API calls (each once; by "
          f"kind: {dict(calls.most_common(4))}...)")
    service_times(endpoint, parallel)
    print(f"  audit CPU: ours {ours:.1f} s ({1000 * ours / total:.2f} ms a call), moto's "
          f"{theirs:.1f} s ({1000 * theirs / total:.2f} ms a call; its own process)")
    print(f"  baseline, every call one at a time {baseline:.1f} s; audit ({parallel} calls in "
          f"flight) {audit:.1f} s: ratio {audit / baseline:.2f}x; audit peak memory "
          f"{peak / 2**20:.1f} MB (tracemalloc)")


def aws_env(endpoint: str) -> dict[str, str]:
    """A command's environment aimed at the moto account: dummy keys, no profile, one region."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION,
                  "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
                  "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": os.devnull,
                  "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


@dataclass(frozen=True)
class Run:
    """One command's wall time, its own CPU and the CPU moto spent serving it (seconds): the
    CPU figures hold still on a loaded machine where the wall time does not."""

    wall: float
    cpu: float
    moto_cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.1f} s (its CPU {self.cpu:.1f} s, moto's {self.moto_cpu:.1f} s)"


def timed_run(command: list[str], endpoint: str, moto_pid: int, ok: tuple[int, ...]) -> Run:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    moto_cpu, started = cpu_seconds(moto_pid), time.perf_counter()
    proc = subprocess.run(command, env=aws_env(endpoint), capture_output=True, text=True,
                          check=False)
    wall, moto_cpu = time.perf_counter() - started, cpu_seconds(moto_pid) - moto_cpu
    if proc.returncode not in ok:
        raise SystemExit(f"{command[0]} exited {proc.returncode}: {proc.stderr[-800:]}")
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(wall, now.ru_utime + now.ru_stime - children.ru_utime - children.ru_stime,
               moto_cpu)


def trustctl_audit(endpoint: str, moto_pid: int,
                   workdir: str) -> tuple[Run, dict[str, set[str]]]:
    """`trustctl audit`'s AWS part as a user runs it (every AWS check, start-up and record
    included): its time, and each check's failing resources."""
    report = os.path.join(workdir, "audit.json")
    run = timed_run([os.path.join(os.path.dirname(sys.executable), "trustctl"), "audit",
                     "--region", REGION, *OTHER_AREAS, "--evidence-dir",
                     os.path.join(workdir, "evidence"), "--format", "json", "--output", report],
                    endpoint, moto_pid, ok=(0, 1))
    found: dict[str, set[str]] = {}
    for control in json.loads(Path(report).read_text())["controls"]:
        for finding in control["findings"]:
            found.setdefault(finding["check_id"], set()).add(finding["resource"])
    return run, found


def prowler_scan(prowler: str, endpoint: str, moto_pid: int,
                 workdir: str) -> tuple[Run, dict[str, set[str]]]:
    """Prowler's 4 checks matching ours over the same account: its time, and our check id ->
    the resources it failed (named as ours name them)."""
    out = os.path.join(workdir, "prowler")
    run = timed_run([prowler, "aws", "--checks", *PROWLER_CHECKS, "--scan-unused-services",
                     "--region", REGION, "--output-formats", "csv", "--output-directory", out,
                     "--no-banner"], endpoint, moto_pid, ok=(0, 3))  # 3: something failed
    found: dict[str, set[str]] = {ours: set() for ours, _ in PROWLER_CHECKS.values()}
    [report] = glob.glob(os.path.join(out, "*.csv"))
    with open(report, newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["STATUS"] == "FAIL":
                ours, column = PROWLER_CHECKS[row["CHECK_ID"]]
                found[ours].add(row[column])
    return run, found


def compare_with_prowler(prowler: str, endpoint: str, moto_pid: int) -> None:
    version = subprocess.run([prowler, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="audit-speed-") as workdir:
        before, found = trustctl_audit(endpoint, moto_pid, workdir)
        theirs, prowler_found = prowler_scan(prowler, endpoint, moto_pid, workdir)
        after, _ = trustctl_audit(endpoint, moto_pid, workdir)
    audit = (before.wall + after.wall) / 2
    ours_cpu = (before.cpu + before.moto_cpu + after.cpu + after.moto_cpu) / 2
    print(f"{version} ({len(PROWLER_CHECKS)} matching checks, --scan-unused-services) vs "
          f"trustctl audit (every AWS check, other areas skipped), both as commands on the "
          f"same moto account; load {os.getloadavg()[0]:.1f}")
    print(f"  prowler {theirs}; trustctl audit before it {before}, after it {after}")
    print(f"  ratio trustctl audit / prowler: {audit / theirs.wall:.2f}x wall time, "
          f"{ours_cpu / (theirs.cpu + theirs.moto_cpu):.2f}x CPU (its own and moto's)")
    for check, (ours, _) in PROWLER_CHECKS.items():
        mine, its = found.get(ours, set()), prowler_found[ours]
        same = (f"same {len(mine)} failing" if mine == its else
                f"ours {len(mine)}, prowler's {len(its)} (only ours: "
                f"{', '.join(sorted(mine - its)[:4]) or '-'}; only prowler's: "
                f"{', '.join(sorted(its - mine)[:4]) or '-'})")
        print(f"  {ours:<10} / {check}: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--databases", type=int, default=6)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="per-call delay of the simulated round trip (0: skip that run)")
    parser.add_argument("--prowler", metavar="PATH",
                        help="a Prowler executable (kept out of the project, e.g. in its own "
                        "venv): time it against `trustctl audit` on the same account")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="audit-speed-moto-")
    moto, endpoint = start_moto(workdir)
    try:
        started = time.perf_counter()
        mix = Mix(args.buckets, args.keys, args.databases, args.groups)
        populate(endpoint, mix)
        print(f"moto holds {mix.buckets} buckets, {mix.keys} KMS keys, {mix.databases} RDS "
              f"instances, {mix.groups} security groups (set up in "
              f"{time.perf_counter() - started:.0f} s)")
        measure(endpoint, args.parallel, "local moto (CPU-bound, no network latency)",
                  moto.pid)
        if args.prowler:
            compare_with_prowler(args.prowler, endpoint, moto.pid)
        if args.latency_ms:
            proxy = delaying_proxy(endpoint, args.latency_ms / 1000)
            measure(proxy, args.parallel, f"with a {args.latency_ms:.0f} ms round trip per call",
                    moto.pid)
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=60)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
