"""The serial bus of a counter: its LED number display and its call keypad.

There is no common standard for these devices (vendors use their own ASCII frames or Modbus
RTU), so this project defines one small framed protocol, easy to implement in a
microcontroller and to bridge from a vendor's, over RS-232 or RS-485 (several devices share
one line, each with an address):

    STX  ADDR  CMD  PAYLOAD  ETX  BCC
    02   "0C"  "N"  "1023"   03   "4F"

- ADDR: the device address, two hex digits ("00"-"FF"); keypads use their counter's address.
- CMD: one ASCII letter. To a display: ``N`` show a number, ``B`` blink it for PAYLOAD seconds,
  ``C`` clear. From a keypad: ``K`` a key was pressed, PAYLOAD is its name (see :data:`KEYS`).
  ``TRANSFER`` carries the target counter's number: ``TRANSFER 12``. Either side answers a
  well-formed frame with ``A`` (acknowledge) and an empty payload.
- PAYLOAD: printable ASCII (0x20-0x7E), at most 32 characters.
- BCC: XOR of every byte from ADDR to ETX inclusive, as two hex digits.

Frames with a wrong checksum, a bad address or stray bytes are skipped; the reader finds the
next STX.
"""

from __future__ import annotations

from dataclasses import dataclass

from .devices import DeviceError, DeviceString

STX, ETX = 0x02, 0x03
MAX_PAYLOAD = 32
KEYS = ("NEXT", "RECALL", "NOSHOW", "TRANSFER", "PAUSE", "RESUME", "FINISH")


@dataclass(frozen=True)
class Frame:
    address: int
    command: str
    payload: str = ""


def _bcc(body: bytes) -> bytes:
    value = 0
    for byte in body:
        value ^= byte
    return f"{value:02X}".encode()


def encode(frame: Frame) -> bytes:
    if not 0 <= frame.address <= 0xFF:
        raise ValueError("address must be 0-255")
    if len(frame.command) != 1 or not frame.command.isalpha():
        raise ValueError("command must be one letter")
    if len(frame.payload) > MAX_PAYLOAD or not all(0x20 <= ord(c) <= 0x7E for c in frame.payload):
        raise ValueError("payload must be at most 32 printable ASCII characters")
    body = f"{frame.address:02X}{frame.command}{frame.payload}".encode() + bytes([ETX])
    return bytes([STX]) + body + _bcc(body)


class FrameReader:
    """Turns a byte stream into frames, skipping anything malformed."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.rejected = 0

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer.extend(data)
        frames: list[Frame] = []
        while True:
            start = self._buffer.find(bytes([STX]))
            if start == -1:
                self._buffer.clear()
                return frames
            del self._buffer[:start]
            end = self._buffer.find(bytes([ETX]), 1)
            if end == -1 or len(self._buffer) < end + 3:
                return frames  # incomplete: wait for more bytes
            body, bcc = bytes(self._buffer[1 : end + 1]), bytes(self._buffer[end + 1 : end + 3])
            frame = self._decode(body, bcc)
            if frame is None:
                self.rejected += 1
                del self._buffer[:1]  # resynchronise on the next STX
                continue
            frames.append(frame)
            del self._buffer[: end + 3]

    @staticmethod
    def _decode(body: bytes, bcc: bytes) -> Frame | None:
        if _bcc(body) != bcc.upper() or len(body) < 4 or STX in body:
            return None
        try:
            text = body[:-1].decode("ascii")
            address = int(text[:2], 16)
        except (UnicodeDecodeError, ValueError):
            return None
        command, payload = text[2], text[3:]
        if not command.isalpha() or len(payload) > MAX_PAYLOAD:
            return None
        return Frame(address, command, payload)


class CounterBus:
    """One serial line (``serial:///dev/ttyUSB0?baudrate=9600``, or ``loop://``) and its devices."""

    def __init__(self, device: str):
        import serial

        spec = DeviceString.parse(device)
        url = "loop://" if spec.scheme == "loop" else spec.path
        if spec.scheme not in ("serial", "loop"):
            raise DeviceError(f"a counter bus needs serial:///dev/... (got {spec.scheme}://)")
        try:
            self.port = serial.serial_for_url(
                url,
                baudrate=int(spec.option("baudrate", "9600")),
                timeout=float(spec.option("timeout", "0.5")),
            )
        except (serial.SerialException, ValueError) as error:
            raise DeviceError(f"cannot open counter bus {device}: {error}") from error
        self.reader = FrameReader()
        self._pending: list[Frame] = []

    def send(self, frame: Frame) -> None:
        self.port.write(encode(frame))
        self.port.flush()

    def show_number(self, address: int, number: str, blink_seconds: int = 3) -> None:
        """Show a ticket number on the LED display at ``address`` and blink it."""
        self.send(Frame(address, "N", number))
        if blink_seconds:
            self.send(Frame(address, "B", str(blink_seconds)))

    def clear(self, address: int) -> None:
        self.send(Frame(address, "C"))

    def receive(self) -> Frame | None:
        """The next frame from the line, or None after the read timeout."""
        while not self._pending:
            data = self.port.read(max(1, self.port.in_waiting))
            if not data:
                return None
            self._pending.extend(self.reader.feed(data))
        return self._pending.pop(0)

    def key_presses(self):
        """Yield (address, key) for each keypad press, acknowledging it; stops on timeout."""
        while (frame := self.receive()) is not None:
            if frame.command == "K" and frame.payload.partition(" ")[0] in KEYS:
                self.send(Frame(frame.address, "A"))
                yield frame.address, frame.payload

    def close(self) -> None:
        self.port.close()
