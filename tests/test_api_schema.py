"""Every operation of /api/v1/openapi.json fed generated requests by schemathesis.

Each answer must be no 5xx and match the document: its status documented, its body the
documented schema, its content type the documented one. The requests come from a logged-in
supervisor of the demo centre (with the session's CSRF token), so they reach past the login
checks into the validation and the rules; anonymous and device requests are covered by the other
tests. ``SCHEMATHESIS_EXAMPLES`` sets how many requests each operation gets (default 15).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from .helpers import login

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
# What the issue asks: no 5xx, and every answer as documented. Not "every schema-valid request
# is accepted": a well-formed scan that is no known code, or a period running backwards, is
# rightly refused with a 4xx the document lists.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _document() -> dict:
    """The OpenAPI document as the application serves it (building it needs no database)."""
    from queue_server.app import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "schema", "TESTING": True})
    return app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def supervisor_headers(app) -> dict:
    client = login(app.test_client(), "supervisor")
    cookie = client.get_cookie("session")
    return {"Cookie": f"session={cookie.value}", "X-CSRFToken": client.environ_base["HTTP_X_CSRFTOKEN"]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    derandomize=True,  # the same requests on every run: a failure in CI is one you can replay
)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, app, supervisor_headers):
    case.call_and_validate(app=app, headers=supervisor_headers, checks=CHECKS)


def test_every_operation_reads_its_arguments_with_one_schema_built_at_start():
    """webargs builds a new schema for every request when ``blp.arguments`` is given a class: a
    tenth of a millisecond of every request, on the issue path too (issue 21). The views give
    an instance, built once, which marshmallow may use for any number of loads."""
    from marshmallow import Schema

    from queue_server.app import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "schema", "TESTING": True})
    # Every parameter of every view: a view may read several (its body and its query).
    given = [
        (name, parameter["schema"])
        for name, view in app.view_functions.items()
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    ]
    assert len(given) > 40
    classes = sorted(name for name, schema in given if not isinstance(schema, Schema))
    assert classes == []
