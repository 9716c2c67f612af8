#!/usr/bin/env bash
# The end-to-end benchmark (run by build/bench/bench_e2e, i.e. `make bench`): for N simulated handsets it starts
# sms-gateway (lab route), handset-farm (N in-memory simulated UICCs from the demo profile, one range bind) and
# ota-server (SQLite, synchronous=FULL counters, HTTPS with client certificates) with temporary configurations,
# imports the farm's cards, and lets the C driver (bench_e2e drive) send STATUS commands through the API:
#   api   GET /v1/me, the cheapest authenticated and audited request: the baseline, measured for every N
#   max   BENCH_E2E_COUNT commands as fast as BENCH_E2E_CONNS connections get them accepted
#   campaign  the same number of commands in campaigns of BENCH_E2E_BATCH (one request, one transaction each,
#         from two connections): what the chain behind the API carries when the API is not the limit
#   rate  BENCH_E2E_RATE commands/s for BENCH_E2E_SECONDS s (open loop, latency from each scheduled start),
#         then half the rate the max phase reached, for BENCH_E2E_HALF_SECONDS s (latency below saturation)
# Each phase also gives the CPU time ota-server, sms-gateway and handset-farm used per confirmed command.
# A command counts when the server has committed "confirmed" for it (its PoR verified). Prints a table and the
# ratios against the baseline; numbers only, never a pass/fail on time. Exit 1 only when the chain does not run
# or commands were not confirmed.
#
# Sizing (environment): BENCH_E2E_NS ("1 100 10000"), BENCH_E2E_COUNT (2000), BENCH_E2E_RATE (1000),
# BENCH_E2E_SECONDS (2), BENCH_E2E_HALF_SECONDS (4), BENCH_E2E_CONNS (16), BENCH_E2E_RATE_CONNS (64),
# BENCH_E2E_API_COUNT (1000),
# BENCH_E2E_BATCH (500),
# BENCH_E2E_POLL_MS (2), BENCH_E2E_PERF=1 (perf record the three processes in the rate phase of the last N),
# BENCH_E2E_KEEP=1 (keep the temporary directory), BENCH_E2E_DB_DIR=/dev/shm (a diagnostic: both databases on
# tmpfs, where a disk sync costs nothing - how much of the time is the disk; still synchronous=FULL).
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
B=${B:-build}
export B
. tests/integration/lib/osmo-lab.sh
. tests/integration/lib/smsgw.sh
OTASRV_LIB_ONLY=1 source tests/integration/test_otasrv_api.sh
DRIVER=${BENCH_E2E_DRIVER:-$B/bench/bench_e2e}
FARM=$B/bin/handset-farm
NS=${BENCH_E2E_NS:-1 100 10000}
COUNT=${BENCH_E2E_COUNT:-2000}
RATE=${BENCH_E2E_RATE:-1000}
SECONDS_RATE=${BENCH_E2E_SECONDS:-2}
SECONDS_HALF=${BENCH_E2E_HALF_SECONDS:-4}
CONNS=${BENCH_E2E_CONNS:-16}
RATE_CONNS=${BENCH_E2E_RATE_CONNS:-64}
API_COUNT=${BENCH_E2E_API_COUNT:-1000}
BATCH=${BENCH_E2E_BATCH:-500}
POLL_MS=${BENCH_E2E_POLL_MS:-2}

otasrv_setup
DB_DIRS=()
bench_cleanup() {
	if [ "${BENCH_E2E_KEEP:-0}" = 1 ]; then
		for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
		wait
		echo "kept $tmp"
	else
		otasrv_cleanup
	fi
	[ ${#DB_DIRS[@]} = 0 ] || rm -rf "${DB_DIRS[@]}"
}
trap bench_cleanup EXIT
results=$tmp/results.txt
: > "$results"

# ota_cfg FILE DB HTTP VTY SMPP: the server as deployed (durable counters), logging at notice, no rate limit,
# the largest SMPP window and throughput it allows, no resend while the chain is busy.
ota_cfg() {
	cat > "$1" <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging level all notice
line vty
 bind 127.0.0.1 $4
database
 uri sqlite:$2
 master-key-file $tmp/master.key
 instance-id bench-1
http
 listen 127.0.0.1 $3
 certificate $tmp/server.pem
 private-key $tmp/server.key
 client-ca $tmp/ca.pem
 crl $tmp/crl.pem
 max-import 67108864
smpp
 remote 127.0.0.1 $5
 system-id otasrv
 password secret
 window 100
 throughput 10000
limits
 login 0 per 60
 commands 0 per 60
ota
 default-tar C10001
 default-spi 1619
 retry-interval 600
 deadline 900
EOF
}

die() { echo "bench_e2e: $*" >&2; exit 1; }

# cpu_ms PID: CPU time (user + system) the process used so far, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat" 2> /dev/null || echo 0; }

drive() { # drive MODE LABEL ARGS...: one driver run, its RESULT line tagged with N, LABEL and CPU ms per command
	local mode=$1 label=$2 line ota gw farm n
	shift 2
	ota=$(cpu_ms "$OTA_PID") gw=$(cpu_ms "$GW_PID") farm=$(cpu_ms "$FARM_PID")
	line=$("$DRIVER" drive --mode "$mode" --port "$HP" --ca "$tmp/ca.pem" --cert "$tmp/${WHO:-agent1}.pem" \
		--key "$tmp/${WHO:-agent1}.key" --iccids "$d/iccids.txt" --db "$db/ota.db" --poll-ms "$POLL_MS" \
		--timeout 180 "$@" | tee -a "$d/driver.log" | grep '^RESULT') ||
		die "N=$N $label: the driver failed ($(tail -2 "$d/driver.log"))"
	n=$(sed -n 's/.* \(confirmed\|requests\)=\([0-9]*\).*/\2/p' <<< "$line")
	line="$line $(awk -v n="${n:-0}" -v a="$ota" -v b="$(cpu_ms "$OTA_PID")" -v c="$gw" -v d="$(cpu_ms "$GW_PID")" \
		-v e="$farm" -v f="$(cpu_ms "$FARM_PID")" 'BEGIN { if (n < 1) n = 1;
		printf "cpu_ota_ms=%.2f cpu_gw_ms=%.2f cpu_farm_ms=%.2f", (b - a) / n, (d - c) / n, (f - e) / n }')"
	echo "N=$N label=$label ${line#RESULT }" | tee -a "$results"
	LAST_PER_S=$(sed -n 's/.* per_s=\([0-9.]*\).*/\1/p' <<< "$line")
}

# perf_start: sample ota-server, sms-gateway and handset-farm while the rate phase runs (BENCH_E2E_PERF=1).
perf_start() {
	PERF_PID=
	[ "${BENCH_E2E_PERF:-0}" = 1 ] && command -v perf > /dev/null || return 0
	perf record -g -F 499 -o "$d/perf.data" -p "$OTA_PID,$GW_PID,$FARM_PID" > /dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.5
}

perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID"
	wait "$PERF_PID" 2>/dev/null
	perf report -i "$d/perf.data" --no-children --sort comm,dso -g none --stdio 2> /dev/null | grep -v '^#' |
		grep -v '^$' | head -25 > "$d/perf.txt"
	echo "# perf (N=$N, rate phase): share of samples by process and library"
	sed 's/^/#   /' "$d/perf.txt"
}

one_n() {
	N=$1
	d=$tmp/n$N
	mkdir -p "$d"
	GWP=$(free_port); GWV=$(free_port)
	db=$d
	[ -n "${BENCH_E2E_DB_DIR:-}" ] && db=$(mktemp -d -p "$BENCH_E2E_DB_DIR") && DB_DIRS+=("$db")
	smsgw_write_cfg "$d/gw.cfg" "$GWP" "$GWV" "$db/q.db" "route lab" " prefix 1" " type lab"
	sed -i 's/ info$/ notice/' "$d/gw.cfg"
	smsgw_start "$d" "$d/gw.cfg" "$GWP" || die "sms-gateway does not start: $(tail -3 "$d/gw.log")"
	GW_PID=$(cat "$d/gw.pid")
	pids+=("$GW_PID")

	local farm_args=(--profile uicc-applet/profiles/demo.json --msisdn 1900000000 --count "$N" --pin 1234)
	"$FARM" "${farm_args[@]}" --cards-csv > "$d/cards.csv" || die "handset-farm --cards-csv failed"
	tail -n +2 "$d/cards.csv" | cut -d, -f1 > "$d/iccids.txt"
	"$FARM" "${farm_args[@]}" --precreate --smpp "127.0.0.1:$GWP" --password labpw > "$d/farm.out" 2> "$d/farm.log" &
	FARM_PID=$!
	pids+=("$FARM_PID")
	for ((i = 0; i < 1200; i++)); do grep -q "bound to" "$d/farm.log" || ! kill -0 "$FARM_PID" 2>/dev/null && break; sleep 0.05; done
	grep -q "bound to" "$d/farm.log" || die "handset-farm does not bind: $(tail -3 "$d/farm.log")"

	HP=$(free_port); VP=$(free_port)
	ota_cfg "$d/ota.cfg" "$db/ota.db" "$HP" "$VP" "$GWP"
	"$OTASRV" -c "$d/ota.cfg" > "$d/server.log" 2>&1 &
	OTA_PID=$!
	pids+=("$OTA_PID")
	wait_port "$HP" || die "ota-server does not start: $(tail -3 "$d/server.log")"
	OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem OTACTL_CERT=$tmp/super1.pem OTACTL_KEY=$tmp/super1.key \
		"$OTACTL" cards import "$d/cards.csv" > /dev/null || die "N=$N: card import failed"

	drive api api --count "$API_COUNT" --conns "$CONNS"
	drive max max --count "$COUNT" --conns "$CONNS"
	local half
	half=$(awk -v r="$LAST_PER_S" 'BEGIN { r = int(r / 2); print r < 1 ? 1 : r }')
	WHO=super1 drive campaign "campaign$((BATCH < COUNT ? BATCH : COUNT))" --count "$COUNT" \
		--batch "$((BATCH < COUNT ? BATCH : COUNT))" --conns 2
	[ "$N" = "${NS##* }" ] && perf_start
	drive rate "rate$RATE" --rate "$RATE" --seconds "$SECONDS_RATE" --conns "$RATE_CONNS"
	[ "$N" = "${NS##* }" ] && perf_stop
	drive rate "rate$half" --rate "$half" --seconds "$SECONDS_HALF" --conns "$RATE_CONNS"

	kill -USR1 "$FARM_PID"
	sleep 0.2
	echo "# N=$N handset-farm: $(tail -1 "$d/farm.out")"
	kill "$OTA_PID" "$FARM_PID" "$GW_PID"
	wait "$OTA_PID" "$FARM_PID" "$GW_PID" 2> /dev/null
}

echo "# bench_e2e: HTTPS API -> ota-server (SQLite) -> SMPP -> sms-gateway (lab) -> handset-farm (simulated UICCs)"
echo "# -> PoR -> confirmed. $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
for N in $NS; do one_n "$N"; done

python3 - "$results" <<'EOF'
import sys
rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1])]
fmt = "%-6s %-14s %8s %9s %9s %11s %6s %7s %6s %6s %6s %6s"
print("")
print(fmt % ("N", "phase", "cmds/s", "p50 ms", "p99 ms", "confirmed", "xAPI", "p99/API", "ota", "gw", "farm",
             "driver"))
api = {}
for r in rows:
    if r["label"] == "api":
        api[r["N"]] = r
        print(fmt % (r["N"], "api GET /v1/me", r["per_s"], r["p50_ms"], r["p99_ms"], "-", "1.00", "1.0",
                     r["cpu_ota_ms"], r["cpu_gw_ms"], r["cpu_farm_ms"], r["cpu_driver_ms"]))
        continue
    a = api.get(r["N"])
    ratio = float(r["per_s"]) / float(a["per_s"]) if a and float(a["per_s"]) else 0
    p99r = float(r["p99_ms"]) / float(a["p99_ms"]) if a and float(a["p99_ms"]) else 0
    print(fmt % (r["N"], r["label"], r["per_s"], r["p50_ms"], r["p99_ms"], "%s/%s" % (r["confirmed"], r["sent"]),
                 "%.2f" % ratio, "%.1f" % p99r, r["cpu_ota_ms"], r["cpu_gw_ms"], r["cpu_farm_ms"],
                 r["cpu_driver_ms"]))
print("")
print("cmds/s: confirmed commands / (last confirmation - first scheduled request); p50/p99: request scheduled ->")
print("'confirmed' committed (PoR verified). xAPI, p99/API: against GET /v1/me on the same connections for the same")
print("N (TLS client certificate + one audited transaction). ota/gw/farm/driver: CPU ms per command used by")
print("ota-server, sms-gateway, handset-farm and this load generator.")
bad = [r for r in rows if r["label"] != "api" and r["confirmed"] != r["sent"]]
sys.exit(1 if bad else 0)
EOF
