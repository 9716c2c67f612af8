#!/usr/bin/env bash
# Independent expected values for the secured packet codec: builds command packets and PoRs for every KIc x KID
# combination at several data lengths, in the SMS and USSD dialects, straight from TS 102 225 / TS 31.115 as
# summarised in ../shared/reference/secured-packets.md. Ciphering and MACs come from the `openssl` command line
# (enc -des-cbc/-des-ede-cbc/-des-ede3-cbc/-des-ecb/-aes-*-cbc -nopad, mac CMAC); the CRCs are bitwise loops here;
# xxd only turns openssl's output into hex. Nothing of simguard's C code is involved.
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

# Helpers return their result in R: command substitutions fork, and forks made this script slow.
# hexfile HEX FILE: the bytes, written by printf's \x escapes
hexfile() { local e=${1//??/\\x&}; printf "$e" >"$2"; }
# zeros N: N zero bytes as hex
zeros() { printf -v R '%*s' $(($1 * 2)) ''; R=${R// /0}; }

# openssl enc name and block size of a KIc/KID algorithm label
enc_name() {
	case $1 in
	DES) R=des-cbc ;; DESECB) R=des-ecb ;; 3DES2) R=des-ede-cbc ;; 3DES3) R=des-ede3-cbc ;;
	AES128) R=aes-128-cbc ;; AES192) R=aes-192-cbc ;; AES256) R=aes-256-cbc ;;
	esac
}
block_of() { case $1 in AES*) R=16 ;; *) R=8 ;; esac; }

# encrypt ALG KEY HEX: zero IV, no padding
encrypt() {
	local name iv=()
	enc_name "$1"
	name=$R
	block_of "$1"
	zeros "$R"
	[ "$1" = DESECB ] || iv=(-iv "$R")
	hexfile "$3" "$tmp/in"
	R=$(openssl enc "${legacy[@]}" -"$name" -K "$2" "${iv[@]}" -nopad -in "$tmp/in" | xxd -p -c 10000)
	R=${R^^}
}

# cbc_mac ALG KEY HEX: CBC-MAC, input zero-padded to 8, last block
cbc_mac() {
	local in=$3
	while [ $((${#in} / 2 % 8)) -ne 0 ]; do in+=00; done
	encrypt "$1" "$2" "$in"
	R=${R: -16}
}

# cmac KEY HEX: AES-CMAC, leftmost 8 bytes
cmac() {
	hexfile "$2" "$tmp/in"
	R=$(openssl mac -cipher "AES-$((${#1} * 4))-CBC" -macopt "hexkey:$1" -in "$tmp/in" CMAC)
	R=${R:0:16}
	R=${R^^}
}

# crc16 HEX: CRC-16/X-25 (reflected 0x1021 = 0x8408, init FFFF, xorout FFFF), big-endian
crc16() {
	local h=$1 crc=0xFFFF i k
	for ((i = 0; i < ${#h}; i += 2)); do
		crc=$((crc ^ 16#${h:i:2}))
		for ((k = 0; k < 8; k++)); do
			if ((crc & 1)); then crc=$(((crc >> 1) ^ 0x8408)); else crc=$((crc >> 1)); fi
		done
	done
	printf -v R '%04X' $((crc ^ 0xFFFF))
}

# crc32 HEX: CRC-32 (zlib: reflected 0x04C11DB7 = 0xEDB88320, init/xorout FFFFFFFF), big-endian
crc32() {
	local h=$1 crc=0xFFFFFFFF i k
	for ((i = 0; i < ${#h}; i += 2)); do
		crc=$((crc ^ 16#${h:i:2}))
		for ((k = 0; k < 8; k++)); do
			if ((crc & 1)); then crc=$(((crc >> 1) ^ 0xEDB88320)); else crc=$((crc >> 1)); fi
		done
	done
	printf -v R '%08X' $((crc ^ 0xFFFFFFFF))
}

# checksum KIND KEY HEX for the KID labels below
checksum() {
	case $1 in
	none) R="" ;;
	CRC16) crc16 "$3" ;;
	CRC32) crc32 "$3" ;;
	AES*) cmac "$2" "$3" ;;
	*) cbc_mac "$1" "$2" "$3" ;;
	esac
}
chk_len() { case $1 in none) R=0 ;; CRC16) R=2 ;; CRC32) R=4 ;; *) R=8 ;; esac; }
chk_kind() { case $1 in none) R=0 ;; CRC*) R=1 ;; *) R=2 ;; esac; } # SPI1 b2b1: none / RC / CC

# Algorithm nibble and keys. KIc and KID keys differ so a swapped key shows.
alg_nibble() {
	case $1 in
	none) R=0 ;; DES | CRC16) R=1 ;; 3DES2 | CRC32) R=5 ;; 3DES3) R=9 ;; DESECB) R=13 ;; AES*) R=2 ;;
	esac
}
kic_key() {
	case $1 in
	none) R=- ;; DES | DESECB) R=0123456789ABCDEF ;; 3DES2) R=404142434445464748494A4B4C4D4E4F ;;
	3DES3) R=0123456789ABCDEFFEDCBA987654321089ABCDEF01234567 ;;
	AES128) R=000102030405060708090A0B0C0D0E0F ;; AES192) R=000102030405060708090A0B0C0D0E0F1011121314151617 ;;
	AES256) R=000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F ;;
	esac
}
kid_key() {
	case $1 in
	none | CRC16 | CRC32) R=- ;; DES) R=FEDCBA9876543210 ;; 3DES2) R=505152535455565758595A5B5C5D5E5F ;;
	3DES3) R=F0E1D2C3B4A5968778695A4B3C2D1E0F0F1E2D3C4B5A6978 ;;
	AES128) R=101112131415161718191A1B1C1D1E1F ;; AES192) R=202122232425262728292A2B2C2D2E2F3031323334353637 ;;
	AES256) R=303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F ;;
	esac
}

# len_field DIALECT VALUE: SMS 2 bytes; USSD BER length
len_field() {
	if [ "$1" = sms ]; then printf -v R '%04X' "$2"; elif [ "$2" -lt 128 ]; then printf -v R '%02X' "$2"
	elif [ "$2" -lt 256 ]; then printf -v R '81%02X' "$2"; else printf -v R '82%04X' "$2"; fi
}

# data_of N SEED: deterministic bytes
data_of() {
	local i b
	R=""
	for ((i = 0; i < $1; i++)); do
		printf -v b '%02X' $(((i * 7 + $2 * 13 + 3) & 255))
		R+=$b
	done
}

# id_byte KVN ALG: KIc / KID byte
id_byte() {
	alg_nibble "$2"
	printf -v R '%02X' $(($1 << 4 | R))
}

# command DIALECT KIC_ALG KID_ALG KVN TAR CNTR DATA SPI2  -> prints the cmd line
command_line() {
	local d=$1 ca=$2 ma=$3 kvn=$4 tar=$5 cntr=$6 data=$7 spi2=$8
	local kck kdk cipher=0 cl bs=1 pcntr=0 spi1 chl cpl kic kid head cc plain tail
	kic_key "$ca"; kck=$R
	kid_key "$ma"; kdk=$R
	[ "$ca" = none ] || cipher=1
	chk_len "$ma"; cl=$R
	if [ $cipher = 1 ]; then
		block_of "$ca"; bs=$R
		pcntr=$(((bs - (6 + cl + ${#data} / 2) % bs) % bs))
	fi
	chk_kind "$ma"
	printf -v spi1 '%02X' $((0x10 | cipher << 2 | R))
	chl=$((13 + cl))
	cpl=$((1 + chl + ${#data} / 2 + pcntr))
	id_byte "$kvn" "$ca"; kic=$R
	id_byte "$kvn" "$ma"; kid=$R
	len_field "$d" $cpl
	printf -v head '%s%02X%s%s%s%s%s' "$R" $chl "$spi1" "$spi2" "$kic" "$kid" "$tar"
	[ "$d" = ussd ] && head=03$head
	printf -v plain '%010X%02X' "$cntr" $pcntr
	zeros $pcntr; tail=$data$R
	checksum "$ma" "$kdk" "$head$plain$tail"; cc=$R
	R=$plain$cc$tail
	[ $cipher = 1 ] && encrypt "$ca" "$kck" "$R"
	echo "cmd $d $spi1$spi2 $kic $kid $tar $cntr $kck $kdk ${data:--} $head$R"
}

# response DIALECT KIC_ALG KID_ALG KVN TAR CNTR DATA SPI2 STATUS -> prints the por line (PoR secured as SPI2 asks)
response_line() {
	local d=$1 ca=$2 ma=$3 kvn=$4 tar=$5 cntr=$6 data=$7 spi2=$8 status=$9
	local kck kdk cipher=0 cl=0 bs=1 pcntr=0 spi1 rhl rpl kic kid head cc plain tail mac=$ma cmd_cipher=1 udh=""
	kic_key "$ca"; kck=$R
	kid_key "$ma"; kdk=$R
	((16#$spi2 & 0x10)) && cipher=1
	((16#$spi2 & 0x0C)) || mac=none
	chk_len "$mac"; cl=$R
	if [ $cipher = 1 ]; then
		block_of "$ca"; bs=$R
		pcntr=$(((bs - (7 + cl + ${#data} / 2) % bs) % bs))
	fi
	[ "$ca" = none ] && cmd_cipher=0
	chk_kind "$ma"
	printf -v spi1 '%02X' $((0x10 | cmd_cipher << 2 | R))
	rhl=$((10 + cl))
	rpl=$((1 + rhl + ${#data} / 2 + pcntr))
	id_byte "$kvn" "$ca"; kic=$R
	id_byte "$kvn" "$ma"; kid=$R
	len_field "$d" $rpl
	printf -v head '%s%02X%s' "$R" $rhl "$tar"
	[ "$d" = ussd ] && head=04$head
	printf -v plain '%010X%02X%s' "$cntr" $pcntr "$status"
	zeros $pcntr; tail=$data$R
	[ "$d" = sms ] && udh=027100
	checksum "$mac" "$kdk" "$udh$head$plain$tail"; cc=$R
	R=$plain$cc$tail
	[ $cipher = 1 ] && encrypt "$ca" "$kck" "$R"
	echo "por $d $spi1$spi2 $kic $kid $tar $cntr $kck $kdk $status ${data:--} $head$R"
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
			chk_kind "$ma"
			kind=$R
			for len in "${lengths[@]}"; do
				n=$((n + 1))
				kvn=$((n % 15 + 1))
				printf -v tar 'C1%04X' $((n & 0xFFFF))
				cntr=$((n * 977))
				[ "$len" = 41 ] && cntr=1099511627774 # 0xFFFFFFFFFE: the last usable value
				# PoR: always, checksum as the command's, ciphered with it, alternately by SMS-SUBMIT
				printf -v spi2 '%02X' $((0x01 | kind << 2 | cipher << 4 | (n & 1) << 5))
				printf -v status '%02X' $((n % 13))
				data_of "$len" $n
				command_line sms "$ca" "$ma" $kvn "$tar" $cntr "$R" "$spi2"
				data_of $(((len + 3) % 23)) $n
				response_line sms "$ca" "$ma" $kvn "$tar" $cntr "$R" "$spi2" "$status"
			done
			# USSD: one length per combination, plus one long enough for a two-byte BER length
			n=$((n + 1))
			printf -v spi2 '%02X' $((0x01 | kind << 2 | cipher << 4))
			data_of 18 $n
			command_line ussd "$ca" "$ma" 2 B00011 $n "$R" "$spi2"
			data_of 112 $n
			command_line ussd "$ca" "$ma" 3 B00012 $((n + 1)) "$R" "$spi2"
			data_of 5 $n
			response_line ussd "$ca" "$ma" 2 B00011 $n "$R" "$spi2" 00
			data_of 110 $n
			response_line ussd "$ca" "$ma" 3 B00012 $((n + 1)) "$R" "$spi2" 0C
		done
	done
	# Unsecured error PoR (no checksum, not ciphered, whatever SPI2 asks): TS 102 225 clause 5.2
	kic_key AES128
	kck=$R
	kid_key AES128
	echo "por_unsecured sms 1639 22 22 C10001 2 $kck $R 01 - 000B0AC1000100000000020001"
} >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "$(grep -c '^cmd' "$out") command packets, $(grep -c '^por' "$out") PoRs -> $out"
