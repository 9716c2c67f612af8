#!/usr/bin/env bash
# Crash test of ota-server: a campaign of OTASRV_CRASH_N commands (default 10,000, the issue's size; about 25 s
# on an idle 2-core machine) to 50 cards answered by the Python card peer of test_otasrv_api.sh; the server is
# killed with SIGKILL OTASRV_CRASH_KILLS times (default 4) at random moments and restarted each time. Afterwards
# every command must be in a final state, all confirmed, and no card may ever have seen a counter twice or a
# counter below one it had seen (the peer checks like a card with counter mode "higher"; the database's UNIQUE
# constraint is checked too).
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"
N=${OTASRV_CRASH_N:-10000}
KILLS=${OTASRV_CRASH_KILLS:-4}

OTASRV_KILL=-9
otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP" "retry-interval 3" "deadline 600"
sed -i 's/ window 20/ window 50/; s/ commands 1000 per 60/ commands 100000 per 60/; s/ logging level all info/ logging level all notice/' "$tmp/ota.cfg"
python3 - "$tmp" "$N" <<'EOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
k1, k2 = "000102030405060708090A0B0C0D0E0F", "101112131415161718191A1B1C1D1E1F"
cards, rows, iccids = {}, ["ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1"], []
for i in range(1, 51):
    msisdn = "49172%05d" % i
    cards[msisdn] = {"kic": k1, "kid": k2, "do": "ok"}
    rows.append("89490000000001%05d,26202%010d,%s,%s,%s,aes" % (i, i, msisdn, k1, k2))
open(d + "/cards.json", "w").write(json.dumps(cards))
open(d + "/cards.csv", "w").write("\n".join(rows) + "\n")
open(d + "/iccids.txt", "w").write("\n".join("89490000000001%05d" % (1 + j % 50) for j in range(n)) + "\n")
EOF

# the SMSC answers each submit_sm after 10 ms: the server's window of 50 fills up
python3 "$tmp/peer.py" "$SP" "$tmp/cards.json" "$tmp/peer.log" 0.01 2> "$tmp/peer.err" &
pids+=($!)
start_server() {
	"$OTASRV" -c "$tmp/ota.cfg" >> "$tmp/server.log" 2>&1 &
	SRV=$!
	pids+=($SRV)
	wait_port "$HP"
}
start_server || { not_ok "ota-server starts" "$(tail -5 "$tmp/server.log")"; exit 1; }
export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem OTACTL_CERT=$tmp/super1.pem OTACTL_KEY=$tmp/super1.key
"$OTACTL" cards import "$tmp/cards.csv" > /dev/null || { not_ok "cards imported"; exit 1; }
out=$("$OTACTL" --json commands campaign status --iccids-file "$tmp/iccids.txt" 2>&1)
CAMPAIGN=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["accepted"]==int(sys.argv[2]); print(r["id"])' "$out" "$N") &&
	ok "campaign of $N commands accepted" || { not_ok "campaign of $N commands accepted" "$out"; exit 1; }

progress() {
	local out
	out=$("$OTACTL" --json commands watch --campaign "$CAMPAIGN" --timeout 0 2>"$tmp/watch.err")
	python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["finished"], r["states"]["confirmed"], r["total"])' "$out" 2>/dev/null ||
		{ echo "# progress: $out $(cat "$tmp/watch.err")" >&2; echo "0 0 0"; }
}
seen() { [ -f "$tmp/peer.log" ] && grep -c '"verified": true' "$tmp/peer.log" || echo 0; }
for ((k = 1; k <= KILLS; k++)); do
	# somewhere in the k-th stretch of the run, at a random moment
	target=$((N * k / (KILLS + 1) - N / (2 * (KILLS + 1)) + RANDOM % (N / (KILLS + 1) + 1)))
	for ((i = 0; i < 600 && $(seen) < target; i++)); do sleep 0.05; done
	kill -9 "$SRV"
	wait "$SRV" 2>/dev/null
	echo "# kill -9 number $k after $(seen) packets seen by the cards"
	start_server || { not_ok "ota-server restarts after kill -9 number $k" "$(tail -5 "$tmp/server.log")"; exit 1; }
done
ok "ota-server killed with SIGKILL $KILLS times and restarted"

for ((i = 0; i < 240; i++)); do
	read -r fin conf total < <(progress)
	[ "${fin:-0}" = "$N" ] && break
	sleep 1
done
[ "${fin:-0}" = "$N" ] && ok "every command in a final state ($fin/$total)" || not_ok "every command in a final state" "finished ${fin:-?} of $N"
[ "${conf:-0}" = "$N" ] && ok "every command confirmed by its card" || not_ok "every command confirmed by its card" "confirmed ${conf:-?} of $N"

peer_counters_fresh "$tmp/peer.log" && ok "no counter reused or gone back, at any card" ||
	not_ok "no counter reused or gone back, at any card"
w=$(cat "$tmp/peer.log.window" 2>/dev/null)
[ "${w:-0}" -gt 1 ] && [ "${w:-0}" -le 50 ] && ok "throttled to the SMSC window: at most $w of 50 submit_sm unanswered" ||
	not_ok "throttled to the SMSC window" "most unanswered: ${w:-?}, window 50"
kill "$SRV"
wait "$SRV" 2>/dev/null
dups=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM (SELECT card_id, kvn, cntr FROM attempts GROUP BY 1, 2, 3 HAVING count(*) > 1)")
sent=$(sqlite3 "$tmp/ota.db" "SELECT count(*) FROM attempts")
[ "$dups" = 0 ] && [ "$sent" -ge "$N" ] && ok "database: $sent packets, every counter once" || not_ok "database: every counter once" "dups=$dups sent=$sent"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key"
[ "$RC" = 0 ] && ok "audit chain intact after the crashes" || not_ok "audit chain intact after the crashes" "$OUT $ERR"

[ "$failures" = 0 ]
