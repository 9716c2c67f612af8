#!/usr/bin/env bash
# simtool as a tester uses it: cat decode on the oFono vectors of cat-proactive.md, APDUs and a scriptor script
# against the simulated card in-process, info, personalisation of a card profile (checked by the card's parser)
# and of files by APDU after ADM1, the exit codes 0 / 1 / 2, and OTA delivery with PoR decoding against a replayed
# real sysmoISIM-SJA2 (secured-packets.md section 11).
set -u
B=${B:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d /tmp/simtool-cli.XXXXXX)
trap 'rm -rf "$D"' EXIT
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
all_of() { eval "$1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
S="$B/bin/simtool"
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

cp "$ROOT/uicc-applet/profiles/demo.json" "$D/card.json"
CARD="sim:$D/card.json,$D/card.img"

# ---- cat decode (no card) ----
$S cat decode D01A8103012180820281028D0F04546F6F6C6B69742054657374203120 > /dev/null 2>&1
check "cat decode: a stray byte after the template is a rule violation (exit 1)" [ $? = 1 ]
$S cat decode D01A8103012180820281028D0F04546F6F6C6B697420546573742031 > "$D/dt.json"
check "cat decode DISPLAY TEXT 1.1.1: type, qualifier meaning, text" [ "$(jq_py "$D/dt.json" \
	'd["type"]["name"] + "|" + d["qualifier"]["meaning"] + "|" + d["objects"][2]["value"]["text"]')" = \
	"DISPLAY TEXT|normal priority, wait for user to clear|Toolkit Test 1" ]
$S --json cat decode D01B810301200082028103850944696166C20546F6E658E0101840201 > /dev/null 2>&1
check "cat decode: bad hex is a usage error (exit 2)" [ $? = 2 ]
$S --json cat decode D01B81030120008202810385094469616C20546F6E658E010184020105 > "$D/pt.json"
check "cat decode --json PLAY TONE 1.1.1: alpha, tone and duration decoded" all_of 'grep -q '\''"Dial Tone"'\'' "$D/pt.json" && grep -qi '\''"dial tone"'\'' "$D/pt.json" && grep -q '\''"milliseconds": 5000'\'' "$D/pt.json"'
$S cat decode 810301130082028281830100 > "$D/tr.json"
check "cat decode TERMINAL RESPONSE: kind and result" \
	[ "$(jq_py "$D/tr.json" 'd["kind"]')" = "terminal response" ]

# ---- APDUs, script, info against the simulated card ----
$S -c "$CARD" --json apdu 00A40004022FE2 00B0000000 > "$D/apdu.json"
check "apdu: EF.ICCID read through 61xx / GET RESPONSE handling" \
	[ "$(jq_py "$D/apdu.json" 'd["exchanges"][1]["response"]')" = "988812010000000000F3" ]
$S -c "$CARD" apdu 00A40004026F99 > /dev/null
check "apdu: an error status word is exit 1" [ $? = 1 ]
$S -c "$CARD" apdu 00A4 > /dev/null 2>&1
check "apdu: fewer than 4 bytes is exit 2" [ $? = 2 ]
printf '# EF.ICCID\nreset\n00 A4 00 04 02 2F E2\n00B0\\\n000000\n' > "$D/s.script"
$S -c "$CARD" --json script "$D/s.script" > "$D/script.json"
check "script (scriptor format with reset and continuation): 3 steps, data read" \
	[ "$(jq_py "$D/script.json" 'len(d["exchanges"]), d["exchanges"][2]["response"]')" = "(3, '988812010000000000F3')" ]
printf '00A40004\nzz\n' > "$D/bad.script"
$S -c "$CARD" script "$D/bad.script" 2> "$D/bad.err" > /dev/null
rc=$?
check "script: a bad line is exit 2 and named" all_of '[ $rc = 2 ] && grep -q "line 2" "$D/bad.err"'
$S -c "$CARD" --json info > "$D/info.json"
check "info: ICCID and USIM AID from EF.DIR" \
	[ "$(jq_py "$D/info.json" 'd["iccid"] + " " + d["usim_aid"][:14]')" = "8988211000000000003 A0000000871002" ]
$S -c "usb:1" info > /dev/null 2>&1
check "an unknown card scheme is exit 2" [ $? = 2 ]
PCSCLITE_CSOCK_NAME=$D/no-pcscd.comm $S readers > /dev/null 2> "$D/readers.err"
rc=$?
check "readers without pcscd: exit 1 with a clear message" all_of '[ $rc = 1 ] && grep -q "cannot reach pcscd" "$D/readers.err"'

# ---- personalisation ----
$S personalize --profile "$D/card.json" --imsi 001010000000042 --keyset 3:aes:000102030405060708090A0B0C0D0E0F:101112131415161718191A1B1C1D1E1F \
	--counter 3=5 --reset-image "$D/card.img" > /dev/null
check "personalize: profile edited" [ "$(jq_py "$D/card.json" 'd["imsi"], [k["kvn"] for k in d["ota"]["keysets"]]')" = \
	"('001010000000042', [1, 2, 3])" ]
cp "$D/card.json" "$D/before.json"
$S personalize --profile "$D/card.json" --keyset 4:aes:0011:2233 > /dev/null 2> "$D/perso.err"
rc=$?
check "personalize: a bad key is refused by the card's parser, exit 2, file unchanged" all_of '[ $rc = 2 ] && cmp -s "$D/card.json" "$D/before.json" && grep -q "not valid" "$D/perso.err"'
$S -c "$CARD" personalize --adm 88888888 --file EF.SPN=0073696D6775617264FFFFFFFFFFFFFFFF > /dev/null
check "personalize by APDU: EF.SPN written after VERIFY ADM1" [ $? = 0 ]
$S -c "$CARD" --json apdu 00A40004026F46 00B0000011 > "$D/spn.json" 2>&1
$S -c "$CARD" apdu 00A40804047FFF6F46 00B0000011 > "$D/spn.txt" 2>&1
check "personalize by APDU: EF.SPN reads back" grep -q "0073696D6775617264FFFF" "$D/spn.txt"
$S -c "$CARD" personalize --adm 11111111 --file EF.SPN=00 > /dev/null 2> "$D/adm.err"
rc=$?
check "personalize: a wrong ADM1 is exit 1 with the status word" all_of '[ $rc = 1 ] && grep -q "VERIFY ADM1: 63C" "$D/adm.err"'
$S -c "$CARD" personalize --adm 88888888 --file EF.SPN=00 > /dev/null 2>&1

# ---- OTA against a replayed sysmoISIM-SJA2: its own command and PoR bytes ----
KIC=F09C43EE1A0391665CC9F05AF4E0BD10
KID=01981F4A20999F62AF99988107BAF6CA
PKT=00281506191515B00010DA1D6CBBD0D11CE4330D844C7408340943E843F67A6D7B0674730881605FD62D
POR=027100002C12B000107DDF58D1780F771638B3975759F4296CF5C31EFC87A16A1B61921426BAA16DA1B5BA1A9951D59A39
cat > "$D/sysmo.replay" <<EOF
atr 3B 9F 96 80 1F C7 80 31 A0 73 BE 21 13 67 43 20 07 18 00 00 01 A5
> 80 C2 00 00 *
< 61 31
> 00 C0 00 00 31
< $POR 90 00
EOF
$S -c "replay:$D/sysmo.replay" --json ota --no-profile --packet "0270 00$PKT" --kic-key $KIC --kid-key $KID > "$D/ota.json"
rc=$?
check "ota: the real card's PoR verifies (exit $rc)" [ $rc = 0 ]
check "ota: PoR status 00, checksum verified, data 02 9000 ..." \
	[ "$(jq_py "$D/ota.json" 'd["por"]["status"], d["por"]["checksum_ok"], d["por"]["data"][:6]')" = "(0, True, '029000')" ]
check "ota: the ENVELOPE carried PID 7F / DCS F6 and the packet" \
	python3 -c "import json,sys; t=json.load(open('$D/ota.json'))['delivery'][0]['tpdu']; sys.exit(0 if '7FF6' in t and t.endswith('$PKT') else 1)"
$S -c "replay:$D/sysmo.replay" ota --no-profile --packet "$PKT" --kic-key $KIC --kid-key 81981F4A20999F62AF99988107BAF6CA > /dev/null 2>&1
check "ota: with a wrong KID key the PoR fails verification (exit 1)" [ $? = 1 ]
$S ota --packet 00 > /dev/null 2>&1
check "ota: a packet that is no packet is exit 2" [ $? != 0 ]

# ---- terminal-profile with a proactive session answered from --answers (replayed card) ----
cat > "$D/input.replay" <<'EOF2'
> 80 10 00 00 03 FF FF FF
< 91 1D
> 80 12 00 00 1D
< D0 1B 81 03 01 23 00 82 02 81 82 8D 0C 04 45 6E 74 65 72 20 31 32 33 34 35 91 02 05 05 90 00
> 80 14 00 00 14 81 03 01 23 00 82 02 82 81 83 01 00 8D 06 04 31 32 33 34 35
< 91 0B
> 80 12 00 00 0B
< D0 09 81 03 02 26 01 82 02 81 82 90 00
> 80 14 00 00 16 81 03 02 26 01 82 02 82 81 83 01 00 94 08 1A 32 54 76 98 10 32 54
< 90 00
EOF2
printf 'text 12345\n' > "$D/answers"
$S -c "replay:$D/input.replay" --answers "$D/answers" --json terminal-profile FFFFFF > "$D/tp.json"
check "terminal-profile: GET INPUT answered 12345 from --answers, PROVIDE LOCAL INFORMATION, card idle (exit $?)" \
	[ "$(jq_py "$D/tp.json" 'len(d["proactive"]), d["proactive"][1]["sw"][:4]')" = "(2, '9000')" ]
