#!/usr/bin/env bash
# handset-sim against replayed cards that misbehave: a malformed DISPLAY TEXT (answered 32 with the details
# echoed), a command beyond the terminal (30), a FETCH refused with 6F00, a card that stops answering, a card
# whose TERMINAL RESPONSE answer is nonsense. The replay accepts only the exact TERMINAL RESPONSE bytes expected,
# so the failure line the handset logs tells whether they were right. Never a crash, always a clear message.
set -u
. "$(dirname "$0")/lib/handset.sh" handset-bad
pass=0 fail=0

# 1: malformed DISPLAY TEXT, SET UP CALL, FETCH refused, then the card stops answering at SELECT MF (line 14)
cat > "$D/card1.replay" <<'EOF'
atr 3B 02 14 50
> 80 10 00 00 08 3B 03 FF 6B 71 00 00 17
< 91 0E
> 80 12 00 00 0E
< D0 0C 81 03 01 21 80 82 02 81 02 8D 0F 04 90 00
> 80 14 00 00 0C 81 03 01 21 80 82 02 82 81 83 01 32
< 91 10
> 80 12 00 00 10
< D0 0E 81 03 02 10 00 82 02 81 83 86 03 91 21 43 90 00
> 80 14 00 00 0C 81 03 02 10 00 82 02 82 81 83 01 30
< 91 0B
> 80 12 00 00 0B
< 6F 00
> 00 A4 *
< mute
EOF
timeout 20 "$B/bin/handset-sim" --once -q --card "replay:$D/card1.replay" --state-file "$D/state.json" \
	--data-dir "$D/data" > "$D/out1" 2>&1
rc=$?
check "handset-sim survives a misbehaving card (exit $rc, no signal)" [ "$rc" -lt 128 ]
check "malformed DISPLAY TEXT reported with the rule" grep -q "malformed DISPLAY TEXT" "$D/out1"
check "SET UP CALL is beyond the terminal's capabilities" grep -q "SET UP CALL (10) is beyond" "$D/out1"
check "a refused FETCH is named with its status word" \
	grep -q "card announced a proactive command (910B) but answered FETCH with 6F00" "$D/out1"
check "both TERMINAL RESPONSEs were byte-exact (the card went mute at line 14, not before)" \
	grep -q "SIM failure: USIM: card does not answer (replayed card, line 14)" "$D/out1"
check "state: card error, no service" [ "$(state 's["card"]["state"] + "/" + s["service"]')" = "card error/none" ]
check "state: last TERMINAL RESPONSE result was 30" \
	[ "$(state 's["toolkit"]["last_result"]')" = "command beyond terminal's capabilities" ]

# 2: the card answers the TERMINAL RESPONSE with 6A80 and then answers FETCH though nothing was announced
cat > "$D/card2.replay" <<'EOF'
> 80 10 00 00 08 3B 03 FF 6B 71 00 00 17
< 91 0B
> 80 12 00 00 0B
< D0 09 81 03 01 26 01 82 02 81 82 90 00
> 80 14 00 00 16 81 03 01 26 01 82 02 82 81 83 01 00 94 08 1A 32 54 76 98 10 32 54
< 6A 80
> 00 A4 *
< 6A 82
EOF
timeout 20 "$B/bin/handset-sim" --once -q --card "replay:$D/card2.replay" --state-file "$D/state.json" \
	--data-dir "$D/data" > "$D/out2" 2>&1
rc=$?
check "refused TERMINAL RESPONSE: message with the status word" \
	grep -q "card refused the TERMINAL RESPONSE: 6A80" "$D/out2"
check "IMEI in PROVIDE LOCAL INFORMATION matched the oFono vector byte for byte" \
	grep -q "TERMINAL RESPONSE PROVIDE LOCAL INFORMATION: 00" "$D/out2"
check "a card without files: USIM step named, handset still exits cleanly ($rc)" \
	grep -q "SIM failure: USIM: SELECT MF: 6A82" "$D/out2"

# 3: no card at all
timeout 20 "$B/bin/handset-sim" --once -q --card "replay:$D/none.replay" --state-file "$D/state.json" > "$D/out3" 2>&1
check "a missing card is 'no card', service none" [ "$(state 's["card"]["state"] + "/" + s["service"]')" = "no card/none" ]

# 4: the handset-sim binary rejects bad usage with exit 2
"$B/bin/handset-sim" --no-such-option > /dev/null 2>&1
check "bad option: exit 2" [ $? = 2 ]
