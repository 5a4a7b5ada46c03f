"""Device strings: one line of configuration names a device and how to reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import overload
from urllib.parse import parse_qsl, urlsplit


class DeviceError(Exception):
    """A device cannot be used: bad configuration, offline, out of paper... (safe to show)."""


@dataclass(frozen=True)
class DeviceString:
    scheme: str  # e.g. "escpos+tcp", "sim"
    host: str = ""
    port: int | None = None
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> DeviceString:
        parts = urlsplit(text.strip())
        if not parts.scheme:
            raise DeviceError(f"not a device string: {text!r} (expected e.g. escpos+tcp://host:9100)")
        try:
            port = parts.port
        except ValueError as error:
            raise DeviceError(f"bad port in {text!r}") from error
        return cls(
            scheme=parts.scheme.lower(),
            host=parts.hostname or "",
            port=port,
            path=parts.path,
            options=dict(parse_qsl(parts.query)),
        )

    @overload
    def option(self, name: str, default: str) -> str: ...
    @overload
    def option(self, name: str, default: None = None) -> str | None: ...
    def option(self, name: str, default: str | None = None) -> str | None:
        """The query option ``name`` (``?baudrate=9600``); with a default, never None."""
        return self.options.get(name, default)
