#!/bin/sh
# blitz matrix benchmark (`make bench-matrix`): see bench/README.md.
# Makes sure Debian's tox 3.28, the anchor, is installed, then runs bench/matrix.py,
# which does the runs and the timing. Arguments are passed on (e.g. --runs 3, --no-tox).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -eq 0 ]; then
	command -v tox >/dev/null 2>&1 || (apt-get update && apt-get install -y tox) ||
		echo "bench: could not install tox; blitz will run alone"
elif ! command -v tox >/dev/null 2>&1; then
	echo "bench: tox is not installed; for the comparison run: sudo apt-get install -y tox"
fi

exec python3 "$here/matrix.py" "$@"
