#!/usr/bin/env bash
# End-to-end benchmark of the webhook: the same wrk workload (bench/messages.lua:
# chat messages as mod_rest posts them, keep-alive, 64 connections) against
#   1. raw axum: reads the body, answers a fixed XML reply, parses nothing (the ceiling),
#   2. our echo bot in XML (examples/echo_bot.rs),
#   3. our echo bot in JSON (examples/echo_json.rs), and in XML with one
#      conversation read and write per message (bench/dialogue_bot.rs),
#   4. mod_rest's documented Flask echo bot (bench/flask_echo.py) under gunicorn,
# then prints requests/s, latency, failures, server CPU time per request and
# each row as a ratio to the ceiling, the memory of our echo bots, and the
# targets of issue 9. How to read it: bench/README.md.
#
# Usage: bench/run.sh                 (from anywhere; about 1.5 minutes)
# Settings (environment):
#   DURATION=10s      length of each measured run (s or m suffix)
#   WARMUP=2s         unmeasured load before each measured run (0 to skip)
#   ROUNDS=1          measured runs per server, interleaved; the median is shown
#   CONNECTIONS=64    wrk connections (keep-alive)
#   SERVER_CPUS=0     CPUs the servers are pinned to (taskset list)
#   WRK_CPUS=1        CPUs wrk is pinned to; WRK_CPUS= (empty) pins nothing
#   NICE=-20          priority of servers and wrk (as root; 0 to leave it)
#   PORT=18080        first of the five ports used on 127.0.0.1
#   FLASK=1           0 skips the Flask bot (and the Python install)
# It installs what is missing: wrk and curl from Debian (apt-get, as root),
# Flask and gunicorn from PyPI into bench/.venv (pinned in requirements.txt);
# nothing else is fetched. It only listens on and connects to 127.0.0.1, and
# stops every process it started when it ends, however it ends.

set -euo pipefail

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-1}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
FLASK=${FLASK:-1}
HOST=127.0.0.1

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-rest-bench.XXXXXX")

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# Durations as whole seconds, for the time bounds around wrk.
seconds() {
    case $1 in
        0) echo 0 ;;
        *[0-9]s) echo "${1%s}" ;;
        *[0-9]m) echo $((${1%m} * 60)) ;;
        *) die "bad duration '$1': use seconds or minutes, e.g. 10s or 1m" ;;
    esac
}
RUN_SECS=$(seconds "$DURATION")
WARMUP_SECS=$(seconds "$WARMUP")
[[ $RUN_SECS =~ ^[1-9][0-9]*$ ]] || die "DURATION must be at least 1s"
[[ $WARMUP_SECS =~ ^[0-9]+$ ]] || die "bad WARMUP '$WARMUP'"
((RUN_SECS <= 600 && WARMUP_SECS <= 60)) || die "DURATION is at most 10m, WARMUP at most 1m"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] && ((ROUNDS <= 20)) || die "ROUNDS must be 1 to 20"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive number"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT <= 65530)) || die "PORT must be 1024 to 65530"

# --- Processes: every server started here is stopped on exit -----------------

PIDS=()
cleanup() {
    local pid state
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # At most 5 s for a graceful stop, then kill.
        for _ in $(seq 50); do
            state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
            [[ -n $state && $state != Z ]] || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$LOGS"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Tools ---------------------------------------------------------------------

apt_install() {
    [[ $(id -u) -eq 0 ]] || die "$* missing: install it (apt-get install $*) or run as root"
    echo "installing $* from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$LOGS/apt.log" 2>&1 || {
        # The package lists may be missing or stale on a fresh machine.
        apt-get update -qq >>"$LOGS/apt.log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$LOGS/apt.log" 2>&1
    } || {
        cat "$LOGS/apt.log" >&2
        die "cannot install $*"
    }
}
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl
command -v cargo >/dev/null || die "cargo not found"

if [[ $FLASK == 1 ]]; then
    VENV=$BENCH/.venv
    if ! "$VENV/bin/python" -c 'import flask, gunicorn' 2>/dev/null; then
        echo "installing Flask and gunicorn from PyPI into $VENV" >&2
        python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
        "$VENV/bin/pip" install --disable-pip-version-check -q -r "$BENCH/requirements.txt" ||
            die "cannot install $BENCH/requirements.txt"
    fi
fi

# --- Placement and priority ----------------------------------------------------

CPUS=$(nproc)
if [[ -z ${SERVER_CPUS+set} && -z ${WRK_CPUS+set} && $CPUS -lt 2 ]]; then
    WRK_CPUS=""
fi
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}
if [[ -n $WRK_CPUS ]]; then
    command -v taskset >/dev/null || die "taskset missing (util-linux); or set WRK_CPUS= to run unpinned"
    server_run=(taskset -c "$SERVER_CPUS")
    wrk_run=(taskset -c "$WRK_CPUS")
    # As many runtime workers (tokio) and processes (gunicorn) as server CPUs.
    SERVER_THREADS=$(taskset -c "$SERVER_CPUS" nproc)
    placement="servers on CPU $SERVER_CPUS, wrk on CPU $WRK_CPUS"
else
    server_run=()
    wrk_run=()
    SERVER_THREADS=$CPUS
    placement="unpinned: servers and wrk share $CPUS CPUs"
fi
# Ahead of whatever else runs on the machine (a shared machine is noisy).
NICE=${NICE-$([[ $(id -u) -eq 0 ]] && echo -20 || echo 0)}
if [[ $NICE != 0 ]]; then
    server_run=(nice -n "$NICE" "${server_run[@]}")
    wrk_run=(nice -n "$NICE" "${wrk_run[@]}")
fi
export TOKIO_WORKER_THREADS=$SERVER_THREADS
# The bots log a line per stanza at info: measure the bot, not its logging.
export RUST_LOG=warn

# --- Build ---------------------------------------------------------------------

echo "building the release binaries" >&2
(cd "$ROOT" && cargo build --release -q -p xmpp-rest-bot-examples \
    --example bench_raw_axum --example echo_bot --example echo_json \
    --example bench_dialogue_bot) ||
    die "cargo build failed"
TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
EXAMPLES=$TARGET/release/examples
[[ -x $EXAMPLES/echo_bot ]] || die "no binaries in $EXAMPLES"

# --- Servers -------------------------------------------------------------------

# One stanza of the workload, to check each server's answer before loading it.
XML_CHECK="<message to='bot@bot.example.net' id='c1' xml:lang='en' from='bob@example.org/Gajim.x1' type='chat'><body>Could you deploy v1.2.3 to staging?</body><request xmlns='urn:xmpp:receipts'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>"
JSON_CHECK='{"kind":"message","type":"chat","id":"c1","lang":"en","from":"bob@example.org/Gajim.x1","to":"bot@bot.example.net","body":"Could you deploy v1.2.3 to staging?","state":"active"}'

declare -A PID_OF URL_OF
# start NAME PORT COMMAND...: starts a server on the server CPUs.
start() {
    local name=$1 port=$2
    shift 2
    "${server_run[@]}" "$@" >"$LOGS/$name.log" 2>&1 &
    PIDS+=($!)
    PID_OF[$name]=$!
    URL_OF[$name]=http://$HOST:$port/
}

# wait_up NAME: until the server answers HTTP (at most 10 s).
wait_up() {
    local name=$1 code
    for _ in $(seq 100); do
        kill -0 "${PID_OF[$name]}" 2>/dev/null || {
            cat "$LOGS/$name.log" >&2
            die "$name exited at start"
        }
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X OPTIONS "${URL_OF[$name]}" || true)
        [[ $code != 000 ]] && return 0
        sleep 0.1
    done
    die "$name does not answer on ${URL_OF[$name]}"
}

# check NAME CONTENT_TYPE STANZA EXPECTED: one post must get 200 and a body
# containing EXPECTED.
check() {
    local name=$1 type=$2 stanza=$3 expected=$4 out status
    out=$(curl -s --max-time 5 -w '\n%{http_code}' -H "Content-Type: $type" \
        --data-binary "$stanza" "${URL_OF[$name]}" || true)
    status=${out##*$'\n'}
    if [[ $status != 200 || $out != *"$expected"* ]]; then
        echo "$name answered $status:" >&2
        echo "${out%$'\n'*}" >&2
        die "$name does not answer the check stanza correctly"
    fi
    echo "  $name answers the check: 200 with $expected" >&2
}

# rss NAME: "VmRSS VmHWM" in KiB.
rss() {
    awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {print r, h}' "/proc/${PID_OF[$1]}/status"
}

# cpu_ticks NAME: CPU time (user + system, in clock ticks) of the server and
# of its direct children (gunicorn's workers).
cpu_ticks() {
    local pid=${PID_OF[$1]} child total=0
    for child in $pid $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
TICKS_PER_SEC=$(getconf CLK_TCK)

echo "starting the servers ($placement, $SERVER_THREADS worker(s) each, nice $NICE)" >&2
start raw $PORT "$EXAMPLES/bench_raw_axum" "$HOST:$PORT"
start xml $((PORT + 1)) "$EXAMPLES/echo_bot" "$HOST:$((PORT + 1))"
start json $((PORT + 2)) "$EXAMPLES/echo_json" "$HOST:$((PORT + 2))"
start dialogue $((PORT + 4)) "$EXAMPLES/bench_dialogue_bot" "$HOST:$((PORT + 4))"
if [[ $FLASK == 1 ]]; then
    start flask $((PORT + 3)) "$VENV/bin/gunicorn" --chdir "$BENCH" -w "$SERVER_THREADS" \
        -b "$HOST:$((PORT + 3))" --log-level warning flask_echo:app
fi
SERVERS=(raw xml json dialogue)
[[ $FLASK == 1 ]] && SERVERS+=(flask)
for name in "${SERVERS[@]}"; do
    wait_up "$name"
done

check raw application/xmpp+xml "$XML_CHECK" "<message"
check xml application/xmpp+xml "$XML_CHECK" "<body>Could you deploy v1.2.3 to staging?</body>"
check json application/json "$JSON_CHECK" '"body":"Could you deploy v1.2.3 to staging?"'
check dialogue application/xmpp+xml "$XML_CHECK" "<body>Could you deploy v1.2.3 to staging?</body>"
if [[ $FLASK == 1 ]]; then
    check flask application/xmpp+xml "$XML_CHECK" "<body>Could you deploy v1.2.3 to staging?</body>"
fi

# Started, probed and checked, before any load: what an idle bot holds.
read -r IDLE_XML_RSS IDLE_XML_HWM < <(rss xml)
read -r IDLE_JSON_RSS IDLE_JSON_HWM < <(rss json)

# --- Load ----------------------------------------------------------------------

# The rows: label, server, wrk script argument (the format of the posts).
ROWS=("raw-xml raw xml" "raw-json raw json" "echo-xml xml xml" "echo-json json json"
    "dialogue-xml dialogue xml")
[[ $FLASK == 1 ]] && ROWS+=("flask-xml flask xml")

# load SERVER FORMAT SECONDS: runs wrk (bounded by timeout); prints its RESULT line.
load() {
    local url=${URL_OF[$1]} format=$2 secs=$3 out
    out=$(timeout -k 5 $((secs + 30)) "${wrk_run[@]}" wrk -t1 -c"$CONNECTIONS" -d"${secs}s" \
        --timeout 2s -s "$BENCH/messages.lua" "$url" -- "$format" 2>&1) || {
        echo "$out" >&2
        die "wrk failed against $1"
    }
    grep '^RESULT ' <<<"$out" || {
        echo "$out" >&2
        die "no RESULT from wrk against $1"
    }
}

echo "load: wrk -t1 -c$CONNECTIONS, ${WARMUP_SECS}s warm-up + ${RUN_SECS}s measured, $ROUNDS round(s)" >&2
for round in $(seq "$ROUNDS"); do
    for row in "${ROWS[@]}"; do
        read -r label server format <<<"$row"
        if ((WARMUP_SECS > 0)); then
            load "$server" "$format" "$WARMUP_SECS" >/dev/null
        fi
        before=$(cpu_ticks "$server")
        result=$(load "$server" "$format" "$RUN_SECS")
        after=$(cpu_ticks "$server")
        requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$result")
        cpu_us=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$TICKS_PER_SEC" \
            'BEGIN {printf "%.1f", (n > 0) ? t / hz * 1e6 / n : 0}')
        result="$result cpu_us=$cpu_us"
        echo "  round $round $label: ${result#RESULT }" >&2
        echo "$result" >>"$LOGS/$label.results"
    done
done

read -r END_XML_RSS END_XML_HWM < <(rss xml)
read -r END_JSON_RSS END_JSON_HWM < <(rss json)

# --- Report --------------------------------------------------------------------

# median FILE: the median line of FILE by requests/s.
median() {
    sort -t= -k2 -g "$1" | awk -v n="$(wc -l <"$1")" 'NR == int((n + 1) / 2)'
}
# field LINE KEY: KEY's value in a RESULT line.
field() {
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}
# total FILE KEY: KEY summed over the rounds.
total() {
    awk -v key="$2=" '{for (i = 1; i <= NF; i++) if (index($i, key) == 1) s += substr($i, length(key) + 1)} END {print s + 0}' "$1"
}
mib() {
    awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'
}
# verdict A B: whether A >= B.
verdict() {
    if awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; then echo "ok  "; else echo "MISS"; fi
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", 100 * a / b}'
}

declare -A RPS
echo
echo "xmpp-rest-bot end-to-end benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "machine: $CPUS CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); $placement; nice $NICE"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "workload: bench/messages.lua, wrk -t1 -c$CONNECTIONS keep-alive, ${RUN_SECS}s per run, median of $ROUNDS"
echo
printf '%-22s %10s %9s %9s %8s %7s %10s %10s\n' server req/s p50 p99 non-2xx errors "cpu/req" "vs ceiling"
for row in "${ROWS[@]}"; do
    read -r label server format <<<"$row"
    line=$(median "$LOGS/$label.results")
    rps=$(field "$line" rps)
    RPS[$label]=$rps
    ceiling=${RPS[raw-$format]}
    case $label in
        raw-xml) name="raw axum (xml posts)" ;;
        raw-json) name="raw axum (json posts)" ;;
        echo-xml) name="echo bot, xml" ;;
        echo-json) name="echo bot, json" ;;
        dialogue-xml) name="echo + dialogue, xml" ;;
        flask-xml) name="flask + gunicorn, xml" ;;
    esac
    printf '%-22s %10.0f %7.2fms %7.2fms %8d %7d %8.1fus %9.1f%%\n' "$name" "$rps" \
        "$(awk -v u="$(field "$line" p50_us)" 'BEGIN {print u / 1000}')" \
        "$(awk -v u="$(field "$line" p99_us)" 'BEGIN {print u / 1000}')" \
        "$(total "$LOGS/$label.results" non2xx)" "$(total "$LOGS/$label.results" socket_errors)" \
        "$(field "$line" cpu_us)" "$(ratio "$rps" "$ceiling")"
done
echo
echo "echo bot memory (VmRSS / VmHWM peak):"
printf '  %-4s idle: %s / %s   after the load: %s / %s\n' \
    xml "$(mib "$IDLE_XML_RSS")" "$(mib "$IDLE_XML_HWM")" "$(mib "$END_XML_RSS")" "$(mib "$END_XML_HWM")" \
    json "$(mib "$IDLE_JSON_RSS")" "$(mib "$IDLE_JSON_HWM")" "$(mib "$END_JSON_RSS")" "$(mib "$END_JSON_HWM")"
echo
echo "targets (issue 9):"
r=$(ratio "${RPS[echo-xml]}" "${RPS[raw-xml]}")
echo "  $(verdict "$r" 85) echo bot xml  >= 85% of the ceiling: $r%"
r=$(ratio "${RPS[echo-json]}" "${RPS[raw-json]}")
echo "  $(verdict "$r" 80) echo bot json >= 80% of the ceiling: $r%"
if [[ $FLASK == 1 ]]; then
    r=$(awk -v a="${RPS[echo-xml]}" -v b="${RPS[flask-xml]}" 'BEGIN {printf "%.1f", a / b}')
    echo "  $(verdict "$r" 20) echo bot xml  >= 20x the Flask bot: ${r}x"
fi
r=$(awk -v k="$IDLE_XML_RSS" 'BEGIN {printf "%.1f", k / 1024}')
echo "  $(verdict 8 "$r") echo bot idle RSS <= 8 MiB: $r MiB"
