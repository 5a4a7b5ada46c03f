"""SMS brandname and Zalo ZNS through a gateway's HTTP API: one small class per gateway family.

Vietnamese gateways differ in their field names and codes but not in their shape: a JSON POST
with the account's key and secret, the brandname, the phone and the text, and a JSON answer
with a result code and the gateway's id of the message. So the family's fields and codes are
settings with the defaults of the gateway each family was written from, and a site that uses
another gateway of the same shape names its fields instead of waiting for a new class.

Errors are mapped the same way for every family (the worker retries a
:class:`~.base.TemporaryFailure` and gives up on a :class:`~.base.PermanentFailure`): no
answer, a timeout, 429 (with its ``Retry-After``) and 5xx may pass; a refused phone number,
an unapproved template, wrong credentials will not. The notification's key goes with every
attempt as the gateway's request id, so a retry after a lost answer is recognised as a repeat.
A failure's reason is a code ("timeout", "HTTP 503", the gateway's "101" or "-124"), never
the number or the text: it is kept in the outbox row and shown to staff.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar

import requests

from ...errors import ApiError
from ...outboxes import retry_after
from ...phones import normalise_phone
from ..smslength import measure, unaccented
from .base import FailureKind, Message, PermanentFailure, Receipt, TemporaryFailure

# Seconds a gateway has to answer: enough for a slow mobile network operator's API, short
# enough that a worker is not held; a timeout is retried with the same request id.
DEFAULT_TIMEOUT = 10.0
MAX_SEGMENTS_LIMIT = 10
REQUEST_ID_MAX = 50  # eSMS's RequestId: "maximum length 50 characters"
BRANDNAME_MAX = 11  # an alphanumeric sender id: 11 characters (3GPP TS 23.040 §9.1.2.5)
_BRANDNAME = re.compile(r"^[A-Za-z0-9 ._-]{1,11}$")


class InvalidSettings(ValueError):
    """A channel's setting the admin must correct: ``code`` names the mistake, ``field`` the
    setting (the administration says it in Vietnamese by its code)."""

    def __init__(self, code: str, field: str, message: str):
        super().__init__(message)
        self.code, self.field = code, field


def post_json(url: str, body: dict, headers: dict[str, str], timeout: float) -> dict:
    """POST ``body`` and return the answer's JSON; what HTTP says is mapped here, once for
    every family. What the JSON says is the family's to judge."""
    try:
        response = requests.post(url, json=body, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise TemporaryFailure("timeout", kind=FailureKind.TIMEOUT) from None
    except requests.RequestException as error:
        raise TemporaryFailure(
            f"unreachable ({type(error).__name__})", kind=FailureKind.UNREACHABLE
        ) from None
    status = response.status_code
    if status == 429:
        raise TemporaryFailure(
            "HTTP 429", retry_after(response.headers.get("Retry-After")), kind=FailureKind.RATE_LIMITED
        )
    if status >= 500:
        raise TemporaryFailure(
            f"HTTP {status}", retry_after(response.headers.get("Retry-After")), kind=FailureKind.UNAVAILABLE
        )
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if status in (401, 403):  # the account's key or token
        raise PermanentFailure(f"HTTP {status}", kind=FailureKind.MISCONFIGURED)
    if status >= 400:
        raise PermanentFailure(f"HTTP {status}", kind=FailureKind.REJECTED)
    if not isinstance(answer, dict):
        raise TemporaryFailure(f"HTTP {status}, not JSON", kind=FailureKind.UNAVAILABLE)
    return answer


def refused(code: str, temporary_codes, kinds: dict[str, str]) -> Exception:
    """The failure of a gateway's result ``code``: retried if the site's settings say so, of the
    kind the family's table gives (else the gateway is taken as unavailable for a code it will
    take later, as refusing the message for one it will not)."""
    reason = code or "?"
    if code in temporary_codes:
        return TemporaryFailure(reason, kind=kinds.get(code, FailureKind.UNAVAILABLE))
    return PermanentFailure(reason, kind=kinds.get(code, FailureKind.REJECTED))


def e164(recipient: str) -> str:
    """The recipient's mobile number in E.164; a number no gateway can reach fails for good."""
    try:
        return normalise_phone(recipient)
    except ApiError as error:
        raise PermanentFailure(error.code, kind=FailureKind.REFUSED_ADDRESS) from None


def _text(settings: dict, name: str, *, required: bool = False, default: str = "", limit: int = 200) -> str:
    value = settings.get(name, default)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise InvalidSettings("missing_setting", name, f"The setting {name!r} is required.")
    if len(value) > limit:
        raise InvalidSettings("setting_too_long", name, f"The setting {name!r} is too long.")
    return value


def _url(settings: dict, default: str = "") -> str:
    url = _text(settings, "url", required=not default, default=default, limit=500)
    if not re.match(r"^https?://[^\s/]+", url):
        raise InvalidSettings(
            "invalid_url", "url", "The gateway's address must start with http:// or https://."
        )
    return url


def _flag(settings: dict, name: str, default: bool = False) -> bool:
    value = settings.get(name, default)
    if not isinstance(value, bool):
        raise InvalidSettings("invalid_setting", name, f"The setting {name!r} is yes or no.")
    return value


def _codes(settings: dict, name: str, default: tuple[str, ...]) -> list[str]:
    value = settings.get(name, list(default))
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(code, (str, int)) for code in value):
        raise InvalidSettings("invalid_setting", name, f"The setting {name!r} is a list of codes.")
    return [str(code) for code in value][:50]


def max_segments(settings: dict, default: int) -> int:
    """The most parts a message of the site may take: the SMS channel's setting, else
    ``default`` (``config.SMS_MAX_SEGMENTS``)."""
    value = settings.get("max_segments")
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SEGMENTS_LIMIT:
        raise InvalidSettings(
            "invalid_max_segments", "max_segments", f"Between 1 and {MAX_SEGMENTS_LIMIT} parts."
        )
    return value


def sms_text(settings: dict, text: str) -> str:
    """The text as the site's gateway takes it: without accents when the site says so."""
    return unaccented(text) if settings.get("unaccented") else text


def request_id(key: str) -> str:
    """The gateway's request id for a notification: its key, or, for a key longer than the
    gateway takes (eSMS: ``RequestId`` "maximum length 50 characters"), a digest of the key.
    Either is the same on every attempt, so a repeat is still recognised as one."""
    if len(key) <= REQUEST_ID_MAX:
        return key
    return "k" + hashlib.sha256(key.encode()).hexdigest()[: REQUEST_ID_MAX - 10]


def _templates(settings: dict) -> dict[str, str]:
    """The approved ZNS template id of each event (``{"ticket.near_turn": "231234"}``): numbers,
    as Zalo gives them; an event left empty has none."""
    templates = settings.get("templates") or {}
    if not isinstance(templates, dict):
        raise InvalidSettings("invalid_template_id", "templates", "Template ids by event.")
    cleaned = {}
    for event, template_id in templates.items():
        value = str(template_id).strip() if template_id is not None else ""
        if not value:
            continue
        if not value.isdigit() or len(value) > 20 or len(str(event)) > 40:
            raise InvalidSettings(
                "invalid_template_id", f"templates.{event}", "A ZNS template id is a number."
            )
        cleaned[str(event)] = value
    return cleaned


def template_of(settings: dict, message: Message) -> str:
    """The ZNS template of the message's event; without one the message cannot be sent (the
    site has not had a template approved for it): a permanent failure staff can fix."""
    template_id = (settings.get("templates") or {}).get(message.event)
    if not template_id:
        raise PermanentFailure(f"no template ({message.event})", kind=FailureKind.MISCONFIGURED)
    return template_id


def template_data(message: Message) -> dict[str, str]:
    """The message's values as a ZNS template takes them: text, by the template's names."""
    return {name: str(value) for name, value in message.params.items()}


class EsmsShaped:
    """What eSMS.vn's send functions share (developers.esms.vn, "Table of error codes"), and so
    every gateway family written from them: a JSON POST with ``ApiKey``, ``SecretKey``,
    ``Phone``, ``Sandbox`` (checked, not sent, not charged) and ``RequestId`` ("to block
    duplicates", for 24 hours); an answer whose ``CodeResult`` is "100" when the gateway took
    the message, with its ``SMSID``. 124 is a RequestId already used: an earlier attempt got
    through, so the message is taken as sent, which is what makes a repeat after a crash
    harmless. 103 is a balance too low (retried: the centre tops it up). Other gateways of the
    same shape name their fields in ``fields`` and their codes in ``success_codes``,
    ``duplicate_codes`` and ``temporary_codes``.

    A subclass adds its own fields (``OWN_FIELDS``), settings (:meth:`check_own`) and body
    (:meth:`body`).
    """

    name: ClassVar[str]
    family: ClassVar[str]
    COMMON_FIELDS: ClassVar[dict[str, str]] = {
        "api_key": "ApiKey",
        "secret": "SecretKey",
        "phone": "Phone",
        "sandbox": "Sandbox",
        "request_id": "RequestId",
        # In the answer:
        "result": "CodeResult",
        "message_id": "SMSID",
        "error": "ErrorMessage",
    }
    OWN_FIELDS: ClassVar[dict[str, str]] = {}
    SUCCESS_CODES = ("100",)
    DUPLICATE_CODES = ("124",)
    TEMPORARY_CODES = ("103",)
    # What the table's codes mean for staff, where not the default's (a code not in the
    # family's temporary codes is a refusal of the message).
    CODE_KINDS: ClassVar[dict[str, str]] = {
        "99": FailureKind.REFUSED_ADDRESS,  # the number is blocked
        "101": FailureKind.MISCONFIGURED,  # a wrong ApiKey or SecretKey
        "103": FailureKind.MISCONFIGURED,  # the balance
        "108": FailureKind.REFUSED_ADDRESS,  # not a phone number
        "140": FailureKind.MISCONFIGURED,  # the server's address is not on the account's list
    }
    PHONE_FORMATS = ("e164", "international", "national")
    DEFAULT_URL: ClassVar[str] = ""

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None:
        self.settings = settings
        self.secret = secret or ""
        self.timeout = float(config.get("NOTIFY_GATEWAY_TIMEOUT", DEFAULT_TIMEOUT))
        self.fields = {**self.default_fields(), **(settings.get("fields") or {})}

    @classmethod
    def default_fields(cls) -> dict[str, str]:
        return {**cls.COMMON_FIELDS, **cls.OWN_FIELDS}

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        defaults = cls.default_fields()
        fields = settings.get("fields") or {}
        if not isinstance(fields, dict) or not all(
            name in defaults and isinstance(value, str) and 0 < len(value) <= 60
            for name, value in fields.items()
        ):
            raise InvalidSettings("invalid_fields", "fields", "Unknown field or empty field name.")
        phone_format = _text(settings, "phone_format", default="international")
        if phone_format not in cls.PHONE_FORMATS:
            raise InvalidSettings("invalid_setting", "phone_format", "Unknown phone format.")
        return {
            "family": cls.family,
            "url": _url(settings, default=cls.DEFAULT_URL),
            "api_key": _text(settings, "api_key", required=True),
            **cls.check_own(settings),
            "sandbox": _flag(settings, "sandbox"),
            "phone_format": phone_format,
            "fields": {name: value for name, value in fields.items() if defaults[name] != value},
            "success_codes": _codes(settings, "success_codes", cls.SUCCESS_CODES),
            "duplicate_codes": _codes(settings, "duplicate_codes", cls.DUPLICATE_CODES),
            "temporary_codes": _codes(settings, "temporary_codes", cls.TEMPORARY_CODES),
        }

    @classmethod
    def check_own(cls, settings: dict) -> dict:
        """The family's own settings, checked."""
        return {}

    def phone(self, recipient: str) -> str:
        number = e164(recipient)
        style = self.settings.get("phone_format", "international")
        if style == "e164":
            return number
        if style == "national":
            return "0" + number[3:]
        return number[1:]

    def body(self, message: Message) -> dict[str, Any]:
        """The family's own fields of the request."""
        return {}

    def send(self, message: Message) -> Receipt:
        f = self.fields
        body: dict[str, Any] = {
            f["api_key"]: self.settings.get("api_key", ""),
            f["secret"]: self.secret,
            f["phone"]: self.phone(message.recipient),
            **self.body(message),
            f["sandbox"]: "1" if self.settings.get("sandbox") else "0",
            f["request_id"]: request_id(message.key),
        }
        answer = post_json(self.settings.get("url") or self.DEFAULT_URL, body, {}, self.timeout)
        code = str(answer.get(f["result"], ""))
        ref = answer.get(f["message_id"])
        ref = str(ref)[:200] if ref not in (None, "") else None
        if code in self.settings.get("success_codes", self.SUCCESS_CODES):
            return Receipt(provider_ref=ref)
        if code in self.settings.get("duplicate_codes", self.DUPLICATE_CODES):
            return Receipt(provider_ref=ref)
        raise refused(code, self.settings.get("temporary_codes", self.TEMPORARY_CODES), self.CODE_KINDS)


class JsonBrandnameSms(EsmsShaped):
    """An SMS brandname gateway taking one JSON POST per message (family ``json``).

    Written from eSMS.vn's "SendMultipleMessage_V4_post_json" (developers.esms.vn, "Send
    OTP/Customer care message"): the fields and codes of :class:`EsmsShaped`, with
    ``Brandname``, ``Content``, ``SmsType`` 2 (customer care) and ``IsUnicode``. Other gateways
    of the same shape (SpeedSMS, VNPT's) name their fields and codes in the settings, and, for
    their delivery reports (:mod:`..receipts`), ``delivered_codes`` and ``undelivered_codes``.

    Settings: ``url``, ``api_key``, ``brandname``, ``sms_type``, ``sandbox``, ``unaccented``,
    ``max_segments`` (else ``config.SMS_MAX_SEGMENTS``), ``phone_format`` (``e164``
    "+84912345678", ``international`` "84912345678", ``national`` "0912345678"), the field and
    code names, and ``callback_token`` (made by the server: the delivery reports' address). The
    secret is the account's secret key.
    """

    name: ClassVar[str] = "sms"
    family: ClassVar[str] = "json"
    OWN_FIELDS: ClassVar[dict[str, str]] = {
        "brandname": "Brandname",
        "content": "Content",
        "sms_type": "SmsType",
        "unicode": "IsUnicode",
        # In its delivery reports (developers.esms.vn, "Callback Url": an HTTP GET with SMSID,
        # RequestId and SendStatus; 5 "sent successfully", 4 "rejected"): notify/receipts.py.
        "report_message_id": "SMSID",
        "report_request_id": "RequestId",
        "report_status": "SendStatus",
    }
    DELIVERED_CODES = ("5",)
    UNDELIVERED_CODES = ("4",)

    @classmethod
    def check_own(cls, settings: dict) -> dict:
        brandname = _text(settings, "brandname", required=True, limit=BRANDNAME_MAX)
        if not _BRANDNAME.match(brandname):
            raise InvalidSettings(
                "invalid_brandname",
                "brandname",
                "A brandname is 1 to 11 letters, digits, spaces, dots or dashes.",
            )
        return {
            "brandname": brandname,
            "sms_type": _text(settings, "sms_type", default="2", limit=10),
            "unaccented": _flag(settings, "unaccented"),
            "max_segments": max_segments(settings, 0) or None,
            "delivered_codes": _codes(settings, "delivered_codes", cls.DELIVERED_CODES),
            "undelivered_codes": _codes(settings, "undelivered_codes", cls.UNDELIVERED_CODES),
            "callback_token": _text(settings, "callback_token", limit=64),
        }

    def body(self, message: Message) -> dict[str, Any]:
        text = sms_text(self.settings, message.body)
        f = self.fields
        return {
            f["brandname"]: self.settings.get("brandname", ""),
            f["content"]: text,
            f["sms_type"]: self.settings.get("sms_type", "2"),
            f["unicode"]: "0" if measure(text).encoding == "gsm7" else "1",
        }


class EsmsZns(EsmsShaped):
    """Zalo ZNS through eSMS.vn (family ``esms``): the same approved templates, sent by the
    gateway on the OA's behalf, with a request id that blocks repeats.

    Written from eSMS.vn's "Send message via Zalo" (developers.esms.vn, POST
    ``SendZaloMessage_V5_post``): the fields and codes of :class:`EsmsShaped`, with ``OAID``
    (the Official Account registered with eSMS), ``TempID`` (the template Zalo approved) and
    ``TempData`` (its values: as the documentation's example, a list of ``{"key", "value"}``
    pairs, or an object of them where the site's gateway takes one). Unlike Zalo's own API
    (:class:`ZaloZns`), eSMS refuses a ``RequestId`` it has seen in the last 24 hours with 124,
    so a message repeated after a worker's crash reaches the phone once; the worker's last
    retry comes long before those 24 hours end (``NOTIFY_MAX_ATTEMPTS`` with its backoff:
    about ten hours with the defaults). Its own codes: 204 and 799 an OA eSMS does not know,
    789, 790 and 791 a template not set up for the OA (the site's settings to correct).

    Settings: ``url``, ``api_key``, ``oa_id``, ``templates`` (the template id of each event),
    ``data_format`` (``pairs`` or ``object``), ``sandbox``, ``phone_format``, the field and code
    names. The secret is the account's secret key.
    """

    name: ClassVar[str] = "zalo"
    family: ClassVar[str] = "esms"
    DEFAULT_URL = "https://rest.esms.vn/MainService.svc/json/SendZaloMessage_V5_post/"
    OWN_FIELDS: ClassVar[dict[str, str]] = {
        "oa_id": "OAID",
        "template_id": "TempID",
        "template_data": "TempData",
    }
    CODE_KINDS: ClassVar[dict[str, str]] = {
        **EsmsShaped.CODE_KINDS,
        **dict.fromkeys(("204", "789", "790", "791", "799"), FailureKind.MISCONFIGURED),
    }
    DATA_FORMATS = ("pairs", "object")

    @classmethod
    def check_own(cls, settings: dict) -> dict:
        data_format = _text(settings, "data_format", default="pairs")
        if data_format not in cls.DATA_FORMATS:
            raise InvalidSettings("invalid_setting", "data_format", "Unknown template data format.")
        oa_id = _text(settings, "oa_id", required=True, limit=40)
        if not oa_id.isdigit():
            raise InvalidSettings("invalid_oa_id", "oa_id", "A Zalo OA id is a number.")
        return {"oa_id": oa_id, "templates": _templates(settings), "data_format": data_format}

    def body(self, message: Message) -> dict[str, Any]:
        f = self.fields
        values = template_data(message)
        data: Any = values
        if self.settings.get("data_format", "pairs") == "pairs":
            data = [{"key": name, "value": value} for name, value in values.items()]
        return {
            f["oa_id"]: self.settings.get("oa_id", ""),
            f["template_id"]: template_of(self.settings, message),
            f["template_data"]: data,
        }


class ZaloZns:
    """Zalo Notification Service through Zalo's own API: a template Zalo approved beforehand,
    filled with the message's parameters (family ``zns``).

    Written from Zalo's ZNS API ("Gửi ZNS", POST https://business.openapi.zalo.me/message/template
    with the Official Account's ``access_token`` header; body ``phone`` as 84xxxxxxxxx,
    ``template_id``, ``template_data``, ``tracking_id``, and ``mode`` "development" to send only
    to the OA's administrators while testing) and its table of error codes (zalo.cloud, "Cách
    xử lý mã lỗi"): the answer's ``error`` is 0 with ``data.msg_id`` on success; -100 (unknown
    error) and -115 (out of quota) may pass; -108 (phone number invalid), -109 (template id
    invalid), -112 (template data invalid), -118 (no Zalo account), -124 (access token invalid)
    and the rest will not.

    ``tracking_id`` is only echoed back in Zalo's webhooks: nothing in that documentation says
    a repeated one is refused. So a message repeated after a worker died while Zalo answered
    may reach the phone twice (at least once, never lost). A site that needs exactly once sends
    through a gateway that blocks repeats (:class:`EsmsZns`).

    Settings: ``url``, ``templates`` (the approved template id of each event, e.g.
    {"ticket.near_turn": "231234"}), ``development`` and ``temporary_codes``. The secret is the
    OA's access token. Zalo's access tokens expire after a day and are renewed with a refresh
    token: a deployment keeps this one current (an expired one fails as -124, permanently).
    """

    name: ClassVar[str] = "zalo"
    family: ClassVar[str] = "zns"
    DEFAULT_URL = "https://business.openapi.zalo.me/message/template"
    TEMPORARY_CODES = ("-100", "-115")
    # What the codes of the table above mean for staff.
    CODE_KINDS: ClassVar[dict[str, str]] = {
        "-100": FailureKind.UNAVAILABLE,
        "-115": FailureKind.RATE_LIMITED,
        "-108": FailureKind.REFUSED_ADDRESS,
        "-118": FailureKind.REFUSED_ADDRESS,
        "-109": FailureKind.MISCONFIGURED,
        "-112": FailureKind.MISCONFIGURED,
        "-124": FailureKind.MISCONFIGURED,
    }

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None:
        self.settings = settings
        self.secret = secret or ""
        self.timeout = float(config.get("NOTIFY_GATEWAY_TIMEOUT", DEFAULT_TIMEOUT))

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        return {
            "family": cls.family,
            "url": _url(settings, default=cls.DEFAULT_URL),
            "templates": _templates(settings),
            "development": _flag(settings, "development"),
            "temporary_codes": _codes(settings, "temporary_codes", cls.TEMPORARY_CODES),
        }

    def send(self, message: Message) -> Receipt:
        body: dict[str, Any] = {
            "phone": e164(message.recipient)[1:],
            "template_id": template_of(self.settings, message),
            "template_data": template_data(message),
            "tracking_id": message.key,
        }
        if self.settings.get("development"):
            body["mode"] = "development"
        answer = post_json(
            self.settings.get("url") or self.DEFAULT_URL, body, {"access_token": self.secret}, self.timeout
        )
        code = str(answer.get("error", ""))
        if code == "0":
            data = answer.get("data") or {}
            ref = data.get("msg_id") if isinstance(data, dict) else None
            return Receipt(provider_ref=str(ref)[:200] if ref else None)
        raise refused(code, self.settings.get("temporary_codes", self.TEMPORARY_CODES), self.CODE_KINDS)


class Gateways:
    """A channel served by gateway families: the site's family (``settings["family"]``, else
    ``DEFAULT_FAMILY``) does the work."""

    name: ClassVar[str]
    FAMILIES: ClassVar[dict[str, Any]]
    DEFAULT_FAMILY: ClassVar[str]

    def __init__(self, settings: dict, secret: str | None, config: dict) -> None:
        self.gateway = self.family_of(settings)(settings, secret, config)

    @classmethod
    def family_of(cls, settings: dict) -> Any:
        family = settings.get("family") or cls.DEFAULT_FAMILY
        if family not in cls.FAMILIES:
            raise InvalidSettings("unknown_family", "family", f"Unknown gateway family {family!r}.")
        return cls.FAMILIES[family]

    @classmethod
    def check_settings(cls, settings: dict) -> dict:
        return cls.family_of(settings).check_settings(settings)

    def send(self, message: Message) -> Receipt:
        return self.gateway.send(message)


class Sms(Gateways):
    """The ``sms`` channel: SMS brandname through the site's gateway."""

    name: ClassVar[str] = "sms"
    FAMILIES: ClassVar[dict[str, Any]] = {JsonBrandnameSms.family: JsonBrandnameSms}
    DEFAULT_FAMILY = JsonBrandnameSms.family


class Zalo(Gateways):
    """The ``zalo`` channel: Zalo ZNS through Zalo's own API (the default, as sites set up
    before there was a choice) or through eSMS."""

    name: ClassVar[str] = "zalo"
    FAMILIES: ClassVar[dict[str, Any]] = {ZaloZns.family: ZaloZns, EsmsZns.family: EsmsZns}
    DEFAULT_FAMILY = ZaloZns.family
