"""moto in server mode: the sandbox's (and the tests') local AWS, never production's.

The sandbox runs it as a process of its own, `python -m trustctl.sandbox.moto <url file>`,
which writes the server's URL to that file and serves until SIGTERM: moto keeps every backup
in memory, so it must outlive whatever else of the sandbox dies (its daemon above all).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path

from trustctl.aws import AwsTarget
from trustctl.errors import DependencyError


class MotoServer:
    """moto in server mode on 127.0.0.1, on a free port, in a thread of this process.

    The sandbox's background process runs it this way (the process itself is the detached
    part), and so do the tests. State lives in memory: it is gone after `stop()`.
    """

    def __init__(self) -> None:
        try:
            from moto.moto_server.threaded_moto_server import ThreadedMotoServer
        except ImportError:
            raise DependencyError("the sandbox needs moto: install trustctl[sandbox] "
                                  "(scripts/bootstrap does)") from None

        # one line per HTTP request on stderr helps nobody; errors still get through
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def target(self, region: str) -> AwsTarget:
        """An AwsTarget that reaches this server."""
        return AwsTarget(region=region, endpoint_url=self.url)

    def stop(self) -> None:
        """Shut the HTTP server down and join its thread."""
        self._server.stop()

    def __enter__(self) -> MotoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(url_file: Path) -> int:
    """Serve until SIGTERM, SIGINT or SIGHUP; the URL goes to `url_file` once it listens."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        server = MotoServer()
    except DependencyError as exc:
        print(f"sandbox: {exc}", flush=True)
        return 1
    with server:
        partial = url_file.with_name(f".{url_file.name}.{os.getpid()}")
        partial.write_text(server.url)
        partial.replace(url_file)
        stopping.wait()
    return 0


if __name__ == "__main__":
    sys.exit(serve(Path(sys.argv[1])))
