#!/usr/bin/env bash
# Drives the echo bot (examples/echo_bot.rs, release build) with wrk and the
# message mix of scripts/load_mix.lua for a bounded time, then reports
# throughput, latency percentiles, non-2xx answers and the bot's peak RSS.
#
# Usage: scripts/load_test.sh   (DURATION=15 THREADS=2 CONNECTIONS=32 by default)
# Installs wrk from Debian when missing (as root); stops everything it starts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}

log() { printf 'load-test: %s\n' "$*"; }
fail() { printf 'load-test: FAIL: %s\n' "$*" >&2; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || fail "wrk is missing (apt-get install wrk, as root)"
    log "installing wrk from Debian"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi

log "building the echo_bot example (release)"
BOT=$("$ROOT/scripts/build_example.sh" echo_bot --release)
[ -x "$BOT" ] || fail "no binary at $BOT"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
# A line per stanza at info would be thousands of lines a second: warnings only.
RUST_LOG=warn "$BOT" "127.0.0.1:$PORT" >"$WORK/bot.log" 2>&1 &
BOT_PID=$!
cleanup() {
    kill "$BOT_PID" 2>/dev/null || true
    wait "$BOT_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    curl -s -o /dev/null -X OPTIONS "http://127.0.0.1:$PORT/" && break
    sleep 0.1
done
rss_idle=$(sed -n 's/^VmRSS:\s*//p' "/proc/$BOT_PID/status")

cmd=(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/scripts/load_mix.lua" "http://127.0.0.1:$PORT/")
log "running: ${cmd[*]}"
"${cmd[@]}" >"$WORK/wrk.out"
peak=$(sed -n 's/^VmHWM:\s*//p' "/proc/$BOT_PID/status")

# graceful stop: SIGTERM, then the bot must exit by itself
kill -TERM "$BOT_PID"
for _ in $(seq 1 50); do
    kill -0 "$BOT_PID" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$BOT_PID" 2>/dev/null && fail "the bot did not stop on SIGTERM"
wait "$BOT_PID" || fail "the bot exited with an error after SIGTERM"

grep '^LOAD' "$WORK/wrk.out" | sed 's/^LOAD /load-test: /'
log "bot RSS: $rss_idle idle, peak (VmHWM) $peak"
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (wrk and the bot share them)"
non2xx=$(sed -n 's/^LOAD non2xx=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
[ "$non2xx" = 0 ] || fail "$non2xx answers were not 2xx"
log "PASS"
