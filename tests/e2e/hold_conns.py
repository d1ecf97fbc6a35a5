#!/usr/bin/env python3
"""hold_conns.py SOCK N - open N connections to the chat room on SOCK, one
after another; print the first line each gets from the server (or why it
got none), then "held"; keep them all open until killed.  For the tests
of one account trying to fill the room (run it under setpriv)."""
import socket
import sys
import time


def first_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            return data.decode(errors="replace") or "(closed)"
        data += chunk
    return data.split(b"\n")[0].decode(errors="replace")


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    held = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        try:
            s.connect(path)
            print(first_line(s), flush=True)
        except OSError as e:
            print("(failed: %s)" % e, flush=True)
        held.append(s)
    print("held", flush=True)
    while True:
        time.sleep(3600)


main()
