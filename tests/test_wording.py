"""One respectful form of address: every screen that speaks to the citizen says "ông/bà"
(docs/wording.md), never "bạn" (to a friend, a child) nor "Quý vị" (to an audience). The hall's
call addresses the room and stays in the third person ("Mời công dân có số...")."""

from __future__ import annotations

import re

import pytest

from kiosk import views as kiosk_views
from queue_server.privacy import notice
from queue_server.ratings import operations as rating_operations
from queue_server.ratings import views as rating_views
from queue_server.sites.models import DEFAULT_CALL_TEMPLATE
from queue_server.tracking import views as tracking_views

from .helpers import ROOT

# "bạn" and "quý vị" as words, in any case ("Bạn", "QUÝ VỊ"...).
FORBIDDEN = re.compile(r"(?<!\w)(bạn|quý vị)(?!\w)", re.IGNORECASE)

# What the citizen reads or hears: the kiosk, the phone pages, the rating tablet, the printed
# ticket and the notice on personal data given at intake.
CITIZEN_SOURCES = [
    "kiosk/views.py",
    "kiosk/templates/kiosk/*.html",
    "kiosk/static/*.js",
    "queue_server/tracking/views.py",
    "queue_server/tracking/templates/tracking/*.html",
    "queue_server/ratings/*.py",
    "queue_server/ratings/templates/ratings/*.html",
    "queue_server/static/js/tracking.js",
    "queue_server/static/js/rating.js",
    "queue_server/static/js/rating-form.js",
    "queue_server/static/js/core.js",
    "queue_server/privacy/notice.py",
    "hardware/layouts.py",
]


def citizen_files():
    files = sorted({path for pattern in CITIZEN_SOURCES for path in ROOT.glob(pattern)})
    assert len(files) >= len(CITIZEN_SOURCES)
    return files


@pytest.mark.parametrize("path", citizen_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_citizen_facing_source_says_ban_or_quy_vi(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{number}: {line.strip()}" for number, line in enumerate(lines, 1) if FORBIDDEN.search(line)]
    assert found == [], "say ông/bà (docs/wording.md)"


def test_no_citizen_facing_string_says_ban_or_quy_vi():
    strings = [
        *kiosk_views.STRINGS,
        *kiosk_views.PRIORITY_LABELS.values(),
        *kiosk_views.REFUSALS.values(),
        *kiosk_views.PRINTER_FAULTS.values(),
        *tracking_views.STATUS_TEXTS,
        *rating_views.STRINGS,
        *rating_views.FORM_STRINGS,
        *rating_operations.LEVEL_LABELS.values(),
        *rating_operations.REASON_LABELS.values(),
        notice.TITLE,
        *notice.PARAGRAPHS,
    ]
    assert [text for text in strings if FORBIDDEN.search(text)] == []
    assert any("ông/bà" in text for text in kiosk_views.STRINGS)
    assert any("ông/bà" in text for text in tracking_views.STATUS_TEXTS)


def test_the_pages_as_served_say_ong_ba(kiosk, client):
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).get_json()
    pages = {
        "kiosk": client.get("/kiosk/NA-HCC"),
        "tracking": client.get("/t/" + ticket["track_url"].rsplit("/", 1)[1]),
        "rating": client.get("/rate/NA-HCC/3"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        assert not FORBIDDEN.search(page), name
    assert "Ông/Bà thuộc đối tượng ưu tiên nào?" in pages["kiosk"].get_data(as_text=True)
    assert "Ông/Bà đánh giá thế nào" in pages["rating"].get_data(as_text=True)


def test_the_hall_call_addresses_the_room_in_the_third_person():
    assert "công dân" in DEFAULT_CALL_TEMPLATE
    assert not FORBIDDEN.search(DEFAULT_CALL_TEMPLATE) and "ông/bà" not in DEFAULT_CALL_TEMPLATE.lower()
