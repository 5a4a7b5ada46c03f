"""The audit trail as a supervisor reads it: one Vietnamese sentence per entry ("Nguyễn Văn A
gọi số 1001 tại quầy 8", "Trần B đổi giờ làm việc thứ Bảy", "Lê C đăng nhập"), the fields it
changed with their names translated and their values formatted (dd/mm/yyyy HH:MM in the site's
time, Có/Không, states in words), and the raw entry apart, for whoever opens it.

Every sentence is built here, from the entry's kind (an audit event, a queue event, a dossier
action, a change of configuration rows) and its details; a kind without a sentence of its own
gets :data:`FALLBACK`. The names of fields, tables, roles and events are the administration's
labels (``queue_server.admin.views``), which its view hands in already translated.

The keys that open a citizen's ticket or dossier page (the ticket's and dossier's tracking
keys, the links holding them, the print jobs' payloads that print them) are secrets: they are
left out of everything shown, the raw entry included (:func:`scrub`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit.recorder import Event
from ..auth.models import DeviceToken, User
from ..dossiers import labels as dossier_labels
from ..notify import labels as notify_labels
from ..sites.models import Counter, Department, Rotation, Service, Site
from ..web import N_

# Never shown, not even in the raw entry: what opens a citizen's page, and secrets' stand-ins.
SECRET_KEYS = frozenset({"public_token", "tracking_key", "track_url", "payload", "token_hash"})
TRACKING_LINK = re.compile(r"/(t|d)/[A-Za-z0-9_-]{8,}")
# Shown in the raw entry only: row ids and bookkeeping.
INTERNAL_KEYS = frozenset({"id", "site_id", "created_at", "updated_at", "subject"})
# Columns holding the id of another row, and which names read them.
ID_COLUMNS = {
    "department_id": "department",
    "service_id": "service",
    "issued_service_id": "service",
    "counter_id": "counter",
    "target_counter_id": "counter",
    "rotation_id": "rotation",
    "user_id": "user",
    "officer_id": "user",
}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
# Values told by a group of the administration's labels, by column.
LABELLED = {
    "role": ("role",),
    "kind": ("site_kind", "device_kind"),
    "priority_policy": ("policy",),
    "reason": ("reason",),
    "scope": ("scope",),
    "what": ("read",),
}
# More changed rows than this in one entry (the demo's seeding, an import) are counted by kind.
FEW = 3

SOMEONE = N_("Hệ thống")
FALLBACK = N_("{actor}: {what}")
# The sentences, by kind; "kind:variant" where the details change the wording.
SENTENCES = {
    # Events that change no row (queue_server.audit.recorder.Event).
    Event.LOGIN: N_("{actor} đăng nhập"),
    Event.LOGIN_FAILED: N_("Đăng nhập không thành công với tên đăng nhập {subject}"),
    Event.LOGIN_LOCKED: N_("Tạm khóa đăng nhập theo {scope} {subject} sau {failures} lần sai"),
    Event.LOGOUT: N_("{actor} đăng xuất"),
    Event.SESSIONS_ENDED: N_("Kết thúc mọi phiên đăng nhập của {subject}"),
    Event.PERSONAL_DATA_READ: N_("{actor} xem dữ liệu cá nhân ({what}) của hồ sơ {subject}"),
    f"{Event.PERSONAL_DATA_READ}:alone": N_("{actor} xem dữ liệu cá nhân ({what})"),
    Event.PERSONAL_DATA_PURGED: N_("{actor} xóa dữ liệu cá nhân đã hết thời hạn lưu"),
    Event.SUBJECT_EXPORT: N_("{actor} xuất mọi dữ liệu về người có giấy tờ {subject}"),
    # The hall screen's notices and playlist (queue_server.sites.signage).
    Event.SIGNAGE_NOTICE_ADDED: N_("{actor} thêm thông báo chạy trên màn hình sảnh: “{text}”"),
    Event.SIGNAGE_NOTICE_CHANGED: N_("{actor} sửa một thông báo chạy trên màn hình sảnh"),
    Event.SIGNAGE_NOTICE_REMOVED: N_("{actor} xóa thông báo chạy trên màn hình sảnh: “{text}”"),
    Event.SIGNAGE_MEDIA_ADDED: N_("{actor} thêm {filename} vào danh sách phát của màn hình sảnh"),
    Event.SIGNAGE_MEDIA_CHANGED: N_("{actor} sửa một mục trong danh sách phát của màn hình sảnh"),
    Event.SIGNAGE_MEDIA_REMOVED: N_("{actor} xóa {filename} khỏi danh sách phát của màn hình sảnh"),
    Event.SIGNAGE_REORDERED: N_("{actor} sắp xếp lại thứ tự trên màn hình sảnh"),
    # The queue's own log (queue_server.queueing.journal).
    "ticket.issued": N_("{actor} cấp số {number}"),
    "ticket.called": N_("{actor} gọi số {number} tại quầy {counter}"),
    "ticket.recalled": N_("{actor} gọi lại số {number} tại quầy {counter}"),
    "ticket.started": N_("{actor} bắt đầu phục vụ số {number} tại quầy {counter}"),
    "ticket.skipped": N_("{actor} ghi số {number} vắng mặt tại quầy {counter}"),
    "ticket.reactivated": N_("{actor} xếp số {number} vào lại hàng chờ"),
    "ticket.finished": N_("{actor} phục vụ xong số {number} tại quầy {counter}"),
    "ticket.transferred": N_("{actor} chuyển số {number} đến {to}"),
    "counter.changed:open": N_("{actor} mở quầy {counter}"),
    "counter.changed:paused": N_("{actor} tạm dừng quầy {counter}"),
    "counter.changed:closed": N_("{actor} đóng quầy {counter}"),
    # A dossier's history: its action's label (dossiers.labels.ACTION) says what was done.
    "dossier": N_("{actor} {what} hồ sơ {code}"),
    # A message to a citizen (notify/): what it said, about which ticket or dossier, how it went.
    "notify": N_("Thông báo “{what}” về {subject} qua {channel} tới {recipient}: {status}"),
    # Rows of the configuration, accounts, devices... added, changed, removed.
    "insert": N_("{actor} thêm {table} {name}"),
    "update": N_("{actor} đổi {table} {name}"),
    "delete": N_("{actor} xóa {table} {name}"),
    "many": N_("{actor} thay đổi {n} đối tượng: {kinds}"),
    # A site's week of opening hours is replaced whole: the days whose sessions differ.
    "opening_hours": N_("{actor} đổi giờ làm việc {days}"),
}
# Where a ticket went: to a service's queue, or to a counter.
TRANSFER_TO = {"service": N_("dịch vụ {service}"), "counter": N_("quầy {counter}")}


@dataclass
class Line:
    """One entry of the trail, ready for the page."""

    at: str
    source: str
    actor: str
    sentence: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    request: str = ""
    address: str = ""
    user_agent: str = ""
    raw: str = ""


@dataclass
class Words:
    """What the sentences need besides the entry: the labels (translated, by group, as the
    administration's ``labels()`` gives them), the names behind row ids, the site's time zone."""

    labels: dict[str, dict[str, str]]
    names: dict[str, dict[int, str]]
    tz: ZoneInfo


def names_at(session: Session, site_ids: list[int] | None) -> dict[str, dict[int, str]]:
    """The names behind the ids a change may hold, at these sites (None: all): by the column's
    kind (:data:`ID_COLUMNS`: "Quầy 3", "SXD · Sở Xây dựng") and by table (what names the row
    in a sentence when its change does not hold that column: "3", "SXD")."""

    def rows(model):
        statement = select(model)
        if site_ids is not None and hasattr(model, "site_id"):
            statement = statement.where(model.site_id.in_(site_ids))
        return session.scalars(statement).all()

    departments, services, counters, rotations = (rows(m) for m in (Department, Service, Counter, Rotation))
    users = rows(User)
    return {
        "department": {d.id: f"{d.code} · {d.name}" for d in departments},
        "service": {s.id: f"{s.code} · {s.name}" for s in services},
        "counter": {c.id: gettext("Quầy {n}").format(n=c.number) for c in counters},
        "rotation": {r.id: r.name for r in rotations},
        "user": {u.id: u.full_name or u.username for u in users},
        "sites": {site.id: site.code for site in rows(Site)},
        "departments": {d.id: d.code for d in departments},
        "services": {s.id: s.code for s in services},
        "counters": {c.id: str(c.number) for c in counters},
        "rotations": {r.id: r.name for r in rotations},
        "users": {u.id: u.username for u in users},
        "device_tokens": {d.id: d.name for d in rows(DeviceToken)},
    }


def scrub(value):
    """``value`` without tracking keys: secret keys dropped, tracking links cut."""
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items() if key not in SECRET_KEYS}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return TRACKING_LINK.sub(lambda match: f"/{match.group(1)}/…", value)
    return value


def when(value, tz: ZoneInfo) -> str:
    """dd/mm/yyyy HH:MM in the site's time."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _lower(text: str) -> str:
    return dossier_labels.lower_first(text)


def value_text(key: str, value, words: Words, table: str | None = None) -> str:
    """A value as a person reads it."""
    labels = words.labels
    if value is None or value == "" or value == []:
        return gettext("trống")
    if value == "…":
        return gettext("(ẩn)")
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, list):
        return ", ".join(value_text(key, item, words, table) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(k, v, words)}" for k, v in scrub(value).items())
    if key in ID_COLUMNS and isinstance(value, int):
        return words.names.get(ID_COLUMNS[key], {}).get(value, f"#{value}")
    if key == "weekday" and isinstance(value, int):
        # Opening hours count from Monday = 0; schedules write ISO weekdays (Monday = 1).
        return labels["weekday"].get(str(value + 1 if table == "opening_hours" else value), str(value))
    if key == "weekdays" and isinstance(value, (int, str)) and str(value).isdigit():  # "12345": Mon to Fri
        return ", ".join(labels["weekday_short"].get(day, day) for day in str(value))
    if key == "status" and value in dossier_labels.STATUS:
        return gettext(dossier_labels.STATUS[value])
    for group in LABELLED.get(key, ()):
        if value in labels[group]:
            return labels[group][value]
        if group == "read" and isinstance(value, str):  # "form 01", "scan 7": the kind, then what
            kind = max((k for k in labels[group] if value.startswith(k)), key=len, default=None)
            if kind:
                return labels[group][kind] + value[len(kind) :]
    if isinstance(value, str):
        if ISO_DATETIME.match(value):
            return when(value, words.tz)
        if ISO_DATE.match(value):
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        if ISO_TIME.match(value):
            return time.fromisoformat(value).strftime("%H:%M")
    return str(scrub(value))


def _shown(key: str, words: Words) -> bool:
    return key not in SECRET_KEYS and key not in INTERNAL_KEYS and key in words.labels["field"]


def _sentence(key: str, fallback_what: str, **values) -> str:
    template = SENTENCES.get(key)
    if template is None:
        return gettext(FALLBACK).format(actor=values["actor"], what=fallback_what)
    return gettext(template).format(**values)


def _row_name(change: dict, words: Words) -> str:
    """What names the row a change touched: its code, name, number, weekday..."""
    values = change.get("values") or {}

    def now(key):
        pair = values.get(key)
        if not pair:
            return None
        return pair[1] if pair[1] is not None else pair[0]

    table = change["table"]
    if table == "opening_hours" and now("weekday") is not None:
        return _lower(value_text("weekday", now("weekday"), words, table))
    if table == "counters" and now("number") is not None:
        return str(now("number"))
    if table in ("counter_schedules", "duties"):
        keys = [key for key in ("user_id", "counter_id") if now(key) is not None]
        return ", ".join(value_text(key, now(key), words) for key in keys)
    if table == "calendar_days" and now("day") is not None:
        return value_text("day", now("day"), words)
    for key in ("code", "username"):
        if now(key) not in (None, ""):
            return str(scrub(now(key)))
    row_id = change.get("id")  # a list for a table keyed by several columns: no name then
    named = words.names.get(table, {}).get(row_id) if isinstance(row_id, int) else None
    if named:
        return named
    for key in ("name", "number"):
        if now(key) not in (None, ""):
            return str(scrub(now(key)))
    return f"#{change.get('id')}" if change.get("id") is not None else ""


def _change_fields(change: dict, words: Words) -> list[tuple[str, str]]:
    table, op = change["table"], change["op"]
    lines = []
    for key, pair in (change.get("values") or {}).items():
        if not _shown(key, words) or not isinstance(pair, list) or len(pair) != 2:
            continue
        before, after = pair
        if op == "insert" and after is None:
            continue
        if op == "insert":
            text = value_text(key, after, words, table)
        elif op == "delete":
            text = value_text(key, before, words, table)
        else:
            text = f"{value_text(key, before, words, table)} → {value_text(key, after, words, table)}"
        lines.append((words.labels["field"][key], text))
    return lines


def _sessions(sessions: list[tuple[str, str]], words: Words) -> str:
    if not sessions:
        return gettext("Nghỉ")
    return ", ".join(f"{value_text('opens', a, words)}–{value_text('closes', b, words)}" for a, b in sessions)


def _opening_hours(changes: list[dict], actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    """The week's sessions are deleted and added again on each save: say which days changed,
    from what to what."""
    before: dict[int, list] = {}
    after: dict[int, list] = {}
    for change in changes:
        values = change.get("values") or {}
        for side, index in ((before, 0), (after, 1)):
            pair = [values.get(key, [None, None])[index] for key in ("weekday", "opens", "closes")]
            if pair[0] is not None:
                side.setdefault(pair[0], []).append((pair[1], pair[2]))
    days = sorted(
        day for day in set(before) | set(after) if sorted(before.get(day, [])) != sorted(after.get(day, []))
    )
    if not days:
        return "", []
    names = [value_text("weekday", day, words, "opening_hours") for day in days]
    sentence = _sentence("opening_hours", "", actor=actor, days=", ".join(_lower(name) for name in names))
    fields = [
        (name, " → ".join(_sessions(sorted(side.get(day, [])), words) for side in (before, after)))
        for name, day in zip(names, days, strict=True)
    ]
    return sentence, fields


def _changes(row: dict, actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    changes = [change for change in row.get("changes") or [] if isinstance(change, dict)]
    hours = [change for change in changes if change.get("table") == "opening_hours"]
    if len({max((change.get("values") or {}).get("site_id") or [0], key=bool) for change in hours}) > 1:
        hours = []  # several sites' hours at once (the demo's seeding): counted with the rest
    changes = [change for change in changes if change not in hours]
    sentence, fields = _opening_hours(hours, actor, words) if hours else ("", [])
    if not changes:
        if not sentence:  # saved again as it was
            table = _lower(words.labels["table"]["opening_hours"])
            sentence = _sentence("update", "", actor=actor, table=table, name="").strip()
        return sentence, fields
    rest, more = _rows(changes, actor, words)
    if sentence:
        return f"{sentence}; {rest.removeprefix(actor).strip()}", fields + more
    return rest, more


def _rows(changes: list[dict], actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    tables = words.labels["table"]
    if len(changes) > FEW:
        kinds: dict[str, int] = {}
        for change in changes:
            kinds[change["table"]] = kinds.get(change["table"], 0) + 1
        listed = ", ".join(
            f"{tables.get(table, table)} × {count}" if count > 1 else tables.get(table, table)
            for table, count in kinds.items()
        )
        return _sentence("many", "", actor=actor, n=len(changes), kinds=listed), []
    sentences: list[str] = []
    fields: list[tuple[str, str]] = []
    for change in changes:
        table = _lower(tables.get(change["table"], change["table"]))
        name = _row_name(change, words)
        what = f"{words.labels['operation'].get(change['op'], change['op'])} {table}"
        sentence = _sentence(change["op"], what, actor=actor, table=table, name=name).rstrip()
        # The same person in each clause: only the first names them.
        sentences.append(sentence if not sentences else sentence.removeprefix(actor).strip())
        fields += _change_fields(change, words)
    return "; ".join(sentences), fields


def _event(row: dict, actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    event = row["event"]
    details = row.get("details") or {}
    values = {key: value_text(key, item, words) for key, item in details.items() if key not in SECRET_KEYS}
    values.setdefault("subject", "")
    if "scope" in values:
        values["scope"] = _lower(values["scope"])
    key = event
    if event == Event.PERSONAL_DATA_READ:
        values["what"] = _lower(values.get("what", ""))
        key = event if details.get("subject") else f"{event}:alone"
    label = words.labels["event"].get(event, event)
    try:
        sentence = _sentence(key, label, actor=actor, **{k: v for k, v in values.items() if k != "actor"})
    except (KeyError, IndexError):  # details without what the sentence names
        sentence = gettext(FALLBACK).format(actor=actor, what=label)
    fields = [
        (words.labels["field"][key], text)
        for key, text in values.items()
        if _shown(key, words) and text and not (key == "what" and event == Event.PERSONAL_DATA_READ)
    ]
    return sentence, fields


def _queue(row: dict, actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    kind, data = row["action"], row.get("changes") or {}
    values = {"actor": actor, "number": row.get("subject") or "", "counter": row.get("counter") or ""}
    key = kind
    if kind == "counter.changed":
        key = f"{kind}:{data.get('state')}"
    if kind == "ticket.transferred":
        to = data.get("to") or {}
        where = "service" if to.get("service") else "counter"
        values["to"] = gettext(TRANSFER_TO[where]).format(**{where: to.get(where, "")})
    sentence = _sentence(key, kind, **values)
    fields = []
    if data.get("reason"):
        fields.append((words.labels["field"].get("reason", "reason"), str(scrub(data["reason"]))))
    return sentence, fields


def _dossier(row: dict, actor: str, words: Words) -> tuple[str, list[tuple[str, str]]]:
    action = row["action"].removeprefix("dossier.")
    label = dossier_labels.ACTION.get(action)
    what = _lower(gettext(label)) if label else action
    sentence = _sentence("dossier", what, actor=actor, what=what, code=row.get("subject") or "")
    status = (row.get("changes") or {}).get("status")
    fields = [(words.labels["field"]["status"], value_text("status", status, words))] if status else []
    return sentence, fields


def _notify(row: dict, words: Words) -> tuple[str, list[tuple[str, str]]]:
    sent = row.get("changes") or {}
    label = notify_labels.EVENT.get(row["action"])
    what = gettext(label) if label else row["action"]
    channel = gettext(notify_labels.CHANNEL.get(sent.get("channel", ""), sent.get("channel", "")))
    status = gettext(notify_labels.STATUS.get(sent.get("status", ""), sent.get("status", "")))
    sentence = _sentence(
        "notify",
        what,
        what=what,
        subject=row.get("subject") or "",
        channel=channel,
        recipient=sent.get("recipient") or "",
        status=status,
    )
    fields = [(gettext(ATTEMPTS), str(sent.get("attempts", 0)))]
    kind = sent.get("error_kind")
    if kind:  # in the reader's words; the technical reason stays in the row for IT
        fields.append((gettext(LAST_ERROR), gettext(notify_labels.ERROR_KIND.get(kind, kind))))
    return sentence, fields


ATTEMPTS = N_("Số lần gửi")
LAST_ERROR = N_("Lỗi lần gửi cuối")


def present(row: dict, words: Words) -> Line:
    """One row of :func:`queue_server.trail.search.search` for the page."""
    actor = row.get("actor") or gettext(SOMEONE)
    if row["source"] == "queue":
        sentence, fields = _queue(row, actor, words)
    elif row["source"] == "dossier":
        sentence, fields = _dossier(row, actor, words)
    elif row["source"] == "notify":
        sentence, fields = _notify(row, words)
    elif row.get("event"):
        sentence, fields = _event(row, actor, words)
    else:
        sentence, fields = _changes(row, actor, words)
    raw = {key: row.get(key) for key in ("changes", "details") if row.get(key)}
    return Line(
        at=when(row["at"], words.tz),
        source=row["source"],
        actor=actor,
        sentence=sentence,
        fields=fields,
        request=row.get("action") or "",
        address=row.get("address") or "",
        user_agent=row.get("user_agent") or "",
        raw=json.dumps(scrub(raw), ensure_ascii=False, sort_keys=True),
    )
