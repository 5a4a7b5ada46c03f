"""Where uploaded files are kept (the scans of a dossier's papers, the hall's signage, officers'
photos), behind one small interface.

:class:`DiskStorage` (the default, under ``ATTACHMENTS_DIR``) keeps each file under its
SHA-256, so the same scan sent twice (a retried upload) is stored once. Another backend (an
object store) only needs ``save``, ``open`` and ``delete``. The hall's signage and officers'
photos are kept the same way, each in its own folder and with its own kinds of file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from .errors import ApiError
from .scans import scan_kind

CHUNK = 1 << 16
# The first bytes kept to recognise a file: enough for a WebM's EBML header and its DocType.
HEAD = 64


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str
    content_type: str


class Storage(Protocol):
    def save(self, stream: BinaryIO) -> Stored: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> bool: ...


def sniff(head: bytes) -> str:
    """A scan's content type (:func:`.scans.scan_kind`), or the API's refusal."""
    content_type = scan_kind(head)
    if content_type is not None:
        return content_type
    raise ApiError("unsupported_file", "Attach a PDF, JPEG, PNG or TIFF scan.", 415)


class DiskStorage:
    """Files under ``root``, each at most ``max_bytes``; ``sniff`` names the kind of a file by
    its first bytes (or refuses it) and ``what`` says in errors what the file is."""

    def __init__(
        self, root: Path, max_bytes: int, sniff: Callable[[bytes], str] = sniff, what: str = "A scan"
    ):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.sniff = sniff
        self.what = what

    def save(self, stream: BinaryIO) -> Stored:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ApiError(
                            "file_too_large",
                            f"{self.what} may be at most {self.max_bytes // 2**20} MiB.",
                            413,
                            max_mb=self.max_bytes // 2**20,
                        )
                    if len(head) < HEAD:
                        head += chunk[: HEAD - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise ApiError("empty_file", "The file is empty.")
            content_type = self.sniff(head)
            sha256 = digest.hexdigest()
            key = f"{sha256[:2]}/{sha256}"
            final = self.root / key
            final.parent.mkdir(exist_ok=True)
            os.replace(temporary, final)
            return Stored(key, size, sha256, content_type)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def open(self, key: str) -> BinaryIO:
        return (self.root / key).open("rb")

    def delete(self, key: str) -> bool:
        """Remove a stored file (the end of its retention); False when it was already gone."""
        try:
            (self.root / key).unlink()
        except FileNotFoundError:
            return False
        return True


def current_storage() -> Storage:
    config = current_app.config
    return DiskStorage(config["ATTACHMENTS_DIR"], config["ATTACHMENT_MAX_BYTES"])
