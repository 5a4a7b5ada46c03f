"""The real servers that the tests and the benchmarks run: gunicorn serving ``wsgi:app`` with the
repository's ``gunicorn.conf.py`` (gevent workers), on a free port of 127.0.0.1.

One way to start them, wait until they answer, look at their processes and logs, and stop or
crash them, so that a test (``tests/conftest.py``, ``live_server_factory``) and a benchmark
(``bench/stack.py``) measure the same server. What it serves (database, Redis, rate limits) is
the caller's: settings are environment variables, as in production (README, "Configuration").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TypeVar

import requests

ROOT = Path(__file__).resolve().parent.parent


def python_of(root: Path) -> str:
    """The Python that runs the checkout ``root``: its own ``.venv``, set up from its own
    requirements, when it has one, else this one. An older checkout compared against this one
    is measured with the libraries it asked for, not the ones added since."""
    own = root / ".venv" / "bin" / "python"
    return str(own) if root.resolve() != ROOT and own.exists() else sys.executable


T = TypeVar("T")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """``condition()``'s first true answer, asked every ``interval`` seconds; an AssertionError
    that names ``what`` when there is none within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)
    return result


def stop_process(process: subprocess.Popen, seconds: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``seconds``; waits for it either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def staff_session(base_url: str, username: str, password: str) -> requests.Session:
    """A member of staff logged in over HTTP; every request carries the session's CSRF token, as
    the staff pages' script sends it."""
    http = requests.Session()
    response = http.post(f"{base_url}/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    http.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return http


class ServerExited(RuntimeError):
    """The server ended before it answered (a refused setting, a port taken, a broken app)."""

    def __init__(self, returncode: int, log: str):
        super().__init__(f"server exited with status {returncode}: {log[-2000:]}")
        self.returncode = returncode
        self.log = log


class Gunicorn:
    """gunicorn with ``workers`` worker processes serving the app at ``url``.

    ``settings`` is environment over this process's own (a ``None`` value removes the variable);
    ``env`` holds the result and may be changed between :meth:`stop` and :meth:`start`. The
    server's output goes to a temporary file (:meth:`log_tail`): a pipe nobody reads fills up and
    blocks it. With ``to_terminal`` it goes to this process's terminal instead, as a benchmark
    shows it. ``root``: the checkout whose ``wsgi:app`` it serves (a benchmark may compare an
    older one, ``bench/fanout.py``).
    """

    process: subprocess.Popen
    log: IO[bytes] | None

    def __init__(
        self,
        settings: Mapping[str, str | None],
        workers: int = 1,
        *,
        ready_seconds: float = 30,
        to_terminal: bool = False,
        root: Path = ROOT,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.ready_seconds = ready_seconds
        self.to_terminal = to_terminal
        self.root = root
        self.env = {**os.environ, "WEB_CONCURRENCY": str(workers), "BIND": f"127.0.0.1:{self.port}"}
        for name, value in settings.items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
        self.start()

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it answers; :class:`ServerExited`
        if it ends first."""
        self.log = None if self.to_terminal else tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [python_of(self.root), "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=self.root,
            env=self.env,
            stdout=None if self.to_terminal else subprocess.DEVNULL,
            stderr=self.log,
        )
        try:
            wait_until(self.answers, self.ready_seconds, f"gunicorn answering on port {self.port}", 0.1)
        except ServerExited:
            self._close_log()
            raise
        except AssertionError:
            self.stop()
            raise RuntimeError(f"server did not start in {self.ready_seconds} s") from None

    def answers(self) -> bool:
        """Whether it answers ``GET /api/v1/sites``; :class:`ServerExited` if it has ended."""
        if (returncode := self.process.poll()) is not None:
            raise ServerExited(returncode, self.log_tail(None))
        try:
            return requests.get(f"{self.url}/api/v1/sites", timeout=5).ok
        except requests.RequestException:
            return False

    def worker_pids(self) -> list[int]:
        """The worker processes gunicorn runs now (it replaces one that dies)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(child) for child in children.read_text().split()] if children.exists() else []

    def pids(self) -> list[int]:
        """The master, then each worker process."""
        return [self.process.pid, *self.worker_pids()]

    def wait_for_workers(self, other_than: frozenset[int] | set[int] = frozenset()) -> set[int]:
        """Its workers, once there are as many as asked for, none of ``other_than`` (workers that
        were told to end), and it answers."""

        def ready() -> set[int]:
            workers = set(self.worker_pids())
            fresh = len(workers) == self.workers and not workers & other_than
            return workers if fresh and self.answers() else set()

        return wait_until(ready, 30, f"{self.workers} new workers answering", 0.2)

    def rss_mib(self) -> list[float]:
        """Resident memory of the master and each worker process."""
        sizes = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def log_tail(self, size: int | None = 6000) -> str:
        """The last ``size`` characters of its output (``None``: all of it)."""
        if self.log is None:
            return "(on the terminal)"
        if self.log.closed:
            return "(stopped)"
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        return text[-size:] if size else text

    def _close_log(self) -> None:
        if self.log is not None:
            self.log.close()

    def stop(self) -> None:
        """Stop gracefully (gunicorn.conf.py's ``graceful_timeout``), then forcibly."""
        stop_process(self.process, 15)
        self._close_log()

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no graceful shutdown, a crash."""
        workers = self.worker_pids()
        os.kill(self.process.pid, signal.SIGKILL)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(10)
        self._close_log()
