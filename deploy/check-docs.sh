#!/usr/bin/env bash
# The API explorer of every service renders in headless Chromium while every host but
# loopback is unresolvable: the explorer needs nothing from outside the machine.
# Usage: deploy/check-docs.sh [path/to/continuity]   (default target/debug/continuity)
set -euo pipefail
bin="${1:-target/debug/continuity}"
if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port
for s in STAFFING TRAINING_RECORD PROCESS_CHANGE SCHEDULING; do
    port[$s]=$(free_port)
    export "CONTINUITY_${s}__PORT=${port[$s]}"
done
CONTINUITY_DATA_DIR="$work/data" CONTINUITY_LOG__LEVEL=warn "$bin" >"$work/suite.log" 2>&1 &
pid=$!

status=0
for s in STAFFING TRAINING_RECORD PROCESS_CHANGE SCHEDULING; do
    base="http://127.0.0.1:${port[$s]}"
    for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/health/ready" && break; sleep 0.2; done
    curl -sf "$base/openapi.json" >"$work/openapi.json"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --disable-sync \
        --user-data-dir="$work/chromium-$s" \
        --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" \
        --virtual-time-budget=10000 --dump-dom "$base/docs/" 2>/dev/null >"$work/dom.html"
    # Rendered means: every path of the document is drawn as an operation.
    if python3 - "$work/openapi.json" "$work/dom.html" "$s" <<'PY'
import json, sys
paths = json.load(open(sys.argv[1]))["paths"]
dom = open(sys.argv[2]).read()
missing = [p for p in paths if f'data-path="{p}"' not in dom]
print(f"{sys.argv[3].lower()}: /docs/ rendered {len(paths) - len(missing)} of {len(paths)} paths")
sys.exit(1 if missing or not paths else 0)
PY
    then :; else status=1; fi
done
exit $status
