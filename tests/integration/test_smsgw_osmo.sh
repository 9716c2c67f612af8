#!/usr/bin/env bash
# sms-gateway upstream route against a real Osmocom SMSC (osmo-msc + osmo-hlr from Debian) on loopback:
# OTA SMS-PP submitted through the gateway lands in osmo-msc's sms.db with PID 7F, DCS F6, UDHI and the user data
# byte-exact; a long packet arrives as concatenated parts; osmo-msc stopped mid-run and restarted: every message
# stored exactly once; tshark decodes the captured SMPP of both hops without a malformed PDU.
set -u
B=${B:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"

D=$(mktemp -d /tmp/smsgw-osmo.XXXXXX)
cleanup() {
	stop_pidfile "$D/gw.pid"
	stop_pidfile "$D/tshark.pid"
	osmo_lab_stop
	rm -rf "$D"
}
trap cleanup EXIT

if ! osmo_lab_start "$D/osmo"; then not_ok "osmo-hlr + osmo-msc start"; exit 1; fi
ok "osmo-hlr + osmo-msc start (SMPP on 127.0.0.1:$OSMO_LAB_SMPP_PORT)"

PORT=$(free_port); VTY=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
CAP=$D/smpp.pcapng
if command -v tshark > /dev/null; then
	tshark -q -i lo -f "tcp port $PORT or tcp port $OSMO_LAB_SMPP_PORT" -w "$CAP" > "$D/tshark.log" 2>&1 &
	echo $! > "$D/tshark.pid"
	for i in $(seq 50); do [ -s "$CAP" ] && break; sleep 0.1; done
fi

smsgw_write_cfg "$D/gw.cfg" "$PORT" "$VTY" "$D/q.db" "route osmo" " prefix" " type upstream" \
	" remote 127.0.0.1 $OSMO_LAB_SMPP_PORT" " system-id OTA-SRV" " password ota-pw" " window 10"
if ! smsgw_start "$D" "$D/gw.cfg" "$PORT"; then not_ok "gateway starts"; cat "$D/gw.log"; exit 1; fi
for i in $(seq 50); do grep -q "osmo: bound to" "$D/gw.log" && break; sleep 0.1; done
check "gateway binds to osmo-msc as ESME OTA-SRV" grep -q "osmo: bound to" "$D/gw.log"

SEND="$B/bin/smpp-send --port $PORT --system-id otasrv --password secret --src 12345 --timeout 10"
OTA=00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574

# wait_rows N: until osmo-msc's sms.db holds N rows (10 s)
wait_rows() {
	local i n
	for i in $(seq 100); do
		n=$(sqlite3 "$D/osmo/sms.db" "SELECT count(*) FROM SMS" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

$SEND --dst 1001 --ota "$OTA" --regdel 1 > "$D/s1.out" 2>&1
check "submit through the gateway accepted" grep -q "status=ESME_ROK message_id=0000000001" "$D/s1.out"
wait_rows 1
check "osmo-msc stored it: PID 127, DCS 246, UDHI, receipt asked, UD 027000||packet byte-exact" \
	grep -qx "127|246|1|1|1001|027000$OTA" <(osmo_lab_sms_rows)

# 300-byte packet: split by the gateway (8-bit reference), never re-split by osmo-msc
BIG=$(python3 -c 'print("".join("%02X" % (i * 7 % 256) for i in range(300)))')
$SEND --dst 1002 --ota "$BIG" --payload > "$D/s2.out" 2>&1
wait_rows 4
osmo_lab_sms_rows | grep "|1002|" > "$D/big.rows"
python3 - "$D/big.rows" "$BIG" > "$D/big.txt" <<'PY'
import sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
ud = [bytes.fromhex(r[5]) for r in rows]
ok = len(ud) == 3 and all(r[0] == "127" and r[1] == "246" and r[2] != "0" for r in rows)
ok = ok and all(len(u) <= 140 for u in ud) and ud[0][:3] == bytes([7, 0, 3]) and ud[0][4:8] == bytes([3, 1, 0x70, 0])
ok = ok and ud[1][:3] == bytes([5, 0, 3]) and ud[1][4:6] == bytes([3, 2]) and ud[2][4:6] == bytes([3, 3])
ok = ok and len({u[3] for u in ud}) == 1
print("ok" if ok and ud[0][8:] + ud[1][6:] + ud[2][6:] == bytes.fromhex(sys.argv[2]) else "bad %s" % rows)
PY
check "long packet stored as 3 concatenated SMS, UDH and payload byte-exact" grep -qx ok "$D/big.txt"

# duplicate submit: no second row
$SEND --dst 1001 --ota "$OTA" --regdel 1 > "$D/s3.out" 2>&1
sleep 0.5
check "duplicate submit: same message id, osmo-msc did not get it twice" \
	bash -c "grep -q 'message_id=0000000001' '$D/s3.out' && [ \$(sqlite3 '$D/osmo/sms.db' 'SELECT count(*) FROM SMS') = 4 ]"

# outage: osmo-msc stops mid-run; 30 messages submitted meanwhile (and while it comes back) all arrive once
osmo_lab_stop_msc
$SEND --dst 1003 --ud 0270000000000000 --esm 0x40 --pid 0x7f --dcs 0xf6 --count 20 --window 5 --vary > "$D/s4.out" 2>&1
check "20 submits accepted while osmo-msc is down" [ "$(grep -c 'status=ESME_ROK' "$D/s4.out")" = 20 ]
vty "$VTY" "show queue" > "$D/vty.out"
check "VTY show queue: 20 queued during the outage" grep -q "queued 20," "$D/vty.out"
vty "$VTY" "show route" > "$D/vty2.out"
check "VTY show route: upstream down" grep -q "^osmo .*upstream .* down" "$D/vty2.out"
sleep 1
osmo_lab_start_msc || not_ok "osmo-msc restarts"
$SEND --dst 1003 --ud 0270000100000000 --esm 0x40 --pid 0x7f --dcs 0xf6 --count 10 --window 5 --vary > "$D/s5.out" 2>&1
wait_rows 34
sleep 1
n_rows=$(sqlite3 "$D/osmo/sms.db" "SELECT count(*) FROM SMS WHERE dest_addr='1003'")
n_distinct=$(sqlite3 "$D/osmo/sms.db" "SELECT count(DISTINCT hex(user_data)) FROM SMS WHERE dest_addr='1003'")
check "after the outage: all 30 messages stored once each ($n_rows rows, $n_distinct distinct)" \
	test "$n_rows" = 30 -a "$n_distinct" = 30
check "gateway reconnected with backoff" grep -q "osmo: reconnecting to 127.0.0.1:$OSMO_LAB_SMPP_PORT" "$D/gw.log"
vty "$VTY" "show queue" > "$D/vty3.out"
check "VTY show queue: nothing left queued" grep -q "queued 0, in flight 0" "$D/vty3.out"

stop_pidfile "$D/gw.pid"
if [ -f "$D/tshark.pid" ]; then
	sleep 0.5
	stop_pidfile "$D/tshark.pid"
	tshark -r "$CAP" -d "tcp.port==$PORT,smpp" -d "tcp.port==$OSMO_LAB_SMPP_PORT,smpp" -Y smpp \
		-T fields -e smpp.command_id > "$D/pdus.txt" 2> /dev/null
	bad=$(tshark -r "$CAP" -d "tcp.port==$PORT,smpp" -d "tcp.port==$OSMO_LAB_SMPP_PORT,smpp" \
		-Y "_ws.malformed || (smpp && _ws.expert.severity >= 6291456)" 2> /dev/null | wc -l)
	check "tshark: $(wc -l < "$D/pdus.txt") SMPP PDUs captured on both hops, none malformed ($bad)" \
		test "$(wc -l < "$D/pdus.txt")" -gt 50 -a "$bad" = 0
else
	not_ok "tshark installed"
fi
check "no sanitizer or runtime error report in the gateway log" bash -c "! grep -Eq 'Sanitizer|runtime error' '$D/gw.log'"
[ "$TAP_FAILS" = 0 ] || { echo "# gateway log:"; tail -n 30 "$D/gw.log" | sed 's/^/# /'; tail -n 20 "$D/osmo/msc.log" | sed 's/^/# /'; }
exit 0
