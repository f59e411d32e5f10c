#!/bin/sh
# Runs a slice of the bundled example with the blitz under test, for real: a copy
# of examples/sdk with its wheelhouse built, then `blitz -p auto` over envs that
# cover Debian's python3 and pyenv's newest interpreter, a skip_install env, and
# the env that fails on purpose. Last line: "N passed, N failed".
#     examples/tools/check-example.sh BLITZ
set -u
here=$(cd "$(dirname "$0")" && pwd)
blitz=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blitz-example.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

cp -R "$here/../sdk" "$tmp/sdk"
rm -rf "$tmp/sdk/.tox" "$tmp/sdk/.blitz" "$tmp/sdk/wheelhouse"
if /usr/bin/python3 "$tmp/sdk/build-wheels.py" "$tmp/sdk/wheelhouse" >/dev/null 2>"$tmp/err" &&
	/usr/bin/python3 "$here/wheelhouse.py" "$tmp/sdk/wheelhouse" >/dev/null 2>>"$tmp/err"; then
	ok "the example's wheelhouse builds"
else
	bad "wheelhouse: $(tail -3 "$tmp/err")"
fi

# Debian's python3 always; the newest pyenv interpreter that works, when there is one
envs="lint,py311-flaskish30,broken"
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for v in 13 12; do
	for cand in "$root"/versions/3.$v.*/bin/python3.$v; do
		if [ -x "$cand" ] && "$cand" -c 'import sys' 2>/dev/null; then
			envs="$envs,py3$v-djangoish50-celeryish5-redisish5"
			break 2
		fi
	done
done

(cd "$tmp/sdk" && "$blitz" -p auto -e "$envs" --result-json "$tmp/result.json") >"$tmp/out" 2>&1
status=$?
if [ "$status" -eq 1 ]; then
	ok "exit status 1: one env failed on purpose"
else
	bad "exit status $status, expected 1; output: $(tail -5 "$tmp/out")"
fi
if python3 - "$tmp/result.json" "$envs" >"$tmp/why" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
envs = {e["name"]: e for e in d["envs"]}
want = sys.argv[2].split(",")
assert sorted(envs) == sorted(want), sorted(envs)
for name, e in envs.items():
    if name == "broken":
        assert e["result"] == "failed" and "installing deps failed" in e["reason"], e
    else:
        assert e["result"] == "passed", (name, e["reason"])
        tests = [s for s in e["steps"] if s["what"] == "command"]
        assert tests and all(s["exit_code"] == 0 for s in tests), (name, tests)
PY
then
	ok "every env passed but broken, which failed installing its deps"
else
	bad "results: $(tail -3 "$tmp/why")"
fi
if grep -q "flaskish==9.9" "$tmp/out" && grep -q "broken: installing deps failed" "$tmp/out"; then
	ok "the summary shows broken's reason and its log tail"
else
	bad "the summary lacks broken's reason or log tail"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
