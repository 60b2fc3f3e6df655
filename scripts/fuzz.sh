#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ (cargo-fuzz, libFuzzer) for a bounded time,
# starting from and adding to the corpus in fuzz/corpus/<target>, which is
# then minimised (cargo fuzz cmin) so that it stays small enough to commit.
# Crashes go to fuzz/artifacts/<target>/ and make the script fail.
#
# Usage: scripts/fuzz.sh [target...]   (FUZZ_SECONDS=60 per target by default)
# Targets: xml_decode, json_decode, webhook_request.
#
# cargo fuzz needs a nightly compiler: the script uses the nightly toolchain
# when rustup has one, and otherwise the stable one with RUSTC_BOOTSTRAP=1
# (which lets stable accept the -Z flags cargo fuzz passes). Not for CI's
# critical path: run it by hand.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=(xml_decode json_decode webhook_request); fi

log() { printf 'fuzz: %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked
fi

if rustup run nightly rustc --version >/dev/null 2>&1; then
    TOOLCHAIN=(+nightly)
    log "toolchain: $(rustup run nightly rustc --version)"
else
    TOOLCHAIN=()
    export RUSTC_BOOTSTRAP=1
    log "toolchain: $(rustc --version) with RUSTC_BOOTSTRAP=1 (no nightly installed)"
fi

cd "$ROOT/fuzz"
FIXTURES="$ROOT/xmpp-rest-bot/tests/fixtures"

# Seeds, on the first run: the test fixtures (for the request target, behind
# the selector byte that picks POST / with the XML or the JSON content type).
seed() { # target
    local dir="corpus/$1"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    mkdir -p "$dir"
    case "$1" in
        xml_decode)
            for f in "$FIXTURES"/xml/*.xml; do cp "$f" "$dir/xml-$(basename "$f")"; done
            for f in "$FIXTURES"/json/xml/*.xml; do cp "$f" "$dir/jsonxml-$(basename "$f")"; done
            ;;
        json_decode)
            for f in "$FIXTURES"/json/*.json; do cp "$f" "$dir/json-$(basename "$f")"; done
            ;;
        webhook_request)
            for f in "$FIXTURES"/xml/*.xml; do
                { printf '\000'; cat "$f"; } >"$dir/xml-$(basename "$f")"
            done
            for f in "$FIXTURES"/json/*.json; do
                { printf '\001'; cat "$f"; } >"$dir/json-$(basename "$f")"
            done
            ;;
    esac
}

status=0
for target in "${TARGETS[@]}"; do
    seed "$target"
    before=$(ls "corpus/$target" | wc -l)
    log "$target: ${SECONDS_PER_TARGET}s from $before corpus entries"
    if ! cargo "${TOOLCHAIN[@]}" fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 2>"$target.log"; then
        log "$target: FAILED, see fuzz/$target.log and fuzz/artifacts/$target/"
        tail -n 40 "$target.log" >&2
        status=1
        continue
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$target.log" |
        sed "s/^/fuzz: $target: /" || true
    cargo "${TOOLCHAIN[@]}" fuzz cmin "$target" "corpus/$target" >"$target.cmin.log" 2>&1 ||
        log "$target: cmin failed (see fuzz/$target.cmin.log); corpus kept as is"
    log "$target: corpus $before -> $(ls "corpus/$target" | wc -l) entries, $(cat "corpus/$target"/* | wc -c) bytes"
    rm -f "$target.log" "$target.cmin.log"
done
exit "$status"
