#!/usr/bin/env bash
# The kill switch end to end through a real Osmocom core: otactl --HTTPS--> ota-server --SMPP--> sms-gateway
# (upstream route) --SMPP--> osmo-msc (+ osmo-hlr) --SGs--> handset-sim, attached as an LTE phone behind the MME it
# emulates, with the simulated UICC (demo profile) --> PoR by SMS-SUBMIT back over SGs --> osmo-msc deliver_sm -->
# sms-gateway --> ota-server. osmo-msc is the independent peer for SGsAP and SMS CP/RP: it must accept the
# attach, page the handset, take its RP-ACKs and relay the card's SMS-SUBMITs. Two handsets: card A keeps the
# network while locked (apps.antitheft.lock_refuses_network false, reachable for UNLOCK), card B does not (the
# default: LOCK takes the handset off the network, the MME detaches it from the VLR). The story ends with card A's
# owner: enrolled (her secret, ENROL), she LOCKs it herself, a wrong secret does not lift her lock, her UNLOCK with
# the owner proof (derived by ota-server from the secret she types, checked by the card) does: PoR verified, calls
# allowed again. Prints TAP lines.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${B:-build}
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"
OTASRV_LIB_ONLY=1 source "$HERE/test_otasrv_api.sh"
cd "$ROOT" || exit 1

if ! command -v osmo-msc > /dev/null || ! command -v osmo-hlr > /dev/null; then
	echo "ok - # SKIP osmo-msc / osmo-hlr not installed (mk/debian-packages.txt lists them)"
	exit 0
fi

# otasrv_setup's pieces, with the test PKI made in the background while the network comes up
tmp=$(mktemp -d)
pids=()
e2e_cleanup() {
	[ -n "${PKI_PID:-}" ] && kill "$PKI_PID" 2> /dev/null
	stop_pidfile "$tmp/hsA.pid"
	stop_pidfile "$tmp/hsB.pid"
	stop_pidfile "$tmp/ota.pid"
	stop_pidfile "$tmp/gw.pid"
	stop_pidfile "$tmp/tshark.pid"
	osmo_lab_stop
	otasrv_cleanup
}
trap e2e_cleanup EXIT
make_pki "$tmp" > "$tmp/pki.log" 2>&1 &
PKI_PID=$!
HP=$(free_port); VP=$(free_port)
while [ "$VP" = "$HP" ]; do VP=$(free_port); done
# tshark sees SGs as TCP here (the shim): the SGs segments' bytes now, re-wrapped in SCTP for its SGsAP dissector
# at the end
if command -v tshark > /dev/null && command -v text2pcap > /dev/null; then
	tshark -l -q -i lo -f "tcp port 29118" -Y "tcp.len > 0" -T fields -e tcp.payload > "$tmp/sgs.fields" \
		2> "$tmp/tshark.log" &
	echo $! > "$tmp/tshark.pid"
fi

IMSI_A=001010000000001 IMSI_B=001010000000002
ICCID_A=8988211000000000003 ICCID_B=8988211000000000011
OSMO_LAB_MSC_EXTRA="  dcs-transparent" osmo_lab_start "$tmp/osmo" || { not_ok "osmo-hlr + osmo-msc start"; exit 1; }
osmo_lab_vty 4258 "subscriber imsi $IMSI_A create" "subscriber imsi $IMSI_A update msisdn 1001" \
	"subscriber imsi $IMSI_B create" "subscriber imsi $IMSI_B update msisdn 1002" > "$tmp/hlr.out"
grep -c "to MSISDN=" "$tmp/hlr.out" | grep -qx 2 && ok "osmo-hlr + osmo-msc up, two subscribers provisioned" ||
	not_ok "osmo-hlr + osmo-msc up, two subscribers provisioned" "$(cat "$tmp/hlr.out")"

GWP=$(free_port); GWV=$(free_port); HSA=$(free_port); HSB=$(free_port)
smsgw_write_cfg "$tmp/gw.cfg" "$GWP" "$GWV" "$tmp/q.db" "route osmo" " prefix" " type upstream" \
	" remote 127.0.0.1 $OSMO_LAB_SMPP_PORT" " system-id OTA-SRV" " password ota-pw" " window 10"
smsgw_start "$tmp" "$tmp/gw.cfg" "$GWP" || { not_ok "sms-gateway starts" "$(tail -3 "$tmp/gw.log")"; exit 1; }
for ((i = 0; i < 100; i++)); do grep -q "osmo: bound to" "$tmp/gw.log" && break; sleep 0.1; done

if [ -f "$tmp/tshark.pid" ]; then
	for ((i = 0; i < 150; i++)); do grep -q "^Capturing on" "$tmp/tshark.log" && break; sleep 0.1; done
fi
# card A keeps the network while locked; card B is a second card of the same design, default lock behaviour
python3 - "$tmp" "$ICCID_B" "$IMSI_B" <<'EOF'
import json, sys
d, iccid_b, imsi_b = sys.argv[1:4]
p = json.load(open("uicc-applet/profiles/demo.json"))
a = dict(p, apps={"antitheft": {"lock_refuses_network": False}})
json.dump(a, open(d + "/cardA.json", "w"), indent=1)
json.dump(dict(p, iccid=iccid_b, imsi=imsi_b, msisdn="+15550100002"), open(d + "/cardB.json", "w"), indent=1)
EOF
# handset NAME VTYPORT MSISDN MME-NAME: start a handset-sim attached over SGs
handset() {
	cat > "$tmp/hs$1.cfg" <<EOF
line vty
 bind 127.0.0.1 $2
handset
 msisdn $3
 imei 35693803564380$4
 card sim:$tmp/card$1.json,$tmp/card$1.img
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 sgs-link 127.0.0.1 29118
 sgs-mme-name $5
 state-file $tmp/state$1.json
 data-dir $tmp/data$1
EOF
	"$B/bin/handset-sim" -c "$tmp/hs$1.cfg" -q > "$tmp/hs$1.log" 2>&1 &
	echo $! > "$tmp/hs$1.pid"
}
handset A "$HSA" 1001 9 mmec01.mmegi0001.mme.epc.mnc001.mcc001.3gppnetwork.org
handset B "$HSB" 1002 8 mmec02.mmegi0001.mme.epc.mnc001.mcc001.3gppnetwork.org
# state A|B EXPR: a Python expression over the handset's state file s
state() { python3 -c "import json,sys; s=json.load(open('$tmp/state$1.json')); print(eval(sys.argv[1]))" "$2" 2>/dev/null; }
# wait_state A|B EXPR WANT: until EXPR prints WANT (15 s)
wait_state() {
	local i
	for ((i = 0; i < 150; i++)); do [ "$(state "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
	return 1
}
vlr() { osmo_lab_vty 4254 "show subscriber imsi $1"; }

for h in A B; do
	wait_state $h 's["sgs"]["associated"]' True
done
vlr $IMSI_A > "$tmp/vlrA.txt"
TMSI_A=$(state A 's["sgs"]["tmsi"]')
grep -q "RAN type: EUTRAN-SGs" "$tmp/vlrA.txt" && grep -q "SGs-state: SGs-ASSOCIATED" "$tmp/vlrA.txt" &&
	grep -q "TMSI: $TMSI_A" "$tmp/vlrA.txt" && grep -q "SGs-MME: mmec01.mmegi0001" "$tmp/vlrA.txt" &&
	ok "handset A attached over SGs with the card's IMSI: the VLR shows it SGs-associated, same TMSI ($TMSI_A)" ||
	not_ok "handset A attached over SGs with the card's IMSI: the VLR shows it SGs-associated" "$(cat "$tmp/vlrA.txt")" \
		"$(tail -5 "$tmp/hsA.log")"
[[ "$(vlr $IMSI_B)" == *"SGs-state: SGs-ASSOCIATED"* ]] && [ "$(state B 's["service"]')" = normal ] &&
	ok "handset B attached too (its own MME name)" || not_ok "handset B attached too (its own MME name)"

wait "$PKI_PID" || { not_ok "test PKI made with openssl" "$(tail -3 "$tmp/pki.log")"; exit 1; }
PKI_PID=
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$GWP" "retry-interval 15" "deadline 60"
"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
echo $! > "$tmp/ota.pid"
wait_port "$HP" || { not_ok "ota-server starts" "$(tail -3 "$tmp/server.log")"; exit 1; }
export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem

# SPI 16 39: PoR by SMS-SUBMIT, as osmo-msc relays no data of a deliver report; commands on the AES keyset
{
	echo "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,KIC2,KID2,ALGO2,SPI,KVN"
	for c in "$ICCID_A,$IMSI_A,1001" "$ICCID_B,$IMSI_B,1002"; do
		echo "$c,404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,3des2,000102030405060708090A0B0C0D0E0F,101112131415161718191A1B1C1D1E1F,aes,1639,2"
	done
} > "$tmp/cards.csv"
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "both cards imported (SPI 1639)" || not_ok "both cards imported (SPI 1639)"

expect_done() {
	local name=$1 want=$2 part=$3
	shift 3
	run "$@" --wait --timeout 50
	if [ "$RC" = "$want" ] && [[ "$OUT" == *"$part"* ]]; then ok "$name"; else not_ok "$name" "rc=$RC" "$OUT" "$ERR"; fi
}
expect_done "STATUS through osmo-msc and SGs: confirmed by the card's PoR, state normal" 0 '"state":"normal"' \
	as agent1 commands send "$ICCID_A" status
[ "$(state A 's["sgs"]["paged"] >= 1 and s["sgs"]["mt"] >= 1 and s["sgs"]["mo"] >= 1')" = True ] &&
	ok "osmo-msc paged the handset, delivered by DOWNLINK-UNITDATA, took the PoR by UPLINK-UNITDATA" ||
	not_ok "osmo-msc paged the handset, delivered by DOWNLINK-UNITDATA, took the PoR by UPLINK-UNITDATA" \
		"$(state A 's["sgs"]')"
grep -q "Rx DELIVER-SM RESP" "$tmp/osmo/msc.log" && ok "osmo-msc relayed the PoR as deliver_sm and got its response" ||
	not_ok "osmo-msc relayed the PoR as deliver_sm and got its response"
expect_done "LOCATE: location and IMEI from the card, PoR by SMS-SUBMIT through osmo-msc" 0 '"imei":"356938035643809"' \
	as agent1 commands send "$ICCID_A" locate
expect_done "operator LOCK of card A: confirmed" 0 confirmed as agent1 commands send "$ICCID_A" lock \
	--message "Lost. Call +15550100002" --contact +15550100002
wait_state A '"Lost. Call +15550100002" in (s["toolkit"]["screen"]["idle_text"] or "")' True &&
	[ "$(state A 's["service"]')" = normal ] && [[ "$(vlr $IMSI_A)" == *SGs-ASSOCIATED* ]] &&
	ok "handset A shows the lock screen and, as its card keeps the network, stays SGs-associated" ||
	not_ok "handset A shows the lock screen and stays SGs-associated" "$(state A 's["toolkit"]["screen"], s["service"]')"
expect_done "supervisor UNLOCK of card A through osmo-msc: confirmed" 0 confirmed as super1 commands send "$ICCID_A" unlock
wait_state A 's["toolkit"]["screen"]["idle_text"]' None && ok "the lock screen is gone" ||
	not_ok "the lock screen is gone" "$(state A 's["toolkit"]["screen"]')"
expect_done "STATUS after it: normal" 0 '"state":"normal"' as agent1 commands send "$ICCID_A" status

expect_done "operator LOCK of card B: confirmed (the PoR leaves before the card refuses the network)" 0 confirmed \
	as agent1 commands send "$ICCID_B" lock --message "Stolen phone" --contact +15550100002
wait_state B 's["service"]' limited && wait_state B 's["sgs"]["state"]' idle &&
	[[ "$(state B 's["toolkit"]["screen"]["idle_text"]')" == *"Stolen phone"* ]] &&
	ok "handset B: lock screen, no service (emergency calls only), detached from SGs" ||
	not_ok "handset B: lock screen, no service, detached from SGs" "$(state B 's["service"], s["sgs"], s["toolkit"]["screen"]')"
for ((i = 0; i < 50; i++)); do vlr $IMSI_B > "$tmp/vlrB.txt"; ! grep -q "SGs-ASSOCIATED" "$tmp/vlrB.txt" && break; sleep 0.1; done
! grep -q "SGs-ASSOCIATED" "$tmp/vlrB.txt" && ok "the VLR no longer has handset B SGs-associated (IMSI detach)" ||
	not_ok "the VLR no longer has handset B SGs-associated (IMSI detach)" "$(cat "$tmp/vlrB.txt")"

# osmo-msc restarted (its VLR empty): handset A finds the link down, reconnects and attaches again
TMSI_A=$(state A 's["sgs"]["tmsi"]')
osmo_lab_stop_msc
osmo_lab_start_msc || not_ok "osmo-msc restarts"
wait_state A 's["sgs"]["associated"] and s["sgs"]["tmsi"] != "'"$TMSI_A"'"' True
TMSI_A=$(state A 's["sgs"]["tmsi"]')
[[ "$(vlr $IMSI_A)" == *"TMSI: $TMSI_A"*"SGs-ASSOCIATED"* ]] &&
	ok "after an osmo-msc restart handset A reconnects and is SGs-associated again (new TMSI $TMSI_A)" ||
	not_ok "after an osmo-msc restart handset A reconnects and is SGs-associated again" "$(state A 's["sgs"]')"

# The owner's story, as tests/demo.sh tells it over the lab route, here through osmo-msc and SGs: the operator adds
# alice (password + TOTP) and her device; she logs in and enrols her unlock secret (ota-server derives the owner key
# from it, ENROL carries it to the card)
printf 'alice horse battery staple\n' > "$tmp/alice.pw"
printf 'my unlock secret 2468\n' > "$tmp/unlock.secret"
printf 'not my secret\n' > "$tmp/wrong.secret"
ALICE_SECRET=$(as agent1 owners add alice --password-file "$tmp/alice.pw" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
as agent1 devices add "$ICCID_A" --owner alice > /dev/null
ALICE=$("$OTACTL" owners login alice --password-file "$tmp/alice.pw" --code "$(totp "$ALICE_SECRET")")
[ -n "$ALICE" ] && ok "card A's owner alice added by the operator, logged in with password and TOTP" ||
	not_ok "card A's owner alice added by the operator, logged in with password and TOTP" "secret ${#ALICE_SECRET}"
expect_done "the owner enrols her unlock secret on card A through osmo-msc: confirmed" 0 confirmed \
	as_owner "$ALICE" commands send "$ICCID_A" enrol --secret-file "$tmp/unlock.secret"
expect_done "owner LOCK of card A: confirmed" 0 confirmed \
	as_owner "$ALICE" commands send "$ICCID_A" lock --message "Locked by its owner." --contact +15550100002
# dial NUMBER: handset A places a call (its VTY; a number not dialled before); prints the outcome once the state has it
dial() {
	osmo_lab_vty "$HSA" "handset dial $1" > /dev/null
	wait_state A 's["call"]["number"] == "'"$1"'"' True && state A 's["call"]["result"]'
}
wait_state A '"Locked by its owner." in (s["toolkit"]["screen"]["idle_text"] or "")' True &&
	[ "$(dial +15550100123)" = "barred by the card" ] && ok "handset A locked by its owner: lock screen, calls barred" ||
	not_ok "handset A locked by its owner: lock screen, calls barred" "$(state A 's["toolkit"]["screen"], s["call"]')"
# a wrong secret makes a proof the card refuses (AU): the command fails, the lock stays
run as_owner "$ALICE" commands send "$ICCID_A" unlock --secret-file "$tmp/wrong.secret" --wait --timeout 50
[ "$RC" != 0 ] && [[ "$OUT$ERR" == *AU* || "$OUT$ERR" == *proof* ]] &&
	[ "$(state A '"Locked by its owner." in (s["toolkit"]["screen"]["idle_text"] or "")')" = True ] &&
	ok "owner UNLOCK with a wrong secret: the card refuses the proof, still locked" ||
	not_ok "owner UNLOCK with a wrong secret: the card refuses the proof, still locked" "rc=$RC" "$OUT" "$ERR"
expect_done "owner UNLOCK of card A with her proof through osmo-msc: PoR verified, confirmed" 0 confirmed \
	as_owner "$ALICE" commands send "$ICCID_A" unlock --secret-file "$tmp/unlock.secret"
wait_state A 's["toolkit"]["screen"]["idle_text"]' None && [ "$(state A 's["service"]')" = normal ] &&
	[[ "$(vlr $IMSI_A)" == *SGs-ASSOCIATED* ]] && [ "$(dial +15550100124)" = allowed ] &&
	ok "handset A back in service for its owner: no lock screen, SGs-associated, calls allowed" ||
	not_ok "handset A back in service for its owner" "$(state A 's["toolkit"]["screen"], s["service"], s["call"]')"

python3 - "$tmp/stateA.json" <<'EOF' && ok "every PoR went over SGs to our address, UDH 02 71 00, PID 7F, DCS F6" ||
import json, sys
mo = json.load(open(sys.argv[1]))["mo"]
assert len(mo) >= 5 and all(m["bearer"] == "sgs" and m["to"] == "12345" and m["pid"] == 0x7F and m["dcs"] == 0xF6
                            and m["ud"].startswith("027100") and m["sent"] for m in mo), mo
EOF
	not_ok "every PoR went over SGs to our address, UDH 02 71 00, PID 7F, DCS F6" "$(state A 's["mo"]')"
N=$(sqlite3 "$tmp/osmo/sms.db" "SELECT count(*) FROM SMS WHERE sent IS NOT NULL AND protocol_id = 127 AND dest_addr IN ('1001', '1002')")
[ "${N:-0}" -ge 6 ] && ok "osmo-msc's store: $N OTA SMS (PID 7F) marked sent after the handsets' RP-ACKs" ||
	not_ok "osmo-msc's store: OTA SMS marked sent after the handsets' RP-ACKs" "$N"
# tshark_sgs: every SGs segment captured (one SGsAP message per write on both sides), wrapped in SCTP by text2pcap
tshark_sgs() {
	python3 -c '
import sys
for line in sys.stdin:
    b = bytes.fromhex(line.strip().replace(":", ""))
    for off in range(0, len(b), 16):
        print("%06x %s" % (off, " ".join("%02x" % x for x in b[off:off + 16])))' < "$tmp/sgs.fields" > "$tmp/sgs.dump"
	text2pcap -q -S 29118,29118,0 "$tmp/sgs.dump" "$tmp/sgs-sctp.pcap" > /dev/null 2>&1
	tshark -r "$tmp/sgs-sctp.pcap" -P -V 2> /dev/null > "$tmp/sgs-v.txt"
	grep -E "^ *[0-9]+ +[0-9]+\.[0-9]+ +10\.1\.1\.1" "$tmp/sgs-v.txt" > "$tmp/sgs.txt"
}
if [ -f "$tmp/tshark.pid" ]; then
	stop_pidfile "$tmp/hsA.pid" # switched off: the IMSI detach of A is in the capture too
	sleep 0.5
	stop_pidfile "$tmp/tshark.pid"
	tshark_sgs
	if python3 - "$tmp/sgs.txt" "$tmp/sgs-v.txt" <<'EOF'; then
import sys
lines = open(sys.argv[1]).read().splitlines()
verbose = open(sys.argv[2]).read()
want = ["SGsAP-LOCATION-UPDATE-REQUEST", "SGsAP-LOCATION-UPDATE-ACCEPT", "SGsAP-TMSI-REALLOCATION-COMPLETE",
        "SGsAP-PAGING-REQUEST", "SGsAP-SERVICE-REQUEST",
        "SGsAP-DOWNLINK-UNITDATA(DTAP) (SMS) CP-DATA (RP) RP-DATA (Network to MS)",
        "SGsAP-UPLINK-UNITDATA(DTAP) (SMS) CP-ACK",
        "SGsAP-UPLINK-UNITDATA(DTAP) (SMS) CP-DATA (RP) RP-ACK (MS to Network)",
        "SGsAP-UPLINK-UNITDATA(DTAP) (SMS) CP-DATA (RP) RP-DATA (MS to Network)",
        "SGsAP-DOWNLINK-UNITDATA(DTAP) (SMS) CP-DATA (RP) RP-ACK (Network to MS)", "SGsAP-IMSI-DETACH-INDICATION"]
missing = [w for w in want if not any(w in l for l in lines)]
# neither side found a message it did not expect in its state (TS 29.118 7.3 would answer SGsAP-STATUS)
bad = [l for l in lines if "SGsAP" not in l or "Malformed" in l or "SGsAP-STATUS" in l]
assert lines and not missing and not bad, (missing, bad[:3])
assert "Malformed" not in verbose and "Extraneous" not in verbose and "TP-PID: 127" in verbose
EOF
		ok "tshark's SGsAP / GSM SMS dissectors decode every SGs message of the run, none malformed, no STATUS"
	else
		not_ok "tshark's SGsAP / GSM SMS dissectors decode every SGs message of the run, none malformed, no STATUS" \
			"$(head -c 2000 "$tmp/sgs.txt")"
	fi
fi
! grep -qiE 'segmentation|sanitizer|runtime error|000102030405060708090A0B0C0D0E0F' "$tmp/server.log" "$tmp/hsA.log" \
	"$tmp/hsB.log" "$tmp/gw.log" && ok "no crash, no key in any log" || not_ok "no crash, no key in any log"
[ "$failures" = 0 ]
