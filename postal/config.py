"""Settings of the post-office client, in one place: a TOML file, then the environment.

    [server]
    url = "http://192.168.1.10:5000"      # SERVER_URL
    token = "postal_..."                  # DEVICE_TOKEN (flask --app wsgi create-device-token --kind postal)

    [client]
    db = "/var/lib/postal/postal.sqlite3" # POSTAL_DB
    printer = "escpos+usb://04b8:0202"    # PRINTER (default: a simulator folder beside the database)
    port = 5100                           # POSTAL_PORT (the pages listen on 127.0.0.1 only)

    [sync]
    batch_size = 50                       # SYNC_BATCH_SIZE (operations per request, at most 200)
    interval_seconds = 15                 # SYNC_INTERVAL_SECONDS (between rounds while online)
    backoff_min_seconds = 2               # SYNC_BACKOFF_MIN_SECONDS (first wait once offline,
    backoff_max_seconds = 120             # SYNC_BACKOFF_MAX_SECONDS  doubling up to this)
    connect_timeout_seconds = 5           # SYNC_CONNECT_TIMEOUT_SECONDS
    read_timeout_seconds = 30             # SYNC_READ_TIMEOUT_SECONDS
    catalogue_seconds = 600               # SYNC_CATALOGUE_SECONDS (how often the catalogue is fetched)

    [[clerks]]                            # one table per clerk who may log in (see postal/shift.py)
    username = "tam"
    name = "Hoàng Minh Tâm"               # printed on receipts and manifests
    password_hash = "scrypt:32768:8:1$…"  # python -m postal --hash-password

An environment variable wins over the file, so one file can serve several desks. The clerks
are in the file only.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from queue_server import scans
from queue_server.sync.protocol import MAX_BATCH

# The server's default limit for one scan (ATTACHMENT_MAX_MB).
ATTACHMENT_MAX_BYTES = scans.ATTACHMENT_MAX_MB * 2**20


@dataclass(frozen=True)
class Clerk:
    """A clerk who may log in at this PC (a shift: postal/shift.py)."""

    username: str
    name: str
    password_hash: str

    def __repr__(self) -> str:  # never the hash in a log or a traceback
        return f"Clerk({self.username!r}, {self.name!r})"


# What werkzeug.security.generate_password_hash makes: "<method>$<salt>$<hash>".
HASH_METHODS = ("scrypt:", "pbkdf2:")


@dataclass(frozen=True)
class Settings:
    server_url: str
    device_token: str
    db_path: Path
    printer: str
    port: int = 5100
    batch_size: int = 50
    sync_interval: float = 15.0
    backoff_min: float = 2.0
    backoff_max: float = 120.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    catalogue_seconds: float = 600.0
    attachment_max_bytes: int = ATTACHMENT_MAX_BYTES
    clerks: tuple[Clerk, ...] = ()


# field: (TOML section, TOML key, environment variable, type)
FIELDS = {
    "server_url": ("server", "url", "SERVER_URL", str),
    "device_token": ("server", "token", "DEVICE_TOKEN", str),
    "db_path": ("client", "db", "POSTAL_DB", Path),
    "printer": ("client", "printer", "PRINTER", str),
    "port": ("client", "port", "POSTAL_PORT", int),
    "batch_size": ("sync", "batch_size", "SYNC_BATCH_SIZE", int),
    "sync_interval": ("sync", "interval_seconds", "SYNC_INTERVAL_SECONDS", float),
    "backoff_min": ("sync", "backoff_min_seconds", "SYNC_BACKOFF_MIN_SECONDS", float),
    "backoff_max": ("sync", "backoff_max_seconds", "SYNC_BACKOFF_MAX_SECONDS", float),
    "connect_timeout": ("sync", "connect_timeout_seconds", "SYNC_CONNECT_TIMEOUT_SECONDS", float),
    "read_timeout": ("sync", "read_timeout_seconds", "SYNC_READ_TIMEOUT_SECONDS", float),
    "catalogue_seconds": ("sync", "catalogue_seconds", "SYNC_CATALOGUE_SECONDS", float),
}


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the setting."""


def load(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the TOML file (if any), let the environment override it, and check the result."""
    document: dict = {}
    if path is not None:
        try:
            document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(f"cannot read {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path} is not valid TOML: {error}") from None
    values: dict = {}
    for name, (section, key, variable, kind) in FIELDS.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            raw = document.get(section, {}).get(key)
        if raw is None:
            continue
        try:
            values[name] = kind(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{variable} ([{section}] {key}) must be a {kind.__name__}") from None
    for name in ("server_url", "device_token"):
        if not values.get(name):
            section, key, variable, _ = FIELDS[name]
            raise SettingsError(f"set {variable} or [{section}] {key}")
    values["clerks"] = _clerks(document.get("clerks", []))
    values["server_url"] = values["server_url"].rstrip("/")
    values.setdefault("db_path", Path("instance") / "postal.sqlite3")
    values.setdefault("printer", f"sim://{Path(values['db_path']).resolve().parent / 'postal-printer'}")
    settings = Settings(**values)
    if not 1 <= settings.batch_size <= MAX_BATCH:
        raise SettingsError(f"SYNC_BATCH_SIZE must be 1 to {MAX_BATCH}")
    if not 0 < settings.backoff_min <= settings.backoff_max:
        raise SettingsError("SYNC_BACKOFF_MIN_SECONDS must be above 0 and at most SYNC_BACKOFF_MAX_SECONDS")
    if not 1 <= settings.port <= 65535:
        raise SettingsError("POSTAL_PORT must be a TCP port (1-65535)")
    return settings


def _clerks(tables) -> tuple[Clerk, ...]:
    """The ``[[clerks]]`` tables; each needs a username, a name and a password hash."""
    if not isinstance(tables, list):
        raise SettingsError("[[clerks]] must be a list of tables (username, name, password_hash)")
    clerks: list[Clerk] = []
    for number, table in enumerate(tables, 1):
        fields = {key: str(table.get(key) or "").strip() for key in ("username", "name", "password_hash")}
        if not fields["username"] or not fields["name"]:
            raise SettingsError(f"clerk {number} in [[clerks]] needs a username and a name")
        if not fields["password_hash"].startswith(HASH_METHODS) or fields["password_hash"].count("$") != 2:
            raise SettingsError(
                f"clerk {fields['username']!r}: password_hash must be a hash made by"
                " python -m postal --hash-password, never the password itself"
            )
        if any(clerk.username == fields["username"] for clerk in clerks):
            raise SettingsError(f"clerk {fields['username']!r} is listed twice in [[clerks]]")
        clerks.append(Clerk(**fields))
    return tuple(clerks)
