#!/usr/bin/env bash
# Proves that template/ works for a user: generates projects from it with the
# real cargo-generate, without a terminal, then builds each and runs its tests
# against this checkout of the SDK:
#   1. inside this repository with every default (the SDK by the relative path
#      ../xmpp-rest-bot), checking that the repository's own Cargo.toml is left
#      alone;
#   2. elsewhere, asking for xmpp-rest-bot from crates.io as a user will once
#      it is published, with conversations in SQLite; a `[patch.crates-io]`
#      given on the command line points it here, leaving the generated files
#      as a user gets them.
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
inside="$repo/$name"
test ! -e "$inside" || { echo "check_template: $inside exists already" >&2; exit 1; }
trap 'rm -rf "$work" "$inside"' EXIT

# Every placeholder rendered, the component's domain where it belongs.
check_rendered() {
  local project=$1 component=$2
  if grep -rn -e '{{' -e '{%' "$project"; then
    echo "check_template: placeholders left in $project" >&2
    exit 1
  fi
  grep -q "Component \"$component\" \"rest\"" "$project/prosody.cfg.lua"
  grep -q "^name = \"$name\"" "$project/Cargo.toml"
  test ! -e "$project/cargo-generate.toml"
}

# Builds, tests and lints a generated project. The workspace's lock file pins
# the same versions of the dependencies, so that the shared target dir already
# holds most of them.
check_builds() {
  local project=$1
  shift
  cp "$repo/Cargo.lock" "$project/Cargo.lock"
  (
    cd "$project"
    cargo build "$@"
    cargo test "$@"
    cargo clippy "$@" --all-targets -- -D warnings
    # Installed by .ci/run; run alone, the script leaves this check out when
    # it is missing.
    if cargo machete --version >/dev/null 2>&1; then
      cargo machete --skip-target-dir .
    else
      echo "check_template: cargo-machete is not installed: unused dependencies not checked"
    fi
  )
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

echo "check_template: 1. inside the repository, defaults, no terminal"
root_manifest="$(sha256sum "$repo/Cargo.toml")"
(cd "$repo" && cargo generate --path template --name "$name" --no-workspace --vcs none \
  --silent </dev/null)
if [ "$(sha256sum "$repo/Cargo.toml")" != "$root_manifest" ]; then
  echo "check_template: generating inside the repository changed its Cargo.toml" >&2
  exit 1
fi
check_rendered "$inside" bot.localhost
grep -q 'xmpp-rest-bot = { path = "../xmpp-rest-bot",' "$inside/Cargo.toml"
check_builds "$inside"

echo "check_template: 2. elsewhere, from crates.io (patched to this checkout), conversations in SQLite"
cargo generate --path "$repo/template" --name "$name" --destination "$work" \
  --define component="$component" --define sdk_source=crates-io --define storage=sqlite \
  --vcs none --silent </dev/null
project="$work/$name"
check_rendered "$project" "$component"
grep -q 'xmpp-rest-bot = { version = "0.1", default-features = false, features = \["macros", "sqlite"\] }' "$project/Cargo.toml"
check_builds "$project" --config "patch.crates-io.xmpp-rest-bot.path=\"$repo/xmpp-rest-bot\""

echo "check_template: ok (generated, built and tested $name against $repo/xmpp-rest-bot)"
