# Shared by the drill scripts: the environment and the report file.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dlxh}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
mkdir -p var/drills
export DLXH_DRILL_REPORT="${DLXH_DRILL_REPORT:-$PWD/var/drills/report.jsonl}"
export DLXH_DRILL_WAIT_SECONDS="${DLXH_DRILL_WAIT_SECONDS:-900}"
PYTHON="${PYTHON:-.venv/bin/python}"
drill() { "$PYTHON" -m pytest -q -s -p no:cacheprovider "$@"; }
