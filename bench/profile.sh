#!/usr/bin/env bash
# Where a request's time goes, in instructions: runs one server of bench/run.sh
# under valgrind's callgrind, loads it with the same wrk workload for a few
# seconds, and prints the instructions and allocations per request and the
# costliest functions. Instruction counts hardly depend on what else the
# machine is doing, so two builds compare even on a busy machine.
#
# Usage: bench/profile.sh [raw|xml|json] [SECONDS]      (default: xml 4)
# The profile stays in target/callgrind.<server>.out, for callgrind_annotate.
# Installs valgrind and wrk from Debian when missing (as root).

set -euo pipefail

WHICH=${1:-xml}
SECS=${2:-4}
PORT=${PORT:-18090}
case $WHICH in
    raw) EXAMPLE=bench_raw_axum FORMAT=xml ;;
    xml) EXAMPLE=echo_bot FORMAT=xml ;;
    json) EXAMPLE=echo_json FORMAT=json ;;
    *) echo "usage: bench/profile.sh [raw|xml|json] [SECONDS]" >&2 && exit 2 ;;
esac
[[ $SECS =~ ^[1-9][0-9]?$ ]] || { echo "SECONDS must be 1 to 99" >&2; exit 2; }

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
for tool in valgrind wrk curl; do
    command -v $tool >/dev/null && continue
    [[ $(id -u) -eq 0 ]] || { echo "$tool missing: apt-get install $tool" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null
done

# The bench profile is the release profile with debug info (function names
# and lines in the report).
(cd "$ROOT" && cargo build --profile bench -q -p xmpp-rest-bot-examples --example "$EXAMPLE")
TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
OUT=$TARGET/callgrind.$WHICH.out
LOG=$(mktemp)

export TOKIO_WORKER_THREADS=1
# The bots log a line per stanza at info: measure the bot, not its logging.
export RUST_LOG=warn
valgrind --tool=callgrind --callgrind-out-file="$OUT" \
    "$TARGET/release/examples/$EXAMPLE" "127.0.0.1:$PORT" 2>"$LOG" &
PID=$!
trap 'kill -KILL $PID 2>/dev/null || true; rm -f "$LOG"' EXIT

for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 1 -X OPTIONS "http://127.0.0.1:$PORT/" && break
    sleep 0.2
done
RESULT=$(timeout $((SECS + 30)) wrk -t1 -c16 -d"${SECS}s" -s "$BENCH/messages.lua" \
    "http://127.0.0.1:$PORT/" -- "$FORMAT" | grep '^RESULT')
# A clean exit writes the profile.
kill -INT $PID
for _ in $(seq 100); do
    kill -0 $PID 2>/dev/null || break
    sleep 0.1
done

REQUESTS=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$RESULT")
TOTAL=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$LOG")
# Calls of malloc: the callers listed above it in the caller tree.
MALLOCS=$(callgrind_annotate --tree=caller "$OUT" 2>/dev/null | awk '
    NF == 0 {n = 0; next}
    / < / {s = $0; sub(/.*\(/, "", s); sub(/x\).*/, "", s); gsub(/,/, "", s); n += s; next}
    /\*  .*malloc\.c:malloc \[/ {print n; exit}' || true)
echo "$WHICH: $REQUESTS requests under callgrind (${RESULT#RESULT })"
awk -v t="$TOTAL" -v m="${MALLOCS:-0}" -v n="$REQUESTS" 'BEGIN {
    printf "per request: %d instructions, %.1f allocations (start-up included)\n", t / n, m / n}'
echo
echo "functions by instructions per request, callees included:"
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null |
    grep -E 'xmpp_rest_bot|quick_xml|serde_json|jid::|malloc|free|memcpy|hyper::proto::h1::(role|io|conn)' |
    awk -v n="$REQUESTS" '{c = $1; gsub(/,/, "", c); sub(/^[^%]*%\)  */, ""); sub(/ \[.*$/, "");
        sub(/^[^:]*\.(rs|c|S):/, ""); if (!seen[$0]++) printf "%8d  %s\n", c / n, substr($0, 1, 110)}' |
    head -30 || true
echo
echo "full profile: callgrind_annotate --inclusive=yes $OUT | less"
