#!/usr/bin/env bash
# Integration test of audit anchors: whoever holds the database and the master key can rewrite the audit chain
# consistently (or cut off its tail) so that plain `otactl audit verify` still passes; an anchor (SEQ:HASH from
# `otactl audit head`, kept off-box) catches both, through the API and offline. The attacker here is an
# independent Python implementation of the chain (HKDF-SHA256 of the master key, HMAC-SHA256 over the entry
# layout of specs/ota-server.md): that the server accepts its rewritten chain as intact is itself a check of
# the layout. Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"

# expect NAME WANT_RC PART CMD...: CMD exits WANT_RC and its output holds PART
expect() {
	local name=$1 want=$2 part=$3
	shift 3
	run "$@"
	[ "$RC" = "$want" ] && [[ "$ERR$OUT" == *"$part"* ]] && ok "$name" || not_ok "$name" "rc=$RC want $want" "$OUT" "$ERR"
}

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP"
printf '{}' > "$tmp/cards.json"
otasrv_start

# some audited requests
for i in 1 2 3; do as super1 cards list > /dev/null; done

expect "an agent may not read the audit head (403)" 2 "403" as agent1 audit head
run as super1 audit head
A1=$OUT
[ "$RC" = 0 ] && [[ "$A1" =~ ^[0-9]+:[0-9A-F]{64}$ ]] && ok "audit head prints SEQ:HASH" ||
	not_ok "audit head prints SEQ:HASH" "$RC $OUT $ERR"
S1=${A1%%:*}
run as super1 --json audit head
python3 -c 'import json, sys; h = json.loads(sys.argv[1]); assert h["seq"] > int(sys.argv[2]) and len(h["hash"]) == 64 and h["at"] > 0, h' \
	"$OUT" "$S1" && ok "audit head --json: seq, hash, at (the head request itself was audited)" ||
	not_ok "audit head --json: seq, hash, at (the head request itself was audited)" "$OUT"

# more entries after the anchor, then a second anchor
for i in 1 2 3; do as super1 cards list > /dev/null; done
A2=$(as super1 audit head)
S2=${A2%%:*}
printf '# anchors kept by the auditor\n%s\n\n%s\n' "$A1" "$A2" > "$tmp/anchors.txt"
run as super1 audit verify --anchor "$A1"
[ "$RC" = 0 ] && [[ "$OUT" == *"intact"*"1 anchors held"* ]] && ok "verify --anchor through the API: intact" ||
	not_ok "verify --anchor through the API: intact" "$RC $OUT $ERR"
run as super1 audit verify --anchors "$tmp/anchors.txt"
[ "$RC" = 0 ] && [[ "$OUT" == *"2 anchors held"* ]] && ok "verify --anchors FILE through the API: intact" ||
	not_ok "verify --anchors FILE through the API: intact" "$RC $OUT $ERR"
BADHASH=$(printf '%064d' 0)
# more anchors than one request carries: otactl sends them in several, a bad one in a later request is found
for i in $(seq 40); do echo "$A1"; done > "$tmp/many.txt"
run as super1 audit verify --anchors "$tmp/many.txt"
[ "$RC" = 0 ] && [[ "$OUT" == *"40 anchors held"* ]] && ok "40 anchors through the API (several requests): intact" ||
	not_ok "40 anchors through the API (several requests): intact" "$RC $OUT $ERR"
sed -i "35s/.*/$S1:$BADHASH/" "$tmp/many.txt"
run as super1 audit verify --anchors "$tmp/many.txt"
[ "$RC" = 1 ] && [[ "$OUT" == *"anchor $S1:$BADHASH"* ]] && ok "a bad anchor among 40 (a later request) fails, named" ||
	not_ok "a bad anchor among 40 (a later request) fails, named" "$RC $OUT $ERR"
run as super1 audit verify --anchor "$S1:$BADHASH"
[ "$RC" = 1 ] && [[ "$OUT" == *"anchor $S1:$BADHASH"* ]] && ok "an anchor with another hash fails, named" ||
	not_ok "an anchor with another hash fails, named" "$RC $OUT $ERR"
expect "malformed --anchor: exit 2, named" 2 "anchor '12:abc'" as super1 audit verify --anchor 12:abc
printf '%s\nnot-an-anchor\n' "$A1" > "$tmp/bad-anchors.txt"
expect "malformed line in --anchors FILE: exit 2, file and line named" 2 "bad-anchors.txt line 2: anchor 'not-an-anchor'" \
	as super1 audit verify --anchors "$tmp/bad-anchors.txt"
run python3 - "$tmp" "$HP" <<'EOF'
import http.client, ssl, sys
d, port = sys.argv[1:3]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/super1.pem", d + "/super1.key")
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx)
c.request("GET", "/v1/audit/verify?anchor=7:zz")
r = c.getresponse()
print(r.status, r.read().decode())
EOF
[[ "$OUT" == "400 "*"anchor '7:zz'"* ]] && ok "the server answers 400 to a malformed anchor, named" ||
	not_ok "the server answers 400 to a malformed anchor, named" "$OUT $ERR"

kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
cp "$tmp/ota.db" "$tmp/orig.db"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key" --anchors "$tmp/anchors.txt"
[ "$RC" = 0 ] && ok "offline verify with both anchors: intact" || not_ok "offline verify with both anchors: intact" "$RC $OUT $ERR"

# attacker DB MASTER_KEY [rewrite SEQ | cut SEQ]: with the master key, change entry SEQ's detail and recompute the
# MACs of every entry from there and the head record, or delete every entry after SEQ and set the head to it
cat > "$tmp/attacker.py" <<'EOF'
import hashlib, hmac, sqlite3, struct, sys
db, keyfile, what, seq = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
raw = open(keyfile, "rb").read()
master = raw if len(raw) == 32 else bytes.fromhex(raw.decode().strip())
prk = hmac.new(bytes(32), master, hashlib.sha256).digest()          # RFC 5869, no salt
key = hmac.new(prk, b"simguard ota-server audit v1\x01", hashlib.sha256).digest()
u64 = lambda v: struct.pack(">Q", v & (2**64 - 1))
s = lambda t: u64(len(t.encode())) + t.encode()
c = sqlite3.connect(db)
c.executescript("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;")
if what == "rewrite":
    c.execute("UPDATE audit SET detail = 'nothing happened here' WHERE seq = ?", (seq,))
else:
    c.execute("DELETE FROM audit WHERE seq > ?", (seq,))
prev, last = b"", 0
for row in c.execute("SELECT seq, at, status, actor, client, action, target, decision, detail FROM audit ORDER BY seq").fetchall():
    n, at, status = row[:3]
    mac = hmac.new(key, u64(n) + u64(at) + u64(status) + b"".join(s(t) for t in row[3:]) + prev, hashlib.sha256).digest()
    c.execute("UPDATE audit SET mac = ? WHERE seq = ?", (mac, n))
    prev, last = mac, n
head = hmac.new(key, s("audit head") + u64(last) + prev, hashlib.sha256).digest()
c.execute("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? WHERE id = 1", (last, prev, head))
c.commit()
EOF

python3 "$tmp/attacker.py" "$tmp/ota.db" "$tmp/master.key" rewrite 2
[ "$(sqlite3 "$tmp/ota.db" "SELECT detail FROM audit WHERE seq = 2")" = "nothing happened here" ] &&
	ok "attacker: entry 2 rewritten, chain recomputed with the master key" ||
	not_ok "attacker: entry 2 rewritten, chain recomputed with the master key"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key"
[ "$RC" = 0 ] && [[ "$OUT" == "audit log intact"* ]] && ok "rewritten chain: plain offline verify passes (the known limit)" ||
	not_ok "rewritten chain: plain offline verify passes (the known limit)" "$RC $OUT $ERR"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key" --anchor "$A1"
[ "$RC" = 1 ] && [[ "$OUT" == *"anchor $A1: entry $S1 has another hash"* ]] &&
	ok "rewritten chain: offline verify --anchor fails naming the anchor" ||
	not_ok "rewritten chain: offline verify --anchor fails naming the anchor" "$RC $OUT $ERR"

"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server2.log" 2>&1 &
SRV_PID=$!
pids+=($SRV_PID)
wait_port "$HP" || not_ok "ota-server restarts on the rewritten database" "$(tail -5 "$tmp/server2.log")"
run as super1 audit verify
[ "$RC" = 0 ] && ok "rewritten chain: plain verify through the API passes" ||
	not_ok "rewritten chain: plain verify through the API passes" "$RC $OUT $ERR"
run as super1 audit verify --anchors "$tmp/anchors.txt"
[ "$RC" = 1 ] && [[ "$OUT" == *"anchor $A1: entry $S1 has another hash (the chain was rewritten)"* ]] &&
	ok "rewritten chain: verify --anchors through the API fails naming the anchor" ||
	not_ok "rewritten chain: verify --anchors through the API fails naming the anchor" "$RC $OUT $ERR"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null

# the tail cut off after the first anchor, the head record set to match
cp "$tmp/orig.db" "$tmp/ota.db"
python3 "$tmp/attacker.py" "$tmp/ota.db" "$tmp/master.key" cut "$S1"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key" --anchor "$A1"
[ "$RC" = 0 ] && [[ "$OUT" == "audit log intact: $S1 entries"* ]] &&
	ok "cut chain: plain verify and the anchor before the cut pass" ||
	not_ok "cut chain: plain verify and the anchor before the cut pass" "$RC $OUT $ERR"
run "$OTACTL" audit verify --db "$tmp/ota.db" --master-key "$tmp/master.key" --anchors "$tmp/anchors.txt"
[ "$RC" = 1 ] && [[ "$OUT" == *"anchor $A2: entry $S2 is missing (the chain ends at entry $S1)"* ]] &&
	ok "cut chain: verify with the later anchor fails naming it" ||
	not_ok "cut chain: verify with the later anchor fails naming it" "$RC $OUT $ERR"

[ "$failures" = 0 ]
