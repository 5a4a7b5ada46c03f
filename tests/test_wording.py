"""One respectful form of address: every screen that speaks to the citizen says "ông/bà"
(docs/wording.md), never "bạn" (to a friend, a child) nor "Quý vị" (to an audience). The hall's
call addresses the room and stays in the third person ("Mời công dân có số...")."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kiosk import views as kiosk_views
from queue_server.database import utcnow
from queue_server.dossiers.models import Dossier, Procedure
from queue_server.notify import operations as notify_operations
from queue_server.privacy import notice
from queue_server.ratings import operations as rating_operations
from queue_server.ratings import views as rating_views
from queue_server.sites.models import DEFAULT_CALL_TEMPLATE
from queue_server.tracking import views as tracking_views

from .browser import PHONE
from .helpers import ROOT, enable_channels, intake, issue, site, tracking_key

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
    "queue_server/static/js/track-notify.js",
    "queue_server/booking/views.py",
    "queue_server/booking/templates/booking/*.html",
    "queue_server/static/js/booking.js",
    "queue_server/notify/templates/notify/*.html",
    "queue_server/notify/templates.py",
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


# -- One language per page ------------------------------------------------------------------------

# Letters only Vietnamese writes: on an English page one of them is a word left untranslated.
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
# Common English words of these pages: on a Vietnamese page one of them is a msgid's English
# shown raw (an API's message, a label the script made up).
ENGLISH = re.compile(
    r"(?<!\w)(the|your|you|please|and|not|booking|appointment|notifications?|cancel\w*|error|choose|"
    r"phone|number|slot|service|day|time|receive|sent|invalid|required)(?!\w)",
    re.I,
)
# What the citizen reads: the text, and the words only a screen reader or a tooltip says.
READ_PAGE = """() => [document.title, document.body.innerText,
    ...[...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')].flatMap((node) =>
        ['aria-label', 'title', 'placeholder', 'alt'].map((name) => node.getAttribute(name) || ''))
].join('\\n')"""


def leaks(page, lang: str, names: tuple[str, ...]) -> list[str]:
    """The lines of the page in the other language, without ``names``: what the citizen typed,
    and names that are the same in both (the centre's, a procedure's legal name, each language
    called in itself by the language switch)."""
    text = page.evaluate(READ_PAGE)
    for value in (*names, "Tiếng Việt", "English"):
        text = text.replace(value, "")
    wrong = VIETNAMESE if lang == "en" else ENGLISH
    return [line.strip() for line in text.splitlines() if wrong.search(line)]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_citizens_booking_tracking_and_opt_out_pages_speak_one_language(
    lang, app, session, kiosk, officer, server, contexts
):
    app.config["BOOKING_RATE_LIMIT"] = "1000 per minute"
    centre = site(session)
    enable_channels(session, "email", "sms", only=True)  # where push is on, the page offers it first
    ticket = issue(kiosk)
    dossier = intake(officer).get_json()
    dossier_key = dossier["tracking_url"].rsplit("/", 1)[1]
    procedure = session.scalar(select(Procedure.name).join(Dossier).where(Dossier.code == dossier["code"]))
    names = [centre.name_en if lang == "en" else centre.name, procedure, "Tran Van An", "hoa.nguyen@example"]
    subscription = notify_operations.subscribe(
        session, site_id=centre.id, channel="sms", address="0912345678", via="kiosk", at=utcnow(),
        ticket_id=ticket["id"],
    )  # fmt: skip
    session.commit()
    found: dict[str, list[str]] = {}
    page = contexts(viewport=PHONE)

    def look(step: str) -> None:
        found[step] = leaks(page, lang, tuple(names))

    # Booking: each step, a refusal from the server, the confirmation, the cancellation.
    page.goto(f"{server.url}/book/NA-HCC?lang={lang}")
    look("book")
    page.click('[data-service="NM-DD"]')
    look("book: service chosen")
    page.locator("[data-day]").first.click()
    page.wait_for_selector("[data-slot]:not([disabled])")
    look("book: day chosen")
    page.locator("[data-slot]:not([disabled])").first.click()
    look("book: form")
    page.fill("#name", "Tran Van An")
    page.fill("#phone", "0212 345 678")  # a landline: refused
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#message:not([hidden])")
    look("book: refused")
    page.fill("#phone", "0912 345 678")
    page.click("#step-form button[type=submit]")
    page.wait_for_url("**/b/*")
    look("booking")
    page.click("#cancel")
    look("booking: cancel?")
    page.click("#cancel-confirm")
    page.wait_for_selector('.book-status[data-status="cancelled"]')
    look("booking: cancelled")

    # Tracking: the notification offer, and an address refused.
    for kind, key in (("t", tracking_key(ticket)), ("d", dossier_key)):
        page.goto(f"{server.url}/{kind}/{key}?lang={lang}")
        page.wait_for_selector("#notify-contact:not([hidden])")
        look(f"/{kind}/")
        page.select_option("#notify-channel", "email")
        page.fill("#notify-address", "hoa.nguyen@example")
        page.click("#notify-contact button[type=submit]")
        page.wait_for_selector("#notify-error:not([hidden])")
        look(f"/{kind}/: refused")

    # Opting out.
    page.goto(f"{server.url}/n/{subscription.token}?lang={lang}")
    look("/n/")
    page.click("button.opt-out-button")
    page.wait_for_selector("[data-status=done]")
    look("/n/: done")
    assert {step: lines for step, lines in found.items() if lines} == {}
