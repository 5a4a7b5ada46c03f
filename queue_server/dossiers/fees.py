"""A fee still due, as a transfer the citizen makes from any Vietnamese banking app: the VietQR
code printed on the dossier's receipt (Mẫu 01 and the thermal copy), with the amount and the
memo that ties the transfer back to the dossier (:mod:`queue_server.vietqr`).

Quyết định 766/QĐ-TTg counts cashless payment among a centre's indices; the code is printed
only where it can be used: the fee is due (not paid at the counter, not exempt, not refunded)
and the receiving site has a collecting account (its settings, ``payment_*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import vietqr
from .models import Dossier
from .rules import FeeStatus


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
