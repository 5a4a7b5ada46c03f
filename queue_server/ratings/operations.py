"""Rating a served ticket (đánh giá mức độ hài lòng): the only place for the rules.

A citizen rates a ticket once, after it was finished (status ``done``): on the rating tablet
of the counter that served it, for a few minutes after finishing, or on their phone through the
ticket's tracking link, for a few days. Reasons are chosen from a fixed list per level and
stored by code, so reports count them whatever the language or a later change of wording.

The rating copies the site, service, counter and officer from the ticket as it was served. The
caller commits; ``rating.created`` is published after that commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..actors import Actor
from ..auth.access import Action, allowed
from ..database import utcnow
from ..errors import ApiError, Conflict, Forbidden
from ..events import publish_after_commit
from ..queueing.models import Ticket, TicketStatus
from ..web import N_
from .models import Rating, RatingChannel, RatingLevel

log = logging.getLogger(__name__)

# How long after the ticket is finished each channel may still rate it.
WINDOWS = {
    RatingChannel.TABLET: timedelta(minutes=5),
    RatingChannel.PHONE: timedelta(days=3),
}

LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: N_("Rất hài lòng"),
    RatingLevel.SATISFIED: N_("Hài lòng"),
    RatingLevel.NOT_SATISFIED: N_("Không hài lòng"),
}

_PRAISE = {
    "quick": N_("Giải quyết nhanh chóng"),
    "clear_guidance": N_("Cán bộ hướng dẫn tận tình, dễ hiểu"),
    "courteous": N_("Thái độ phục vụ lịch sự, chu đáo"),
    "good_facilities": N_("Nơi làm thủ tục sạch sẽ, thuận tiện"),
}
_COMPLAINTS = {
    "long_wait": N_("Thời gian chờ lâu"),
    "unclear_guidance": N_("Cán bộ hướng dẫn chưa rõ"),
    "poor_attitude": N_("Thái độ phục vụ chưa tốt"),
    "complex_procedure": N_("Thủ tục, giấy tờ phức tạp"),
    "poor_facilities": N_("Cơ sở vật chất chưa tốt"),
}
# The reasons a citizen may tick for each level: code -> message id (Vietnamese), in order.
REASONS: dict[str, dict[str, str]] = {
    RatingLevel.VERY_SATISFIED: _PRAISE,
    RatingLevel.SATISFIED: _PRAISE,
    RatingLevel.NOT_SATISFIED: _COMPLAINTS,
}
# Every reason code with its message id, for reports.
REASON_LABELS: dict[str, str] = {
    code: label for reasons in REASONS.values() for code, label in reasons.items()
}


def rating_of(session: Session, ticket: Ticket) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))


def check(session: Session, ticket: Ticket, channel: str, actor: Actor, now: datetime) -> None:
    """Raise the reason why ``ticket`` may not be rated now through ``channel``, if any."""
    if channel not in RatingChannel.ALL:
        raise ApiError("invalid_channel", f"Unknown rating channel {channel!r}.")
    if channel == RatingChannel.TABLET and (
        actor.device is None or not allowed(actor, Action.RATE_SERVICE, ticket.site_id, ticket.counter_id)
    ):
        raise Forbidden("wrong_counter", "Only the rating tablet of the counter that served it may rate it.")
    if ticket.status != TicketStatus.DONE or ticket.finished_at is None:
        raise Conflict(
            "wrong_state",
            f"Ticket {ticket.number} is {ticket.status}; only a finished ticket can be rated.",
            status_now=ticket.status,
        )
    if rating_of(session, ticket) is not None:
        raise Conflict("already_rated", f"Ticket {ticket.number} has already been rated.")
    if now - ticket.finished_at > WINDOWS[channel]:
        raise Conflict("rating_closed", f"Ticket {ticket.number} can no longer be rated from the {channel}.")


def phone_state(session: Session, ticket: Ticket, now: datetime | None = None) -> str:
    """What the ticket's tracking page offers: ``rated``; ``open`` (now, or once the ticket is
    finished); or ``closed`` (too late, or no longer possible)."""
    if rating_of(session, ticket) is not None:
        return "rated"
    if ticket.status == TicketStatus.DONE:
        try:
            check(session, ticket, RatingChannel.PHONE, Actor(), now or utcnow())
        except ApiError:
            return "closed"
    return "open"


def _chosen_reasons(level: str, reasons: list[str]) -> list[str]:
    if level not in RatingLevel.ALL:
        raise ApiError("invalid_level", f"Unknown level {level!r}; use one of {', '.join(RatingLevel.ALL)}.")
    offered = REASONS[level]
    unknown = [reason for reason in reasons if reason not in offered]
    if unknown:
        raise ApiError(
            "invalid_reason",
            f"Not a reason for {level}: {', '.join(map(str, unknown))}; choose from {', '.join(offered)}.",
        )
    return list(dict.fromkeys(reasons))


def rate(
    session: Session,
    ticket: Ticket,
    level: str,
    reasons: list[str],
    channel: str,
    actor: Actor,
    now: datetime | None = None,
) -> Rating:
    """Record the citizen's rating of a finished ticket, once."""
    now = now or utcnow()
    reasons = _chosen_reasons(level, reasons)
    check(session, ticket, channel, actor, now)
    rating = Rating(
        ticket_id=ticket.id,
        site_id=ticket.site_id,
        service_id=ticket.service_id,
        counter_id=ticket.counter_id,
        officer_id=ticket.officer_id,
        level=level,
        reasons=reasons,
        channel=channel,
        created_at=now,
    )
    try:
        with session.begin_nested():  # the tablet and the phone at the same instant: one wins
            session.add(rating)
    except IntegrityError:
        raise Conflict("already_rated", f"Ticket {ticket.number} has already been rated.") from None
    log.info("ticket %s rated %s from the %s", ticket.id, level, channel)
    publish_after_commit(
        session,
        "rating.created",
        {
            "site": ticket.site.code,
            "ticket_id": ticket.id,
            "counter_id": ticket.counter_id,
            "level": level,
            "reasons": reasons,
            "channel": channel,
        },
    )
    return rating
