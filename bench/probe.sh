#!/usr/bin/env bash
# Replays the probes of issue 18 (hardening the serving layer) against the
# release echo bot on 127.0.0.1 and prints, per probe, what it measured:
# a normal request's latency during each flood, the bot's memory, its exit
# after SIGTERM, requests lost at SIGTERM, the size of the panic log, and
# JSON with characters XML cannot carry. The load of the machine (uptime) is
# printed beside the figures. (Behind nginx: scripts/nginx_replicas_test.sh.)
#
# Usage: bench/probe.sh [ROW...]   (rows: slots fds headers half_head keepalive panic json)
# About two minutes for all rows; every probe stops by itself and stops its bot.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=("$@")
[ ${#ROWS[@]} -gt 0 ] || ROWS=(slots fds headers half_head keepalive panic json)

echo "probe: building the release echo bot and the panic probe bot" >&2
ECHO=$("$ROOT/scripts/build_example.sh" echo_bot --release)
PANIC=$("$ROOT/scripts/build_example.sh" bench_probe_bot --release)

for row in "${ROWS[@]}"; do
    printf '%-10s load %s | ' "$row" "$(uptime | sed 's/.*load average: //')"
    case "$row" in
        panic) python3 "$ROOT/bench/probe.py" panic "$PANIC" ;;
        json)
            port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
            "$ECHO" "127.0.0.1:$port" 2>/dev/null &
            bot=$!
            for _ in $(seq 1 100); do curl -s -o /dev/null -X OPTIONS "http://127.0.0.1:$port/" && break; sleep 0.05; done
            line=""
            for body in '\u0000' '\u0001' '\uFFFE'; do
                json="{\"kind\":\"message\",\"type\":\"chat\",\"to\":\"bot@b\",\"body\":\"a${body}b\"}"
                status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" \
                    -H 'Content-Type: application/json' --data-binary "$json")
                line="$line $body→$status"
            done
            xml=$(printf "<message type='chat' to='bot@b'><body>a\x01b</body></message>")
            status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" \
                -H 'Content-Type: application/xmpp+xml' --data-binary "$xml")
            kill -TERM "$bot"; wait "$bot" || true
            echo "JSON control characters:$line; XML U+0001→$status"
            ;;
        *) python3 "$ROOT/bench/probe.py" "$row" "$ECHO" ;;
    esac
done
