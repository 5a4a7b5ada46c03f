"""Speaking to the provincial system: one class per way a province listens.

- :class:`JsonAdapter`: ``POST`` the message as JSON to the endpoint.
- :class:`SoapAdapter`: ``POST`` a plain SOAP 1.1 envelope (``text/xml``, ``SOAPAction``), built
  with xml.etree: the message's fields as elements of the body's one operation element.

Both send the message's key in an ``Idempotency-Key`` header and in the message itself (JSON
``idempotency_key``; SOAP ``<IdempotencyKey>`` in the header), the same on every attempt, so
the province recognises a repeat after a lost answer. Credentials: HTTP Basic with a user
name, else the secret as a Bearer token.

What the answer means, the same for both: 2xx is an acknowledgement (with the province's
reference when it gives one); 408, 429 (with ``Retry-After``), 5xx, a timeout or no answer may
pass and is tried again; any other 4xx, or a SOAP fault of the ``Client`` kind, is a refusal,
kept with the province's own message and not tried again. A reason kept here is the
province's message or a code ("timeout", "HTTP 503"), never the body sent.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import ClassVar

import requests

from ..outboxes import retry_after
from .models import Adapter, ProvinceLink

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
DEFAULT_NAMESPACE = "urn:mot-cua:ho-so:1"  # [assumed] a province's WSDL names its own
DEFAULT_SOAP_ACTION = "CapNhatTrangThaiHoSo"  # [assumed] likewise
OPERATION = "CapNhatTrangThaiHoSo"
REASON_MAX = 500
TEMPORARY = frozenset({408, 425, 429})


@dataclass
class Outcome:
    """How one attempt went: ``acknowledged``, ``refused`` or ``retry``."""

    kind: str
    http_status: int | None = None
    reason: str | None = None
    reference: str | None = None
    retry_after: float | None = None


def _clip(text: str | None) -> str | None:
    return " ".join(text.split())[:REASON_MAX] if text else None


def _auth(link: ProvinceLink) -> tuple[dict[str, str], tuple[str, str] | None]:
    if link.username:
        return {}, (link.username, link.secret or "")
    if link.secret:
        return {"Authorization": f"Bearer {link.secret}"}, None
    return {}, None


class BaseAdapter:
    content_type: ClassVar[str]

    def __init__(self, link: ProvinceLink) -> None:
        self.link = link

    def body(self, key: str, message: dict) -> bytes:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}

    def read(self, response: requests.Response) -> Outcome:
        raise NotImplementedError

    def send(self, key: str, message: dict) -> Outcome:
        auth_headers, auth = _auth(self.link)
        headers = {
            "Content-Type": self.content_type,
            "Idempotency-Key": key,
            **self.headers(),
            **auth_headers,
        }
        try:
            response = requests.post(
                self.link.endpoint_url,
                data=self.body(key, message),
                headers=headers,
                auth=auth,
                timeout=self.link.timeout_seconds,
            )
        except requests.Timeout:
            return Outcome("retry", reason="timeout")
        except requests.RequestException as error:
            return Outcome("retry", reason=f"not reached ({type(error).__name__})")
        status = response.status_code
        if status in TEMPORARY or status >= 500:
            outcome = self.read(response) if status >= 500 else Outcome("retry")
            if outcome.kind == "refused":  # a SOAP Client fault comes with HTTP 500
                outcome.http_status = status
                return outcome
            return Outcome(
                "retry",
                http_status=status,
                reason=f"HTTP {status}",
                retry_after=retry_after(response.headers.get("Retry-After")),
            )
        outcome = self.read(response)
        outcome.http_status = status
        if 200 <= status < 300:
            return outcome if outcome.kind != "retry" else Outcome("acknowledged", http_status=status)
        return Outcome("refused", http_status=status, reason=outcome.reason or f"HTTP {status}")


class JsonAdapter(BaseAdapter):
    content_type = "application/json"

    def body(self, key: str, message: dict) -> bytes:
        return json.dumps({"idempotency_key": key, **message}, ensure_ascii=False).encode()

    def read(self, response: requests.Response) -> Outcome:
        try:
            answer = response.json()
        except ValueError:
            return Outcome(
                "retry" if response.status_code >= 500 else "acknowledged", reason=_clip(response.text)
            )
        if not isinstance(answer, dict):
            return Outcome("acknowledged")
        error = answer.get("error")
        message = answer.get("message")
        if isinstance(error, dict):
            message = error.get("message") or error.get("code") or message
        elif isinstance(error, str):
            message = error
        reference = answer.get("reference") or answer.get("id")
        return Outcome(
            "acknowledged",
            reason=_clip(str(message)) if message else None,
            reference=str(reference)[:200] if reference is not None else None,
        )


class SoapAdapter(BaseAdapter):
    content_type = "text/xml; charset=utf-8"

    @property
    def namespace(self) -> str:
        return self.link.soap_namespace or DEFAULT_NAMESPACE

    def headers(self) -> dict[str, str]:
        return {"SOAPAction": f'"{self.link.soap_action or DEFAULT_SOAP_ACTION}"'}

    def body(self, key: str, message: dict) -> bytes:
        return envelope(key, message, self.namespace)

    def read(self, response: requests.Response) -> Outcome:
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError:
            return Outcome("retry" if response.status_code >= 500 else "acknowledged")
        fault = root.find(f".//{{{SOAP_ENV}}}Fault")
        if fault is not None:
            code = (fault.findtext("faultcode") or "").split(":")[-1]
            reason = _clip(fault.findtext("faultstring")) or code
            return Outcome("refused" if code.startswith("Client") else "retry", reason=reason)
        reference = next(
            (
                element.text
                for element in root.iter()
                if element.tag.split("}")[-1] == "reference" and element.text
            ),
            None,
        )
        return Outcome("acknowledged", reference=reference[:200] if reference else None)


def envelope(key: str, message: dict, namespace: str = DEFAULT_NAMESPACE) -> bytes:
    """A SOAP 1.1 envelope: the key in the header, the message's fields in the body's
    ``<CapNhatTrangThaiHoSo>``, nested objects as nested elements, nothing for None."""
    ET.register_namespace("soap", SOAP_ENV)
    root = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    header = ET.SubElement(root, f"{{{SOAP_ENV}}}Header")
    ET.SubElement(header, f"{{{namespace}}}IdempotencyKey").text = key
    body = ET.SubElement(root, f"{{{SOAP_ENV}}}Body")
    operation = ET.SubElement(body, f"{{{namespace}}}{OPERATION}")

    def add(parent: ET.Element, fields: dict) -> None:
        for name, value in fields.items():
            if value is None:
                continue
            element = ET.SubElement(parent, f"{{{namespace}}}{name}")
            if isinstance(value, dict):
                add(element, value)
            else:
                element.text = str(value)

    add(operation, {"idempotency_key": key, **message})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


ADAPTERS: dict[str, type[BaseAdapter]] = {Adapter.JSON: JsonAdapter, Adapter.SOAP: SoapAdapter}
