#!/usr/bin/env bash
# handset-sim's SGs bearer against a scripted MSC (Python, its own SGsAP / CP / RP encoding from TS 29.118 and
# TS 24.011) for what a well-behaved osmo-msc never does (test_e2e_osmo.sh covers the real one): messages
# coalesced into one TCP segment, a repeated CP-DATA (delivered once), a message for another IMSI, the MO that
# waits until the MT transaction is over, an RP-ERROR for an MO, bytes that are not SGsAP (link closed, reconnect,
# attach again), paging before the attach is complete, messages the state does not expect (SGsAP-STATUS "message not
# compatible with the protocol state" / "message unknown", TS 29.118 7.3), a STATUS without IMSI, and the IMSI
# detach at switch-off. Prints TAP lines.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${B:-build}
. "$HERE/lib/osmo-lab.sh"
. "$HERE/lib/smsgw.sh"
cd "$ROOT" || exit 1

D=$(mktemp -d /tmp/handset-sgs.XXXXXX)
cleanup() {
	stop_pidfile "$D/hs.pid"
	stop_pidfile "$D/msc.pid"
	rm -rf "$D"
}
trap cleanup EXIT

PORT=$(free_port); VTY=$(free_port)
[ "$VTY" = "$PORT" ] && VTY=$((PORT + 1))
STAT=$("$B/bin/otactl" packet encode --spi 1639 --kic 15 --kid 15 --kic-key 404142434445464748494A4B4C4D4E4F \
	--kid-key 505152535455565758595A5B5C5D5E5F --tar C10001 --cntr 1 \
	--data "$(printf STAT | od -An -tx1 | tr -d ' \n')00000001800102")

cat > "$D/msc.py" <<'EOF'
# A scripted MSC on SGs: one check per line of output ("ok NAME" / "fail NAME: why").
import socket, sys, time
port, ota = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
IMSI = bytes.fromhex("01080910100000000010")             # IE: IMSI 001010000000001
OTHER = bytes.fromhex("01080910100000000020")            # IE: IMSI 001010000000002
IES = {0x09: [1, 9, 10, 4, 4, 7, 0x15, 0x23, 0x24, 0x27], 0x0c: [1], 0x06: [1, 0x20, 0x1c, 0x21, 0x22, 0x23, 0x24, 0x25],
       0x08: [1, 0x16, 0x15, 0x21, 0x22, 0x23, 0x24], 0x13: [1, 9, 0x11], 0x02: [1, 8], 0x16: [9, 2], 0x1d: [1, 8, 0x1b]}
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
srv.settimeout(20)
print("listening", flush=True)
buf = b""
def check(name, cond, why=""):
    print(("ok " if cond else "fail ") + name + ("" if cond else ": " + str(why)), flush=True)
def split(b):
    """length of the first whole message in b, from the IEs each type may carry (in order)"""
    order, off, pos = IES[b[0]], 1, 0
    while off + 2 <= len(b) and b[off] in order[pos:] and off + 2 + b[off + 1] <= len(b):
        pos = order.index(b[off], pos) + 1
        off += 2 + b[off + 1]
    return off
def recv(conn, timeout=10):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        if buf:
            n = split(buf)
            m, buf = buf[:n], buf[n:]
            return m
        conn.settimeout(max(0.05, end - time.time()))
        try:
            d = conn.recv(4096)
        except socket.timeout:
            break
        if not d:
            return None
        buf += d
    return b""
def ie(m, tag):
    off = 1
    while off + 2 <= len(m):
        if m[off] == tag:
            return m[off + 2:off + 2 + m[off + 1]]
        off += 2 + m[off + 1]
    return None
def dl(nas, imsi=IMSI):
    return bytes([0x07]) + imsi + bytes([0x16, len(nas)]) + nas
def rp_data_mt(mr, tpdu):     # CP-DATA TI 0 (network side started it), RP-DATA N->MS, RP-OA 447785016005
    rp = bytes([0x01, mr, 7, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0, len(tpdu)]) + tpdu
    return bytes([0x09, 0x01, len(rp)]) + rp
def deliver(ud, pid=0, dcs=0, udhi=False, udl=None):
    return bytes([0x40 if udhi else 0x00, 5, 0x91, 0x21, 0x43, 0xf5, pid, dcs]) + bytes.fromhex("62113201000000") + \
        bytes([len(ud) if udl is None else udl]) + ud
def nas_of(m):
    return ie(m, 0x16) if m and m[0] == 0x08 else None

def refused(m, cause, sent, imsi=True):
    """an SGsAP-STATUS with the SGs cause and the refused message"""
    return m and m[0] == 0x1d and ie(m, 8) == bytes([cause]) and ie(m, 0x1b) == sent and (ie(m, 1) == IMSI[2:]) == imsi
LU_ACCEPT = bytes([0x0a]) + IMSI + bytes.fromhex("040500f1100001") + bytes.fromhex("0e05f411223344")

def attach(conn, first):
    lu = recv(conn)
    check("LOCATION-UPDATE-REQUEST with the card's IMSI, EPS LU type IMSI attach, LAI 001-01 LAC 1",
          lu and lu[0] == 0x09 and ie(lu, 1) == IMSI[2:] and ie(lu, 10) == b"\x01" and ie(lu, 4) == bytes.fromhex("00f1100001")
          and ie(lu, 9) == b"\x06mmec01\x09mmegi0001\x03mme\x03epc\x06mnc001\x06mcc001\x0b3gppnetwork\x03org", lu.hex() if lu else lu)
    # paging before the attach is complete: the UE is not attached yet
    conn.sendall(bytes([0x01]) + IMSI + bytes.fromhex("0203") + b"\x02vl" + bytes.fromhex("200102"))
    m = recv(conn)
    check("paging before the LOCATION-UPDATE-ACCEPT: PAGING-REJECT, IMSI detached for non-EPS services",
          m and m[0] == 0x02 and ie(m, 8) == b"\x04", m)
    if first:  # SMS before the attach is complete: not compatible with the state
        conn.sendall(dl(bytes.fromhex("0904")))
        m = recv(conn)
        check("DOWNLINK-UNITDATA before the ACCEPT: STATUS, message not compatible with the protocol state",
              refused(m, 0x07, dl(bytes.fromhex("0904"))), m)
    conn.sendall(LU_ACCEPT)
    m = recv(conn)
    check("TMSI-REALLOCATION-COMPLETE after an ACCEPT with a new TMSI", m == bytes([0x0c]) + IMSI, m)

c, _ = srv.accept()
attach(c, True)
# an ACCEPT or a REJECT nobody asked for (associated, no update pending): refused, the association stays as it is
again = bytes([0x0a]) + IMSI + bytes.fromhex("040500f1100001") + bytes.fromhex("0e05f499887766")
c.sendall(again)
m = recv(c)
check("a second LOCATION-UPDATE-ACCEPT: STATUS, not compatible with the state, the new TMSI not taken",
      refused(m, 0x07, again), m)
reject = bytes([0x0b]) + IMSI + bytes.fromhex("0f0103")
c.sendall(reject)
m = recv(c)
check("a LOCATION-UPDATE-REJECT with no update pending: STATUS, not compatible with the state", refused(m, 0x07, reject), m)
# a message only an MME sends, and a STATUS without IMSI (osmo-msc's for a message that had none)
tmsi_cmpl = bytes([0x0c]) + IMSI
c.sendall(tmsi_cmpl)
m = recv(c)
check("a TMSI-REALLOCATION-COMPLETE from the MSC: STATUS, message unknown", refused(m, 0x0c, tmsi_cmpl), m)
c.sendall(bytes.fromhex("1d0801071b020c00"))
m = recv(c, 1.5)
check("a STATUS without IMSI: taken (logged), no answer, the link stays", m == b"", m)
# paging and, coalesced with nothing else, a text SMS; then the same CP-DATA twice in one segment
c.sendall(bytes([0x01]) + IMSI + bytes.fromhex("0203") + b"\x02vl" + bytes.fromhex("200102"))
m = recv(c)
check("paged: SERVICE-REQUEST, service indicator SMS, UE EMM mode idle",
      m and m[0] == 0x06 and ie(m, 0x20) == b"\x02" and ie(m, 0x25) == b"\x00", m)
text = dl(rp_data_mt(7, deliver(bytes.fromhex("e8329bfd06"), udl=5)))   # "hello", 7-bit
c.sendall(text + text + dl(rp_data_mt(8, deliver(b"\xe8\x32\x9b\xfd\x06", udl=5)), OTHER))
got = [nas_of(recv(c)) for _ in range(3)]
check("MT: CP-ACK, CP-DATA(RP-ACK MR 7), and a CP-ACK for the repeated CP-DATA",
      got == [bytes.fromhex("8904"), bytes.fromhex("8901020207"), bytes.fromhex("8904")], got)
m = recv(c, 1.5)
check("nothing for the other IMSI's message, nothing delivered twice", m == b"", m)
c.sendall(dl(bytes.fromhex("0904")))                    # CP-ACK of the RP-ACK: MT over

# OTA data download: the PoR (SEND SHORT MESSAGE) must wait until the MT transaction is over
c.sendall(dl(rp_data_mt(9, deliver(b"\x02\x70\x00" + ota, pid=0x7f, dcs=0xf6, udhi=True))))
cp_ack, rp_ack = nas_of(recv(c)), nas_of(recv(c))
check("OTA: CP-ACK, then RP-ACK MR 9 with the card's SMS-DELIVER-REPORT",
      cp_ack == bytes.fromhex("8904") and rp_ack[:5] == bytes.fromhex("8901") + bytes([rp_ack[2]]) + bytes.fromhex("0209")
      and rp_ack[5] == 0x41, (cp_ack, rp_ack))
m = recv(c, 1.5)
check("the PoR's RP-DATA waits for the network's CP-ACK of that RP-ACK", m == b"", m)
c.sendall(dl(bytes.fromhex("0904")))
mo = nas_of(recv(c))
ok = mo is not None and mo[0] == 0x09 and mo[1] == 0x01 and mo[3] == 0x00 and mo[5] == 0x00 and \
    mo[6:18] == bytes.fromhex("0b9121436587092143658709")     # RP-DA: sgs-smsc, 20 digits (the most there is)
rpud = mo[7 + mo[6]:] if ok else b"\x00"
t = rpud[1:]                                             # RP-User-Data: length, then the card's SMS-SUBMIT
check("then the PoR: CP-DATA TI 0, RP-DATA MS->N to the 20-digit sgs-smsc, SMS-SUBMIT to 12345, PID 7F, DCS F6, UD 02 71 00 ...",
      ok and rpud[0] == len(t) and t[0] & 0x41 == 0x41 and t[2:7] == bytes.fromhex("05912143f5")
      and t[7:9] == b"\x7f\xf6" and t[10:13] == b"\x02\x71\x00", mo.hex() if mo else mo)
ti = (mo[0] >> 4) & 7
c.sendall(dl(bytes([0x89 | ti << 4, 0x04])) + dl(bytes([0x89 | ti << 4, 0x01, 0x04, 0x05, mo[4], 0x01, 0x26])))
m = nas_of(recv(c))
check("an RP-ERROR (cause 38) for the MO is answered CP-ACK", m == bytes([0x09 | ti << 4, 0x04]), m)

# bytes that are not SGsAP: the handset drops the link, reconnects and attaches again
c.sendall(bytes.fromhex("44010203"))
m = recv(c)
check("not SGsAP: the handset closes the link", m is None, m)
c.close()
c, _ = srv.accept()
buf = b""
attach(c, False)
print("ready", flush=True)
m = recv(c, 15)
check("switched off: IMSI-DETACH-INDICATION, combined UE-initiated", m and m[0] == 0x13 and ie(m, 0x11) == b"\x02", m)
EOF
python3 "$D/msc.py" "$PORT" "$STAT" > "$D/msc.out" 2>&1 &
echo $! > "$D/msc.pid"
for ((i = 0; i < 100; i++)); do grep -q "^listening" "$D/msc.out" && break; sleep 0.05; done # no probe: one accept

cp uicc-applet/profiles/demo.json "$D/card.json"
cat > "$D/hs.cfg" <<EOF
line vty
 bind 127.0.0.1 $VTY
handset
 msisdn 1001
 card sim:$D/card.json,$D/card.img
 pin 1234
 auth k 465B5CE8B199B49FAA5F0A2EE238A6BC opc CD63CB71954A9F4E48A5994E37A02BAF
 sgs-link 127.0.0.1 $PORT tcp
 sgs-smsc 12345678901234567890
 state-file $D/state.json
 data-dir $D/data
EOF
"$B/bin/handset-sim" -c "$D/hs.cfg" -q > "$D/hs.log" 2>&1 &
echo $! > "$D/hs.pid"
for ((i = 0; i < 300; i++)); do grep -q "^ready" "$D/msc.out" && break; kill -0 "$(cat "$D/msc.pid")" 2> /dev/null || break; sleep 0.1; done
stop_pidfile "$D/hs.pid"
for ((i = 0; i < 100; i++)); do kill -0 "$(cat "$D/msc.pid")" 2> /dev/null || break; sleep 0.1; done
sed -n 's/^ok /ok - /p; s/^fail /not ok - /p' "$D/msc.out"
grep -q "^fail\|Traceback" "$D/msc.out" && sed 's/^/# /' "$D/msc.out" | grep -v "^# ok"
python3 - "$D/data/inbox.json" <<'EOF' && ok "the text SMS is in the inbox once" || not_ok "the text SMS is in the inbox once"
import json, sys
inbox = json.load(open(sys.argv[1]))
assert [m["text"] for m in inbox] == ["hello"], inbox
EOF
N=$(grep -c "^ok" "$D/msc.out")
[ "$N" = 20 ] && ok "all 20 checks of the scripted MSC passed" || not_ok "all 20 checks of the scripted MSC passed ($N)"
! grep -qiE "segmentation|sanitizer|runtime error" "$D/hs.log" && ok "no crash in the handset log" ||
	not_ok "no crash in the handset log"
[ "$TAP_FAILS" = 0 ] && ! grep -q "^fail" "$D/msc.out"
