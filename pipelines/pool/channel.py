"""The parent's end of a worker's socket, framed as ``multiprocessing.Connection`` frames."""

from __future__ import annotations

import pickle
import socket
import struct

# multiprocessing.Connection's framing: a signed 4-byte big-endian length, or -1 and an
# unsigned 8-byte length for messages of 2 GiB and more.
_SIZE = struct.Struct("!i")
_HUGE_SIZE = struct.Struct("!Q")
_READ_CHUNK = 1 << 20


class Channel:
    """The parent's end of a worker's socket: non-blocking, never waits for the worker."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self._inbox = bytearray()
        self._outbox = bytearray()

    def fileno(self) -> int:
        return self.sock.fileno()

    def put(self, message: object) -> None:
        """Queue one message (pickling errors are raised here, before anything is queued)."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) < 2**31:
            self._outbox += _SIZE.pack(len(data))
        else:
            self._outbox += _SIZE.pack(-1) + _HUGE_SIZE.pack(len(data))
        self._outbox += data

    def flush(self) -> bool:
        """Write what the socket takes now; True once everything queued is sent."""
        while self._outbox:
            try:
                sent = self.sock.send(self._outbox)
            except BlockingIOError:
                return False
            del self._outbox[:sent]
        return True

    def receive(self) -> tuple[list[bytes], bool]:
        """The complete messages read so far, and whether the worker's end is closed."""
        closed = False
        while True:
            try:
                data = self.sock.recv(_READ_CHUNK)
            except BlockingIOError:
                break
            except OSError:
                closed = True
                break
            if not data:
                closed = True
                break
            self._inbox += data
        messages = []
        while len(self._inbox) >= _SIZE.size:
            (size,) = _SIZE.unpack_from(self._inbox)
            start = _SIZE.size
            if size == -1:
                if len(self._inbox) < start + _HUGE_SIZE.size:
                    break
                (size,) = _HUGE_SIZE.unpack_from(self._inbox, start)
                start += _HUGE_SIZE.size
            if len(self._inbox) < start + size:
                break
            messages.append(bytes(self._inbox[start : start + size]))
            del self._inbox[: start + size]
        return messages, closed

    def close(self) -> None:
        self.sock.close()
