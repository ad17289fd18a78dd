#!/bin/sh
# Prints an .env for docker-compose.yml with a fresh random value for every secret of
# .env.example: deploy/make-env.sh > .env
set -eu
hex() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
for var in POSTGRES_PASSWORD STAFFING_DB_PASSWORD TRAINING_RECORD_DB_PASSWORD \
           PROCESS_CHANGE_DB_PASSWORD SCHEDULING_DB_PASSWORD; do
    echo "$var=$(hex)"
done
echo "CONTINUITY_ADMIN_TOKEN=adm_$(hex)"
echo "CONTINUITY_SERVICE_TOKEN=svc_$(hex)"
echo "CONTINUITY_HR_WEBHOOK_SECRET=whsec_$(head -c 32 /dev/urandom | base64)"
