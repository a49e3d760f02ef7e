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
# pip, quietly. The filter drops the warning pip prints for each package missing from each package index that
# a pip configuration names as a local folder (file:///...): on a machine with such a configuration that is
# some 115 lines per fresh install. PYTHONWARNINGS drops setuptools' advice box on editable installs.
pip_quiet() {
    PYTHONWARNINGS="ignore:Editable installation" "$VENV/bin/python" -m pip --disable-pip-version-check "$@" \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
if [ ! -f "$stamp" ]; then
    echo "==> installing dependencies (pinned in constraints.txt; a few minutes the first time)"
    pip_quiet install --quiet --upgrade pip
    pip_quiet install --quiet -c constraints.txt -e ".[dev]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export DJANGO_SETTINGS_MODULE=config.settings

# The English catalogue (Vietnamese is the source language and needs none).
if [ -d locale ] && command -v msgfmt >/dev/null 2>&1; then
    python manage.py compilemessages --ignore=.venv -v0 || echo "warning: could not compile translations" >&2
fi
