"""Benchmark: the audit's bucket checks over an account of many buckets, against the same checks
run one bucket at a time, and the audit's peak memory.

    uv run python benchmarks/audit_speed.py --buckets 1000

moto runs in its own process (so the audit's threads do not share its interpreter), holding
--buckets buckets configured like the compliant file-storage bucket. Measured in the same run:
- baseline: the same checks (AUD_AWS_2, 5, 10, 11, 12, 13) with one call in flight, bucket
  after bucket (AwsReader(parallel=1), checks one after another);
- audit: the audit as it runs (AwsReader(parallel=--parallel), checks concurrently).
Both read every bucket's six configurations. Peak memory: tracemalloc's peak of a third,
untimed audit run (tracing slows it).
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
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.registry import all_checks
from trustctl.audit.run import run_checks
from trustctl.aws import AwsTarget, client
from trustctl.sandbox.account import PAB, tls_only_policy

BUCKET_CHECKS = ("AUD_AWS_2", "AUD_AWS_5", "AUD_AWS_10", "AUD_AWS_11", "AUD_AWS_12",
                 "AUD_AWS_13")
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


def populate(endpoint: str, count: int) -> None:
    target = AwsTarget(REGION, endpoint)
    kms, s3 = client("kms", target), client("s3", target)
    key = kms.create_key(Description="data")["KeyMetadata"]["Arn"]
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
        list(pool.map(make, range(count)))


def audit_time(endpoint: str, parallel: int, check_parallel: int) -> tuple[float, int]:
    checks = tuple(c for c in all_checks() if c.id in BUCKET_CHECKS)
    reader = AwsReader(AwsSettings(region=REGION, endpoint_url=endpoint, parallel=parallel))
    started = time.perf_counter()
    outcomes = run_checks(checks, {"aws": reader}, {}, parallel=check_parallel)
    elapsed = time.perf_counter() - started
    reader.close()
    buckets = len(reader.buckets())
    assert all(o.status.value in ("pass", "fail") for o in outcomes), "unreadable facts"
    return elapsed, buckets


def measure(endpoint: str, parallel: int, label: str) -> None:
    baseline, buckets = audit_time(endpoint, parallel=1, check_parallel=1)
    audit, _ = audit_time(endpoint, parallel=parallel, check_parallel=len(BUCKET_CHECKS))
    tracemalloc.start()  # a third run: tracing slows the audit, so it is not the timed one
    audit_time(endpoint, parallel=parallel, check_parallel=len(BUCKET_CHECKS))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {buckets} buckets x {len(BUCKET_CHECKS)} checks: one bucket at a time "
          f"{baseline:.1f} s, audit ({parallel} calls in flight) {audit:.1f} s: "
          f"ratio {audit / baseline:.2f}x; audit peak memory {peak / 2**20:.1f} MB (tracemalloc)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="per-call delay of the simulated round trip (0: skip that run)")
    args = parser.parse_args()
    moto, endpoint = start_moto()
    try:
        started = time.perf_counter()
        populate(endpoint, args.buckets)
        print(f"moto holds {args.buckets} buckets (set up in {time.perf_counter() - started:.0f}"
              " s)")
        measure(endpoint, args.parallel, "local moto (CPU-bound, no network latency)")
        if args.latency_ms:
            proxy = delaying_proxy(endpoint, args.latency_ms / 1000)
            measure(proxy, args.parallel, f"with a {args.latency_ms:.0f} ms round trip per call")
    finally:
        moto.terminate()
        moto.wait(timeout=10)


if __name__ == "__main__":
    main()
