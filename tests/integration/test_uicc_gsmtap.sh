#!/usr/bin/env bash
# An anti-theft LOCK seen on the wire: uicc-sim behind a private pcscd (vpcd reader), simtool playing the handset
# (TERMINAL PROFILE, ENVELOPE(SMS-PP DATA DOWNLOAD) with a packet from otactl, the proactive session), every APDU
# sent by uicc-sim as GSMTAP SIM to 127.0.0.1 and captured by tshark on lo. Checks that Wireshark's dissectors
# show the ENVELOPE, the PoR and the lock screen's DISPLAY TEXT and SET UP IDLE MODE TEXT without "Malformed", and
# that the locked card then refuses AUTHENTICATE. Prints TAP lines; stops everything it started.
set -u
B=${B:-build}
SIM=$B/bin/uicc-sim
SIMTOOL=$B/bin/simtool
OTACTL=$B/bin/otactl
PROFILE=uicc-applet/profiles/demo.json
KIC=404142434445464748494A4B4C4D4E4F
KID=505152535455565758595A5B5C5D5E5F
W=$(mktemp -d /tmp/sg-uicc-gsmtap.XXXXXX)
NAME="SG gsmtap $$"
PIDS=()
export PCSCLITE_CSOCK_NAME=$W/run/pcscd.comm

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1${2:+ ($2)}"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "wanted '$2', got '$3'"; fi; }

finish() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -f "$W/run/pcscd.pid" ] && kill -TERM "$(tr -d '\0' < "$W/run/pcscd.pid")" 2>/dev/null
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap finish EXIT

for tool in "$SIM" "$SIMTOOL" "$OTACTL"; do
	[ -x "$tool" ] || { not_ok "$tool built"; exit 1; }
done
for tool in pcscd tshark; do
	command -v "$tool" > /dev/null || { echo "ok - SKIP $tool not installed"; exit 0; }
done

# vpcd takes two ports (one per slot); look for a pair nobody listens on
PORT=
for p in $(shuf -i 40000-44990 -n 40); do
	ss -ltnH | awk '{print $4}' | grep -qE ":($p|$((p + 1)))\$" || { PORT=$p; break; }
done
mkdir -p "$W/run" "$W/readers"
printf 'FRIENDLYNAME "%s"\nDEVICENAME /dev/null:%s\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID %s\n' \
	"$NAME" "$PORT" "$PORT" > "$W/readers/vpcd"

# pcscd in a mount namespace of its own, so its socket and pid file live in $W (as root, or mapped to root)
NS="-m --propagation private"
[ "$(id -u)" = 0 ] || NS="-Urm"
unshare $NS sh -c "mkdir -p /run/pcscd && mount --bind '$W/run' /run/pcscd && exec pcscd -f -c '$W/readers'" \
	> "$W/pcscd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$W/run/pcscd.comm" ] && break; sleep 0.05; done
[ -S "$W/run/pcscd.comm" ] || { not_ok "private pcscd" "$(tail -2 "$W/pcscd.log")"; exit 1; }

tshark -i lo -l -P -f "udp port 4729" -w "$W/lock.pcapng" > "$W/tshark.log" 2>&1 &
PIDS+=($!)
# tshark drops what comes before its capture really runs: wait for a GSMTAP packet of our own to show up
for _ in $(seq 100); do
	printf '\x02\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\xf2\x00\x0c\x90\x00' \
		> /dev/udp/127.0.0.1/4729 2>/dev/null
	grep -q "STATUS" "$W/tshark.log" && break
	sleep 0.1
done

"$SIM" --profile "$PROFILE" --image "$W/card.img" --vpcd "127.0.0.1:$PORT" --gsmtap 127.0.0.1 > "$W/sim.log" 2>&1 &
PIDS+=($!)
CARD="pcsc:$NAME"
for _ in $(seq 80); do
	"$SIMTOOL" -c "$CARD" apdu 00A4000C023F00 > /dev/null 2>&1 && break
	sleep 0.1
done

PKT=$("$OTACTL" packet encode --spi 1619 --kic 15 --kid 15 --kic-key $KIC --kid-key $KID --tar C10001 --cntr 1 \
	--data 4C4F434B0000002A)
printf 'ok\nok\n' > "$W/answers"
"$SIMTOOL" -c "$CARD" --answers "$W/answers" ota --packet "$PKT" --kic-key $KIC --kid-key $KID > "$W/ota.log" 2>&1
expect "LOCK delivered over PC/SC, PoR verified" "0" "$?"
OUT=$("$SIMTOOL" -c "$CARD" apdu 00A4040C07A0000000871002 002000010831323334FFFFFFFF \
	00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3 2>&1)
case "$OUT" in *6985*) ok "locked card refuses AUTHENTICATE (6985)" ;; *) not_ok "locked card refuses AUTHENTICATE" "$OUT" ;; esac

# let the last datagrams arrive, then read the capture as Wireshark dissects it
sleep 0.5
kill -INT "${PIDS[1]}" 2>/dev/null
wait "${PIDS[1]}" 2>/dev/null
tshark -r "$W/lock.pcapng" -V > "$W/lock.txt" 2>&1
tshark -r "$W/lock.pcapng" > "$W/summary.txt" 2>&1

# one summary line per APDU exchange: "ETSI TS 102.221 FETCH Proactive Command DISPLAY TEXT" and so on
seen() { # NAME PATTERN
	if grep -q "$2" "$W/summary.txt"; then ok "$1"; else not_ok "$1" "$(cut -c40- "$W/summary.txt" | head -12 | tr '\n' ';')"; fi
}
seen "the SMS-PP download ENVELOPE is dissected, with its PoR" "ENVELOPE .*SMS-PP Download.*Response length is 33"
seen "the lock screen's DISPLAY TEXT is dissected" "FETCH Proactive Command DISPLAY TEXT"
seen "the terminal's answer to it is dissected" "TERMINAL RESPONSE DISPLAY TEXT"
seen "SET UP IDLE MODE TEXT is dissected" "FETCH Proactive Command SET UP IDLE MODE TEXT"
seen "AUTHENTICATE refused as 'conditions of use not satisfied'" "AUTHENTICATE.*Conditions of use not satisfied"
grep -q "Text String: This phone is locked. Please return it to its owner." "$W/lock.txt" &&
	ok "the lock message is decoded from the DISPLAY TEXT" ||
	not_ok "the lock message is decoded from the DISPLAY TEXT" "$(grep -m2 -i 'text string' "$W/lock.txt")"
if grep -q "Malformed" "$W/lock.txt" "$W/summary.txt"; then
	not_ok "no malformed packet in the trace" "$(grep -m2 -B3 Malformed "$W/summary.txt")"
else
	ok "no malformed packet in the trace"
fi
