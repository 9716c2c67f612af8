#!/usr/bin/env bash
# sms-gateway PC/SC route through real pcscd + vsmartcard-vpcd: a minimal UICC stand-in (stdlib Python, vpcd wire
# protocol) takes ENVELOPE(SMS-PP DATA DOWNLOAD); the envelope is checked byte for byte (reference layout of
# sms-pp-and-ussd.md §8), the PoR from GET RESPONSE and a proactive SEND SHORT MESSAGE come back to the ESME as MO.
set -u
B=${B:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"

D=$(mktemp -d /tmp/smsgw-pcsc.XXXXXX)
cleanup() { stop_pidfile "$D/gw.pid"; stop_pidfile "$D/card.pid"; stop_pidfile "$D/pcscd.pid"; rm -rf "$D"; }
trap cleanup EXIT

if ! command -v pcscd > /dev/null || [ ! -f /etc/reader.conf.d/vpcd ]; then
	not_ok "pcscd and vsmartcard-vpcd installed"; exit 0
fi
# our own pcscd unless one already runs (then its vpcd slots are shared: we take slot 1)
if ! python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("/run/pcscd/pcscd.comm")' 2>/dev/null; then
	pcscd --foreground > "$D/pcscd.log" 2>&1 &
	echo $! > "$D/pcscd.pid"
fi
wait_port 35964 "$(cat "$D/pcscd.pid" 2>/dev/null)" 10 || { not_ok "vpcd slot 1 listening"; exit 0; }

cat > "$D/card.py" <<'PY'
# A UICC stand-in on vpcd slot 1: answers TERMINAL PROFILE, ENVELOPE(SMS-PP download) with 61xx (PoR by
# GET RESPONSE) when the packet starts 01, with 91xx and a SEND SHORT MESSAGE when it starts 02.
import socket, struct, sys, time
log = open(sys.argv[1], "a", buffering=1)
POR = bytes.fromhex("027100AABBCCDD")
TPDU = bytes.fromhex("410005812143F57FF607027100C0FFEE00")  # SMS-SUBMIT to 12345 (TON/NPI 81)
SSM = bytes([0xD0, 11 + 2 + len(TPDU)]) + bytes.fromhex("8103011300820281838B") + bytes([len(TPDU)]) + TPDU
while True:
    try:
        s = socket.create_connection(("127.0.0.1", 35964))
        break
    except OSError:
        time.sleep(0.1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def recv_exact(n):
    b = b""
    while len(b) < n:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        d = s.recv(n - len(b))
        if not d:
            sys.exit(0)
        b += d
    return b
def send(b):
    s.sendall(struct.pack(">H", len(b)) + b)
pending = b""
while True:
    (n,) = struct.unpack(">H", recv_exact(2))
    a = recv_exact(n)
    if n == 1:
        if a[0] == 4:
            send(bytes.fromhex("3B0214 50".replace(" ", "")))
        continue
    ins = a[1]
    log.write("apdu %s\n" % a.hex().upper())
    if ins == 0x10:
        send(b"\x90\x00")
    elif ins == 0xC2:
        tpdu = a[a.index(0x8B, 5) + 2:]
        # first octet, OA (digits count, TOA, BCD), PID, DCS, SCTS, UDL
        ud = tpdu[1 + 2 + (tpdu[1] + 1) // 2 + 2 + 7 + 1:]
        first = ud[3] if len(ud) > 3 else 0
        if first == 1:
            pending = POR
            send(bytes([0x61, len(POR)]))
        elif first == 2:
            pending = SSM
            send(bytes([0x91, len(SSM)]))
        else:
            send(b"\x90\x00")
    elif ins in (0xC0, 0x12):
        send(pending[: a[4] or 256] + b"\x90\x00")
        pending = b""
    elif ins == 0x14:
        send(b"\x90\x00")
    else:
        send(b"\x6D\x00")
PY
python3 "$D/card.py" "$D/card.log" > "$D/card.err" 2>&1 &
echo $! > "$D/card.pid"
sleep 1.5 # pcscd polls the slot every ~400 ms before the card shows as present

PORT=$(free_port); VTY=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
smsgw_write_cfg "$D/gw.cfg" "$PORT" "$VTY" "$D/q.db" "route card" " prefix 1009" " type pcsc" \
	" reader Virtual PCD 00 01" " sc-address 4917100000"
if ! smsgw_start "$D" "$D/gw.cfg" "$PORT"; then not_ok "gateway starts"; cat "$D/gw.log"; exit 1; fi
ok "gateway starts with a pcsc route"

SEND="$B/bin/smpp-send --port $PORT --system-id otasrv --password secret --src 12345 --timeout 10"
$SEND --dst 1009 --ota 01112233 --regdel 1 --listen 1 --expect-receipts 1 > "$D/s1.out" 2>&1
check "PoR from GET RESPONSE reaches the ESME as MO from the card's number" \
	grep -q "^deliver_sm src=1009 dst=12345 esm=0x40 pid=0x7F dcs=0xF6 ussd=-1 ud=027100AABBCCDD$" "$D/s1.out"
check "delivery receipt after the card answered" grep -q "^receipt id=0000000001 state=2" "$D/s1.out"
env_hex=$(grep -m1 "^apdu 80C2" "$D/card.log" | cut -d' ' -f2)
# 80 C2 00 00 Lc D1 len 82 02 83 81 06 06 91 94 71 01 00 00 8B len 44 05 91 21 43 F5 7F F6 <SCTS> 07 02 70 00 01 11 22 33
want='^80C2000027D125820283810606919471010000''8B174405912143F57FF6[0-9A-F]{14}0702700001112233$'
check "ENVELOPE bytes: D1, device ids 83->81, SC address 06 06 91 94 71 01 00 00, 8B SMS-DELIVER 44 / OA 12345 / 7F F6 / UD" \
	grep -Eq "$want" <<< "$env_hex"
$SEND --dst 1009 --ota 02AABB --listen 1 > "$D/s2.out" 2>&1
check "proactive SEND SHORT MESSAGE served: its SMS-SUBMIT reaches the ESME" \
	grep -q "^deliver_sm src=1009 dst=12345 esm=0x40 pid=0x7F dcs=0xF6 ussd=-1 ud=027100C0FFEE00$" "$D/s2.out"
check "TERMINAL RESPONSE: command details echoed, ME -> UICC, result 00" \
	grep -q "^apdu 801400000C810301130082028281830100$" "$D/card.log"
vty "$VTY" "show route" > "$D/vty.out"
check "VTY show route shows the pcsc route and its reader" grep -q "^card .*pcsc .*Virtual PCD 00 01" "$D/vty.out"
vty "$VTY" "enable" "show running-config" > "$D/run.out"
check "show running-config writes the route back with its reader and sc-address" \
	bash -c "grep -qx ' reader Virtual PCD 00 01' '$D/run.out' && grep -qx ' sc-address 4917100000' '$D/run.out'"
[ "$TAP_FAILS" = 0 ] || sed 's/^/# card: /' "$D/card.log" "$D/card.err"
smsgw_finish "$D"
