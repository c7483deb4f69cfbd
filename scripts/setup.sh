# Sourced by scripts/run and scripts/test: a virtual environment with the package installed
# in editable mode (which builds the labextension with jlpm). Idempotent: rerunning only
# rebuilds what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,lint]"
export PATH="$PWD/.venv/bin:$PATH"
