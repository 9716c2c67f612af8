#!/usr/bin/env bash
# uicc-sim as a real PC/SC card: a private pcscd with its own vpcd reader (own port, own socket in a private mount
# namespace, recipe pcsc-virtual-card.md §6), uicc-sim connected to it, and scriptor (pcsc-tools) sending APDUs.
# Checks status words and data, persistence across a uicc-sim restart, reconnection after a pcscd restart, the
# GSMTAP SIM trace as tshark dissects it, and a clean SIGTERM shutdown. Prints TAP lines; stops all it started.
set -u
B=${B:-build}
SIM=${UICC_SIM:-$B/bin/uicc-sim}
PROFILE=uicc-applet/profiles/demo.json
READER_NAME="SG UICC test $$"
READER="$READER_NAME 00 00"
W=$(mktemp -d /tmp/sg-uicc-pcsc.XXXXXX)
SIM_PID=
TSHARK_PID=
export PCSCLITE_CSOCK_NAME=$W/run/pcscd.comm

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1${2:+ ($2)}"; }
check() { # NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}

pcscd_pid() { [ -f "$W/run/pcscd.pid" ] && tr -d '\0' < "$W/run/pcscd.pid"; }

stop_pcscd() {
	local pid
	pid=$(pcscd_pid)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do [ -e "$W/run/pcscd.comm" ] || break; sleep 0.05; done
	rm -f "$W/run/pcscd.pid" "$W/run/pcscd.comm"
}

cleanup() {
	[ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	[ -n "$TSHARK_PID" ] && kill -INT "$TSHARK_PID" 2>/dev/null && wait "$TSHARK_PID" 2>/dev/null
	stop_pcscd
	rm -rf "$W"
}
trap cleanup EXIT

free_port() { # a port p with p and p+1 (vpcd's second slot) both free
	local p
	for p in $(shuf -i 36000-39990 -n 50); do
		if ! ss -ltnH | awk '{print $4}' | grep -qE ":($p|$((p + 1)))\$"; then
			echo "$p"
			return
		fi
	done
	echo 36000
}

start_pcscd() {
	# root: a private mount namespace; otherwise a user namespace that maps us to root (recipe §6)
	local ns="-m --propagation private"
	[ "$(id -u)" = 0 ] || ns="-Urm"
	unshare $ns sh -c \
		"mkdir -p /run/pcscd && mount --bind '$W/run' /run/pcscd && exec pcscd -f -c '$W/readers'" \
		>> "$W/pcscd.log" 2>&1 &
	for _ in $(seq 100); do [ -S "$W/run/pcscd.comm" ] && [ -n "$(pcscd_pid)" ] && return 0; sleep 0.05; done
	return 1
}

start_sim() {
	"$SIM" --profile "$PROFILE" --image "$W/card.img" --vpcd "127.0.0.1:$PORT" --gsmtap 127.0.0.1 \
		-c "$W/sim.cfg" >> "$W/sim.log" 2>&1 &
	SIM_PID=$!
}

# Send APDUs (one hex string per argument) with scriptor; print one line per response: data+SW in hex.
apdus() {
	printf '%s\n' "$@" | scriptor -r "$READER" 2>&1 | awk '
		/^< / { inr = 1; buf = ""; sub(/^< /, "") }
		inr { line = $0
		      if (index(line, " : ")) { sub(/ : .*/, "", line); buf = buf " " line; gsub(/ /, "", buf); print buf; inr = 0 }
		      else buf = buf " " line }'
}

# Wait until the card answers (after a start or restart of either side); up to ~6 s.
wait_card() {
	for _ in $(seq 60); do
		[ "$(apdus 00A4000C023F00)" = "9000" ] && return 0
		sleep 0.1
	done
	return 1
}

PORT=$(free_port)
VTY_PORT=$(free_port)
mkdir -p "$W/readers" "$W/run"
cat > "$W/readers/vpcd" <<EOF
FRIENDLYNAME "$READER_NAME"
DEVICENAME   /dev/null:$PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $PORT
EOF
cat > "$W/sim.cfg" <<EOF
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $VTY_PORT
EOF

if [ ! -x "$SIM" ]; then not_ok "uicc-sim built" "$SIM missing"; exit 1; fi

# the CLI alone: image creation, description, input errors (exit 2 with a message)
out=$("$SIM" --profile "$PROFILE" --image "$W/cli.img" 2>&1)
check "uicc-sim creates an image and describes the card" \
	"ICCID 8988211000000000003 IMSI 001010000000001 image generation 1" "$(echo "$out" | cut -d' ' -f1-7)"
out=$("$SIM" --profile "$W/missing.json" --image "$W/cli.img" 2>&1)
rc=$?
check "uicc-sim: missing profile exits 2" "2" "$rc"
case "$out" in *"missing.json"*) ok "uicc-sim names the missing profile" ;; *) not_ok "uicc-sim names the missing profile" "$out" ;; esac
head -c 100 "$W/cli.img" > "$W/cut.img"
out=$("$SIM" --profile "$PROFILE" --image "$W/cut.img" 2>&1)
rc=$?
check "uicc-sim: damaged image refused with exit 2" "2 uicc-sim: card image: digest mismatch (damaged image)" "$rc $out"
"$SIM" --profile "$PROFILE" > /dev/null 2>&1
check "uicc-sim: --image is required" "2" "$?"
if ! start_pcscd; then not_ok "pcscd starts with a private vpcd reader" "$(tail -3 "$W/pcscd.log")"; exit 1; fi
ok "pcscd starts with a private vpcd reader"

# GSMTAP capture runs alongside. tshark captures only a while after it says it started: probe with a GSMTAP SIM
# STATUS of our own until it shows up.
gsmtap_probe() {
	printf '\x02\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\xf2\x00\x0c\x90\x00' \
		> /dev/udp/127.0.0.1/4729
}
if command -v tshark > /dev/null; then
	tshark -i lo -l -P -f "udp port 4729" -w "$W/gsmtap.pcapng" > "$W/tshark.log" 2>&1 &
	TSHARK_PID=$!
fi

start_sim
if wait_card; then ok "card present in '$READER'"; else not_ok "card present in '$READER'" "$(tail -3 "$W/sim.log")"; fi
check "pcsc_scan shows the card's ATR" "3B 9F 96 80 1F C7 80 31 A0 73 BE 21 13 67 43 20 07 18 00 00 01 A5" \
	"$(timeout 2 pcsc_scan -n 2>/dev/null | grep -m1 -o 'ATR: 3B.*' | sed 's/^ATR: //; s/ *$//')"

if [ -n "$TSHARK_PID" ]; then
	for _ in $(seq 100); do
		gsmtap_probe
		grep -q "STATUS" "$W/tshark.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "STATUS" "$W/tshark.log" || not_ok "tshark captures GSMTAP" "$(tail -2 "$W/tshark.log")"
fi

mapfile -t R < <(apdus 00A40004023F00 00C0000029 00A4080C022FE2 00B000000A)
check "SELECT MF announces the FCP" "6129" "${R[0]:-}"
check "GET RESPONSE returns the MF FCP" "62278202782183023F00" "$(echo "${R[1]:-}" | cut -c1-20)"
check "GET RESPONSE ends 9000" "9000" "$(echo "${R[1]:-}" | grep -o '....$')"
check "READ BINARY EF.ICCID" "988812010000000000F39000" "${R[3]:-}"

mapfile -t R < <(apdus 00A4040C07A0000000871002 00A4000C026F07 00B0000009 \
	00200001083132333439393939 002000010831323334FFFFFFFF 00B0000009)
check "SELECT ADF.USIM by partial AID" "9000" "${R[0]:-}"
check "EF.IMSI needs PIN1" "6982" "${R[2]:-}"
check "VERIFY wrong PIN counts down" "63C2" "${R[3]:-}"
check "VERIFY PIN1" "9000" "${R[4]:-}"
check "READ BINARY EF.IMSI" "0809101000000000109000" "${R[5]:-}"

# TS 35.208 test set 1: the MAC is right, the SQN far ahead, so the card asks to resynchronise (AUTS under AK*)
mapfile -t R < <(apdus 00A4040C07A0000000871002 002000010831323334FFFFFFFF \
	00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3 00C0000010 \
	00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB2)
check "AUTHENTICATE answers 61 10" "6110" "${R[2]:-}"
check "AUTHENTICATE sync failure DC 0E AUTS" "DC0E451E8BECA43B" "$(echo "${R[3]:-}" | cut -c1-16)"
check "AUTHENTICATE with a bad MAC" "9862" "${R[4]:-}"

mapfile -t R < <(apdus A0A40000023F00 00FE000000 00A40004033F00 80F2000C 00C0000001)
check "2G class byte refused" "6E00" "${R[0]:-}"
check "unknown instruction" "6D00" "${R[1]:-}"
check "Lc longer than the data" "6700" "${R[2]:-}"
check "STATUS" "9000" "${R[3]:-}"
check "GET RESPONSE with nothing pending" "6985" "${R[4]:-}"

# persistent state across a uicc-sim restart: a file update and the PIN retry counter
mapfile -t R < <(apdus 002000010831323334FFFFFFFF 00A4080C047FFF6F7E 00D600000B0102030405060708090A0B \
	00200001083132333439393939)
check "UPDATE BINARY EF.LOCI" "9000" "${R[2]:-}"
kill -TERM "$SIM_PID"
t0=$(date +%s%N)
wait "$SIM_PID"
rc=$?
t1=$(date +%s%N)
SIM_PID=
check "uicc-sim exits 0 on SIGTERM" "0" "$rc"
if [ $(((t1 - t0) / 1000000)) -lt 3000 ]; then ok "uicc-sim shuts down promptly"; else not_ok "uicc-sim shuts down promptly"; fi
start_sim
if wait_card; then ok "restarted uicc-sim is seen again"; else not_ok "restarted uicc-sim is seen again"; fi
mapfile -t R < <(apdus 00200001 002000010831323334FFFFFFFF 00A4080C047FFF6F7E 00B000000B)
check "PIN retry counter survived the restart" "63C2" "${R[0]:-}"
check "EF.LOCI survived the restart" "0102030405060708090A0B9000" "${R[3]:-}"

# pcscd restart: uicc-sim reconnects by itself
stop_pcscd
if start_pcscd && wait_card; then ok "uicc-sim reconnects after a pcscd restart"; else
	not_ok "uicc-sim reconnects after a pcscd restart" "$(tail -3 "$W/sim.log")"; fi
mapfile -t R < <(apdus 00A4000C022FE2 00B000000A)
check "APDUs after the pcscd restart" "988812010000000000F39000" "${R[1]:-}"

# the GSMTAP trace as tshark dissects it
if [ -n "$TSHARK_PID" ]; then
	sleep 0.3
	kill -INT "$TSHARK_PID"
	wait "$TSHARK_PID" 2>/dev/null
	TSHARK_PID=
	tshark -r "$W/gsmtap.pcapng" > "$W/gsmtap.txt" 2>/dev/null
	if grep -q "GSM SIM.*SELECT" "$W/gsmtap.txt"; then ok "GSMTAP SIM trace dissected by tshark"; else
		not_ok "GSMTAP SIM trace dissected by tshark" "$(head -3 "$W/gsmtap.txt")"; fi
	if grep -q "AUTHENTICATE" "$W/gsmtap.txt" && ! grep -q "Malformed" "$W/gsmtap.txt"; then
		ok "GSMTAP trace has no malformed APDU"
	else
		not_ok "GSMTAP trace has no malformed APDU" "$(grep -m2 Malformed "$W/gsmtap.txt")"
	fi
	if tshark -r "$W/gsmtap.pcapng" -x 2>/dev/null | grep -qi "31 32 33 34 ff ff ff ff"; then
		not_ok "PIN values are blanked in the trace"
	else
		ok "PIN values are blanked in the trace"
	fi
fi
exit 0
