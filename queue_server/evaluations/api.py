"""HTTP API of the dossier evaluations: thin views over :mod:`.operations`.

The citizen's phone answers through the dossier's tracking key (the key is the credential, as
for a ticket's rating from the phone: no session, hence no CSRF token, and
``TRACKING_SUBSCRIBE_RATE_LIMIT`` per address); staff where the result is handed over (the
returning counter, the delivering post office) enter the answers the citizen gives them.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..auth.access import DossierParty, dossier_parties, require_dossier_step
from ..database import db
from ..dossiers.lifecycle import carrier_of, get_by_code, get_by_tracking_key
from ..inputs import Schema
from ..security import limited, sessionless, tracking_limit
from . import operations
from .models import EvaluationChannel
from .presenters import evaluation_view, form

blp = Blueprint(
    "evaluations",
    __name__,
    url_prefix="/api/v1",
    description="Citizens' evaluations of how a dossier was handled",
)


class AnswersSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.String(validate=validate.Length(max=40)),
        required=True,
        validate=validate.Length(max=20),
        metadata={
            "description": "Criterion code -> choice code, for every asked criterion (GET .../evaluation)"
        },
    )


class EvaluationSchema(Schema):
    criteria_set = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(EvaluationChannel.ALL))
    answers = fields.Dict(required=True)
    indices = fields.List(
        fields.Dict(), required=True, metadata={"description": "number, code, source, points"}
    )
    score = fields.Integer(required=True)
    max_score = fields.Integer(required=True)
    verdict = fields.String(required=True)
    verdict_label = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})


class EvaluationStateSchema(Schema):
    state = fields.String(
        required=True,
        metadata={"description": "open, evaluated, closed (too late) or waiting (no result yet)"},
    )
    form = fields.Dict(required=True, metadata={"description": "The criteria: asked ones and computed ones"})
    evaluation = fields.Nested(EvaluationSchema, allow_none=True)


@blp.route("/track/d/<key>/evaluation", methods=["GET"])
@blp.response(200, EvaluationStateSchema)
def evaluation_state(key):
    """Whether the dossier may be evaluated, its criteria, and its evaluation once given."""
    dossier = get_by_tracking_key(db.session, key)
    evaluation = operations.evaluation_of(db.session, dossier)
    return {
        "state": operations.state(db.session, dossier),
        "form": form(dossier),
        "evaluation": evaluation_view(evaluation) if evaluation else None,
    }


@blp.route("/track/d/<key>/evaluation", methods=["POST"])
@blp.arguments(AnswersSchema())
@blp.response(201, EvaluationSchema)
@blp.alt_response(409, description="not_evaluable, already_evaluated or evaluation_closed")
@limited(tracking_limit)
@sessionless
def evaluate_online(data, key):
    """The citizen's evaluation from the dossier's tracking page, once its result exists."""
    dossier = get_by_tracking_key(db.session, key)
    evaluation = operations.evaluate(db.session, dossier, data["answers"], EvaluationChannel.ONLINE)
    db.session.commit()
    return evaluation_view(evaluation)


class AskSchema(Schema):
    counter = fields.Integer(
        required=True,
        validate=validate.Range(1, 999),
        metadata={"description": "The number of the returning centre's counter whose rating tablet asks"},
    )


@blp.route("/dossiers/<code>/evaluation/ask", methods=["POST"])
@blp.arguments(AskSchema())
@blp.response(202, AskSchema)
@blp.alt_response(409, description="not_evaluable, already_evaluated or evaluation_closed")
def ask_at_counter(data, code):
    """Put the dossier's evaluation before the citizen at the returning counter: its rating
    tablet shows the QR code of the dossier's page, where the citizen evaluates on the phone."""
    dossier = get_by_code(db.session, code)
    require_dossier_step("ask_evaluation", dossier)
    operations.ask_at_counter(db.session, dossier, data["counter"])
    db.session.commit()
    return data


@blp.route("/dossiers/<code>/evaluation", methods=["POST"])
@blp.arguments(AnswersSchema())
@blp.response(201, EvaluationSchema)
@blp.alt_response(409, description="not_evaluable, already_evaluated or evaluation_closed")
def evaluate_at_return(data, code):
    """The citizen's answers entered by the staff who hand the result over: the returning
    centre's counter (channel ``counter``) or the post office delivering it (``post``)."""
    dossier = get_by_code(db.session, code)
    carrier = carrier_of(db.session, dossier)
    actor = require_dossier_step("evaluate", dossier, carrier.id if carrier else None)
    returning = DossierParty.RETURNING in dossier_parties(actor, dossier)
    channel = EvaluationChannel.COUNTER if returning else EvaluationChannel.POST
    evaluation = operations.evaluate(db.session, dossier, data["answers"], channel)
    db.session.commit()
    return evaluation_view(evaluation)
