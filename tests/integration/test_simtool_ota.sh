#!/usr/bin/env bash
# simtool ota against the simulated card in-process, with packets made by otactl (an independent build path of the
# same codec, keyed like the demo profile): the anti-theft STATUS with its PoR in the ENVELOPE response (SPI 16 19)
# and by SEND SHORT MESSAGE (SPI 16 39), LOCATE with its deferred PoR (status 0B first, then PROVIDE LOCAL
# INFORMATION served by simtool and the full PoR by SMS-SUBMIT), the USSD dialect, AES keyset 2, a replayed counter
# and a wrong key (no PoR: the card's safest default), all verified by simtool with the keys.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib/tap.sh" simtool-ota
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }

cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
CARD="sim:$D/card.json,$D/card.img"
K1="--kic-key 404142434445464748494A4B4C4D4E4F --kid-key 505152535455565758595A5B5C5D5E5F"
K2="--kic-key 000102030405060708090A0B0C0D0E0F --kid-key 101112131415161718191A1B1C1D1E1F"
# pkt SPI KIC/KID COUNTER DATA-HEX [otactl options]
pkt() {
	local spi=$1 k=$2 cntr=$3 data=$4 keys
	shift 4
	if [ "$k" = 15 ]; then keys=$K1; else keys=$K2; fi
	# shellcheck disable=SC2086
	"$B/bin/otactl" packet encode --spi "$spi" --kic "$k" --kid "$k" $keys --tar C10001 --cntr "$cntr" \
		--data "$data" "$@"
}
ota() { "$B/bin/simtool" -c "$CARD" --json ota "$@" > "$D/out.json" 2> "$D/err.txt"; }

STAT=$(hexs STAT)00000001800102
# shellcheck disable=SC2086
ota --packet "$(pkt 1619 15 1 "$STAT")" $K1
check "STATUS, PoR in the ENVELOPE response: verified, status 00 (exit $?)" \
	[ "$(jq_py "$D/out.json" 'd["por"]["via"], d["por"]["status"], d["por"]["checksum_ok"]')" = \
	"('ENVELOPE response', 0, True)" ]
check "STATUS result: OK with the state TLV 90 00 (normal)" \
	[ "$(jq_py "$D/out.json" 'd["por"]["data"][:10]')" = "4F4B900100" ]

# shellcheck disable=SC2086
ota --packet "$(pkt 1639 15 2 "$STAT")" $K1
check "STATUS, PoR by SMS-SUBMIT: found in the SEND SHORT MESSAGE and verified (exit $?)" \
	[ "$(jq_py "$D/out.json" 'd["por"]["via"], d["por"]["status"], d["por"]["checksum_ok"]')" = \
	"('SEND SHORT MESSAGE', 0, True)" ]
check "the proactive session was served until the card was idle" \
	[ "$(jq_py "$D/out.json" 'd["proactive"][-1]["sw"][:4]')" = "9000" ]

LOCA=$(hexs LOCA)00000003800102
# shellcheck disable=SC2086
ota --packet "$(pkt 1639 15 3 "$LOCA")" $K1
check "LOCATE: the deferred PoR (after 0B) carries location and IMEI, verified" \
	[ "$(jq_py "$D/out.json" 'd["por"]["status"], d["por"]["data"][:4], "91" in d["por"]["data"], "92" in d["por"]["data"]')" = \
	"(0, '4F4B', True, True)" ]
check "LOCATE: simtool answered PROVIDE LOCAL INFORMATION (location and IMEI)" \
	[ "$(jq_py "$D/out.json" '[p["command"]["type"]["name"] for p in d["proactive"]].count("PROVIDE LOCAL INFORMATION")')" -ge 2 ]

# AES keyset 2, PoR in the response
# shellcheck disable=SC2086
ota --packet "$(pkt 1619 22 1 "$(hexs STAT)00000004800102")" $K2
check "AES keyset 2: PoR verified (exit $?)" [ "$(jq_py "$D/out.json" 'd["por"]["checksum_ok"]')" = True ]

# USSD dialect: ENVELOPE(USSD DATA DOWNLOAD), the PoR in the response data
# shellcheck disable=SC2086
ota --ussd --packet "$(pkt 1619 15 10 "$(hexs STAT)00000005800102" --dialect ussd)" $K1
rc=$?
check "USSD dialect: PoR verified (exit $rc)" [ "$rc" = 0 ]

# USSD dialect LOCATE: PoR status 0C first, the full PoR comes in SEND USSD
# shellcheck disable=SC2086
ota --ussd --packet "$(pkt 1619 15 11 "$(hexs LOCA)00000006800102" --dialect ussd)" $K1
check "USSD dialect LOCATE: the deferred PoR comes by SEND USSD, verified, with location and IMEI (exit $?)" \
	[ "$(jq_py "$D/out.json" 'd["por"]["via"], d["por"]["status"], d["por"]["data"][:4], "92" in d["por"]["data"]')" = \
	"('SEND USSD', 0, '4F4B', True)" ]

# the same counter again: refused; the card sends no PoR for security failures by default
# shellcheck disable=SC2086
ota --packet "$(pkt 1619 15 3 "$STAT")" $K1
rc=$?
check "replayed counter: exit 1, no PoR" all_of '[ "$rc" = 1 ] && grep -q "none came" "$D/err.txt"'
# a wrong KID key on the sender's side: the card cannot verify it
"$B/bin/simtool" -c "$CARD" ota --packet "$("$B/bin/otactl" packet encode --spi 1619 --kic 15 --kid 15 \
	--kic-key 404142434445464748494A4B4C4D4E4F --kid-key 705152535455565758595A5B5C5D5E5F --tar C10001 \
	--cntr 20 --data "$STAT")" $K1 > /dev/null 2> "$D/err2.txt"
rc=$?
check "wrong checksum key: exit 1, the card stays silent" all_of '[ "$rc" = 1 ] && grep -q "none came" "$D/err2.txt"'
