"""Talking to the server when it answers: push the outbox, upload scans, pull what changed.

The link of a commune post office drops often and for long. A failed request is therefore not
an error but a state: a connection error, a timeout or a 5xx means *offline*, and the loop
waits (doubling from ``backoff_min`` to ``backoff_max``) before trying again; nothing is lost
because every operation stays in the outbox until the server answered for it. Retrying is
always safe: operation ids are stable and the server applies each id once, answering a repeat
from what it stored (``replayed``). A 401/403 is different: the device token is wrong or
revoked, which only a person can fix, so it is reported as *refused*.

:class:`Syncer` does one round at a time (tests drive it directly); :class:`SyncLoop` runs
rounds in a thread and can be woken when the clerk records something.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import requests

from .store import Store, iso, utcnow

log = logging.getLogger("postal.sync")


class Offline(Exception):
    """The server cannot be reached or is failing: try again later."""


class Refused(Exception):
    """The server refused the request as a whole (bad token, bad request): a person must act."""


@dataclass
class PushReport:
    sent: int = 0
    done: int = 0
    rejected: int = 0
    replayed: int = 0
    batches: int = 0


@dataclass
class Status:
    """What the header badge shows: ``online``, ``offline``, ``refused`` or ``unknown``."""

    state: str = "unknown"
    message: str = ""
    last_attempt: datetime | None = None
    last_success: datetime | None = None


class Syncer:
    def __init__(
        self,
        store: Store,
        server_url: str,
        token: str,
        *,
        batch_size: int = 50,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        catalogue_seconds: float = 600.0,
        http: requests.Session | None = None,
    ):
        self.store = store
        self.url = server_url.rstrip("/")
        self.batch_size = batch_size
        self.timeout = (connect_timeout, read_timeout)
        self.catalogue_seconds = catalogue_seconds
        self.http = http or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.status = Status()
        self._lock = threading.Lock()  # one round at a time, whoever asks

    # --- HTTP --------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One request; connection trouble and 5xx become :class:`Offline`, 401/403 become
        :class:`Refused`. Other 4xx are returned for the caller to judge."""
        try:
            response = self.http.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise Offline(f"không kết nối được máy chủ ({type(error).__name__})") from error
        if response.status_code >= 500:
            raise Offline(f"máy chủ đang lỗi (HTTP {response.status_code})")
        if response.status_code in (401, 403):
            raise Refused(f"máy chủ từ chối mã thiết bị (HTTP {response.status_code}): {_message(response)}")
        return response

    def _json(self, response: requests.Response):
        if response.status_code >= 400:
            raise Refused(f"máy chủ từ chối yêu cầu (HTTP {response.status_code}): {_message(response)}")
        try:
            return response.json()
        except ValueError:
            # A captive portal or a proxy answering in place of the server.
            raise Offline("câu trả lời không phải của máy chủ") from None

    # --- the round ---------------------------------------------------------------------------

    def push(self) -> PushReport:
        """Send the unconfirmed operations in order, a batch at a time, until none is left. A
        batch larger than the server takes in one request (413) goes again in halves."""
        report = PushReport()
        size = self.batch_size
        while batch := self.store.claim_batch(size):
            response = self._request("POST", "/api/v1/postal/sync", json={"operations": batch})
            if response.status_code == 413 and len(batch) > 1:
                size = len(batch) // 2
                continue
            results = self._json(response).get("results")
            if not isinstance(results, list):
                raise Offline("câu trả lời của máy chủ thiếu kết quả")
            counts = self.store.apply_results(results)
            if counts["done"] + counts["rejected"] == 0:
                # The server answered for none of them: sending again would loop forever.
                raise Refused("máy chủ không trả lời cho thao tác nào trong lô")
            report.batches += 1
            report.sent += len(batch)
            for key in ("done", "rejected", "replayed"):
                setattr(report, key, getattr(report, key) + counts[key])
            log.info("sync: batch of %d, %s", len(batch), counts)
        return report

    def upload_attachments(self) -> int:
        """Upload the scans of dossiers the server already has; ``client_id`` makes a repeat
        harmless. A scan the server refuses (type, size) is marked with the reason."""
        uploaded = 0
        while uploads := self.store.uploads_due():
            for upload in uploads:
                response = self._request(
                    "POST",
                    f"/api/v1/dossiers/{upload['dossier']}/attachments",
                    files={"file": (upload["filename"], upload["data"], upload["content_type"])},
                    data={"client_id": upload["id"]},
                )
                if response.status_code in (200, 201):
                    self.store.mark_upload(upload["id"])
                    uploaded += 1
                else:
                    self.store.mark_upload(upload["id"], f"HTTP {response.status_code}: {_message(response)}")
        return uploaded

    def pull(self) -> None:
        """Fetch the catalogue (when stale), the return manifests and the fate of the
        manifests this post office sent."""
        fetched = self.store.catalogue_fetched_at()
        now = utcnow()
        if fetched is None or (now - fetched).total_seconds() >= self.catalogue_seconds:
            catalogue = self._json(self._request("GET", "/api/v1/postal/catalogue"))
            self.store.save_catalogue(catalogue, now)
        inbox = self._json(self._request("GET", "/api/v1/postal/inbox"))
        self.store.save_inbox(inbox, now)
        for code in self.store.manifests_to_follow():
            response = self._request("GET", f"/api/v1/manifests/{code}")
            if response.status_code == 404:
                continue
            self.store.save_remote_manifest(self._json(response))

    def run_once(self) -> bool:
        """One full round; True when the server answered everything."""
        with self._lock:
            self.status.last_attempt = utcnow()
            try:
                self.push()
                self.upload_attachments()
                self.pull()
                self.push()  # whatever the clerk recorded meanwhile
            except Offline as error:
                self.set_status("offline", str(error))
                log.warning("sync: offline: %s", error)
                return False
            except Refused as error:
                self.set_status("refused", str(error))
                log.error("sync: refused: %s", error)
                return False
            self.set_status("online", "")
            self.status.last_success = self.status.last_attempt
            self.store.set_meta("last_sync_at", iso(self.status.last_success))
            return True

    def set_status(self, state: str, message: str) -> None:
        self.status.state, self.status.message = state, message


def _message(response: requests.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


class SyncLoop:
    """Runs :meth:`Syncer.run_once` in a thread: every ``interval`` seconds while online,
    after a growing wait (with a little jitter, so that many post offices do not return at
    the same second) while offline. :meth:`kick` starts a round at once."""

    def __init__(
        self, syncer: Syncer, interval: float = 15.0, backoff_min: float = 2.0, backoff_max: float = 120.0
    ):
        self.syncer = syncer
        self.interval = interval
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.failures = 0
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._rounds = threading.Condition()
        self._started = 0
        self._finished = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="postal-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def kick(self) -> None:
        self._wake.set()

    def wait_round(self, timeout: float) -> bool:
        """Start a round now and wait until it has finished (True) or ``timeout`` passed."""
        with self._rounds:
            target = self._started + 1
        self.kick()
        deadline = time.monotonic() + timeout
        with self._rounds:
            while self._finished < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._rounds.wait(remaining)
        return True

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval
        delay = min(self.backoff_max, self.backoff_min * 2 ** (self.failures - 1))
        return delay * random.uniform(0.8, 1.0)

    def _run(self) -> None:
        delay = 0.0
        while not self._stopped.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stopped.is_set():
                return
            with self._rounds:
                self._started += 1
                number = self._started
            try:
                ok = self.syncer.run_once()
            except Exception:  # a bug must not stop the loop: the outbox still needs sending
                log.exception("sync: round failed")
                self.syncer.set_status("offline", "lỗi trong chương trình đồng bộ (xem nhật ký)")
                ok = False
            self.failures = 0 if ok else self.failures + 1
            delay = self.next_delay()
            with self._rounds:
                self._finished = number
                self._rounds.notify_all()
