#!/usr/bin/env bash
# Integration test of GET /v1/commands/{id}/attempts and `otactl commands attempts` over real HTTPS, with the card
# peer of test_otasrv_api.sh (its own AES-CBC / AES-CMAC, not our codec) as SMSC and cards: the owner of the
# device and operators see each secured packet sent for a command, another owner and anonymous callers do not,
# every request is audited; each packet as the API shows it opens with `otactl packet verify` and the card's keys
# to the counter of its attempt, and matches what the peer itself decrypted from the SMS with that SMSC message id.
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP" "retry-interval 2" "deadline 5"
K1=000102030405060708090A0B0C0D0E0F
K2=101112131415161718191A1B1C1D1E1F
# card 1 answers, card 2 stays silent (resent with fresh counters until the deadline); card 1 starts at counter 41
python3 - "$tmp" "$K1" "$K2" <<'EOF'
import json, sys
d, k1, k2 = sys.argv[1:4]
cards, rows = {}, ["ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,CNTR1"]
for i, (do, cntr) in enumerate([("ok", 41), ("silent", 0)], 1):
    msisdn = "49174%05d" % i
    cards[msisdn] = {"kic": k1, "kid": k2, "do": do}
    rows.append("89490000000003%05d,26204%010d,%s,%s,%s,aes,%d" % (i, i, msisdn, k1, k2, cntr))
open(d + "/cards.json", "w").write(json.dumps(cards))
open(d + "/cards.csv", "w").write("\n".join(rows) + "\n")
EOF
ICCID() { printf '89490000000003%05d' "$1"; }
otasrv_start

# owners alice (card 1) and bob (card 2), logged in with password + TOTP
owner_token() { # owner_token NAME ICCID: enrol NAME, register the card to them, print a session token
	local secret
	printf '%s horse battery staple\n' "$1" > "$tmp/$1.pw"
	secret=$(as agent1 owners add "$1" --password-file "$tmp/$1.pw" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
	as agent1 devices add "$2" --owner "$1" > /dev/null &&
		"$OTACTL" owners login "$1" --password-file "$tmp/$1.pw" --code "$(totp "$secret")"
}
as super1 cards import "$tmp/cards.csv" > /dev/null && ALICE=$(owner_token alice "$(ICCID 1)") &&
	BOB=$(owner_token bob "$(ICCID 2)") && ok "cards imported, owners enrolled and logged in" ||
	{ not_ok "cards imported, owners enrolled and logged in" "$(tail -3 "$tmp/server.log")"; exit 1; }

run as_owner "$ALICE" --json commands send "$(ICCID 1)" status --wait --timeout 15
ID=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); assert r["state"] == "confirmed"; print(r["id"])' "$OUT") &&
	ok "alice's STATUS confirmed by the card" || { not_ok "alice's STATUS confirmed by the card" "$OUT" "$ERR"; exit 1; }

# ---- who may see them ----
run as_owner "$ALICE" --json commands attempts "$ID"
ALICE_VIEW=$OUT
[ "$RC" = 0 ] && python3 - "$OUT" "$ID" "$(ICCID 1)" <<'EOF' && ok "owner A sees her command's attempt: kvn, counter 42, packet, SMSC id" ||
import json, re, sys
r = json.loads(sys.argv[1])
assert r["id"] == int(sys.argv[2]) and r["iccid"] == sys.argv[3], r
(a,) = r["attempts"]
assert a["kvn"] == 1 and a["cntr"] == 42 and a["sent_at"] > 0 and a["msgid"], a
assert re.fullmatch(r"(?:[0-9A-F]{2})+", a["packet"]), a
EOF
	not_ok "owner A sees her command's attempt: kvn, counter 42, packet, SMSC id" "$RC $OUT" "$ERR"
run as_owner "$BOB" --json commands attempts "$ID"
[ "$RC" = 2 ] && [[ "$ERR" == *"404"*"no such command of yours"* ]] && [[ "$OUT" != *packet* ]] &&
	ok "owner B is refused another owner's attempts (404, as for the command itself)" ||
	not_ok "owner B is refused another owner's attempts (404, as for the command itself)" "$RC $OUT $ERR"
run "$OTACTL" --json commands attempts "$ID"
[ "$RC" = 2 ] && [[ "$ERR" == *"401"* ]] && ok "anonymous: 401" || not_ok "anonymous: 401" "$RC $OUT $ERR"
for who in agent1 super1; do
	run as "$who" --json commands attempts "$ID"
	[ "$RC" = 0 ] && [ "$OUT" = "$ALICE_VIEW" ] && ok "$who sees the same attempts" ||
		not_ok "$who sees the same attempts" "$RC $OUT $ERR"
done
run as super1 commands attempts "$ID"
[ "$RC" = 0 ] && [[ "$OUT" == "command $ID to $(ICCID 1): 1 attempts"*"attempt 1: keyset 1, counter 42, sent "*" UTC, SMSC message id "*"packet "* ]] &&
	ok "otactl commands attempts: readable lines" || not_ok "otactl commands attempts: readable lines" "$RC $OUT $ERR"
[[ "$ALICE_VIEW" != *"$K1"* && "$ALICE_VIEW" != *"$K2"* ]] && ok "no key in the answer" || not_ok "no key in the answer"
expect_rc() { # expect_rc NAME WANT_RC STDERR_PART CMD...
	local name=$1 want=$2 part=$3
	shift 3
	run "$@"
	[ "$RC" = "$want" ] && [[ "$ERR" == *"$part"* ]] && ok "$name" || not_ok "$name" "rc=$RC want $want" "$OUT" "$ERR"
}
expect_rc "an unknown command: 404, exit 2" 2 "404" as super1 commands attempts 999999
expect_rc "an id that is not a number: refused by otactl, exit 2" 2 "not an id" as super1 commands attempts 12x
out=$(curl -sS --cacert "$tmp/ca.pem" --cert "$tmp/super1.pem" --key "$tmp/super1.key" -w ' %{http_code}' \
	"https://127.0.0.1:$HP/v1/commands/12x/attempts" 2>&1)
[[ "$out" == *"is not a number"*" 400" ]] && ok "the server refuses a non-numeric id too: 400 (curl)" ||
	not_ok "the server refuses a non-numeric id too: 400 (curl)" "$out"

# ---- each packet opens to its counter, and is what the card got ----
# check_packets ATTEMPTS_JSON: otactl packet verify with the card's keys gives each attempt's counter; the peer
# logged the same counter and data for the SMS with the attempt's message id (the peer decrypted that itself)
check_packets() {
	python3 - "$1" "$tmp/peer.log" "$OTACTL" "$K1" "$K2" <<'EOF'
import json, subprocess, sys
r, log, otactl, kic, kid = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
peer = {}
for l in open(log):
    rec = json.loads(l)
    if rec.get("verified"):
        peer[rec["msgid"]] = rec
assert r["attempts"]
for a in r["attempts"]:
    p = subprocess.run([otactl, "--json", "packet", "verify", "--kic-key", kic, "--kid-key", kid, a["packet"]],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    v = json.loads(p.stdout)
    assert v["cntr"] == a["cntr"] and v["kic_fields"]["kvn"] == a["kvn"], (v, a)
    assert a["msgid"] in peer, (a, sorted(peer))
    assert peer[a["msgid"]]["cntr"] == a["cntr"] and peer[a["msgid"]]["data"] == v["data"].lower(), (peer[a["msgid"]], v)
print("# %d packets checked" % len(r["attempts"]), file=sys.stderr)
EOF
}
check_packets "$ALICE_VIEW" && ok "the packet verifies with the card's keys to the attempt's counter, and is what the card got" ||
	not_ok "the packet verifies with the card's keys to the attempt's counter, and is what the card got"

# ---- a silent card: every resend an attempt of its own, each with a fresh counter ----
run as agent1 --json commands send "$(ICCID 2)" ring --wait --timeout 15
SILENT=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); assert r["state"] == "expired"; print(r["id"])' "$OUT")
[ "$RC" = 1 ] && [ -n "$SILENT" ] && ok "no PoR: the ring expired after resends" ||
	not_ok "no PoR: the ring expired after resends" "$RC $OUT $ERR"
run as_owner "$BOB" --json commands attempts "$SILENT"
[ "$RC" = 0 ] && python3 - "$OUT" <<'EOF' && ok "owner B sees every resend: counters 1, 2, ... each once" ||
import json, sys
c = [a["cntr"] for a in json.loads(sys.argv[1])["attempts"]]
assert len(c) >= 2 and c == list(range(1, len(c) + 1)), c
EOF
	not_ok "owner B sees every resend: counters 1, 2, ... each once" "$RC $OUT $ERR"
check_packets "$OUT" && ok "every resent packet verifies to its own counter and is what the card got" ||
	not_ok "every resent packet verifies to its own counter and is what the card got"
expect_rc "owner A is refused owner B's attempts" 2 "404" as_owner "$ALICE" commands attempts "$SILENT"

# ---- audited like every request ----
run as super1 --json audit list
python3 - "$OUT" "$ID" <<'EOF' && ok "allowed and refused reads of attempts are in the audit log" ||
import json, sys
r = json.loads(sys.argv[1]); e = r["entries"] if isinstance(r, dict) else r
path = "GET /v1/commands/%s/attempts" % sys.argv[2]
got = {(x["actor"], x["status"], x["decision"]) for x in e if x["action"] == path}
want = {("owner:alice", 200, "allowed"), ("owner:bob", 404, "invalid"), ("anonymous", 401, "denied"),
        ("operator:agent1", 200, "allowed"), ("operator:super1", 200, "allowed")}
assert want <= got, (want - got, got)
assert all(x["target"] == "command:" + sys.argv[2] for x in e if x["action"] == path and x["status"] != 401), e
EOF
	not_ok "allowed and refused reads of attempts are in the audit log" "${OUT:0:300}"
run as super1 audit verify
[ "$RC" = 0 ] && ok "audit chain intact" || not_ok "audit chain intact" "$OUT $ERR"

[ "$failures" = 0 ]
