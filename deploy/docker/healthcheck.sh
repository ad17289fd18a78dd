#!/bin/sh
# Container health: GET /health/ready of the service this container runs (its port from
# the same variable the service reads, else the service's default port).
case "$(cat /proc/1/cmdline | tr '\0' ' ')" in
    *training-record*) port=${CONTINUITY_TRAINING_RECORD__PORT:-8082} ;;
    *process-change*) port=${CONTINUITY_PROCESS_CHANGE__PORT:-8083} ;;
    *scheduling*) port=${CONTINUITY_SCHEDULING__PORT:-8084} ;;
    *) port=${CONTINUITY_STAFFING__PORT:-8081} ;;
esac
exec curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready"
