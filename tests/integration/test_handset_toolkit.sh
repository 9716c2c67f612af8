#!/usr/bin/env bash
# The ENVELOPEs handset-sim sends on its own, checked byte for byte against a replayed card that accepts only the
# exact bytes (cat-proactive.md sections 8 and 11): after SET UP EVENT LIST the idle screen and location status
# events, the user activity event once (then dropped from the list), MENU SELECTION for a SET UP MENU item, the
# PROVIDE LOCAL INFORMATION that follows it, and TIMER EXPIRATION when the card's timer runs out.
set -u
. "$(dirname "$0")/lib/handset.sh" handset-tk
absent() { ! grep -q "$1" "$2"; }

cat > "$D/card.replay" <<'EOF'
atr 3B 02 14 50
# TERMINAL PROFILE, then SET UP EVENT LIST (location status, user activity, idle screen)
> 80 10 00 00 08 3B 03 FF 6B 71 00 00 17
< 91 10
> 80 12 00 00 10
< D0 0E 81 03 01 05 00 82 02 81 82 99 03 03 04 05 90 00
> 80 14 00 00 0C 81 03 01 05 00 82 02 82 81 83 01 00
< 91 13
# TIMER MANAGEMENT: start timer 1 for 1 s (swapped BCD 00 00 10)
> 80 12 00 00 13
< D0 11 81 03 02 27 00 82 02 81 82 A4 01 01 A5 03 00 00 10 90 00
> 80 14 00 00 0F 81 03 02 27 00 82 02 82 81 83 01 00 A4 01 01
< 91 1D
# SET UP MENU "Menu": 1 One, 2 Two
> 80 12 00 00 1D
< D0 1B 81 03 03 25 00 82 02 81 82 85 04 4D 65 6E 75 8F 04 01 4F 6E 65 8F 04 02 54 77 6F 90 00
> 80 14 00 00 0C 81 03 03 25 00 82 02 82 81 83 01 00
< 90 00
# the idle screen is available: EVENT DOWNLOAD idle screen (sent once)
> 80 C2 00 00 09 D6 07 99 01 05 82 02 82 81
< 90 00
# USIM: EF.ICCID, EF.DIR, ADF.USIM, PIN state, EF.IMSI
> 00 A4 00 04 02 3F 00 00
< 90 00
> 00 A4 00 04 02 2F E2 00
< 90 00
> 00 B0 00 00 00
< 98 88 12 01 00 00 00 00 00 F3 90 00
> 00 A4 00 04 02 3F 00 00
< 90 00
> 00 A4 00 04 02 2F 00 00
< 62 07 82 05 42 21 00 26 01 90 00
> 00 B2 01 04 26
< 61 18 4F 10 A0 00 00 00 87 10 02 FF FF FF FF 89 07 09 00 00 50 04 55 53 49 4D FF FF FF FF FF FF FF FF FF FF FF FF 90 00
> 00 A4 04 04 10 A0 00 00 00 87 10 02 FF FF FF FF 89 07 09 00 00 00
< 90 00
> 00 20 00 01
< 90 00
> 00 A4 04 04 10 A0 00 00 00 87 10 02 FF FF FF FF 89 07 09 00 00 00
< 90 00
> 00 A4 00 04 02 6F 07 00
< 90 00
> 00 B0 00 00 00
< 08 09 10 10 00 00 00 00 10 90 00
# no network keys: limited service, reported by EVENT DOWNLOAD location status 01 (limited)
> 80 C2 00 00 0C D6 0A 99 01 03 82 02 82 81 9B 01 01
< 90 00
# --menu-select 2: user activity (once), MENU SELECTION item 2, which starts PROVIDE LOCAL INFORMATION (IMEI)
> 80 C2 00 00 09 D6 07 99 01 04 82 02 82 81
< 90 00
> 80 C2 00 00 09 D3 07 82 02 01 81 90 01 02
< 91 0B
> 80 12 00 00 0B
< D0 09 81 03 04 26 01 82 02 81 82 90 00
> 80 14 00 00 16 81 03 04 26 01 82 02 82 81 83 01 00 94 08 1A 32 54 76 98 10 32 54
< 90 00
# --wait-ms: TIMER EXPIRATION of timer 1 (value 1 s)
> 80 C2 00 00 0E D7 0C 82 02 82 81 A4 01 01 A5 03 00 00 10
< 90 00
# --menu-select 1: no user activity event any more, straight MENU SELECTION
> 80 C2 00 00 09 D3 07 82 02 01 81 90 01 01
< 90 00
EOF
timeout 30 "$B/bin/handset-sim" --once -q --card "replay:$D/card.replay" --state-file "$D/state.json" \
	--menu-select 2 --wait-ms 1300 --menu-select 1 > "$D/hs.log" 2>&1
rc=$?
check "the whole session ran (exit $rc)" [ "$rc" = 0 ]
check "every ENVELOPE and TERMINAL RESPONSE had the expected bytes (no failure logged)" \
	absent "SIM failure\|toolkit:" "$D/hs.log"
check "the timer expired and both menu selections reached the card" \
	all_of 'grep -q "TIMER EXPIRATION 1" "$D/hs.log" && grep -q "MENU SELECTION 1 (One)" "$D/hs.log"'
check "the menu is installed" [ "$(state 's["toolkit"]["screen"]["menu_title"] + "/" + str(len(s["toolkit"]["screen"]["menu"]))')" = "Menu/2" ]
check "one-shot events dropped after use; location status stays" \
	[ "$(state 's["toolkit"]["events"]')" = "['location status']" ]
check "no toolkit timer left running" [ "$(state 's["toolkit"]["timers"]')" = "[]" ]
check "limited service without network keys" [ "$(state 's["service"]')" = limited ]
check "four proactive commands executed" [ "$(state 's["toolkit"]["proactive_commands"]')" = 4 ]
