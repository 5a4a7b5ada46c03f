"""A browser's push subscription keys and a push service on a free local port, for the Web
Push tests: the service records each request and can hold its answer (``hold``), the keys
decrypt what it got as the browser would."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class BrowserKeys:
    """What a browser makes when it subscribes: an ECDH P-256 key pair and an auth secret."""

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.keys = {"p256dh": b64(public), "auth": b64(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


class PushService:
    """A push service on a free local port: it records every request, and answers each path
    with what the test set in ``answers`` (201 and a Location by default)."""

    def __init__(self):
        self.received: list[dict] = []
        self.hold, self.holding = threading.Event(), threading.Event()
        self.answers: dict[str, tuple[int, dict]] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                service.received.append({"path": self.path, "headers": headers, "body": body})
                while service.hold.is_set():  # the sender waits for an answer it may never get
                    service.holding.set()
                    time.sleep(0.05)
                status, headers = service.answers.get(
                    self.path, (201, {"Location": f"/messages/{len(service.received)}"})
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
