"""Request and response schemas of the hall screen's signage in the administration API."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate

from ..inputs import Schema, storable
from ..sites.signage import NOTICE_MAX_LENGTH
from .schemas import Partial, Text, required_text


class NoticeInSchema(Schema):
    text = required_text(NOTICE_MAX_LENGTH, metadata={"description": "One line of the hall's ticker"})
    starts_on = fields.Date(allow_none=True, metadata={"description": "First day shown (the site's date)"})
    ends_on = fields.Date(allow_none=True, metadata={"description": "Last day shown"})
    active = fields.Boolean(load_default=True)


class NoticeChangesSchema(Partial, NoticeInSchema):
    pass


class NoticeSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    starts_on = fields.Date(allow_none=True, required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    sort_order = fields.Integer(required=True)


def storable_text(text: str | None) -> None:
    """A form's field is not JSON, which the app's parser checks: check it here (inputs.storable)."""
    if text is not None and not storable(text):
        raise ValidationError("Contains a character that cannot be stored.")


class MediaFormSchema(Schema):
    """The form beside the uploaded ``file`` (multipart)."""

    title = Text(
        allow_none=True,
        validate=[validate.Length(max=200), storable_text],
        metadata={"description": "What it shows, for the administration"},
    )
    duration_seconds = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 3600),
        metadata={"description": "How long an image stays (default 10); a video plays to its end"},
    )
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    active = fields.Boolean(load_default=True)


class UploadSchema(Schema):
    """The uploaded file (multipart): a missing one is the view's 400, named in words."""

    file = Upload(metadata={"description": "The file; its content, not its name, decides its type"})


class MediaUploadSchema(UploadSchema, MediaFormSchema):
    """The whole multipart body, for the document: the form's fields are read from the form,
    the file from the files (flask-smorest documents one body per operation)."""


class MediaChangesSchema(Partial, MediaFormSchema):
    pass


class MediaSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["image", "video"]))
    size = fields.Integer(required=True)
    duration_seconds = fields.Integer(required=True)
    starts_on = fields.Date(allow_none=True, required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    sort_order = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The file, as the hall loads it"})


class SignageSchema(Schema):
    notices = fields.List(fields.Nested(NoticeSchema), required=True)
    media = fields.List(fields.Nested(MediaSchema), required=True)


class OrderSchema(Schema):
    ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=1000))
