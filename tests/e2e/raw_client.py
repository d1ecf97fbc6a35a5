# raw_client.py SOCKET LINE... - a room client that speaks the protocol by
# hand (no pmon at all): sends each LINE after the hello, then /stats, and
# prints what came back until the answer to /stats (the room has answered
# the rest by then; 30 s at most), that answer left out.  Passed to
# python3 -c by its callers (chat_coord.bats, hidepid_room.bash), which
# run it as other accounts that may not read the checkout.
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(30)
got = s.recv(4096)
s.sendall("".join(l + "\n" for l in sys.argv[2:] + ["/stats"]).encode())
end = time.time() + 30
while time.time() < end and b"\nok stats " not in b"\n" + got:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    if not b:
        break
    got += b
out = got.decode("utf-8", "replace")
sys.stdout.write("".join(l for l in out.splitlines(True) if not l.startswith("ok stats ")))
