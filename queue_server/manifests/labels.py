"""What a manifest's states are called, in one place: the centre's console and the post-office
client (which shows the server's state of the manifests it sent) say the same words.

The message ids are the Vietnamese words (``N_`` marks them for the English catalogue): the
console shows them translated, the post-office client as they are.
"""

from __future__ import annotations

from ..web import N_
from .models import ManifestStatus

STATUS = {
    ManifestStatus.OPEN: N_("Đang lập"),
    ManifestStatus.CLOSED: N_("Đã đóng, đang chuyển"),
    ManifestStatus.RECEIVING: N_("Đang nhận"),
    ManifestStatus.RECEIVED: N_("Đã nhận xong"),
}
