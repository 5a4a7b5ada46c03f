"""The shape of a dossier, in one place: its states and choices, and the limits and patterns of
what an intake records.

The API's schemas, the lifecycle, the forms, the console and the post-office client read them
here, so that a limit or a choice changes once. Plain Python with no database or web imports:
the post-office client checks an intake with these rules offline. What each value is called
lives in :mod:`.labels`.
"""

from __future__ import annotations

import re
from datetime import timedelta


class DossierStatus:
    """Where a dossier stands (Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP).

    ``incomplete`` and an intake ``refused`` are never registered: the officer gave the citizen
    Mẫu 02 (what to complete) or Mẫu 03 (refusal) instead of a receipt.
    """

    INCOMPLETE = "incomplete"  # hướng dẫn hoàn thiện tại tiếp nhận (Mẫu 02), không tiếp nhận
    RECEIVED = "received"  # đã tiếp nhận
    SUPPLEMENT_REQUESTED = "supplement_requested"  # yêu cầu bổ sung
    RESUBMITTED = "resubmitted"  # đã bổ sung
    REFUSED = "refused"  # từ chối
    TRANSFERRED = "transferred"  # đã chuyển cơ quan giải quyết
    PROCESSING = "processing"  # đang giải quyết
    APOLOGY_ISSUED = "apology_issued"  # đã xin lỗi, đề nghị gia hạn
    RESULT_READY = "result_ready"  # có kết quả
    RETURNED = "returned"  # đã trả kết quả
    STOPPED = "stopped"  # dừng giải quyết theo yêu cầu (Mẫu 05 của TT 03/2025)
    ALL = (
        INCOMPLETE,
        RECEIVED,
        SUPPLEMENT_REQUESTED,
        RESUBMITTED,
        REFUSED,
        TRANSFERRED,
        PROCESSING,
        APOLOGY_ISSUED,
        RESULT_READY,
        RETURNED,
        STOPPED,
    )
    # Registered and not finished: the deadline runs (or waits for the citizen's supplement).
    OPEN = (RECEIVED, SUPPLEMENT_REQUESTED, RESUBMITTED, TRANSFERRED, PROCESSING, APOLOGY_ISSUED)


class DossierChannel:
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"
    ALL = (COUNTER, POSTAL, ONLINE)


class Delivery:
    """Where the citizen collects the result (and how a result was handed back)."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"
    ALL = (COUNTER, POST, ONLINE)


class ReturnPlace:
    """Which centre hands back a result collected at a counter (intake regardless of boundary,
    Nghị định 118/2025 Điều 14): the one that received the dossier or the one that handled it."""

    RECEIVING = "receiving"
    HANDLING = "handling"
    ALL = (RECEIVING, HANDLING)


class FeePayment:
    """How the fee was paid at intake."""

    CASH = "cash"
    BANK = "bank"  # chuyển khoản / thu hộ qua ngân hàng
    CARD = "card"
    ONLINE = "online"  # trực tuyến: the national portal's payment platform, a wallet
    EXEMPT = "exempt"
    UNPAID = "unpaid"
    ALL = (CASH, BANK, CARD, ONLINE, EXEMPT, UNPAID)
    # The ways a fee is paid, when an officer confirms it; cashless: all but cash (the share
    # Quyết định 766/QĐ-TTg counts).
    METHODS = (CASH, BANK, CARD, ONLINE)
    CASHLESS = (BANK, CARD, ONLINE)


class FeeStatus:
    """What became of the fee. A refused or stopped dossier's fee is refunded when it was paid
    and never collected when it was not (see :class:`.lifecycle.Policy`)."""

    NONE = "none"  # the procedure has no fee
    PAID = "paid"
    UNPAID = "unpaid"
    EXEMPT = "exempt"
    REFUNDED = "refunded"
    NOT_COLLECTED = "not_collected"
    ALL = (NONE, PAID, UNPAID, EXEMPT, REFUNDED, NOT_COLLECTED)

    @classmethod
    def at_intake(cls, fee: int, payment: str) -> str:
        if payment == FeePayment.EXEMPT:
            return cls.EXEMPT
        if not fee:
            return cls.NONE
        return cls.UNPAID if payment == FeePayment.UNPAID else cls.PAID


class Outcome:
    """How a finished dossier ended. Only a result counts as early, on time or late; refused and
    stopped dossiers are left out of those shares."""

    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn
    REFUSED = "refused"
    STOPPED = "stopped"
    TIMELINESS = (EARLY, ON_TIME, LATE)
    IN_TIME = (EARLY, ON_TIME)  # what the on-time share counts, over TIMELINESS
    ALL = (EARLY, ON_TIME, LATE, REFUSED, STOPPED)


class IntakeDecision:
    """What the officer decides at intake (Thông tư 01/2018 and its forms, kept by Thông tư 03/2025): register
    the dossier with a receipt (Mẫu 01), give guidance on what is missing (Mẫu 02), or refuse it
    (Mẫu 03). Only an accepted dossier gets a receipt, a due date, a book entry and a fee."""

    ACCEPT = "accept"
    INCOMPLETE = "incomplete"
    REFUSE = "refuse"
    ALL = (ACCEPT, INCOMPLETE, REFUSE)


class RequestChannel:
    """How the citizen asked to stop a dossier (Thông tư 03/2025 Điều 7)."""

    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"
    ALL = (IN_PERSON, POST, ONLINE)


class NoticeChannel:
    """How the citizen was told of an apology and its new date (Nghị định 61/2018 Điều 19.9,
    kept by 2025 provincial rules: e-mail, SMS, phone or a social network)."""

    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    ZALO = "zalo"
    POST = "post"
    IN_PERSON = "in_person"
    ALL = (PHONE, SMS, EMAIL, ZALO, POST, IN_PERSON)


# Limits of what an intake records, in characters unless said otherwise.
NAME_MAX = 200
ADDRESS_MAX = 500
EMAIL_MAX = 200
PHONE_MAX = 20
ID_NUMBER_MAX = 20
DOCUMENT_NAME_MAX = 500
NOTE_MAX = 2000
REASON_MAX = 2000
RULES_REFERENCE_MAX = 500
AGENCY_MAX = 300
SETS_MIN, SETS_MAX = 1, 50
# Documents listed at intake (or to complete, or added by a supplement), each a list: a
# procedure's dossier has a handful to a few dozen components (thành phần hồ sơ).
DOCUMENTS_MAX = 100
COPIES_MIN, COPIES_MAX = 0, 100
# A fee in đồng: above any fee of a catalogue, within the database's 32-bit integer.
FEE_MAX = 2_000_000_000
# A receipt's number ("Số biên lai": a series and a number, an e-receipt's lookup code).
RECEIPT_NUMBER_MAX = 40
DOCUMENT_COUNTS = ("originals", "certified_copies", "copies")

# How far ahead of the server's clock an instant a client recorded may be (an intake's receipt,
# a delivery): a PC's clock runs a little fast, a later instant is a mistake.
CLOCK_SKEW = timedelta(minutes=5)
ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")  # CMND (9) or CCCD (12)
PHONE = re.compile(r"^\+?[0-9 .-]{8,15}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLIENT_ID_PATTERN = r"^[0-9A-Za-z_-]{8,40}$"
CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
