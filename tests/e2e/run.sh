#!/bin/sh
# End-to-end tests of the real blitz CLI: tests/e2e/run.sh BLITZ
#
# Each folder under tests/e2e/cases/ is one case. Its files are copied into a fresh
# temporary folder (the project), except these, which say what to run and expect:
#
#   args        the arguments, one per line (default: none)
#   env         KEY=VALUE lines added to the environment (default: none)
#   cwd         the folder, inside the project, to run from (default: the project)
#   status      the exit status expected (default: 0)
#   expected    stdout, exactly; @DIR@ stands for the project's absolute path
#   stdout-has  lines that must each appear in stdout (fixed strings, @DIR@ as above), for
#               output that also holds what varies from run to run (timings, log names)
#   stderr      lines that must each appear in stderr (fixed strings, @DIR@ as above);
#               without this file or stderr-re, a run expected to succeed must print
#               nothing on stderr
#   stderr-re   an extended regular expression that every line of stderr must match whole
#   stderr-lines  how many lines stderr must have, or "any" (default: 1 when status is 2)
#   json        a Python expression over d (stdout parsed as JSON) that must be true
#   timeout     seconds the run may take (default: E2E_TIMEOUT, 60)
#   script      a sh script run instead of blitz, in the same clean environment plus
#               BLITZ (the binary under test), for a run that needs a driver (one that
#               interrupts blitz, say); its stdout, stderr and status are checked as above
#   check       a sh script run after the run, in the project, with OUT set to a folder
#               holding the run's stdout and stderr files; it must exit 0, and what it
#               prints is the reason when it does not (to look at files the run left)
#
# A case whose stdout starts with a line "skipped: REASON" (exit status 0) could not run
# here (it needs root, a namespace): it is reported as skipped, neither passed nor failed.
# A case whose name is in tests/e2e/known-bugs.txt still runs, but its failure is
# reported as "known" and not counted. Whatever a case says, an exit status above 128
# (a signal) other than the status expected, a sanitizer report or a run longer than E2E_TIMEOUT seconds is a failure.
# BLITZ may be any build, such as build-san/blitz (BLITZ_NO_BUILD is accepted for the
# Makefile's sake: this script never builds).
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/e2e/run.sh BLITZ" >&2
	exit 2
fi
case $1 in
/*) BLITZ=$1 ;;
*) BLITZ=$(pwd)/$1 ;;
esac
if [ ! -x "$BLITZ" ]; then
	echo "run.sh: '$1' is not an executable: build blitz first (make)" >&2
	exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
CASES=$HERE/cases
KNOWN=$HERE/known-bugs.txt
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/blitz-e2e.XXXXXX") || exit 2
trap 'rm -rf "$ROOT"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
known=0
skips=0
stale=""

# The reason a case is listed in known-bugs.txt, or nothing.
known_reason() {
	[ -f "$KNOWN" ] || return 0
	awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }' "$KNOWN"
}

# Replace @DIR@ in file $1 with the project folder, writing $2.
expand() {
	sed "s|@DIR@|$dir|g" "$1" >"$2"
}

# Each non-empty line of control file $1 (@DIR@ expanded) must appear in the run's $2
# (stdout or stderr); adds to $why for each that does not.
require_lines() {
	expand "$1" "$out/want-$2"
	while IFS= read -r line || [ -n "$line" ]; do
		[ -z "$line" ] && continue
		if ! grep -q -F -e "$line" "$out/$2"; then
			why="${why:+$why; }$2 lacks '$line'"
		fi
	done <"$out/want-$2"
}

# Run one case; prints nothing, leaves its verdict in $why (empty: passed).
run_case() {
	c=$1
	dir=$ROOT/$2/project
	out=$ROOT/$2/out
	mkdir -p "$dir" "$out"
	# copy the project's files (dotfiles too), leaving the control files out
	(cd "$c" && find . -mindepth 1 -type d) | while IFS= read -r d; do mkdir -p "$dir/$d"; done
	(cd "$c" && find . -type f) | while IFS= read -r f; do
		case ${f#./} in
		args | env | cwd | status | expected | stdout-has | stderr | stderr-re | stderr-lines | json | timeout | \
			script | check) ;;
		*) cp "$c/$f" "$dir/$f" ;;
		esac
	done
	dir=$(cd "$dir" && pwd -P)

	set --
	if [ -f "$c/args" ]; then
		while IFS= read -r a || [ -n "$a" ]; do
			set -- "$@" "$a"
		done <"$c/args"
	fi
	rundir=$dir
	[ -f "$c/cwd" ] && rundir=$dir/$(cat "$c/cwd")
	want_status=0
	[ -f "$c/status" ] && want_status=$(cat "$c/status")
	limit=$E2E_TIMEOUT
	[ -f "$c/timeout" ] && limit=$(cat "$c/timeout")

	# a clean environment: only what blitz needs to run, plus the sanitizers' settings
	envfile=$out/env
	: >"$envfile"
	for v in PATH ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		eval "val=\${$v-}"
		[ -n "$val" ] && printf '%s=%s\n' "$v" "$val" >>"$envfile"
	done
	printf 'HOME=%s\nLANG=C\n' "$ROOT/home" >>"$envfile"
	[ -f "$c/env" ] && sed "s|@DIR@|$dir|g" "$c/env" >>"$envfile"

	# env -i with KEY=VALUE words keeps only those; values may hold spaces, so argv is
	# built by hand, last line first so that the case's own settings come last and win
	if [ -f "$c/script" ]; then
		set -- BLITZ="$BLITZ" sh "$c/script"
	else
		set -- "$BLITZ" "$@"
	fi
	while IFS= read -r kv; do
		[ -n "$kv" ] && set -- "$kv" "$@"
	done <<EOF_ENV
$(awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$envfile")
EOF_ENV
	# the outer subshell reaps the run, so the shell's "Segmentation fault" notice goes to
	# its /dev/null (without the "exit", dash would exec the inner one and report it here)
	( (cd "$rundir" && exec timeout "$limit" env -i "$@") >"$out/stdout" 2>"$out/stderr" </dev/null; exit $? ) 2>/dev/null
	status=$?

	why=""
	skipped=""
	# a case that cannot run here (it needs root, a namespace) says so on its first line
	if [ "$status" -eq 0 ] && head -n 1 "$out/stdout" | grep -q '^skipped: '; then
		skipped=$(head -n 1 "$out/stdout" | sed 's/^skipped: //')
		return
	fi
	if [ "$status" -eq 124 ]; then
		why="timed out after ${limit}s"
	elif [ "$status" -gt 128 ] && [ "$status" -ne "$want_status" ]; then
		why="crashed: exit status $status (signal $((status - 128)))"
	elif grep -q -E 'runtime error:|Sanitizer|ERROR: LeakSanitizer' "$out/stderr"; then
		why="sanitizer report"
	elif [ "$status" -ne "$want_status" ]; then
		why="exit status $status, expected $want_status"
	fi
	if [ -f "$c/expected" ]; then
		expand "$c/expected" "$out/expected"
		if ! cmp -s "$out/expected" "$out/stdout"; then
			why="${why:+$why; }stdout differs"
			diff -u "$out/expected" "$out/stdout" | sed '1,2d' >"$out/diff"
		fi
	fi
	[ -f "$c/stdout-has" ] && require_lines "$c/stdout-has" stdout
	if [ -f "$c/stderr" ]; then
		require_lines "$c/stderr" stderr
	elif [ -s "$out/stderr" ] && [ ! -f "$c/stderr-re" ] && [ "$want_status" -eq 0 ]; then
		why="${why:+$why; }unexpected stderr"
	fi
	if [ -f "$c/stderr-re" ]; then
		re=$(sed "s|@DIR@|$dir|g" "$c/stderr-re")
		if [ ! -s "$out/stderr" ] || grep -q -v -E -x -e "$re" "$out/stderr"; then
			why="${why:+$why; }stderr does not match /$re/ on every line"
		fi
	fi
	want_lines=
	[ "$want_status" -eq 2 ] && want_lines=1
	[ -f "$c/stderr-lines" ] && want_lines=$(cat "$c/stderr-lines")
	got_lines=$(wc -l <"$out/stderr" | tr -d ' ')
	if [ -n "$want_lines" ] && [ "$want_lines" != any ] && [ "$got_lines" -ne "$want_lines" ]; then
		why="${why:+$why; }$got_lines lines on stderr, expected $want_lines"
	fi
	if [ -f "$c/check" ]; then
		if ! (cd "$dir" && OUT=$out exec timeout "$limit" sh "$c/check") >"$out/check" 2>&1 </dev/null; then
			why="${why:+$why; }check: $(tail -n 3 "$out/check" | tr '\n' ' ')"
		fi
	fi
	if [ -f "$c/json" ]; then
		if ! python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + open(sys.argv[2]).read() + ")") else 1)
' "$out/stdout" "$c/json" 2>"$out/json-error"; then
			why="${why:+$why; }JSON check failed: $(tail -n 1 "$out/json-error")"
		fi
	fi
}

n=0
for c in "$CASES"/*/; do
	c=${c%/}
	name=${c##*/}
	n=$((n + 1))
	run_case "$c" "$n"
	if [ -n "$skipped" ]; then
		echo "skip $name: $skipped"
		skips=$((skips + 1))
		continue
	fi
	reason=$(known_reason "$name")
	if [ -z "$why" ]; then
		if [ -n "$reason" ]; then
			stale="$stale $name"
			echo "ok $name (listed in known-bugs.txt but passes: remove it there)"
		else
			echo "ok $name"
		fi
		passed=$((passed + 1))
		continue
	fi
	if [ -n "$reason" ]; then
		echo "known $name: $why (tests/e2e/known-bugs.txt)"
		known=$((known + 1))
		continue
	fi
	echo "FAIL $name: $why"
	failed=$((failed + 1))
	[ -f "$out/diff" ] && sed 's/^/    /' "$out/diff"
	if [ -f "$c/stdout-has" ] && [ -s "$out/stdout" ]; then
		echo "    stdout:"
		head -n 40 "$out/stdout" | sed 's/^/    | /'
	fi
	if [ -s "$out/stderr" ]; then
		echo "    stderr:"
		head -n 20 "$out/stderr" | sed 's/^/    | /'
	fi
done

[ "$known" -gt 0 ] && echo "$known known bugs (tests/e2e/known-bugs.txt)"
[ "$skips" -gt 0 ] && echo "$skips skipped: they cannot run here (see each one's reason above)"
[ -n "$stale" ] && echo "passing but listed as known bugs:$stale"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
