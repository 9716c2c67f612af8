#!/usr/bin/env bash
# `make demo`: the most complete flow simguard has, printed readably. Today that is the secured-packet round trip
# through the real otactl binary: operator -> secured packet -> card (deciphers, checks CC and counter) -> PoR ->
# server (decodes and authenticates the PoR), with 3DES and AES keysets, then what a replayed and a tampered packet
# get. Later steps of the chain (SMPP, the handset, the card simulator) slot in as further scenes.
set -euo pipefail
B=${B:-build}
OTACTL=$B/bin/otactl
# The system interpreter: version-manager shims in PATH can cost a second per start.
PY=$(command -v /usr/bin/python3 || command -v python3)

# Keysets of the demo card (the reference's worked examples 1 and 2, ../shared/reference/secured-packets.md §11).
TDES_KEYS=(--kic-key 404142434445464748494A4B4C4D4E4F --kid-key 505152535455565758595A5B5C5D5E5F)
AES_KEYS=(--kic-key 000102030405060708090A0B0C0D0E0F --kid-key 101112131415161718191A1B1C1D1E1F)
TAR=C10001 # the anti-theft applet

say() { printf '%-12s %s\n' "[$1]" "$2"; }
scene() { printf '\n=== %s ===\n' "$1"; }

# Print every field of otactl's JSON as "name: value" lines, nested objects as dotted names (the hex copies of
# SPI / KIc / KID inside their spelled-out objects are left out: they are printed once already).
show_fields() {
	"$PY" -c '
import json, sys
def walk(prefix, value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(prefix + [k], v)
    else:
        yield ".".join(prefix), value
for name, value in walk([], json.loads(sys.argv[1])):
    if name.endswith("_fields.hex"):
        continue
    text = json.dumps(value) if isinstance(value, bool) else str(value)
    print("             %-26s %s" % (name, text if text != "" else "(none)"))' "$1"
}

# field JSON PATH: one value of otactl's JSON output.
field() {
	"$PY" -c '
import json, sys
v = json.loads(sys.argv[1])
for p in sys.argv[2].split("."):
    v = v[p]
print(json.dumps(v) if isinstance(v, bool) else v)' "$1" "$2"
}

# Printable ASCII of hex bytes, dots for the rest.
ascii() {
	"$PY" -c 'import sys; print("".join(chr(b) if 32 <= b < 127 else "." for b in bytes.fromhex(sys.argv[1])))' "$1"
}

# lock_request ID: the anti-theft applet's LOCK command, "LOCK" and a 4-byte request id.
lock_request() { printf '4C4F434B%08X' "$1"; }

# The steps below pass their results on in these variables, so everything they print goes to stdout in order.
PACKET='' VERDICT='' POR=''

# operator_sends KEYSET SPI KIC_KID CNTR DATA KEYS...: the OTA server builds the secured packet (PACKET).
operator_sends() {
	local keyset=$1 spi=$2 kk=$3 cntr=$4 data=$5
	shift 5
	say operator "asks to LOCK the phone: secured data $data (\"$(ascii "$data")\")"
	say ota-server "keyset $keyset: next counter $cntr; SPI $spi, KIc/KID $kk, TAR $TAR (anti-theft applet)"
	PACKET=$("$OTACTL" packet encode --spi "$spi" --kic "$kk" --kid "$kk" "$@" --tar $TAR --cntr "$cntr" \
		--data "$data" --udh)
	say ota-server "secured packet, sent as the TP-UD of an SMS-PP (02 70 00 + packet, $((${#PACKET} / 2)) bytes):"
	say ota-server "$PACKET"
}

# card_receives PACKET STORED_CNTR KEYS...: the card's OTA receiving entity checks the packet (VERDICT); returns
# otactl's exit code (0 accepted, 1 refused).
card_receives() {
	local pkt=$1 stored=$2 rc=0
	shift 2
	say card "SMS-PP arrives; deciphers and checks the packet (stored counter $stored):"
	VERDICT=$("$OTACTL" packet verify "$@" --udh --stored-cntr "$stored" "$pkt") || rc=$?
	show_fields "$VERDICT"
	return $rc
}

# card_answers STATUS DATA UNSECURED COMMAND_OPTS...: the card builds its PoR (POR).
card_answers() {
	local status=$1 data=$2 unsecured=$3
	shift 3
	if [ "$unsecured" = yes ]; then
		say card "answers status $status without checksum or ciphering (a security failure gets no CC)"
		POR=$("$OTACTL" packet encode-por "$@" --status "$status" --unsecured --udh)
	else
		say card "answers status $status with data $data (\"$(ascii "$data")\"), secured as SPI2 asks"
		POR=$("$OTACTL" packet encode-por "$@" --status "$status" --data "$data" --udh)
	fi
	say card "PoR: $POR"
}

# server_reads_por POR COMMAND_OPTS...: the OTA server decodes and authenticates the PoR.
server_reads_por() {
	local por=$1 out rc=0
	shift
	say ota-server "PoR arrives; decodes it against the command it sent:"
	out=$("$OTACTL" packet decode-por "$@" --udh "$por") || rc=$?
	show_fields "$out"
	local status="$(field "$out" status.code) \"$(field "$out" status.name)\""
	if [ $rc -eq 0 ]; then
		say ota-server "authentic PoR: status $status, data \"$(ascii "$(field "$out" data)")\": the LOCK is confirmed"
	else
		say ota-server "PoR NOT authenticated ($(field "$out" checksum.result)): its status $status"
		say ota-server "is only a hint; the command stays unconfirmed"
	fi
}

# lock_flow TITLE KEYSET SPI KIC_KID CNTR REQUEST_ID KEYS...: one complete, successful LOCK.
lock_flow() {
	local title=$1 keyset=$2 spi=$3 kk=$4 cntr=$5 id=$6
	shift 6
	local cmd=(--spi "$spi" --kic "$kk" --kid "$kk" "$@" --tar $TAR --cntr "$cntr")
	scene "LOCK with $title"
	operator_sends "$keyset" "$spi" "$kk" "$cntr" "$(lock_request "$id")" "$@"
	if ! card_receives "$PACKET" $((cntr - 1)) "$@"; then
		say card "REFUSED a valid packet: $(field "$VERDICT" card_status.name)"
		exit 1
	fi
	say card "checksum $(field "$VERDICT" integrity.result), counter $(field "$VERDICT" counter.verdict):"
	say card "stores counter $cntr, the applet locks the phone"
	card_answers 00 4F4B no "${cmd[@]}"
	server_reads_por "$POR" "${cmd[@]}"
}

# refused_flow TITLE PACKET STORED KEYS...: a 3DES packet the card must refuse, and the unsecured PoR it sends.
refused_flow() {
	local title=$1 pkt=$2 stored=$3 status
	shift 3
	local cmd=(--spi 1619 --kic 15 --kid 15 "$@" --tar $TAR --cntr 1)
	scene "$title"
	if card_receives "$pkt" "$stored" "$@"; then
		say card "ACCEPTED a packet it should have refused"
		exit 1
	fi
	status=$(field "$VERDICT" card_status.code)
	say card "refuses: $(field "$VERDICT" card_status.name); the applet does nothing"
	card_answers "$(printf '%02X' "$status")" "" yes "${cmd[@]}"
	server_reads_por "$POR" "${cmd[@]}"
}

# flip_bit HEX INDEX: the hex with the lowest bit of byte INDEX inverted.
flip_bit() { printf '%s%02X%s' "${1:0:$((2 * $2))}" $((0x${1:$((2 * $2)):2} ^ 1)) "${1:$((2 * $2 + 2))}"; }

main() {
	if [ ! -x "$OTACTL" ]; then
		echo "demo: $OTACTL is missing; run make all" >&2
		exit 1
	fi
	echo "simguard demo: operator -> secured packet (TS 102 225 / TS 31.115) -> card -> Proof of Receipt"
	echo "(all through $OTACTL; the OTA server and the card share one codec in lib/)"
	lock_flow "3DES two keys (CC + ciphering, counter must be higher)" "1 (3DES)" 1619 15 1 42 "${TDES_KEYS[@]}"
	local tdes_packet=$PACKET
	lock_flow "AES-128 (CMAC + AES-CBC, PoR by SMS-SUBMIT)" "2 (AES)" 1639 22 2 43 "${AES_KEYS[@]}"
	refused_flow "a thief replays the 3DES LOCK packet (card counter now 1)" "$tdes_packet" 1 "${TDES_KEYS[@]}"
	refused_flow "a bit flipped on the way (card counter 0)" "$(flip_bit "$tdes_packet" 20)" 0 "${TDES_KEYS[@]}"
	echo
	echo "demo complete: LOCK delivered and confirmed with 3DES and AES; replayed and tampered packets refused."
}

main "$@"
