#!/usr/bin/env bash
# sms-gateway source address restrictions with real SMPP sessions (smpp-send) on loopback: the ota-server's ESME
# (allowed-source-address 12345) gets its message delivered, the same ESME sending as a handset's number is refused
# with ESME_RINVSRCADR (command_status 0x0000000A) for submit_sm and data_sm and nothing reaches the queue (its
# database rows and `show queue` unchanged); a prefix pattern; an account without a list (not restricted); a lab
# handset may only send as its own number and a handset farm's range bind as its numbers, never as the OTA server;
# refusals logged with the ESME and the address; an upstream SMSC (a Python stand-in the gateway binds to) whose
# route allows 49* gets deliver_sm_resp ESME_RINVSRCADR for an MO "from" 12345; the setting written back by `write
# file` and in force after a restart from that file; a bad pattern in the config refused by name.
set -u
B=${B:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"

D=$(mktemp -d /tmp/smsgw-src.XXXXXX)
cleanup() { stop_pidfile "$D/gw.pid"; stop_pidfile "$D/smsc.pid"; rm -rf "$D"; }
trap cleanup EXIT

PORT=$(free_port); VTY=$(free_port); SMSC=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
[ "$SMSC" = "$PORT" ] || [ "$SMSC" = "$VTY" ] && SMSC=$((VTY + 1))

# the upstream SMSC stand-in: takes the gateway's bind, hands it two MO deliver_sm (from 12345, then from a 49
# number, both to the OTA server's 12345) and prints the command_status of each deliver_sm_resp
python3 - "$SMSC" > "$D/smsc.out" 2>&1 <<'PY' &
import socket, struct, sys
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(1)
ls.settimeout(20)
s, _ = ls.accept()
s.settimeout(20)
def pdu(cid, status, seq, body=b""):
    return struct.pack(">IIII", 16 + len(body), cid, status, seq) + body
def recv():
    h = b""
    while len(h) < 16:
        h += s.recv(16 - len(h))
    n, cid, st, seq = struct.unpack(">IIII", h)
    b = b""
    while len(b) < n - 16:
        b += s.recv(n - 16 - len(b))
    return cid, st, seq
def mo(seq, src, ud):
    body = b"\0" + bytes([1, 1]) + src + b"\0" + bytes([1, 1]) + b"12345\0" + bytes([0x40, 0x7F, 0]) + b"\0\0"
    body += bytes([0, 0, 0xF6, 0, len(ud)]) + ud
    return pdu(5, 0, seq, body)
cid, st, seq = recv()
assert cid == 9, hex(cid)
s.sendall(pdu(0x80000009, 0, seq, b"SMSC\0"))
s.sendall(mo(1, b"12345", bytes.fromhex("027100AA01")) + mo(2, b"4917000001", bytes.fromhex("027100AA02")))
got = {}
while len(got) < 2:
    cid, st, seq = recv()
    if cid == 0x80000005:
        got[seq] = st
print("from-12345=%d from-4917000001=%d" % (got[1], got[2]))
PY
echo $! > "$D/smsc.pid"

smsgw_write_cfg "$D/gw.cfg" "$PORT" "$VTY" "$D/q.db" "route lab" " prefix 1" " type lab" \
	"route smsc" " prefix 49" " type upstream" " remote 127.0.0.1 $SMSC" " system-id GW" " password gw" \
	" allowed-source-address 49*" \
	"smpp" " esme partner" "  password partner" "  allowed-source-address 4917*" " esme legacy" "  password legacy"
if ! smsgw_start "$D" "$D/gw.cfg" "$PORT"; then not_ok "gateway starts"; cat "$D/gw.log"; exit 1; fi
ok "gateway starts: otasrv may send from 12345, partner from 4917..., legacy from anywhere"

SEND="$B/bin/smpp-send --port $PORT --timeout 8 --json"
OTA=00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574
# status FILE PDU CODE: the response PDU in FILE carries command_status CODE
status() { grep -q "^{\"pdu\":\"$2\",\"seq\":[0-9]*,\"status\":$3," "$1"; }
rows() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from msgs").fetchone()[0])' "$D/q.db"; }

# upstream MO: only from the route's 49*
wait "$(cat "$D/smsc.pid")"; rm -f "$D/smsc.pid"
check "upstream MO from 12345: deliver_sm_resp 0x0A; from 4917000001: 0 ($(cat "$D/smsc.out"))" \
	grep -qx "from-12345=10 from-4917000001=0" "$D/smsc.out"
check "upstream refusal logged with the route and the address" \
	grep -q 'smsc: MO from source address "12345" refused: outside route .smsc..s allowed-source-address' "$D/gw.log"
$SEND --system-id otasrv --password secret --listen 1 > "$D/up.out" 2>&1
check "the OTA server gets the upstream MO from 4917000001 only" \
	bash -c "grep -q '\"src\":\"4917000001\",.*\"ud\":\"027100AA02\"' '$D/up.out' && ! grep -q AA01 '$D/up.out'"

# allowed: the OTA server's own address; queued for 1001, delivered when the handset binds
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ota "$OTA" > "$D/ok.out" 2>&1
check "otasrv from 12345: submit_sm accepted" status "$D/ok.out" submit_sm_resp 0
$SEND --system-id 1001 --password labpw --listen 1 > "$D/hs.out" 2>&1
check "otasrv from 12345: delivered to 1001 with source 12345" \
	grep -q "\"src\":\"12345\",\"dst\":\"1001\",.*\"ud\":\"027000$OTA\"" "$D/hs.out"

# forbidden: the OTA server's ESME sending as a handset (1002) or as a longer number; submit_sm and data_sm
vty "$VTY" "show queue" > "$D/q1.txt"
r1=$(rows)
$SEND --system-id otasrv --password secret --src 1002 --dst 1001 --ota "$OTA" > "$D/bad1.out" 2>&1
check "otasrv from 1002: submit_sm_resp command_status 0x0000000A (ESME_RINVSRCADR)" \
	status "$D/bad1.out" submit_sm_resp 10
$SEND --system-id otasrv --password secret --data-sm --src 1002 --dst 1001 --ud 027000AABB --esm 0x40 \
	> "$D/bad2.out" 2>&1
check "otasrv from 1002: data_sm_resp command_status 0x0000000A" status "$D/bad2.out" data_sm_resp 10
$SEND --system-id otasrv --password secret --src 123456 --dst 1001 --ota "$OTA" > "$D/bad3.out" 2>&1
check "otasrv from 123456 (12345 is exact, not a prefix): refused" status "$D/bad3.out" submit_sm_resp 10
# a concatenated part to an ESME's address (one the gateway would hold for reassembly): refused before it is held
$SEND --system-id otasrv --password secret --src 1002 --dst 12345 --esm 0x40 --ud 0500035A0201CC > "$D/bad4.out" 2>&1
check "otasrv from 1002, a concatenated part: refused" status "$D/bad4.out" submit_sm_resp 10
vty "$VTY" "show queue" > "$D/q2.txt"
check "refused messages: queue database rows unchanged ($r1)" [ "$(rows)" = "$r1" ]
check "refused messages: show queue unchanged, nothing reassembling ($(head -1 "$D/q2.txt"))" \
	bash -c "cmp -s '$D/q1.txt' '$D/q2.txt' && grep -q 'reassembling 0,' '$D/q2.txt'"
check "refusal logged with the ESME, source and destination" \
	grep -q '(otasrv): submit_sm seq 2 from source address "1002" to "1001" refused: outside ESME .otasrv..s allowed-source-address -> ESME_RINVSRCADR' "$D/gw.log"
check "data_sm refusal logged" grep -q '(otasrv): data_sm seq 2 from source address "1002"' "$D/gw.log"
vty "$VTY" "show counters" > "$D/ctr.txt"
check "show counters: 5 refused for their source address (these 4 and the upstream MO)" \
	grep -Eq "refused for their source address: +5 " "$D/ctr.txt"

# a prefix pattern, and an account without any (compatible with configs from before)
$SEND --system-id partner --password partner --src 4917012345 --dst 1001 --ud 00 > "$D/p1.out" 2>&1
check "partner (4917*) from 4917012345: accepted" status "$D/p1.out" submit_sm_resp 0
$SEND --system-id partner --password partner --src 4918012345 --dst 1001 --ud 00 > "$D/p2.out" 2>&1
check "partner (4917*) from 4918012345: refused" status "$D/p2.out" submit_sm_resp 10
$SEND --system-id legacy --password legacy --src 1002 --dst 1001 --ud 01 > "$D/l1.out" 2>&1
check "legacy (no allowed-source-address): any source accepted" status "$D/l1.out" submit_sm_resp 0

# lab handsets: only their own number, never the OTA server's address (a forged PoR)
$SEND --system-id 1001 --password labpw --src 1002 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 027100AA \
	> "$D/h1.out" 2>&1
check "handset 1001 from 1002: refused" status "$D/h1.out" submit_sm_resp 10
$SEND --system-id 1001 --password labpw --src 12345 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 027100BB \
	> "$D/h2.out" 2>&1
check "handset 1001 from 12345 (the OTA server's address): refused" status "$D/h2.out" submit_sm_resp 10
check "handset refusal logged: the address belongs to otasrv" \
	grep -q '(1001): submit_sm seq 2 from source address "12345" to "12345" refused: belongs to ESME .otasrv.' "$D/gw.log"
$SEND --system-id 1001 --password labpw --src 1001 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 027100CC \
	> "$D/h3.out" 2>&1
check "handset 1001 from 1001: accepted" status "$D/h3.out" submit_sm_resp 0
# handset-farm's range bind: the numbers under its system_id
$SEND --system-id 1900 --password labpw --system-type range --src 1900000001 --dst 12345 --esm 0x40 --pid 0x7f \
	--dcs 0xf6 --ud 027100DD > "$D/f1.out" 2>&1
check "range 1900 from 1900000001: accepted" status "$D/f1.out" submit_sm_resp 0
$SEND --system-id 1900 --password labpw --system-type range --src 1800000001 --dst 12345 --esm 0x40 --pid 0x7f \
	--dcs 0xf6 --ud 027100EE > "$D/f2.out" 2>&1
check "range 1900 from 1800000001: refused" status "$D/f2.out" submit_sm_resp 10
$SEND --system-id otasrv --password secret --listen 2 > "$D/mo.out" 2>&1
check "the OTA server gets the two accepted MO (1001, 1900000001) and none of the refused" \
	bash -c "grep -q '\"src\":\"1001\",.*\"ud\":\"027100CC\"' '$D/mo.out' &&
		grep -q '\"src\":\"1900000001\",.*\"ud\":\"027100DD\"' '$D/mo.out' && [ \$(grep -c deliver_sm '$D/mo.out') = 2 ]"

# VTY: a bad pattern refused by name; changes written back by `write file` and in force after a restart from it
vty "$VTY" "enable" "configure terminal" "smpp" "esme partner" "allowed-source-address 55-5" \
	"allowed-source-address 555*" "no allowed-source-address 4917*" "end" "write file" > "$D/vty.txt"
check "VTY: a bad pattern is refused naming it" \
	grep -q "source address pattern '55-5': character 3 is not a letter or digit" "$D/vty.txt"
python3 - "$D/gw.cfg" > "$D/nodes.txt" <<'PY'
import sys
node, out = None, []
for line in open(sys.argv[1]):
    if line.startswith((" esme ", "route ")):
        node = line.split()[1]
    elif line.strip().startswith("allowed-source-address"):
        out.append("%s %s" % (node, line.split()[1]))
print(" ".join(out))
PY
check "write file: otasrv 12345, partner 555*, route smsc 49* written back in their nodes ($(cat "$D/nodes.txt"))" \
	grep -qx "otasrv 12345 partner 555\* smsc 49\*" "$D/nodes.txt"
stop_pidfile "$D/gw.pid"
smsgw_start "$D" "$D/gw.cfg" "$PORT" || not_ok "gateway restarts from the written config"
$SEND --system-id partner --password partner --src 5551 --dst 1001 --ud 02 > "$D/r1.out" 2>&1
$SEND --system-id partner --password partner --src 4917012345 --dst 1001 --ud 03 > "$D/r2.out" 2>&1
$SEND --system-id otasrv --password secret --src 1002 --dst 1001 --ud 04 > "$D/r3.out" 2>&1
check "after the restart: partner from 5551 accepted, from 4917... refused, otasrv still only 12345" \
	bash -c "grep -q '\"status\":0,' '$D/r1.out' && grep -q '\"status\":10,' '$D/r2.out' && grep -q '\"status\":10,' '$D/r3.out'"

# a config with a bad pattern does not start, and says why
sed 's/^  allowed-source-address 12345$/  allowed-source-address 12345#/' "$D/gw.cfg" > "$D/bad.cfg"
"$B/bin/sms-gateway" -c "$D/bad.cfg" > "$D/bad.log" 2>&1
rc=$?
check "config with pattern '12345#': exit $rc, error names it" \
	bash -c "[ $rc != 0 ] && grep -q \"pattern '12345#'\" '$D/bad.log'"

smsgw_finish "$D"
