# shellcheck shell=bash
# Helpers of the end-to-end kill-switch tests (test_e2e_*.sh): the real chain otactl --HTTPS--> ota-server
# --SMPP--> sms-gateway (lab route) --SMS-PP/USSD--> handset-sim --ENVELOPE--> the simulated UICC, started on
# loopback and stopped at exit. Sourcing it sets HERE (tests/integration), ROOT, B, enters ROOT and brings in
# lib/osmo-lab.sh, lib/smsgw.sh and test_otasrv_api.sh's helpers (OTASRV_LIB_ONLY=1); then call otasrv_setup:
# everything lives in $tmp, every pid started goes into pids (killed by otasrv_cleanup at exit).
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${B:-build}
cd "$ROOT" || exit 1
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"
OTASRV_LIB_ONLY=1 source "$HERE/test_otasrv_api.sh"

# Debian's interpreter when there is one: a version manager's shim on PATH costs seconds per call on a loaded machine.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# e2e_gateway [GATEWAY CONFIG LINES...]: sms-gateway with a lab route for the numbers 1..., ESME otasrv (address
# 12345, the ota-server) and an ESME "intruder" (password intruder, address 6666) that tests use to inject. Extra
# lines go after the route. Sets GWP (SMPP port).
e2e_gateway() {
	GWP=$(free_port)
	local vty
	vty=$(free_port)
	smsgw_write_cfg "$tmp/gw.cfg" "$GWP" "$vty" "$tmp/q.db" "route lab" " prefix 1" " type lab" "$@"
	sed -i 's/^  address 12345$/  address 12345\n esme intruder\n  password intruder\n  address 6666/' "$tmp/gw.cfg"
	smsgw_start "$tmp" "$tmp/gw.cfg" "$GWP" || { not_ok "sms-gateway starts" "$(tail -3 "$tmp/gw.log")"; exit 1; }
	pids+=("$(cat "$tmp/gw.pid")")
}

# e2e_card_profile NAME ERROR_POR: the demo card's profile as $tmp/NAME.card.json, with ota.error_por set.
e2e_card_profile() {
	"$PY" - "$ROOT/uicc-applet/profiles/demo.json" "$tmp/$1.card.json" "$2" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["ota"]["error_por"] = sys.argv[3]
json.dump(p, open(sys.argv[2], "w"), indent=1)
EOF
}

# e2e_handset NAME MSISDN CARD [CONFIG LINES...]: handset-sim NAME with card spec CARD (sim:... or pcsc:READER),
# bound to the gateway's lab route as MSISDN; state in $tmp/NAME.json. Waits for the bind and normal service.
e2e_handset() {
	local name=$1 msisdn=$2 card=$3
	shift 3
	{
		printf 'line vty\n bind 127.0.0.1 %s\nhandset\n msisdn %s\n imei 356938035643809\n card %s\n' \
			"$(free_port)" "$msisdn" "$card"
		printf ' pin 1234\n auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF\n'
		printf ' smpp-link 127.0.0.1 %s labpw\n state-file %s\n data-dir %s\n' "$GWP" "$tmp/$name.json" \
			"$tmp/$name.data"
		printf ' %s\n' "$@"
	} > "$tmp/$name.cfg"
	"$B/bin/handset-sim" -c "$tmp/$name.cfg" -q > "$tmp/$name.log" 2>&1 &
	pids+=($!)
	hs_wait "$name" 's["smpp"]["bound"] and s["service"]' normal
}

# hs NAME EXPR: a Python expression over handset NAME's state s (nothing when the state cannot be read).
hs() {
	"$PY" -c "import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$tmp/$1.json" "$2" \
		2> /dev/null
}

# hs_settled NAME: handset NAME has authenticated again since its last data download (the transaction is over:
# whatever the card did with the packet - a PoR, a proactive session, a lock - is done).
hs_settled() {
	hs_wait "$1" 'any(e.startswith("attach") for e in s["log"][max([-1] + [i for i, e in enumerate(s["log"]) if "data download from" in e]):])' True
}

# hs_wait NAME EXPR WANT: until EXPR gives WANT (gives up after 10 s); true when it did.
hs_wait() {
	local end=$((SECONDS + 10))
	while [ "$SECONDS" -le "$end" ]; do
		[ "$(hs "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# e2e_server [OTA LINES...]: ota-server towards the gateway; otactl set up for it (as WHO ..., OTACTL_* exported).
e2e_server() {
	write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$GWP" "$@"
	"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
	pids+=($!)
	wait_port "$HP" || { not_ok "ota-server starts" "$(tail -3 "$tmp/server.log")"; exit 1; }
	export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem
}

# The demo card's keysets (uicc-applet/profiles/demo.json): 1 = 3DES, 2 = AES.
E2E_KEYS1="404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,3des2"
E2E_KEYS2="000102030405060708090A0B0C0D0E0F,101112131415161718191A1B1C1D1E1F,aes"
E2E_CSV_HEADER="ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,KIC2,KID2,ALGO2,TAR,SPI,KVN,DIALECT"

# expect_done NAME WANT_RC WANT_TEXT CMD...: a command sent with --wait ends with WANT_RC and WANT_TEXT in its output.
expect_done() {
	local name=$1 want=$2 part=$3
	shift 3
	run "$@" --wait --timeout 40
	if [ "$RC" = "$want" ] && [[ "$OUT" == *"$part"* ]]; then ok "$name"; else not_ok "$name" "rc=$RC" "$OUT" "$ERR"; fi
}

# e2e_lock_cycle OVER ICCID HANDSET: operator LOCK (lock screen with the message, no service), STATUS while locked
# (the card's flags), supervisor UNLOCK (service and idle screen back), each confirmed by the card's PoR.
e2e_lock_cycle() {
	local over=$1 iccid=$2 h=$3
	expect_done "LOCK over $over: confirmed by the card's PoR" 0 confirmed as agent1 commands send "$iccid" lock \
		--message "Locked by the operator. Call +15550100002" --contact +15550100002
	hs_wait "$h" '"Call +15550100002" in (s["toolkit"]["screen"]["idle_text"] or "")' True &&
		ok "the handset shows the lock screen" || not_ok "the handset shows the lock screen" "$(hs "$h" 's["toolkit"]')"
	hs_wait "$h" 's["service"]' limited && ok "the locked handset has no service (limited: emergency calls only)" ||
		not_ok "the locked handset has no service (limited: emergency calls only)" "$(hs "$h" 's["service"]')"
	expect_done "STATUS while locked, over $over: the card says locked by the operator" 0 '"locked_by_operator":true' \
		as agent1 commands send "$iccid" status
	expect_done "UNLOCK (supervisor) over $over: confirmed by the card's PoR" 0 confirmed \
		as super1 commands send "$iccid" unlock
	hs_wait "$h" 's["service"]' normal && ok "the unlocked handset has service again" ||
		not_ok "the unlocked handset has service again" "$(hs "$h" 's["service"]')"
	hs_wait "$h" 'bool(s["toolkit"]["screen"]["idle_text"])' False && ok "the lock screen is gone" ||
		not_ok "the lock screen is gone" "$(hs "$h" 's["toolkit"]["screen"]')"
}

# audit_has NAME PYTHON-CONDITION: some entry e of `otactl audit list --json` satisfies the condition.
audit_has() {
	local name=$1 cond=$2
	as super1 --json audit list > "$tmp/audit.json" 2>&1
	if "$PY" - "$tmp/audit.json" "$cond" <<'EOF'; then ok "$name"; else not_ok "$name" "$(tail -c 600 "$tmp/audit.json")"; fi
import json, sys
entries = json.load(open(sys.argv[1]))["entries"]
sys.exit(0 if any(eval(sys.argv[2]) for e in entries) else 1)
EOF
}

# e2e_no_leak NAME [KEY-HEX...]: no crash, and neither a key of the demo card nor one of the given keys in any log.
e2e_no_leak() {
	local k name=$1 pat='segmentation|sanitizer|runtime error|404142434445464748494A4B4C4D4E4F|000102030405060708090A0B0C0D0E0F'
	shift
	for k in "$@"; do pat+="|$k"; done
	! grep -qiE "$pat" "$tmp"/*.log && ok "$name" || not_ok "$name" "$(grep -iE "$pat" "$tmp"/*.log | head -3)"
}
