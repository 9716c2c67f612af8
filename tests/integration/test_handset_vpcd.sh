#!/usr/bin/env bash
# The handset and simtool against the simulated card through real PC/SC: a private pcscd (own reader directory with
# a vpcd reader on a free port, own socket in a private mount namespace, per ../shared/recipes/pcsc-virtual-card.md)
# and uicc-sim --vpcd as the card. simtool lists the reader and ATR and runs APDUs; handset-sim powers the card
# through pcscd, sends TERMINAL PROFILE, verifies PIN1, attaches with Milenage; the card stopping mid-way is seen
# as a card error, never a crash.
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d /tmp/handset-vpcd.XXXXXX)
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
state() { python3 -c "import json,sys; s=json.load(open('$D/state.json')); print(eval(sys.argv[1]))" "$1"; }

stop_pid() {
	local f=$1 pid i
	[ -f "$f" ] || return 0
	pid=$(tr -d '\0' < "$f")
	rm -f "$f"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
}
cleanup() {
	stop_pid "$D/card.pid"
	stop_pid "$D/pcscd.pid"
	rm -rf "$D"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if ! command -v pcscd > /dev/null || [ ! -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]; then
	not_ok "pcscd and vsmartcard-vpcd are installed (mk/debian-packages.txt)"
	exit 0
fi

PORT=$(free_port)
mkdir -p "$D/run" "$D/conf"
cat > "$D/conf/vpcd" <<EOF
FRIENDLYNAME "SimguardVPCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $PORT
EOF
# a pcscd of our own: reader directory by -c, socket by a bind mount in a private mount namespace
unshare -m --propagation private sh -c "mkdir -p /run/pcscd && mount --bind '$D/run' /run/pcscd && exec pcscd -f -c '$D/conf'" \
	> "$D/pcscd.log" 2>&1 &
echo $! > "$D/pcscd.pid"
export PCSCLITE_CSOCK_NAME=$D/run/pcscd.comm
for ((i = 0; i < 100; i++)); do [ -S "$PCSCLITE_CSOCK_NAME" ] && break; sleep 0.05; done
check "private pcscd is up" [ -S "$PCSCLITE_CSOCK_NAME" ]

cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
start_card() {
	"$B/bin/uicc-sim" --profile "$D/card.json" --image "$D/card.img" --vpcd "127.0.0.1:$PORT" > "$D/card.log" 2>&1 &
	echo $! > "$D/card.pid"
}
wait_card() {
	local i
	for ((i = 0; i < 60; i++)); do
		"$B/bin/simtool" readers 2>/dev/null | grep -q "^   3B" && return 0
		sleep 0.1
	done
	return 1
}
start_card
check "uicc-sim is seen in the vpcd reader (card present within 6 s)" wait_card

"$B/bin/simtool" --json readers > "$D/readers.json"
check "simtool readers: SimguardVPCD 00 00 with the card's ATR" \
	python3 -c "import json,sys; r=json.load(open('$D/readers.json'))['readers']; \
sys.exit(0 if any(x['name']=='SimguardVPCD 00 00' and x['card'] and x['atr'].startswith('3B') for x in r) else 1)"
"$B/bin/simtool" -c pcsc:SimguardVPCD --json apdu 00A40004022FE2 00B0000000 > "$D/apdu.json"
check "simtool over PC/SC: EF.ICCID read (GET RESPONSE handled by the terminal side)" \
	python3 -c "import json,sys; e=json.load(open('$D/apdu.json'))['exchanges']; sys.exit(0 if e[1]['response']=='988812010000000000F3' else 1)"

cat > "$D/hs.cfg" <<EOF
handset
 msisdn 1001
 card pcsc:SimguardVPCD
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 no smpp-link
 state-file $D/state.json
 data-dir $D/data
EOF
timeout 30 "$B/bin/handset-sim" -c "$D/hs.cfg" --once -q > "$D/hs1.log" 2>&1
check "handset-sim through pcscd: PIN1 verified, attached, normal service" \
	[ "$(state 's["card"]["state"] + "/" + s["service"] + "/" + s["attach"]["result"]')" = "ready/normal/attached" ]
check "handset-sim read the IMSI through pcscd" [ "$(state 's["card"]["imsi"]')" = "001010000000001" ]

# a wrong PIN in the handset's config: the card counts it, the handset has no service
sed 's/ pin 1234/ pin 9999/' "$D/hs.cfg" > "$D/hs-badpin.cfg"
timeout 30 "$B/bin/handset-sim" -c "$D/hs-badpin.cfg" --once -q > "$D/hs2.log" 2>&1
check "wrong PIN: PIN needed with 2 tries left, limited service" \
	[ "$(state 's["card"]["state"] + "/" + str(s["card"]["pin_retries"]) + "/" + s["service"]')" = "PIN needed/2/limited" ]
timeout 30 "$B/bin/handset-sim" -c "$D/hs.cfg" --once -q > /dev/null 2>&1
check "the right PIN again: the retry counter is reset, service normal" [ "$(state 's["service"]')" = "normal" ]

# an operator LOCK delivered by SMS-PP data download through pcscd: lock screen and no service
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
LOCK=$("$B/bin/otactl" packet encode --spi 1619 --kic 15 --kid 15 --kic-key 404142434445464748494A4B4C4D4E4F \
	--kid-key 505152535455565758595A5B5C5D5E5F --tar C10001 --cntr 1 --data "$(hexs LOCK)00000001800102")
timeout 30 "$B/bin/handset-sim" -c "$D/hs.cfg" --once -q --deliver-ota "12345:$LOCK" > "$D/hs4.log" 2>&1
check "LOCK through pcscd: lock text on the idle screen, no service" \
	[ "$(state 'str(bool(s["toolkit"]["screen"]["idle_text"])) + "/" + s["service"]')" = "True/limited" ]

# the card goes away while the handset runs: a card error, the handset keeps running until told to stop
rm -f "$D/state.json"
sed 's/^ no smpp-link/ no smpp-link\n status-interval 300/' "$D/hs.cfg" > "$D/hs-live.cfg"
timeout 30 "$B/bin/handset-sim" -c "$D/hs-live.cfg" -q > "$D/hs3.log" 2>&1 &
echo $! > "$D/hs.pid"
for ((i = 0; i < 100; i++)); do [ -f "$D/state.json" ] && [ "$(state 's["service"]')" = limited ] && break; sleep 0.05; done
stop_pid "$D/card.pid"
sleep 0.6
"$B/bin/simtool" -c pcsc:SimguardVPCD apdu 80F200000C > /dev/null 2>&1
check "simtool: a removed card is exit 1" [ $? = 1 ]
for ((i = 0; i < 60; i++)); do [ "$(state 's["card"]["state"]')" = "card error" ] && break; sleep 0.1; done
check "the handset's STATUS presence check finds the card gone: card error, no service" \
	[ "$(state 's["card"]["state"] + "/" + s["service"]')" = "card error/none" ]
kill -0 "$(cat "$D/hs.pid")" 2>/dev/null
check "handset-sim still runs after the card left" [ $? = 0 ]
stop_pid "$D/hs.pid"
check "handset-sim stopped on SIGTERM and wrote power off" [ "$(state 's["power"]')" = "off" ]
