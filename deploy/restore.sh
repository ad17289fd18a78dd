#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into a suite that is not running.
#
#   deploy/restore.sh sqlite BACKUP DATA_DIR
#       the SQLite files, recordings and credentials into DATA_DIR (which must hold no
#       service database yet)
#   deploy/restore.sh postgres [--recordings DIR] BACKUP SERVICE=URL...
#       each BACKUP/SERVICE.dump into the (new, empty) database at URL, its objects owned
#       by the URL's user (connect as the service's own role); the recordings into DIR
#
# The services apply any newer migrations when they start on the restored data.
set -euo pipefail

usage() { sed -n '2,11p' "$0" >&2; exit 2; }
copy_recordings() { # from to
    if [ -d "$1" ]; then
        mkdir -p "$2"
        cp -a "$1/." "$2/"
        echo "recordings: $(find "$1" -type f | wc -l) files"
    fi
}

case "${1:-}" in
    sqlite)
        [ $# = 3 ] || usage
        backup=$2 data=$3
        mkdir -p "$data"
        for service in staffing training-record process-change scheduling; do
            if [ -e "$data/$service.db" ]; then
                echo "restore: $data/$service.db exists; restore into an empty data directory" >&2
                exit 1
            fi
        done
        for service in staffing training-record process-change scheduling; do
            if [ -f "$backup/$service.db" ]; then
                cp "$backup/$service.db" "$data/$service.db"
                echo "$service: restored"
            fi
        done
        copy_recordings "$backup/training-materials" "$data/training-materials"
        if [ -f "$backup/credentials.toml" ]; then
            cp -p "$backup/credentials.toml" "$data/"
        fi
        ;;
    postgres)
        shift
        recordings=
        if [ "${1:-}" = --recordings ]; then recordings=$2; shift 2; fi
        [ $# -ge 2 ] || usage
        backup=$1
        shift
        for pair in "$@"; do
            service=${pair%%=*} url=${pair#*=}
            [ "$service" != "$pair" ] || usage
            pg_restore --exit-on-error --no-owner --single-transaction --dbname="$url" \
                "$backup/$service.dump"
            echo "$service: restored"
        done
        if [ -n "$recordings" ]; then
            copy_recordings "$backup/training-materials" "$recordings"
        fi
        ;;
    *) usage ;;
esac
echo "restore complete"
