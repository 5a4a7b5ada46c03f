"""One WebSocket frame per event, written to each socket of the room by the process holding them.

python-socketio encodes an event for a room once, then hands it to each socket on its own: the
Engine.IO socket queues it, that socket's writer greenlet wakes, encodes it again, and
simple-websocket has wsproto build a frame for it and writes it. A thousand screens in a site's
room made every call a thousand queue hand-overs, greenlet switches and frame builds in the
worker: about 50 µs of its CPU per socket and frame, most of what a call cost (``docs/benchmarks.md``,
"Live fan-out (issue 21)"). Here, in gevent mode:

- :class:`FanoutManager` (the client manager, ``live/queue.py``) builds the event's frame
  bytes once and, for each socket of the room that is an idle WebSocket, writes them with one
  non-blocking ``os.write`` (gevent's sockets are non-blocking underneath);
- a socket that is not idle (its Engine.IO queue holds packets, or its writer is in the middle
  of a write), not upgraded to WebSocket, or not a :class:`SharedFrameWebSocket` gets the packet
  the usual way, through its queue, after what is already there: the order per socket holds;
- a socket whose kernel buffer is full (a slow or stalled screen) takes what fits; the rest of
  the frame goes on its queue, ahead of anything later, and its own writer greenlet waits for it.
  The others are not held up: a write never blocks the loop. A dead socket's write fails and is
  skipped; its reader closes it as before.

The frames are the ones simple-websocket would have sent: a text frame, FIN set, unmasked (a
server's). They are shared only because no connection compresses them: permessage-deflate keeps
a compression state per connection, so a compressed frame cannot be shared.
:class:`SharedFrameWebSocket` therefore does not negotiate it (browsers offer it); screens read
the same text as before, uncompressed on the wire (a call's frame is 0.7-1.2 KB).

python-socketio and python-engineio have no public hook for this beyond the client manager. It
relies on: Engine.IO's server choosing its WebSocket class from ``eio._async["websocket"]`` and
calling it with the engine.io socket's bound ``_websocket_handler``; that socket's ``queue``,
``upgraded``, ``closing``, ``closed`` and ``send``; and simple-websocket's
``Server.sock`` and ``connected``. If one of these changes, the frames go the upstream way again
(or fail loudly), and ``tests/test_fanout.py`` fails: a browser's compression offer is taken
again (``test_a_screen_that_offers_compression_gets_the_same_plain_frames``), or no write is
ever partial (``test_a_stalled_screen_holds_up_no_other_and_later_reads_everything_in_order``
waits for the "is behind" line that only :meth:`SharedFrameWebSocket.write_shared` logs).
"""

from __future__ import annotations

import logging
import os
import struct

import socketio
from engineio import packet as eio_packet
from socketio import packet

log = logging.getLogger(__name__)

# The frame header of a text message in one frame (FIN, opcode 1), unmasked.
TEXT_FIN = 0x81


def text_frame(text: str) -> bytes:
    """``text`` as one unmasked WebSocket text frame (RFC 6455 section 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((TEXT_FIN, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", TEXT_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", TEXT_FIN, 127, size)
    return header + payload


class FrameRest(bytes):
    """What of a frame the kernel did not take at once: written as it is, by the socket's writer."""


class _Rest(eio_packet.Packet):
    """An Engine.IO packet that stands for the rest of a frame on a socket's queue."""

    def __init__(self, rest: FrameRest):
        super().__init__(eio_packet.MESSAGE, data="(the rest of a shared frame)")
        self.rest = rest

    def encode(self, b64=False):
        return self.rest


def _gevent_websocket_base() -> type:
    """engineio's WebSocket class for gevent mode: simple-websocket's, unless gevent-websocket is
    installed (then :func:`install` leaves the server as it is)."""
    from engineio.async_drivers import gevent

    return gevent.WebSocketWSGI


class SharedFrameWebSocket(_gevent_websocket_base()):  # type: ignore[misc]
    """engineio's WebSocket on simple-websocket that :class:`FanoutManager` may write shared
    frames to: known by its Engine.IO session id while it is open, it does not negotiate
    compression and notes when its writer greenlet is writing."""

    def __init__(self, handler, server):
        super().__init__(handler, server)
        self.engine_socket = getattr(handler, "__self__", None)  # the handler is its bound method
        self.sid = getattr(self.engine_socket, "sid", None)
        self.writing = False
        self.behind = False
        self.fd = None  # see _descriptor

    def __call__(self, environ, start_response):
        environ = {k: v for k, v in environ.items() if k != "HTTP_SEC_WEBSOCKET_EXTENSIONS"}
        if self.sid is not None:
            _sockets[self.sid] = self
        try:
            return super().__call__(environ, start_response)
        finally:
            if _sockets.get(self.sid) is self:
                del _sockets[self.sid]

    def send(self, message):
        """The writer greenlet's write: the rest of a shared frame as it is, all of it (upstream
        writes once, which may take part of it); anything else as upstream does."""
        self.writing = True
        try:
            if isinstance(message, FrameRest):
                self.ws.sock.sendall(message)
                self.behind = False
            else:
                super().send(message)
        finally:
            self.writing = False

    def _descriptor(self) -> int:
        """The connection's file descriptor, -1 if writing to it could block the process (or it
        is not open yet); known once, as it is asked for every frame."""
        if self.fd is None:
            websocket = getattr(self, "ws", None)
            if websocket is None or not websocket.connected:
                return -1
            fd = websocket.sock.fileno()
            self.fd = -1 if os.get_blocking(fd) else fd
        return self.fd

    def write_shared(self, frame: bytes) -> bool:
        """Write ``frame`` now, without waiting, if nothing is being or waiting to be written to
        this socket: True if it is written (what did not fit is queued first); False if the
        caller must queue it the usual way.

        Done for every socket of a room per event, so it checks no more than that. Unlike
        Engine.IO's ``Socket.send`` it does not look for a missed pong: Engine.IO's service task
        checks every socket within ``ping_timeout`` anyway."""
        fd = self.fd if self.fd is not None else self._descriptor()
        engine_socket = self.engine_socket
        if (
            fd < 0
            or self.writing
            or engine_socket.closing
            or engine_socket.closed
            or not engine_socket.upgraded
            or engine_socket.queue.qsize()
            or not self.ws.connected
        ):
            return False
        try:
            written = os.write(fd, frame)
        except BlockingIOError:
            written = 0
        except OSError:  # the screen is gone; its reader ends the socket
            return True
        if written < len(frame):
            if not self.behind:
                self.behind = True
                log.info("screen %s is behind: %d bytes wait for it", self.sid, len(frame) - written)
            engine_socket.send(_Rest(FrameRest(frame[written:])))
        return True


# Engine.IO session id -> its WebSocket, for this process's sockets.
_sockets: dict[str, SharedFrameWebSocket] = {}


def install(eio) -> bool:
    """Make the Engine.IO server ``eio`` open its WebSockets as :class:`SharedFrameWebSocket`;
    False (nothing changed) unless it runs in gevent mode on simple-websocket."""
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    if eio.async_mode != "gevent" or not issubclass(_gevent_websocket_base(), SimpleWebSocketWSGI):
        return False
    eio._async = {**eio._async, "websocket": SharedFrameWebSocket}
    return True


class FanoutManager(socketio.Manager):
    """python-socketio's client manager, whose emit writes one shared frame to each idle
    WebSocket of the room (see the module's docstring) and queues the packet, encoded once, for
    the other sockets, as upstream does.

    ``ResyncingRedisManager`` (``live/queue.py``) puts it under python-socketio's
    ``RedisManager``, so that the events that come through Redis go through it too."""

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if callback or namespace not in self.rooms:  # an acknowledgement per socket: upstream's
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback)
        if isinstance(room, str) and not self.rooms[namespace].get(room):
            # Nobody here (the room of a ticket no phone follows, staff with no page open, or
            # sockets held by another process): every event reaches every process.
            return None
        if isinstance(data, tuple):
            data = list(data)
        elif data is not None:
            data = [data]
        else:
            data = []
        if not isinstance(skip_sid, list):
            skip_sid = [skip_sid]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *data]).encode()
        # Binary attachments make several Engine.IO packets: those are queued as upstream does.
        encoded = encoded if isinstance(encoded, list) else [encoded]
        packets = [eio_packet.Packet(eio_packet.MESSAGE, part) for part in encoded]
        frame = text_frame(packets[0].encode()) if len(packets) == 1 and _sockets else None
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip_sid:
                continue
            if frame is not None and (websocket := _sockets.get(eio_sid)) is not None:
                if websocket.write_shared(frame):
                    continue
            for message in packets:
                self.server.eio.send_packet(eio_sid, message)
