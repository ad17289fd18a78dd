#!/usr/bin/env bash
# Backs the suite up while it runs.
#
#   deploy/backup.sh sqlite DATA_DIR DEST
#       an online copy of every service's SQLite file (sqlite3's .backup: consistent while
#       the services write), then the training recordings and credentials.toml
#   deploy/backup.sh postgres [--recordings DIR] DEST SERVICE=URL...
#       pg_dump (custom format) of each service's database to DEST/SERVICE.dump, then the
#       recordings in DIR (training-record's storage_dir), if given
#
# The databases are copied before the recordings: a recording uploaded meanwhile is at most
# an extra file, never a row without its file. DEST must not exist yet or be empty.
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
fresh_dest() {
    if [ -e "$1" ] && [ -n "$(ls -A "$1")" ]; then
        echo "backup: $1 is not empty" >&2
        exit 1
    fi
    mkdir -p "$1"
}
copy_recordings() { # from to
    if [ -d "$1" ]; then
        mkdir -p "$2"
        cp -a "$1/." "$2/"
        echo "recordings: $(find "$2" -type f | wc -l) files"
    fi
}

case "${1:-}" in
    sqlite)
        [ $# = 3 ] || usage
        data=$2 dest=$3
        fresh_dest "$dest"
        found=0
        for service in staffing training-record process-change scheduling; do
            db="$data/$service.db"
            [ -f "$db" ] || continue
            sqlite3 "$db" ".timeout 10000" ".backup '$dest/$service.db'"
            echo "$service: $(du -h "$dest/$service.db" | cut -f1)"
            found=$((found + 1))
        done
        [ "$found" -gt 0 ] || { echo "backup: no service database in $data" >&2; exit 1; }
        copy_recordings "$data/training-materials" "$dest/training-materials"
        if [ -f "$data/credentials.toml" ]; then
            cp -p "$data/credentials.toml" "$dest/"
        fi
        ;;
    postgres)
        shift
        recordings=
        if [ "${1:-}" = --recordings ]; then recordings=$2; shift 2; fi
        [ $# -ge 2 ] || usage
        dest=$1
        shift
        fresh_dest "$dest"
        for pair in "$@"; do
            service=${pair%%=*} url=${pair#*=}
            [ "$service" != "$pair" ] || usage
            pg_dump --format=custom --file="$dest/$service.dump" "$url"
            echo "$service: $(du -h "$dest/$service.dump" | cut -f1)"
        done
        if [ -n "$recordings" ]; then
            copy_recordings "$recordings" "$dest/training-materials"
        fi
        ;;
    *) usage ;;
esac
echo "backup complete: $dest"
