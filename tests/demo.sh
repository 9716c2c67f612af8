#!/usr/bin/env bash
# `make demo`: the X.1127 story through the whole simguard chain on loopback, printed readably.
#
#   otactl --HTTPS--> ota-server (SQLite) --SMPP--> sms-gateway (lab route) --SMS-PP--> handset-sim
#          --ENVELOPE--> simulated UICC (uicc-applet, anti-theft applet); PoRs and results come back the same way.
#
# The operator imports the card and enrols its owner (password + TOTP); the owner reports the phone lost: RING,
# MESSAGE on the screen, LOCATE (cell and IMEI), LOCK (lock screen, no service), the phone is switched off and
# on (still locked), a replayed and a forged packet (refused), WIPE (two supervisors: card data cleared, handset
# data unreadable), UNLOCK with the owner's secret (service back). Each step shows the request, the secured packet the server stored and sent (SPI, KIc,
# KID, TAR, counter, padding, checksum, data), the PoR(s) the card sent back, the server's verdict and timings,
# and the handset's state file. Then the audit log and its chain check. Everything (certificates, master key,
# configs) is made here in a temp dir; everything started is stopped on exit.
#
# Environment: B (build dir, default build); DEMO_DIR: use this directory and keep it (tests read the handset
# state snapshots state-*.json there); otherwise a temp dir that is removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
export OTACTL=$B/bin/otactl
# The system interpreter: version-manager shims in PATH can cost a second per start.
PY=$(command -v /usr/bin/python3 || command -v python3)
show() { "$PY" "$ROOT/tests/demo/show.py" "$@"; }

MSISDN=15550100001                      # the handset's number; the gateway's lab route takes numbers 1...
IMEI=356938035643809
OWNER_CONTACT=+15550100002              # where a finder should call (alice's other phone)
. "$ROOT/tests/demo/lab.sh"

# say WHO TEXT: one line per line of TEXT, WHO in the left column of the first.
say() {
	local who=$1 text
	while IFS= read -r text; do
		printf '%-12s %s\n' "$who" "$text"
		who=
	done <<< "$2"
}
scene() { printf '\n=== %s ===\n' "$1"; }
die() { echo "demo: $*" >&2; exit 1; }

# demo_profile EXPR: a value of the card profile (p = its JSON).
demo_profile() { "$PY" -c 'import json, sys; p = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$PROFILE" "$1"; }

# as WHO CMD...: CMD as owner alice (her session token) or as an operator (client certificate).
as() {
	local who=$1
	shift
	if [ "$who" = alice ]; then
		OTACTL_TOKEN=$ALICE_TOKEN "$@"
	else
		OTACTL_CERT=$DEMO/pki/$who.pem OTACTL_KEY=$DEMO/pki/$who.key "$@"
	fi
}

now_ms() { date +%s%3N; }

# handset_view NAME [EXPR]: once EXPR holds (Python, s = the state; 10 s at most), the handset's state, and a copy
# of the state file as state-NAME.json.
handset_view() {
	show view "$STATE" "$DEMO/state-$1.json" "${2:-True}" || die "the handset's state did not come to: $2"
}

# args ARGS...: the arguments as one would type them (quoted where they hold spaces).
args() {
	local a out=
	for a in "$@"; do
		if [[ "$a" == *" "* ]]; then out+=" \"$a\""; else out+=" $a"; fi
	done
	printf %s "$out"
}

# request WHO VERB [OPTIONS...]: WHO sends an anti-theft command to the card; prints the answer, sets CMD_ID.
request() {
	local who=$1 verb=$2 out
	shift 2
	say "$who" "otactl commands send $ICCID $verb$(args "$@")"
	T0=$(now_ms)
	out=$(as "$who" "$OTACTL" commands send "$ICCID" "$verb" "$@") || die "the server refused: $out"
	CMD_ID=$(sed -n 's/^command \([0-9]*\) .*/\1/p' <<< "$out")
	say ota-server "$out"
}

# follow WHO: wait for command CMD_ID to be final and show the whole exchange; fails unless confirmed.
follow() {
	as "$1" show follow "$CMD_ID" "$T0" || die "command $CMD_ID was not confirmed"
}

# act WHO VERB [OPTIONS...]: request and follow.
act() {
	request "$@"
	follow "$1"
}

# read_adn: EF.ADN record 1 of the card, read the way a card reader would (simtool: VERIFY PIN1, SELECT
# 7F10/6F3A, READ RECORD 1); only while no handset holds the card.
read_adn() {
	"$B/bin/simtool" -c "sim:$PROFILE,$DEMO/card.img" --json apdu 002000010831323334FFFFFFFF \
		00A40804047F106F3A 00B201041E | show adn
}

# power_cycle_vty: the handset switched off and on (its VTY); waits until it is up again.
power_cycle_vty() {
	local ups
	ups=$(show get "$STATE" 's["power_ups"]')
	show vty "$HS_VTY" "handset power-cycle"
	show wait "$STATE" "s['power_ups'] > $ups and s['power'] == 'on' and s['attach']['result'] != ''" 20 ||
		die "the handset did not come back"
}

cleanup() {
	local rc=$?
	demo_stop
	if [ $rc -ne 0 ]; then
		echo "demo: FAILED (exit $rc); configs, logs and state kept in ${DEMO:-(none)}" >&2
	elif [ -n "${DEMO:-}" ] && [ -z "${DEMO_DIR:-}" ]; then
		rm -rf "$DEMO"
	fi
	exit $rc
}

setup_lab() {
	scene "The lab: certificates, sms-gateway, handset with the simulated UICC, ota-server"
	say demo "working directory $DEMO"
	demo_pki || die "openssl could not make the PKI"
	say openssl "CA, server certificate (127.0.0.1), operators agent1 (agent), super1 and super2"
	say "" "(supervisors): EC P-256, CN = name, OU = role; an empty CRL; master key: 32 random bytes"
	demo_ports
	demo_start_gateway || die "sms-gateway did not start: $(tail -3 "$DEMO/gw.log")"
	say sms-gateway "SMPP on 127.0.0.1:$GW_PORT: ESME otasrv (address 12345), lab route for numbers 1..."
	cp uicc-applet/profiles/demo.json "$PROFILE"
	ICCID=$(demo_profile 'p["iccid"]')
	say card "the demo UICC (uicc-applet/profiles/demo.json): ICCID $ICCID, anti-theft applet TAR C10001,"
	say "" "keyset 1 3DES, keyset 2 AES; its phone book before anything happens:"
	read_adn
	demo_start_handset "$PROFILE" || die "handset-sim did not come up: $(tail -3 "$DEMO/handset.log")"
	say handset-sim "number $MSISDN, IMEI $IMEI, bound to the gateway's lab route; the user adds a contact"
	say "" "and a note (sealed under the key the card's anti-theft applet hands out; handset-sim VTY):"
	show vty "$HS_VTY" "handset contact Mum +15550100077" "handset note bike lock 4711"
	handset_view start 'len(s["user_data"]["data"]["notes"]) == 1'
	demo_start_server || die "ota-server did not start: $(tail -3 "$DEMO/ota-server.log")"
	say ota-server "https://127.0.0.1:$HTTPS_PORT (TLS, operators by client certificate), SQLite $DEMO_DB"
	export OTACTL_SERVER=https://127.0.0.1:$HTTPS_PORT OTACTL_CA=$DEMO/pki/ca.pem
	cd "$DEMO" # files the story hands to otactl (card CSV, password, secret) are made here
}

enrol_owner() {
	scene "1. The operator imports the card and enrols its owner, alice (password + TOTP)"
	# The card's OTA keys as the operator gets them from the card vendor: a CSV (pySim's columns), here from the
	# card profile; commands go with keyset 2 (AES) and SPI 16 19 (PoR in the delivery report, so it comes back even
	# from a card that has taken the network away).
	"$PY" - "$PROFILE" "$MSISDN" > cards.csv <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
ks = {k["kvn"]: k for k in p["ota"]["keysets"]}
keys = [v for n in (1, 2) for v in (ks[n]["kic"]["key"], ks[n]["kid"]["key"], ks[n]["kic"]["alg"])]
print("ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,KIC2,KID2,ALGO2,SPI,KVN")
print(",".join([p["iccid"], p["imsi"], sys.argv[2]] + keys + ["1619", "2"]))
EOF
	say super1 "otactl cards import cards.csv   (ICCID, IMSI, MSISDN, KIc/KID of keysets 1 and 2; SPI 16 19, keyset 2)"
	say ota-server "$(as super1 "$OTACTL" cards import cards.csv)"
	printf 'correct horse battery staple\n' > alice.pw
	say agent1 "otactl owners add alice --password-file alice.pw"
	local out secret hidden code
	out=$(as agent1 "$OTACTL" owners add alice --password-file alice.pw)
	secret=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<< "$out")
	[ -n "$secret" ] || die "no TOTP secret in: $out"
	hidden="${secret:0:4}...(${#secret} base32 digits, for the authenticator app)"
	say ota-server "${out//$secret/$hidden}"
	say agent1 "otactl devices add $ICCID --owner alice --label \"alice's phone\""
	say ota-server "$(as agent1 "$OTACTL" devices add "$ICCID" --owner alice --label "alice's phone")"
	code=$(show totp "$secret")
	say alice "otactl owners login alice --password-file alice.pw --code $code   (RFC 6238 code of now)"
	ALICE_TOKEN=$("$OTACTL" owners login alice --password-file alice.pw --code "$code")
	say ota-server "session token ${ALICE_TOKEN:0:8}... (${#ALICE_TOKEN} hex digits; the server keeps only its SHA-256)"
	printf 'my unlock secret 2468\n' > unlock.secret
	say alice "chooses her unlock secret; the server derives the owner key (PBKDF2) and sends it to the card:"
	act alice enrol --secret-file unlock.secret
	handset_view enrol
}

story() {
	scene "2. alice's phone is gone. She asks it to RING"
	act alice ring --duration 30
	handset_view ring 's["toolkit"]["screen"]["tone"]["playing"]'

	scene "3. MESSAGE on the screen for whoever finds it"
	act alice message --message "This phone is lost. Please call $OWNER_CONTACT"
	handset_view message '"Please call" in (s["toolkit"]["screen"]["idle_text"] or "")'

	scene "4. LOCATE: where is it, and in which handset is the card?"
	act alice locate
	handset_view locate

	scene "5. LOCK: lock screen with alice's number, no service"
	act alice lock --message "Locked by its owner." --contact "$OWNER_CONTACT"
	show wait "$STATE" 's["service"] == "limited"' 10 || die "the handset kept its service"
	say thief "tries to call +15550100123 and an emergency number (handset-sim VTY):"
	show vty "$HS_VTY" "handset dial +15550100123" || true
	show vty "$HS_VTY" "handset dial 112" || true
	handset_view lock

	scene "6. The thief switches the phone off and on, replays and forges packets: still locked"
	say thief "switches the phone off and on (handset-sim VTY):"
	power_cycle_vty
	handset_view powercycle 's["service"] == "limited" and "Locked" in (s["toolkit"]["screen"]["idle_text"] or "")'
	say thief "plays back the RING packet he recorded off the air (it carried counter 2), and an UNLOCK he"
	say "" "built himself with otactl and guessed keys (all zero), to the handset (handset-sim VTY):"
	local t0 replayed forged
	replayed=$(show tpdu "$(as super1 show stored 2)")
	# UNLK, request id 99, origin operator: the packet is well formed, only the keys are wrong
	forged=$(show tpdu "$("$OTACTL" packet encode --spi 1619 --kic 22 --kid 22 --tar C10001 --cntr 99999 \
		--kic-key 00000000000000000000000000000000 --kid-key 00000000000000000000000000000000 \
		--data 554E4C4B00000063800102)")
	t0=$(now_ms)
	show vty "$HS_VTY" "handset sms-deliver $replayed" "handset sms-deliver $forged"
	show timeline "$t0" "the first SMS-DELIVER"
	show wait "$STATE" 's["service"] == "limited" and "Locked" in (s["toolkit"]["screen"]["idle_text"] or "")' 10 ||
		die "a replayed or forged packet changed the lock"
	cp "$STATE" "$DEMO/state-replay.json"
	say card "refused both (counter not higher; checksum wrong) and, as its profile says, answered nothing:"
	say "" "still locked, still no service"

	scene "7. WIPE: a supervisor asks, a second supervisor approves"
	say "" "(alice could wipe from her own account; an operator's WIPE needs a second operator's approval)"
	request super1 wipe
	say super2 "otactl commands approve $CMD_ID"
	say ota-server "$(as super2 "$OTACTL" commands approve "$CMD_ID")"
	follow super1
	say agent1 "asks the card for its STATUS:"
	act agent1 status
	say thief "switches the phone off, reads the SIM in a card reader, puts it back, switches on:"
	stop_pidfile "$DEMO/handset.pid" || true
	read_adn
	demo_start_handset "$PROFILE" || die "handset-sim did not come back: $(tail -3 "$DEMO/handset.log")"
	handset_view wipe
	say "" "(a locked card hands out no user data key at all; what the WIPE did to it shows after the UNLOCK)"

	scene "8. alice gets her phone back: UNLOCK with her secret"
	act alice unlock --secret-file unlock.secret
	handset_view unlock 's["service"] == "normal" and not s["toolkit"]["screen"]["idle_text"]'
	say "" "(the handset asks the card for the user data key at power-up only)"
	say alice "switches it off and on: the card now hands out a new user data key (the owner proof of the"
	say "" "UNLOCK allows it), which cannot open what was sealed before the WIPE:"
	power_cycle_vty
	handset_view final 's["user_data"]["state"] == "unreadable" and s["service"] == "normal"'
}

audit() {
	scene "9. The audit log: every request, who, what, the decision"
	as super1 show audit
	say super1 "otactl audit verify"
	say ota-server "$(as super1 "$OTACTL" audit verify)"
}

main() {
	local p
	for p in otactl ota-server sms-gateway handset-sim simtool; do
		[ -x "$B/bin/$p" ] || die "$B/bin/$p is missing: run make all (or make demo)"
	done
	local t0
	t0=$(now_ms)
	if [ -n "${DEMO_DIR:-}" ]; then DEMO=$DEMO_DIR; mkdir -p "$DEMO"; else DEMO=$(mktemp -d /tmp/simguard-demo.XXXXXX); fi
	PROFILE=$DEMO/card.json STATE=$DEMO/handset-state.json DEMO_DB=$DEMO/ota-server.db
	export DEMO_PROFILE=$PROFILE DEMO_STATE=$STATE DEMO_DB
	export DEMO_LOGS=ota-server=$DEMO/ota-server.log,sms-gateway=$DEMO/gw.log,handset=$DEMO/handset.log
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE
	echo "simguard demo: the X.1127 kill switch over SIM OTA, every program real, on loopback"
	setup_lab
	enrol_owner
	story
	audit
	scene "10. The end"
	demo_stop
	say auditor "checks the stopped server's database offline, with the master key:"
	say "" "otactl audit verify --db ota-server.db --master-key pki/master.key"
	say otactl "$("$OTACTL" audit verify --db "$DEMO_DB" --master-key "$DEMO/pki/master.key")"
	say demo "all stopped; $(( ($(now_ms) - t0) / 1000 )) s in all"
	echo "demo complete: enrolled, rang, messaged, located, locked, survived a power cycle, wiped, unlocked; audit chain intact"
}

main "$@"
