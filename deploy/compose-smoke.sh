#!/usr/bin/env bash
# The compose smoke test: builds the image with deploy/Dockerfile, starts docker-compose.yml
# (PostgreSQL and the four services), waits until every container is healthy, runs a
# resignation through the containers' published ports, checks that the data (recordings
# included) survives `docker-compose restart`, then removes everything (`down -v`).
#
# What it needs, it installs (Debian's docker.io, docker-compose, debootstrap) and starts
# (dockerd), as root. Base images it cannot pull it makes once and keeps:
#   debian:bookworm-slim  debootstrap --variant=minbase bookworm, imported
#   rust:<version>        the machine's own toolchain on that base (deploy/standins/rust.Dockerfile)
#   postgres:16           Debian's PostgreSQL on that base with the official image's entry
#                         point behaviour (deploy/standins/postgres.Dockerfile)
# Where the official images can be pulled, they are used and nothing is made.
# Dependencies are vendored (`cargo vendor`) so the image build needs no network.
#
# Environment: CONTINUITY_SMOKE_PORT (first of four host ports, default 18081),
# CONTINUITY_SMOKE_KEEP=1 (leave the containers running for a look; `down -v` yourself).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=continuity-smoke
PORT=${CONTINUITY_SMOKE_PORT:-18081}
MIRROR=${CONTINUITY_SMOKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
T0=$(date +%s)
log() { printf '[compose-smoke +%ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

# --- tools and engine ------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
        "${missing[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || fail "dockerd did not start (see /var/log/dockerd.log)"
fi

# --- the compose file, as the compose spec and Debian's docker-compose read it ------------
command -v check-jsonschema >/dev/null || pip install -q check-jsonschema
check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml >/dev/null ||
    fail "docker-compose.yml does not follow the compose spec"

# --- base images -----------------------------------------------------------------------
arg() { sed -n "s/^ARG $1=//p" deploy/Dockerfile; }
RUST_IMAGE=$(arg RUST_IMAGE)
RUNTIME_IMAGE=$(arg RUNTIME_IMAGE)
PG_IMAGE=$(sed -n 's/^ *image: *\(postgres:.*\)$/\1/p' docker-compose.yml)
have() { docker image inspect "$1" >/dev/null 2>&1; }
# A registry that cannot be reached fails fast enough; one that can is simply used.
pulled() { timeout 60 docker pull -q "$1" >/dev/null 2>&1; }

if ! have "$RUNTIME_IMAGE" && ! pulled "$RUNTIME_IMAGE"; then
    log "making $RUNTIME_IMAGE with debootstrap"
    root=$(mktemp -d /var/tmp/continuity-rootfs.XXXXXX)
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import - "$RUNTIME_IMAGE" >/dev/null
    rm -rf "$root"
fi
if ! have "$RUST_IMAGE" && ! pulled "$RUST_IMAGE"; then
    sysroot=$(rustc --print sysroot)
    log "making $RUST_IMAGE from $sysroot"
    ctx=$(mktemp -d /var/tmp/continuity-rust.XXXXXX)
    # Hard links when on the same file system: no copy of the 600 MB toolchain on disk.
    for part in bin lib libexec; do
        cp -al "$sysroot/$part" "$ctx/" 2>/dev/null || cp -a "$sysroot/$part" "$ctx/"
    done
    docker build -q -t "$RUST_IMAGE" -f deploy/standins/rust.Dockerfile "$ctx" >/dev/null
    rm -rf "$ctx"
fi
if ! have "$PG_IMAGE" && ! pulled "$PG_IMAGE"; then
    log "making $PG_IMAGE from Debian's PostgreSQL"
    docker build -q -t "$PG_IMAGE" -f deploy/standins/postgres.Dockerfile deploy/standins >/dev/null
fi

# --- build -----------------------------------------------------------------------------
# vendor/ is made again only when Cargo.lock changed (cargo vendor waits for the package
# cache's lock, which other builds on the machine may hold for a while).
lock_sum=$(sha256sum Cargo.lock | cut -d' ' -f1)
if [ ! -d vendor ] || [ "$(cat .vendor-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
    log "cargo vendor"
    cargo vendor --locked --offline vendor >/dev/null 2>&1 || cargo vendor --locked vendor >/dev/null
    echo "$lock_sum" >.vendor-lock.sha256
fi
ENV_FILE=$(mktemp /tmp/continuity-smoke-env.XXXXXX)
deploy/make-env.sh >"$ENV_FILE"
printf 'STAFFING_PORT=%s\nTRAINING_RECORD_PORT=%s\nPROCESS_CHANGE_PORT=%s\nSCHEDULING_PORT=%s\n' \
    "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 3)) >>"$ENV_FILE"
compose() { docker-compose -p "$PROJECT" --env-file "$ENV_FILE" "$@"; }
cleanup() {
    status=$?
    if [ "$status" != 0 ]; then
        compose ps || true
        compose logs --tail 40 || true
    fi
    if [ "${CONTINUITY_SMOKE_KEEP:-}" = 1 ]; then
        log "kept running: docker-compose -p $PROJECT --env-file $ENV_FILE down -v"
    else
        compose down -v --remove-orphans >/dev/null 2>&1 || true
        rm -f "$ENV_FILE"
    fi
    log "total $(($(date +%s) - T0)) s"
}
trap cleanup EXIT
compose config -q || fail "docker-compose $(docker-compose version --short) refuses docker-compose.yml"
compose down -v --remove-orphans >/dev/null 2>&1 || true

b0=$(date +%s)
# The four services share one image (continuity:latest): building it for one builds it for
# all, and saves sending the build context four times.
log "docker-compose build staffing"
compose build -q staffing
log "image built in $(($(date +%s) - b0)) s: $(docker image inspect continuity:latest -f '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}')"

# The image: a non-root user, and nothing to build with.
user=$(docker image inspect continuity:latest -f '{{.Config.User}}')
[ "$user" = "10001:10001" ] || fail "image user is '$user'"
tools=$(docker run --rm --entrypoint sh continuity:latest -c 'command -v cargo rustc gcc cc make || true')
[ -z "$tools" ] || fail "build tools in the image: $tools"

# --- up, healthy -----------------------------------------------------------------------
SERVICES=(postgres staffing training-record process-change scheduling)
wait_healthy() { # up to 3 minutes
    for _ in $(seq 1 90); do
        states=$(docker inspect -f '{{.State.Health.Status}}' "${IDS[@]}" | sort -u)
        [ "$states" = healthy ] && return 0
        sleep 2
    done
    fail "not every container became healthy: $(docker inspect -f '{{.Name}} {{.State.Health.Status}}' "${IDS[@]}")"
}
log "docker-compose up -d"
compose up -d --no-build
IDS=()
for s in "${SERVICES[@]}"; do IDS+=("$(compose ps -q "$s")"); done
wait_healthy
log "all healthy"

# --- the resignation walkthrough --------------------------------------------------------
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
S=http://127.0.0.1:$PORT TR=http://127.0.0.1:$((PORT + 1))
AUTH="Authorization: Bearer $CONTINUITY_ADMIN_TOKEN"
H='Content-Type: application/json'
call() { # method url [curl args...]: the body; fails on any status >= 400
    curl -fsS -X "$1" "$2" -H "$AUTH" "${@:3}" || fail "$1 $2"
}
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
eventually() { # description command...: retries for 30 s
    local what=$1
    shift
    for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    fail "$what"
}

call PUT "$S/v1/employees/E2001" -H "$H" \
    -d '{"name": "Zhao Lei", "department_code": "sales", "hire_date": "2019-04-01"}' >/dev/null
call PUT "$S/v1/employees/E2002" -H "$H" \
    -d '{"name": "Qian Li", "department_code": "sales", "hire_date": "2020-09-01"}' >/dev/null
P=$(call POST "$S/v1/projects" -H "$H" \
    -d '{"name": "CRM roll-out", "status": "in_progress", "planned_start": "2026-10-01", "planned_go_live": "2027-06-01"}' |
    field project_id)
[ -n "$P" ] || fail "no project id"
call PUT "$S/v1/projects/$P/members/E2001" -H "$H" -d '{"role": "key_user"}' >/dev/null
call PUT "$S/v1/projects/$P/members/E2002" -H "$H" -d '{"role": "member", "backup_for": "E2001"}' >/dev/null
log "project $P with E2001 (key user) and E2002 (backup)"

# A required session with a recording, in training-record, once its roster copy has the
# project (staffing's events travel between the containers).
eventually "training-record never saw project $P and its team" \
    sh -c "curl -fsS '$TR/v1/roster/projects?limit=500' -H '$AUTH' | grep -q '$P' &&
           curl -fsS '$TR/v1/roster/projects/$P/members' -H '$AUTH' | grep -q E2002"
SES=$(call POST "$TR/v1/projects/$P/training-sessions" -H "$H" \
    -d '{"title": "Leads and quotes", "module": "leads", "held_on": "2026-11-02", "trainer": "Wang", "duration_minutes": 60, "departments": ["sales"]}' |
    field session_id)
REC=$(mktemp)
head -c 1048576 /dev/urandom >"$REC"
REC_SHA=$(sha256sum "$REC" | cut -d' ' -f1)
M=$(call POST "$TR/v1/training-sessions/$SES/materials?filename=rec.webm&kind=video&duration_seconds=3600" \
    -H 'Content-Type: video/webm' --data-binary @"$REC" | field material_id)
rm -f "$REC"
[ -n "$M" ] || fail "no material id"
log "session $SES with a 1 MiB recording $M"

# The HR system's signed resignation of E2001 (Standard Webhooks, as in the README).
KEY=$(printf %s "${CONTINUITY_HR_WEBHOOK_SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
ID=msg_$(date +%s%N) TS=$(date +%s)
BODY='{"type":"employee.resigned","data":{"employee_id":"E2001","notice_date":"'$(date +%F)'","last_working_day":"2027-03-31","reason":"Moving abroad"}}'
SIG=$(printf %s "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | base64)
answer=$(curl -sS -X POST "$S/v1/hr/events" -H "$H" -H "webhook-id: $ID" \
    -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" -d "$BODY" -w ' %{http_code}')
case "$answer" in
    *'"status":"applied"'*' 202') log "HR resignation applied" ;;
    *) fail "HR resignation: $answer" ;;
esac
HO=$(call GET "$S/v1/handovers?project=$P" | field handover_id)
[ -n "$HO" ] || fail "no handover for project $P"
handover() { call GET "$S/v1/handovers/$HO"; }
grep -q '"assigned_employee_id":"E2002"' <<<"$(handover)" || fail "E2002 is not the successor: $(handover)"
# Training-record's report on the successor's plan reaches staffing: one session required.
eventually "training-record's progress never reached the handover" \
    sh -c "curl -fsS '$S/v1/handovers/$HO' -H '$AUTH' | grep -q '\"training\":{\"done\":0,\"required\":1'"
log "handover $HO: successor E2002, training 0 of 1 reported by training-record"

# --- the roles: no service reaches another's database -----------------------------------
if compose exec -T postgres psql -Atq \
    "postgresql://staffing:$STAFFING_DB_PASSWORD@127.0.0.1/continuity_training_record" \
    -c 'select 1' >/dev/null 2>&1; then
    fail "staffing's role can connect to training-record's database"
fi
compose exec -T postgres psql -Atq \
    "postgresql://staffing:$STAFFING_DB_PASSWORD@127.0.0.1/continuity_staffing" -c 'select 1' >/dev/null ||
    fail "staffing's role cannot connect to its own database"
log "each role reaches its own database only"

# --- restart: the data stays ------------------------------------------------------------
status() { python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])'; }
before=$(handover | status)
log "docker-compose restart"
compose restart >/dev/null
wait_healthy
after=$(handover | status)
[ -n "$after" ] && [ "$after" = "$before" ] || fail "handover after restart: '$after' (was '$before')"
got=$(call GET "$TR/v1/materials/$M/content" | sha256sum | cut -d' ' -f1)
[ "$got" = "$REC_SHA" ] || fail "the recording changed across the restart"
grep -q '"status":"leaving"' <<<"$(call GET "$S/v1/employees/E2001")" || fail "E2001 is not leaving after restart"
log "after restart: handover $after, E2001 leaving, recording intact"

# --- the README's backup commands for this deployment -----------------------------------
BK=$(mktemp -d)
for s in staffing training_record process_change scheduling; do
    compose exec -T postgres pg_dump -U postgres -Fc "continuity_$s" >"$BK/$s.dump"
    docker exec -i "${IDS[0]}" pg_restore -l <"$BK/$s.dump" >"$BK/$s.list" ||
        fail "pg_restore cannot read the dump of continuity_$s"
    grep -q 'TABLE DATA public outbox_events' "$BK/$s.list" ||
        fail "the dump of continuity_$s has no outbox data: $(head -c 2000 "$BK/$s.list")"
done
compose exec -T training-record tar -C /var/lib/continuity/training-materials -c . >"$BK/recordings.tar"
# Not `tar -tf | grep -q`: under pipefail, grep leaving early makes tar die of SIGPIPE.
[ -n "$(tar -tf "$BK/recordings.tar")" ] || fail "no recording in the backup"
log "backup: $(du -sh "$BK" | cut -f1) in four dumps and the recordings"
rm -rf "$BK"
log "ok"
