"""The one local JSON-over-HTTP server behind the audit's fake APIs (AWS Backup, Cloudflare,
Supabase): each fake supplies only `route(path, headers) -> (status, body)`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[str, Message], tuple[int, Any]]


def serve_json(route: Route) -> ThreadingHTTPServer:
    """Start a server on a free 127.0.0.1 port answering GETs through `route`, in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = route(self.path, self.headers)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
