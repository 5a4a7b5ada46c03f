"""The client's own SQLite database: what the clerk did, kept until the server confirms it.

Every record the clerk makes (an intake, a closed manifest, a scan, a delivery) is written in
the same local transaction as its outbox operation, so a client killed at any moment has both
or neither: nothing is lost and nothing is sent that was not recorded. Operations carry an id
chosen here (it becomes the server's ``client_id``); sending one again is harmless, so the
outbox can always be retried. An operation moves pending -> sent (in flight, answer unknown)
-> done or rejected (the server refused its content; the clerk sees why and may correct it).

Dossier and manifest codes are allocated here, under the post office's own agency code (from
the cached catalogue), so they never collide with the centre's: a counter row per (agency,
local day) incremented under ``BEGIN IMMEDIATE``, in the transaction that uses the code.

One connection serves the whole process behind a lock (the pages and the sync loop are the
only users, and no transaction waits on the network); WAL with ``synchronous=FULL`` keeps
every committed intake through a power cut, and ``busy_timeout`` covers a second process.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hardware.scanning import DOSSIER_CODE, MANIFEST_PREFIX
from queue_server.dossiers.codes import format_code
from queue_server.dossiers.rules import DossierStatus
from queue_server.manifests.models import ManifestStatus
from queue_server.sync.protocol import OperationKind

from . import ClerkError

# The post office's clock: codes are dated by its local day.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEMA_VERSION = 1


class OpState:
    PENDING = "pending"  # recorded, not yet sent
    SENT = "sent"  # sent at least once, no answer yet: sent again until answered
    DONE = "done"  # applied by the server (or found already applied)
    REJECTED = "rejected"  # refused for its content: the clerk must look at it
    UNCONFIRMED = (PENDING, SENT)
    # An intake the clerk may still correct: the server has not taken it.
    EDITABLE = (PENDING, REJECTED)


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS code_sequences (
    agency TEXT NOT NULL,
    day TEXT NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'done', 'rejected')),
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    done_at TEXT,
    result TEXT,
    error_code TEXT,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, seq);
CREATE INDEX IF NOT EXISTS ix_outbox_subject ON outbox (subject, kind);
CREATE TABLE IF NOT EXISTS manifests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT UNIQUE,
    op_id TEXT UNIQUE REFERENCES outbox (id),
    to_site TEXT NOT NULL,
    to_site_name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'closed')),
    created_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by_name TEXT,
    remote TEXT,
    remote_at TEXT
);
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE REFERENCES outbox (id),
    site TEXT NOT NULL,
    site_name TEXT NOT NULL,
    procedure TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    day TEXT NOT NULL,
    manifest_id INTEGER REFERENCES manifests (id),
    printed_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_dossiers_day ON dossiers (day, received_at);
CREATE INDEX IF NOT EXISTS ix_dossiers_manifest ON dossiers (manifest_id);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    dossier TEXT NOT NULL REFERENCES dossiers (code),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'rejected')),
    error_message TEXT,
    uploaded_at TEXT
);
CREATE TABLE IF NOT EXISTS inbox (
    code TEXT PRIMARY KEY,
    from_site TEXT NOT NULL,
    view TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS inbox_scans (
    manifest TEXT NOT NULL REFERENCES inbox (code),
    dossier TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (manifest, dossier)
);
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def local_now() -> datetime:
    """Now on the post office's clock (what the clerk records and the receipts print)."""
    return utcnow().astimezone(LOCAL_TZ)


def new_op_id() -> str:
    return uuid.uuid4().hex


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None):
    return json.loads(text) if text else None


class Store:
    """The local database; every public method is one transaction (or one consistent read)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._catalogue: dict | None = None
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} was written by a newer client (schema {version})")
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once (``BEGIN IMMEDIATE``): no other writer can slip
        between a read and the write that depends on it (code numbering, state checks)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also when COMMIT itself failed (disk full)
                    self._db.execute("ROLLBACK")
                raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    # --- settings kept between runs -------------------------------------------------------

    def get_meta(self, key: str, default=None):
        with self.reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_meta(self, key: str, value) -> None:
        with self.transaction() as db:
            self._put_meta(db, key, value)

    @staticmethod
    def _put_meta(db: sqlite3.Connection, key: str, value) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, _json(value)),
        )

    def secret_key(self) -> str:
        """The pages' session key, made once so that a restart does not void open forms."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()
            if row:
                return json.loads(row["value"])
            key = secrets.token_hex(32)
            self._put_meta(db, "secret_key", key)
            return key

    # --- the catalogue (what may be taken in, for which centre) ---------------------------

    def save_catalogue(self, catalogue: dict, fetched_at: datetime) -> None:
        """Keep the catalogue, and move the code sequences above the numbers the server already
        knows (a PC whose database was lost or replaced must not hand the same codes out again)."""
        with self.transaction() as db:
            self._put_meta(db, "catalogue", catalogue)
            self._put_meta(db, "catalogue_fetched_at", iso(fetched_at))
            for agency, days in (catalogue.get("last_codes") or {}).items():
                for day, last_value in days.items():
                    db.execute(
                        "INSERT INTO code_sequences (agency, day, last_value) VALUES (?, ?, ?)"
                        " ON CONFLICT (agency, day)"
                        " DO UPDATE SET last_value = MAX(last_value, excluded.last_value)",
                        (agency, day, int(last_value)),
                    )
            self._catalogue = catalogue

    def catalogue(self) -> dict | None:
        """The cached catalogue; kept parsed in memory, as every page shows it (a province
        publishes hundreds of procedures) and only the sync loop replaces it."""
        if self._catalogue is None:
            self._catalogue = self.get_meta("catalogue")
        return self._catalogue

    def catalogue_fetched_at(self) -> datetime | None:
        return parse_iso(self.get_meta("catalogue_fetched_at"))

    @staticmethod
    def _agency(db: sqlite3.Connection) -> str:
        row = db.execute("SELECT value FROM meta WHERE key = 'catalogue'").fetchone()
        agency = json.loads(row["value"]).get("agency_code") if row else None
        if not agency:
            raise ClerkError(
                "Chưa có mã đơn vị của bưu điện: máy cần kết nối máy chủ ít nhất một lần để tải danh mục."
            )
        return agency

    @staticmethod
    def _allocate(db: sqlite3.Connection, agency: str, day: date) -> str:
        value = db.execute(
            "INSERT INTO code_sequences (agency, day, last_value) VALUES (?, ?, 1)"
            " ON CONFLICT (agency, day) DO UPDATE SET last_value = last_value + 1"
            " RETURNING last_value",
            (agency, day.isoformat()),
        ).fetchone()[0]
        return format_code(agency, day, value)

    # --- the outbox ------------------------------------------------------------------------

    @staticmethod
    def _enqueue(db: sqlite3.Connection, kind: str, subject: str, body: dict) -> str:
        op_id = new_op_id()
        db.execute(
            "INSERT INTO outbox (id, kind, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
            (op_id, kind, subject, _json(body), iso(utcnow())),
        )
        return op_id

    def claim_batch(self, limit: int) -> list[dict]:
        """The oldest unconfirmed operations, marked sent before they leave (one transaction,
        so an edit cannot change a body between reading and sending it)."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT id, kind, body FROM outbox WHERE state IN ('pending', 'sent') ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            now = iso(utcnow())
            db.executemany(
                "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ?",
                [(now, row["id"]) for row in rows],
            )
        return [{"id": row["id"], "kind": row["kind"], "body": json.loads(row["body"])} for row in rows]

    def apply_results(self, results: list[dict]) -> dict[str, int]:
        """Record the server's answer for each operation; returns counts by outcome."""
        counts = {"done": 0, "rejected": 0, "replayed": 0}
        now = iso(utcnow())
        with self.transaction() as db:
            for answer in results:
                op_id = answer.get("id")
                if not isinstance(op_id, str):
                    continue
                if answer.get("ok"):
                    changed = db.execute(
                        "UPDATE outbox SET state = 'done', done_at = ?, result = ?, error_code = NULL,"
                        " error_message = NULL WHERE id = ? AND state IN ('pending', 'sent')",
                        (now, _json(answer.get("result") or {}), op_id),
                    ).rowcount
                    counts["done"] += changed
                    counts["replayed"] += changed if answer.get("replayed") else 0
                else:
                    error = answer.get("error") or {}
                    counts["rejected"] += db.execute(
                        "UPDATE outbox SET state = 'rejected', done_at = ?, error_code = ?, error_message = ?"
                        " WHERE id = ? AND state IN ('pending', 'sent')",
                        (now, str(error.get("code", "refused")), str(error.get("message", "")), op_id),
                    ).rowcount
        return counts

    def retry(self, op_id: str) -> None:
        """Send a rejected operation again as it is (the server's state may have changed)."""
        with self.transaction() as db:
            if not db.execute(
                "UPDATE outbox SET state = 'pending', error_code = NULL, error_message = NULL"
                " WHERE id = ? AND state = 'rejected'",
                (op_id,),
            ).rowcount:
                raise ClerkError("Chỉ gửi lại được thao tác đã bị máy chủ từ chối.")

    def operation(self, op_id: str) -> dict | None:
        with self.reading() as db:
            row = db.execute("SELECT * FROM outbox WHERE id = ?", (op_id,)).fetchone()
        return _op(row) if row else None

    def operations(self, state: str | None = None, limit: int = 200) -> list[dict]:
        query = "SELECT * FROM outbox"
        params: tuple[str, ...] = ()
        if state:
            query, params = query + " WHERE state = ?", (state,)
        with self.reading() as db:
            rows = db.execute(query + " ORDER BY seq DESC LIMIT ?", (*params, limit)).fetchall()
        return [_op(row) for row in rows]

    def counts(self) -> dict[str, int]:
        counts = {"pending": 0, "sent": 0, "done": 0, "rejected": 0}
        with self.reading() as db:
            for row in db.execute("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"):
                counts[row["state"]] = row["n"]
            counts["uploads"] = db.execute(
                "SELECT COUNT(*) FROM attachments WHERE state = 'pending'"
            ).fetchone()[0]
        return counts

    # --- intakes (tiếp nhận) -------------------------------------------------------------

    def add_dossier(
        self,
        body: dict,
        names: dict,
        received_at: datetime,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> str:
        """Record an intake under a new code of the day it was received; returns the code.

        ``body`` is the operation's body without ``code`` and ``received_at``; ``names`` holds
        the centre's and the procedure's names as printed on the receipt; ``attachments`` are
        (filename, content type, bytes), uploaded once the server has the dossier.
        """
        with self.transaction() as db:
            code = self._allocate(db, self._agency(db), local_day(received_at))
            body = {**body, "code": code, "received_at": iso(received_at)}
            op_id = self._enqueue(db, OperationKind.RECEIVE, code, body)
            db.execute(
                "INSERT INTO dossiers (code, op_id, site, site_name, procedure, procedure_name,"
                " applicant_name, received_at, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    op_id,
                    body["site"],
                    names["site_name"],
                    body["procedure"],
                    names["procedure_name"],
                    body["applicant"]["name"],
                    iso(received_at),
                    local_day(received_at).isoformat(),
                ),
            )
            db.executemany(
                "INSERT INTO attachments (id, dossier, filename, content_type, size, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(new_op_id(), code, name, kind, len(data), data) for name, kind, data in attachments],
            )
        return code

    def update_dossier(self, code: str, body: dict, names: dict) -> None:
        """Correct an intake the server has not taken (still pending, or rejected): the code,
        the time of receipt and the operation's id stay; the operation is sent again."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT d.op_id, d.manifest_id, o.state, o.body"
                " FROM dossiers d JOIN outbox o ON o.id = d.op_id"
                " WHERE d.code = ?",
                (code,),
            ).fetchone()
            if row is None:
                raise ClerkError(f"Không có hồ sơ {code}.")
            if row["state"] not in OpState.EDITABLE:
                raise ClerkError("Hồ sơ đã gửi lên máy chủ nên không sửa được nữa.")
            old = json.loads(row["body"])
            if row["manifest_id"] is not None and body["site"] != old["site"]:
                raise ClerkError("Hồ sơ đã nằm trong bảng kê: bỏ khỏi bảng kê trước khi đổi trung tâm.")
            body = {**body, "code": code, "received_at": old["received_at"]}
            db.execute(
                "UPDATE outbox SET body = ?, state = 'pending', error_code = NULL, error_message = NULL"
                " WHERE id = ?",
                (_json(body), row["op_id"]),
            )
            db.execute(
                "UPDATE dossiers SET site = ?, site_name = ?, procedure = ?, procedure_name = ?,"
                " applicant_name = ? WHERE code = ?",
                (
                    body["site"],
                    names["site_name"],
                    body["procedure"],
                    names["procedure_name"],
                    body["applicant"]["name"],
                    code,
                ),
            )

    _DOSSIER_COLUMNS = (
        "SELECT d.*, o.state, o.body, o.result, o.error_code, o.error_message, o.attempts,"
        " m.code AS manifest_code, m.state AS manifest_state"
        " FROM dossiers d JOIN outbox o ON o.id = d.op_id LEFT JOIN manifests m ON m.id = d.manifest_id"
    )

    def dossiers(self, day: date | None = None, search: str | None = None) -> list[dict]:
        """Intakes of a local day (newest first), or those matching a code or name."""
        query, params = self._DOSSIER_COLUMNS, []
        if search:
            query += " WHERE d.code LIKE ? OR d.applicant_name LIKE ?"
            params += [f"%{search}%", f"%{search}%"]
        elif day is not None:
            query += " WHERE d.day = ?"
            params.append(day.isoformat())
        with self.reading() as db:
            rows = db.execute(
                query + " ORDER BY d.received_at DESC, d.code DESC LIMIT 500", params
            ).fetchall()
            return [self._dossier(db, row) for row in rows]

    def dossier(self, code: str) -> dict | None:
        with self.reading() as db:
            row = db.execute(self._DOSSIER_COLUMNS + " WHERE d.code = ?", (code,)).fetchone()
            return self._dossier(db, row) if row else None

    @staticmethod
    def _dossier(db: sqlite3.Connection, row: sqlite3.Row) -> dict:
        view = dict(row)
        view["body"] = json.loads(row["body"])
        view["result"] = _loads(row["result"]) or {}
        view["attachments"] = [
            dict(a)
            for a in db.execute(
                "SELECT id, filename, content_type, size, state, error_message, uploaded_at"
                " FROM attachments WHERE dossier = ? ORDER BY rowid",
                (row["code"],),
            )
        ]
        return view

    def mark_printed(self, code: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE dossiers SET printed_at = ? WHERE code = ?", (iso(utcnow()), code))

    # --- attachments ------------------------------------------------------------------------

    def uploads_due(self, limit: int = 10) -> list[dict]:
        """Scans waiting for upload whose dossier the server already has."""
        with self.reading() as db:
            rows = db.execute(
                "SELECT a.id, a.dossier, a.filename, a.content_type, a.data FROM attachments a"
                " JOIN dossiers d ON d.code = a.dossier JOIN outbox o ON o.id = d.op_id"
                " WHERE a.state = 'pending' AND o.state = 'done' ORDER BY a.rowid LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(row) for row in rows]

    def mark_upload(self, attachment_id: str, error: str | None = None) -> None:
        """Uploaded: the bytes are dropped to keep the local database small. Refused: kept,
        with the reason, for the clerk to see."""
        with self.transaction() as db:
            if error is None:
                db.execute(
                    "UPDATE attachments SET state = 'done', data = NULL, uploaded_at = ? WHERE id = ?",
                    (iso(utcnow()), attachment_id),
                )
            else:
                db.execute(
                    "UPDATE attachments SET state = 'rejected', error_message = ? WHERE id = ?",
                    (error, attachment_id),
                )

    # --- manifests to the centre (bảng kê gửi) --------------------------------------------

    def unassigned(self, site: str | None = None) -> list[dict]:
        """Intakes on no manifest yet (and not refused by the server), oldest first."""
        query = self._DOSSIER_COLUMNS + " WHERE d.manifest_id IS NULL AND o.state != 'rejected'"
        params: list = []
        if site:
            query += " AND d.site = ?"
            params.append(site)
        with self.reading() as db:
            rows = db.execute(query + " ORDER BY d.received_at, d.code", params).fetchall()
            return [self._dossier(db, row) for row in rows]

    def create_manifest(self, to_site: str, to_site_name: str, codes: list[str]) -> int:
        """A draft manifest to a centre with the chosen intakes; it gets its code when closed."""
        if not codes:
            raise ClerkError("Chọn ít nhất một hồ sơ cho bảng kê.")
        with self.transaction() as db:
            manifest_id = db.execute(
                "INSERT INTO manifests (to_site, to_site_name, state, created_at) VALUES (?, ?, 'draft', ?)",
                (to_site, to_site_name, iso(utcnow())),
            ).lastrowid
            assert manifest_id is not None  # set by the INSERT
            self._assign(db, manifest_id, to_site, codes)
        return manifest_id

    def _draft(self, db: sqlite3.Connection, manifest_id: int) -> sqlite3.Row:
        row = db.execute("SELECT * FROM manifests WHERE id = ?", (manifest_id,)).fetchone()
        if row is None:
            raise ClerkError("Không có bảng kê này.")
        if row["state"] != "draft":
            raise ClerkError(f"Bảng kê {row['code']} đã chốt, không sửa được.")
        return row

    @staticmethod
    def _assign(db: sqlite3.Connection, manifest_id: int, to_site: str, codes: list[str]) -> None:
        for code in codes:
            row = db.execute(
                "SELECT d.site, d.manifest_id, o.state FROM dossiers d JOIN outbox o ON o.id = d.op_id"
                " WHERE d.code = ?",
                (code,),
            ).fetchone()
            if row is None:
                raise ClerkError(f"Không có hồ sơ {code}.")
            if row["site"] != to_site:
                raise ClerkError(f"Hồ sơ {code} không gửi về trung tâm này.")
            if row["manifest_id"] not in (None, manifest_id):
                raise ClerkError(f"Hồ sơ {code} đã nằm trong bảng kê khác.")
            if row["state"] == OpState.REJECTED:
                raise ClerkError(f"Hồ sơ {code} bị máy chủ từ chối: sửa hồ sơ trước khi đưa vào bảng kê.")
            db.execute("UPDATE dossiers SET manifest_id = ? WHERE code = ?", (manifest_id, code))

    def add_to_manifest(self, manifest_id: int, codes: list[str]) -> None:
        with self.transaction() as db:
            draft = self._draft(db, manifest_id)
            self._assign(db, manifest_id, draft["to_site"], codes)

    def remove_from_manifest(self, manifest_id: int, code: str) -> None:
        with self.transaction() as db:
            self._draft(db, manifest_id)
            db.execute(
                "UPDATE dossiers SET manifest_id = NULL WHERE code = ? AND manifest_id = ?",
                (code, manifest_id),
            )

    def delete_draft(self, manifest_id: int) -> None:
        """Give up a draft that never had a code (its intakes become free again)."""
        with self.transaction() as db:
            draft = self._draft(db, manifest_id)
            if draft["code"]:
                raise ClerkError("Bảng kê đã có số, không xóa được; hãy chốt lại.")
            db.execute("UPDATE dossiers SET manifest_id = NULL WHERE manifest_id = ?", (manifest_id,))
            db.execute("DELETE FROM manifests WHERE id = ?", (manifest_id,))

    def close_manifest(self, manifest_id: int, at: datetime, clerk: str) -> str:
        """Seal the manifest: it gets its code (dated by ``at``) and one operation opens and
        closes it on the server with the whole list. Returns the code."""
        with self.transaction() as db:
            draft = self._draft(db, manifest_id)
            codes = [
                row["code"]
                for row in db.execute(
                    "SELECT code FROM dossiers WHERE manifest_id = ? ORDER BY received_at, code",
                    (manifest_id,),
                )
            ]
            if not codes:
                raise ClerkError("Bảng kê chưa có hồ sơ nào.")
            # A manifest reopened after a refusal keeps its code and the time it was first made.
            code, created_at = draft["code"], draft["closed_at"]
            if code is None:
                code = self._allocate(db, MANIFEST_PREFIX + self._agency(db), local_day(at))
                created_at = iso(at)
            body = {
                "code": code,
                "to_site": draft["to_site"],
                "created_at": created_at,
                "dossiers": codes,
                "close": True,
            }
            op_id = draft["op_id"]
            if op_id is None:
                op_id = self._enqueue(db, OperationKind.OPEN_MANIFEST, code, body)
            else:  # reopened after the server refused it: the same operation, corrected
                db.execute(
                    "UPDATE outbox SET body = ?, state = 'pending', error_code = NULL, error_message = NULL"
                    " WHERE id = ?",
                    (_json(body), op_id),
                )
            db.execute(
                "UPDATE manifests SET code = ?, op_id = ?, state = 'closed', closed_at = ?,"
                " closed_by_name = ? WHERE id = ?",
                (code, op_id, created_at, clerk, manifest_id),
            )
        return code

    def reopen_manifest(self, manifest_id: int) -> None:
        """A manifest the server refused goes back to draft so that its list can be fixed."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT m.state, o.state AS op_state FROM manifests m LEFT JOIN outbox o ON o.id = m.op_id"
                " WHERE m.id = ?",
                (manifest_id,),
            ).fetchone()
            if row is None or row["state"] != "closed" or row["op_state"] != OpState.REJECTED:
                raise ClerkError("Chỉ mở lại được bảng kê bị máy chủ từ chối.")
            db.execute("UPDATE manifests SET state = 'draft' WHERE id = ?", (manifest_id,))

    _MANIFEST_COLUMNS = (
        "SELECT m.*, o.state AS op_state, o.error_code, o.error_message,"
        " (SELECT COUNT(*) FROM dossiers d WHERE d.manifest_id = m.id) AS size"
        " FROM manifests m LEFT JOIN outbox o ON o.id = m.op_id"
    )

    def manifests(self, limit: int = 100) -> list[dict]:
        with self.reading() as db:
            rows = db.execute(self._MANIFEST_COLUMNS + " ORDER BY m.id DESC LIMIT ?", (limit,)).fetchall()
        return [_manifest(row) for row in rows]

    def manifest(self, manifest_id: int) -> dict | None:
        with self.reading() as db:
            row = db.execute(self._MANIFEST_COLUMNS + " WHERE m.id = ?", (manifest_id,)).fetchone()
            if row is None:
                return None
            view = _manifest(row)
            view["dossiers"] = [
                self._dossier(db, d)
                for d in db.execute(
                    self._DOSSIER_COLUMNS + " WHERE d.manifest_id = ? ORDER BY d.received_at, d.code",
                    (manifest_id,),
                )
            ]
        return view

    def manifests_to_follow(self, limit: int = 50) -> list[str]:
        """Codes of the latest manifests the server has whose reception at the centre is not
        finished (older ones are left alone: they only cost requests)."""
        with self.reading() as db:
            rows = db.execute(
                "SELECT m.code, m.remote FROM manifests m JOIN outbox o ON o.id = m.op_id"
                " WHERE o.state = 'done' ORDER BY m.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            row["code"]
            for row in rows
            if (_loads(row["remote"]) or {}).get("status") != ManifestStatus.RECEIVED
        ]

    def save_remote_manifest(self, view: dict) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE manifests SET remote = ?, remote_at = ? WHERE code = ?",
                (_json(view), iso(utcnow()), view["code"]),
            )

    # --- return manifests and deliveries (bảng kê nhận, phát kết quả) ----------------------

    def save_inbox(self, views: list[dict], fetched_at: datetime) -> None:
        with self.transaction() as db:
            for view in views:
                db.execute(
                    "INSERT INTO inbox (code, from_site, view, fetched_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (code) DO UPDATE"
                    " SET view = excluded.view, fetched_at = excluded.fetched_at",
                    (view["code"], view["from_site"], _json(view), iso(fetched_at)),
                )

    def inbox(self) -> list[dict]:
        with self.reading() as db:
            codes = [
                row["code"]
                for row in db.execute("SELECT code FROM inbox ORDER BY fetched_at DESC, code DESC")
            ]
            return [view for code in codes if (view := self._inbox_manifest(db, code)) is not None]

    def inbox_manifest(self, code: str) -> dict | None:
        with self.reading() as db:
            return self._inbox_manifest(db, code)

    def _inbox_manifest(self, db: sqlite3.Connection, code: str) -> dict | None:
        """The server's view of a return manifest, with what this client did since: dossiers
        scanned in (arrived / extra / missing once finished) and the latest delivery of each."""
        row = db.execute("SELECT * FROM inbox WHERE code = ?", (code,)).fetchone()
        if row is None:
            return None
        view = json.loads(row["view"])
        scans = {
            s["dossier"]: s["at"]
            for s in db.execute("SELECT dossier, at FROM inbox_scans WHERE manifest = ?", (code,))
        }
        finished = bool(row["finished_at"]) or view["status"] == ManifestStatus.RECEIVED
        details = {d["dossier"]: d for d in view.get("deliveries", [])}
        items = []
        for item in view["items"]:
            if item["state"] not in ("expected", "arrived", "missing"):
                continue
            arrived_at = item.get("arrived_at") or scans.get(item["dossier"])
            state = "arrived" if arrived_at else ("missing" if finished else "expected")
            items.append(
                {
                    **details.get(item["dossier"], {"dossier": item["dossier"]}),
                    "state": state,
                    "arrived_at": arrived_at,
                    "delivery": self._delivery(db, item["dossier"]),
                }
            )
        listed = {item["dossier"] for item in items}
        remote_extras = {i["dossier"]: i.get("arrived_at") for i in view["items"] if i["state"] == "extra"}
        extras = [
            {"dossier": dossier, "arrived_at": at}
            for dossier, at in sorted({**remote_extras, **scans}.items())
            if dossier not in listed
        ]
        counts = {"expected": 0, "arrived": 0, "missing": 0}
        for item in items:
            counts[item["state"]] += 1
        return {
            "code": code,
            "from_site": row["from_site"],
            "server_status": view["status"],
            "closed_at": view.get("closed_at"),
            "fetched_at": row["fetched_at"],
            "started": bool(row["started_at"]) or view["status"] != ManifestStatus.CLOSED,
            "finished": finished,
            "finished_at": row["finished_at"] or view.get("received_at"),
            "items": items,
            "extras": extras,
            "counts": {**counts, "extra": len(extras)},
        }

    @staticmethod
    def _delivery(db: sqlite3.Connection, dossier: str) -> dict | None:
        row = db.execute(
            "SELECT * FROM outbox WHERE subject = ? AND kind IN (?, ?) ORDER BY seq DESC LIMIT 1",
            (dossier, OperationKind.DELIVER, OperationKind.UNDELIVER),
        ).fetchone()
        return _op(row) if row else None

    def scan_in(self, manifest: str, scanned: str, at: datetime) -> str:
        """One scan at the reception of a return manifest. Returns what it was: ``manifest``
        (its own code: reception starts), ``arrived``, ``extra`` (not listed) or ``again``."""
        scanned = scanned.strip()
        with self.transaction() as db:
            view = self._inbox_manifest(db, manifest)
            if view is None:
                raise ClerkError(f"Không có bảng kê {manifest}.")
            if view["finished"]:
                raise ClerkError(f"Bảng kê {manifest} đã kết thúc nhận.")
            body = {"manifest": manifest, "code": scanned, "at": iso(at)}
            if scanned == manifest:
                if view["started"]:
                    return "again"
                db.execute("UPDATE inbox SET started_at = ? WHERE code = ?", (iso(at), manifest))
                self._enqueue(db, OperationKind.SCAN, manifest, body)
                return "manifest"
            if not DOSSIER_CODE.match(scanned):
                raise ClerkError(f"“{scanned}” không phải mã hồ sơ hay mã bảng kê này.")
            listed = {item["dossier"]: item for item in view["items"]}
            if (scanned in listed and listed[scanned]["arrived_at"]) or any(
                extra["dossier"] == scanned for extra in view["extras"]
            ):
                return "again"
            db.execute(
                "INSERT INTO inbox_scans (manifest, dossier, at) VALUES (?, ?, ?)",
                (manifest, scanned, iso(at)),
            )
            db.execute(
                "UPDATE inbox SET started_at = COALESCE(started_at, ?) WHERE code = ?", (iso(at), manifest)
            )
            self._enqueue(db, OperationKind.SCAN, manifest, body)
            return "arrived" if scanned in listed else "extra"

    def finish_inbox(self, manifest: str, at: datetime) -> dict:
        """End the reception: what was listed and not scanned is missing. Returns the counts."""
        with self.transaction() as db:
            view = self._inbox_manifest(db, manifest)
            if view is None:
                raise ClerkError(f"Không có bảng kê {manifest}.")
            if view["finished"]:
                raise ClerkError(f"Bảng kê {manifest} đã kết thúc nhận.")
            db.execute("UPDATE inbox SET finished_at = ? WHERE code = ?", (iso(at), manifest))
            self._enqueue(db, OperationKind.FINISH, manifest, {"manifest": manifest, "at": iso(at)})
            after = self._inbox_manifest(db, manifest)
            assert after is not None  # read above, in this transaction
            return after["counts"]

    def record_delivery(
        self, manifest: str, dossier: str, delivered: bool, body: dict, answers: dict | None = None
    ) -> None:
        """The postman handed the result over (``delivered``) or could not; ``body`` is the
        operation's body without the dossier code. ``answers``: the citizen's evaluation given
        at the delivery, sent after it (the outbox keeps the order)."""
        with self.transaction() as db:
            view = self._inbox_manifest(db, manifest)
            item = next((i for i in (view or {}).get("items", []) if i["dossier"] == dossier), None)
            if item is None:
                raise ClerkError(f"Hồ sơ {dossier} không có trong bảng kê {manifest}.")
            if item["state"] != "arrived":
                raise ClerkError(f"Hồ sơ {dossier} chưa được quét nhận: quét mã trên kết quả trước khi phát.")
            last = item["delivery"]
            if last and last["kind"] == OperationKind.DELIVER and last["state"] != OpState.REJECTED:
                raise ClerkError(f"Kết quả {dossier} đã được phát.")
            if item.get("status") == DossierStatus.RETURNED:
                raise ClerkError(f"Kết quả {dossier} đã được trả.")
            kind = OperationKind.DELIVER if delivered else OperationKind.UNDELIVER
            self._enqueue(db, kind, dossier, {"dossier": dossier, **body})
            if delivered and answers:
                at = body.get("delivered_at")
                self._enqueue(
                    db, OperationKind.EVALUATE, dossier, {"dossier": dossier, "answers": answers, "at": at}
                )


def _op(row: sqlite3.Row) -> dict:
    view = dict(row)
    view["body"] = json.loads(row["body"])
    view["result"] = _loads(row["result"])
    return view


def _manifest(row: sqlite3.Row) -> dict:
    view = dict(row)
    view["remote"] = _loads(row["remote"])
    return view
