"""Thermal printers over python-escpos, chosen by device string, and a simulator.

    escpos+usb://04b8:0202            USB (vendor:product)
    escpos+tcp://10.0.0.50:9100       network printer (raw port 9100)
    escpos+serial:///dev/ttyUSB0?baudrate=19200
    escpos+file:///dev/usb/lp0        a device file
    sim:///var/spool/kiosk-printer    writes each job's raw bytes and a PNG preview to the folder

Every option may add ``profile=`` (python-escpos printer profile, default TM-T88V) and
``paper=58|80``. The simulator takes its state from a file ``state`` in its folder
(``ok``, ``offline``, ``paper_out``, ``cover_open``, or ``offline_mid_job``: half the bytes
are written, then it fails), so a test or a person can make it fail while it runs.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from PIL import Image

from .devices import DeviceError, DeviceString
from .raster import raster_image

DEFAULT_PROFILE = "TM-T88V"
STATES = ("ok", "offline", "paper_out", "cover_open", "paper_low", "unknown")
# States in which nothing can be printed until a person acts (a new roll, the cover shut, the
# cable back): jobs wait for them to clear instead of failing.
FAULTS = ("offline", "paper_out", "cover_open")


class Printer:
    """Prints bitmaps and reports its state; subclasses hold a python-escpos printer."""

    paper_mm = 80

    def __init__(self, escpos, paper_mm: int = 80):
        self.escpos = escpos
        self.paper_mm = paper_mm

    def print_image(self, image: Image.Image) -> None:
        """Print one job and cut; raises :class:`DeviceError` if the printer fails."""
        try:
            self.escpos.hw("INIT")
            self.escpos.image(image, impl="bitImageRaster", center=False)
            self.escpos.cut()
            self._finish()
        except DeviceError:
            raise
        except Exception as error:  # transports raise many kinds of errors
            raise DeviceError(f"printer failed: {error}") from error

    def status(self) -> str:
        """One of :data:`STATES`, read from the printer where its transport can answer."""
        try:
            if not self.escpos.is_online():
                return "offline"
            paper = self.escpos.paper_status()
        except Exception:
            return "unknown"
        return {0: "paper_out", 1: "paper_low"}.get(paper, "ok")

    def _finish(self) -> None:
        flush = getattr(self.escpos, "flush", None)
        if callable(flush):
            flush()

    def close(self) -> None:
        try:
            self.escpos.close()
        except Exception:
            pass


class SimPrinter(Printer):
    """A printer that writes ``job-N.bin`` and ``job-N.png`` into a folder."""

    _sequence = itertools.count(1)

    def __init__(self, folder: Path, paper_mm: int = 80, profile: str = DEFAULT_PROFILE):
        from escpos.printer import Dummy

        super().__init__(Dummy(profile=profile), paper_mm)
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def state(self) -> str:
        path = self.folder / "state"
        text = path.read_text().strip() if path.exists() else "ok"
        return text or "ok"

    def status(self) -> str:
        state = self.state()
        return "offline" if state == "offline_mid_job" else state

    def print_image(self, image: Image.Image) -> None:
        state = self.state()
        if state in ("offline", "paper_out", "cover_open"):
            raise DeviceError(f"printer {state.replace('_', ' ')}")
        self.escpos.clear()
        super().print_image(image)

    def _finish(self) -> None:
        data = self.escpos.output
        name = f"job-{time.strftime('%Y%m%d-%H%M%S')}-{next(self._sequence):04d}"
        if self.state() == "offline_mid_job":
            (self.folder / f"{name}.partial.bin").write_bytes(data[: len(data) // 2])
            raise DeviceError("printer went offline in the middle of the job")
        (self.folder / f"{name}.bin").write_bytes(data)
        preview = raster_image(data)
        if preview is not None:
            preview.save(self.folder / f"{name}.png")


def open_printer(device: str) -> Printer:
    """The printer named by a device string (see the module docstring)."""
    spec = DeviceString.parse(device)
    paper_option = spec.option("paper", "80")
    paper = int(paper_option) if paper_option.isdigit() else 0
    if paper not in (58, 80):
        raise DeviceError("paper must be 58 or 80 (mm)")
    profile = spec.option("profile", DEFAULT_PROFILE)
    if spec.scheme == "sim":
        if not spec.path:
            raise DeviceError("sim:// needs a folder, e.g. sim:///tmp/printer")
        return SimPrinter(Path(spec.path), paper, profile)
    transport = spec.scheme.removeprefix("escpos+")
    from escpos import printer as escpos_printers

    if transport == "tcp":
        if not spec.host:
            raise DeviceError("escpos+tcp:// needs a host")
        raw = escpos_printers.Network(spec.host, port=spec.port or 9100, timeout=10, profile=profile)
    elif transport == "usb":
        vendor, _, product = device.split("://", 1)[1].split("?")[0].partition(":")
        try:
            raw = escpos_printers.Usb(int(vendor, 16), int(product, 16), profile=profile)
        except ValueError as error:
            raise DeviceError("escpos+usb:// needs vendor:product in hex, e.g. 04b8:0202") from error
    elif transport == "serial":
        raw = escpos_printers.Serial(
            devfile=spec.path, baudrate=int(spec.option("baudrate", "9600")), profile=profile
        )
    elif transport == "file":
        raw = escpos_printers.File(devfile=spec.path, profile=profile)
    else:
        raise DeviceError(f"unknown printer type {spec.scheme!r}")
    return Printer(raw, paper)
