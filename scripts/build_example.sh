#!/usr/bin/env bash
# Builds an example (package xmpp-rest-bot-examples) and prints the path of its executable
# (wherever the target directory is). Usage: scripts/build_example.sh NAME [--release]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
name=$1
shift
cd "$ROOT"
cargo build -q -p xmpp-rest-bot-examples --example "$name" "$@" --message-format=json |
    python3 -c '
import json, sys
name = sys.argv[1]
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == name and msg.get("executable"):
        print(msg["executable"])
' "$name"
