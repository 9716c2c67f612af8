#!/usr/bin/env bash
# Issue 8's integration flow (a): the whole X.1127 story over sms-gateway's lab route, exactly as `make demo` plays
# it (tests/demo.sh: ota-server on SQLite, sms-gateway, handset-sim with the simulated UICC, otactl as owner and
# operators). Checks the demo's exit status, what it printed and the handset state files it kept after each
# scene (DEMO_DIR): ring tone, message, location and IMEI, lock screen and no service, still locked after a power
# cycle and after a replayed and a forged packet, card data cleared and handset data unreadable after WIPE,
# service back after UNLOCK, audit chain intact, nothing left running and no key in any log. Prints TAP lines.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
failures=0
ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	failures=$((failures + 1))
}
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out.txt
(cd "$ROOT" && DEMO_DIR=$tmp/demo B=$B bash tests/demo.sh) > "$out" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "make demo's script runs the story and exits 0"; else
	not_ok "make demo's script runs the story and exits 0 (exit $rc)"
	tail -n 30 "$out" | sed 's/^/#   /'
fi

# state NAME EXPR: EXPR (Python, s = the handset's state file kept after scene NAME) holds.
state() {
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$tmp/demo/state-$1.json" "$2" 2>/dev/null
}
printed() { grep -qF -- "$1" "$out"; }

check "before the story: normal service, user data open with a contact and a note" \
	state start 's["service"] == "normal" and s["user_data"]["state"] == "open" and s["user_data"]["data"]["notes"]'
check "RING: the handset plays the ringing tone (PLAY TONE 08, \"Lost phone\", vibrating)" \
	state ring 's["toolkit"]["screen"]["tone"]["playing"] and s["toolkit"]["screen"]["tone"]["tone"] == 8 and s["toolkit"]["screen"]["tone"]["alpha"] == "Lost phone" and s["toolkit"]["screen"]["tone"]["vibrate"]'
check "MESSAGE: the text is on the idle screen" \
	state message '"This phone is lost. Please call +15550100002" in s["toolkit"]["screen"]["idle_text"]'
check "LOCATE: the card's deferred PoR with cell and IMEI, decoded" \
	printed "92 IMEI            356938035643809"
check "LOCATE: location MCC 001 MNC 01 LAC 4711 cell 815 (the handset's configured cell)" \
	printed "91 location        MCC 001 MNC 01 LAC 4711 cell 815"
check "LOCATE: first the 0B PoR (result by SMS-SUBMIT), then the full one" \
	printed 'status 0B "Response data will be sent using SMS-SUBMIT"'
check "LOCK: lock screen with the owner's contact, limited service (card refuses AUTHENTICATE)" \
	state lock 's["service"] == "limited" and "Locked by its owner." in s["toolkit"]["screen"]["idle_text"] and "+15550100002" in s["toolkit"]["screen"]["idle_text"]'
check "LOCK: a call to an ordinary number fails, 112 goes out" \
	state lock 's["call"]["number"] == "112" and s["call"]["result"] == "emergency call"'
check "power cycle: powered up again, still locked, still no service, user data key refused" \
	state powercycle 's["power_ups"] == 2 and s["service"] == "limited" and "Locked by its owner." in s["toolkit"]["screen"]["idle_text"] and s["user_data"]["state"] == "locked"'
check "a replayed packet is refused by the card (counter), a forged UNLOCK too (checksum)" \
	bash -c 'grep -qF "packet for TAR C10001 refused: CNTR low" "$1" && grep -qF "packet for TAR C10001 refused: RC/CC/DS failed" "$1"' _ "$out"
check "after the replayed and forged packets: still locked, still no service" \
	state replay 's["service"] == "limited" and "Locked by its owner." in s["toolkit"]["screen"]["idle_text"]'
check "WIPE: needs and gets a second supervisor's approval" \
	printed "command 6 awaiting_approval"
check "WIPE: the card reports 60 records cleared" printed "93 records cleared 60"
check "WIPE: the card's STATUS then says locked, owner enrolled, user data key destroyed" \
	printed "95 flags           19: locked by owner, owner enrolled, user data key destroyed"
check "WIPE: EF.ADN record 1 read back from the card is empty (it held \"Owner\" before)" \
	bash -c 'grep -qF "contact \"Owner\", number +15550100099" "$1" && grep -qF "empty (all FF)" "$1"' _ "$out"
check "UNLOCK with the owner's proof: normal service, no lock screen" \
	state unlock 's["service"] == "normal" and not s["toolkit"]["screen"]["idle_text"]'
check "after WIPE and UNLOCK the user data sealed before stay unreadable (new key)" \
	state final 's["user_data"]["state"] == "unreadable" and s["service"] == "normal"'
check "every command confirmed, every packet's CC and every PoR's CC verified" \
	bash -c '[ "$(grep -c "^result       confirmed" "$1")" = 8 ] && [ "$(grep -c "verified with the KID" "$1")" = 8 ] && ! grep -q "rejected\|not ok" "$1"' _ "$out"
check "the audit log's chain verifies" printed "audit log intact"
check "nothing the demo started is still running" bash -c '! pgrep -f "$1/([h]andset|[g]w|[o]ta-server)\.cfg" > /dev/null' _ "$tmp/demo"
check "no OTA key of the card in any log" \
	bash -c '! grep -qiE "000102030405060708090A0B0C0D0E0F|101112131415161718191A1B1C1D1E1F|404142434445464748494A4B4C4D4E4F" "$1"/*.log "$2"' _ "$tmp/demo" "$out"
[ "$failures" = 0 ]
