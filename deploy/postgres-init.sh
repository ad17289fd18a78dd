#!/bin/bash
# PostgreSQL first start (the image runs /docker-entrypoint-initdb.d once, on an empty data
# directory): one role and one database per service. Each database belongs to its
# service's role and nobody else may connect to it, so no service can read another's
# tables. The passwords come from the container's environment (the .env file).
set -euo pipefail

create() { # role database password
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v role="$1" -v db="$2" -v password="$3" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
}

create staffing continuity_staffing "${STAFFING_DB_PASSWORD:?}"
create training_record continuity_training_record "${TRAINING_RECORD_DB_PASSWORD:?}"
create process_change continuity_process_change "${PROCESS_CHANGE_DB_PASSWORD:?}"
create scheduling continuity_scheduling "${SCHEDULING_DB_PASSWORD:?}"
