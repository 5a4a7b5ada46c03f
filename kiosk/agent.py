"""The device agent of a kiosk or post-office PC: ``python -m kiosk.agent --config agent.ini``.

It holds the device's token, fetches the print jobs the server keeps for this device, prints
them on the local printer, reports each result, and sends a heartbeat with the printer's state.
When the server or the printer fails it says so in its log and tries again; the server keeps
every job until the printer confirms it.

    [server]
    url = http://192.168.1.10:5000
    token = kiosk_...                 ; flask --app wsgi create-device-token --kind kiosk ...

    [printer]
    device = escpos+usb://04b8:0202   ; or escpos+tcp://..., escpos+serial://..., sim:///path

    [agent]
    poll_seconds = 1
    heartbeat_seconds = 30
"""

from __future__ import annotations

import argparse
import configparser
import logging
import time

import requests

from hardware.devices import DeviceError
from hardware.layouts import TicketPrint, render_ticket
from hardware.printers import Printer, open_printer

log = logging.getLogger("kiosk.agent")
VERSION = "1"
LAYOUTS = {"ticket": lambda payload, paper: render_ticket(TicketPrint(**payload), paper)}


class Agent:
    def __init__(self, url: str, token: str, printer: Printer | None, heartbeat_seconds: float = 30):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.printer = printer
        self.heartbeat_seconds = heartbeat_seconds
        self._last_heartbeat = 0.0

    @classmethod
    def from_config(cls, path: str) -> Agent:
        config = configparser.ConfigParser()
        if not config.read(path):
            raise SystemExit(f"cannot read {path}")
        device = config.get("printer", "device", fallback="")
        return cls(
            config.get("server", "url"),
            config.get("server", "token"),
            open_printer(device) if device else None,
            config.getfloat("agent", "heartbeat_seconds", fallback=30),
        )

    def heartbeat(self) -> None:
        printer = self.printer.status() if self.printer else "none"
        self.http.post(
            f"{self.url}/api/v1/devices/me/heartbeat",
            json={"printer": printer, "agent_version": VERSION},
            timeout=10,
        ).raise_for_status()
        self._last_heartbeat = time.monotonic()

    def run_once(self) -> int:
        """One round: heartbeat if due, then print what is waiting. Returns jobs handled."""
        if time.monotonic() - self._last_heartbeat >= self.heartbeat_seconds:
            self.heartbeat()
        if self.printer is None:
            return 0
        response = self.http.get(f"{self.url}/api/v1/devices/me/print-jobs", timeout=10)
        response.raise_for_status()
        jobs = response.json()
        for job in jobs:
            self._print(job)
        return len(jobs)

    def _print(self, job: dict) -> None:
        layout = LAYOUTS.get(job["kind"])
        try:
            if layout is None:
                raise DeviceError(f"this agent cannot print {job['kind']!r}")
            self.printer.print_image(layout(job["payload"], self.printer.paper_mm))
            result = {"printed": True}
            log.info("printed job %s", job["id"])
        except DeviceError as error:
            result = {"printed": False, "error": str(error)}
            log.warning("job %s not printed: %s", job["id"], error)
        self.http.post(
            f"{self.url}/api/v1/print-jobs/{job['id']}/result", json=result, timeout=10
        ).raise_for_status()

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        while True:
            try:
                self.run_once()
            except requests.RequestException as error:
                log.warning("server unreachable: %s", error)
            time.sleep(poll_seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Kiosk / post-office device agent")
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = configparser.ConfigParser()
    config.read(args.config)
    Agent.from_config(args.config).run_forever(config.getfloat("agent", "poll_seconds", fallback=1.0))


if __name__ == "__main__":
    main()
