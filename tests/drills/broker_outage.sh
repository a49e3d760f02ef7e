#!/usr/bin/env bash
# Redis (broker and cache) down for a minute while people keep working over HTTP.
source "$(dirname "$0")/_common.sh"
export DLXH_DRILL_OUTAGE_SECONDS="${DLXH_DRILL_OUTAGE_SECONDS:-60}"
drill tests/reliability/test_broker_outage.py
