#!/usr/bin/env bash
# Integration test of owner login over real HTTPS: a name nobody enrolled cannot be told from an enrolled owner's
# name by the answers to failed logins - the same status, headers and bytes for every failure, the same lockout
# after the configured number of failures (3 here), the same answer while locked - and the audit log records both
# alike. No timing is measured (the equal Argon2id work is the unit test's and the code's concern).
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP"
# the per-client login rate limit would answer 429 itself long before this test is through
sed -i 's/^ login 10 per 60$/ login 1000 per 60/' "$tmp/ota.cfg"
printf '{}' > "$tmp/cards.json"
otasrv_start

PAIRS=3
n=0
for i in $(seq 1 $PAIRS); do
	printf 'carol%d horse battery staple\n' "$i" > "$tmp/carol$i.pw"
	as agent1 owners add "carol$i" --password-file "$tmp/carol$i.pw" > /dev/null && n=$((n + 1))
done
[ "$n" = "$PAIRS" ] && ok "owners carol1..carol$PAIRS enrolled" || { not_ok "owners enrolled"; exit 1; }

# attempts KNOWN UNKNOWN N: N failed logins under each name, alternating (known first), on one kept-alive
# connection; prints a JSON list of [status, Retry-After, Content-Type, Content-Length, body] per name and attempt
attempts() {
	python3 - "$tmp/ca.pem" "$HP" "$1" "$2" "$3" <<'EOF'
import http.client, json, ssl, sys
ca, port, known, unknown, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
c = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(cafile=ca))
out = {known: [], unknown: []}
for i in range(n):
    for name in (known, unknown):
        body = json.dumps({"name": name, "password": "not the password %d" % i, "code": "000000"})
        c.request("POST", "/v1/login", body, {"Content-Type": "application/json"})
        r = c.getresponse()
        out[name].append([r.status, r.getheader("Retry-After"), r.getheader("Content-Type"),
                          r.getheader("Content-Length"), r.read().decode()])
print(json.dumps([out[known], out[unknown]]))
EOF
}

# The first three answers are fixed (401, 401, 429 for the whole lockout); the fourth's Retry-After is the time
# left, which differs when a second boundary falls between the two names' third and fourth attempts: then again
# with the next pair.
for i in $(seq 1 $PAIRS); do
	ANSWERS=$(attempts "carol$i" "nobody$i" 4)
	python3 -c 'import json, sys; k, u = json.loads(sys.argv[1]); sys.exit(k[3] != u[3])' "$ANSWERS" && break
done
python3 - "$ANSWERS" <<'EOF' && ok "unknown name: 401, 401, then 429 locked for 600 s - each answer byte for byte a known name's" ||
import json, sys
k, u = json.loads(sys.argv[1])
assert k[:3] == u[:3], (k, u)
assert [a[0] for a in k[:3]] == [401, 401, 429], k
assert k[2][1] == "600" and "account locked for 600 s" in k[2][4], k[2]
EOF
	not_ok "unknown name: 401, 401, then 429 locked for 600 s - each answer byte for byte a known name's" "$ANSWERS"
python3 - "$ANSWERS" <<'EOF' && ok "while locked: the same 429 and Retry-After for both names" ||
import json, sys
k, u = json.loads(sys.argv[1])
assert k[3] == u[3] and k[3][0] == 429 and 0 < int(k[3][1]) <= 600, (k[3], u[3])
EOF
	not_ok "while locked: the same 429 and Retry-After for both names" "$ANSWERS"

# the locked known name is refused even with its right password and code (as before): so is the unknown name
run "$OTACTL" owners login "carol$i" --password-file "$tmp/carol$i.pw" --code 000000
KNOWN_ERR=$ERR
run "$OTACTL" owners login "nobody$i" --password-file "$tmp/carol$i.pw" --code 000000
[ "$RC" = 2 ] && [[ "$ERR" == *"429"*"account locked"* ]] && [ "$ERR" = "$KNOWN_ERR" ] &&
	ok "otactl owners login: the same refusal for both names" || not_ok "otactl owners login: the same refusal for both names" "$KNOWN_ERR" "$ERR"

# the audit log: the same decisions, statuses and details under both names
run as super1 --json audit list
python3 - "$OUT" "carol$i" "nobody$i" <<'EOF' && ok "audited alike: same decisions, statuses and details for both names" ||
import json, sys
r = json.loads(sys.argv[1]); e = r["entries"] if isinstance(r, dict) else r
def seq(name):
    return [(x["decision"], x["status"], x["detail"]) for x in e
            if x["action"] == "POST /v1/login" and x["target"] == "owner:" + name]
k, u = seq(sys.argv[2]), seq(sys.argv[3])
assert len(k) == 5 and [s[:2] for s in k[:3]] == [("denied", 401), ("denied", 401), ("limited", 429)], k
assert k[:3] == u[:3] and [s[:2] for s in k[3:]] == [s[:2] for s in u[3:]], (k, u)
EOF
	not_ok "audited alike: same decisions, statuses and details for both names" "${OUT:0:300}"

# enrolled after it was probed, a name starts with no failures: its owner logs in
SECRET=$(as agent1 owners add nobody1 --password-file "$tmp/carol1.pw" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
run "$OTACTL" owners login nobody1 --password-file "$tmp/carol1.pw" --code "$(totp "$SECRET")"
[ "$RC" = 0 ] && [ ${#OUT} = 64 ] && ok "a probed name, once enrolled, starts without its failures" ||
	not_ok "a probed name, once enrolled, starts without its failures" "$RC $OUT $ERR"

[ "$failures" = 0 ]
