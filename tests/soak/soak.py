#!/usr/bin/env python3
"""soak.py - `make soak`: a room and zombie-making parents under random load
and random faults for a set time, then the invariants of issue 13, checked
and printed.

The room: `pmon chatd -S SOCK --log LOG --foreground` in a private
temporary directory, with clients joining, leaving, sending, flooding,
stalling, being killed (their socket closed at once, which is what the
server sees of a killed client; and real `pmon chat --send` processes
killed with SIGKILL), lurking without a name and colliding on names, while
the server is killed with SIGKILL and restarted, or stopped with SIGSTOP
and continued, at random moments (in the first 70% of the run; the last
30% keeps one server, whose descriptors and memory are compared with its
own idle level at the end).

The parents: tests/fixtures/reap-parent of every kind (event loops in
epoll_wait, epoll_pwait, sigtimedwait, semtimedop, poll, and read, pause,
nanosleep, a two-thread parent), each making a zombie every second or so
(-k) and logging every return of its blocking call, while `pmon reap`
injects wait4 into them and the driver sends them queued real-time
signals.

Acknowledgement: the room does not acknowledge a message (pmon(1), THE
CHAT PROTOCOL: "Messages and /me are not acknowledged"), and an event goes
to everyone but its sender.  The server handles one client's lines in
order and logs an event before it handles the next line, so a message is
acknowledged when the answer to a later request of the same connection
arrives: each client follows its messages with /who, and `ok who`
acknowledges every message sent before it.  For `pmon chat --send`, exit
status 0 is its acknowledgement.

Invariants (each violation printed, exit 1):
  log       every acknowledged message is in the log exactly once; no
            message is in it twice or out of its sender's order; nothing
            in it was never sent
  history   what a newcomer is replayed is the log's last events before
            its join (across restarts: a new server reloads the log)
  delivery  every client that kept reading received, after its join,
            exactly the room's events (the log's, less its own) in order,
            until it left (all of them) or the server died (a prefix)
  names     a name taken is refused to the second asker; no name held twice
  disconn   no client that kept reading was disconnected while its server
            lived
  idle      the last server's descriptors equal its idle count and its RSS
            is within IDLE_RSS_SLACK_KB of its idle RSS once the clients left
  parents   no parent logged an error return it would not have seen
            without pmon (reap-parent's LEAK lines), every real-time signal
            sent was counted, and every `pmon reap` reaped what it was given

Usage: soak.py --pmon PATH --fixtures DIR [--seconds N] [--seed N] [--verbose]
"""
import argparse
import ctypes
import errno
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time

# Allowed growth of the server's RSS between its idle level and the end:
# the history keeps the last 200 events (up to 4 KiB each), and the C
# library may keep freed pages; a leak of 100 bytes per message would
# pass 1 MiB within 10,000 messages, and a soak sends far more.
IDLE_RSS_SLACK_KB = 1024
NAME_TIMEOUT_S = 10      # chatd's default --name-timeout
REPLAYED = 20            # events replayed to a newcomer (CHAT_REPLAY)
CHAOS_SHARE = 0.7        # server faults only in this first share of the run
PARENT_KINDS = ["epoll", "epoll_pwait", "sigtimedwait", "semtimedop", "poll",
                "read", "pause", "nanosleep", "threads"]

violations = {}


def violation(kind, text):
    violations.setdefault(kind, []).append(text)


def now():
    return time.monotonic()


def log(msg):
    print(msg, flush=True)


# ---- the server -------------------------------------------------------------

class Server:
    """chatd in the foreground (its pid is ours to signal and wait for);
    stdin a pipe nobody writes, so that it reads no announcements."""

    def __init__(self, pmon, sock, logpath, errpath):
        self.pmon, self.sock, self.logpath = pmon, sock, logpath
        self.err = open(errpath, "ab")
        self.proc = None
        self.epoch = 0
        self.stopped = False
        self.epochs = []  # [start_offset, end_offset or None, alive]
        self.idle = None  # (fds, rss_kb) of the current server, just started
        self.kills = self.stops = 0

    def log_size(self):
        try:
            return os.path.getsize(self.logpath)
        except FileNotFoundError:
            return 0

    def start(self):
        self.epoch += 1
        self.proc = subprocess.Popen(
            [self.pmon, "chatd", "-S", self.sock, "--log", self.logpath,
             "--foreground"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = now() + 60
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(10)
                s.connect(self.sock)
                hello = s.recv(100)
                s.close()
                if hello.startswith(b"hello "):
                    break
            except OSError:
                s.close()
            if self.proc.poll() is not None:
                raise SystemExit("soak: chatd exited with status %d at start"
                                 % self.proc.returncode)
            if now() > deadline:
                raise SystemExit("soak: chatd did not answer within 60 s")
            time.sleep(0.05)
        time.sleep(0.2)  # its side of the probe connection closed
        self.epochs.append([self.log_size(), None])
        self.idle = self.usage()

    def usage(self):
        pid = self.proc.pid
        fds = len(os.listdir("/proc/%d/fd" % pid))
        rss = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return fds, rss

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.stopped:
            self.cont()
        self.proc.kill()
        self.proc.wait()
        self.epochs[-1][1] = self.log_size()
        self.kills += 1

    def stop(self):
        self.proc.send_signal(signal.SIGSTOP)
        self.stopped = True
        self.stops += 1

    def cont(self):
        self.proc.send_signal(signal.SIGCONT)
        self.stopped = False

    def terminate(self):
        if self.stopped:
            self.cont()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            violation("idle", "chatd did not end within 30 s of SIGTERM")
            self.proc.kill()
            self.proc.wait()
        self.epochs[-1][1] = self.log_size()


# ---- clients ------------------------------------------------------------------

class Client:
    """One connection, spoken to in the protocol's lines, never blocking."""

    def __init__(self, soak, cid, role, name, lifetime):
        self.soak, self.cid, self.role = soak, cid, role
        self.want, self.name = name, None
        self.epoch = soak.server.epoch
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.inbuf = b""
        self.outbuf = b""
        self.live = False        # past "ok history"
        self.received = []       # live event lines
        self.history = []        # the replayed ones, without "history "
        self.seq = 0             # messages sent
        self.who_marks = []      # seq at each /who not yet answered
        self.acked = 0           # messages acknowledged
        self.end_at = now() + lifetime
        self.next_send = now() + random.uniform(0.05, 0.5)
        self.reading = True
        self.state = "open"      # open, quitting, bye, killed, eof, failed
        self.errors = []
        self.taken_refused = 0
        self.eof_while_alive = False
        try:
            self.sock.connect(soak.sock)
        except OSError as e:
            self.state = "failed"
            self.errors.append("connect: %s" % e)
            return
        soak.sel.register(self.sock, selectors.EVENT_READ, self)
        if role != "lurker":
            self.send_line(name)

    # -- output
    def send_line(self, line):
        self.outbuf += line.encode() + b"\n"
        self.flush()

    def flush(self):
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except BlockingIOError:
                break
            except OSError:
                self.outbuf = b""
                return
            self.outbuf = self.outbuf[n:]
        self.update_events()

    def update_events(self):
        if self.state in ("killed", "eof", "failed"):
            return
        ev = (selectors.EVENT_READ if self.reading else 0) | \
             (selectors.EVENT_WRITE if self.outbuf else 0)
        try:
            if ev:
                self.soak.sel.modify(self.sock, ev, self)
            else:
                self.soak.sel.unregister(self.sock)
        except KeyError:
            if ev:
                self.soak.sel.register(self.sock, ev, self)

    def send_message(self, padlen):
        self.seq += 1
        text = "m%d.%d %s" % (self.cid, self.seq,
                              "".join(random.choices("abcdefghij", k=padlen)))
        self.soak.sent[self.cid] = self.seq
        self.send_line(text)

    def ask_ack(self):
        self.who_marks.append(self.seq)
        self.send_line("/who")

    # -- input
    def on_readable(self):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # a reset: the server died with our bytes unread
        if not data:
            self.closed_by_peer()
            return
        self.inbuf += data
        *lines, self.inbuf = self.inbuf.split(b"\n")
        for raw in lines:
            self.on_line(raw.decode("utf-8", "replace"))

    def on_line(self, line):
        if line.startswith("event "):
            if self.live:
                self.received.append(line)
        elif line.startswith("history event "):
            self.history.append(line[8:])
        elif line.startswith("ok name "):
            self.name = line[8:]
            self.soak.names_ok.append((self.epoch, self.name, self.cid))
        elif line.startswith("ok history"):
            self.live = True
        elif line.startswith("ok who"):
            if self.who_marks:
                self.acked = self.who_marks.pop(0)
        elif line.startswith("ok bye"):
            self.state = "bye"
        elif line.startswith("error nametaken"):
            self.taken_refused += 1
            self.want = "%s-%d" % (self.want, self.cid)
            self.send_line(self.want)
        elif line.startswith("error "):
            self.errors.append(line[:120])

    def closed_by_peer(self):
        server = self.soak.server
        if self.state not in ("bye",) and self.epoch == server.epoch and \
                server.alive():
            self.eof_while_alive = True
        if self.state != "bye":
            self.state = "eof"
        self.close()

    def close(self):
        try:
            self.soak.sel.unregister(self.sock)
        except KeyError:
            pass
        self.sock.close()

    def kill(self):
        """What the server sees of a client killed with SIGKILL."""
        self.state = "killed"
        self.close()

    # -- its life
    def tick(self, t):
        if self.state != "open":
            return
        if t >= self.end_at:
            if self.role in ("talker", "flooder") and random.random() < 0.8:
                self.state = "quitting"
                self.send_line("/quit done")
            else:
                self.kill()
            return
        if self.name is None or t < self.next_send:
            return
        if self.role == "talker":
            pad = random.choice([0, 10, 60, 200]) if random.random() < 0.97 \
                else random.randint(1000, 4000)
            self.send_message(pad)
            if random.random() < 0.4:
                self.ask_ack()
            self.next_send = t + random.uniform(0.05, 0.6)
        elif self.role == "flooder":
            for _ in range(random.randint(20, 150)):
                self.send_message(random.randint(0, 80))
            self.ask_ack()
            self.next_send = t + random.uniform(1, 4)
        elif self.role == "staller":
            for _ in range(3):
                self.send_message(20)
            self.reading = False  # and never again
            self.update_events()
            self.next_send = float("inf")


# ---- parents --------------------------------------------------------------------

class Parent:
    def __init__(self, soak, kind):
        self.kind = kind
        args = [os.path.join(soak.fixtures, "reap-parent"), "-n", "2", "-k",
                str(random.randint(500, 2000))]
        self.fifo = None
        if kind in ("read", "threads"):
            self.fifo = os.path.join(soak.dir, "fifo-%s" % kind)
            os.mkfifo(self.fifo, 0o600)
            args += ["-f", self.fifo]
        self.logpath = os.path.join(soak.dir, "parent-%s.log" % kind)
        self.out = open(self.logpath, "wb")
        self.proc = subprocess.Popen(args + [kind], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        self.rt_sent = 0
        self.reaping = None      # the pmon reap running on it
        self.reaped = set()
        self.seen = 0            # bytes of its log read

    def wait_ready(self):
        """Until its handlers are in place (a real-time signal before
        then would end it: their default action)."""
        deadline = now() + 60
        while "ready" not in self.lines():
            if self.proc.poll() is not None or now() > deadline:
                raise SystemExit("soak: reap-parent %s did not start: %s" %
                                 (self.kind, self.lines()[-3:]))
            time.sleep(0.05)

    def zombies(self):
        with open(self.logpath, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        return [int(l.split()[1]) for l in lines if l.startswith("child ")]

    def lines(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace").splitlines()


# ---- the soak ---------------------------------------------------------------------

class Soak:
    def __init__(self, a):
        self.a = a
        self.pmon = os.path.abspath(a.pmon)
        with open(self.pmon, "rb") as f:
            self.sanitized = b"__asan_init" in f.read()
        self.fixtures = os.path.abspath(a.fixtures)
        self.dir = tempfile.mkdtemp(prefix="pmon-soak.")
        os.chmod(self.dir, 0o700)
        self.sock = os.path.join(self.dir, "room", "chat.sock")
        os.mkdir(os.path.join(self.dir, "room"), 0o700)
        # Not in the room's directory, which holds only sockets.
        self.logpath = os.path.join(self.dir, "chat.log")
        self.server = Server(self.pmon, self.sock, self.logpath,
                             os.path.join(self.dir, "chatd.err"))
        self.sel = selectors.DefaultSelector()
        self.clients = []
        self.senders = []        # (proc, cid, epoch)
        self.sent = {}           # cid -> last seq sent
        self.acked = {}          # cid -> seq acknowledged (from clients)
        self.send_acked = set()  # cids of pmon chat --send that exited 0
        self.names_ok = []
        self.collisions = []     # pairs of clients asking one name
        self.parents = []
        self.dead_parents = []
        self.reaps = {"runs": 0, "reaped": 0, "gave_up": 0}
        self.next_cid = 1
        self.load = []

    def cid(self):
        self.next_cid += 1
        return self.next_cid - 1

    # -- load
    def spawn(self, t):
        live = [c for c in self.clients if c.state in ("open", "quitting")]
        if len(live) >= self.target or not self.server.alive():
            return
        r = random.random()
        scale = self.a.seconds / 600
        life = random.uniform(2, 20 + 40 * scale)
        if r < 0.50:
            self.new_client("talker", life)
        elif r < 0.62:
            self.new_client("flooder", life)
        elif r < 0.70:
            self.new_client("staller", random.uniform(3, 15))
        elif r < 0.74:
            self.new_client("lurker", random.uniform(1, 15))
        elif r < 0.86:
            name = "dup%d" % self.cid()
            pair = [self.new_client("talker", life, name),
                    self.new_client("talker", life, name)]
            self.collisions.append(pair)
        elif len([s for s in self.senders if s[0].poll() is None]) < 3:
            cid = self.cid()
            p = subprocess.Popen(
                [self.pmon, "chat", "-S", self.sock, "--no-start", "-n",
                 "snd%d" % cid, "--send", "m%d.1 sent by pmon chat" % cid],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self.sent[cid] = 1
            self.senders.append([p, cid, self.server.epoch,
                                 t + random.uniform(0.01, 3), False])

    def new_client(self, role, life, name=None):
        cid = self.cid()
        c = Client(self, cid, role, name or "%s%d" % (role[0], cid), life)
        self.clients.append(c)
        return c

    def tick_senders(self, t):
        for s in self.senders:
            p, cid, epoch, kill_at, killed = s
            if p.poll() is None and t > kill_at and random.random() < 0.3 \
                    and not killed:
                p.kill()          # a client killed with SIGKILL
                s[4] = True

    # -- faults
    def chaos(self, t):
        srv = self.server
        if srv.stopped and t >= self.cont_at:
            srv.cont()
        if t < self.next_fault or t > self.chaos_until or srv.stopped:
            return
        if random.random() < 0.5:
            srv.kill()
            time.sleep(random.uniform(0, 0.5))
            srv.start()
            self.target = random.randint(4, 12)
        else:
            srv.stop()
            self.cont_at = t + random.uniform(0.1, 2.0)
        span = max(self.a.seconds / 40, 2)
        self.next_fault = t + random.uniform(span / 3, span * 1.5)

    # -- parents
    def parent_died(self, p):
        """A parent that ended by itself: say how, and stop using it."""
        rc = p.proc.returncode
        how = "killed by signal %d" % -rc if rc < 0 else "exit %d" % rc
        violation("parents", "%s parent %d died (%s); its log ends: %s" %
                  (p.kind, p.proc.pid, how, p.lines()[-5:]))
        self.parents.remove(p)
        self.dead_parents.append(p)

    def tick_parents(self, t):
        for p in list(self.parents):
            if p.proc.poll() is not None and p.reaping is None:
                self.parent_died(p)
        if not self.parents:
            return
        for p in self.parents:
            r = p.reaping
            if r is not None and r[0].poll() is not None:
                self.reap_result(p, r)
                p.reaping = None
        if t >= self.next_signal:
            p = random.choice(self.parents)
            try:
                os.kill(p.proc.pid, signal.SIGRTMIN)
                p.rt_sent += 1
            except ProcessLookupError:
                pass  # it died: parent_died says so on the next tick
            self.next_signal = t + random.uniform(0.1, 0.6)
        if t >= self.next_reap:
            idle = [p for p in self.parents if p.reaping is None]
            if idle:
                p = random.choice(idle)
                self.start_reap(p)
            self.next_reap = t + random.uniform(0.2, 1.0)

    def start_reap(self, p, whole=None):
        if whole is None:
            whole = random.random() < 0.5
        target = p.proc.pid
        if not whole:
            left = [z for z in p.zombies() if z not in p.reaped]
            if left:
                target = left[-1]
        proc = subprocess.Popen([self.pmon, "reap", "--method", "inject",
                                 str(target)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        p.reaping = (proc, target)
        self.reaps["runs"] += 1

    def reap_result(self, p, r):
        proc, target = r
        out = proc.stdout.read().decode(errors="replace")
        proc.stdout.close()
        bad = False
        for line in out.splitlines():
            if ": reaped by inject" in line:
                p.reaped.add(int(line.split()[0]))
                self.reaps["reaped"] += 1
            elif "holds none; nothing to reap" in line:
                pass  # all reaped already, by an earlier run
            elif "did not stop within" in line and "nothing was changed" \
                    in line:
                # pmon gave up safely on a parent the machine did not
                # schedule in time (--timeout): counted, not a violation.
                self.reaps["gave_up"] += 1
                return
            else:
                bad = True
        if proc.returncode != 0 or bad:
            violation("parents", "pmon reap %d (%s parent %d) exit %d: %s" %
                      (target, p.kind, p.proc.pid, proc.returncode,
                       out.strip()[:300]))

    # -- the run
    def run(self):
        a = self.a
        log("soak: seed %d, %d s, pmon %s, in %s" %
            (a.seed, a.seconds, self.pmon, self.dir))
        self.load.append(open("/proc/loadavg").read().split()[:3])
        self.server.start()
        for kind in PARENT_KINDS:
            self.parents.append(Parent(self, kind))
        for p in self.parents:
            p.wait_ready()
        t0 = now()
        self.end = t0 + a.seconds
        self.chaos_until = t0 + a.seconds * CHAOS_SHARE
        span = max(a.seconds / 40, 2)
        self.next_fault = t0 + random.uniform(span / 3, span)
        self.next_signal = self.next_reap = t0 + 1
        self.cont_at = 0
        self.target = random.randint(4, 12)
        last_report = t0
        while now() < self.end:
            self.serve_sockets()
            t = now()
            for c in self.clients:
                c.tick(t)
            self.spawn(t)
            self.tick_senders(t)
            self.chaos(t)
            self.tick_parents(t)
            if a.verbose and t - last_report > 10:
                last_report = t
                log("soak: %.0f s, %d clients, epoch %d" %
                    (t - t0, len(self.clients), self.server.epoch))
        self.load.append(open("/proc/loadavg").read().split()[:3])
        t = now()
        self.wind_down()
        if a.verbose:
            log("soak: wound down in %.1f s" % (now() - t))
        self.check()

    def serve_sockets(self):
        """One pass over the clients' sockets that are ready."""
        for key, mask in self.sel.select(timeout=0.02):
            c = key.data
            if mask & selectors.EVENT_READ:
                c.on_readable()
            if mask & selectors.EVENT_WRITE and c.state not in (
                    "killed", "eof", "failed"):
                c.flush()

    def pump(self, seconds, until=None):
        end = now() + seconds
        while now() < end:
            self.serve_sockets()
            if until and until():
                return

    def wind_down(self):
        srv = self.server
        if srv.stopped:
            srv.cont()
        # Every reading client leaves; stallers and lurkers are closed.
        for c in self.clients:
            if c.state == "open":
                if c.role in ("talker", "flooder") and c.name:
                    c.state = "quitting"
                    c.send_line("/quit done")
                else:
                    c.kill()
        self.pump(60, lambda: all(c.state not in ("open", "quitting")
                                  for c in self.clients))
        for c in self.clients:
            if c.state in ("open", "quitting"):
                violation("disconn", "client %s (%s) did not get its ok bye"
                          " within 60 s" % (c.name, c.role))
                c.kill()
        for s in self.senders:
            try:
                s[0].wait(timeout=30)
            except subprocess.TimeoutExpired:
                s[0].kill()
                s[0].wait()
        # The server's descriptors and memory, now that nobody is in.
        time.sleep(1)
        self.end_usage = srv.usage()
        self.idle_usage = srv.idle
        srv.terminate()
        if self.a.verbose:
            log("soak: clients gone, server ended")
        self.finish_parents()

    def finish_parents(self):
        for p in self.parents:
            if p.reaping:
                p.reaping[0].wait()
                self.reap_result(p, p.reaping)
            self.start_reap(p, whole=True)  # all at once: each scans /proc
        for p in list(self.parents):
            p.reaping[0].wait()
            self.reap_result(p, p.reaping)
            p.reaping = None
            if p.proc.poll() is not None:
                self.parent_died(p)
                continue
            os.kill(p.proc.pid, signal.SIGUSR2)
            if p.fifo:
                with open(p.fifo, "w") as f:
                    f.write("end\n")
        deadline = now() + 10
        for p in self.parents:
            while now() < deadline and not any(
                    l.startswith(("status ", "echo end ")) for l in p.lines()):
                time.sleep(0.05)
            p.proc.kill()
            p.proc.wait()
            p.out.close()

    # -- the invariants
    def check(self):
        with open(self.logpath, "rb") as f:
            data = f.read().decode("utf-8", "replace")
        self.check_log(data)
        self.check_delivery(data)
        self.check_names()
        self.check_disconnects()
        self.check_idle()
        self.check_parents()
        self.report()

    def acked_of(self):
        acked = {}
        for c in self.clients:
            if c.acked:
                acked[c.cid] = c.acked
        for s in self.senders:
            p, cid = s[0], s[1]
            if p.returncode == 0:
                acked[cid] = 1
            elif not s[4] and p.returncode != 0:
                err = p.stderr.read().decode(errors="replace").strip()
                self.sender_failures.append(err)
        return acked

    def check_log(self, data):
        self.sender_failures = []
        seen = {}     # cid -> list of seqs in log order
        lines = data.split("\n")
        self.torn = 0 if data.endswith("\n") or not data else 1
        self.log_events = len(lines) - 1
        for line in lines:
            parts = line.split(" ", 4)
            if len(parts) < 5 or parts[0] != "event" or parts[2] != "msg":
                continue
            tag = parts[4].split(" ", 1)[0]
            try:
                cid, seq = (int(x) for x in tag[1:].split("."))
            except ValueError:
                violation("log", "a message nobody sent: %r" % line[:120])
                continue
            if tag[0] != "m" or cid not in self.sent or seq > self.sent[cid]:
                violation("log", "a message nobody sent: %r" % line[:120])
                continue
            seen.setdefault(cid, []).append(seq)
        self.messages_logged = sum(len(v) for v in seen.values())
        self.dups = self.reorders = self.lost = 0
        for cid, seqs in seen.items():
            if len(set(seqs)) != len(seqs):
                self.dups += len(seqs) - len(set(seqs))
                violation("log", "sender %d: a message logged twice: %s" %
                          (cid, sorted(s for s in set(seqs)
                                       if seqs.count(s) > 1)[:10]))
            if any(b <= a for a, b in zip(seqs, seqs[1:])):
                self.reorders += 1
                violation("log", "sender %d: out of order in the log: %s" %
                          (cid, seqs[:40]))
        acked = self.acked_of()
        self.messages_acked = sum(acked.values())
        for cid, upto in acked.items():
            missing = sorted(set(range(1, upto + 1)) - set(seen.get(cid, [])))
            if missing:
                self.lost += len(missing)
                violation("log", "sender %d: acknowledged but not in the log:"
                          " %s" % (cid, missing[:20]))
        self.messages_sent = sum(self.sent.values())

    def epoch_events(self, data_bytes, epoch):
        start, end = self.server.epochs[epoch - 1]
        chunk = data_bytes[start:end].decode("utf-8", "replace")
        lines = chunk.split("\n")
        return lines[:-1]  # a torn last piece is not an event

    def check_delivery(self, data):
        raw = data.encode("utf-8", "replace")
        with open(self.logpath, "rb") as f:
            raw = f.read()
        cache = {}
        self.checked_readers = self.full_readers = 0
        self.all_events = raw.decode("utf-8", "replace").split("\n")
        # The line number in the whole log where each server's events start.
        start_line = {e + 1: raw[:self.server.epochs[e][0]].count(b"\n")
                      for e in range(len(self.server.epochs))}
        for c in self.clients:
            if c.role not in ("talker", "flooder") or not c.live or \
                    c.state == "failed":
                continue
            if c.epoch not in cache:
                cache[c.epoch] = self.epoch_events(raw, c.epoch)
            events = cache[c.epoch]
            join = "join %s" % c.name
            idx = [i for i, e in enumerate(events)
                   if e.split(" ", 2)[-1] == join]
            died = c.epoch != self.server.epoch or \
                self.server.epochs[c.epoch - 1][1] is not None and \
                c.epoch < self.server.epoch
            if len(idx) != 1:
                if not (died and not idx):
                    violation("delivery", "%s: its join is %d times in the"
                              " log of server %d" % (c.name, len(idx),
                                                     c.epoch))
                continue
            self.check_history(c, start_line[c.epoch] + idx[0])
            expected = []
            for e in events[idx[0] + 1:]:
                p = e.split(" ", 4)
                if len(p) >= 4 and p[3] == c.name and p[2] in ("msg", "me"):
                    continue
                if len(p) >= 4 and p[2] == "leave" and p[3] == c.name:
                    break
                expected.append(e)
            self.checked_readers += 1
            got = c.received
            if c.state == "bye":
                self.full_readers += 1
                if got != expected:
                    violation("delivery", "%s (%s): left with ok bye but "
                              "received %d events where the room had %d; "
                              "first difference at %d: %r vs %r" %
                              (c.name, c.role, len(got), len(expected),
                               first_diff(got, expected),
                               at(got, first_diff(got, expected)),
                               at(expected, first_diff(got, expected))))
            elif got != expected[:len(got)]:
                violation("delivery", "%s (%s, %s): received events not a "
                          "prefix of the room's; first difference at %d: "
                          "%r vs %r" % (c.name, c.role, c.state,
                                        first_diff(got, expected),
                                        at(got, first_diff(got, expected)),
                                        at(expected,
                                           first_diff(got, expected))))

    def check_history(self, c, join_line):
        want = self.all_events[max(0, join_line - REPLAYED):join_line]
        if c.history != want:
            violation("history", "%s was replayed %d events that are not "
                      "the log's last before its join; first difference at"
                      " %d: %r vs %r" % (c.name, len(c.history),
                                         first_diff(c.history, want),
                                         at(c.history,
                                            first_diff(c.history, want)),
                                         at(want,
                                            first_diff(c.history, want))))

    def check_names(self):
        for a, b in self.collisions:
            if a.state == "failed" or b.state == "failed":
                continue
            both = a.name and b.name and a.epoch == b.epoch
            if both and a.name == b.name:
                violation("names", "two clients hold the name %s" % a.name)
            if both and a.taken_refused + b.taken_refused == 0:
                violation("names", "nobody was refused the name %s" % a.want)
        held = {}
        self.collisions_refused = sum(
            1 for a, b in self.collisions
            if a.taken_refused + b.taken_refused > 0)
        for epoch, name, cid in self.names_ok:
            key = (epoch, name.lower())
            if key in held and held[key] != cid:
                # the same name again is fine once its holder left
                other = next(c for c in self.clients if c.cid == held[key])
                if other.state in ("open", "quitting"):
                    violation("names", "%s given to two live clients" % name)
            held[key] = cid

    def check_disconnects(self):
        self.unexpected = 0
        for c in self.clients:
            if c.role in ("talker", "flooder") and c.eof_while_alive:
                self.unexpected += 1
                violation("disconn", "%s (%s) was disconnected while its "
                          "server lived; errors: %s" %
                          (c.name, c.role, c.errors[-3:]))
            elif c.role in ("talker", "flooder") and c.errors and \
                    any(not e.startswith("error nametaken") for e in c.errors):
                violation("disconn", "%s (%s) got %s" %
                          (c.name, c.role, c.errors[-3:]))
            if c.role == "lurker" and c.eof_while_alive and \
                    not any("error gone" in e for e in c.errors):
                violation("disconn", "a client without a name was closed "
                          "without error gone: %s" % c.errors)

    def check_idle(self):
        (fd0, rss0), (fd1, rss1) = self.idle_usage, self.end_usage
        if fd1 != fd0:
            violation("idle", "descriptors: %d idle, %d at the end" %
                      (fd0, fd1))
        # An AddressSanitizer build keeps freed memory in quarantine, so
        # its RSS grows whatever the code does; its LeakSanitizer checks
        # for leaks instead, when the server exits.
        if rss1 > rss0 + IDLE_RSS_SLACK_KB and not self.sanitized:
            violation("idle", "RSS: %d KiB idle, %d KiB at the end" %
                      (rss0, rss1))

    def check_parents(self):
        self.parent_rets = self.leaks = 0
        for p in self.parents:
            lines = p.lines()
            leaks = [l for l in lines if l.startswith("LEAK")]
            self.leaks += len(leaks)
            self.parent_rets += sum(1 for l in lines if l.startswith("ret "))
            if leaks:
                violation("parents", "%s parent: %d error returns it would "
                          "not have seen without pmon: %s" %
                          (p.kind, len(leaks), leaks[:5]))
            final = [l for l in lines if l.startswith(("status ", "echo end "))]
            if not final:
                violation("parents", "%s parent: no status line at the end"
                          % p.kind)
                continue
            counts = dict(kv.split("=") for kv in final[-1].split()
                          if "=" in kv)
            if int(counts["rt"]) != p.rt_sent:
                violation("parents", "%s parent: %d real-time signals sent,"
                          " %s counted" % (p.kind, p.rt_sent, counts["rt"]))

    def report(self):
        s = self.server
        log("soak: load average at start %s, at end %s" %
            (" ".join(self.load[0]), " ".join(self.load[1])))
        log("soak: server: %d starts, %d SIGKILLs, %d SIGSTOP/SIGCONTs" %
            (s.epoch, s.kills, s.stops))
        log("soak: clients: %d (%d left with ok bye and were checked whole,"
            " %d checked as a prefix), %d pmon chat --send (%d killed)" %
            (len(self.clients), self.full_readers,
             self.checked_readers - self.full_readers, len(self.senders),
             sum(1 for x in self.senders if x[4])))
        log("soak: names: %d collisions, %d refused as taken" %
            (len(self.collisions), self.collisions_refused))
        log("soak: messages: %d sent, %d acknowledged, %d logged; "
            "%d lost, %d duplicated, %d senders reordered" %
            (self.messages_sent, self.messages_acked, self.messages_logged,
             self.lost, self.dups, self.reorders))
        log("soak: log: %d events, %d torn last line" %
            (self.log_events, self.torn))
        log("soak: unexpected disconnects: %d" % self.unexpected)
        log("soak: server idle vs end: fds %d vs %d, RSS %d vs %d KiB%s" %
            (self.idle_usage[0], self.end_usage[0], self.idle_usage[1],
             self.end_usage[1], " (not compared: an AddressSanitizer build)"
             if self.sanitized else ""))
        log("soak: parents: %d kinds, %d pmon reap runs, %d zombies reaped "
            "by inject (%d runs gave up on a parent that did not stop in "
            "time, changing nothing), %d returns of their calls logged, "
            "%d real-time signals sent, %d spurious error returns" %
            (len(self.parents), self.reaps["runs"], self.reaps["reaped"],
             self.reaps["gave_up"],
             self.parent_rets, sum(p.rt_sent for p in self.parents),
             self.leaks))
        if self.sender_failures:
            log("soak: pmon chat --send failures (not killed): %d, e.g. %s" %
                (len(self.sender_failures), self.sender_failures[:3]))
        for kind, items in sorted(violations.items()):
            log("soak: VIOLATION %s: %d" % (kind, len(items)))
            for text in items[:20]:
                log("  " + text)
        log("soak: FAILED (seed %d; its files are kept in %s)" %
            (self.a.seed, self.dir) if violations else
            "soak: ok (seed %d)" % self.a.seed)


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def at(lst, i):
    return lst[i][:100] if i < len(lst) else None


def become_subreaper():
    """Zombies of a parent killed at the end come to us, not to init."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans():
    deadline = now() + 10
    while now() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pmon", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = int.from_bytes(os.urandom(4), "little")
    random.seed(a.seed)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    become_subreaper()
    soak = Soak(a)
    try:
        soak.run()
    finally:
        for p in soak.parents:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        if soak.server.alive():
            soak.server.kill()
        reap_orphans()
        if not violations and not os.environ.get("SOAK_KEEP"):
            subprocess.run(["rm", "-rf", soak.dir])
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
