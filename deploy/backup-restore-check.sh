#!/usr/bin/env bash
# Backup and restore, tested: runs the suite (the all-in-one binary given), gives every
# service records (staffing: people, a project, its team, a resignation and its handover;
# training-record: a session with a 1 MiB recording and the successor's plan;
# process-change: a change; scheduling: its copy of the roster), backs it up WHILE it runs
# with deploy/backup.sh, stops it, restores with deploy/restore.sh into a fresh data
# directory (SQLite) or fresh databases (PostgreSQL), starts a new suite there and checks
# that every record reads back byte for byte, the recording included.
#
#   deploy/backup-restore-check.sh BINARY [POSTGRES_ADMIN_URL]
# Without the URL, SQLite only.
set -euo pipefail
BIN=$(realpath "$1")
cd "$(dirname "$0")/.."
PG=${2:-}
PORT=${CONTINUITY_BACKUP_CHECK_PORT:-28081}
WORK=$(mktemp -d /tmp/continuity-backup-check.XXXXXX)
PID=
DBS=()
log() { printf '[backup-check] %s\n' "$*"; }
fail() { log "FAILED: $*"; exit 1; }
cleanup() {
    [ -z "$PID" ] || { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    for db in "${DBS[@]}"; do
        psql "$PG" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

CONTINUITY_ADMIN_TOKEN="adm_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
CONTINUITY_SERVICE_TOKEN="svc_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
CONTINUITY_HR_WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
export CONTINUITY_ADMIN_TOKEN CONTINUITY_SERVICE_TOKEN CONTINUITY_HR_WEBHOOK_SECRET
export CONTINUITY_STAFFING__PORT=$PORT CONTINUITY_TRAINING_RECORD__PORT=$((PORT + 1))
export CONTINUITY_PROCESS_CHANGE__PORT=$((PORT + 2)) CONTINUITY_SCHEDULING__PORT=$((PORT + 3))
export CONTINUITY_LOG__LEVEL=warn
S=http://127.0.0.1:$PORT TR=http://127.0.0.1:$((PORT + 1))
PC=http://127.0.0.1:$((PORT + 2)) SC=http://127.0.0.1:$((PORT + 3))
AUTH="Authorization: Bearer $CONTINUITY_ADMIN_TOKEN"
H='Content-Type: application/json'
SERVICES=(staffing training-record process-change scheduling)

start() { # data_dir [service=url...]: the suite, until all four are ready
    local data=$1
    shift
    local env=(CONTINUITY_DATA_DIR="$data")
    for pair in "$@"; do
        local var=${pair%%=*}
        var=${var//-/_}
        env+=("CONTINUITY_${var^^}__DATABASE_URL=${pair#*=}")
    done
    (cd "$WORK" && exec env "${env[@]}" "$BIN") >>"$WORK/suite.log" 2>&1 &
    PID=$!
    for url in "$S" "$TR" "$PC" "$SC"; do
        for _ in $(seq 1 120); do
            curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null && continue 2
            kill -0 "$PID" 2>/dev/null || { tail -20 "$WORK/suite.log"; fail "the suite stopped"; }
            sleep 0.5
        done
        fail "$url not ready"
    done
}
stop() { kill "$PID"; wait "$PID" || true; PID=; }
call() { curl -fsS -X "$1" "$2" -H "$AUTH" "${@:3}" || fail "$1 $2"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
eventually() {
    local what=$1
    shift
    for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    fail "$what"
}

records() { # the records, read back: one file per record
    local out=$1
    mkdir -p "$out"
    call GET "$S/v1/employees/E2001" >"$out/employee-E2001"
    call GET "$S/v1/employees/E2002" >"$out/employee-E2002"
    call GET "$S/v1/projects/$P" >"$out/project"
    call GET "$S/v1/projects/$P/members" >"$out/members"
    call GET "$S/v1/handovers/$HO" >"$out/handover"
    call GET "$S/v1/audit?entity=employee&id=E2001" >"$out/audit-E2001"
    call GET "$TR/v1/projects/$P/training-sessions" >"$out/sessions"
    call GET "$TR/v1/projects/$P/catch-up/E2002" >"$out/catch-up-E2002"
    call GET "$TR/v1/materials/$M/content" | sha256sum >"$out/recording.sha256"
    call GET "$PC/v1/process-changes/$C" >"$out/process-change"
    call GET "$SC/v1/roster/employees?limit=500" >"$out/scheduling-roster"
}

populate() {
    call PUT "$S/v1/employees/E2001" -H "$H" \
        -d '{"name": "Zhao Lei", "department_code": "sales", "hire_date": "2019-04-01"}' >/dev/null
    call PUT "$S/v1/employees/E2002" -H "$H" \
        -d '{"name": "Qian Li", "department_code": "sales", "hire_date": "2020-09-01"}' >/dev/null
    P=$(call POST "$S/v1/projects" -H "$H" \
        -d '{"name": "CRM roll-out", "status": "in_progress", "planned_start": "2026-10-01", "planned_go_live": "2027-06-01"}' |
        field project_id)
    call PUT "$S/v1/projects/$P/members/E2001" -H "$H" -d '{"role": "key_user"}' >/dev/null
    call PUT "$S/v1/projects/$P/members/E2002" -H "$H" -d '{"role": "member", "backup_for": "E2001"}' >/dev/null
    eventually "training-record never saw the team" \
        sh -c "curl -fsS '$TR/v1/roster/projects/$P/members' -H '$AUTH' | grep -q E2002"
    SES=$(call POST "$TR/v1/projects/$P/training-sessions" -H "$H" \
        -d '{"title": "Leads and quotes", "module": "leads", "held_on": "2026-11-02", "trainer": "Wang", "duration_minutes": 60, "departments": ["sales"]}' |
        field session_id)
    head -c 1048576 /dev/urandom >"$WORK/rec.webm"
    M=$(call POST "$TR/v1/training-sessions/$SES/materials?filename=rec.webm&kind=video&duration_seconds=3600" \
        -H 'Content-Type: video/webm' --data-binary @"$WORK/rec.webm" | field material_id)
    eventually "process-change never saw the project" \
        sh -c "curl -fsS '$PC/v1/roster/projects?limit=500' -H '$AUTH' | grep -q '$P'"
    C=$(call POST "$PC/v1/projects/$P/process-changes" -H "$H" \
        -d '{"process": "Order to cash", "step": "Approve discount", "before": "On paper", "after": "In the CRM", "reason": "One record", "departments": ["sales"], "effective_date": "2026-12-15"}' |
        field change_id)
    call PUT "$S/v1/employees/E2001" -H "$H" \
        -d '{"name": "Zhao Lei", "department_code": "sales", "hire_date": "2019-04-01", "status": "leaving", "last_working_day": "2027-03-31"}' >/dev/null
    HO=$(call GET "$S/v1/handovers?project=$P" | field handover_id)
    [ -n "$P" ] && [ -n "$SES" ] && [ -n "$M" ] && [ -n "$C" ] && [ -n "$HO" ] || fail "a record was not created"
    # Settled: training-record's report reached the handover, scheduling has the leaver.
    eventually "the handover's training part never arrived" \
        sh -c "curl -fsS '$S/v1/handovers/$HO' -H '$AUTH' | grep -q '\"training\":{\"done\":0,\"required\":1'"
    eventually "scheduling never saw the resignation" \
        sh -c "curl -fsS '$SC/v1/roster/employees?limit=500' -H '$AUTH' | grep -q '\"employee_id\":\"E2001\"[^}]*\"leaving\"'"
}

compare() { # before after
    diff -r "$1" "$2" >"$WORK/diff" || { cat "$WORK/diff"; fail "records differ after the restore"; }
    [ -n "$(cat "$2/recording.sha256")" ] || fail "no recording"
    log "$(ls "$2" | wc -l) records read back identical after the restore (the recording included)"
}

# --- SQLite ------------------------------------------------------------------------------
log "SQLite: populate, back up while running, restore into a fresh data directory"
start "$WORK/sqlite-a"
populate
records "$WORK/before-sqlite"
deploy/backup.sh sqlite "$WORK/sqlite-a" "$WORK/backup-sqlite"
stop
deploy/restore.sh sqlite "$WORK/backup-sqlite" "$WORK/sqlite-b"
start "$WORK/sqlite-b"
records "$WORK/after-sqlite"
stop
compare "$WORK/before-sqlite" "$WORK/after-sqlite"

# --- PostgreSQL --------------------------------------------------------------------------
if [ -n "$PG" ]; then
    log "PostgreSQL: populate, pg_dump while running, restore into fresh databases"
    base=${PG%/*}
    tag=continuity_bk_$$
    old=() new=()
    for s in "${SERVICES[@]}"; do
        for side in a b; do
            db="${tag}_${side}_${s//-/_}"
            psql "$PG" -qc "create database \"$db\"" >/dev/null
            DBS+=("$db")
            if [ $side = a ]; then old+=("$s=$base/$db"); else new+=("$s=$base/$db"); fi
        done
    done
    start "$WORK/pg-a" "${old[@]}"
    populate
    records "$WORK/before-pg"
    deploy/backup.sh postgres --recordings "$WORK/pg-a/training-materials" "$WORK/backup-pg" "${old[@]}"
    stop
    deploy/restore.sh postgres --recordings "$WORK/pg-b/training-materials" "$WORK/backup-pg" "${new[@]}"
    start "$WORK/pg-b" "${new[@]}"
    records "$WORK/after-pg"
    stop
    compare "$WORK/before-pg" "$WORK/after-pg"
fi
log ok
