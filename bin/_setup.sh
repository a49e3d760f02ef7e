# Shared set-up for bin/run and bin/test: a virtual environment in .venv with
# the pinned dependencies, reinstalled only when pyproject or constraints change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PYTHON_BIN="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in .venv"
    "$PYTHON_BIN" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "==> installing dependencies (pinned in constraints.txt)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[dev]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export DJANGO_SETTINGS_MODULE=config.settings

# The English catalogue (Vietnamese is the source language and needs none).
if [ -d locale ] && command -v msgfmt >/dev/null 2>&1; then
    python manage.py compilemessages --ignore=.venv -v0 || echo "warning: could not compile translations" >&2
fi
