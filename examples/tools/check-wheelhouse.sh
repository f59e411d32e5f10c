#!/bin/sh
# Checks examples/tools/wheelhouse.py for real: wheels of Debian's pytest and
# friends install offline into a venv of another interpreter and run a test.
# Last line: "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blitz-wheelhouse.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if /usr/bin/python3 "$here/wheelhouse.py" "$tmp/wheels" >"$tmp/built" 2>"$tmp/err"; then
	ok "wheelhouse builds $(wc -l <"$tmp/built") wheels"
else
	bad "wheelhouse: $(cat "$tmp/err")"
fi

# every wheel's RECORD matches its files (pip refuses a wheel whose hashes lie)
if /usr/bin/python3 - "$tmp/wheels" <<'PY'
import base64, csv, hashlib, io, os, sys, zipfile
bad = 0
for name in sorted(os.listdir(sys.argv[1])):
    with zipfile.ZipFile(os.path.join(sys.argv[1], name)) as z:
        record = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")][0]
        for path, digest, size in csv.reader(io.StringIO(z.read(record).decode())):
            if not digest:
                continue
            data = z.read(path)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if want != digest or int(size) != len(data):
                print("bad record entry", name, path); bad += 1
sys.exit(1 if bad else 0)
PY
then ok "every RECORD matches its wheel"; else bad "RECORD hashes"; fi

# another interpreter than Debian's: pyenv's newest, when there is one
py=""
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for cand in "$root"/versions/3.1[0-9]*/bin/python3.1[0-9]; do
	[ -x "$cand" ] && "$cand" -c 'import sys' 2>/dev/null && py=$cand
done
if [ -z "$py" ]; then
	echo "skip: no pyenv interpreter; the offline install was not tried"
else
	mkdir -p "$tmp/proj/tests"
	printf 'def test_sum():\n    assert sum([1, 2]) == 3\n' >"$tmp/proj/tests/test_sum.py"
	if "$py" -m venv "$tmp/venv" >/dev/null 2>&1 &&
		"$tmp/venv/bin/python" -m pip install -q --no-index --find-links "$tmp/wheels" pytest pytest-xdist >/dev/null 2>&1; then
		ok "pytest installs offline into a $("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])') venv"
	else
		bad "offline install into $py's venv"
	fi
	if (cd "$tmp/proj" && "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider -n 2 tests) >"$tmp/out" 2>&1 &&
		grep -q "1 passed" "$tmp/out"; then
		ok "the installed pytest runs a test, with xdist"
	else
		bad "pytest in the venv: $(tail -3 "$tmp/out")"
	fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
