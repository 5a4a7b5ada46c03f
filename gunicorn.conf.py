"""gunicorn settings; every value can be overridden on the command line or by environment."""

import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
# One gevent worker holds thousands of WebSockets; run more workers (or more gunicorns behind
# nginx with sticky sessions) together with SOCKETIO_MESSAGE_QUEUE=redis://...
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "4000"))
timeout = 60
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None
# The request's path without its query string, and no referrer: a search (?q=) or a data
# subject's export (?id_number=) carries ID numbers and phones, which never go to a log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Several gunicorns run side by side in tests and on one host; the shared default control
# socket path would make them fight over it.
control_socket_disable = True


def post_worker_init(worker):
    """Keep the objects of the loaded application out of the garbage collector's full passes.

    A worker holding thousands of WebSockets runs every request and every frame on one thread;
    a full collection walks every object the process has (the application, SQLAlchemy's
    mappers, the sockets) and holds that thread for tens of milliseconds, under load several
    times a minute. Objects that exist once the application is loaded live as long as the
    worker, so they are frozen out of the walk (``gc.freeze``); what requests create is still
    collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()
