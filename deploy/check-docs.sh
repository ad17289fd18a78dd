#!/usr/bin/env bash
# The API explorer of every service renders in headless Chromium while every host but
# loopback is unresolvable: the explorer needs nothing from outside the machine.
# Then the same page is opened under a host name that is not loopback (mapped to it),
# as a colleague on the network would open it: Swagger UI behaves differently there (its
# online validator badge appears for any name but localhost), so the page must make no
# request to any other host and show no validator badge.
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

docs_host=docs.continuity.test

# render NAME URL RESOLVER_RULES: the page's DOM after scripts ran, in $work/NAME.html,
# and every network event Chromium logged, in $work/NAME.netlog.json.
render() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --disable-sync \
        --disable-features=AutofillServerCommunication \
        --user-data-dir="$work/chromium-$1" --host-resolver-rules="$3" \
        --log-net-log="$work/$1.netlog.json" \
        --virtual-time-budget=10000 --dump-dom "$2" 2>/dev/null >"$work/$1.html"
}

status=0
for s in STAFFING TRAINING_RECORD PROCESS_CHANGE SCHEDULING; do
    name=$(echo "$s" | tr 'A-Z_' 'a-z-')
    base="http://127.0.0.1:${port[$s]}"
    for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/health/ready" && break; sleep 0.2; done
    curl -sf "$base/openapi.json" >"$work/openapi.json"
    render "$s-loopback" "$base/docs/" "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
    # Rendered means: every path of the document is drawn as an operation.
    if python3 - "$work/openapi.json" "$work/$s-loopback.html" "$name" <<'PY'
import json, sys
paths = json.load(open(sys.argv[1]))["paths"]
dom = open(sys.argv[2]).read()
missing = [p for p in paths if f'data-path="{p}"' not in dom]
print(f"{sys.argv[3]}: /docs/ rendered {len(paths) - len(missing)} of {len(paths)} paths")
sys.exit(1 if missing or not paths else 0)
PY
    then :; else status=1; fi

    render "$s-named" "http://$docs_host:${port[$s]}/docs/" \
        "MAP $docs_host 127.0.0.1, MAP * ~NOTFOUND"
    if python3 - "$work/$s-named.netlog.json" "$work/$s-named.html" "$name" "$docs_host" \
        "http://$docs_host:${port[$s]}/docs/swagger-initializer.js" <<'PY'
import json, re, sys, urllib.request
from urllib.parse import urlsplit
netlog, dom_file, name, host, initializer = sys.argv[1:]
log = json.load(open(netlog))
start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
site = "http://" + host.split(".", 1)[1]  # the page's site, as Chromium keys its requests
# The requests the page made: started in its context (its site isolates them) or by it.
# Chromium's own background requests (updates, accounts) are keyed otherwise; its
# autofill queries, keyed to the page, are switched off above.
urls = {p["url"] for e in log["events"] if e["type"] == start_job
        for p in [e.get("params", {})]
        if p.get("network_isolation_key", "").split(" ")[0] == site
        or p.get("initiator", "").startswith(f"http://{host}")}
outside = sorted({urlsplit(u).hostname for u in urls} - {host})
dom = open(dom_file).read()
badge = "validator.swagger.io" in dom
# The page's own configuration must switch the validator off (Swagger UI's default
# calls validator.swagger.io whenever the page is not opened as localhost).
config = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
    initializer.replace(host, "127.0.0.1")).read().decode()
validator_off = re.search(r'"validatorUrl"\s*:\s*"none"', config) is not None
rendered = 'data-path="' in dom
print(f"{name}: /docs/ as {host}: {len(urls)} requests, other hosts {outside or 'none'}, "
      f"validator badge {'shown' if badge else 'absent'}, validatorUrl none: {validator_off}")
sys.exit(1 if outside or badge or not validator_off or not rendered or not urls else 0)
PY
    then :; else status=1; fi
done
exit $status
