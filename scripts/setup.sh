# Sourced by scripts/run and scripts/test: a virtual environment (.venv) with the package in
# editable mode and the labextension built and linked. Each step runs only when what it depends
# on changed (stamps in .venv/): a warm start installs and builds nothing.
#
# SETUP_EXTRAS names the pip extras (scripts/run: "lab"; default, for scripts/test:
# "lab,test,lint").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras="${SETUP_EXTRAS:-lab,test,lint}"
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
export PATH="$PWD/.venv/bin:$PATH"

# Run a command; show its output only when it fails.
quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then
    echo "$out" >&2
    return 1
  fi
}

# A stamp holds the hash of its step's inputs; the step reruns when they differ.
stamp_key() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# Python: the package with the extras, whenever pyproject.toml changed.
pip_stamp=".venv/.setup-pip-${extras//,/-}"
pip_key="$(stamp_key pyproject.toml)"
lab_stamp=".venv/.setup-labextension"
lab_key() {
  find labextension/src labextension/style labextension/schema -type f -print0 | sort -z |
    xargs -0 cat labextension/package.json labextension/yarn.lock labextension/tsconfig.json |
    sha256sum | cut -d' ' -f1
}
if ! stamp_ok "$pip_stamp" "$pip_key"; then
  echo "Installing the package ($extras)…" >&2
  python -m pip install --quiet --upgrade pip
  built=jupyter_ci_terminal/labextension/static/style.js
  if [ -f "$built" ]; then
    # The labextension is built below when its sources changed, not on every reinstall.
    SKIP_JUPYTER_BUILDER=1 python -m pip install --quiet -e ".[$extras]"
  else
    python -m pip install --quiet -e ".[$extras]" # builds the labextension
    lab_key >"$lab_stamp"
  fi
  # A link to the build folder (an editable install copies it): rebuilds show on reload.
  if command -v jupyter-builder >/dev/null; then
    quiet jupyter-builder develop --overwrite .
  else
    quiet jupyter labextension develop --overwrite .
  fi
  echo "$pip_key" >"$pip_stamp"
fi

# The labextension, whenever its sources or dependencies changed.
key="$(lab_key)"
if ! stamp_ok "$lab_stamp" "$key"; then
  echo "Building the labextension…" >&2
  (cd labextension && quiet jlpm install && quiet jlpm build)
  echo "$key" >"$lab_stamp"
fi
unset -f quiet stamp_key stamp_ok lab_key
