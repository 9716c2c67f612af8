#!/usr/bin/env bash
# sms-gateway lab route: an OTA server ESME and a lab handset (smpp-send acting as handset-sim, bound with its
# MSISDN) on loopback. MT SMS-PP delivered as deliver_sm, PoR MO back to the ESME, receipts, USSD, the split of a
# long OTA packet, reassembly of concatenated MO parts, queueing for an absent handset across a gateway restart,
# bad input answered and logged without a crash, clean SIGTERM.
set -u
B=${B:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"

D=$(mktemp -d /tmp/smsgw-lab.XXXXXX)
cleanup() { stop_pidfile "$D/gw.pid"; stop_pidfile "$D/hs.pid"; rm -rf "$D"; }
trap cleanup EXIT

PORT=$(free_port); VTY=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
smsgw_write_cfg "$D/gw.cfg" "$PORT" "$VTY" "$D/q.db" "route lab" " prefix 1" " type lab"
if ! smsgw_start "$D" "$D/gw.cfg" "$PORT"; then not_ok "gateway starts"; cat "$D/gw.log"; exit 1; fi
ok "gateway starts with the lab config"

SEND="$B/bin/smpp-send --port $PORT --timeout 8"
OTA=00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574

# handset 1001: takes one deliver_sm, answers with a PoR MO
$SEND --system-id 1001 --password labpw --listen 1 --reply-ud 027100AABBCCDD > "$D/hs.out" 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ota "$OTA" --regdel 1 --expect-receipts 1 \
	--listen 1 > "$D/ota.out" 2>&1
rc=$?
wait "$(cat "$D/hs.pid")"; hs_rc=$?; rm -f "$D/hs.pid"
check "OTA server: submit_sm accepted with a message id" grep -q "^submit_sm_resp seq=2 status=ESME_ROK message_id=0000000001" "$D/ota.out"
check "handset: deliver_sm with esm 40, PID 7F, DCS F6, UD 027000||packet byte-exact" \
	grep -q "^deliver_sm src=12345 dst=1001 esm=0x40 pid=0x7F dcs=0xF6 ussd=-1 ud=027000$OTA\$" "$D/hs.out"
check "OTA server: PoR MO from 1001 as deliver_sm" grep -q "^deliver_sm src=1001 dst=12345 esm=0x40 pid=0x7F dcs=0xF6 ussd=-1 ud=027100AABBCCDD\$" "$D/ota.out"
check "OTA server: delivery receipt mapped to its message id" grep -q "^receipt id=0000000001 state=2 .*stat:DELIVRD" "$D/ota.out"
check "both clients finished cleanly" test "$rc" = 0 -a "$hs_rc" = 0

# duplicate submit: same message id, not delivered twice (handset would see a second deliver_sm)
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ota "$OTA" > "$D/dup.out" 2>&1
check "duplicate submit answered with the first message id" grep -q "status=ESME_ROK message_id=0000000001" "$D/dup.out"

# USSD: ussd_service_op 2 (USSR) carried to the handset, the handset's reply (op 18) back to the ESME
$SEND --system-id 1001 --password labpw --listen 1 --reply-ud 0102030405 > "$D/hs2.out" 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ud A0A1A2A3 --dcs 0xF6 --ussd-op 2 --listen 1 > "$D/ussd.out" 2>&1
wait "$(cat "$D/hs.pid")"; rm -f "$D/hs.pid"
check "USSD: handset got ussd_service_op 2 with the packet" grep -q "ussd=2 ud=A0A1A2A3\$" "$D/hs2.out"
check "USSD: ESME got the handset's USSR confirm (op 18)" grep -q "src=1001 dst=12345 .*ussd=18 ud=0102030405\$" "$D/ussd.out"

# a 300-byte OTA packet: split once by the gateway into 3 concatenated SMS (8-bit ref), CPI in the first only
BIG=$(python3 -c 'print("".join("%02X" % (i % 256) for i in range(300)))')
$SEND --system-id 1001 --password labpw --listen 3 > "$D/hs3.out" 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ota "$BIG" --payload > "$D/big.out" 2>&1
wait "$(cat "$D/hs.pid")"; rm -f "$D/hs.pid"
check "long OTA packet accepted" grep -q "status=ESME_ROK" "$D/big.out"
python3 - "$D/hs3.out" "$BIG" > "$D/split.txt" <<'PY'
import sys
parts = [l.split("ud=")[1].strip() for l in open(sys.argv[1]) if l.startswith("deliver_sm")]
raw = [bytes.fromhex(p) for p in parts]
raw.sort(key=lambda u: u[5])
ok = len(raw) == 3 and all(len(u) <= 140 for u in raw)
ok = ok and raw[0][:8] == bytes([7, 0, 3, raw[0][3], 3, 1, 0x70, 0]) and raw[1][:6] == bytes([5, 0, 3, raw[0][3], 3, 2])
ok = ok and raw[2][:6] == bytes([5, 0, 3, raw[0][3], 3, 3])
data = raw[0][8:] + raw[1][6:] + raw[2][6:]
print("split-ok" if ok and data == bytes.fromhex(sys.argv[2]) else "split-bad %s" % parts)
PY
check "split: 3 parts of <= 140 octets, concat IE in each, 70 00 in the first, payload byte-exact" grep -q split-ok "$D/split.txt"

# concatenated MO from the handset, parts out of order with a duplicate: one deliver_sm to the ESME
$SEND --system-id otasrv --password secret --listen 1 > "$D/reasm.out" 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id 1001 --password labpw --src 1001 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 0500035A0202CCDD > /dev/null 2>&1
$SEND --system-id 1001 --password labpw --src 1001 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 0500035A0202CCDD > /dev/null 2>&1
$SEND --system-id 1001 --password labpw --src 1001 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 0700035A02017100AABB > /dev/null 2>&1
wait "$(cat "$D/hs.pid")"; rm -f "$D/hs.pid"
check "MO reassembly: out of order + duplicate -> one deliver_sm 02 71 00 AABBCCDD" grep -q "src=1001 dst=12345 esm=0x40 .*ud=027100AABBCCDD\$" "$D/reasm.out"

# a lost part times out (reassembly-timeout 5)
$SEND --system-id 1001 --password labpw --src 1001 --dst 12345 --esm 0x40 --pid 0x7f --dcs 0xf6 --ud 0500037B0201EE > /dev/null 2>&1
sleep 6.2
check "MO reassembly: lost part dropped after the timeout" grep -q "incomplete concatenated MO dropped" "$D/gw.log"

# handset absent: the message waits in the queue, survives a gateway restart, arrives once the handset binds
$SEND --system-id otasrv --password secret --src 12345 --dst 1002 --ota 00112233 > "$D/q.out" 2>&1
check "submit to an unbound handset accepted" grep -q "status=ESME_ROK" "$D/q.out"
vty "$VTY" "show queue" > "$D/vty1.out"
check "VTY show queue counts it" grep -q "queued 1," "$D/vty1.out"
stop_pidfile "$D/gw.pid"
smsgw_start "$D" "$D/gw.cfg" "$PORT" || not_ok "gateway restarts"
$SEND --system-id 1002 --password labpw --listen 1 --timeout 5 > "$D/hs4.out" 2>&1
check "after a restart the queued message reaches the handset" grep -q "dst=1002 .*ud=02700000112233\$" "$D/hs4.out"

# the handset pushes back (ESME_RTHROTTLED): the message is retried and delivered once it accepts
$SEND --system-id 1003 --password labpw --listen 1 --resp-status 0x58 > "$D/thr1.out" 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id otasrv --password secret --src 12345 --dst 1003 --ota 0A0B0C > /dev/null 2>&1
wait "$(cat "$D/hs.pid")"; rm -f "$D/hs.pid"
$SEND --system-id 1003 --password labpw --listen 1 > "$D/thr2.out" 2>&1
check "ESME_RTHROTTLED honoured: retried, then delivered" \
	bash -c "grep -q 'ud=0270000A0B0C' '$D/thr1.out' && grep -q 'ud=0270000A0B0C' '$D/thr2.out' && grep -q 'ESME_RTHROTTLED from 1003, retry' '$D/gw.log'"
# a permanent refusal (ESME_RX_P_APPN): failed for good, the ESME gets an UNDELIV receipt with our id
$SEND --system-id 1004 --password labpw --listen 1 --resp-status 0x65 > /dev/null 2>&1 &
echo $! > "$D/hs.pid"
sleep 0.3
$SEND --system-id otasrv --password secret --src 12345 --dst 1004 --ota 0D0E0F --regdel 1 --expect-receipts 1 > "$D/undeliv.out" 2>&1
wait "$(cat "$D/hs.pid")"; rm -f "$D/hs.pid"
id=$(sed -n 's/^submit_sm_resp.*message_id=//p' "$D/undeliv.out")
check "permanent refusal -> receipt stat:UNDELIV for message $id" grep -q "^receipt id=$id state=5 .*stat:UNDELIV" "$D/undeliv.out"

# bad input: wrong password, unknown command, lying sm_length, lying UDH, deliver_sm from an ESME
$SEND --system-id otasrv --password wrong --dst 1 --ud 00 > "$D/bad1.out" 2>&1
check "bind with a wrong password -> ESME_RINVPASWD" grep -q "bind status=ESME_RINVPASWD" "$D/bad1.out"
$SEND --system-id 9999 --password labpw --dst 1 --ud 00 > "$D/bad1b.out" 2>&1
check "bind with an unknown system_id -> ESME_RINVSYSID" grep -q "bind status=ESME_RINVSYSID" "$D/bad1b.out"
$SEND --system-id otasrv --password secret --raw 00000010000000770000000000000042 > "$D/bad2.out" 2>&1
check "unknown command id -> generic_nack ESME_RINVCMDID, same seq" grep -q "generic_nack seq=66 status=ESME_RINVCMDID" "$D/bad2.out"
# submit_sm 12345 -> 1001 whose sm_length says 5 but only 4 bytes of short_message follow
SUB=$(python3 -c '
body = bytes.fromhex("00 01 01") + b"12345\0" + bytes.fromhex("01 01") + b"1001\0" + bytes.fromhex("40 7F 00 00 00 01 00 F6 00 05 027000AA")
print((len(body) + 16).to_bytes(4, "big").hex() + "00000004" + "00000000" + "00000005" + body.hex())')
$SEND --system-id otasrv --password secret --raw "$SUB" > "$D/bad3.out" 2>&1
check "submit_sm whose sm_length runs past the PDU -> ESME_RINVMSGLEN" grep -q "submit_sm_resp seq=5 status=ESME_RINVMSGLEN" "$D/bad3.out"
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --esm 0x40 --ud 097000AABB > "$D/bad4.out" 2>&1
check "UDH whose UDHL runs past the user data -> ESME_RINVMSGLEN" grep -q "status=ESME_RINVMSGLEN" "$D/bad4.out"
$SEND --system-id otasrv --password secret --src 12345 --dst 4444 --ota 00 > "$D/bad5.out" 2>&1
check "destination without a route -> ESME_RINVDSTADR" grep -q "status=ESME_RINVDSTADR" "$D/bad5.out"
check "errors logged with the reason" grep -q "sm_length 5 runs past the PDU" "$D/gw.log"
# 2000 PDUs with random bodies under real command ids, on a bound session: answered, never a crash
python3 - "$PORT" > "$D/garbage.out" 2>&1 <<'PY'
import random, socket, struct, sys, time
random.seed(7)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
def pdu(cid, seq, body):
    return struct.pack(">IIII", 16 + len(body), cid, 0, seq) + body
s.sendall(pdu(9, 1, b"otasrv\0secret\0\0\x34\0\0\0"))
# every id but unbind, which would end the session
ids = [0x4, 0x5, 0x103, 0x9, 0x15, 0x80000005, 0x80000004, 0x80000000, 0x102, 0x3, 0x21, 0x77]
for seq in range(2, 2002):
    body = bytes(random.getrandbits(8) for _ in range(random.randrange(0, 300)))
    s.sendall(pdu(random.choice(ids), seq, body))
got = b""
s.settimeout(2)
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
except socket.timeout:
    pass
print("responses bytes", len(got))
PY
check "random PDU bodies answered (garbage.out: $(cat "$D/garbage.out"))" grep -q "responses bytes [1-9]" "$D/garbage.out"
check "gateway still running after bad input" kill -0 "$(cat "$D/gw.pid")"
vty "$VTY" "show route" > "$D/vty2.out"
vty "$VTY" "show counters" > "$D/vty3.out"
check "VTY show route lists the lab route" grep -q "^lab .* lab " "$D/vty2.out"
check "VTY show counters counts the rejected submits" grep -Eq "submits answered with an error status: +[1-9]" "$D/vty3.out"

smsgw_finish "$D"
