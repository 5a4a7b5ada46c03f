"""The hall screen's signage: a ticker of notices, and a playlist of images and videos that
fills the hall screen while nobody is called.

A site's supervisors and admins manage it (``Action.MANAGE_SIGNAGE``) from the administration
(``/admin/signage``, over ``/api/v1/admin/sites/<site>/signage``); the hall reads what is on
today from ``/display/<site>/signage.json`` (display/signage.py), again every
:data:`POLL_SECONDS`, so that a change reaches every hall screen within a minute without a live
event for each screen to handle.

Files are judged by their content, never by their name or the browser's word: an image must
be a PNG, JPEG or WebP that Pillow can read, a video an MP4 or WebM by its signature. Each
is kept once by its SHA-256 under ``SIGNAGE_DIR`` (the dossiers' storage, which also enforces
``SIGNAGE_MAX_MB``), and deleted with the last item that shows it.

Each change is an audit event of its own (``Event.SIGNAGE_*``, with what was shown), filed
under the site; the rows themselves are not repeated in the trail (``recorder.OWN_LOG``).
"""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

from flask import current_app, url_for
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit.recorder import Event, record_event
from ..errors import ApiError
from ..inputs import storable
from ..lookups import get_or_404
from ..storage import DiskStorage
from .models import Site
from .signage_models import SignageMedia, SignageNotice

# How often a hall screen reads its signage again (seconds); the feed is cached for less.
POLL_SECONDS = 30
NOTICE_MAX_LENGTH = 300
FEED_MAX_AGE = 15
DEFAULT_IMAGE_SECONDS = 10

IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
VIDEO_TYPES = ("video/mp4", "video/webm")
# The major brands (bytes 8-12, after "ftyp") of the MP4 files cameras, phones and editors
# write; HEIC and AVIF images, and QuickTime's MOV, share the container but not the brand.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
    b"mmp4",
}
EBML = b"\x1a\x45\xdf\xa3"
WEBM_DOCTYPE = b"\x42\x82\x84webm"  # the EBML header's DocType element: "webm", 4 bytes


def sniff_media(head: bytes) -> str:
    """The type of a playlist's file by its first bytes, or a 415."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "video/mp4"
    if head.startswith(EBML) and WEBM_DOCTYPE in head:
        return "video/webm"
    raise ApiError("unsupported_media", "Send a PNG, JPEG or WebP image, or an MP4 or WebM video.", 415)


def media_storage() -> DiskStorage:
    config = current_app.config
    return DiskStorage(
        config["SIGNAGE_DIR"], config["SIGNAGE_MAX_BYTES"], sniff=sniff_media, what="An image or a video"
    )


def check_image(path, content_type: str) -> None:
    """Refuse a file that starts like an image but that Pillow cannot read as that image."""
    try:
        with Image.open(path) as image:
            found = image.format
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        found = None
    if found != IMAGE_FORMATS[content_type]:
        raise ApiError("unreadable_image", "The image is damaged or not what it claims to be.", 415)


def path_of(key: str):
    return media_storage().root / key


def discard_file(session: Session, key: str) -> None:
    """Delete a stored file unless another item of any site still shows it (the same file
    uploaded twice is kept once)."""
    used = session.scalar(
        select(func.count()).select_from(SignageMedia).where(SignageMedia.storage_key == key)
    )
    if not used:
        media_storage().delete(key)


# -- reading -----------------------------------------------------------------------------------


def notices_of(session: Session, site: Site) -> list[SignageNotice]:
    return list(
        session.scalars(
            select(SignageNotice)
            .where(SignageNotice.site_id == site.id)
            .order_by(SignageNotice.sort_order, SignageNotice.id)
        )
    )


def media_of(session: Session, site: Site) -> list[SignageMedia]:
    return list(
        session.scalars(
            select(SignageMedia)
            .where(SignageMedia.site_id == site.id)
            .order_by(SignageMedia.sort_order, SignageMedia.id)
        )
    )


def get_notice(session: Session, notice_id: int) -> SignageNotice:
    return get_or_404(
        session, SignageNotice, notice_id, code="unknown_notice", message=f"No notice {notice_id}."
    )


def get_media(session: Session, media_id: int) -> SignageMedia:
    message = f"No image or video {media_id}."
    return get_or_404(session, SignageMedia, media_id, code="unknown_media", message=message)


def notice_view(notice: SignageNotice) -> dict:
    return {
        "id": notice.id,
        "text": notice.text,
        "starts_on": notice.starts_on,
        "ends_on": notice.ends_on,
        "active": notice.active,
        "sort_order": notice.sort_order,
    }


def media_url(media: SignageMedia) -> str:
    return url_for("signage.media", site_code=media.site.code, media_id=media.id)


def media_view(media: SignageMedia) -> dict:
    return {
        "id": media.id,
        "title": media.title,
        "filename": media.filename,
        "content_type": media.content_type,
        "kind": "video" if media.is_video else "image",
        "size": media.size,
        "duration_seconds": media.duration_seconds,
        "starts_on": media.starts_on,
        "ends_on": media.ends_on,
        "active": media.active,
        "sort_order": media.sort_order,
        "url": media_url(media),
    }


def feed(session: Session, site: Site, today: date) -> dict:
    """What the hall shows today: the notices' texts, and the playlist in order."""
    return {
        "notices": [n.text for n in notices_of(session, site) if n.shown_on(today)],
        "media": [
            {
                "id": m.id,
                "kind": "video" if m.is_video else "image",
                "url": media_url(m),
                "duration_seconds": m.duration_seconds,
                "title": m.title,
            }
            for m in media_of(session, site)
            if m.shown_on(today)
        ],
        "poll_seconds": POLL_SECONDS,
    }


# -- changing ----------------------------------------------------------------------------------


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ApiError("invalid_dates", "ends_on is before starts_on.", field="ends_on")


def _values(item, fields) -> dict:
    return {"id": item.id, **{name: getattr(item, name) for name in fields}}


NOTICE_FIELDS = ("text", "starts_on", "ends_on", "active")
MEDIA_FIELDS = ("title", "duration_seconds", "starts_on", "ends_on", "active")


def _next_order(session: Session, model, site: Site) -> int:
    last = session.scalar(select(func.max(model.sort_order)).where(model.site_id == site.id))
    return (last or 0) + 1


def _change(session: Session, item, data: dict, fields, event: str) -> None:
    _check_dates(data.get("starts_on", item.starts_on), data.get("ends_on", item.ends_on))
    changes = {}
    for name in fields:
        if name in data and data[name] != getattr(item, name):
            changes[name] = [getattr(item, name), data[name]]
            setattr(item, name, data[name])
    session.flush()
    if changes:
        record_event(session, event, {"id": item.id, **changes}, site_id=item.site_id)


def create_notice(session: Session, site: Site, data: dict) -> SignageNotice:
    notice = SignageNotice(site=site, sort_order=_next_order(session, SignageNotice, site))
    for name in NOTICE_FIELDS:
        if name in data:
            setattr(notice, name, data[name])
    _check_dates(notice.starts_on, notice.ends_on)
    session.add(notice)
    session.flush()
    record_event(session, Event.SIGNAGE_NOTICE_ADDED, _values(notice, NOTICE_FIELDS), site_id=site.id)
    return notice


def update_notice(session: Session, notice: SignageNotice, data: dict) -> None:
    _change(session, notice, data, NOTICE_FIELDS, Event.SIGNAGE_NOTICE_CHANGED)


def delete_notice(session: Session, notice: SignageNotice) -> None:
    record_event(
        session, Event.SIGNAGE_NOTICE_REMOVED, _values(notice, NOTICE_FIELDS), site_id=notice.site_id
    )
    session.delete(notice)
    session.flush()


def add_media(session: Session, site: Site, stream: BinaryIO, filename: str, data: dict) -> SignageMedia:
    """Store an uploaded image or video (checked, see :func:`sniff_media` and
    :func:`check_image`) and put it at the end of the site's playlist."""
    if not storable(filename):
        raise ApiError("invalid_filename", "The file's name holds a character that cannot be stored.")
    _check_dates(data.get("starts_on"), data.get("ends_on"))
    storage = media_storage()
    stored = storage.save(stream)
    if stored.content_type in IMAGE_FORMATS:
        try:
            check_image(storage.root / stored.key, stored.content_type)
        except ApiError:
            discard_file(session, stored.key)
            raise
    media = SignageMedia(
        site=site,
        filename=filename[-255:],
        content_type=stored.content_type,
        size=stored.size,
        storage_key=stored.key,
        sort_order=_next_order(session, SignageMedia, site),
        title=data.get("title") or "",
        duration_seconds=data.get("duration_seconds") or DEFAULT_IMAGE_SECONDS,
        starts_on=data.get("starts_on"),
        ends_on=data.get("ends_on"),
        active=data.get("active", True),
    )
    session.add(media)
    session.flush()
    details = _values(media, ("filename", "content_type", "size", *MEDIA_FIELDS))
    record_event(session, Event.SIGNAGE_MEDIA_ADDED, details, site_id=site.id)
    return media


def update_media(session: Session, media: SignageMedia, data: dict) -> None:
    _change(session, media, data, MEDIA_FIELDS, Event.SIGNAGE_MEDIA_CHANGED)


def delete_media(session: Session, media: SignageMedia) -> None:
    """Remove an item and, unless another item shows the same file, its file. The file goes
    once the row is gone from this transaction: should the commit fail, the row would name a
    missing file, which the hall skips."""
    details = _values(media, ("filename", "content_type", "size", *MEDIA_FIELDS))
    record_event(session, Event.SIGNAGE_MEDIA_REMOVED, details, site_id=media.site_id)
    key = media.storage_key
    session.delete(media)
    session.flush()
    discard_file(session, key)


def reorder(session: Session, site: Site, model, ids: list[int]) -> None:
    """Put the site's notices (or media) in the order of ``ids``, which names each once."""
    items = {item.id: item for item in session.scalars(select(model).where(model.site_id == site.id))}
    if sorted(ids) != sorted(items):
        raise ApiError("invalid_order", "List every item of the site once, in the new order.", field="ids")
    for position, item_id in enumerate(ids, start=1):
        items[item_id].sort_order = position
    session.flush()
    what = "notices" if model is SignageNotice else "media"
    record_event(session, Event.SIGNAGE_REORDERED, {what: ids}, site_id=site.id)
