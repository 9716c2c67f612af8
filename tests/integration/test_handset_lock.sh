#!/usr/bin/env bash
# A scripted anti-theft session on handset-sim with the simulated card in-process (specs/antitheft-protocol.md):
# the owner's data is sealed under the applet's key; an operator LOCK arrives by SMS (otactl packet, keyset 1 of the
# demo profile, SPI 16 19) -> lock message on the screen and as idle text, PoR back as MO, the network refuses the
# handset (AUTHENTICATE 6985): no service, emergency calls only; all of it survives a power cycle (and a factory
# reset of the handset); UNLOCK by the operator brings service and the user data back; WIPE destroys the key so the
# sealed user data can no longer be opened.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib/handset.sh" handset-lock
idle_says() { [[ "$(state 's["toolkit"]["screen"]["idle_text"] or ""')" == *"$1"* ]]; }

KIC=404142434445464748494A4B4C4D4E4F
KID=505152535455565758595A5B5C5D5E5F
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
tlv() { printf '%s%02X%s' "$1" $((${#2} / 2)) "$2"; }
# packet VERB REQID COUNTER TLVHEX: an anti-theft command for TAR C10001, 3DES keyset 1, PoR in the deliver report
packet() {
	"$B/bin/otactl" packet encode --spi 1619 --kic 15 --kid 15 --kic-key $KIC --kid-key $KID --tar C10001 \
		--cntr "$3" --data "$(hexs "$1")$2$4"
}

cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
cat > "$D/hs.cfg" <<EOF
handset
 msisdn 1001
 imei 356938035643809
 card sim:$D/card.json,$D/card.img
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 no smpp-link
 state-file $D/state.json
 data-dir $D/data
EOF

HS --contact "Alice:+4917012345" --note "bank PIN is in the drawer"
check "before: normal service, user data open and sealed on flash" \
	[ "$(state 's["service"] + "/" + s["user_data"]["state"]')" = "normal/open" ]
check "the sealed file exists and does not contain the contact in clear" all_of '[ -s "$D/data/userdata.sealed" ] && [ -z "$(grep -a Alice "$D/data/userdata.sealed")" ]'

MSG="Stolen phone. Call +15550100002"
LOCK=$(packet LOCK 00000001 1 "$(tlv 80 02)$(tlv 81 "$(hexs "$MSG")")$(tlv 82 "$(hexs +15550100002)")")
HS --deliver-ota "12345:$LOCK"
check "LOCK by SMS: the lock message is the idle text" idle_says "Stolen phone. Call +15550100002"
check "LOCK: the card now refuses the network: no service (emergency calls only)" \
	[ "$(state 's["service"] + "/" + s["attach"]["result"]')" = "limited/refused by the card" ]
check "LOCK: the PoR (02 71 00, status OK) went back as MO to the sender" \
	python3 -c "import json,sys; m=json.load(open('$D/state.json'))['mo']; sys.exit(0 if m and m[-1]['to']=='12345' and m[-1]['ud'].startswith('027100') else 1)"

HS --power-cycle --dial 0301234567 --dial 112
check "after a power cycle: still locked, lock text back on the idle screen" idle_says "Stolen phone"
check "after a power cycle: no service" [ "$(state 's["service"]')" = limited ]
check "while locked the card keeps the user data key" [ "$(state 's["user_data"]["state"]')" = locked ]
check "an emergency call still goes out" [ "$(state 's["call"]["number"] + "/" + s["call"]["result"]')" = "112/emergency call" ]
rm -rf "$D/data/inbox.json" "$D/data/network-sqn"
HS
check "a factory reset of the handset changes nothing: still locked" all_of '[ "$(state '\''s["service"]'\'')" = limited ] && idle_says "Stolen phone"'

RING=$(packet RING 00000004 4 "$(tlv 80 02)$(tlv 84 001E)")
HS --deliver-ota "12345:$RING"
check "RING while locked: a 30 s tone with vibration is playing" \
	[ "$(state 'str(s["toolkit"]["screen"]["tone"]["playing"]) + "/" + str(s["toolkit"]["screen"]["tone"]["duration_ms"]) + "/" + str(s["toolkit"]["screen"]["tone"]["vibrate"])')" = "True/30000/True" ]

UNLK=$(packet UNLK 00000002 5 "$(tlv 80 02)")
HS --deliver-ota "12345:$UNLK"
check "UNLOCK by the operator: normal service again" [ "$(state 's["service"]')" = normal ]
check "UNLOCK: the lock text is gone from the idle screen" [ "$(state 's["toolkit"]["screen"]["idle_text"]')" = None ]
HS
check "after UNLOCK the user data opens again with the contact" \
	[ "$(state 's["user_data"]["state"] + "/" + s["user_data"]["data"]["contacts"][0]["name"]')" = "open/Alice" ]

WIPE=$(packet WIPE 00000003 6 "$(tlv 80 02)")
HS --deliver-ota "12345:$WIPE" --power-cycle
check "WIPE: the sealed user data can no longer be opened" [ "$(state 's["user_data"]["state"]')" = unreadable ]
check "WIPE: the handset does not write over the sealed file" [ -s "$D/data/userdata.sealed" ]
check "no crash, no key material in the log" [ -z "$(grep -Ei 'segmentation|abort|sanitizer|runtime error|465B5CE8|404142434445' "$D/hs.log")" ]
