"""Helpers of the access-review tests: collect and judge, an AWS endpoint that refuses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from trustctl.access_review import findings
from trustctl.access_review.inventory import Access, Inventory
from trustctl.access_review.roster import Roster

ACCOUNT = "123456789012"  # moto's


def judged(inventory: Inventory, roster: Roster) -> tuple[list[Access], list[findings.Flag]]:
    accesses = inventory.merged()
    return accesses, findings.flags(accesses, roster)


def checks_on(flags: list[findings.Flag], principal: str) -> set[str]:
    return {f.check for f in flags if f.principal == principal}


def row(accesses: list[Access], principal: str, resource: str) -> Access:
    return next(a for a in accesses if a.principal == principal and a.resource == resource)


def trust_policy(principal: object, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: list[str] | str, resources: list[str] | str) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


@contextmanager
def refusing_aws() -> Iterator[str]:
    """An endpoint answering every AWS call with AccessDenied, in the caller's protocol."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if "json" in (self.headers.get("Content-Type") or ""):
                body = json.dumps({"__type": "AccessDeniedException",
                                   "message": "not authorized to perform this action"}).encode()
                kind = "application/x-amz-json-1.1"
            else:
                body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                        b"<Message>not authorized to perform this action</Message></Error>"
                        b"<RequestId>1</RequestId></ErrorResponse>")
                kind = "text/xml"
            self.send_response(403 if kind == "text/xml" else 400)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
