#!/usr/bin/env bash
# Attacks on the kill switch, end to end over sms-gateway's lab route with handset-sim and the simulated UICC
# (demo profile with ota.error_por "unsecured", the lab's diagnostic setting, so the card's refusal status is
# seen): a captured secured SMS replayed, the same SMS with one byte changed, a card imported into ota-server with
# wrong keys, a wrong TAR, an SPI below the card's minimum security level, and forged PoRs injected as the card's
# MSISDN. Each time the card refuses (lock screen and service unchanged; its error PoR is unsecured: status only,
# no checksum), the server does not confirm (command rejected, or left waiting for a forged PoR) and the audit
# log has a "security" entry (ota-server engine_receive.c) while its chain still verifies. Wrong keys also go to a
# card with the field's default silent policy: it sends nothing and the command stays unconfirmed. Prints TAP lines.
# shellcheck source=tests/integration/lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

otasrv_setup
e2e_gateway
e2e_card_profile card unsecured
e2e_card_profile silent none
# One handset per server-side attack, each with its own copy of the card; 1005 has none (its commands wait); 1006
# has the field's default card, which answers security failures with nothing at all.
for n in 1 2 3 4 6; do
	profile=card
	[ "$n" = 6 ] && profile=silent
	e2e_handset "hs$n" "100$n" "sim:$tmp/$profile.card.json,$tmp/card$n.img" ||
		not_ok "handset-sim 100$n bound, normal service" "$(tail -3 "$tmp/hs$n.log")"
done
ok "five handset-sims with the demo card bound to sms-gateway"
e2e_server "retry-interval 30" "deadline 60"

# Server-side cards: A the real keys; B wrong KIc/KID; C a TAR the card does not have; D SPI 12 19 (CC and
# counter, no ciphering: below the anti-theft TAR's MSL 16); E the real keys, no handset; F wrong keys, silent card.
A=8949000000000000001 B_=8949000000000000002 C=8949000000000000003 D=8949000000000000004 E=8949000000000000005
F=8949000000000000006
WRONG="0F0E0D0C0B0A09080706050403020100,1F1E1D1C1B1A19181716151413121110,aes"
{
	echo "$E2E_CSV_HEADER"
	echo "$A,001010000000001,1001,$E2E_KEYS1,$E2E_KEYS2,C10001,1619,2,sms"
	echo "$B_,001010000000002,1002,$E2E_KEYS1,$WRONG,C10001,1619,2,sms"
	echo "$C,001010000000003,1003,$E2E_KEYS1,$E2E_KEYS2,C1FFFF,1619,2,sms"
	echo "$D,001010000000004,1004,$E2E_KEYS1,$E2E_KEYS2,C10001,1219,2,sms"
	echo "$E,001010000000005,1005,$E2E_KEYS1,$E2E_KEYS2,C10001,1619,2,sms"
	echo "$F,001010000000006,1006,$E2E_KEYS1,$WRONG,C10001,1619,2,sms"
} > "$tmp/cards.csv"
as super1 cards import "$tmp/cards.csv" > /dev/null && ok "six cards imported" || not_ok "six cards imported"

# unchanged N: handset N shows no lock screen and has normal service.
unchanged() { [ "$(hs "$1" 'str(bool(s["toolkit"]["screen"]["idle_text"])) + "/" + s["service"]')" = False/normal ]; }
# error_por N STATUS: the handset's last MO is the card's unsecured error PoR with STATUS (RPL 000B, RHL 0A, zero
# counter, no checksum) to the server's address.
error_por() {
	"$PY" - "$tmp/$1.json" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["mo"][-1]
ud = m["ud"]
sys.exit(0 if m["to"] == "12345" and len(ud) == 32 and ud[:12] == "027100000B0A" and ud[18:30] == "0" * 10 + "00"
         and ud[30:] == sys.argv[2] else 1)
EOF
}
mo_count() { hs "$1" 'len(s["mo"])'; }
wait_mo() { hs_wait "$1" "len(s[\"mo\"]) > $2" True; }
# security_entry NAME ICCID STATUS: the audit log has a security entry for ICCID with STATUS.
security_entry() {
	audit_has "$1" "e['decision'] == 'security' and e['target'].startswith('$2') and e['status'] == $3"
}

# --- A: a genuine LOCK and UNLOCK, then the captured LOCK replayed and altered -----------------------------
expect_done "A: operator LOCK confirmed" 0 confirmed as agent1 commands send "$A" lock --message "Locked by the operator"
hs_wait hs1 's["service"]' limited && ok "A: the handset is locked (no service)" || not_ok "A: the handset is locked (no service)"
expect_done "A: supervisor UNLOCK confirmed" 0 confirmed as super1 commands send "$A" unlock
hs_wait hs1 's["service"]' normal && unchanged hs1 && ok "A: the handset is unlocked" || not_ok "A: the handset is unlocked"

# The secured SMS the gateway delivered to 1001 first (the LOCK), from its queue database.
LOCK_UD=$("$PY" - "$tmp/q.db" <<'EOF'
import sqlite3, sys
def parse(b):
    p = 1
    def s():
        nonlocal p
        n = b[p]; v = b[p + 1:p + 1 + n].decode(); p += 1 + n; return v
    s(); p += 2; src = s(); p += 2; dst = s(); p += 10; s()
    n = b[p] << 8 | b[p + 1]
    return src, dst, b[p + 2:p + 2 + n].hex().upper()
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for (sm,) in db.execute("SELECT sm FROM msgs WHERE origin = 'otasrv' ORDER BY id"):
    src, dst, ud = parse(sm)
    if dst == "1001" and ud.startswith("027000"):
        print(ud)
        break
EOF
)
[ ${#LOCK_UD} -gt 60 ] && ok "the LOCK's secured SMS captured from the gateway's queue" ||
	not_ok "the LOCK's secured SMS captured from the gateway's queue" "$LOCK_UD"
# intrusion LABEL UD STATUS: UD submitted by the intruder ESME to 1001 with the server's address as originator; the
# card answers with an unsecured error PoR with STATUS, the lock screen and service stay as they were, and the
# server records the card's refusal as a security event (no command of ours was waiting).
intrusion() {
	local n
	n=$(mo_count hs1)
	"$B/bin/smpp-send" --port "$GWP" --system-id intruder --password intruder --bind tx --src 12345 --dst 1001 \
		--ud "$2" --esm 0x40 --pid 0x7F --dcs 0xF6 > "$tmp/intrude.out" 2>&1 &&
		ok "$1: submitted by an intruder as 12345" || not_ok "$1: submitted by an intruder as 12345" "$(cat "$tmp/intrude.out")"
	wait_mo hs1 "$n"
	error_por hs1 "$3" && ok "$1: the card refuses it: unsecured error PoR, status $3" ||
		not_ok "$1: the card refuses it: unsecured error PoR, status $3" "$(hs hs1 's["mo"][-1]')"
	hs_settled hs1 && ok "$1: the download transaction is over (the handset authenticated again)" ||
		not_ok "$1: the download transaction is over (the handset authenticated again)" "$(hs hs1 's["log"]')"
	unchanged hs1 && ok "$1: no lock screen, service normal" ||
		not_ok "$1: no lock screen, service normal" "$(hs hs1 's["toolkit"]["screen"], s["service"]')"
	security_entry "$1: the server records the card's refusal as a security event" "$A" "$((16#$3))"
}
intrusion "replay of the captured LOCK" "$LOCK_UD" 02
# One byte changed in the middle of the ciphered part: the checksum fails before the counter is looked at.
mid=$(( ${#LOCK_UD} / 2 & ~1 ))
byte=$(printf '%02X' $(( 0x${LOCK_UD:$mid:2} ^ 0x01 )))
intrusion "the captured LOCK with one byte changed" "${LOCK_UD:0:$mid}$byte${LOCK_UD:$((mid + 2))}" 01
expect_done "A: STATUS afterwards: the card is not locked" 0 '"state":"normal"' as agent1 commands send "$A" status

# --- server-side mistakes (or a server that is not ours): wrong keys, TAR, SPI -------------------------------
refused() { # refused LABEL HANDSET ICCID STATUS NAME
	expect_done "$1: LOCK rejected with the card's status $4 ($5)" 1 "PoR status $4: $5" as agent1 commands send "$3" lock
	hs_settled "$2" || not_ok "$1: the download transaction is over (the handset authenticated again)"
	error_por "$2" "$4" && ok "$1: the card's error PoR is unsecured (status $4, no checksum)" ||
		not_ok "$1: the card's error PoR is unsecured (status $4, no checksum)" "$(hs "$2" 's["mo"]')"
	unchanged "$2" && ok "$1: no lock screen, service normal" || not_ok "$1: no lock screen, service normal"
	security_entry "$1: the audit log has the card's refusal" "$3" "$((16#$4))"
}
refused "wrong keys" hs2 "$B_" 01 "RC/CC/DS failed"
refused "wrong TAR" hs3 "$C" 09 "TAR unknown"
refused "SPI below the MSL" hs4 "$D" 0A "Insufficient security level"

# Wrong keys again, to the field's default card: it refuses without a word (no PoR, no SMS), so the server can only
# go on waiting (and resend, and let the command expire): never confirmed.
cmd_state() { as agent1 --json commands status "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
FID=$(as agent1 commands send "$F" lock | sed -n 's/command \([0-9]*\) .*/\1/p')
hs_wait hs6 's["downloads"]' 1 && hs_settled hs6 && ok "silent card: the packet with wrong keys was handed to the card" ||
	not_ok "silent card: the packet with wrong keys was handed to the card" "$(hs hs6 's["log"]')"
[ "$(hs hs6 'len(s["mo"])')" = 0 ] && ok "silent card: no PoR, nothing sent back" ||
	not_ok "silent card: no PoR, nothing sent back" "$(hs hs6 's["mo"]')"
unchanged hs6 && ok "silent card: no lock screen, service normal" || not_ok "silent card: no lock screen, service normal"
[[ "$(cmd_state "$FID")" == @(submitted|delivered) ]] && ok "silent card: the LOCK is not confirmed (still waiting)" ||
	not_ok "silent card: the LOCK is not confirmed (still waiting)" "$(cmd_state "$FID")"

# --- forged PoRs for E's command, injected as 1005 ----------------------------------------------------------
ID=$(as agent1 commands send "$E" lock | sed -n 's/command \([0-9]*\) .*/\1/p')
for ((i = 0; i < 100; i++)); do has '"state": "submitted"' as agent1 --json commands status "$ID" && break; sleep 0.1; done
has '"state": "submitted"' as agent1 --json commands status "$ID" && ok "E: LOCK submitted, waiting for its PoR" ||
	not_ok "E: LOCK submitted, waiting for its PoR" "$(as agent1 --json commands status "$ID" 2>&1)"
forge() { # forge PoR-HEX: an MO SMS-SUBMIT from 1005 to the server
	"$B/bin/smpp-send" --port "$GWP" --system-id 1005 --password labpw --bind tx --src 1005 --dst 12345 \
		--ud "027100$1" --esm 0x40 --pid 0x7F --dcs 0xF6 > "$tmp/forge.out" 2>&1
}
audit_count() { as super1 --json audit list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))'; }
por() { "$OTACTL" packet encode-por --spi 1619 --kic 22 --kid 22 --tar C10001 --cntr 1 "$@"; }
# Keys guessed wrong (the real counter and TAR); then "performed" without a checksum.
for what in "guessed keys:--kic-key 00000000000000000000000000000000 --kid-key 00000000000000000000000000000000" \
	"no checksum:--unsecured"; do
	before=$(audit_count)
	# shellcheck disable=SC2086
	forge "$(por ${what#*:})" && ok "forged PoR (${what%%:*}) injected as 1005" || not_ok "forged PoR (${what%%:*}) injected as 1005" "$(cat "$tmp/forge.out")"
	for ((i = 0; i < 100; i++)); do [ "$(audit_count)" -gt "$before" ] && break; sleep 0.1; done
	security_entry "forged PoR (${what%%:*}): recorded as a security event for E's command" "$E command $ID" 0
	has '"state": "submitted"' as agent1 --json commands status "$ID" && ok "forged PoR (${what%%:*}): the LOCK is not confirmed" ||
		not_ok "forged PoR (${what%%:*}): the LOCK is not confirmed" "$(as agent1 --json commands status "$ID" 2>&1)"
done

has "audit log intact" as super1 audit verify && ok "audit log intact after all of it" || not_ok "audit log intact after all of it"
e2e_no_leak "no crash, no key in any log" 0F0E0D0C0B0A09080706050403020100 1F1E1D1C1B1A19181716151413121110
[ "$failures" = 0 ]
