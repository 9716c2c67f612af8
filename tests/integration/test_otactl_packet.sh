#!/usr/bin/env bash
# Integration test of `otactl packet` (the offline secured-packet CLI): the worked examples and real-card vectors of
# ../shared/reference/secured-packets.md byte-exact, packets computed independently here with the openssl command
# line, tampering, every class of bad input (exit 2, one line on stderr naming the field), --help and --json.
# Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
B=${B:-build}
OTACTL=$B/bin/otactl
# The system interpreter: version-manager shims in PATH can cost a second per start.
PY=$(command -v /usr/bin/python3 || command -v python3)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	local line
	for line in "$@"; do echo "#   $line"; done
	failures=$((failures + 1))
}

# Run a command; its stdout, stderr and exit code land in OUT, ERR and RC.
run() {
	OUT=$("$@" 2>"$tmp/err")
	RC=$?
	ERR=$(<"$tmp/err")
}

hexnorm() {
	local h=${1//[[:space:]]/}
	printf '%s' "${h^^}"
}
h2b() {
	local h out='' i
	h=$(hexnorm "$1")
	for ((i = 0; i < ${#h}; i += 2)); do out+="\\x${h:i:2}"; done
	printf '%b' "$out"
}
b2h() { od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# expect_hex NAME WANT CMD...: exit 0 and stdout is WANT (spaces and case ignored).
expect_hex() {
	local name=$1 want
	want=$(hexnorm "$2")
	shift 2
	run "$@"
	if [ "$RC" -eq 0 ] && [ "$OUT" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $RC" "got  $OUT" "want $want" "stderr: $ERR"
	fi
}

# Check JSON text against "path=value;path=value" (a value ending in * is a prefix); prints what differs.
json_check() {
	"$PY" -c '
import json, sys
try:
    doc = json.loads(sys.argv[1])
except ValueError as e:
    print("not JSON: %s" % e); sys.exit(1)
bad = []
for item in filter(None, sys.argv[2].split(";")):
    path, want = item.split("=", 1)
    node = doc
    try:
        for part in path.split("."):
            node = node[part]
    except (KeyError, TypeError):
        bad.append(path + " missing"); continue
    got = str(node).lower() if isinstance(node, bool) else str(node)
    if not (got.startswith(want[:-1]) if want.endswith("*") else got == want):
        bad.append("%s=%s, want %s" % (path, got, want))
print("; ".join(bad))
sys.exit(1 if bad else 0)' "$1" "$2"
}

# expect_json NAME RC CHECKS CMD...: exit code RC and JSON on stdout matching CHECKS.
expect_json() {
	local name=$1 want_rc=$2 checks=$3 diff
	shift 3
	run "$@"
	diff=$(json_check "$OUT" "$checks")
	if [ "$RC" -eq "$want_rc" ] && [ -z "$diff" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $RC (want $want_rc)" "$diff" "stderr: $ERR"
	fi
}

# expect_bad NAME FIELD CMD...: exit 2, nothing on stdout, exactly one line on stderr and it names FIELD.
expect_bad() {
	local name=$1 field=$2 lines
	shift 2
	run "$@"
	lines=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" -eq 2 ] && [ -z "$OUT" ] && [ "$lines" -eq 1 ] && [[ "$ERR" == *"$field"* ]]; then
		ok "$name"
	else
		not_ok "$name" "exit $RC, $lines stderr line(s), want exit 2 and one line naming '$field'" \
			"stderr: $ERR" "stdout: $OUT"
	fi
}

# Work on a private copy: other builds in a shared tree may relink $B/bin/otactl while this runs.
for attempt in 1 2 3 4 5; do
	if cp "$OTACTL" "$tmp/otactl" 2>/dev/null && "$tmp/otactl" --help >/dev/null 2>&1; then break; fi
	sleep 1
done
if ! "$tmp/otactl" --help >/dev/null 2>&1; then
	not_ok "otactl is built ($OTACTL)"
	exit 1
fi
OTACTL=$tmp/otactl

# ---- reference example 1: 3DES two keys, CC + ciphering, counter higher, PoR with CC, ciphered --------------------
K1C=404142434445464748494A4B4C4D4E4F
K1D=505152535455565758595A5B5C5D5E5F
EX1=(--spi 1619 --kic 15 --kid 15 --kic-key $K1C --kid-key $K1D --tar C10001 --cntr 1)
EX1_PKT="00 20 15 16 19 15 15 C1 00 01 76 43 B4 4E 88 EA 67 1B 24 E0 24 4A 2D E2 E0 F7 FF 1B F3 FE 5B D9 F5 74"
EX1_POR="02 71 00 00 1C 12 C1 00 01 C9 B7 FD 1C FB A7 B9 A2 25 7B 09 2B 45 34 34 76 0C B4 D0 35 7E 28 C2 4D"

expect_hex "example 1 (3DES): encode" "$EX1_PKT" "$OTACTL" packet encode "${EX1[@]}" --data 4C4F434B0000002A
expect_hex "example 1 (3DES): encode --udh prefixes 02 70 00" "027000 $EX1_PKT" \
	"$OTACTL" packet encode "${EX1[@]}" --data 4C4F434B0000002A --udh
expect_json "example 1 (3DES): encode --json" 0 "packet=$(hexnorm "$EX1_PKT")" \
	"$OTACTL" packet encode "${EX1[@]}" --data 4C4F434B0000002A --json
expect_json "example 1 (3DES): otactl --json packet encode" 0 "packet=$(hexnorm "$EX1_PKT")" \
	"$OTACTL" --json packet encode "${EX1[@]}" --data 4C4F434B0000002A
V1=(--kic-key $K1C --kid-key $K1D)
EX1_FIELDS="verified=true;spi=1619;kic=15;kid=15;tar=C10001;cntr=1;pcntr=2;cpl=32;chl=21;data=4C4F434B0000002A"
EX1_FIELDS+=";integrity.kind=CC;integrity.result=verified;integrity.value=4EC7D7A1D5DF1EB5"
EX1_FIELDS+=";spi_fields.checksum=CC;spi_fields.ciphering=true;spi_fields.counter=higher;spi_fields.por=always"
EX1_FIELDS+=";spi_fields.por_via=SMS-DELIVER-REPORT;kic_fields.kvn=1;kic_fields.algorithm=3DES-2K-CBC"
EX1_FIELDS+=";kid_fields.algorithm=3DES-2K-CBC-MAC;card_status.code=0"
expect_json "example 1 (3DES): verify" 0 "$EX1_FIELDS" "$OTACTL" packet verify "${V1[@]}" "$EX1_PKT"
expect_json "example 1 (3DES): verify --udh" 0 "$EX1_FIELDS" \
	"$OTACTL" packet verify "${V1[@]}" --udh "027000$(hexnorm "$EX1_PKT")"
expect_json "example 1 (3DES): verify --json, packet unquoted in many arguments" 0 "$EX1_FIELDS" \
	"$OTACTL" packet verify --json "${V1[@]}" $EX1_PKT
expect_json "example 1 (3DES): verify --stored-cntr 0 accepts counter 1" 0 \
	"counter.mode=higher;counter.verdict=accept;counter.store_after=1;card_status.code=0" \
	"$OTACTL" packet verify "${V1[@]}" --stored-cntr 0 "$EX1_PKT"
expect_json "example 1 (3DES): verify --stored-cntr 1 refuses a replay (exit 1, status 02)" 1 \
	"verified=true;counter.verdict=too-low;card_status.code=2;card_status.name=CNTR low" \
	"$OTACTL" packet verify "${V1[@]}" --stored-cntr 1 "$EX1_PKT"
run "$OTACTL" packet encode "${EX1[@]}" --data 4C4F434B0000002A
expect_json "example 1 (3DES): encode | verify - (standard input)" 0 "cntr=1;data=4C4F434B0000002A" \
	bash -c "printf '%s\n' '$OUT' | '$OTACTL' packet verify ${V1[*]} -"
expect_hex "example 1 (3DES): encode-por" "$EX1_POR" \
	"$OTACTL" packet encode-por "${EX1[@]}" --status 00 --data 4F4B --udh
POR1_FIELDS="verified=true;tar=C10001;cntr=1;pcntr=7;status.code=0;status.name=PoR OK;data=4F4B"
POR1_FIELDS+=";checksum.requested=CC;checksum.result=verified;checksum.value=DFC21E1343F05FB1"
expect_json "example 1 (3DES): decode-por" 0 "$POR1_FIELDS" \
	"$OTACTL" packet decode-por "${EX1[@]}" --udh "$EX1_POR"
expect_json "example 1 (3DES): decode-por without the header" 0 "status.code=0;data=4F4B" \
	"$OTACTL" packet decode-por "${EX1[@]}" "$(hexnorm "$EX1_POR" | cut -c7-)"

# ---- reference example 2: AES-128, CMAC + AES-CBC, PoR by SMS-SUBMIT ----------------------------------------------
K2C=000102030405060708090A0B0C0D0E0F
K2D=101112131415161718191A1B1C1D1E1F
EX2=(--spi 1639 --kic 22 --kid 22 --kic-key $K2C --kid-key $K2D --tar C10001 --cntr 2)
EX2_PKT="00 28 15 16 39 22 22 C1 00 01 1F C4 25 DA 25 28 A2 4A 37 A1 06 80 46 96 AD 0A 7D 33 61 2B 38 A1 41 1D D6 E7 21 B4 25 08 1D 8D"
EX2_POR="02 71 00 00 24 12 C1 00 01 B2 11 D7 2D DC 33 E5 7C 06 11 B3 CE B3 C1 8F 72 86 E2 68 E7 B9 A0 5F E9 FA 55 C4 A7 AD B0 3D B3"
EX2_SHORT_POR="02 71 00 00 14 12 C1 00 01 47 C3 AF 2E A8 A8 64 59 D8 F4 83 88 40 93 2B F5"

expect_hex "example 2 (AES): encode" "$EX2_PKT" "$OTACTL" packet encode "${EX2[@]}" --data 4C4F434B0000002B
EX2_FIELDS="verified=true;spi=1639;kic=22;kid=22;tar=C10001;cntr=2;pcntr=10;data=4C4F434B0000002B"
EX2_FIELDS+=";integrity.value=E150925D0B2F770F;spi_fields.por_via=SMS-SUBMIT;kic_fields.kvn=2"
EX2_FIELDS+=";kic_fields.algorithm=AES-128-CBC;kid_fields.algorithm=AES-128-CMAC"
expect_json "example 2 (AES): verify" 0 "$EX2_FIELDS" \
	"$OTACTL" packet verify --kic-key $K2C --kid-key $K2D "$EX2_PKT"
expect_hex "example 2 (AES): encode-por" "$EX2_POR" "$OTACTL" packet encode-por "${EX2[@]}" --data 4F4B --udh
expect_json "example 2 (AES): decode-por" 0 \
	"verified=true;cntr=2;pcntr=15;status.code=0;data=4F4B;checksum.value=4307FB24A22E1FAD" \
	"$OTACTL" packet decode-por "${EX2[@]}" --udh "$EX2_POR"
expect_hex "example 2 (AES): encode-por short PoR (status 0B, no data)" "$EX2_SHORT_POR" \
	"$OTACTL" packet encode-por "${EX2[@]}" --status 0B --udh
expect_json "example 2 (AES): decode-por short PoR" 0 \
	"verified=true;pcntr=1;status.code=11;data=;checksum.value=B63410BFD5FB1BDE" \
	"$OTACTL" packet decode-por "${EX2[@]}" --udh "$EX2_SHORT_POR"

# ---- real sysmoISIM-SJA2 card and other implementations' vectors ---------------------------------------------------
SYS=(--spi 0619 --kic 15 --kid 15 --kic-key F09C43EE1A0391665CC9F05AF4E0BD10 --kid-key 01981F4A20999F62AF99988107BAF6CA
	--tar B00010 --cntr 0)
expect_hex "sysmoISIM: encode (real card's TP-UD)" \
	02700000281506191515B00010DA1D6CBBD0D11CE4330D844C7408340943E843F67A6D7B0674730881605FD62D \
	"$OTACTL" packet encode "${SYS[@]}" --data A0A40000027F20A0C0000016 --udh
SYS_POR=027100002C12B000107DDF58D1780F771638B3975759F4296CF5C31EFC87A16A1B61921426BAA16DA1B5BA1A9951D59A39
expect_json "sysmoISIM: decode-por of the card's real PoR" 0 \
	"verified=true;tar=B00010;cntr=0;status.code=0;checksum.value=8FEAF52EF40EC214;data=0290000000FFFF7F20*" \
	"$OTACTL" packet decode-por "${SYS[@]}" --udh "$SYS_POR"
ERR_POR="02 71 00 00 0B 0A B0 00 10 00 00 00 00 00 00 06"
ERR_FIELDS="verified=false;tar=B00010;cntr=0;status.code=6;status.name=Unidentified*;checksum.requested=CC"
ERR_FIELDS+=";checksum.result=missing*;data="
expect_json "sysmoISIM: unsecured error PoR decodes, status 06, checksum missing -> exit 1" 1 "$ERR_FIELDS" \
	"$OTACTL" packet decode-por "${SYS[@]}" --udh "$ERR_POR"
expect_json "sysmoISIM: the same PoR for a command that asked no PoR checksum -> exit 0" 0 \
	"verified=true;status.code=6;checksum.requested=none;checksum.result=none requested" \
	"$OTACTL" packet decode-por --spi 0201 --kic 15 --kid 15 --tar B00010 --cntr 0 --udh "$ERR_POR"
expect_hex "encode-por --unsecured builds the card's error PoR" "$ERR_POR" \
	"$OTACTL" packet encode-por "${SYS[@]}" --status 06 --unsecured --udh
expect_hex "gsm0348 vector: AES, SPI 0621, KIc/KID 12" 001815062112120102034814CE84CBDEBC1A0DF20A5EE20E74C6 \
	"$OTACTL" packet encode --spi 0621 --kic 12 --kid 12 --kic-key 11223344556677889910111213141516 \
	--kid-key 11223344556677889910111213141516 --tar 010203 --cntr 0 --data AABB
expect_hex "pySim vector: 3DES KVN 3, SPI 0619" \
	00201506193535B00011AE733256918D050B87C94FBFE12E4DC402F262C41CF67F2F \
	"$OTACTL" packet encode --spi 0619 --kic 35 --kid 35 --kic-key 300102030405060708090A0B0C0D0E0F \
	--kid-key 301102030405060708090A0B0C0D0E0F --tar B00011 --cntr 0 --data 00A40004023F00

# ---- packets computed here with the openssl command line -------------------------------------------------------------
# cbc CIPHER KEY HEX: CBC with zero IV, no padding (CIPHER as `openssl enc` names it).
cbc() {
	local iv=0000000000000000
	[[ $1 == aes* ]] && iv=$iv$iv
	local out
	if ! out=$(h2b "$3" | openssl enc -"$1" -K "$2" -iv $iv -nopad 2>"$tmp/openssl.err" | b2h); then
		echo "openssl-enc-failed:$(head -1 "$tmp/openssl.err")"
		return
	fi
	printf '%s' "$out"
}
# mac CIPHER KEY HEX: the 8-byte CC. DES/3DES: CBC-MAC (last block) over the input zero-padded to 8;
# AES: leftmost 8 bytes of the CMAC.
mac() {
	local in=$3
	case $1 in
	aes*) h2b "$in" | openssl mac -cipher "${1^^}" -macopt hexkey:"$2" -in /dev/stdin CMAC | cut -c1-16 ;;
	*)
		while [ $(((${#in} / 2) % 8)) -ne 0 ]; do in+=00; done
		cbc "$1" "$2" "$in" | tail -c 16
		;;
	esac
}
zeros() {
	local n=$1 z=''
	while ((n-- > 0)); do z+=00; done
	printf '%s' "$z"
}
h2() { printf '%02X' "$1"; }
h4() { printf '%04X' "$1"; }
h10() { printf '%010X' "$1"; }

# openssl_command CIPHER BLOCK KIC KICKEY KIDKEY CNTR DATA: the command packet with SPI 1639 (CC + ciphering, counter
# higher; PoR always, with CC, ciphered, by SMS-SUBMIT), built by the openssl CLI alone (TS 102 225 clause 5.1).
openssl_command() {
	local ciph=$1 block=$2 kic=$3 kc=$4 kd=$5 cntr=$6 data=$7 pc cpl hdr cc
	pc=$(((block - (6 + 8 + ${#data} / 2) % block) % block))
	cpl=$((1 + 21 + ${#data} / 2 + pc))
	hdr=$(h4 $cpl)151639$kic${kic}C10001
	cc=$(mac "$ciph" "$kd" "$hdr$(h10 "$cntr")$(h2 $pc)$data$(zeros $pc)")
	echo "$hdr$(cbc "$ciph" "$kc" "$(h10 "$cntr")$(h2 $pc)$cc$data$(zeros $pc)")"
}

# openssl_por: the PoR (status 00) for that command; here the 02 71 00 header is part of the CC input.
openssl_por() {
	local ciph=$1 block=$2 kic=$3 kc=$4 kd=$5 cntr=$6 data=$7 pc rpl hdr cc
	pc=$(((block - (5 + 1 + 1 + 8 + ${#data} / 2) % block) % block))
	rpl=$((1 + 18 + ${#data} / 2 + pc))
	hdr=027100$(h4 $rpl)12C10001
	cc=$(mac "$ciph" "$kd" "$hdr$(h10 "$cntr")$(h2 $pc)00$data$(zeros $pc)")
	echo "$hdr$(cbc "$ciph" "$kc" "$(h10 "$cntr")$(h2 $pc)00$cc$data$(zeros $pc)")"
}

# label, openssl cipher, block, KIc/KID byte, KIc key, KID key
ALGS=(
	"3DES-2K des-ede-cbc 8 15 8899AABBCCDDEEFF0011223344556677 0123456789ABCDEFFEDCBA9876543210"
	"3DES-3K des-ede3-cbc 8 19 8899AABBCCDDEEFF00112233445566771020304050607080 0F1E2D3C4B5A69788796A5B4C3D2E1F00123456789ABCDEF"
	"AES-128 aes-128-cbc 16 22 8899AABBCCDDEEFF0011223344556677 0123456789ABCDEFFEDCBA9876543210"
	"AES-192 aes-192-cbc 16 22 8899AABBCCDDEEFF00112233445566771020304050607080 0F1E2D3C4B5A69788796A5B4C3D2E1F00123456789ABCDEF"
	"AES-256 aes-256-cbc 16 22 8899AABBCCDDEEFF00112233445566771020304050607080A0B0C0D0E0F00010 00112233445566778899AABBCCDDEEFF0F1E2D3C4B5A69788796A5B4C3D2E1F0"
)
DATAS=("" 55 4C4F434B00000063 0102030405060708090A0B0C0D0E0F101112131415161718191A)
cntr=1000
for alg in "${ALGS[@]}"; do
	read -r label ciph block kic kc kd <<<"$alg"
	for data in "${DATAS[@]}"; do
		cntr=$((cntr + 7919))
		want=$(openssl_command "$ciph" "$block" "$kic" "$kc" "$kd" "$cntr" "$data")
		expect_hex "openssl CLI agrees: $label command, $((${#data} / 2)) data bytes" "$want" \
			"$OTACTL" packet encode --spi 1639 --kic "$kic" --kid "$kic" --kic-key "$kc" --kid-key "$kd" \
			--tar C10001 --cntr "$cntr" --data "$data"
		expect_json "otactl verifies the openssl-built $label command, $((${#data} / 2)) data bytes" 0 \
			"verified=true;cntr=$cntr;data=$data" \
			"$OTACTL" packet verify --kic-key "$kc" --kid-key "$kd" "$want"
	done
	want=$(openssl_por "$ciph" "$block" "$kic" "$kc" "$kd" 77 4F4B)
	expect_hex "openssl CLI agrees: $label PoR" "$want" \
		"$OTACTL" packet encode-por --spi 1639 --kic "$kic" --kid "$kic" --kic-key "$kc" --kid-key "$kd" \
		--tar C10001 --cntr 77 --data 4F4B --udh
	expect_json "otactl decodes the openssl-built $label PoR" 0 "verified=true;cntr=77;status.code=0;data=4F4B" \
		"$OTACTL" packet decode-por --spi 1639 --kic "$kic" --kid "$kic" --kic-key "$kc" --kid-key "$kd" \
		--tar C10001 --cntr 77 --udh "$want"
done

# Redundancy checks (SPI1 RC, no ciphering): CRC-32 from python's zlib, CRC-16/X-25 bit by bit.
crc() { # crc32|crc16 HEX
	"$PY" -c '
import sys, zlib
data = bytes.fromhex(sys.argv[2])
if sys.argv[1] == "crc32":
    print("%08X" % zlib.crc32(data))
else:
    c = 0xFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x8408 if c & 1 else c >> 1
    print("%04X" % (c ^ 0xFFFF))' "$1" "$2"
}
for rc_alg in "crc32 15 11 4" "crc16 11 0F 2"; do
	read -r kind kid chl len <<<"$rc_alg"
	head=$(h4 $((1 + 0x$chl + 3)))${chl}010100${kid}C10001000000002A00
	want=$head$(crc "$kind" "${head}ABCDEF")ABCDEF
	expect_hex "python agrees: RC $kind command (KID $kid)" "$want" \
		"$OTACTL" packet encode --spi 0101 --kic 00 --kid "$kid" --tar C10001 --cntr 42 --data ABCDEF
	expect_json "verify: RC $kind command" 0 "verified=true;integrity.kind=RC;cntr=42;data=ABCDEF" \
		"$OTACTL" packet verify "$want"
	expect_json "verify: RC $kind command with a flipped data bit -> exit 1" 1 "verified=false;card_status.code=1" \
		"$OTACTL" packet verify "${want%F}E"
done

# USSD: no reference vectors exist (secured-packets.md section 9), so only a round trip through the codec.
run "$OTACTL" packet encode "${EX1[@]}" --data 4C4F434B0000002A --dialect ussd
expect_json "USSD dialect: encode then verify" 0 "verified=true;dialect=ussd;cntr=1;data=4C4F434B0000002A" \
	"$OTACTL" packet verify "${V1[@]}" --dialect ussd "$OUT"
expect_json "encode-por --json" 0 "por=$(hexnorm "$EX1_POR")" \
	"$OTACTL" packet encode-por "${EX1[@]}" --status 00 --data 4F4B --udh --json

# ---- tampering: a flipped bit anywhere, a wrong key -> exit 1 -------------------------------------------------------
pkt1=$(hexnorm "$EX1_PKT")
flip() { # HEX BYTE_INDEX -> HEX with bit 0 of that byte flipped
	local h=$1 i=$2
	printf '%s%02X%s' "${h:0:$((2 * i))}" $((0x${h:$((2 * i)):2} ^ 1)) "${h:$((2 * i + 2))}"
}
# Bytes 0-3 and 5-6 (CPL, CHL, SPI1, KIc, KID) change the structure: bad input, tested further down.
bad=""
for ((i = 4; i < ${#pkt1} / 2; i++)); do
	[ "$i" -eq 5 ] || [ "$i" -eq 6 ] && continue
	run "$OTACTL" packet verify "${V1[@]}" "$(flip "$pkt1" $i)"
	if [ "$RC" -ne 1 ] || [[ "$OUT" != *'"verified": false'* ]]; then bad+=" byte $i: exit $RC $ERR"; fi
done
if [ -z "$bad" ]; then ok "tampered packet (a bit flipped in SPI2, TAR or any ciphertext byte) -> exit 1"; else
	not_ok "tampered packet (a bit flipped in SPI2, TAR or any ciphertext byte) -> exit 1" "$bad"; fi
expect_json "wrong KID key -> exit 1, RC/CC/DS failed" 1 \
	"verified=false;integrity.result=failed;card_status.code=1;error=cc*" \
	"$OTACTL" packet verify --kic-key $K1C --kid-key $K1C "$EX1_PKT"
por1=$(hexnorm "$EX1_POR")
expect_json "tampered PoR -> exit 1" 1 "verified=false;checksum.result=rejected;error=*" \
	"$OTACTL" packet decode-por "${EX1[@]}" --udh "$(flip "$por1" 20)"
expect_json "PoR checked against the wrong command counter -> exit 1" 1 "verified=false;error=cntr*" \
	"$OTACTL" packet decode-por --spi 1619 --kic 15 --kid 15 --kic-key $K1C --kid-key $K1D --tar C10001 --cntr 2 \
	--udh "$EX1_POR"
expect_json "PoR checked against another TAR -> exit 1" 1 "verified=false;error=tar*" \
	"$OTACTL" packet decode-por --spi 1619 --kic 15 --kid 15 --kic-key $K1C --kid-key $K1D --tar C10002 --cntr 1 \
	--udh "$EX1_POR"

# ---- bad input: exit 2, one line on stderr naming the field ---------------------------------------------------------
E=("$OTACTL" packet encode)
expect_bad "odd number of digits in --spi" spi "${E[@]}" --spi 161 --kic 15 --kid 15 --tar C10001 --cntr 1
expect_bad "non-hex digit in --spi" spi "${E[@]}" --spi 16G9 --kic 15 --kid 15 --tar C10001 --cntr 1
expect_bad "--tar of 2 bytes" tar "${E[@]}" --spi 1619 --kic 15 --kid 15 --tar C100 --cntr 1
expect_bad "--kic of 2 bytes" kic "${E[@]}" --spi 1619 --kic 1515 --kid 15 --tar C10001 --cntr 1
expect_bad "non-hex digit in --data" data "${E[@]}" "${EX1[@]}" --data 4C4F434X
expect_bad "odd number of digits in --kid-key" kid-key "${E[@]}" "${EX1[@]:0:8}" --kid-key 5051525 --tar C10001 --cntr 1
expect_bad "3DES --kic-key of 15 bytes" kic-key \
	"${E[@]}" --spi 1619 --kic 15 --kid 15 --kic-key ${K1C:0:30} --kid-key $K1D --tar C10001 --cntr 1
expect_bad "AES --kid-key of 20 bytes" kid-key \
	"${E[@]}" --spi 1639 --kic 22 --kid 22 --kic-key $K2C --kid-key ${K2D}00112233 --tar C10001 --cntr 1
expect_bad "ciphering asked, no --kic-key" kic-key "${E[@]}" --spi 1619 --kic 15 --kid 15 --kid-key $K1D --tar C10001 --cntr 1
expect_bad "CC asked, no --kid-key" kid-key "${E[@]}" --spi 1619 --kic 15 --kid 15 --kic-key $K1C --tar C10001 --cntr 1
expect_bad "reserved KIc algorithm (x6)" kic "${E[@]}" --spi 1619 --kic 16 --kid 15 --kic-key $K1C --kid-key $K1D \
	--tar C10001 --cntr 1
expect_bad "reserved KID algorithm for a CC (xD)" kid "${E[@]}" --spi 1619 --kic 15 --kid 1D --kic-key $K1C \
	--kid-key $K1D --tar C10001 --cntr 1
expect_bad "reserved KID algorithm for an RC (x9)" kid "${E[@]}" --spi 1101 --kic 10 --kid 19 --tar C10001 --cntr 1
expect_bad "digital signature in the SPI" spi "${E[@]}" --spi 1301 --kic 10 --kid 15 --kid-key $K1D --tar C10001 --cntr 1
expect_bad "--cntr beyond 40 bits" cntr "${E[@]}" --spi 1619 --kic 15 --kid 15 --tar C10001 --cntr 1099511627776
expect_bad "--cntr not a number" cntr "${E[@]}" --spi 1619 --kic 15 --kid 15 --tar C10001 --cntr 12ab
expect_bad "--dialect neither sms nor ussd" dialect "${E[@]}" "${EX1[@]}" --dialect mms
expect_bad "--udh with the USSD dialect" udh "${E[@]}" "${EX1[@]}" --dialect ussd --udh
expect_bad "unknown option" --frobnicate "${E[@]}" "${EX1[@]}" --frobnicate
expect_bad "option of another subcommand" --stored-cntr "${E[@]}" "${EX1[@]}" --stored-cntr 3
expect_bad "option without its value" --cntr "${E[@]}" --spi 1619 --kic 15 --kid 15 --tar C10001 --cntr
expect_bad "missing required --tar" --tar "${E[@]}" --spi 1619 --kic 15 --kid 15 --cntr 1
expect_bad "unexpected argument to encode" unexpected "${E[@]}" "${EX1[@]}" 0011
expect_bad "--status of 2 bytes" status "$OTACTL" packet encode-por "${EX1[@]}" --status 0001
expect_bad "unknown subcommand" frobnicate "$OTACTL" packet frobnicate
expect_bad "unknown group" frobnicate "$OTACTL" frobnicate
big=$(printf '%0*d' 2100 0)
expect_bad "data too long for one packet" data "${E[@]}" "${EX1[@]}" --data "$big"
run "${E[@]}" "${EX1[@]}" --data "$(printf '%0*d' 300 0)"
if [ "$RC" -eq 0 ]; then
	expect_bad "data too long for one SMS with --udh" udh "${E[@]}" "${EX1[@]}" --data "$(printf '%0*d' 300 0)" --udh
else
	not_ok "a 150-byte packet (concatenated SMS) builds" "exit $RC: $ERR"
fi
expect_bad "data too long for the USSD dialect" data "${E[@]}" "${EX1[@]}" --dialect ussd --data "$(printf '%0*d' 600 0)"
expect_bad "verify: no packet" packet "$OTACTL" packet verify "${V1[@]}"
expect_bad "verify: odd number of digits in the packet" packet "$OTACTL" packet verify "${V1[@]}" "${pkt1}0"
expect_bad "verify: --udh but no 02 70 00" packet "$OTACTL" packet verify "${V1[@]}" --udh "$pkt1"
expect_bad "verify: header without --udh (hint names --udh)" udh "$OTACTL" packet verify "${V1[@]}" "027000$pkt1"
expect_bad "verify: 3DES key of 8 bytes" kic-key "$OTACTL" packet verify --kic-key ${K1C:0:16} --kid-key $K1D "$pkt1"
expect_bad "decode-por: no PoR" por "$OTACTL" packet decode-por "${EX1[@]}" --udh
bad=""
for ((n = 0; n < ${#pkt1} / 2; n++)); do
	run "$OTACTL" packet verify "${V1[@]}" "${pkt1:0:$((2 * n))}"
	if [ "$RC" -ne 2 ] || [ "$(printf '%s' "$ERR" | grep -c '')" -ne 1 ] || [[ "$ERR" != *packet* ]]; then
		bad+=" $n bytes: exit $RC ($ERR)"
	fi
done
if [ -z "$bad" ]; then ok "verify: every truncation of example 1 -> exit 2 naming the packet"; else
	not_ok "verify: every truncation of example 1 -> exit 2 naming the packet" "$bad"; fi
bad=""
for ((n = 3; n < ${#por1} / 2; n++)); do
	run "$OTACTL" packet decode-por "${EX1[@]}" --udh "${por1:0:$((2 * n))}"
	if [ "$RC" -ne 2 ] || [ "$(printf '%s' "$ERR" | grep -c '')" -ne 1 ] || [[ "$ERR" != *por* ]]; then
		bad+=" $n bytes: exit $RC ($ERR)"
	fi
done
if [ -z "$bad" ]; then ok "decode-por: every truncation of example 1's PoR -> exit 2 naming the PoR"; else
	not_ok "decode-por: every truncation of example 1's PoR -> exit 2 naming the PoR" "$bad"; fi

# ---- help -------------------------------------------------------------------------------------------------------------
for args in "--help" "packet --help" "packet encode --help" "packet verify --help" "packet encode-por --help" \
	"packet decode-por --help" "packet verify -h"; do
	# shellcheck disable=SC2086
	run "$OTACTL" $args
	if [ "$RC" -eq 0 ] && [[ "$OUT" == usage:* ]] && [ -z "$ERR" ]; then ok "otactl $args -> usage, exit 0"; else
		not_ok "otactl $args -> usage, exit 0" "exit $RC" "$ERR"; fi
done
run "$OTACTL" --help
if [[ "$OUT" == *"packet "* ]]; then ok "otactl --help lists the packet group"; else
	not_ok "otactl --help lists the packet group" "$OUT"; fi
run "$OTACTL"
if [ "$RC" -eq 2 ] && [[ "$ERR" == usage:* ]]; then ok "otactl without arguments -> usage on stderr, exit 2"; else
	not_ok "otactl without arguments -> usage on stderr, exit 2" "exit $RC"; fi

[ "$failures" -eq 0 ]
