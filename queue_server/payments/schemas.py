"""The statements' API: the upload's form and the answers."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from ..inputs import Schema
from .matching import Outcome
from .reading import FIELDS


class ColumnsSchema(Schema):
    """Columns named by their header as written in the file, instead of the default's
    (docs/payments.md): ``date``, ``credit``, ``description``, ``reference``, ``debit``, ``payer``."""

    date = fields.String(load_default=None, validate=validate.Length(max=100))
    credit = fields.String(load_default=None, validate=validate.Length(max=100))
    description = fields.String(load_default=None, validate=validate.Length(max=100))
    reference = fields.String(load_default=None, validate=validate.Length(max=100))
    debit = fields.String(load_default=None, validate=validate.Length(max=100))
    payer = fields.String(load_default=None, validate=validate.Length(max=100))


assert set(ColumnsSchema._declared_fields) == set(FIELDS)


class StatementUploadSchema(ColumnsSchema):
    """The whole multipart body, for the document: the columns from the form, the file from
    the files (flask-smorest documents one body per operation)."""

    file = Upload(metadata={"description": "The statement, CSV or XLSX"})


class LineSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "The row's number in the file"})
    reference = fields.String(required=True)
    booked_at = fields.String(required=True, allow_none=True)
    amount = fields.Integer(required=True, metadata={"description": "Credit, đồng"})
    description = fields.String(required=True)
    payer = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(Outcome.LISTED))
    error = fields.String(allow_none=True, metadata={"description": "Why an unreadable line is"})
    dossier = fields.String(required=True, allow_none=True, metadata={"description": "Its memo's dossier"})
    amount_due = fields.Integer(required=True, allow_none=True)


class PreviewSchema(Schema):
    file_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("csv", "xlsx")))
    account_number = fields.String(required=True, allow_none=True)
    columns = fields.Dict(required=True, metadata={"description": "Field: the header found"})
    headers = fields.List(fields.String(), required=True)
    counts = fields.Dict(required=True, metadata={"description": "Lines per outcome, debit, zero, skipped"})
    amounts = fields.Dict(required=True, metadata={"description": "Đồng per outcome"})
    lines = fields.List(fields.Nested(LineSchema), required=True)


class ImportSchema(Schema):
    id = fields.Integer(required=True)
    file_name = fields.String(required=True)
    account_number = fields.String(required=True, allow_none=True)
    imported_at = fields.String(required=True)
    imported_by = fields.String(required=True)
    counts = fields.Dict(required=True)
    applied = fields.Integer(required=True, metadata={"description": "Đồng confirmed on dossiers"})
    amounts = fields.Dict(metadata={"description": "Đồng per outcome"})


class ImportsSchema(Schema):
    imports = fields.List(fields.Nested(ImportSchema), required=True)


class ImportLinesSchema(Schema):
    statement = fields.Nested(ImportSchema, required=True)
    lines = fields.List(fields.Nested(LineSchema), required=True)


class LinesQuerySchema(Schema):
    outcome = fields.String(load_default=None, validate=validate.OneOf(Outcome.STORED))
