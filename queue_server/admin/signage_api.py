"""The hall screen's signage over HTTP, and officers' photos: thin views over
:mod:`queue_server.sites.signage` and :mod:`queue_server.auth.photos`.

A site's signage is its admins' and supervisors' (``Action.MANAGE_SIGNAGE``); an account's
photo is for whoever manages the account (``access.may_manage_user``).
"""

from __future__ import annotations

from flask import Response, request, send_file
from flask_smorest import Blueprint

from ..auth import photos
from ..auth.access import Action, require, require_supervisor
from ..database import db
from ..errors import ApiError, NotFound
from ..sites import signage
from ..sites.lookups import get_site
from ..sites.signage_models import SignageMedia, SignageNotice
from .operations import users
from .presenters import user_view
from .schemas import UserSchema
from .signage_schemas import (
    MediaChangesSchema,
    MediaSchema,
    MediaUploadSchema,
    NoticeChangesSchema,
    NoticeInSchema,
    NoticeSchema,
    OrderSchema,
    SignageSchema,
    UploadSchema,
)

blp = Blueprint(
    "signage_api",
    __name__,
    url_prefix="/api/v1/admin",
    description="The hall screen's signage; officers' photos",
)


def managed_site(code: str):
    site = get_site(db.session, code)
    require(Action.MANAGE_SIGNAGE, site.id)
    return site


def managed(item):
    require(Action.MANAGE_SIGNAGE, item.site_id)
    return item


def upload(code: str):
    """The multipart field ``file``, or a 400 (``code``) naming it."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ApiError(code, "Send the file as the multipart field 'file'.", field="file")
    return file


@blp.route("/sites/<site_code>/signage", methods=["GET"])
@blp.response(200, SignageSchema)
def get_signage(site_code):
    """The site's notices and playlist, shown or not, in their order."""
    site = managed_site(site_code)
    return {
        "notices": [signage.notice_view(n) for n in signage.notices_of(db.session, site)],
        "media": [signage.media_view(m) for m in signage.media_of(db.session, site)],
    }


@blp.route("/sites/<site_code>/signage/notices", methods=["POST"])
@blp.arguments(NoticeInSchema())
@blp.response(201, NoticeSchema)
def create_notice(data, site_code):
    """Add a line to the hall's ticker (last in order)."""
    notice = signage.create_notice(db.session, managed_site(site_code), data)
    db.session.commit()
    return signage.notice_view(notice)


@blp.route("/signage/notices/<int:notice_id>", methods=["PATCH"])
@blp.arguments(NoticeChangesSchema())
@blp.response(200, NoticeSchema)
def update_notice(data, notice_id):
    """Change a notice's text, dates or whether it is shown."""
    notice = managed(signage.get_notice(db.session, notice_id))
    signage.update_notice(db.session, notice, data)
    db.session.commit()
    return signage.notice_view(notice)


@blp.route("/signage/notices/<int:notice_id>", methods=["DELETE"])
@blp.response(204)
def delete_notice(notice_id):
    """Remove a notice."""
    signage.delete_notice(db.session, managed(signage.get_notice(db.session, notice_id)))
    db.session.commit()
    return Response(status=204)


@blp.route("/sites/<site_code>/signage/notices/order", methods=["PUT"])
@blp.arguments(OrderSchema())
@blp.response(204)
def order_notices(data, site_code):
    """Put the site's notices in this order (every one, once)."""
    signage.reorder(db.session, managed_site(site_code), SignageNotice, data["ids"])
    db.session.commit()
    return Response(status=204)


@blp.route("/sites/<site_code>/signage/media", methods=["POST"])
@blp.arguments(MediaUploadSchema(), location="form", content_type="multipart/form-data")
@blp.response(201, MediaSchema)
@blp.alt_response(413, description="The file is larger than SIGNAGE_MAX_MB")
@blp.alt_response(415, description="Not a PNG, JPEG or WebP image, nor an MP4 or WebM video")
def add_media(data, site_code):
    """Add an image or a video to the end of the playlist (multipart ``file`` and the form's
    fields). Its content decides its type, not its name."""
    site = managed_site(site_code)
    file = upload("missing_media")
    media = signage.add_media(db.session, site, file.stream, file.filename, data)
    db.session.commit()
    return signage.media_view(media)


@blp.route("/signage/media/<int:media_id>", methods=["PATCH"])
@blp.arguments(MediaChangesSchema())
@blp.response(200, MediaSchema)
def update_media(data, media_id):
    """Change an item's title, duration, dates or whether it is shown."""
    media = managed(signage.get_media(db.session, media_id))
    signage.update_media(db.session, media, data)
    db.session.commit()
    return signage.media_view(media)


@blp.route("/signage/media/<int:media_id>", methods=["DELETE"])
@blp.response(204)
def delete_media(media_id):
    """Remove an item, and its file unless another item shows the same one."""
    signage.delete_media(db.session, managed(signage.get_media(db.session, media_id)))
    db.session.commit()
    return Response(status=204)


@blp.route("/sites/<site_code>/signage/media/order", methods=["PUT"])
@blp.arguments(OrderSchema())
@blp.response(204)
def order_media(data, site_code):
    """Put the site's playlist in this order (every item, once)."""
    signage.reorder(db.session, managed_site(site_code), SignageMedia, data["ids"])
    db.session.commit()
    return Response(status=204)


# -- officers' photos ----------------------------------------------------------------------------


def managed_user(user_id: int):
    return users.get_user(db.session(), require_supervisor(), user_id)


@blp.route("/users/<int:user_id>/photo", methods=["GET"])
@blp.response(200, description="The photo (JPEG)", content_type="image/jpeg")
def get_photo(user_id):
    """An account's photo, for those who manage the account."""
    user = managed_user(user_id)
    if not user.photo:
        raise NotFound("no_photo", "This account has no photo.")
    path = photos.photo_storage().root / user.photo
    if not path.is_file():
        raise NotFound("no_photo", "This account has no photo.")
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=user.photo[-64:])
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@blp.route("/users/<int:user_id>/photo", methods=["POST"])
@blp.arguments(UploadSchema(), location="files")
@blp.response(200, UserSchema)
@blp.alt_response(413, description="Larger than 16 MiB")
@blp.alt_response(415, description="Not a JPEG or PNG photo")
def put_photo(_files, user_id):
    """Give an account a photo (multipart ``file``, JPEG or PNG): kept re-encoded, at most
    400x400 and without its metadata."""
    user = managed_user(user_id)
    photos.set_photo(db.session, user, upload("missing_photo").stream)
    db.session.commit()
    return user_view(user)


@blp.route("/users/<int:user_id>/photo", methods=["DELETE"])
@blp.response(204)
def delete_photo(user_id):
    """Remove an account's photo."""
    photos.remove_photo(db.session, managed_user(user_id))
    db.session.commit()
    return Response(status=204)
