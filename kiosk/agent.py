"""The device agent of a kiosk or post-office PC: ``python -m kiosk.agent --config agent.ini``.

It holds the device's token, fetches the print jobs the server keeps for this device, prints
them on the local printer, reports each result, sends a heartbeat with the printer's state, and
forwards what a serial scanner reads to the device's own pages (Socket.IO room of the device).
When the server or the printer fails it says so in its log and tries again; the server keeps
every job until the printer confirms it.

    [server]
    url = http://192.168.1.10:5000
    token = kiosk_...                 ; flask --app wsgi create-device-token --kind kiosk ...

    [printer]
    device = escpos+usb://04b8:0202   ; or escpos+tcp://..., escpos+serial://..., sim:///path

    [scanner]                         ; a serial (USB CDC) scanner; its reads reach this PC's pages
    device = serial:///dev/ttyACM0?baudrate=9600&terminator=CR

    [counter]                         ; for a counter PC with a call keypad and an LED display
    bus = serial:///dev/ttyUSB1?baudrate=9600
    address = 3                       ; the keypad's and display's address on the bus

    [agent]
    poll_seconds = 1
    heartbeat_seconds = 30

A counter agent uses a ``counter`` device token (``create-device-token --kind counter
--counter 3``): keypad presses act on that counter through the API, and the LED display shows
whatever the counter calls, from the keypad or from the officer's console.
"""

from __future__ import annotations

import argparse
import configparser
import logging
import threading
import time

import requests

from hardware.counter_bus import CounterBus
from hardware.devices import DeviceError
from hardware.layouts import (
    ChecklistPrint,
    ReceiptPrint,
    TicketPrint,
    render_checklist,
    render_receipt,
    render_ticket,
)
from hardware.printers import FAULTS, Printer, open_printer
from hardware.scanning import SerialScanner

log = logging.getLogger("kiosk.agent")
VERSION = "1"
LAYOUTS = {
    "ticket": lambda payload, paper: render_ticket(TicketPrint(**payload), paper),
    "receipt": lambda payload, paper: render_receipt(ReceiptPrint(**payload), paper),
    "checklist": lambda payload, paper: render_checklist(ChecklistPrint(**payload), paper),
}


class Agent:
    def __init__(
        self,
        url: str,
        token: str,
        printer: Printer | None,
        heartbeat_seconds: float = 30,
        counter: CounterDevices | None = None,
        scanner: SerialScanner | None = None,
    ):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.printer = printer
        self.counter = counter
        self.scanner = scanner
        self._stopped = threading.Event()
        self.heartbeat_seconds = heartbeat_seconds
        self._last_heartbeat = 0.0
        self._last_printer: str | None = None

    @classmethod
    def from_config(cls, path: str) -> Agent:
        config = configparser.ConfigParser()
        if not config.read(path):
            raise SystemExit(f"cannot read {path}")
        device = config.get("printer", "device", fallback="")
        url, token = config.get("server", "url"), config.get("server", "token")
        counter = None
        if config.has_section("counter"):
            bus = CounterBus(config.get("counter", "bus"))
            counter = CounterDevices(url, token, bus, config.getint("counter", "address"))
        scanner = None
        if config.has_option("scanner", "device"):
            scanner = SerialScanner(config.get("scanner", "device"))
        return cls(
            url,
            token,
            open_printer(device) if device else None,
            config.getfloat("agent", "heartbeat_seconds", fallback=30),
            counter,
            scanner,
        )

    def heartbeat(self, printer: str | None = None) -> None:
        printer = printer or (self.printer.status() if self.printer else "none")
        self._last_printer = printer
        self.http.post(
            f"{self.url}/api/v1/devices/me/heartbeat",
            json={"printer": printer, "agent_version": VERSION},
            timeout=10,
        ).raise_for_status()
        self._last_heartbeat = time.monotonic()

    def run_once(self) -> int:
        """One round: heartbeat if due or if the printer's state changed, then print what is
        waiting. While the printer has a fault (out of paper, cover open, offline) nothing is
        fetched: the jobs wait on the server and print once it clears. Returns jobs handled."""
        printer = self.printer.status() if self.printer else "none"
        due = time.monotonic() - self._last_heartbeat >= self.heartbeat_seconds
        if due or printer != self._last_printer:
            self.heartbeat(printer)
        if self.printer is None or printer in FAULTS:
            return 0
        response = self.http.get(f"{self.url}/api/v1/devices/me/print-jobs", timeout=10)
        response.raise_for_status()
        jobs = response.json()
        for job in jobs:
            self._print(job)
        return len(jobs)

    def _print(self, job: dict) -> None:
        assert self.printer is not None  # run_once fetches jobs only for a printer
        layout = LAYOUTS.get(job["kind"])
        try:
            if layout is None:
                raise DeviceError(f"this agent cannot print {job['kind']!r}")
            self.printer.print_image(layout(job["payload"], self.printer.paper_mm))
            result: dict[str, object] = {"printed": True}
            log.info("printed job %s", job["id"])
        except DeviceError as error:
            # The state after the failure: a fault (the roll ran out mid-job) keeps the job waiting.
            self._last_printer = self.printer.status()
            result = {"printed": False, "error": str(error), "printer": self._last_printer}
            log.warning("job %s not printed: %s", job["id"], error)
        self.http.post(
            f"{self.url}/api/v1/print-jobs/{job['id']}/result", json=result, timeout=10
        ).raise_for_status()

    def forward_scans(self) -> None:
        """Send what the serial scanner reads to the server, for this device's pages."""
        assert self.scanner is not None  # started only for a configured scanner
        while not self._stopped.is_set():
            try:
                text = self.scanner.read()
            except OSError as error:  # unplugged; it may come back
                if self._stopped.is_set():
                    return
                log.warning("scanner error: %s", error)
                self._stopped.wait(1)
                continue
            if text is None:
                continue
            try:
                response = self.http.post(
                    f"{self.url}/api/v1/devices/me/scans", json={"text": text}, timeout=10
                )
                if response.status_code == 422:
                    log.info("unreadable scan: %s", response.json()["error"]["message"])
            except requests.RequestException as error:
                log.warning("scan not forwarded: %s", error)

    def stop(self) -> None:
        self._stopped.set()
        if self.counter is not None:
            self.counter.stop()

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        if self.counter is not None:
            self.counter.start()
        if self.scanner is not None:
            threading.Thread(target=self.forward_scans, daemon=True, name="scanner").start()
        while True:
            try:
                self.run_once()
            except requests.RequestException as error:
                log.warning("server unreachable: %s", error)
            time.sleep(poll_seconds)


class CounterDevices:
    """A counter's call keypad and LED display on one serial bus.

    Key presses become API calls for this device's counter; the display follows the counter's
    live events, so a call from the officer's console shows there too.
    """

    PAUSE_REASON = "Tạm dừng từ bàn phím"

    def __init__(self, url: str, token: str, bus: CounterBus, address: int):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.bus = bus
        self.address = address
        me = self.http.get(f"{self.url}/api/v1/devices/me", timeout=10)
        me.raise_for_status()
        identity = me.json()
        if identity["counter_id"] is None:
            raise SystemExit("this token is not a counter device (create-device-token --kind counter)")
        self.site, self.counter_id = identity["site"], identity["counter_id"]
        self.current: dict | None = None
        self.socket = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def _post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(f"{self.url}/api/v1{path}", json=body, timeout=10)

    def _current(self) -> dict | None:
        response = self.http.get(f"{self.url}/api/v1/counters/{self.counter_id}", timeout=10)
        response.raise_for_status()
        return response.json()["current"]

    def handle_key(self, key: str) -> None:
        """Act on one key press (see hardware.counter_bus.KEYS)."""
        name, _, argument = key.partition(" ")
        if name == "NEXT":
            response = self._post(f"/counters/{self.counter_id}/call-next")
            self.show(response.json()["ticket"] if response.status_code == 200 else None)
        elif name == "PAUSE":
            self._post(f"/counters/{self.counter_id}/pause", {"reason": self.PAUSE_REASON})
        elif name == "RESUME":
            self._post(f"/counters/{self.counter_id}/resume")
        elif name in ("RECALL", "NOSHOW", "FINISH", "TRANSFER"):
            current = self._current()
            if current is None:
                log.info("key %s with no ticket at the counter", key)
                return
            if name == "TRANSFER":
                if not argument.isdigit():
                    log.warning("TRANSFER needs a counter number, e.g. 'TRANSFER 12'")
                    return
                counters = self.http.get(f"{self.url}/api/v1/sites/{self.site}/counters", timeout=10).json()
                target = next((c["id"] for c in counters if c["number"] == int(argument)), None)
                if target is None:
                    log.warning("no counter %s to transfer to", argument)
                    return
                self._post(f"/tickets/{current['id']}/transfer", {"counter": target})
                self.show(None)
                return
            action = {"RECALL": "recall", "NOSHOW": "skip", "FINISH": "finish"}[name]
            response = self._post(f"/tickets/{current['id']}/{action}")
            self.show(response.json() if name == "RECALL" and response.ok else None)

    def show(self, ticket: dict | None) -> None:
        self.current = ticket
        if ticket is None:
            self.bus.clear(self.address)
        else:
            self.bus.show_number(self.address, ticket["number"])

    def on_deltas(self, deltas: list[dict]) -> None:
        """Deltas committed together (a call next: the ticket finished, the next one called)."""
        for delta in deltas:
            self.on_event(delta["type"], delta)

    def on_event(self, name: str, delta: dict) -> None:
        """The display follows the counter, whoever acted (keypad or console)."""
        ticket = delta.get("ticket")
        if delta.get("counter_id") != self.counter_id or ticket is None:
            return
        if name in ("ticket.called", "ticket.recalled"):
            self.show(ticket)
        elif (
            self.current
            and ticket["id"] == self.current["id"]
            and ticket["status"] not in ("called", "serving")
        ):
            self.show(None)

    def listen_keys(self) -> None:
        while not self._stopped.is_set():
            try:
                for _, key in self.bus.key_presses():
                    try:
                        self.handle_key(key)
                    except requests.RequestException as error:
                        log.warning("key %s not sent: %s", key, error)
            except OSError as error:  # serial errors are OSErrors; the line may come back
                if self._stopped.is_set():
                    return
                log.warning("counter bus error: %s", error)
                self._stopped.wait(1)

    def start(self) -> None:
        import socketio

        self.socket = socket = socketio.Client(reconnection=True)
        for name in (
            "ticket.called",
            "ticket.recalled",
            "ticket.skipped",
            "ticket.finished",
            "ticket.transferred",
        ):
            socket.on(name, lambda delta, name=name: self.on_event(name, delta))
        socket.on("deltas", self.on_deltas)
        socket.connect(
            self.url, auth={"site": self.site, "counter": self.counter_id}, transports=["websocket"]
        )
        self._thread = threading.Thread(target=self.listen_keys, daemon=True, name="keypad")
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self.socket is not None:
            self.socket.disconnect()
        if self._thread is not None:
            self._thread.join(5)
        self.bus.close()


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
