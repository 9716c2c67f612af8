#!/usr/bin/env bash
# The whole chain with the real peers: otactl --HTTPS--> ota-server --SMPP--> sms-gateway (lab route)
# --SMS-PP--> handset-sim --ENVELOPE--> the simulated UICC with the anti-theft applet (uicc-applet, demo profile).
# The applet is the independent judge of our encoding (specs/antitheft-protocol.md): status and locate results,
# owner enrolment, owner lock and unlock with the owner proof, a wrong secret refused by the card (AU), operator
# lock vs owner unlock, and the handset's screen and service following the card. Prints TAP lines.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${B:-build}
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"
OTASRV_LIB_ONLY=1 source "$HERE/test_otasrv_api.sh"
cd "$ROOT" || exit 1

otasrv_setup
GWP=$(free_port); GWV=$(free_port); HSV=$(free_port)
smsgw_write_cfg "$tmp/gw.cfg" "$GWP" "$GWV" "$tmp/q.db" "route lab" " prefix 1" " type lab"
smsgw_start "$tmp" "$tmp/gw.cfg" "$GWP" || { not_ok "sms-gateway starts" "$(tail -3 "$tmp/gw.log")"; exit 1; }
pids+=("$(cat "$tmp/gw.pid")")

cp uicc-applet/profiles/demo.json "$tmp/card.json"
cat > "$tmp/hs.cfg" <<EOF
line vty
 bind 127.0.0.1 $HSV
handset
 msisdn 1001
 imei 356938035643809
 card sim:$tmp/card.json,$tmp/card.img
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 smpp-link 127.0.0.1 $GWP labpw
 state-file $tmp/state.json
 data-dir $tmp/data
EOF
"$B/bin/handset-sim" -c "$tmp/hs.cfg" -q > "$tmp/hs.log" 2>&1 &
pids+=($!)
state() { python3 -c "import json,sys; s=json.load(open('$tmp/state.json')); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
for ((i = 0; i < 100; i++)); do [ "$(state 's["smpp"]["bound"]')" = True ] && break; sleep 0.05; done
[ "$(state 's["service"]')" = normal ] && ok "handset-sim with the demo card bound to sms-gateway, normal service" ||
	not_ok "handset-sim with the demo card bound to sms-gateway, normal service" "$(tail -3 "$tmp/hs.log")"

write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$GWP" "retry-interval 15" "deadline 60"
"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
pids+=($!)
wait_port "$HP" || { not_ok "ota-server starts" "$(tail -3 "$tmp/server.log")"; exit 1; }
export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem

# The demo card: keyset 1 3DES, keyset 2 AES; PoR in the deliver report (SPI 16 19) so it comes back even when
# the card has taken the network away; commands on the AES keyset.
ICCID=8988211000000000003
printf 'ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,KIC2,KID2,ALGO2,SPI,KVN\n%s,001010000000001,1001,%s,%s,3des2,%s,%s,aes,1619,2\n' \
	"$ICCID" 404142434445464748494A4B4C4D4E4F 505152535455565758595A5B5C5D5E5F \
	000102030405060708090A0B0C0D0E0F 101112131415161718191A1B1C1D1E1F > "$tmp/cards.csv"
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "the demo card imported" || not_ok "the demo card imported"
printf 'alice horse battery staple\n' > "$tmp/alice.pw"
ALICE_SECRET=$(as agent1 owners add alice --password-file "$tmp/alice.pw" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
as agent1 devices add "$ICCID" --owner alice > /dev/null
ALICE=$("$OTACTL" owners login alice --password-file "$tmp/alice.pw" --code "$(totp "$ALICE_SECRET")")
[ ${#ALICE} = 64 ] && ok "owner alice enrolled, device registered, logged in" || not_ok "owner alice enrolled, device registered, logged in"
as_owner() { OTACTL_TOKEN=$ALICE "$OTACTL" "$@"; }
printf 'my unlock secret\n' > "$tmp/secret"
printf 'not my secret\n' > "$tmp/wrong"

# expect_done NAME WANT_RC WANT_TEXT CMD...: a command sent with --wait
expect_done() {
	local name=$1 want=$2 part=$3
	shift 3
	run "$@" --wait --timeout 50
	if [ "$RC" = "$want" ] && [[ "$OUT" == *"$part"* ]]; then ok "$name"; else not_ok "$name" "rc=$RC" "$OUT" "$ERR"; fi
}
expect_done "STATUS through the whole chain: confirmed, the card says normal" 0 '"state":"normal"' as agent1 commands send "$ICCID" status
expect_done "LOCATE: 0B first, then the full PoR by SMS-SUBMIT: location and IMEI" 0 '"imei":"356938035643809"' as agent1 commands send "$ICCID" locate
has '"imei": "356938035643809"' as super1 --json devices show "$ICCID" && ok "the device's IMEI comes from the card's report" ||
	not_ok "the device's IMEI comes from the card's report"
expect_done "ENROL: the owner key derived from alice's secret reaches the card" 0 confirmed as_owner commands send "$ICCID" enrol --secret-file "$tmp/secret"
expect_done "owner LOCK: confirmed" 0 confirmed as_owner commands send "$ICCID" lock --message "Lost. Call +15550100002" --contact +15550100002
for ((i = 0; i < 100; i++)); do [[ "$(state 's["toolkit"]["screen"]["idle_text"]')" == *Lost* ]] && break; sleep 0.05; done
[[ "$(state 's["toolkit"]["screen"]["idle_text"]')" == *"Lost. Call +15550100002"* ]] && ok "the handset shows the lock message" ||
	not_ok "the handset shows the lock message" "$(state 's["toolkit"]["screen"]')"
expect_done "owner UNLOCK with a wrong secret: the card refuses the proof (AU)" 1 "card: AU" as_owner commands send "$ICCID" unlock --secret-file "$tmp/wrong"
expect_done "owner UNLOCK with the secret: the card accepts the owner proof" 0 confirmed as_owner commands send "$ICCID" unlock --secret-file "$tmp/secret"
expect_done "operator LOCK" 0 confirmed as agent1 commands send "$ICCID" lock
run as_owner commands send "$ICCID" unlock --secret-file "$tmp/secret"
[ "$RC" = 2 ] && [[ "$ERR" == *"operator lock"* ]] && ok "the owner cannot lift the operator's lock" || not_ok "the owner cannot lift the operator's lock" "$ERR"
expect_done "supervisor UNLOCK of the operator lock" 0 confirmed as super1 commands send "$ICCID" unlock
expect_done "STATUS after all of it: normal again" 0 '"state":"normal"' as agent1 commands send "$ICCID" status
for ((i = 0; i < 100; i++)); do [ "$(state 's["service"]')" = normal ] && break; sleep 0.05; done
[ "$(state 's["service"]')" = normal ] && ok "the handset has service again" || not_ok "the handset has service again" "$(state 's["service"]')"
python3 - "$tmp/state.json" <<'EOF' && ok "every PoR went back to our address" || not_ok "every PoR went back to our address"
import json, sys
mo = json.load(open(sys.argv[1]))["mo"]
assert mo and all(m["to"] == "12345" for m in mo), mo
EOF
! grep -qiE 'segmentation|sanitizer|runtime error|000102030405060708090A0B0C0D0E0F' "$tmp/server.log" "$tmp/hs.log" "$tmp/gw.log" &&
	ok "no crash, no key in any log" || not_ok "no crash, no key in any log"
[ "$failures" = 0 ]
