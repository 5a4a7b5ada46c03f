"""``python -m postal --config postal.toml``: the clerk's pages on 127.0.0.1 and the sync loop.

Settings come from the file and the environment (see :mod:`postal.config`). The pages keep
working when the server is unreachable; the loop sends what was recorded once it answers.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
import threading
from pathlib import Path

from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from . import config
from .app import create_app
from .store import Store
from .sync import Syncer, SyncLoop

log = logging.getLogger("postal")
# A clerk's password: the PC may be shared with the post office's other work.
MIN_PASSWORD = 8


def build(settings: config.Settings) -> tuple[Store, SyncLoop]:
    store = Store(settings.db_path)
    syncer = Syncer(
        store,
        settings.server_url,
        settings.device_token,
        batch_size=settings.batch_size,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        catalogue_seconds=settings.catalogue_seconds,
    )
    loop = SyncLoop(syncer, settings.sync_interval, settings.backoff_min, settings.backoff_max)
    return store, loop


def hash_password() -> str:
    """The ``password_hash`` of a clerk's password, asked twice without echo (postal/shift.py)."""
    password = getpass.getpass("Mật khẩu của nhân viên: ")
    if len(password) < MIN_PASSWORD:
        sys.exit(f"postal: the password must have at least {MIN_PASSWORD} characters")
    if getpass.getpass("Nhập lại mật khẩu: ") != password:
        sys.exit("postal: the two passwords differ")
    return generate_password_hash(password)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m postal", description="Post-office intake client")
    parser.add_argument("--config", type=Path, help="TOML settings file (environment variables override it)")
    parser.add_argument(
        "--hash-password",
        action="store_true",
        help="ask for a clerk's password and print the password_hash for [[clerks]] in the settings",
    )
    args = parser.parse_args(argv)
    if args.hash_password:
        print(hash_password())
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = config.load(args.config)
    except config.SettingsError as error:
        sys.exit(f"postal: {error}")
    store, loop = build(settings)
    app = create_app(settings, store, loop)
    server = make_server("127.0.0.1", settings.port, app, threaded=True)

    def shut_down(signum, frame):
        # serve_forever() must be stopped from another thread than the one it blocks.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    loop.start()
    log.info(
        "pages on http://127.0.0.1:%d/ ; server %s ; database %s",
        settings.port,
        settings.server_url,
        settings.db_path,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        store.close()


if __name__ == "__main__":
    main()
