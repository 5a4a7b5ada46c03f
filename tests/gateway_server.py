"""A local HTTP server that records what it gets and answers as a gateway would: the tests'
SMS brandname and Zalo ZNS gateway. Each path's answer is set by the test (status, JSON body,
headers, a delay), or made per request by ``respond`` (a gateway that remembers what it got);
every request is kept with its headers and JSON body. While ``hold`` is set, a request is kept
waiting for its answer (``holding`` tells the test one arrived): a sender killed then never
hears how its request went."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: object
    query: dict


class Gateway:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.received: list[Received] = []
        self.respond: Callable[[Received], Answer] | None = None
        self.hold, self.holding = threading.Event(), threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                url = urlsplit(self.path)
                received = Received("POST", url.path, dict(self.headers), body, parse_qs(url.query))
                gateway.received.append(received)
                answer = (
                    gateway.respond(received) if gateway.respond else gateway.answers.get(url.path, Answer())
                )
                while gateway.hold.is_set():
                    gateway.holding.set()
                    time.sleep(0.05)
                if answer.delay:
                    time.sleep(answer.delay)
                data = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout case)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(
        self, path: str, status: int = 200, body: object = None, headers=None, delay: float = 0.0
    ) -> str:
        self.answers[path] = Answer(status, {} if body is None else body, headers or {}, delay)
        return self.url + path

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
