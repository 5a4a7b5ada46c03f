"""What the legal texts leave open, as settings: one home for each, with its default and why.

``docs/legal.md`` lists every rule the product applies with its source and how sure it is; the
rules it marks *open* are the settings here. Each is read from the application's configuration
(environment variables, :mod:`queue_server.config`), so a province sets it once for all its
centres; outside an application (tests of pure rules, tools) the defaults apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from flask import current_app, has_app_context


class SupplementRule:
    """What a supplement does to the processing time.

    ``restart`` (default): the time starts again from the beginning once the complete dossier
    is back (Nghị định 61/2018 Điều 19.4 and a sectoral decree of 11/2025; Nghị định 118/2025
    Điều 11 allows one request). ``pause``: the clock stops while the citizen completes the
    dossier and the due date moves by the working time that took (this product's rule before
    2026, kept for centres whose province still applies it).
    """

    RESTART = "restart"
    PAUSE = "pause"
    ALL = (RESTART, PAUSE)


class LateApology:
    """An apology sent later than the law's "at the latest one day before the due date"
    (Nghị định 61/2018 Điều 19.9, repeated by 2025 provincial rules): the texts do not say what
    then. ``record`` (default): accept it, mark it sent late on the dossier and its control
    sheet, since the citizen is still owed it. ``refuse``: 409."""

    RECORD = "record"
    REFUSE = "refuse"
    ALL = (RECORD, REFUSE)


@dataclass(frozen=True)
class Policy:
    # DOSSIER_SUPPLEMENT_RULE: see SupplementRule.
    supplement_rule: str = SupplementRule.RESTART
    # CALENDAR_COUNT_MAKEUP_DAYS: the government's make-up Saturdays (``holidays``'
    # weekend_workdays, e.g. 22/8/2026) count as working days; an admin's day always wins.
    count_makeup_days: bool = True
    # DOSSIER_DEFAULT_CUTOFF: the cut-off hour a procedure gets when the catalogue names none
    # (15:00 in Nghị định 61/2018 and the 2025 procedures that keep it); empty: none.
    default_cutoff: time | None = time(15, 0)
    # FORMS_TT03_FROM: dossiers received from this day print Thông tư 03/2025's forms (the
    # circular is dated 15/9/2025; its effective-date clause was not found, docs/domain.md).
    tt03_from: date = date(2025, 9, 15)
    # DOSSIER_APOLOGY_LEAD_DAYS: working days before the due instant by which the apology must
    # be sent ("chậm nhất 01 ngày trước ngày hết hạn").
    apology_lead_days: float = 1
    # DOSSIER_LATE_APOLOGY: see LateApology.
    late_apology: str = LateApology.RECORD
    # DOSSIER_REFUND_ON_REFUSAL / _ON_STOP: a refused or stopped dossier's paid fee is marked
    # refunded (and an unpaid one not collected). Refunds are open in the texts (docs/domain.md).
    refund_on_refusal: bool = True
    refund_on_stop: bool = True
    # DOSSIER_PAYMENT_PAUSES_CLOCK: a dossier whose procedure wants its fee before processing
    # (Procedure.payment_before_processing) does not run its processing time while it waits for
    # the citizen's payment: its due date moves by the working time the payment took, as for a
    # supplement under the pause rule. The texts do not say (docs/legal.md, [open]); off, the
    # time runs from receipt as the receipt says.
    payment_pauses_clock: bool = True
    # DOSSIER_DUE_SOON_HOURS: working time before the due instant from which it is flagged.
    due_soon: timedelta = timedelta(hours=8)
    # How far back an offline intake (the postal client) may date its receipt.
    max_backdate: timedelta = timedelta(days=30)

    @classmethod
    def current(cls) -> Policy:
        if not has_app_context():
            return cls()
        config = current_app.config
        defaults = cls()
        return cls(
            supplement_rule=config.get("DOSSIER_SUPPLEMENT_RULE", defaults.supplement_rule),
            count_makeup_days=config.get("CALENDAR_COUNT_MAKEUP_DAYS", defaults.count_makeup_days),
            default_cutoff=config.get("DOSSIER_DEFAULT_CUTOFF", defaults.default_cutoff),
            tt03_from=config.get("FORMS_TT03_FROM", defaults.tt03_from),
            apology_lead_days=config.get("DOSSIER_APOLOGY_LEAD_DAYS", defaults.apology_lead_days),
            late_apology=config.get("DOSSIER_LATE_APOLOGY", defaults.late_apology),
            refund_on_refusal=config.get("DOSSIER_REFUND_ON_REFUSAL", defaults.refund_on_refusal),
            refund_on_stop=config.get("DOSSIER_REFUND_ON_STOP", defaults.refund_on_stop),
            payment_pauses_clock=config.get("DOSSIER_PAYMENT_PAUSES_CLOCK", defaults.payment_pauses_clock),
            due_soon=timedelta(hours=config.get("DOSSIER_DUE_SOON_HOURS", 8)),
        )
