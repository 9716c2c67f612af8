#!/usr/bin/env bash
# Group commit of ota-server under concurrent requests: OTASRV_GROUP_N (default 60) command requests sent at once
# from as many clients - two thirds for real cards, one third for cards that do not exist (refused inside the
# shared transaction, their savepoint undone) - while the dispatcher's batches join the same transactions. Then:
# every accepted request answered and its command stored and confirmed by the card peer, every refused one
# answered 404 and nothing of it stored, one audit entry per request, the audit chain intact, no counter reused.
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"
N=${OTASRV_GROUP_N:-60}

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP" "retry-interval 3" "deadline 600"
sed -i 's/ commands 1000 per 60/ commands 100000 per 60/' "$tmp/ota.cfg"
python3 - "$tmp" <<'EOF'
import json, sys
d = sys.argv[1]
k1, k2 = "000102030405060708090A0B0C0D0E0F", "101112131415161718191A1B1C1D1E1F"
cards, rows = {}, ["ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1"]
for i in range(1, 11):
    msisdn = "49173%05d" % i
    cards[msisdn] = {"kic": k1, "kid": k2, "do": "ok"}
    rows.append("89490000000002%05d,26203%010d,%s,%s,%s,aes" % (i, i, msisdn, k1, k2))
open(d + "/cards.json", "w").write(json.dumps(cards))
open(d + "/cards.csv", "w").write("\n".join(rows) + "\n")
EOF
otasrv_start
export OTACTL_CERT=$tmp/super1.pem OTACTL_KEY=$tmp/super1.key
"$OTACTL" cards import "$tmp/cards.csv" > /dev/null || { not_ok "cards imported"; exit 1; }
before=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM audit")

# request i: a real card (i % 3 != 0) or a card nobody imported (i % 3 == 0), all at once
mkdir "$tmp/r"
for ((i = 1; i <= N; i++)); do
	if ((i % 3)); then iccid=$(printf '89490000000002%05d' $((1 + i % 10))); else iccid=$(printf '89490000000009%05d' "$i"); fi
	("$OTACTL" commands send "$iccid" status > "$tmp/r/$i.out" 2> "$tmp/r/$i.err"; echo $? > "$tmp/r/$i.rc") &
done
wait_clients() { local i; for ((i = 1; i <= N; i++)); do while [ ! -s "$tmp/r/$i.rc" ]; do sleep 0.05; done; done; }
wait_clients
good=0 bad=0 wrong=""
for ((i = 1; i <= N; i++)); do
	rc=$(cat "$tmp/r/$i.rc")
	if ((i % 3)); then
		[ "$rc" = 0 ] && grep -q queued "$tmp/r/$i.out" && good=$((good + 1)) || wrong+=" $i:rc=$rc"
	else
		[ "$rc" = 2 ] && grep -q "404" "$tmp/r/$i.err" && bad=$((bad + 1)) || wrong+=" $i:rc=$rc:$(head -c 80 "$tmp/r/$i.err")"
	fi
done
want_good=$((N - N / 3))
[ "$good" = "$want_good" ] && [ "$bad" = $((N / 3)) ] &&
	ok "$N concurrent requests: $good accepted, $bad refused 404, each answered" ||
	not_ok "$N concurrent requests answered" "accepted $good of $want_good, refused $bad of $((N / 3)):$wrong"

for ((t = 0; t < 300; t++)); do
	conf=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM commands WHERE state = 4" 2> /dev/null)
	[ "${conf:-0}" = "$want_good" ] && break
	sleep 0.1
done
stored=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM commands")
foreign=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM commands m JOIN cards c ON c.id = m.card_id WHERE c.iccid LIKE '89490000000009%'")
[ "$stored" = "$want_good" ] && [ "${foreign:-x}" = 0 ] && [ "${conf:-0}" = "$want_good" ] &&
	ok "every accepted command stored and confirmed, nothing of a refused one" ||
	not_ok "accepted commands stored and confirmed" "stored $stored confirmed ${conf:-?} of $want_good, foreign ${foreign:-?}"

entries=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM audit WHERE seq > $before AND action LIKE 'POST /v1/devices/%/commands'")
refused=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM audit WHERE seq > $before AND action LIKE 'POST /v1/devices/%/commands' AND status = 404")
[ "$entries" = "$N" ] && [ "$refused" = $((N / 3)) ] && ok "one audit entry per request ($entries, $refused of them 404)" ||
	not_ok "one audit entry per request" "entries $entries of $N, 404: $refused"

peer_counters_fresh "$tmp/peer.log" && ok "no counter reused at any card" || not_ok "no counter reused at any card"
kill "$SRV_PID"
wait "$SRV_PID" 2> /dev/null
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key"
[ "$RC" = 0 ] && ok "audit chain intact" || not_ok "audit chain intact" "$OUT $ERR"
grep -q "group commit of" "$tmp/server.log" && not_ok "no group commit failed" "$(grep -m3 'group commit of' "$tmp/server.log")" ||
	ok "no group commit failed"

[ "$failures" = 0 ]
