"""Extension objects, created once and bound to the app in :func:`create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_socketio import SocketIO
from marshmallow import Schema, fields

from .errors import handle_http_exception


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "Human-readable explanation"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "Invalid fields, if any"})
    reason = fields.String(
        metadata={
            "description": "Why, for a code with several causes, so that a screen says it in its own "
            "words (a refused scan: empty, unknown_code, bad_date, bad_id_card)"
        }
    )
    retry_after = fields.Integer(
        metadata={
            "description": "Seconds until the request may be sent again (a 429: a limit's window, "
            "a locked login), as the Retry-After header says"
        }
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class QueueApi(Api):
    """flask-smorest's Api with our error format in both the responses and the document."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)


socketio = SocketIO()
login_manager = LoginManager()
babel = Babel()
api = QueueApi()
