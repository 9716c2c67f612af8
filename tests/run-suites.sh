#!/usr/bin/env bash
# Runs one kind of test suite and records its counts in $SG_RESULTS (default build/results.txt); `summary` adds them all up and
# prints the closing line "N passed, N failed" that `make check` ends with.
#   run-suites.sh unit|unit-asan BIN...     cmocka binaries
#   run-suites.sh fuzz BIN...               libFuzzer targets, FUZZ_SECONDS each, seeds from tests/fuzz/corpus/NAME
#   run-suites.sh integration SCRIPT...     scripts printing "ok - ..." / "not ok - ..." lines (TAP style)
#   run-suites.sh record SUITE PASSED FAILED
#   run-suites.sh summary
# Suite modes always exit 0: the summary decides, so one failing suite does not hide the others.
# Unit test binaries, fuzz targets and integration scripts run SG_JOBS at a time (default: the number of cores);
# each one's output is kept apart and printed whole, in the order given, as if they had run one after another.
# Integration scripts run at once only when each can have a network namespace of its own (loopback only): then
# fixed ports (default VTY ports, GSMTAP 4729, Osmocom) and loopback captures cannot meet. Otherwise, or with
# SG_JOBS=1, they run one at a time in the machine's own network as before.
set -u
results=${SG_RESULTS:-build/results.txt}
mkdir -p build
mode=${1:-}; shift || true

record() { echo "$1 $2 $3" >> "$results"; echo "[$1] $2 passed, $3 failed"; }

jobs_wanted() { echo "${SG_JOBS:-$(nproc 2>/dev/null || echo 1)}"; }

# pool JOBS RUN REPORT ITEM...: `RUN ITEM DIR` for every item, at most JOBS at a time, each in a directory of its
# own (in the background: it must leave its results in DIR); `REPORT ITEM DIR` in this shell, in item order, as soon
# as that item and all before it are done.
pool() {
	local jobs=$1 run=$2 report=$3 work i next=0
	shift 3
	local items=("$@")
	work=$(mktemp -d)
	for ((i = 0; i < ${#items[@]}; i++)); do
		while [ $((i - $(find "$work" -name done | wc -l))) -ge "$jobs" ]; do
			wait -n || [ $? -ne 127 ] || break # 127: no job left to wait for (one died without its mark)
		done
		mkdir "$work/$i"
		("$run" "${items[i]}" "$work/$i"; touch "$work/$i/done") &
		while [ "$next" -lt "$i" ] && [ -e "$work/$next/done" ]; do
			"$report" "${items[next]}" "$work/$next"; next=$((next + 1))
		done
	done
	wait
	for ((; next < ${#items[@]}; next++)); do "$report" "${items[next]}" "$work/$next"; done
	rm -rf "$work"
}

P=0 F=0

cmocka_one() {
	"$1" > "$2/out" 2>&1
	echo $? > "$2/rc"
}

cmocka_report() {
	local bin=$1 out=$2/out rc np nf
	rc=$(cat "$2/rc" 2>/dev/null || echo 1)
	np=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	nf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; fi
	if [ "$rc" -ne 0 ] || [ "$nf" -ne 0 ]; then
		grep -vE '^\[ +(RUN|OK) +\]' "$out" | tail -n 40
		echo "FAIL: $bin (exit $rc)"
	fi
	P=$((P + np)); F=$((F + nf))
}

run_cmocka() {
	local suite=$1
	shift
	P=0 F=0
	[ $# -gt 0 ] && pool "$(jobs_wanted)" cmocka_one cmocka_report "$@"
	record "$suite" "$P" "$F"
}

fuzz_one() {
	local bin=$1 dir=$2 name seeds
	name=$(basename "$bin")
	seeds=tests/fuzz/corpus/$name
	mkdir "$dir/corpus"
	[ -d "$seeds" ] && cp -r "$seeds"/. "$dir/corpus"/ 2>/dev/null
	"$bin" -max_total_time="${FUZZ_SECONDS:-3}" -print_final_stats=0 -artifact_prefix=build/ "$dir/corpus" \
		> "build/fuzz-$name.log" 2>&1
	echo $? > "$dir/rc"
}

fuzz_report() {
	local name log
	name=$(basename "$1")
	log=build/fuzz-$name.log
	if [ "$(cat "$2/rc" 2>/dev/null)" = 0 ]; then
		P=$((P + 1)); echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$log" | tail -1))"
	else
		F=$((F + 1)); echo "FAIL: fuzz $name"; tail -n 30 "$log"
	fi
}

run_fuzz() {
	P=0 F=0
	[ $# -gt 0 ] && pool "$(jobs_wanted)" fuzz_one fuzz_report "$@"
	record fuzz "$P" "$F"
}

# Whether a script can have a network namespace of its own with loopback up. Only as root: in a user namespace a
# script would believe it is root (and, e.g., run initdb as root or fail to switch to the postgres user).
can_isolate() {
	[ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v ip > /dev/null &&
		unshare -n ip link set lo up 2> /dev/null
}

own_network() { unshare -n sh -c 'ip link set lo up && exec "$@"' own-network "$@"; }

integration_one() {
	if [ "$ISOLATE" = 1 ]; then
		own_network timeout 600 bash "$1" > "$2/out" 2>&1
	else
		timeout 600 bash "$1" > "$2/out" 2>&1
	fi
	echo $? > "$2/rc"
}

integration_report() {
	local s=$1 out=$2/out rc np nf
	rc=$(cat "$2/rc" 2>/dev/null || echo 1)
	echo "== $s"
	grep -E '^(ok|not ok) ' "$out" || true
	np=$(grep -cE '^ok ' "$out")
	nf=$(grep -cE '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; fi
	if [ "$rc" -ne 0 ] || [ "$nf" -ne 0 ]; then
		tail -n 40 "$out"; echo "FAIL: $s (exit $rc)"
	fi
	P=$((P + np)); F=$((F + nf))
}

run_integration() {
	local jobs
	P=0 F=0
	ISOLATE=0
	jobs=$(jobs_wanted)
	if [ "$jobs" -gt 1 ] && can_isolate; then
		ISOLATE=1
		echo "integration: $jobs scripts at a time, each in a network namespace of its own"
	else
		jobs=1
	fi
	[ $# -gt 0 ] && pool "$jobs" integration_one integration_report "$@"
	record integration "$P" "$F"
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
