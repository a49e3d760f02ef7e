#!/usr/bin/env bash
# More racers and more rounds of the PostgreSQL races.
source "$(dirname "$0")/_common.sh"
export DLXH_DRILL_RACERS="${DLXH_DRILL_RACERS:-80}" DLXH_DRILL_ROUNDS="${DLXH_DRILL_ROUNDS:-100}"
drill -rxX tests/reliability/test_concurrency.py
