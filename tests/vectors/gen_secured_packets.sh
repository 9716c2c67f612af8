#!/usr/bin/env bash
# Independent expected values for the secured packet codec: builds command packets and PoRs for every KIc x KID
# combination at several data lengths, in the SMS and USSD dialects, straight from TS 102 225 / TS 31.115 as
# summarised in ../shared/reference/secured-packets.md. Ciphering and MACs come from the `openssl` command line
# (enc -des-cbc/-des-ede-cbc/-des-ede3-cbc/-des-ecb/-aes-*-cbc -nopad, mac CMAC); the CRCs are bitwise loops here;
# xxd only converts hex. Nothing of simguard's C code is involved.
#
#   tests/vectors/gen_secured_packets.sh [OUTFILE]     (default tests/vectors/secured_packets.txt)
#
# Output lines (fields separated by one space, '-' for empty; SMS packets start at CPL / RPL, without 02 7x 00):
#   cmd DIALECT SPI KIC KID TAR CNTR KIC_KEY KID_KEY DATA PACKET
#   por DIALECT SPI KIC KID TAR CNTR KIC_KEY KID_KEY STATUS DATA POR
#   por_unsecured ... (same fields): an error PoR sent without checksum or ciphering whatever SPI2 asks
set -euo pipefail
export LC_ALL=C

out=${1:-$(dirname "$0")/secured_packets.txt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
legacy=(-provider legacy -provider default) # single DES lives in OpenSSL 3's legacy provider

upper() { tr 'a-f' 'A-F'; }
hexlen() { echo $((${#1} / 2)); }
hex2() { printf '%02X' "$1"; }

# zeros N: N zero bytes as hex
zeros() { local n=$1 s=""; while [ "$n" -gt 0 ]; do s+=00; n=$((n - 1)); done; printf '%s' "$s"; }

# openssl enc name and block size of a KIc/KID algorithm label
enc_name() {
	case $1 in
	DES) echo des-cbc ;; DESECB) echo des-ecb ;; 3DES2) echo des-ede-cbc ;; 3DES3) echo des-ede3-cbc ;;
	AES128) echo aes-128-cbc ;; AES192) echo aes-192-cbc ;; AES256) echo aes-256-cbc ;;
	esac
}
block_of() { case $1 in AES*) echo 16 ;; *) echo 8 ;; esac; }

# encrypt ALG KEY HEX: zero IV, no padding
encrypt() {
	local name iv=() bs
	name=$(enc_name "$1")
	bs=$(block_of "$1")
	[ "$1" = DESECB ] || iv=(-iv "$(zeros "$bs")")
	printf '%s' "$3" | xxd -r -p >"$tmp/in"
	openssl enc "${legacy[@]}" -"$name" -K "$2" "${iv[@]}" -nopad -in "$tmp/in" | xxd -p -c 10000 | upper
}

# cbc_mac ALG KEY HEX: CBC-MAC, input zero-padded to 8, last block
cbc_mac() {
	local in=$3 ct
	while [ $((${#in} / 2 % 8)) -ne 0 ]; do in+=00; done
	ct=$(encrypt "$1" "$2" "$in")
	printf '%s' "${ct: -16}"
}

# cmac KEY HEX: AES-CMAC, leftmost 8 bytes
cmac() {
	printf '%s' "$2" | xxd -r -p >"$tmp/in"
	openssl mac -cipher "AES-$(($(hexlen "$1") * 8))-CBC" -macopt "hexkey:$1" -in "$tmp/in" CMAC | cut -c1-16 | upper
}

# crc16 HEX: CRC-16/X-25 (reflected 0x1021 = 0x8408, init FFFF, xorout FFFF), big-endian
crc16() {
	local h=$1 crc=0xFFFF i b k
	for ((i = 0; i < ${#h}; i += 2)); do
		b=$((16#${h:i:2}))
		crc=$((crc ^ b))
		for ((k = 0; k < 8; k++)); do
			if ((crc & 1)); then crc=$(((crc >> 1) ^ 0x8408)); else crc=$((crc >> 1)); fi
		done
	done
	printf '%04X' $((crc ^ 0xFFFF))
}

# crc32 HEX: CRC-32 (zlib: reflected 0x04C11DB7 = 0xEDB88320, init/xorout FFFFFFFF), big-endian
crc32() {
	local h=$1 crc=0xFFFFFFFF i b k
	for ((i = 0; i < ${#h}; i += 2)); do
		b=$((16#${h:i:2}))
		crc=$((crc ^ b))
		for ((k = 0; k < 8; k++)); do
			if ((crc & 1)); then crc=$(((crc >> 1) ^ 0xEDB88320)); else crc=$((crc >> 1)); fi
		done
	done
	printf '%08X' $((crc ^ 0xFFFFFFFF))
}

# checksum KIND KEY HEX for the KID labels below
checksum() {
	case $1 in
	none) ;;
	CRC16) crc16 "$3" ;;
	CRC32) crc32 "$3" ;;
	AES*) cmac "$2" "$3" ;;
	*) cbc_mac "$1" "$2" "$3" ;;
	esac
}
chk_len() { case $1 in none) echo 0 ;; CRC16) echo 2 ;; CRC32) echo 4 ;; *) echo 8 ;; esac; }
chk_kind() { case $1 in none) echo 0 ;; CRC*) echo 1 ;; *) echo 2 ;; esac; } # SPI1 b2b1: none / RC / CC

# Algorithm nibble and keys. KIc and KID keys differ so a swapped key shows.
alg_nibble() {
	case $1 in
	none) echo 0 ;; DES | CRC16) echo 1 ;; 3DES2 | CRC32) echo 5 ;; 3DES3) echo 9 ;; DESECB) echo D ;; AES*) echo 2 ;;
	esac
}
kic_key() {
	case $1 in
	none) echo - ;; DES | DESECB) echo 0123456789ABCDEF ;; 3DES2) echo 404142434445464748494A4B4C4D4E4F ;;
	3DES3) echo 0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 ;;
	AES128) echo 000102030405060708090A0B0C0D0E0F ;; AES192) echo 000102030405060708090A0B0C0D0E0F1011121314151617 ;;
	AES256) echo 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F ;;
	esac
}
kid_key() {
	case $1 in
	none | CRC16 | CRC32) echo - ;; DES) echo FEDCBA9876543210 ;; 3DES2) echo 505152535455565758595A5B5C5D5E5F ;;
	3DES3) echo F0E1D2C3B4A5968778695A4B3C2D1E0F0F1E2D3C4B5A6978 ;;
	AES128) echo 101112131415161718191A1B1C1D1E1F ;; AES192) echo 202122232425262728292A2B2C2D2E2F3031323334353637 ;;
	AES256) echo 303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F ;;
	esac
}

# len_field DIALECT VALUE: SMS 2 bytes; USSD BER length
len_field() {
	if [ "$1" = sms ]; then printf '%04X' "$2"; elif [ "$2" -lt 128 ]; then hex2 "$2"; elif [ "$2" -lt 256 ]; then
		printf '81%02X' "$2"
	else printf '82%04X' "$2"; fi
}

# data_of N SEED: deterministic bytes
data_of() {
	local n=$1 s="" i
	for ((i = 0; i < n; i++)); do s+=$(hex2 $(((i * 7 + $2 * 13 + 3) & 255))); done
	printf '%s' "$s"
}

# command DIALECT KIC_ALG KID_ALG KVN TAR CNTR DATA SPI2  -> prints the cmd line
command_line() {
	local d=$1 ca=$2 ma=$3 kvn=$4 tar=$5 cntr=$6 data=$7 spi2=$8
	local kck kdk cipher=0 cl bs=1 pcntr=0 spi1 chl cpl kic kid head cc plain ct pkt
	kck=$(kic_key "$ca")
	kdk=$(kid_key "$ma")
	[ "$ca" = none ] || cipher=1
	cl=$(chk_len "$ma")
	[ $cipher = 1 ] && bs=$(block_of "$ca")
	[ $cipher = 1 ] && pcntr=$(((bs - (6 + cl + $(hexlen "$data")) % bs) % bs))
	spi1=$(hex2 $((0x10 | cipher << 2 | $(chk_kind "$ma"))))
	chl=$((13 + cl))
	cpl=$((1 + chl + $(hexlen "$data") + pcntr))
	kic=$(hex2 $((kvn << 4 | 16#$(alg_nibble "$ca"))))
	kid=$(hex2 $((kvn << 4 | 16#$(alg_nibble "$ma"))))
	head=$(len_field "$d" $cpl)$(hex2 $chl)$spi1$spi2$kic$kid$tar
	[ "$d" = ussd ] && head=03$head
	plain=$(printf '%010X' "$cntr")$(hex2 $pcntr)
	local tail=$data$(zeros $pcntr)
	cc=$(checksum "$ma" "$kdk" "$head$plain$tail")
	ct=$plain$cc$tail
	[ $cipher = 1 ] && ct=$(encrypt "$ca" "$kck" "$ct")
	pkt=$head$ct
	echo "cmd $d $spi1$spi2 $kic $kid $tar $cntr $kck $kdk ${data:--} $pkt"
}

# response DIALECT KIC_ALG KID_ALG KVN TAR CNTR DATA SPI2 STATUS -> prints the por line (PoR secured as SPI2 asks)
response_line() {
	local d=$1 ca=$2 ma=$3 kvn=$4 tar=$5 cntr=$6 data=$7 spi2=$8 status=$9
	local kck kdk cipher=0 cl=0 bs=1 pcntr=0 spi1 rhl rpl kic kid head cc plain ct mac=$ma
	kck=$(kic_key "$ca")
	kdk=$(kid_key "$ma")
	(((16#$spi2 & 0x10) && 1)) && cipher=1
	(((16#$spi2 & 0x0C) == 0)) && mac=none
	cl=$(chk_len "$mac")
	[ $cipher = 1 ] && bs=$(block_of "$ca")
	[ $cipher = 1 ] && pcntr=$(((bs - (7 + cl + $(hexlen "$data")) % bs) % bs))
	local cmd_cipher=1
	[ "$ca" = none ] && cmd_cipher=0
	spi1=$(hex2 $((0x10 | cmd_cipher << 2 | $(chk_kind "$ma"))))
	rhl=$((10 + cl))
	rpl=$((1 + rhl + $(hexlen "$data") + pcntr))
	kic=$(hex2 $((kvn << 4 | 16#$(alg_nibble "$ca"))))
	kid=$(hex2 $((kvn << 4 | 16#$(alg_nibble "$ma"))))
	head=$(len_field "$d" $rpl)$(hex2 $rhl)$tar
	[ "$d" = ussd ] && head=04$head
	plain=$(printf '%010X' "$cntr")$(hex2 $pcntr)$status
	local tail=$data$(zeros $pcntr) udh=""
	[ "$d" = sms ] && udh=027100
	cc=$(checksum "$mac" "$kdk" "$udh$head$plain$tail")
	ct=$plain$cc$tail
	[ $cipher = 1 ] && ct=$(encrypt "$ca" "$kck" "$ct")
	echo "por $d $spi1$spi2 $kic $kid $tar $cntr $kck $kdk $status ${data:--} $head$ct"
}

ciphers=(none DES 3DES2 3DES3 DESECB AES128 AES192 AES256)
macs=(none DES 3DES2 3DES3 AES128 AES192 AES256 CRC16 CRC32)
lengths=(0 2 10 18 41)

{
	echo "# Generated by tests/vectors/gen_secured_packets.sh with $(openssl version | cut -d' ' -f1-2); do not edit."
	echo "# cmd DIALECT SPI KIC KID TAR CNTR KIC_KEY KID_KEY DATA PACKET"
	echo "# por DIALECT SPI KIC KID TAR CNTR KIC_KEY KID_KEY STATUS DATA POR"
	echo "# por_unsecured: same fields, a PoR without checksum or ciphering whatever SPI2 asks"
	n=0
	for ca in "${ciphers[@]}"; do
		for ma in "${macs[@]}"; do
			cipher=0
			[ "$ca" = none ] || cipher=1
			for len in "${lengths[@]}"; do
				n=$((n + 1))
				kvn=$((n % 15 + 1))
				tar=$(printf 'C1%04X' $((n & 0xFFFF)))
				cntr=$((n * 977))
				[ "$len" = 41 ] && cntr=1099511627774 # 0xFFFFFFFFFE: the last usable value
				# PoR: always, checksum as the command's, ciphered with it, alternately by SMS-SUBMIT
				spi2=$(hex2 $((0x01 | $(chk_kind "$ma") << 2 | cipher << 4 | (n & 1) << 5)))
				data=$(data_of "$len" $n)
				command_line sms "$ca" "$ma" $kvn "$tar" $cntr "$data" "$spi2"
				response_line sms "$ca" "$ma" $kvn "$tar" $cntr "$(data_of $(((len + 3) % 23)) $n)" "$spi2" \
					"$(hex2 $((n % 13)))"
			done
			# USSD: one length per combination, plus one long enough for a two-byte BER length
			n=$((n + 1))
			spi2=$(hex2 $((0x01 | $(chk_kind "$ma") << 2 | cipher << 4)))
			command_line ussd "$ca" "$ma" 2 B00011 $n "$(data_of 18 $n)" "$spi2"
			command_line ussd "$ca" "$ma" 3 B00012 $((n + 1)) "$(data_of 112 $n)" "$spi2"
			response_line ussd "$ca" "$ma" 2 B00011 $n "$(data_of 5 $n)" "$spi2" 00
			response_line ussd "$ca" "$ma" 3 B00012 $((n + 1)) "$(data_of 110 $n)" "$spi2" 0C
		done
	done
	# Unsecured error PoR (no checksum, not ciphered, whatever SPI2 asks): TS 102 225 clause 5.1.2
	echo "por_unsecured sms 1639 22 22 C10001 2 $(kic_key AES128) $(kid_key AES128) 01 - 000B0AC10001000000000200""01"
} >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "$(grep -c '^cmd' "$out") command packets, $(grep -c '^por' "$out") PoRs -> $out"
