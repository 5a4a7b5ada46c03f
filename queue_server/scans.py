"""What a scan of a citizen's papers may be: the server's default size limit and the kinds of file
a scanner or a phone produces, recognised by the first bytes, not the name.

A plain module at the bottom of the layers, because the file store (:mod:`queue_server.storage`),
the settings (:mod:`queue_server.config`) and the post-office client all check the same thing.
"""

from __future__ import annotations

# The server's default limit for one file (the ATTACHMENT_MAX_MB setting).
ATTACHMENT_MAX_MB = 20
SCAN_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}


def scan_kind(head: bytes) -> str | None:
    """The content type of a scan from its first bytes; None when it is no scan we take."""
    return next((kind for signature, kind in SCAN_SIGNATURES.items() if head.startswith(signature)), None)
