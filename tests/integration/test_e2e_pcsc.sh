#!/usr/bin/env bash
# The kill switch end to end with the handset's card on real PC/SC: otactl --HTTPS--> ota-server --SMPP-->
# sms-gateway (lab route) --SMS-PP--> handset-sim --ENVELOPE through pcscd + vsmartcard vpcd--> uicc-sim (the
# simulated UICC with the anti-theft applet, demo profile) on a private pcscd (own reader file on a free port, own
# socket in a private mount namespace; ../shared/recipes/pcsc-virtual-card.md). STATUS, LOCATE (deferred PoR by
# SMS-SUBMIT), LOCK (lock screen, no service) and UNLOCK, each confirmed by the card's PoR. Prints TAP lines.
# shellcheck source=tests/integration/lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

if ! command -v pcscd > /dev/null || [ ! -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]; then
	echo "not ok - pcscd and vsmartcard-vpcd are installed (mk/debian-packages.txt)"
	exit 1
fi
otasrv_setup

# A pcscd of our own: the reader directory by -c, the socket by a bind mount in a private mount namespace.
VPCD=$(free_port)
mkdir -p "$tmp/pcsc-run" "$tmp/pcsc-conf"
printf 'FRIENDLYNAME "E2EVPCD"\nDEVICENAME /dev/null:%s\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID %s\n' \
	"$VPCD" "$VPCD" > "$tmp/pcsc-conf/vpcd"
unshare -m --propagation private sh -c "mkdir -p /run/pcscd && mount --bind '$tmp/pcsc-run' /run/pcscd && exec pcscd -f -c '$tmp/pcsc-conf'" \
	> "$tmp/pcscd.log" 2>&1 &
pids+=($!)
export PCSCLITE_CSOCK_NAME=$tmp/pcsc-run/pcscd.comm
for ((i = 0; i < 100; i++)); do [ -S "$PCSCLITE_CSOCK_NAME" ] && break; sleep 0.05; done
[ -S "$PCSCLITE_CSOCK_NAME" ] && ok "private pcscd with a vpcd reader on port $VPCD" ||
	{ not_ok "private pcscd with a vpcd reader on port $VPCD" "$(tail -3 "$tmp/pcscd.log")"; exit 1; }

e2e_card_profile card none
"$B/bin/uicc-sim" --profile "$tmp/card.card.json" --image "$tmp/card.img" --vpcd "127.0.0.1:$VPCD" > "$tmp/card.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 60; i++)); do "$B/bin/simtool" readers 2> /dev/null | grep -q "^   3B" && break; sleep 0.1; done
"$B/bin/simtool" --json readers > "$tmp/readers.json" 2>&1
"$PY" -c "import json,sys; r=json.load(open(sys.argv[1]))['readers']
sys.exit(0 if any(x['name']=='E2EVPCD 00 00' and x['card'] for x in r) else 1)" "$tmp/readers.json" &&
	ok "uicc-sim is the card in reader E2EVPCD 00 00" || { not_ok "uicc-sim is the card in reader E2EVPCD 00 00" "$(cat "$tmp/readers.json")"; exit 1; }

e2e_gateway
e2e_handset hs 1001 "pcsc:E2EVPCD" && ok "handset-sim with the card through pcscd, bound to sms-gateway, normal service" ||
	not_ok "handset-sim with the card through pcscd, bound to sms-gateway, normal service" "$(tail -3 "$tmp/hs.log")"
[ "$(hs hs 's["card"]["imsi"]')" = 001010000000001 ] && ok "the handset read the card's IMSI through pcscd" ||
	not_ok "the handset read the card's IMSI through pcscd" "$(hs hs 's["card"]')"

e2e_server "retry-interval 15" "deadline 60"
# The demo card, commands on its AES keyset 2; PoR in the deliver report (SPI 16 19).
ICCID=8988211000000000003
printf '%s\n%s,001010000000001,1001,%s,%s,C10001,1619,2,sms\n' "$E2E_CSV_HEADER" "$ICCID" "$E2E_KEYS1" "$E2E_KEYS2" > "$tmp/cards.csv"
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "the card imported into ota-server" || not_ok "the card imported into ota-server"

expect_done "STATUS over PC/SC: confirmed by the card's PoR, state normal" 0 '"state":"normal"' as agent1 commands send "$ICCID" status
expect_done "LOCATE over PC/SC: 0B first, then the full PoR by SMS-SUBMIT with location and IMEI" 0 \
	'"imei":"356938035643809"' as agent1 commands send "$ICCID" locate
e2e_lock_cycle PC/SC "$ICCID" hs
expect_done "STATUS after UNLOCK: normal" 0 '"state":"normal"' as agent1 commands send "$ICCID" status
"$PY" - "$tmp/hs.json" <<'EOF' && ok "every PoR went back to the server's address" || not_ok "every PoR went back to the server's address"
import json, sys
mo = json.load(open(sys.argv[1]))["mo"]
assert mo and all(m["to"] == "12345" and m["ud"].startswith("027100") for m in mo), mo
EOF
has "audit log intact" as super1 audit verify && ok "audit log intact" || not_ok "audit log intact"
e2e_no_leak "no crash, no key in any log"
[ "$failures" = 0 ]
