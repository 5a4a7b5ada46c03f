"""Entry point for gunicorn (``gunicorn -c gunicorn.conf.py wsgi:app``) and the flask CLI.

Under gunicorn's gevent worker the standard library is already monkey-patched, and Socket.IO
must then run in gevent mode; anywhere else (the CLI, tests) it runs in threading mode. The
mode is chosen here explicitly, never auto-detected (see TECH-NOTES).
"""

import os

from gevent import monkey

if monkey.is_module_patched("socket"):
    os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"

from queue_server.app import create_app  # noqa: E402

app = create_app()
