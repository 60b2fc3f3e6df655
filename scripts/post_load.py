#!/usr/bin/env python3
"""Steady load for scripts/nginx_replicas_test.sh: WORKERS threads post chat
messages through the proxy for DURATION seconds, each on a keep-alive
connection (reconnecting when the proxy closes it), one sender per worker,
and count every stanza: answered 200 with the message quoted back, or lost
(another status, a connection error, a reply without the text).

Usage: post_load.py URL_BASE WORKERS DURATION   (URL_BASE: http://127.0.0.1:PORT/SECRET)
Prints one line: sent=N answered=N lost=N per_replica={...}; exits 1 when a
stanza was lost. Only 127.0.0.1; stops by itself after DURATION.
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse


def worker(base, index, until, results, lock):
    url = urllib.parse.urlsplit(base)
    sent = answered = 0
    lost = []
    replicas = {}
    conn = None
    n = 0
    while time.monotonic() < until:
        n += 1
        sender = f"load{index}@example.org/r"
        path = f"{url.path}/{urllib.parse.quote(sender, safe='')}"
        text = f"w{index} n{n}"
        body = (f"<message type='chat' id='w{index}-{n}' from='{sender}' "
                f"to='bot@bot.localhost'><body>{text}</body></message>").encode()
        sent += 1
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            conn.request("POST", path, body, {"Content-Type": "application/xmpp+xml"})
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            if response.status == 200 and text + "<" in data:
                answered += 1
                m = re.search(r"\[replica (\w+)\]", data)
                if m:
                    replicas[m.group(1)] = replicas.get(m.group(1), 0) + 1
            else:
                lost.append(f"{text}: HTTP {response.status} {data[:120]!r}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            lost.append(f"{text}: {type(e).__name__}: {e}")
            if conn is not None:
                conn.close()
            conn = None
    with lock:
        results["sent"] += sent
        results["answered"] += answered
        results["lost"].extend(lost)
        for r, c in replicas.items():
            results["per_replica"][r] = results["per_replica"].get(r, 0) + c


def main():
    base, workers, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    until = time.monotonic() + duration
    results = {"sent": 0, "answered": 0, "lost": [], "per_replica": {}}
    lock = threading.Lock()
    threads = [threading.Thread(target=worker, args=(base, i, until, results, lock))
               for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"sent={results['sent']} answered={results['answered']} "
          f"lost={len(results['lost'])} per_replica={json.dumps(results['per_replica'])}")
    for line in results["lost"][:10]:
        print(f"  lost: {line}")
    sys.exit(1 if results["lost"] else 0)


if __name__ == "__main__":
    main()
