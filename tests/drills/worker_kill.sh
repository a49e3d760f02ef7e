#!/usr/bin/env bash
# A Celery worker SIGKILLed mid-delivery, several times, on a bigger outbox.
source "$(dirname "$0")/_common.sh"
export DLXH_DRILL_CASES="${DLXH_DRILL_CASES:-100}" DLXH_DRILL_KILLS="${DLXH_DRILL_KILLS:-3}"
drill tests/reliability/test_worker_faults.py
