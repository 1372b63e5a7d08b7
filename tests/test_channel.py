import socket
import threading
import time
from multiprocessing.connection import Connection

from pipelines.pool.channel import Channel


def _pair() -> tuple[Channel, Connection]:
    parent, child = socket.socketpair()
    return Channel(parent), Connection(child.detach())


def _receive_all(channel: Channel, count: int) -> tuple[list[bytes], bool]:
    got: list[bytes] = []
    closed = False
    deadline = time.monotonic() + 10
    while len(got) < count and not closed and time.monotonic() < deadline:
        messages, closed = channel.receive()
        got += messages
        time.sleep(0.001)
    return got, closed


def test_messages_larger_than_the_socket_buffer_go_out_whole_and_in_order():
    channel, worker = _pair()
    sent = [("page", b"a" * (3 * 2**20)), ("page", b"b" * 10), ("page", b"c" * 2**20)]
    received: list[object] = []
    reader = threading.Thread(target=lambda: received.extend(worker.recv() for _ in sent))
    reader.start()
    for message in sent:
        channel.put(message)
    while not channel.flush():  # the socket takes a part at a time
        time.sleep(0.001)
    reader.join(10)
    assert received == sent


def test_only_complete_frames_come_out_and_the_rest_waits_for_its_bytes():
    channel, worker = _pair()
    for number in range(50):
        worker.send_bytes(b"%d" % number)
    frame = b"x" * 100_000
    raw = socket.socket(fileno=worker.fileno())
    raw.sendall(len(frame).to_bytes(4, "big") + frame[:1000])  # a frame cut short
    got, closed = _receive_all(channel, 50)
    assert got == [b"%d" % n for n in range(50)] and not closed
    assert channel.receive() == ([], False)
    raw.sendall(frame[1000:])
    raw.detach()
    got, closed = _receive_all(channel, 1)
    assert got == [frame]
    worker.close()
    assert _receive_all(channel, 1) == ([], True)
