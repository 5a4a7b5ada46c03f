"""Evaluating a dossier: the only place for the rules (criteria in :mod:`.criteria`).

The citizen evaluates a dossier once its result exists (status ``result_ready`` or
``returned``; a refused or stopped dossier has no result to judge), within
``EVALUATION_WINDOW_DAYS`` (30 by default [assumed]) after the result was ready. A second
evaluation is refused with 409 ``already_evaluated``: the first answer stands, as for the
per-ticket rating, so that a shared link cannot overwrite the citizen's word.

The indices the system can measure are computed from the dossier's history when the evaluation
is recorded (how each maps to points is assumed, see :mod:`.criteria` and docs/evaluation.md);
the rest are the citizen's answers. The caller commits; ``evaluation.created`` is published
after that commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import utcnow
from ..dossiers.models import Dossier
from ..dossiers.presenters import track_url
from ..dossiers.rules import Delivery, DossierChannel, DossierStatus, Outcome
from ..errors import ApiError, Conflict
from ..events import publish_after_commit
from ..lookups import one_or_404
from ..sites.calendar import business_date
from ..sites.models import Counter
from ..svgcodes import qr_svg
from ..timefmt import iso
from .criteria import BY_CODE, CriteriaSet, Scoring, Source, set_for
from .models import Evaluation, EvaluationChannel

log = logging.getLogger(__name__)

WINDOW_DAYS = 30  # EVALUATION_WINDOW_DAYS [assumed]
EVALUABLE = (DossierStatus.RESULT_READY, DossierStatus.RETURNED)

# Index 1 (total time) and 2 (each body's time): a result early, on time or late [assumed].
TIMELINESS_POINTS = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}
# Index 9 (online service), by the channel the dossier came through [assumed: the post carries a
# dossier without a trip, so it is scored as the counter is; online gets the full points].
ONLINE_POINTS = {DossierChannel.ONLINE: 2, DossierChannel.POSTAL: 1, DossierChannel.COUNTER: 1}


def _count_points(count: int) -> int:
    """Indices 3 and 4: none extra (or one body) is best, one more is fair, more fails [assumed]."""
    return 2 if count <= 0 else 1 if count == 1 else 0


def window() -> timedelta:
    days = current_app.config.get("EVALUATION_WINDOW_DAYS", WINDOW_DAYS) if has_app_context() else WINDOW_DAYS
    return timedelta(days=int(days))


def evaluation_of(session: Session, dossier: Dossier) -> Evaluation | None:
    return session.scalar(select(Evaluation).where(Evaluation.dossier_id == dossier.id))


def criteria_for(dossier: Dossier) -> CriteriaSet:
    return set_for(business_date(dossier.receiving_site, dossier.received_at))


def _places(dossier: Dossier) -> list[str]:
    """The sites the citizen had to deal with: where the dossier was handed in, and the counter
    that returned the result when that was another centre (a post office that delivers, or an
    online return, is not one more body to go to)."""
    places = [dossier.intake_site.code]
    if dossier.return_method == Delivery.COUNTER:
        returned_at = (dossier.return_site or dossier.site).code
        if returned_at not in places:
            places.append(returned_at)
    return places


def computed(dossier: Dossier) -> dict[str, tuple[int, dict]]:
    """Each computable index of the 2018 set: its points and the values they came from."""
    outcome = dossier.outcome or ""
    transfers = [event for event in dossier.events if event.action == "transfer"]
    late_transfers = sum(1 for event in transfers if event.data.get("in_time") is False)
    body_points = 0 if late_transfers else TIMELINESS_POINTS.get(outcome, 0)
    places = _places(dossier)
    returned = dossier.return_method or (
        dossier.delivery if dossier.status == DossierStatus.RESULT_READY else None
    )
    one_stop = int(bool(dossier.registered)) + int(returned in Delivery.ALL)
    return {
        "total_time": (
            TIMELINESS_POINTS.get(outcome, 0),
            {
                "outcome": outcome,
                "finished_at": iso(dossier.finished_at),
                "due_at": iso(dossier.due_at),
            },
        ),
        "body_time": (
            body_points,
            {"transfers": len(transfers), "late_transfers": late_transfers, "outcome": outcome},
        ),
        "contacts": (
            _count_points(dossier.supplement_requests),
            {"supplement_requests": dossier.supplement_requests, "trips": 1 + dossier.supplement_requests},
        ),
        "bodies": (_count_points(len(places) - 1), {"bodies": len(places), "places": places}),
        "one_stop": (
            one_stop,
            {"intake": dossier.channel, "registered": dossier.registered, "return": returned},
        ),
        "online": (ONLINE_POINTS.get(dossier.channel, 0), {"channel": dossier.channel}),
    }


def check(session: Session, dossier: Dossier, now: datetime) -> None:
    """Raise why ``dossier`` may not be evaluated now, if it may not."""
    if (
        not dossier.registered
        or dossier.status not in EVALUABLE
        or dossier.outcome not in Outcome.TIMELINESS
        or dossier.finished_at is None
    ):
        raise Conflict(
            "not_evaluable",
            f"Dossier {dossier.code} is {dossier.status}; only a dossier with its result can be evaluated.",
            status_now=dossier.status,
        )
    if evaluation_of(session, dossier) is not None:
        raise Conflict("already_evaluated", f"Dossier {dossier.code} has already been evaluated.")
    if now - (dossier.returned_at or dossier.finished_at) > window():
        raise Conflict("evaluation_closed", f"Dossier {dossier.code} can no longer be evaluated.")


def state(session: Session, dossier: Dossier, now: datetime | None = None) -> str:
    """What the tracking page offers: ``evaluated``, ``open``, ``closed`` (too late) or
    ``waiting`` (no result yet)."""
    try:
        check(session, dossier, now or utcnow())
    except Conflict as error:
        return {"already_evaluated": "evaluated", "evaluation_closed": "closed"}.get(error.code, "waiting")
    return "open"


def _answers(criteria: CriteriaSet, answers: dict) -> dict[str, str]:
    """The citizen's answers checked against the set: every asked criterion, nothing else."""
    if not isinstance(answers, dict):
        raise ApiError("invalid_answers", "Answers are an object: criterion code -> choice code.")
    for code, answer in answers.items():
        criterion = criteria.get(code)
        if criterion is None or criterion.source != Source.ASKED:
            raise ApiError("invalid_answer", f"{code!r} is not a criterion the citizen answers.", field=code)
        if criterion.points_of(answer) is None:
            offered = ", ".join(choice.code for choice in criterion.choices)
            raise ApiError(
                "invalid_answer", f"{answer!r} is not an answer to {code}; one of {offered}.", field=code
            )
    missing = [criterion.code for criterion in criteria.asked if criterion.code not in answers]
    if missing:
        raise ApiError("missing_answer", f"Answer every criterion: {', '.join(missing)}.", field=missing[0])
    return {criterion.code: answers[criterion.code] for criterion in criteria.asked}


def _returned_by(dossier: Dossier) -> int | None:
    returns = [event for event in dossier.events if event.action in ("return", "deliver")]
    return returns[-1].actor_user_id if returns else None


def evaluate(
    session: Session, dossier: Dossier, answers: dict, channel: str, now: datetime | None = None
) -> Evaluation:
    """Record the citizen's evaluation of a dossier with its result, once."""
    now = now or utcnow()
    if channel not in EvaluationChannel.ALL:
        raise ApiError("invalid_channel", f"Unknown channel {channel!r}.")
    criteria = criteria_for(dossier)
    chosen = _answers(criteria, answers)
    check(session, dossier, now)
    measured = computed(dossier)
    indices: list[dict] = []
    for criterion in criteria.criteria:
        points: int
        values: dict
        if criterion.source == Source.ASKED:
            answer = chosen[criterion.code]
            points, values = criterion.points_of(answer) or 0, {"answer": answer}
        else:
            points, values = measured[criterion.code]
        indices.append(
            {
                "number": criterion.number,
                "code": criterion.code,
                "source": criterion.source,
                "points": points,
                "values": values,
            }
        )
    score = sum(int(index["points"]) for index in indices)
    procedure = dossier.procedure
    evaluation = Evaluation(
        dossier_id=dossier.id,
        site_id=dossier.site_id,
        receiving_site_id=dossier.receiving_site_id,
        procedure_id=procedure.id,
        field=procedure.field,
        department_id=procedure.department_id,
        agency=procedure.department.name,
        officer_id=dossier.received_by_id,
        returned_by_id=_returned_by(dossier),
        criteria_set=criteria.code,
        channel=channel,
        answers=chosen,
        indices=indices,
        score=score,
        max_score=criteria.max_score,
        verdict=Scoring.current().verdict(score),
        created_at=now,
    )
    try:
        with session.begin_nested():  # two phones at the same instant: one wins
            session.add(evaluation)
    except IntegrityError:
        raise Conflict("already_evaluated", f"Dossier {dossier.code} has already been evaluated.") from None
    log.info("dossier %s evaluated %s/%s from %s", dossier.id, score, criteria.max_score, channel)
    publish_after_commit(
        session,
        "evaluation.created",
        {"site": dossier.site.code, "code": dossier.code, "score": score, "verdict": evaluation.verdict},
    )
    return evaluation


def criteria_of(evaluation: Evaluation) -> CriteriaSet:
    return BY_CODE[evaluation.criteria_set]


# The live event for the devices at one counter (live/__init__.py COUNTER_EVENTS).
EVALUATION_REQUESTED = "evaluation.requested"


def ask_at_counter(session: Session, dossier: Dossier, number: int) -> None:
    """Show the dossier's page as a QR code on the rating tablet of counter ``number`` of the
    centre that hands the result back (after the commit), for the citizen at that counter to
    evaluate on their phone. Refused (409) when the dossier cannot be evaluated now; 404 for a
    counter the centre does not have. Only that counter's devices receive the code and the link."""
    check(session, dossier, utcnow())
    site_id = (dossier.return_site or dossier.site).id
    counter = one_or_404(
        session,
        select(Counter).where(Counter.site_id == site_id, Counter.number == number),
        code="unknown_counter",
        message=f"The returning centre has no counter {number}.",
    )
    link = track_url(dossier)
    payload = {"site": counter.site.code, "counter_id": counter.id, "code": dossier.code, "link": link}
    publish_after_commit(
        session, EVALUATION_REQUESTED, {**payload, "qr_svg": str(qr_svg(link, "rate-link-qr"))}
    )
