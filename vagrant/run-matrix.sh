#!/bin/sh
# The matrix driver is vagrant/run-matrix.mjs (zx); this name is kept for the README and for habit.
# Usage: ./run-matrix.sh [--results DIR] [--logs DIR] [BOX…] [-- OPTIONS for dockhand up/plan, e.g. --source distro]
here=$(cd "$(dirname "$0")" && pwd)
exec node "$here/run-matrix.mjs" "$@"
