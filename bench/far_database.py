"""A database on another host, played on this one: ``python -m bench.far_database``.

A TCP relay from ``--listen`` (a port of 127.0.0.1) to ``--to`` (host:port, PostgreSQL's) that
holds every chunk it relays for ``--delay-ms`` before passing it on, in each direction: a round
trip through it costs ``2 * delay`` more than one to the server itself. Point a benchmark's
``--database`` at the relay's port to see what the number of round trips of a request costs
when PostgreSQL is on another machine, as in the scale-out (README, "Production: gunicorn,
PostgreSQL, Redis"): on one machine a round trip is about 0.1 ms, across a network a few tenths
of a millisecond or more. Through this relay with ``--delay-ms 0.5`` a ``SELECT 1`` took 1.3 ms
(0.11 ms straight to PostgreSQL).

Why a relay and not the kernel's ``netem``: this machine's kernel has no queueing disciplines
(``tc qdisc add dev lo root netem`` answers "Specified qdisc kind is unknown"). The relay adds
its own time to each chunk too (a process reading and writing on this machine), the same for
whatever code is measured through it; compare old and new through the same relay in one run.

Example, a call's round trips with 0.5 ms each way (each round trip 1 ms longer, plus the relay's own time)::

    python -m bench.far_database --listen 6432 --to 127.0.0.1:5432 --delay-ms 0.5 &
    python -m bench.issue_path --database postgresql://queue:queue@127.0.0.1:6432/far \\
        --workers 1 --concurrency 1 --counters 1 --tickets 1800 --seconds 60 --call-seconds 3
"""

from __future__ import annotations

import argparse
import queue
import socket
import threading
import time


def _carry(source: socket.socket, sink: socket.socket, delay: float) -> None:
    """Pass what ``source`` reads to ``sink``, each chunk ``delay`` seconds after it came, in the
    order it came. Threads and ``time.sleep`` rather than an event loop: asyncio's epoll rounds
    its timeouts up to the millisecond, which made 0.5 ms each way 2.6 ms a round trip."""
    held: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()

    def hand_on() -> None:
        while True:
            due, chunk = held.get()
            if not chunk:
                break
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                sink.sendall(chunk)
            except OSError:
                break
        sink.close()

    threading.Thread(target=hand_on, daemon=True).start()
    try:
        while chunk := source.recv(65536):
            held.put((time.monotonic() + delay, chunk))
    except OSError:
        pass
    held.put((0.0, b""))


def _relay(listen: int, host: str, port: int, delay: float) -> None:
    server = socket.create_server(("127.0.0.1", listen))
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection((host, port))
        for one in (client, upstream):
            one.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_carry, args=(client, upstream, delay), daemon=True).start()
        threading.Thread(target=_carry, args=(upstream, client, delay), daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True, help="port of 127.0.0.1 to listen on")
    parser.add_argument("--to", required=True, help="host:port to relay to")
    parser.add_argument("--delay-ms", type=float, required=True, help="held in each direction")
    args = parser.parse_args(argv)
    host, _, port = args.to.rpartition(":")
    _relay(args.listen, host, int(port), args.delay_ms / 1000)


if __name__ == "__main__":
    main()
