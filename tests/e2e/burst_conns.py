#!/usr/bin/env python3
"""burst_conns.py SOCK N LINES BYTES - N connections of this account enter
the chat room on SOCK (names burstN), then each writes LINES lines of
BYTES bytes in one go, all at once, reading all the while what the room
sends them; prints "sent" once every connection has been sent every other
one's lines (or "stalled" after 60 s).  For the test that one account's
burst cannot cut off the readers who keep up."""
import select
import socket
import sys
import time


def enter(path, i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(b"burst%d\n" % i)
    data = b""
    while b"\nok name " not in b"\n" + data:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection %d closed before its name was taken" % i)
        data += chunk
    s.setblocking(False)
    return s


def main():
    path, n, lines, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    conns = [enter(path, i) for i in range(n)]
    burst = b"".join(b"%d " % j + b"x" * (size - 8) + b"\n" for j in range(lines))
    unsent = {s: burst for s in conns}
    tail = {s: b"" for s in conns}  # a line begun
    got = {s: 0 for s in conns}     # the others' lines received
    want = (n - 1) * lines
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not unsent and all(v >= want for v in got.values()):
            print("sent", flush=True)
            return
        readable, writable, _ = select.select(conns, list(unsent), [], 1)
        for s in readable:
            try:
                data = s.recv(1 << 20)
            except (BlockingIOError, ConnectionError):
                continue
            if not data:
                sys.exit("the room closed a connection")
            parts = (tail[s] + data).split(b"\n")
            tail[s] = parts.pop()
            got[s] += sum(p.startswith(b"event ") and b" msg burst" in p for p in parts)
        for s in writable:
            try:
                unsent[s] = unsent[s][s.send(unsent[s]):]
            except BlockingIOError:
                continue
            if not unsent[s]:
                del unsent[s]
    print("stalled: %d of %d connections still sending, received %s of %d"
          % (len(unsent), n, sorted(got.values()), want), flush=True)


main()
