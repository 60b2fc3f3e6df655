#!/usr/bin/env python3
"""The probes of issue 18 against a bot on 127.0.0.1, one per row of its table;
prints one line per probe with the figure measured. Run by bench/probe.sh,
which starts the bots; usable alone:

    probe.py ROW BOT_CMD...      (ROW: slots, fds, headers, half_head, keepalive, panic)

Each probe starts the bot itself (BOT_CMD ADDR), so that it can measure its
memory and its exit, and stops it. Python 3 stdlib only; every loop is
bounded in time; only 127.0.0.1.
"""
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time

MESSAGE = (b"<message type='chat' id='m1' from='alice@localhost/phone' "
           b"to='bot@bot.localhost'><body>hi</body></message>")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


class Bot:
    """The bot under test, in a process of its own."""

    def __init__(self, cmd, nofile=None, env=None, stderr=None):
        self.port = free_port()
        self.addr = ("127.0.0.1", self.port)

        def limit():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.stderr = stderr
        self.proc = subprocess.Popen(cmd + [f"127.0.0.1:{self.port}"], preexec_fn=limit,
                                     env={**os.environ, **(env or {})},
                                     stdout=subprocess.DEVNULL,
                                     stderr=stderr if stderr else subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(self.addr, timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise SystemExit("the bot never listened")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def hwm_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def post(addr, body=MESSAGE, timeout=10):
    """One request on a new connection: (status, seconds), status 0 on error."""
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(*addr, timeout=timeout)
        conn.request("POST", "/", body, {"Content-Type": "application/xmpp+xml"})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, time.monotonic() - started
    except (OSError, http.client.HTTPException):
        return 0, time.monotonic() - started


def watch(addr, seconds, every=0.1):
    """Normal requests during `seconds`: (count, failures, worst latency)."""
    until = time.monotonic() + seconds
    count = failures = 0
    worst = 0.0
    while time.monotonic() < until:
        status, took = post(addr)
        count += 1
        failures += status != 200
        worst = max(worst, took)
        time.sleep(every)
    return count, failures, worst


def verdict(ok):
    return "OK" if ok else "FAIL"


def probe_slots(cmd):
    """600 connections send headers announcing a body and send no body."""
    bot = Bot(cmd)
    held = []
    for _ in range(600):
        s = socket.create_connection(bot.addr)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n"
                  b"Content-Length: 100\r\n\r\n")
        held.append(s)
    count, failures, worst = watch(bot.addr, 12)
    for s in held:
        s.close()
    bot.stop()
    ok = failures == 0 and worst < 0.05
    return (f"600 connections with headers and no body: {count} normal requests over 12 s, "
            f"{failures} not answered 200, worst {worst * 1000:.1f} ms  {verdict(ok)}")


def probe_fds(cmd):
    """4,200 silent connections to a bot limited to 4,096 files."""
    raise_fd_limit(8192)
    bot = Bot(cmd, nofile=4096)
    held, refused = [], 0
    stop = time.monotonic() + 20
    for _ in range(4200):
        if time.monotonic() > stop:
            break
        try:
            held.append(socket.create_connection(bot.addr, timeout=2))
        except OSError:
            refused += 1
    count, failures, worst = watch(bot.addr, 8)
    alive = 0
    for s in held:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        s.close()
    bot.stop()
    ok = failures == 0 and worst < 0.05
    return (f"4,200 silent connections, LimitNOFILE=4096: {len(held)} opened, {alive} still open "
            f"after 8 s; {count} normal requests, {failures} not answered 200, worst "
            f"{worst * 1000:.1f} ms  {verdict(ok)}")


def probe_headers(cmd):
    """1,000 connections each sending 380 KB of unfinished headers."""
    raise_fd_limit(4096)
    bot = Bot(cmd)
    before = bot.rss_kib()
    pad = b"X-Pad: " + b"p" * 380_000
    held = []
    peak = before
    worst_req = 0.0
    failures = 0
    for i in range(1000):
        try:
            s = socket.create_connection(bot.addr, timeout=2)
            s.settimeout(0.5)
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n" + pad)
        except OSError:
            pass  # the bot answered 431 and closed: what it should do
        else:
            held.append(s)
        if i % 50 == 0:
            peak = max(peak, bot.rss_kib())
            status, took = post(bot.addr)
            failures += status != 200
            worst_req = max(worst_req, took)
    peak = max(peak, bot.rss_kib(), bot.hwm_kib())
    for s in held:
        s.close()
    bot.stop()
    ok = peak < 64 * 1024 and failures == 0 and worst_req < 0.05
    return (f"1,000 connections x 380 KB of unfinished headers: RSS {before / 1024:.1f} -> peak "
            f"{peak / 1024:.1f} MiB; normal requests: {failures} not answered 200, worst "
            f"{worst_req * 1000:.1f} ms  {verdict(ok)}")


def probe_half_head(cmd):
    """SIGTERM with one client holding a half-sent header."""
    bot = Bot(cmd)
    s = socket.create_connection(bot.addr)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-")
    time.sleep(0.2)
    started = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    try:
        # systemd's TimeoutStopSec in the deployment chapter is 30 s
        bot.proc.wait(timeout=35)
        took = time.monotonic() - started
    except subprocess.TimeoutExpired:
        took = float("inf")
        bot.proc.kill()
        bot.proc.wait()
    s.close()
    bot.stop()
    ok = took < 10
    return f"SIGTERM with a half-sent header held: exit {took:.3f} s after SIGTERM  {verdict(ok)}"


def probe_keepalive(cmd):
    """SIGTERM during keep-alive load on 64 connections."""
    bot = Bot(cmd)
    lock = threading.Lock()
    totals = {"answered": 0, "lost": 0, "closed_by_bot": 0, "refused": 0}
    stop_at = time.monotonic() + 30
    def worker():
        answered = lost = closed = refused = 0
        conn = None
        while time.monotonic() < stop_at:
            if conn is None:
                try:
                    conn = http.client.HTTPConnection(*bot.addr, timeout=5)
                    conn.connect()
                except OSError:
                    refused += 1  # never sent: the client knows
                    break
            try:
                conn.request("POST", "/", MESSAGE, {"Content-Type": "application/xmpp+xml"})
                response = conn.getresponse()
                response.read()
                answered += response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    closed += 1
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                # written on an open connection, no answer: lost
                lost += 1
                conn.close()
                conn = None
        with lock:
            totals["answered"] += answered
            totals["lost"] += lost
            totals["closed_by_bot"] += closed
            totals["refused"] += refused

    threads = [threading.Thread(target=worker) for _ in range(64)]
    for t in threads:
        t.start()
    time.sleep(2)
    signalled = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    bot.proc.wait(timeout=40)
    exited = time.monotonic() - signalled
    for t in threads:
        t.join()
    ok = totals["lost"] == 0
    return (f"SIGTERM during keep-alive load (64 connections): {totals['answered']} answered, "
            f"{totals['lost']} lost, {totals['closed_by_bot']} answers with Connection: close, "
            f"exit {exited:.2f} s after SIGTERM  {verdict(ok)}")


def probe_panic(cmd):
    """A panicking handler with RUST_BACKTRACE=1, for 20 s of load."""
    import tempfile
    with tempfile.TemporaryFile() as err:
        bot = Bot(cmd, env={"RUST_BACKTRACE": "1"}, stderr=err)
        lock = threading.Lock()
        count = [0, 0]
        stop_at = time.monotonic() + 20

        def worker():
            n = ok = 0
            conn = http.client.HTTPConnection(*bot.addr, timeout=5)
            while time.monotonic() < stop_at:
                try:
                    conn.request("POST", "/", MESSAGE.replace(b">hi<", b">panic<"),
                                 {"Content-Type": "application/xmpp+xml"})
                    response = conn.getresponse()
                    response.read()
                    n += 1
                    ok += response.status == 500
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(*bot.addr, timeout=5)
            with lock:
                count[0] += n
                count[1] += ok

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        bot.stop()
        size = err.seek(0, 2)
        err.seek(0)
        reports = err.read().count(b"panicked at")
    ok = size < 1024 * 1024
    return (f"panicking handler, RUST_BACKTRACE=1, 20 s: {count[0]} requests "
            f"({count[0] / 20:.0f} req/s, {count[1]} answered 500); stderr {size / 1024:.0f} KiB, "
            f"{reports} panic reports  {verdict(ok)}")


PROBES = {
    "slots": probe_slots,
    "fds": probe_fds,
    "headers": probe_headers,
    "half_head": probe_half_head,
    "keepalive": probe_keepalive,
    "panic": probe_panic,
}

if __name__ == "__main__":
    row, cmd = sys.argv[1], sys.argv[2:]
    print(PROBES[row](cmd), flush=True)
