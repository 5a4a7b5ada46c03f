"""Numbers stay unique and gap-free, and calls never collide, under real parallel load.

Several client processes hit a gunicorn with several worker processes, on SQLite (the
embedded default) and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter as Tally
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import requests
from sqlalchemy import func, select

from queue_server.database import db
from queue_server.queueing.models import QueueEvent, Ticket

from .helpers import BOTH_DATABASES, staff_session

CLIENTS = 8
TICKETS_PER_CLIENT = 70  # 560 in all
SERVICES = ("NM-DD", "TC-DKDN")


def _issue_many(base_url: str, token: str, count: int, offset: int) -> list[tuple[str, str, int]]:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    issued = []
    for i in range(count):
        service = SERVICES[(i + offset) % len(SERVICES)]
        response = http.post(f"{base_url}/api/v1/sites/NA-HCC/tickets", json={"service": service}, timeout=60)
        assert response.status_code == 201, response.text
        body = response.json()
        issued.append((service, body["number"], body["id"]))
    return issued


def _call_until_empty(base_url: str, counter_id: int, ready=None) -> list[int]:
    http = staff_session(base_url, "officer1")
    if ready is not None:
        # Every counter logged in first: a process that starts late (spawning one takes a
        # second on a busy machine) would otherwise find the queue already empty.
        ready.wait(timeout=120)
    called = []
    while True:
        response = http.post(f"{base_url}/api/v1/counters/{counter_id}/call-next", timeout=60)
        if response.status_code == 204:
            return called
        assert response.status_code == 200, response.text
        called.append(response.json()["ticket"]["id"])


@BOTH_DATABASES
def test_parallel_issuing_on_several_workers_gives_unique_gap_free_numbers(
    app, database_url, live_server_factory, kiosk_token
):
    server = live_server_factory(database_url, workers=3)
    with ProcessPoolExecutor(CLIENTS, mp_context=get_context("spawn")) as pool:
        results = list(
            pool.map(
                _issue_many,
                [server.url] * CLIENTS,
                [kiosk_token] * CLIENTS,
                [TICKETS_PER_CLIENT] * CLIENTS,
                range(CLIENTS),
            )
        )
    issued = [item for result in results for item in result]
    assert len(issued) == CLIENTS * TICKETS_PER_CLIENT
    for service, first in (("NM-DD", 3001), ("TC-DKDN", 4001)):
        numbers = sorted(int(number) for s, number, _ in issued if s == service)
        assert numbers == list(range(first, first + len(numbers))), f"gap or duplicate in {service}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == len(issued)
        logged = db.session.scalars(
            select(QueueEvent.site_seq).where(QueueEvent.kind == "ticket.issued")
        ).all()
        assert len(logged) == len(issued) and set(logged) == {None}  # logged, without a sequence


@BOTH_DATABASES
def test_counters_calling_at_the_same_instant_never_get_the_same_ticket(
    app, database_url, live_server_factory, kiosk_token
):
    server = live_server_factory(database_url, workers=3)
    issued = _issue_many(server.url, kiosk_token, 120, offset=0)
    land = [ticket_id for service, _, ticket_id in issued if service == "NM-DD"]
    # Counters 1, 2 and 3 all serve land; 1 and 2 also serve the environment, which is empty.
    spawn = get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(3, mp_context=spawn) as pool:
        ready = manager.Barrier(3)
        per_counter = list(pool.map(_call_until_empty, [server.url] * 3, [1, 2, 3], [ready] * 3))
    called = [ticket_id for ids in per_counter for ticket_id in ids]
    assert sorted(called) == sorted(land), "every land ticket called exactly once"
    # The calls were contested: at least two counters took tickets from the same queue. Not
    # all three every time: SQLite's write lock is not fair (a request waiting for it polls,
    # database.begin_immediate), and on a busy machine two counters that alternate can empty
    # the 60 tickets while the third is still waiting for its first turn.
    assert sum(1 for ids in per_counter if ids) >= 2, "the counters competed for the queue"
    with app.app_context():
        calls = Tally(
            db.session.scalars(select(QueueEvent.ticket_id).where(QueueEvent.kind == "ticket.called"))
        )
        assert set(calls.values()) == {1}
        # The calls and finishes of three counters at once: numbered without a gap, in the
        # order they were logged within each transaction.
        seqs = db.session.scalars(
            select(QueueEvent.site_seq).where(QueueEvent.site_seq.is_not(None)).order_by(QueueEvent.site_seq)
        ).all()
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= len(land)
