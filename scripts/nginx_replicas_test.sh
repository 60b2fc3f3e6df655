#!/usr/bin/env bash
# Two replicas of examples/replica_bot.rs behind a real nginx that hashes on
# the sender: mod_rest's callback URL carries {from}, nginx picks the replica
# from the bare JID in it. Checks that every sender always reaches the same
# replica, whatever its resource, and that both replicas get traffic. Then restarts
# one replica (SIGTERM, start again) under steady load (scripts/post_load.py) and
# checks that no stanza is lost.
#
# Usage: scripts/nginx_replicas_test.sh   (installs nginx from Debian when missing, as root)
# Environment: SENDERS (24), LOAD_WORKERS (32), LOAD_SECONDS (6), and
# NEXT_UPSTREAM, the proxy_next_upstream line (default the book's,
# "error non_idempotent"; "error timeout" is nginx's default, which does not retry
# a post that met a closed connection), BOT (a replica_bot binary to run instead
# of building one: another version of the SDK).
# Takes well under a minute once the example is built; stops everything it starts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECRET=hook
SENDERS=${SENDERS:-24}
LOAD_WORKERS=${LOAD_WORKERS:-32}
LOAD_SECONDS=${LOAD_SECONDS:-6}
NEXT_UPSTREAM=${NEXT_UPSTREAM:-error non_idempotent}

log() { printf 'nginx-replicas: %s\n' "$*"; }
fail() { printf 'nginx-replicas: FAIL: %s\n' "$*" >&2; exit 1; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    [ "$(id -u)" = 0 ] || fail "nginx is missing (apt-get install nginx-light, as root)"
    log "installing nginx from Debian"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v curl >/dev/null || fail "curl is missing"

if [ -z "${BOT:-}" ]; then
    log "building the replica_bot example"
    BOT=$("$ROOT/scripts/build_example.sh" replica_bot)
fi
[ -x "$BOT" ] || fail "no binary at $BOT"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT_A=$(free_port); PORT_B=$(free_port); PORT_PROXY=$(free_port)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

BOT_SECRET=$SECRET "$BOT" "127.0.0.1:$PORT_A" a >"$WORK/a.log" 2>&1 &
PIDS+=($!)
BOT_SECRET=$SECRET "$BOT" "127.0.0.1:$PORT_B" b >"$WORK/b.log" 2>&1 &
PIDS+=($!)

# The configuration the book shows, with ports and paths of this run.
mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;

    # rest_callback_url = "http://127.0.0.1:$PORT_PROXY/$SECRET/{from}"
    # {from} arrives URL-encoded (alice%40example.org%2Fphone): the sender's
    # bare JID is the segment up to the encoded '/'. \$request_uri is the raw
    # URI, before nginx decodes %2F.
    map \$request_uri \$xmpp_sender {
        "~*^/[^/]+/(?<bare>[^/?]+?)(%2F|/|\?|\$)" \$bare;
        default "";
    }

    upstream xmpp_bots {
        hash \$xmpp_sender consistent;
        server 127.0.0.1:$PORT_A;
        server 127.0.0.1:$PORT_B;
        keepalive 16;
    }

    server {
        listen 127.0.0.1:$PORT_PROXY;
        client_max_body_size 192k;
        client_header_timeout 10s;
        client_body_timeout 10s;

        location = /metrics { return 404; }

        location / {
            proxy_pass http://xmpp_bots;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 30s;
            # A replica restarting closes its pooled connections: retry a
            # post that met a closed connection on the other replica.
            proxy_next_upstream $NEXT_UPSTREAM;
            proxy_next_upstream_tries 2;
        }
    }
}
CONF
"$NGINX" -t -q -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/nginx-t.log" || { cat "$WORK/nginx-t.log" >&2; fail "nginx rejected the configuration"; }
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>>"$WORK/error.log" &
PIDS+=($!)

wait_for() { # url
    for _ in $(seq 1 150); do
        if curl -s -o /dev/null -X OPTIONS "$1"; then return 0; fi
        sleep 0.1
    done
    fail "nothing answers at $1"
}
wait_for "http://127.0.0.1:$PORT_A/$SECRET/"
wait_for "http://127.0.0.1:$PORT_B/$SECRET/"
wait_for "http://127.0.0.1:$PORT_PROXY/$SECRET/"
log "replicas on $PORT_A (a) and $PORT_B (b), nginx on $PORT_PROXY"

# mod_rest's startup probe goes through the proxy too
probe=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$PORT_PROXY/$SECRET/bot.localhost")
[ "$probe" = 200 ] || fail "the startup probe got $probe"

declare -A replica_of
count_a=0; count_b=0; total=0
for i in $(seq 1 "$SENDERS"); do
    for resource in phone laptop Gajim.x1; do
        for n in 1 2; do
            from="user$i@example.org/$resource"
            encoded=$(printf '%s' "$from" | sed -e 's/@/%40/g' -e 's#/#%2f#g')
            body="<message type='chat' id='m$n' from='$from' to='bot@bot.localhost'><body>hi $n</body></message>"
            answer=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$PORT_PROXY/$SECRET/$encoded" \
                -H 'Content-Type: application/xmpp+xml' --data-binary "$body")
            status=${answer##*$'\n'}
            [ "$status" = 200 ] || fail "$from got HTTP $status: $answer"
            replica=$(printf '%s' "$answer" | sed -n 's/.*\[replica \([a-z]*\)\].*/\1/p')
            [ -n "$replica" ] || fail "$from: no replica in $answer"
            bare="user$i@example.org"
            if [ -n "${replica_of[$bare]:-}" ] && [ "${replica_of[$bare]}" != "$replica" ]; then
                fail "$bare reached replica ${replica_of[$bare]} and then $replica"
            fi
            replica_of[$bare]=$replica
            total=$((total + 1))
            if [ "$replica" = a ]; then count_a=$((count_a + 1)); else count_b=$((count_b + 1)); fi
        done
    done
done
log "$total messages from $SENDERS senders (3 resources each): replica a took $count_a, replica b $count_b"
[ "$count_a" -gt 0 ] && [ "$count_b" -gt 0 ] || fail "one replica got no traffic"

# the per-sender state agrees: each sender's count reached 6 in one replica
answer=$(curl -s "http://127.0.0.1:$PORT_PROXY/$SECRET/user1%40example.org%2fphone" \
    -H 'Content-Type: application/xmpp+xml' \
    --data-binary "<message type='chat' from='user1@example.org/phone' to='bot@bot.localhost'><body>again</body></message>")
case "$answer" in
    *"#7 again"*) ;;
    *) fail "the sender's state did not stay in one replica: $answer" ;;
esac

# the metrics are not forwarded by the proxy; each replica counted its share
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_PROXY/metrics")
[ "$status" = 404 ] || fail "the proxy forwards /metrics ($status)"
replies() {
    curl -s "http://127.0.0.1:$1/metrics" |
        sed -n 's/^xmpp_webhook_requests_total{kind="message",outcome="reply"} //p'
}
ma=$(replies "$PORT_A"); mb=$(replies "$PORT_B")
[ $((ma + mb)) = $((total + 1)) ] || fail "metrics count $ma + $mb replies, expected $((total + 1))"
log "metrics agree: a replied $ma times, b $mb times"

# A restart of replica a under steady load: SIGTERM, wait for it to exit, start
# it again on the same port. Every stanza must be answered.
log "restarting replica a under load ($LOAD_WORKERS workers for ${LOAD_SECONDS}s, proxy_next_upstream $NEXT_UPSTREAM)"
python3 "$ROOT/scripts/post_load.py" "http://127.0.0.1:$PORT_PROXY/$SECRET" \
    "$LOAD_WORKERS" "$LOAD_SECONDS" >"$WORK/load.out" 2>&1 &
LOAD=$!
sleep "$(python3 -c "print($LOAD_SECONDS / 3)")"
PID_A=${PIDS[0]}
stopped_at=$(date +%s.%N)
kill -TERM "$PID_A"
wait "$PID_A" || fail "replica a exited with $? after SIGTERM"
exited_in=$(python3 -c "import time; print(f'{time.time() - $stopped_at:.2f}')")
log "replica a exited ${exited_in}s after SIGTERM"
BOT_SECRET=$SECRET "$BOT" "127.0.0.1:$PORT_A" a 2>>"$WORK/a.log" &
PIDS[0]=$!
wait_for "http://127.0.0.1:$PORT_A/$SECRET/"
log "replica a is back"
load_status=0
wait "$LOAD" || load_status=$?
sed 's/^/nginx-replicas: /' "$WORK/load.out"
[ "$load_status" = 0 ] || fail "stanzas were lost while replica a restarted"
log "PASS"
