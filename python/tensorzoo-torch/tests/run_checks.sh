#!/bin/sh
# CI entry of the PyTorch bridge: the Python unit tests, then the 2-process DDP check.
# Needs Python with torch ($PYTHON, default /usr/bin/python3 when present) and the built CLI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}
PYTHONDONTWRITEBYTECODE=1 "$python" -m unittest discover -s "$here" -v
PYTHON="$python" node "$here/ddp_check.mjs" --steps 60
