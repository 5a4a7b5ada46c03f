"""One error format for the whole API: ``{"error": {"code", "message"}}`` with a 4xx status.

Views and services raise :class:`ApiError`; everything else a client can cause (unknown URL,
bad JSON, schema violations) is turned into the same shape here, so a client never sees an
HTML page or a stack trace. A database that cannot be reached is a 503 the client may retry.
"""

from __future__ import annotations

import logging
import math

from flask import has_request_context, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client can understand and act on."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        body.update(self.details)
        return {"error": body}


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    """The request is well-formed but the state does not allow it (wrong ticket state...)."""

    status = 409


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}


def error_response(status: int, code: str, message: str, **details):
    """The error as JSON for the API and for scripts, or as a readable page for a browser."""
    if not _wants_json():
        return _error_page(status, message)
    body = {"code": code, "message": message}
    body.update(details)
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _wants_json() -> bool:
    if not has_request_context():
        return True
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best != "text/html"


def _error_page(status: int, message: str):
    from flask_babel import gettext as _

    titles = {404: _("Không tìm thấy trang"), 503: _("Hệ thống tạm thời gián đoạn")}
    title = titles.get(status, _("Có lỗi xảy ra"))
    return render_template("error.html", title=title, detail=message, status=status), status


def handle_api_error(error: ApiError):
    response = jsonify(error.to_dict())
    response.status_code = error.status
    if "retry_after_ms" in error.details:  # overload: when there is expected to be room
        response.headers["Retry-After"] = str(math.ceil(error.details["retry_after_ms"] / 1000))
    elif error.status == 503:  # a moment's overload: the client may send the same request again
        response.headers["Retry-After"] = "2"
    elif "retry_after" in error.details:  # e.g. a locked login: when it may try again, in seconds
        response.headers["Retry-After"] = str(error.details["retry_after"])
    return response


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    data = getattr(error, "data", None) or {}
    details = {}
    if "messages" in data:
        # webargs/marshmallow validation errors, per location and field
        details["fields"] = data["messages"]
    message = data.get("message") or error.description or error.name
    if status == 422 and "fields" in details:
        message = "The request does not match the expected fields."
    elif status == 400 and "fields" in details:
        message = "The request body is not valid JSON."
    response = error_response(status, HTTP_CODES.get(status, "http_error"), message, **details)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_database_unavailable(error: DBAPIError):
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("database unavailable: %s", error.orig)
        response = error_response(
            503, "service_unavailable", "The database cannot be reached; try again shortly."
        )
        response.headers["Retry-After"] = "2"
        return response
    return handle_unexpected(error)


def handle_database_busy(error: SQLAlchemyTimeoutError):
    """Every connection of the process's pool is in use past its wait: the server is
    overloaded, not broken. Say so, so that kiosks and screens retry, instead of a 500."""
    log.warning("database connection pool exhausted: %s", error)
    response = error_response(503, "service_unavailable", "The server is busy; try again shortly.")
    response.headers["Retry-After"] = "2"
    return response


def handle_unexpected(error: Exception):
    log.exception("unexpected error", exc_info=error)
    return error_response(500, "internal_error", "An unexpected error occurred.")


def register_error_handlers(app) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.register_error_handler(SQLAlchemyTimeoutError, handle_database_busy)
    app.register_error_handler(Exception, handle_unexpected)
