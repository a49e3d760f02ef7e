#!/usr/bin/env bash
# Every drill, one after the other; the facts go to var/drills/report.jsonl.
set -euo pipefail
here="$(dirname "$0")"
"$here/races.sh"
"$here/worker_kill.sh"
"$here/broker_outage.sh"
