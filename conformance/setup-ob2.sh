#!/usr/bin/env bash
# Installs the 1EdTech Open Badges 2.0 validator (PyPI `openbadges` 1.1.2) in its own virtual
# environment, conformance/.ob2-venv, with every package pinned in ob2-requirements.txt.
# Idempotent: does nothing when the environment matches the pins (a stamp file records them),
# and rebuilds it from scratch otherwise. Needs Python 3.10 or 3.11 (set OB2_PYTHON to choose
# the interpreter) and access to PyPI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.ob2-venv"
requirements="$here/ob2-requirements.txt"
stamp="$venv/.installed"

python="${OB2_PYTHON:-}"
if [ -z "$python" ]; then
  python="$(command -v python3.11 || command -v python3 || true)"
fi
if [ -z "$python" ]; then
  echo "setup-ob2: no python3.11 or python3 found (set OB2_PYTHON)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 11) else 1)'; then
  echo "setup-ob2: $python is $("$python" -V 2>&1); the validator's pins need 3.10 or 3.11" >&2
  exit 1
fi

wanted="$( { "$python" -V 2>&1; sha256sum "$requirements" "$0" | cut -d' ' -f1; } | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "setup-ob2: $venv is up to date"
  exit 0
fi

echo "setup-ob2: creating $venv with $("$python" -V 2>&1)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --no-deps -r "$requirements"
# The validator imports, and python-jose uses the pycryptodome backend it was written for.
"$venv/bin/python" "$here/ob2_validate.py" --self-check
echo "$wanted" > "$stamp"
echo "setup-ob2: done"
