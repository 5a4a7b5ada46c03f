"""What a request may bring, in one place: its size, its JSON, its integers and its text.

Anything a client can send is refused with a 4xx in the API's error format when it could not
be stored or would fail further in (a 500), before a view sees it:

- **Size.** A scan of a dossier is the largest thing anyone sends, so a request may be as large
  as a scan and its multipart envelope (``MAX_CONTENT_LENGTH``). Every other body (JSON above
  all: an intake, a post office's batch) is typed by people or made by devices and is far
  smaller (``JSON_MAX_BYTES``). A larger one is refused (413) before it is read.
- **JSON** is parsed before the view by the app's provider (:func:`strict_loads`), which refuses
  what the standard parser lets through but nothing here can use: nesting deeper than
  :data:`JSON_MAX_DEPTH`, ``NaN``/``Infinity`` and numbers too large for a float (``1e999``),
  integers outside the database's (:data:`DB_INT_MIN` to :data:`DB_INT_MAX`, which also keeps
  Python from converting a 5000-digit one), and text the database cannot store (below).
- **Integers.** Every row id and count is a PostgreSQL ``integer`` (32 bits). Route ids are
  bounded by ``web.RowIdConverter``, JSON by the parser, and every ``Integer`` field of the API's
  schemas (query strings, numbers sent as strings) by :class:`Schema`, the base of those schemas.
- **Text** with a NUL character or half of a surrogate pair (``"\\ud800"``) cannot be stored
  by PostgreSQL nor written as UTF-8 (:func:`storable`); the address (path and query string)
  is checked for NUL, JSON for both.

The live socket's handshake (:mod:`queue_server.live`) does not pass through here; it reads
its few values with :func:`storable` and :func:`row_id`.
"""

from __future__ import annotations

import json
import math
import re

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Request
from marshmallow import Schema as BaseSchema
from marshmallow import fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ApiError, error_response

# PostgreSQL's integer, the type of every id and count column.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
# The deepest legitimate body is a post office's batch: the batch, its list of operations, an
# operation, its body, the list of documents, a document: 6 levels. 32 leaves room for any
# schema to come and stops a body of nested lists long before the parser would exhaust
# Python's recursion limit.
JSON_MAX_DEPTH = 32
UPLOAD_MIMETYPE = "multipart/form-data"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    """Whether PostgreSQL can store ``text`` (and UTF-8 encode it): no NUL, no lone surrogate."""
    return _UNSTORABLE.search(text) is None


def row_id(value) -> int | None:
    """``value`` (an int, or its decimal digits as text) as a row id, None if it cannot be one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DB_INT_MAX:
        return value
    return None


class InvalidJSON(ValueError):
    """A body the strict parser refuses (a ValueError, as a syntax error is)."""


def _bounded_int(text: str) -> int:
    value = int(text) if len(text) <= 11 else None  # "-2147483648": 11 characters
    if value is None or not DB_INT_MIN <= value <= DB_INT_MAX:
        raise InvalidJSON(f"integers must lie between {DB_INT_MIN} and {DB_INT_MAX}")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJSON(f"the number {text[:20]} is too large")
    return value


def _no_constant(name: str):
    raise InvalidJSON(f"{name} is not a JSON number")


def _check_tree(value) -> None:
    """Depth and text of a parsed document, walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                raise InvalidJSON("text may not contain NUL characters or unpaired surrogates")
        elif isinstance(item, (dict, list)):
            if depth > JSON_MAX_DEPTH:
                raise InvalidJSON(f"it is nested deeper than {JSON_MAX_DEPTH} levels")
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)


def strict_loads(text: str | bytes, **kwargs):
    """``json.loads`` that refuses (with :class:`InvalidJSON`, a ValueError) what the module's
    docstring lists."""
    kwargs.setdefault("parse_int", _bounded_int)
    kwargs.setdefault("parse_float", _finite_float)
    kwargs.setdefault("parse_constant", _no_constant)
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise InvalidJSON(f"it is nested deeper than {JSON_MAX_DEPTH} levels") from None
    _check_tree(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON (``request.get_json``): answers are written as Flask writes them."""

    def loads(self, s: str | bytes, **kwargs):
        return strict_loads(s, **kwargs)


class LimitedRequest(Request):
    """A request whose body may be as large as a scan only when it is a multipart upload."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.mimetype != UPLOAD_MIMETYPE:
            return current_app.config["JSON_MAX_BYTES"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:  # not JSON at all: Flask's 415
            return super().on_json_loading_failed(e)
        raise ApiError("bad_request", f"The request body is not valid JSON: {e}.")


class Schema(BaseSchema):
    """Base of the API's schemas: every integer field (a nested one too) accepts only what the
    database's integer holds, whatever narrower range the field itself gives. A number sent as
    text (query strings) or as a float is bounded too, which the JSON parser cannot see."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _bound_integers(field_obj)


def _bound_integers(field: fields.Field) -> None:
    if isinstance(field, fields.Integer):
        field.validators = [*field.validators, validate.Range(DB_INT_MIN, DB_INT_MAX)]
    elif isinstance(field, fields.List):
        _bound_integers(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            _bound_integers(inner)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        _bound_integers(field.value_field)


def check_request() -> None:
    """Refuse, before any view, a body larger than this kind of request may carry, bad JSON, and
    an address with a NUL character."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        raise ApiError("invalid_characters", "The address contains a NUL character.")
    if request.is_json and request.get_data(cache=True):
        if request.content_length is None and len(request.get_data(cache=True)) == limit:
            # Sent in chunks: Werkzeug stops reading at the limit without a word. Anything
            # left makes the body too large, not a truncated one.
            if request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()
        request.get_json()  # parsed once, strictly; the views' parser reads the same body


def too_large(error: RequestEntityTooLarge):
    limit = request.max_content_length or 0
    what = "a scan with its form" if request.mimetype == UPLOAD_MIMETYPE else "this kind of request"
    return error_response(
        413,
        "payload_too_large",
        f"The request is too large: {what} may be at most {_size(limit)}.",
        limit=limit,
    )


def _size(count: int) -> str:
    if count >= 2**20:
        return f"{count / 2**20:g} MiB"
    return f"{count / 2**10:g} KiB"


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
    app.json = StrictJSONProvider(app)
    app.before_request(check_request)
    app.register_error_handler(RequestEntityTooLarge, too_large)
