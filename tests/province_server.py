"""A local fake of the provincial one-stop system: a real HTTP server in a thread that records
every request, keeps one copy per ``Idempotency-Key`` (as a province honouring the key does),
and answers as the test planned, one plan entry per request:

- ``ok``: 200 and a receipt reference;
- ``refuse``: the province says no (JSON: 422 with its message; SOAP: a ``soap:Client`` fault);
- ``timeout``: the change is recorded, then the answer comes too late for the sender;
- ``error``: 503 (SOAP: a ``soap:Server`` fault) with ``Retry-After: 0``.

It speaks JSON, or SOAP 1.1 when created with ``soap=True`` (the envelope is parsed back with
xml.etree and its fields read as the province would)."""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
REFUSAL = "Mã thủ tục không có trong danh mục của tỉnh"


@dataclass
class Request:
    headers: dict
    raw: bytes
    key: str | None
    fields: dict  # the JSON body, or the SOAP operation's fields


def soap_fields(raw: bytes) -> tuple[str | None, dict]:
    """The key in the envelope's header and the body's operation as a dict (nested elements as
    dicts), without namespaces."""
    root = ET.fromstring(raw)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    header, body = root.find(f"{{{SOAP_ENV}}}Header"), root.find(f"{{{SOAP_ENV}}}Body")
    assert header is not None and body is not None
    key = next((e.text for e in header if e.tag.endswith("}IdempotencyKey")), None)

    def read(element) -> dict:
        return {child.tag.split("}")[-1]: read(child) if len(child) else child.text for child in element}

    (operation,) = list(body)
    return key, {"_operation": operation.tag, **read(operation)}


class FakeProvince:
    def __init__(self, *, soap: bool = False, slow: float = 1.5) -> None:
        self.soap, self.slow = soap, slow
        self.plan: list[str] = []
        self.requests: list[Request] = []
        self.accepted: dict[str, dict] = {}  # key -> fields, in the order first accepted
        self.lock = threading.Lock()
        province = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if province.soap:
                    key, fields = soap_fields(raw)
                else:
                    fields = json.loads(raw)
                    key = fields.get("idempotency_key")
                with province.lock:
                    province.requests.append(Request(dict(self.headers), raw, key, fields))
                    what = province.plan.pop(0) if province.plan else "ok"
                    if what in ("ok", "timeout") and key not in province.accepted:
                        province.accepted[key] = fields
                    reference = (
                        f"T-{list(province.accepted).index(key) + 1}" if key in province.accepted else ""
                    )
                if what == "timeout":
                    time.sleep(province.slow)
                status, body, content_type = province.answer(what, reference)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    if what == "error":
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hoso"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, what: str, reference: str) -> tuple[int, bytes, str]:
        if self.soap:
            xml = "text/xml; charset=utf-8"
            if what == "refuse":
                return 500, fault("soap:Client", REFUSAL), xml
            if what == "error":
                return 500, fault("soap:Server", "Hệ thống đang bảo trì"), xml
            return 200, envelope(f"<KetQua><reference>{reference}</reference></KetQua>"), xml
        if what == "refuse":
            body = {"error": {"code": "unknown_procedure", "message": REFUSAL}}
            return 422, json.dumps(body, ensure_ascii=False).encode(), "application/json"
        if what == "error":
            return 503, b'{"error": "busy"}', "application/json"
        return 200, json.dumps({"reference": reference}).encode(), "application/json"

    def keys_sent(self) -> list[str | None]:
        return [request.key for request in self.requests]

    def __enter__(self) -> FakeProvince:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def fault(code: str, message: str) -> bytes:
    return envelope(
        f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{message}</faultstring></soap:Fault>"
    )
