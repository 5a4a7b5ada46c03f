"""The post-office client's views on their own: a blueprint registered on a bare Flask app that
carries only the extension object, and the delivery form read without any app.

They show that a view finds the store, the settings and the sync loop through
``current_app.extensions["postal"]`` (not through closures of ``create_app``), so that a view
can be tried without the login, the form token and the other pages.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from postal import ClerkError
from postal.config import Settings
from postal.extension import Postal
from postal.store import Store
from postal.views import inbox, outbox


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "postal.sqlite3")
    yield store
    store.close()


def bare_app(store: Store, tmp_path) -> Flask:
    settings = Settings("http://127.0.0.1:9", "postal_token", store.path, f"sim://{tmp_path / 'printer'}")
    app = Flask(__name__)
    app.extensions["postal"] = Postal(settings, store)
    return app


def test_the_outbox_blueprint_serves_the_connection_badge_from_the_store_it_is_given(store, tmp_path):
    store.set_meta("last_sync_at", "2026-12-03T02:30:00+00:00")
    app = bare_app(store, tmp_path)
    app.register_blueprint(outbox.bp)

    badge = app.test_client().get("/status").json

    assert badge == {
        "state": "unknown",
        "label": "Chưa đồng bộ",
        "message": "",
        "pending": 0,
        "rejected": 0,
        "uploads": 0,
        "last_success": "09:30 03/12/2026",
    }


def test_a_result_handed_to_a_proxy_needs_the_authorisation_and_a_valid_id_number():
    form = MultiDict(
        {"outcome": "delivered", "recipient_name": " Lê  Văn Ba ", "recipient_id_number": "123", "proxy": "1"}
    )
    with pytest.raises(ClerkError) as refused:
        inbox.delivery_body(form)
    assert "12 chữ số (CCCD) hoặc 9 chữ số (CMND)" in str(refused.value)
    assert "giấy ủy quyền" in str(refused.value)

    form["recipient_id_number"] = "0380 9001 2345"
    form["authorisation"] = "Giấy ủy quyền số 12/UQ"
    delivered, body = inbox.delivery_body(form)
    assert delivered
    assert body["recipient_name"] == "Lê Văn Ba"
    assert body["recipient_id_number"] == "038090012345"
    assert body["proxy"] is True
