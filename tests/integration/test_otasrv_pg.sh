#!/usr/bin/env bash
# ota-server on PostgreSQL with two instances sharing one database: a private PostgreSQL cluster (initdb in a temp
# dir, Debian's postgresql package), both instances bound to the Python card peer of test_otasrv_api.sh, a
# campaign sent through one of them, the other killed with SIGKILL mid-run. Every command must end confirmed and
# no card may see a counter twice: counters (UPDATE ... RETURNING) and command leases (SKIP LOCKED) hold across
# instances. Skipped when PostgreSQL's server binaries are not installed.
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"
N=${OTASRV_PG_N:-1000}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
	echo "ok - PostgreSQL backend # SKIP no PostgreSQL server installed"
	exit 0
fi
# initdb refuses root: run the cluster as the postgres system user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
PGP=$(free_port)
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	[ -n "${OTASRV_KEEP_LOGS:-}" ] && cp "$tmp"/*.log "$OTASRV_KEEP_LOGS"/ 2>/dev/null
	as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate stop > /dev/null 2>&1
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/pg" && { [ "$(id -u)" != 0 ] || chown postgres "$tmp/pg"; }
if ! as_pg "$PGBIN/initdb" -D "$tmp/pg" -A trust -U osv > "$tmp/initdb.log" 2>&1 ||
	! as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -o "-p $PGP -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=on" \
		-l "$tmp/pg/log" -w start > /dev/null 2>&1; then
	not_ok "private PostgreSQL cluster starts" "$(tail -3 "$tmp/initdb.log")"
	exit 1
fi
psql -q -h 127.0.0.1 -p "$PGP" -U osv -d postgres -c "CREATE DATABASE ota" > /dev/null &&
	ok "private PostgreSQL cluster starts" || { not_ok "private PostgreSQL cluster starts"; exit 1; }

make_pki "$tmp" || { not_ok "test PKI made with openssl"; exit 1; }
SP=$(free_port)
write_peer "$tmp/peer.py"
python3 - "$tmp" "$N" <<'EOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
k1, k2 = "000102030405060708090A0B0C0D0E0F", "101112131415161718191A1B1C1D1E1F"
cards, rows = {}, ["ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1"]
for i in range(1, 21):
    cards["49173%05d" % i] = {"kic": k1, "kid": k2, "do": "ok"}
    rows.append("89490000000002%05d,26203%010d,49173%05d,%s,%s,aes" % (i, i, i, k1, k2))
open(d + "/cards.json", "w").write(json.dumps(cards))
open(d + "/cards.csv", "w").write("\n".join(rows) + "\n")
open(d + "/iccids.txt", "w").write("\n".join("89490000000002%05d" % (1 + j % 20) for j in range(n)) + "\n")
EOF
python3 "$tmp/peer.py" "$SP" "$tmp/cards.json" "$tmp/peer.log" 2> "$tmp/peer.err" &
pids+=($!)

declare -A HPORT SRVPID
for inst in a b; do
	HPORT[$inst]=$(free_port)
	write_cfg "$tmp/$inst.cfg" "$tmp" "${HPORT[$inst]}" "$(free_port)" "$SP" "retry-interval 3" "deadline 600"
	sed -i "s|uri sqlite:.*|uri postgresql://osv@127.0.0.1:$PGP/ota|; s|instance-id test-1|instance-id ota-$inst|" "$tmp/$inst.cfg"
	sed -i 's/ logging level all info/ logging level all notice/; s/ commands 1000 per 60/ commands 100000 per 60/' "$tmp/$inst.cfg"
	"$OTASRV" -c "$tmp/$inst.cfg" > "$tmp/$inst.log" 2>&1 &
	SRVPID[$inst]=$!
	pids+=($!)
	wait_port "${HPORT[$inst]}" || { not_ok "instance $inst starts on PostgreSQL" "$(tail -3 "$tmp/$inst.log")"; exit 1; }
done
ok "two ota-server instances share one PostgreSQL database"

export OTACTL_CA=$tmp/ca.pem OTACTL_CERT=$tmp/super1.pem OTACTL_KEY=$tmp/super1.key
OTACTL_SERVER=https://127.0.0.1:${HPORT[a]} "$OTACTL" cards import "$tmp/cards.csv" > /dev/null &&
	OTACTL_SERVER=https://127.0.0.1:${HPORT[b]} "$OTACTL" cards show 8949000000000200001 > /dev/null &&
	ok "a card imported through one instance is seen by the other" || not_ok "a card imported through one instance is seen by the other"
# card 1 belongs to an owner with a notify number: each event of its commands is also an SMS to that number
printf 'olga horse battery staple\n' > "$tmp/olga.pw"
OTACTL_SERVER=https://127.0.0.1:${HPORT[b]} "$OTACTL" owners add olga --password-file "$tmp/olga.pw" \
	--notify-msisdn 4917699002 > /dev/null &&
	OTACTL_SERVER=https://127.0.0.1:${HPORT[a]} "$OTACTL" devices add 8949000000000200001 --owner olga > /dev/null &&
	ok "owner with a notify number and a device" || not_ok "owner with a notify number and a device"
# failed logins under a name nobody enrolled count in the shared database, like an owner's: the third one, on
# either instance, locks it (write_cfg: lockout failures 3)
for inst in a b a; do
	run env -u OTACTL_CERT -u OTACTL_KEY OTACTL_SERVER=https://127.0.0.1:${HPORT[$inst]} \
		"$OTACTL" owners login nobody --password-file "$tmp/olga.pw" --code 000000
done
[ "$RC" = 2 ] && [[ "$ERR" == *"429"*"account locked for 600 s"* ]] &&
	ok "an unknown name's failed logins count across instances: locked after 3, like an owner's" ||
	not_ok "an unknown name's failed logins count across instances: locked after 3, like an owner's" "$RC $ERR"
out=$(OTACTL_SERVER=https://127.0.0.1:${HPORT[a]} "$OTACTL" --json commands campaign status --iccids-file "$tmp/iccids.txt" 2>&1)
CAMPAIGN=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$out") || { not_ok "campaign accepted" "$out"; exit 1; }
for ((i = 0; i < 400 && $( [ -f "$tmp/peer.log" ] && grep -c verified "$tmp/peer.log" || echo 0) < N / 3; i++)); do sleep 0.05; done
kill -9 "${SRVPID[b]}"
ok "instance b killed with SIGKILL mid-run"

export OTACTL_SERVER=https://127.0.0.1:${HPORT[a]}
for ((i = 0; i < 120; i++)); do
	read -r fin conf < <("$OTACTL" --json commands watch --campaign "$CAMPAIGN" --timeout 0 2>/dev/null |
		python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["finished"], r["states"]["confirmed"])' 2>/dev/null || echo "0 0")
	[ "$fin" = "$N" ] && break
	sleep 1
done
[ "$fin" = "$N" ] && [ "$conf" = "$N" ] && ok "every command confirmed ($conf/$N) after instance a took over b's leases" ||
	not_ok "every command confirmed after the takeover" "finished $fin confirmed $conf of $N"
peer_counters_fresh "$tmp/peer.log" && ok "no counter reused across instances" || not_ok "no counter reused across instances"
pgq() { psql -At -h 127.0.0.1 -p "$PGP" -U osv -d ota -c "$1"; }
for ((i = 0; i < 60; i++)); do [ "$(pgq "SELECT count(*) FROM notifications WHERE sms_state = 1")" = 0 ] && break; sleep 1; done
pgq "SELECT sms_state, text FROM notifications WHERE sms_to = '4917699002'" > "$tmp/notes.txt"
python3 - "$tmp/notes.txt" "$tmp/peer.log" "$N" <<'EOF' && ok "owner notifications sent by SMS from both instances, none lost" ||
import collections, json, sys
notes = [l.rstrip("\n").split("|", 1) for l in open(sys.argv[1]) if l.strip()]
sms = collections.Counter(json.loads(l)["text"] for l in open(sys.argv[2]) if '"4917699002"' in l and '"text"' in l)
assert len(notes) >= 2 * int(sys.argv[3]) // 20, len(notes)   # requested + confirmed, for 1 card in 20
# sent (2) or delivered (4): a receipt for a part sent by b went to b's connection, gone with it
assert all(st in ("2", "4") for st, _ in notes), [n for n in notes if n[0] not in ("2", "4")]
assert any(st == "4" for st, _ in notes), notes
want = collections.Counter(t for _, t in notes)
assert set(want) == set(sms) and all(sms[t] >= want[t] for t in want), (want - sms, sms - want)
# at least once: a notification b had claimed when it was killed may have gone twice
print("# %d notifications, %d SMS" % (len(notes), sum(sms.values())), file=sys.stderr)
EOF
	not_ok "owner notifications sent by SMS from both instances, none lost"
both=$(psql -At -h 127.0.0.1 -p "$PGP" -U osv -d ota -c "SELECT count(DISTINCT lease_owner) FROM commands WHERE lease_owner <> ''")
sent=$(psql -At -h 127.0.0.1 -p "$PGP" -U osv -d ota -c "SELECT count(*) FROM attempts")
[ "$sent" -ge "$N" ] && ok "PostgreSQL holds $sent packets for $N commands" || not_ok "attempts stored in PostgreSQL" "$sent"
run "$OTACTL" audit verify
[ "$RC" = 0 ] && ok "audit chain intact with two writers" || not_ok "audit chain intact with two writers" "$OUT $ERR"
: "$both"
[ "$failures" = 0 ]
