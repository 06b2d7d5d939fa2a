"""Benchmark: the audit's S3, KMS, RDS and EC2 checks over an account of many buckets, against
the same checks making the same calls one at a time, and the audit's peak memory.

    uv run python benchmarks/audit_speed.py --buckets 1000 --keys 20 --databases 6 --groups 10

moto runs in its own process (so the audit's threads do not share its interpreter), holding
--buckets buckets configured like the compliant file-storage bucket, --keys KMS keys (half
without rotation), --databases RDS instances (half public) and --groups security groups (half
open to PostgreSQL from anywhere): the mix Prowler was compared on (issue 27; Prowler is not
needed here). Measured in the same run:
- baseline: the same checks (AUD_AWS_1, 2, 5, 10, 11, 12, 13, 19, 20), each API call the
  checks need made once, one at a time (AwsReader(parallel=1), checks one after another): the
  least a sequential tool must do;
- audit: the audit as it runs (AwsReader(parallel=--parallel), checks concurrently);
- per service: each service's facts read alone by a fresh reader, sequential and parallel, with
  the calls made (so where the time goes is visible).
Peak memory: tracemalloc's peak of a further, untimed audit run (tracing slows it).
Aim: audit <= 0.1x the baseline. Against a local moto every call costs CPU, not network
latency, on the 2 shared cores: --latency-ms adds a fixed delay per call in a local proxy to
show the ratio under real-AWS round trips (~20-50 ms), reported separately.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    moto = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "moto_server"),
                             "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return moto, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto_server did not start")


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
        if index % 2:
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
    s3.create_bucket(Bucket="logs")

    def make(index: int) -> None:
        name = f"bench-{index:05d}"
        s3.create_bucket(Bucket=name)
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": key}}]})
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


def measure(endpoint: str, parallel: int, label: str) -> None:
    baseline, calls = audit_time(endpoint, parallel=1, check_parallel=1)
    audit, audit_calls = audit_time(endpoint, parallel=parallel, check_parallel=len(CHECKS))
    tracemalloc.start()  # a third run: tracing slows the audit, so it is not the timed one
    audit_time(endpoint, parallel=parallel, check_parallel=len(CHECKS))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert audit_calls == calls, "the audit and the baseline make different calls"
    print(f"{label}: {len(CHECKS)} checks, {sum(calls.values())} API calls (each once; by "
          f"kind: {dict(calls.most_common(4))}...)")
    service_times(endpoint, parallel)
    print(f"  baseline, every call one at a time {baseline:.1f} s; audit ({parallel} calls in "
          f"flight) {audit:.1f} s: ratio {audit / baseline:.2f}x; audit peak memory "
          f"{peak / 2**20:.1f} MB (tracemalloc)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--databases", type=int, default=6)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="per-call delay of the simulated round trip (0: skip that run)")
    args = parser.parse_args()
    moto, endpoint = start_moto()
    try:
        started = time.perf_counter()
        mix = Mix(args.buckets, args.keys, args.databases, args.groups)
        populate(endpoint, mix)
        print(f"moto holds {mix.buckets} buckets, {mix.keys} KMS keys, {mix.databases} RDS "
              f"instances, {mix.groups} security groups (set up in "
              f"{time.perf_counter() - started:.0f} s)")
        measure(endpoint, args.parallel, "local moto (CPU-bound, no network latency)")
        if args.latency_ms:
            proxy = delaying_proxy(endpoint, args.latency_ms / 1000)
            measure(proxy, args.parallel, f"with a {args.latency_ms:.0f} ms round trip per call")
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=60)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait()


if __name__ == "__main__":
    main()
