#!/bin/sh
# blitz config benchmark (`make bench`): see bench/README.md.
# Makes sure Debian's tox 3.28, the reference, is installed, then runs bench/config.py,
# which does the timing. Arguments are passed on (e.g. --runs 20, --no-tox).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
corpus=${BLITZ_CORPUS:-$here/../../shared/corpus/toxini}

if [ ! -d "$corpus" ]; then
	echo "bench: corpus not found at $corpus; benchmark skipped"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	command -v tox >/dev/null 2>&1 || (apt-get update && apt-get install -y tox) ||
		echo "bench: could not install tox; the tox 3 comparison will be skipped"
elif ! command -v tox >/dev/null 2>&1; then
	echo "bench: tox is not installed; for the tox 3 comparison run: sudo apt-get install -y tox"
fi

BLITZ_CORPUS=$corpus exec python3 "$here/config.py" "$@"
