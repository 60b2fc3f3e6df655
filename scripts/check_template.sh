#!/usr/bin/env bash
# Proves that template/ works for a user: generates a project from it with the
# real cargo-generate, then builds the project and runs its tests against this
# checkout of the SDK (the generated Cargo.toml asks for xmpp-rest-bot from
# crates.io; a `[patch.crates-io]` given on the command line points it here,
# leaving the generated files as a user gets them).
#
# Installs cargo-generate when it is missing (a few minutes: it builds libgit2),
# and the headers it needs. Network: crates.io only.
#
# Usage: scripts/check_template.sh   (CARGO_TARGET_DIR is shared when set,
#                                     else the workspace's target/ is used)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
CARGO_GENERATE_VERSION=0.23.14
name=xrb-template-check
component=ops.example.net

# cargo-generate builds OpenSSL and zlib bindings (git2, for templates in
# repositories): it needs their headers and pkg-config.
need=()
for pkg in libssl-dev zlib1g-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "check_template: install ${need[*]} (no apt-get here)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi

if ! cargo generate --version 2>/dev/null | grep -q " $CARGO_GENERATE_VERSION\$"; then
  echo "check_template: installing cargo-generate $CARGO_GENERATE_VERSION"
  # Its own target dir: a shared one would keep its build for nothing.
  env -u CARGO_TARGET_DIR cargo install --locked "cargo-generate@$CARGO_GENERATE_VERSION"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo generate --path "$repo/template" --name "$name" --destination "$work" \
  --define component="$component" --vcs none --silent
project="$work/$name"

# Every placeholder rendered, the component's domain where it belongs.
if grep -rn -e '{{' -e '{%' "$project"; then
  echo "check_template: placeholders left in the generated project" >&2
  exit 1
fi
grep -q "Component \"$component\" \"rest\"" "$project/prosody.cfg.lua"
grep -q "^name = \"$name\"" "$project/Cargo.toml"
test ! -e "$project/cargo-generate.toml"

# The workspace's lock file pins the same versions of the dependencies, so
# that the shared target dir already holds most of them.
cp "$repo/Cargo.lock" "$project/Cargo.lock"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
local_sdk=(--config "patch.crates-io.xmpp-rest-bot.path=\"$repo/xmpp-rest-bot\"")

cd "$project"
cargo build "${local_sdk[@]}"
cargo test "${local_sdk[@]}"
cargo clippy "${local_sdk[@]}" --all-targets -- -D warnings
echo "check_template: ok (generated, built and tested $name against $repo/xmpp-rest-bot)"
