"""Notifications: ``python -m bench.notify [--database URL] [--messages 400] [--changes 100]``.

On a scratch database with the demo centre (SQLite by default; a PostgreSQL URL is emptied
and used), e-mail switched on at NA-HCC and a real local SMTP server (aiosmtpd, in a thread of
this process):

1. **Throughput**: ``--messages`` e-mails written in one transaction, then one worker
   (:class:`queue_server.notify.worker.Worker`) sends them all; messages per second.
2. **Delay**: a worker runs as the server runs it (``NOTIFY_WORKER=inline``: it wakes when its
   process commits new messages, else polls); ``--changes`` changes, one every 50 ms, each
   writing one message; the delay is from just before the change's commit to the message's
   DATA reaching the SMTP server (one clock: both are in this process). p50 and p99.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from .stack import prepare

PAUSE = 0.05  # seconds between two changes of the delay run


class Recorder:
    """An SMTP handler noting when each recipient's message arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        for address in envelope.rcpt_tos:
            self.arrived[address] = now
        return "250 OK"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="default: a scratch SQLite file")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every recipient

    recorder = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(recorder, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database or f"sqlite:///{Path(scratch) / 'notify.sqlite3'}"
        prepare(url)
        os.environ.update(DATABASE_URL=url, NOTIFY_WORKER="off", DOSSIER_WATCH_SECONDS="0")
        from sqlalchemy import select

        from queue_server.app import create_app
        from queue_server.auth.access import Actor
        from queue_server.database import db, utcnow
        from queue_server.notify import operations
        from queue_server.notify.models import SiteChannel
        from queue_server.notify.worker import Worker
        from queue_server.queueing.operations import issue_ticket
        from queue_server.sites.models import Site

        app = create_app()
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            NOTIFY_EMAIL_FROM="thongbao@hcc.example.vn",
            PUBLIC_BASE_URL="https://hcc.example.vn",
        )
        with app.app_context():
            session = db.session
            site = session.scalar(select(Site).where(Site.code == "NA-HCC"))
            session.add(SiteChannel(site_id=site.id, channel="email", enabled=True, settings={}))
            ticket = issue_ticket(session, site, "NM-DD", Actor())
            session.commit()
            site_id, ticket_id = site.id, ticket.id

            def subscribe(address: str) -> None:
                operations.subscribe(
                    session,
                    site_id=site_id,
                    channel="email",
                    address=address,
                    via="bench",
                    at=utcnow(),
                    ticket_id=ticket_id,
                )

            for i in range(args.messages):
                subscribe(f"bulk{i}@example.vn")
            session.commit()
            session.remove()

        worker = Worker(app)
        started = time.perf_counter()
        while worker.run_once():
            pass
        elapsed = time.perf_counter() - started
        sent = sum(1 for address in recorder.arrived if address.startswith("bulk"))
        print(f"throughput: {sent} e-mails in {elapsed:.2f} s = {sent / elapsed:.0f}/s (one worker)")

        stop = threading.Event()
        running = threading.Thread(target=Worker(app).run, args=(stop.is_set,))
        running.start()
        committed: dict[str, float] = {}
        with app.app_context():
            session = db.session
            for i in range(args.changes):
                address = f"change{i}@example.vn"
                subscribe(address)
                committed[address] = time.perf_counter()
                session.commit()
                time.sleep(PAUSE)
            session.remove()
        deadline = time.monotonic() + 30
        while (
            len([a for a in committed if a in recorder.arrived]) < len(committed)
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        stop.set()
        from queue_server.notify.outbox import wake

        wake.set()
        running.join(10)
        delays = [(recorder.arrived[a] - t) * 1000 for a, t in committed.items() if a in recorder.arrived]
        print(
            f"delay change -> SMTP server: {len(delays)}/{len(committed)} arrived;"
            f" p50 {statistics.median(delays):.0f} ms, p99 {percentile(delays, 0.99):.0f} ms,"
            f" max {max(delays):.0f} ms"
        )
    smtp.stop()


if __name__ == "__main__":
    main()
