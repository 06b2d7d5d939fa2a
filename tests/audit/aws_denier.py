"""An AWS endpoint on 127.0.0.1 that refuses every call with AccessDenied, in the wire format
of the caller's protocol (JSON for X-Amz-Target services, XML for the rest): what an audit
role lacking permissions sees."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

XML = (b'<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied'
       b'</Code><Message>not authorized</Message></Error><RequestId>1</RequestId>'
       b'</ErrorResponse>')
S3_XML = b'<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>'
JSON = b'{"__type": "AccessDeniedException", "message": "not authorized"}'


class _Deny(BaseHTTPRequestHandler):
    def _deny(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.headers.get("X-Amz-Target") or "json" in self.headers.get("Content-Type", ""):
            body, kind = JSON, "application/x-amz-json-1.1"
        elif "Action=" in self.path or self.command == "POST":
            body, kind = XML, "text/xml"
        else:
            body, kind = S3_XML, "application/xml"
        self.send_response(403)
        self.send_header("Content-Type", kind)
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _deny

    def log_message(self, *args: object) -> None:
        pass


class DenyingAws:
    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Deny)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def __enter__(self) -> DenyingAws:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
