#!/usr/bin/env bash
# The kill switch end to end over USSD: a card imported with the USSD dialect (cards CSV column DIALECT), so
# ota-server sends its packets as submit_sm with ussd_service_op 2 (USSR); sms-gateway's lab route carries the op
# to handset-sim, which hands the string to the simulated UICC (demo profile, anti-theft applet) as ENVELOPE(USSD
# DATA DOWNLOAD) and sends the card's PoR back as the USSR confirm (op 18); LOCATE's deferred PoR (status 0C) is
# followed by the full one in the card's SEND USSD (op 1). STATUS, LOCATE, LOCK (lock screen, no service), UNLOCK,
# each confirmed by the PoR that came back over USSD. Prints TAP lines.
# shellcheck source=tests/integration/lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

otasrv_setup
e2e_gateway
e2e_card_profile card none
e2e_handset hs 1001 "sim:$tmp/card.card.json,$tmp/card.img" && ok "handset-sim with the demo card bound to sms-gateway" ||
	not_ok "handset-sim with the demo card bound to sms-gateway" "$(tail -3 "$tmp/hs.log")"
e2e_server "retry-interval 15" "deadline 60"

ICCID=8988211000000000003
printf '%s\n%s,001010000000001,1001,%s,%s,C10001,1619,2,ussd\n' "$E2E_CSV_HEADER" "$ICCID" "$E2E_KEYS1" "$E2E_KEYS2" > "$tmp/cards.csv"
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "the card imported with the USSD dialect" ||
	not_ok "the card imported with the USSD dialect"
has '"dialect": "ussd"' as super1 --json cards show "$ICCID" && ok "the server keeps the card's dialect: ussd" ||
	not_ok "the server keeps the card's dialect: ussd" "$(as super1 --json cards show "$ICCID" 2>&1 | head -20)"

# ussd_ops N: the USSD operations of the handset's MO messages (to 12345) since the N-th, e.g. "18 18 1"
ussd_ops() {
	"$PY" - "$tmp/hs.json" "$1" <<'EOF'
import json, sys
mo = json.load(open(sys.argv[1]))["mo"][int(sys.argv[2]):]
print(" ".join(str(m["ussd_op"]) for m in mo if m["to"] == "12345" and m["sent"]))
EOF
}
mo_count() { hs hs 'len(s["mo"])'; }

n=$(mo_count)
expect_done "STATUS over USSD: confirmed, the card says normal" 0 '"state":"normal"' as agent1 commands send "$ICCID" status
[ "$(ussd_ops "$n")" = 18 ] && ok "STATUS: the PoR came back as the USSR confirm (op 18), no SMS" ||
	not_ok "STATUS: the PoR came back as the USSR confirm (op 18), no SMS" "$(hs hs 's["mo"]')"
n=$(mo_count)
expect_done "LOCATE over USSD: confirmed with location and IMEI" 0 '"imei":"356938035643809"' as agent1 commands send "$ICCID" locate
[ "$(ussd_ops "$n")" = "18 1" ] && ok "LOCATE: PoR 0C as the USSR confirm, the full PoR by the card's SEND USSD (op 1)" ||
	not_ok "LOCATE: PoR 0C as the USSR confirm, the full PoR by the card's SEND USSD (op 1)" "$(hs hs 's["mo"]')"
n=$(mo_count)
e2e_lock_cycle USSD "$ICCID" hs
[ "$(ussd_ops "$n")" = "18 18 18" ] && ok "LOCK, STATUS, UNLOCK: each PoR came back over USSD" ||
	not_ok "LOCK, STATUS, UNLOCK: each PoR came back over USSD" "$(hs hs 's["mo"]')"
"$PY" - "$tmp/hs.json" <<'EOF' && ok "the handset sent no SMS: every MO was a USSD operation" || not_ok "the handset sent no SMS: every MO was a USSD operation"
import json, sys
mo = json.load(open(sys.argv[1]))["mo"]
assert mo and all(m["ussd_op"] >= 0 for m in mo), mo
EOF
has "audit log intact" as super1 audit verify && ok "audit log intact" || not_ok "audit log intact"
e2e_no_leak "no crash, no key in any log"
[ "$failures" = 0 ]
