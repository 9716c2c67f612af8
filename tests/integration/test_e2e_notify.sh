#!/usr/bin/env bash
# Owner notifications end to end through the lab chain: otactl --HTTPS--> ota-server --SMPP--> sms-gateway (lab
# route) --> the owner's phone, a second handset-sim bound as 1002, while the device's card sits in handset-sim
# 1001. Two operators, one whose name needs the GSM extension table and one whose name needs UCS-2, make
# notifications longer than one SMS. The phone's inbox must hold every notification's text whole - handset-sim
# rebuilt each SMS-DELIVER from its deliver_sm (7-bit septets packed after the header's fill bit, or UCS-2),
# decoded it and reassembled the concatenated parts - and every notification must end "delivered" by the
# gateway's receipts. Prints TAP lines.
# shellcheck source=tests/integration/lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

otasrv_setup
e2e_gateway
e2e_card_profile card none
e2e_handset hs 1001 "sim:$tmp/card.card.json,$tmp/card.img" && ok "the device: handset-sim 1001 with the demo card" ||
	not_ok "the device: handset-sim 1001 with the demo card" "$(tail -3 "$tmp/hs.log")"
e2e_card_profile phone none
e2e_handset phone 1002 "sim:$tmp/phone.card.json,$tmp/phone.img" && ok "the owner's phone: handset-sim 1002" ||
	not_ok "the owner's phone: handset-sim 1002" "$(tail -3 "$tmp/phone.log")"
e2e_server "retry-interval 15" "deadline 60"

ICCID=8988211000000000003
printf '%s\n%s,001010000000001,1001,%s,%s,C10001,1619,2,sms\n' "$E2E_CSV_HEADER" "$ICCID" "$E2E_KEYS1" "$E2E_KEYS2" > "$tmp/cards.csv"
printf 'olga horse battery staple\n' > "$tmp/olga.pw"
as super1 cards import "$tmp/cards.csv" > /dev/null &&
	SECRET=$(as agent1 owners add olga --password-file "$tmp/olga.pw" --notify-msisdn 1002 |
		sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p') &&
	as agent1 devices add "$ICCID" --owner olga > /dev/null && ok "owner olga, notify number 1002, owns the card" ||
	not_ok "owner olga, notify number 1002, owns the card"

for u in "${LONG_NAME_OPERATORS[@]}"; do
	IFS=: read -r n cn <<< "$u"
	operator_cert "$n" "$cn" agent
	expect_done "LOCATE by $n: confirmed by the card" 0 confirmed as $n commands send "$ICCID" locate
	hs_settled hs
done

TOKEN=$("$OTACTL" owners login olga --password-file "$tmp/olga.pw" --code "$(totp "$SECRET")")
for ((i = 0; i < 100; i++)); do
	as_owner "$TOKEN" --json devices notifications > "$tmp/notif.json" 2>/dev/null &&
		! grep -q '"sms": "\(waiting\|sent\)"' "$tmp/notif.json" && break
	sleep 0.2
done
"$PY" - "$tmp/notif.json" "$tmp/phone.json" <<'EOF' && ok "every notification whole in the phone's inbox, once, delivered" ||
import collections, json, sys
notes = json.load(open(sys.argv[1]))["notifications"]
inbox = [m["text"] for m in json.load(open(sys.argv[2]))["inbox"] if m["from"] == "12345"]
assert len(notes) == 4 and all(n["sms"] == "delivered" for n in notes), notes
assert collections.Counter(n["text"] for n in notes) == collections.Counter(inbox), (notes, inbox)
print("# %d notifications in the inbox" % len(inbox), file=sys.stderr)
EOF
	not_ok "every notification whole in the phone's inbox, once, delivered" "$(cat "$tmp/notif.json")" \
		"$(hs phone 's["inbox"]')"
hs phone 's["inbox"]' | grep -q '{\[~\]}|^' && hs phone 's["inbox"]' | grep -q 'Zoë Ørsted – nachtdienst' &&
	ok "the operators' names arrived as written: GSM extension characters and UCS-2" ||
	not_ok "the operators' names arrived as written: GSM extension characters and UCS-2" "$(hs phone 's["inbox"]')"
e2e_no_leak "no crash, no key in any log"
[ "$failures" = 0 ]
