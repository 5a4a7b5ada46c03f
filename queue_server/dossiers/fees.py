"""A dossier's fee: its payment record and the moves that change it, and, while it is due, the
transfer that pays it.

The record is the dossier's ``fee`` (the amount due: the procedure's fee unless the receiving
officer set another), ``fee_status`` (:class:`~.rules.FeeStatus`: due is ``unpaid``, waived is
``exempt``), ``fee_payment`` (how it was or will be paid), ``fee_paid_at``,
``fee_receipt_number`` and ``fee_confirmed_by``. A fee paid at the counter is confirmed at
intake; else an officer of the receiving or returning centre confirms it later (the citizen
paid by transfer, by card at the result's return, online), changes its amount or waives it,
always with a reason, and refunds one paid in error. Each move is an event of the dossier's
history with who, when and why. A refused or stopped dossier's fee is settled by the lifecycle
(:func:`.lifecycle._settle`): refunded when paid, never collected when due.

Where the procedure wants its fee before processing (``payment_before_processing``), a dossier
received unpaid waits: it is flagged ``payment_due``, the citizen is told how to pay (the
notice ``dossier.payment_due`` and the tracking page's VietQR code), it cannot go to the agency
(:data:`.lifecycle.PAYMENT_GATED`), and confirming or waiving the fee lets it go on
(:func:`.lifecycle.payment_settled`).

While the fee is due the receipt (Mẫu 01 and the thermal copy) carries a VietQR code for a
transfer from any Vietnamese banking app, with the amount and a memo that ties the transfer
back to the dossier (:mod:`queue_server.vietqr`). Quyết định 766/QĐ-TTg counts cashless
payment among a centre's indices [summary]; the code is printed only where it can be used: the
fee is due and the receiving site has a collecting account (its settings, ``payment_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vietqr
from ..actors import Actor
from ..database import utcnow
from ..errors import ApiError, Conflict
from ..events import publish_after_commit
from ..queueing.models import Ticket
from ..svgcodes import qr_svg
from . import lifecycle, rules
from .models import Dossier, DossierEvent
from .rules import FeePayment, FeeStatus

# Live events for the devices at the counter that served the citizen (live/__init__.py sends them
# to that counter's devices only): the transfer to show on its rating tablet, and its end.
PAYMENT_REQUESTED = "payment.requested"
PAYMENT_SETTLED = "payment.settled"

# move: (the fee statuses it may start from, the status it leads to). A fee settled (paid and
# refunded, waived, never collected) is not moved again; one paid is only refunded.
FEE_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({FeeStatus.UNPAID}), FeeStatus.PAID),
    "change": (frozenset({FeeStatus.UNPAID}), FeeStatus.UNPAID),
    "waive": (frozenset({FeeStatus.UNPAID}), FeeStatus.EXEMPT),
    "refund": (frozenset({FeeStatus.PAID}), FeeStatus.REFUNDED),
}
MOVES = tuple(FEE_MOVES)


def _reason(data: dict) -> str:
    return lifecycle.text(data.get("reason"), "reason", required=True, limit=rules.NOTE_MAX)


def _receipt_number(data: dict) -> str | None:
    return lifecycle.text(data.get("receipt_number"), "receipt_number", limit=rules.RECEIPT_NUMBER_MAX)


def _paid_at(dossier: Dossier, data: dict, now: datetime) -> datetime:
    if not data.get("paid_at"):
        return now
    paid_at = lifecycle.parse_instant(data["paid_at"], "paid_at")
    if paid_at > now or paid_at < dossier.received_at:
        raise ApiError(
            "invalid_paid_at", "A fee is paid between the dossier's intake and now.", field="paid_at"
        )
    return paid_at


def _confirm(dossier: Dossier, actor: Actor, data: dict, now: datetime) -> dict:
    method = data.get("method")
    if method not in FeePayment.METHODS:
        raise ApiError("invalid_method", f"method: one of {', '.join(FeePayment.METHODS)}.", field="method")
    dossier.fee_payment = method
    dossier.fee_paid_at = _paid_at(dossier, data, now)
    dossier.fee_receipt_number = _receipt_number(data)
    dossier.fee_confirmed_by = lifecycle.actor_name(actor)
    return {
        "amount": dossier.fee,
        "method": method,
        "paid_at": dossier.fee_paid_at.isoformat(),
        "receipt_number": dossier.fee_receipt_number,
    }


def _change(dossier: Dossier, actor: Actor, data: dict, now: datetime) -> dict:
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= rules.FEE_MAX:
        raise ApiError(
            "invalid_fee", f"amount is a whole number of đồng, from 1 to {rules.FEE_MAX}.", field="amount"
        )
    if amount == dossier.fee:
        raise ApiError("unchanged", "That is the amount already due.", field="amount")
    previous, dossier.fee = dossier.fee, amount
    return {"previous_amount": previous, "amount": amount, "reason": _reason(data)}


def _waive(dossier: Dossier, actor: Actor, data: dict, now: datetime) -> dict:
    dossier.fee_payment = FeePayment.EXEMPT
    return {"amount": dossier.fee, "reason": _reason(data)}


def _refund(dossier: Dossier, actor: Actor, data: dict, now: datetime) -> dict:
    return {"amount": dossier.fee, "reason": _reason(data), "receipt_number": _receipt_number(data)}


STEPS = {"confirm": _confirm, "change": _change, "waive": _waive, "refund": _refund}
assert set(STEPS) == set(FEE_MOVES)


def move(
    session: Session, dossier: Dossier, name: str, actor: Actor, data: dict, *, now: datetime | None = None
) -> DossierEvent:
    """Take the fee move ``name`` (confirm, change, waive, refund), or raise 409 when the fee's
    status does not allow it. Callers commit."""
    if name not in FEE_MOVES:
        raise ApiError("unknown_move", f"Unknown fee move {name!r}; one of {', '.join(MOVES)}.")
    sources, target = FEE_MOVES[name]
    if not dossier.registered or dossier.fee_status not in sources:
        raise Conflict(
            "invalid_fee_move",
            f"The fee of dossier {dossier.code} is {dossier.fee_status}; it cannot {name}.",
        )
    now = now or utcnow()
    previous = dossier.fee_status
    details = STEPS[name](dossier, actor, data, now)
    dossier.fee_status = target
    dossier.updated_at = now
    if previous == FeeStatus.UNPAID and target != FeeStatus.UNPAID:
        details.update(lifecycle.payment_settled(session, dossier, now))
        counter_id = _serving_counter(session, dossier)
        if counter_id is not None:
            payload = {"site": dossier.site.code, "counter_id": counter_id, "code": dossier.code}
            publish_after_commit(session, PAYMENT_SETTLED, {**payload, "fee_status": target})
    details["from_fee_status"] = previous
    return lifecycle.record_fee(session, dossier, actor, f"fee_{name}", now, details)


@dataclass(frozen=True)
class Transfer:
    """What a receipt prints for a fee paid by transfer."""

    payload: str  # the VietQR string
    amount: int  # đồng
    memo: str  # the transfer's content: the dossier code's letters and digits
    account_number: str
    account_name: str
    bank_name: str


def transfer(dossier: Dossier) -> Transfer | None:
    """The transfer that pays the dossier's fee, or None when nothing is due or the receiving
    site takes no transfers."""
    if dossier.fee_status != FeeStatus.UNPAID or not dossier.fee:
        return None
    site = dossier.receiving_site
    account = site.payment_account
    if account is None:
        return None
    memo = vietqr.memo(dossier.code)
    return Transfer(
        payload=vietqr.payload(account, dossier.fee, memo),
        amount=dossier.fee,
        memo=memo,
        account_number=account.number,
        account_name=site.payment_account_name or "",
        bank_name=site.payment_bank_name or "",
    )


def _serving_counter(session: Session, dossier: Dossier) -> int | None:
    """The counter where the dossier was taken in: that of the ticket it was taken in for."""
    if dossier.ticket_id is None:
        return None
    ticket = session.get(Ticket, dossier.ticket_id)
    return ticket.counter_id if ticket is not None else None


def show_at_counter(session: Session, dossier: Dossier) -> bool:
    """Put the transfer that pays a fee still due on the rating tablet of the counter that took
    the dossier in (after the commit), so that the citizen pays with a banking app before
    leaving the counter; the tablet clears it once the fee is confirmed or waived. Only that
    counter's devices receive it: the code, the amount and the collecting account, nothing of
    the applicant. False when there is nothing to show or no counter to show it at."""
    counter_id = _serving_counter(session, dossier)
    payment = transfer(dossier)
    if counter_id is None or payment is None:
        return False
    publish_after_commit(
        session,
        PAYMENT_REQUESTED,
        {
            "site": dossier.site.code,
            "counter_id": counter_id,
            "code": dossier.code,
            "amount": payment.amount,
            "memo": payment.memo,
            "account_number": payment.account_number,
            "account_name": payment.account_name,
            "bank_name": payment.bank_name,
            "qr_svg": str(qr_svg(payment.payload, "rate-vietqr")),
        },
    )
    return True
