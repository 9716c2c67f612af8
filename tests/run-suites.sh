#!/usr/bin/env bash
# Runs one kind of test suite and records its counts in $SG_RESULTS (default build/results.txt); `summary` adds them all up and
# prints the closing line "N passed, N failed" that `make check` ends with.
#   run-suites.sh unit|unit-asan BIN...     cmocka binaries
#   run-suites.sh fuzz BIN...               libFuzzer targets, FUZZ_SECONDS each, seeds from tests/fuzz/corpus/NAME
#   run-suites.sh integration SCRIPT...     scripts printing "ok - ..." / "not ok - ..." lines (TAP style)
#   run-suites.sh record SUITE PASSED FAILED
#   run-suites.sh summary
# Suite modes always exit 0: the summary decides, so one failing suite does not hide the others.
set -u
results=${SG_RESULTS:-build/results.txt}
mkdir -p build
mode=${1:-}; shift || true

record() { echo "$1 $2 $3" >> "$results"; echo "[$1] $2 passed, $3 failed"; }

run_cmocka() {
	local suite=$1; shift
	local p=0 f=0 bin out rc np nf
	for bin in "$@"; do
		out=$("$bin" 2>&1); rc=$?
		np=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
		nf=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
		if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; fi
		if [ "$rc" -ne 0 ] || [ "$nf" -ne 0 ]; then
			printf '%s\n' "$out" | grep -vE '^\[ +(RUN|OK) +\]' | tail -n 40
			echo "FAIL: $bin (exit $rc)"
		fi
		p=$((p + np)); f=$((f + nf))
	done
	record "$suite" "$p" "$f"
}

run_fuzz() {
	local p=0 f=0 bin name seeds work log
	for bin in "$@"; do
		name=$(basename "$bin")
		work=$(mktemp -d)
		seeds=tests/fuzz/corpus/$name
		[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null
		log=build/fuzz-$name.log
		if "$bin" -max_total_time="${FUZZ_SECONDS:-3}" -print_final_stats=0 -artifact_prefix=build/ "$work" > "$log" 2>&1; then
			p=$((p + 1)); echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$log" | tail -1))"
		else
			f=$((f + 1)); echo "FAIL: fuzz $name"; tail -n 30 "$log"
		fi
		rm -rf "$work"
	done
	record fuzz "$p" "$f"
}

run_integration() {
	local p=0 f=0 s out rc np nf
	for s in "$@"; do
		echo "== $s"
		out=$(timeout 600 bash "$s" 2>&1); rc=$?
		printf '%s\n' "$out" | grep -E '^(ok|not ok) ' || true
		np=$(printf '%s\n' "$out" | grep -cE '^ok ')
		nf=$(printf '%s\n' "$out" | grep -cE '^not ok ')
		if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; fi
		if [ "$rc" -ne 0 ] || [ "$nf" -ne 0 ]; then
			printf '%s\n' "$out" | tail -n 40; echo "FAIL: $s (exit $rc)"
		fi
		p=$((p + np)); f=$((f + nf))
	done
	record integration "$p" "$f"
}

case "$mode" in
unit | unit-asan) run_cmocka "$mode" "$@" ;;
fuzz) run_fuzz "$@" ;;
integration) run_integration "$@" ;;
record) record "$1" "$2" "$3" ;;
summary)
	[ -f "$results" ] || { echo "0 passed, 1 failed"; exit 1; }
	read -r p f < <(awk '{p+=$2; f+=$3} END {print p+0, f+0}' "$results")
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ] ;;
*) echo "usage: run-suites.sh unit|unit-asan|fuzz|integration|record|summary ..." >&2; exit 2 ;;
esac
exit 0
