#!/usr/bin/env bash
# handset-farm in the real chain: otactl --HTTPS--> ota-server --SMPP--> sms-gateway (lab route) --> handset-farm
# with three simulated UICCs made from the demo profile (one range bind for all three). The cards' anti-theft
# applet is the judge: a STATUS to each card is confirmed by its own PoR, and each card keeps its own counter
# (a second STATUS to one card is confirmed too); a LOCATE comes back by the card's SEND SHORT MESSAGE with
# the farm's IMEI. A handset bound with its own number still gets its own
# messages; a number outside the range is refused; a wrong lab password is refused. Prints TAP lines.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${B:-build}
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"
OTASRV_LIB_ONLY=1 source "$HERE/test_otasrv_api.sh"
cd "$ROOT" || exit 1
FARM=$PWD/$B/bin/handset-farm

otasrv_setup
run "$FARM" --help
[ "$RC" = 0 ] && [[ "$OUT" == *"--cards-csv"* ]] && ok "handset-farm --help" || not_ok "handset-farm --help" "$OUT"
run "$FARM" --profile uicc-applet/profiles/demo.json --msisdn 12x
[ "$RC" = 2 ] && ok "handset-farm: bad usage exits 2" || not_ok "handset-farm: bad usage exits 2" "rc=$RC"

GWP=$(free_port); GWV=$(free_port)
smsgw_write_cfg "$tmp/gw.cfg" "$GWP" "$GWV" "$tmp/q.db" "route lab" " prefix 1" " type lab"
smsgw_start "$tmp" "$tmp/gw.cfg" "$GWP" || { not_ok "sms-gateway starts" "$(tail -3 "$tmp/gw.log")"; exit 1; }
pids+=("$(cat "$tmp/gw.pid")")

FARM_ARGS=(--profile uicc-applet/profiles/demo.json --msisdn 1900000000 --count 3 --pin 1234 --imei 356938035643809)
"$FARM" "${FARM_ARGS[@]}" --cards-csv > "$tmp/cards.csv"
[ "$(wc -l < "$tmp/cards.csv")" = 4 ] && ok "handset-farm --cards-csv: three cards" || not_ok "handset-farm --cards-csv: three cards"
# identities checked here, not with the farm's code: Luhn digits, consecutive numbers, the profile's keys
python3 - "$tmp/cards.csv" uicc-applet/profiles/demo.json <<'EOF' && ok "the cards' ICCIDs pass the Luhn check, IMSI/MSISDN count up, keys from the profile" ||
import csv, json, sys
def luhn_ok(d):
    s = 0
    for i, c in enumerate(reversed(d)):
        v = int(c) * (2 if i % 2 else 1)
        s += v - 9 if v > 9 else v
    return s % 10 == 0
rows = list(csv.DictReader(open(sys.argv[1])))
prof = json.load(open(sys.argv[2]))
assert rows[0]["ICCID"] == prof["iccid"] and rows[0]["IMSI"] == prof["imsi"], rows[0]
for i, r in enumerate(rows):
    assert luhn_ok(r["ICCID"]) and len(r["ICCID"]) == len(prof["iccid"]), r["ICCID"]
    assert int(r["IMSI"]) == int(prof["imsi"]) + i and int(r["MSISDN"]) == 1900000000 + i, r
    for ks in prof["ota"]["keysets"]:
        n = str(ks["kvn"])
        assert r["KIC" + n] == ks["kic"]["key"] and r["KID" + n] == ks["kid"]["key"], r
assert len({r["ICCID"] for r in rows}) == 3
EOF
	not_ok "the cards' ICCIDs pass the Luhn check, IMSI/MSISDN count up, keys from the profile"

"$FARM" "${FARM_ARGS[@]}" --smpp "127.0.0.1:$GWP" --password wrongpw > /dev/null 2> "$tmp/bad.log" &
BAD=$!
for ((i = 0; i < 60; i++)); do grep -q "bind refused" "$tmp/bad.log" && break; sleep 0.05; done
kill "$BAD"; wait "$BAD" 2>/dev/null
grep -q "bind refused: ESME_RINVPASWD" "$tmp/bad.log" && ok "a wrong lab password is refused" ||
	not_ok "a wrong lab password is refused" "$(cat "$tmp/bad.log")"

"$FARM" "${FARM_ARGS[@]}" --smpp "127.0.0.1:$GWP" --password labpw > "$tmp/farm.out" 2> "$tmp/farm.log" &
FARM_PID=$!
pids+=($FARM_PID)
for ((i = 0; i < 100; i++)); do grep -q "bound to" "$tmp/farm.log" && break; sleep 0.05; done
grep -q "as range 19000000" "$tmp/farm.log" && ok "handset-farm binds once for the range 19000000.." ||
	not_ok "handset-farm binds once for the range 19000000.." "$(cat "$tmp/farm.log")"

write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$GWP" "retry-interval 15" "deadline 60"
"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
pids+=($!)
wait_port "$HP" || { not_ok "ota-server starts" "$(tail -3 "$tmp/server.log")"; exit 1; }
export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "the farm's cards imported" || not_ok "the farm's cards imported"

mapfile -t ICCIDS < <(tail -n +2 "$tmp/cards.csv" | cut -d, -f1)
for n in 0 1 2; do
	run as agent1 commands send "${ICCIDS[$n]}" status --wait --timeout 40
	[ "$RC" = 0 ] && [[ "$OUT" == *'"state":"normal"'* ]] && ok "STATUS to card $n (${ICCIDS[$n]}): confirmed by its PoR" ||
		not_ok "STATUS to card $n (${ICCIDS[$n]}): confirmed by its PoR" "rc=$RC" "$OUT" "$ERR"
done
run as agent1 commands send "${ICCIDS[1]}" status --wait --timeout 40
[ "$RC" = 0 ] && ok "a second STATUS to card 1: its counter went on" || not_ok "a second STATUS to card 1: its counter went on" "$OUT" "$ERR"
run as agent1 commands send "${ICCIDS[0]}" locate --wait --timeout 40
[ "$RC" = 0 ] && [[ "$OUT" == *'"imei":"356938035643809"'* ]] &&
	ok "LOCATE to card 0: the full PoR by the card's SEND SHORT MESSAGE, with the farm's IMEI" ||
	not_ok "LOCATE to card 0: the full PoR by the card's SEND SHORT MESSAGE, with the farm's IMEI" "rc=$RC" "$OUT" "$ERR"

# A handset-sim bound with the number of card 2 takes that number's messages from the farm.
HSV=$(free_port)
ICCID2=8988211000000000003
cat > "$tmp/hs.cfg" <<EOF
line vty
 bind 127.0.0.1 $HSV
handset
 msisdn 1900000002
 card sim:$ROOT/uicc-applet/profiles/demo.json
 pin 1234
 smpp-link 127.0.0.1 $GWP labpw
 state-file $tmp/state.json
 data-dir $tmp/data
EOF
"$B/bin/handset-sim" -c "$tmp/hs.cfg" -q > "$tmp/hs.log" 2>&1 &
pids+=($!)
state() { python3 -c "import json,sys; s=json.load(open('$tmp/state.json')); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
for ((i = 0; i < 100; i++)); do [ "$(state 's["smpp"]["bound"]')" = True ] && break; sleep 0.05; done
kill -USR1 "$FARM_PID"
sleep 0.3
before=$(tail -1 "$tmp/farm.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["downloads"])')
# handset-sim's card is a fresh demo card (counter 0, the same keys): the server's counter for card 2 is higher,
# so the card accepts the packet; what matters here is who receives it.
run as agent1 commands send "${ICCIDS[2]}" status --wait --timeout 40
kill -USR1 "$FARM_PID"
sleep 0.3
after=$(tail -1 "$tmp/farm.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["downloads"])')
[ "$RC" = 0 ] && [ "$before" = "$after" ] && [ "$(state 'len(s["mo"])')" = 1 ] &&
	ok "a handset bound with its own number takes its messages, not the farm" ||
	not_ok "a handset bound with its own number takes its messages, not the farm" "farm $before -> $after" "$OUT" "$ERR"

# A number under the bound prefix but outside the farm's three: the farm refuses it, the gateway fails it.
run "$B/bin/smpp-send" --port "$GWP" --system-id otasrv --password secret --src 12345 --dst 1900000009 \
	--ota 0011223344 --timeout 20
for ((i = 0; i < 100; i++)); do grep -q "1900000009: failed: ESME_RINVDSTADR" "$tmp/gw.log" && break; sleep 0.05; done
grep -q "1900000009: failed: ESME_RINVDSTADR" "$tmp/gw.log" &&
	ok "a number outside the range (1900000009) is refused by the farm (ESME_RINVDSTADR), the gateway fails it" ||
	not_ok "a number outside the range (1900000009) is refused by the farm (ESME_RINVDSTADR), the gateway fails it" \
		"$OUT" "$(grep 1900000009 "$tmp/gw.log" | tail -2)"

kill "$FARM_PID"
wait "$FARM_PID"
rc=$?
python3 - "$tmp/farm.out" <<'EOF' && [ "$rc" = 0 ] && ok "SIGTERM: exit 0, counters: 3 cards made, 5 downloads, 6 MO (PoRs) sent, 1 refused" ||
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().split("\n")[-1])
assert s["cards"] == 3 and s["downloads"] == 5 and s["mo"] == 6 and s["refused"] == 1 and s["mo_failed"] == 0, s
EOF
	not_ok "SIGTERM: exit 0, counters: 3 cards made, 5 downloads, 6 MO (PoRs) sent, 1 refused" "rc=$rc" "$(tail -2 "$tmp/farm.out")"
! grep -qiE 'segmentation|sanitizer|runtime error|card failed' "$tmp/farm.log" "$tmp/gw.log" "$tmp/server.log" &&
	ok "no crash, no card failure" || not_ok "no crash, no card failure" "$(grep -iE 'segm|sanit|runtime|failed' "$tmp/farm.log" | head -3)"
[ "$failures" = 0 ]
