"""Officers' photos, which the counter's screen shows so that citizens know who serves them.

An admin (or a supervisor of the officer's sites) uploads a JPEG or PNG from the users page;
it is re-encoded here as a JPEG of at most :data:`MAX_SIDE` pixels a side, turned upright
first and without its EXIF (a phone's photo carries the place and time it was taken). The
result is kept under ``PHOTOS_DIR`` by its SHA-256 (the dossiers' storage) and named by
``User.photo``.

A photo is personal data: it is public only while its officer works at a counter, i.e. is
the officer of an open or paused counter of the site in the address (:func:`shown_at`); any
other time the address answers 404. Its answers are revalidated on every use (``no-cache``
with an ETag), so that a screen stops showing it as soon as the officer leaves.
"""

from __future__ import annotations

import io
from typing import BinaryIO
from urllib.parse import quote

from flask import current_app
from PIL import Image, ImageOps
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import db, utcnow
from ..errors import ApiError
from ..sites import staffing
from ..sites.calendar import business_date
from ..sites.models import Counter, Site
from ..storage import DiskStorage
from .models import User

MAX_SIDE = 400
JPEG_QUALITY = 85
# The largest photo accepted before re-encoding: a phone's full-size photo is 3 to 12 MB.
UPLOAD_MAX_BYTES = 16 * 2**20
ACCEPTED = {"PNG", "JPEG"}


def _jpeg_only(head: bytes) -> str:
    """What the storage keeps: the re-encoded JPEG, nothing else."""
    if not head.startswith(b"\xff\xd8\xff"):
        raise ApiError("unsupported_photo", "Send a JPEG or PNG photo.", 415)
    return "image/jpeg"


def photo_storage() -> DiskStorage:
    return DiskStorage(current_app.config["PHOTOS_DIR"], UPLOAD_MAX_BYTES, sniff=_jpeg_only, what="A photo")


def flattened(image: Image.Image) -> Image.Image:
    """RGB; a transparent background (a PNG cut out) becomes white, not black."""
    if image.mode not in ("RGBA", "LA", "P"):
        return image.convert("RGB")
    image = image.convert("RGBA")
    white = Image.new("RGB", image.size, "white")
    white.paste(image, mask=image.getchannel("A"))
    return white


def reencode(stream: BinaryIO) -> bytes:
    """The photo as a small upright JPEG without metadata, or a 4xx for anything else."""
    data = stream.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise ApiError(
            "file_too_large", "A photo may be at most 16 MiB.", 413, max_mb=UPLOAD_MAX_BYTES // 2**20
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED:
                raise ApiError("unsupported_photo", "Send a JPEG or PNG photo.", 415)
            image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))  # JPEG: decode at a smaller scale
            upright = flattened(ImageOps.exif_transpose(image))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ApiError("unsupported_photo", "Send a JPEG or PNG photo.", 415) from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif=: none is written
    return out.getvalue()


def _discard(session: Session, key: str | None) -> None:
    if key and not session.scalar(select(func.count()).select_from(User).where(User.photo == key)):
        photo_storage().delete(key)


def set_photo(session: Session, user: User, stream: BinaryIO) -> None:
    """Give the account a photo (replacing its old one); the change is in the users' trail."""
    stored = photo_storage().save(io.BytesIO(reencode(stream)))
    old, user.photo = user.photo, stored.key
    session.flush()
    if old != stored.key:
        _discard(session, old)


def remove_photo(session: Session, user: User) -> None:
    old, user.photo = user.photo, None
    session.flush()
    _discard(session, old)


def shown_at(session: Session, user: User, site: Site) -> bool:
    """Whether the officer's photo is public at ``site`` now: they work at one of its counters
    today (open or paused: :mod:`queue_server.sites.staffing`)."""
    if user.photo is None:
        return False
    day = business_date(site, utcnow())
    counters = session.scalars(
        select(Counter).where(Counter.site_id == site.id, Counter.officer_id == user.id)
    )
    return any(staffing.officer_at(counter, day) == user.id for counter in counters)


def photo_url(user: User) -> str | None:
    """The public address of the officer's photo at the counter they work at now, or None
    (no photo, or at no open or paused counter). It changes with the photo (``v``)."""
    if not user.photo:
        return None
    counters = db.session.scalars(select(Counter).where(Counter.officer_id == user.id).order_by(Counter.id))
    for counter in counters:
        if staffing.officer_at(counter, business_date(counter.site, utcnow())) == user.id:
            return photo_path(counter.site.code, user)
    return None


def photo_path(site_code: str, user: User) -> str | None:
    """The address of ``user``'s photo at ``site_code`` (the route ``signage.photo``), for the
    screens of that site, which are served from the same host; None without a photo. It
    changes with the photo (``v``). Built without a request: snapshots and live events are
    made outside one too."""
    if not user.photo:
        return None
    return f"/display/{quote(site_code)}/photos/{user.id}?v={user.photo[-12:]}"
