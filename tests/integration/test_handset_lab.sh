#!/usr/bin/env bash
# handset-sim on sms-gateway's lab route, with the simulated card in-process: the handset binds with its MSISDN,
# an ordinary SMS from an ESME lands in its inbox, a LOCATE in the USSD dialect comes back as the USSR confirm (0C)
# and then as SEND USSD with the full PoR, an OTA command packet (secured-packets.md Example 1: a LOCK for TAR
# C10001, keyset 1 of the demo profile) is handed to the card by ENVELOPE(SMS-PP DATA DOWNLOAD) and its PoR comes
# back to the ESME as an MO deliver_sm from the handset, the VTY shows and acts, and the handset reconnects after a
# gateway restart.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"

D=$(mktemp -d /tmp/handset-lab.XXXXXX)
cleanup() { stop_pidfile "$D/hs.pid"; stop_pidfile "$D/gw.pid"; [ -n "${KEEP:-}" ] || rm -rf "$D"; }
trap cleanup EXIT
all_of() { eval "$1"; }
state() { python3 -c "import json,sys; s=json.load(open('$D/state.json')); print(eval(sys.argv[1]))" "$1"; }
wait_state() {
	local expr=$1 want=$2 i
	for ((i = 0; i < 100; i++)); do
		[ -f "$D/state.json" ] && [ "$(state "$expr" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

PORT=$(free_port); VTY=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
smsgw_write_cfg "$D/gw.cfg" "$PORT" "$VTY" "$D/q.db" "route lab" " prefix 1" " type lab"
if ! smsgw_start "$D" "$D/gw.cfg" "$PORT"; then not_ok "gateway starts"; cat "$D/gw.log"; exit 1; fi

HSVTY=$(free_port)
cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
cat > "$D/hs.cfg" <<EOF
line vty
 bind 127.0.0.1 $HSVTY
handset
 msisdn 1001
 card sim:$D/card.json,$D/card.img
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 smpp-link 127.0.0.1 $PORT labpw
 state-file $D/state.json
 data-dir $D/data
EOF
"$B/bin/handset-sim" -c "$D/hs.cfg" -q > "$D/hs.log" 2>&1 &
echo $! > "$D/hs.pid"
check "handset-sim binds to the gateway with its MSISDN" wait_state 's["smpp"]["bound"]' True
check "handset attached" [ "$(state 's["service"]')" = normal ]

SEND="$B/bin/smpp-send --port $PORT --timeout 8"
# ordinary text SMS (GSM default alphabet as SMPP carries it, one character per octet)
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ud 68656C6C6F206C6162 --dcs 0 > "$D/sms.out" 2>&1
check "an ordinary SMS reaches the inbox" wait_state 's["inbox"][-1]["text"] if s["inbox"] else ""' "hello lab"

# LOCATE in the USSD dialect (AES keyset 2), before the LOCK below takes the service away: 0C first (USSR
# confirm), then the full PoR by SEND USSD (PSSR indication, op 1)
LOCA=$("$B/bin/otactl" packet encode --spi 1619 --kic 22 --kid 22 --kic-key 000102030405060708090A0B0C0D0E0F \
	--kid-key 101112131415161718191A1B1C1D1E1F --tar C10001 --cntr 1 --dialect ussd \
	--data "$(printf LOCA | od -An -tx1 | tr -d ' \n')00000009800102")
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ud "$LOCA" --dcs 0xF6 --ussd-op 2 --listen 2 \
	> "$D/loca.out" 2>&1
check "USSD LOCATE: the confirm and then the deferred PoR by SEND USSD reach the server" \
	all_of 'grep -q "src=1001 dst=12345 .*ussd=18" "$D/loca.out" && grep -q "src=1001 dst=12345 .*ussd=1 " "$D/loca.out"'

# OTA: Example 1 of secured-packets.md, keyset 1 of the demo profile; the PoR comes back as MO
OTA=00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ota "$OTA" --listen 1 > "$D/ota.out" 2>&1
check "the card got the packet by SMS-PP data download" [ "$(state 's["downloads"]')" = 2 ]
check "the PoR reached the OTA server as MO from 1001 (UDH 02 71 00, PID 7F, DCS F6)" \
	grep -q "^deliver_sm src=1001 dst=12345 esm=0x40 pid=0x7F dcs=0xF6 ussd=-1 ud=027100" "$D/ota.out"

# USSD data download: the card's answer goes back as the USSR confirm (op 18)
$SEND --system-id otasrv --password secret --src 12345 --dst 1001 --ud "$OTA" --dcs 0xF6 --ussd-op 2 --listen 1 \
	> "$D/ussd.out" 2>&1
check "USSD data download answered with ussd_service_op 18" grep -q "src=1001 dst=12345 .*ussd=18" "$D/ussd.out"

# the VTY on loopback: show the state, the running config (never the subscriber keys), act on the handset
vty_session() {
	python3 - "$@" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
s.settimeout(0.3)
def drain():
    out, end = b"", time.time() + 3
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if out.rstrip().endswith((b">", b"#")):
                break
            continue
        if not d:
            break
        out += d
    return out
drain()
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\r\n")
    sys.stdout.write(bytes(b for b in drain() if b < 0x80).decode(errors="replace"))
PY
}
vty_session "$HSVTY" "show handset" > "$D/vty1.out"
check "VTY show handset: the state as JSON" grep -q '"msisdn": "1001"' "$D/vty1.out"
vty_session "$HSVTY" enable "show running-config" "handset dial 112" > "$D/vty2.out"
check "VTY show running-config: the handset node, no K or OPc" all_of '[ "$(grep -c '\'' msisdn 1001'\'' "$D/vty2.out")" = 1 ] && [ "$(grep -ci '\''465B5CE8'\'' "$D/vty2.out")" = 0 ]'
check "VTY handset dial 112: an emergency call" grep -q "emergency call" "$D/vty2.out"

# the gateway restarts: the handset binds again by itself
stop_pidfile "$D/gw.pid"
check "the handset notices the link went down" wait_state 's["smpp"]["bound"]' False
smsgw_start "$D" "$D/gw.cfg" "$PORT" > /dev/null
for ((i = 0; i < 80; i++)); do [ "$(state 's["smpp"]["bound"]')" = True ] && break; sleep 0.1; done
check "after a gateway restart the handset is bound again (backoff)" [ "$(state 's["smpp"]["bound"]')" = True ]

stop_pidfile "$D/hs.pid"
check "SIGTERM: handset powered off cleanly" [ "$(state 's["power"]')" = off ]
check "no crash in the handset log" [ -z "$(grep -Ei 'segmentation|abort|assert|sanitizer|runtime error' "$D/hs.log")" ]
