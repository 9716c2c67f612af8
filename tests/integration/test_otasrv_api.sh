#!/usr/bin/env bash
# Integration test of ota-server over real HTTPS and SMPP: a test CA, server and operator certificates and a CRL
# made here with the openssl command line; otactl and Python's http.client as clients; a Python SMSC + card peer that checks every
# packet with its own implementation of TS 102 225 (AES-CBC / AES-CMAC from python3-cryptography, not our codec)
# and answers like a card: PoRs with every status code, silence, counter checks. Covers the TLS profile, the
# authorisation matrix, card import errors, the command lifecycle, resend and expiry, supervised counter
# resynchronisation, bad input, rate limits and audit tampering. Prints TAP lines "ok - NAME" / "not ok - NAME".
#
# Sourced with OTASRV_LIB_ONLY=1 it only defines the helpers (test_otasrv_crash.sh uses them).
set -u -o pipefail
B=${B:-build}
OTACTL=$PWD/$B/bin/otactl
OTASRV=$PWD/$B/bin/ota-server
failures=0

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	local line
	for line in "$@"; do echo "#   $line"; done
	failures=$((failures + 1))
}
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "command: $*"; fi; }

free_port() {
	local p
	for ((p = 20000 + ($$ * 13 + RANDOM) % 30000; ; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
}

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# make_pki DIR: CA, server cert, operator certs (CN = name, OU = role), one revoked, one from a stranger CA, CRL.
make_pki() {
	local d=$1 n r u
	(
		cd "$d" || exit 1
		cat > ext.cnf <<'EOF'
[srv]
basicConstraints=CA:FALSE
subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth
[cli]
basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth
[ca]
database=ca.db/index.txt
crlnumber=ca.db/crlnumber
default_md=sha256
default_crl_days=30
EOF
		for ca in ca stranger; do
			openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 30 \
				-subj "/CN=simguard $ca" -addext "basicConstraints=critical,CA:TRUE" \
				-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || exit 1
		done
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 30 \
			-extfile ext.cnf -extensions srv 2>/dev/null || exit 1
		for u in agent1:agent:ca super1:supervisor:ca super2:supervisor:ca revoked:supervisor:ca \
			intruder:supervisor:stranger janitor:janitor:ca leaver:agent:ca; do
			IFS=: read -r n r ca <<< "$u"
			openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj "/CN=$n/OU=$r" 2>/dev/null
			openssl x509 -req -in $n.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -out $n.pem -days 30 \
				-extfile ext.cnf -extensions cli 2>/dev/null || exit 1
		done
		# an X.509 v1 certificate (no extensions) of the right CA, with a role
		openssl req -newkey rsa:2048 -nodes -keyout oldstyle.key -out oldstyle.csr -subj "/CN=oldstyle/OU=supervisor" \
			2>/dev/null
		openssl x509 -req -in oldstyle.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out oldstyle.pem -days 30 \
			2>/dev/null || exit 1
		mkdir -p ca.db && touch ca.db/index.txt && echo 01 > ca.db/crlnumber
		printf '[ca]\ndefault_ca=tca\n[tca]\ndatabase=ca.db/index.txt\ncrlnumber=ca.db/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' > ca.cnf
		openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke revoked.pem 2>/dev/null || exit 1
		openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl -out crl.pem 2>/dev/null || exit 1
		head -c 32 /dev/urandom > master.key && chmod 600 master.key
	)
}

# write_peer FILE: the SMSC + card stand-in. Cards and their behaviour come from a JSON file it rereads for each
# packet: {"MSISDN": {"kic": HEX, "kid": HEX, "do": "ok" | "status:XX" | "result:XX" | "silent" | "short-then-ok",
# "cntr": last counter seen}}. Every packet is logged as a JSON line (msisdn, cntr, verified, data, answer).
# Optional 4th argument: a delay before each submit_sm_resp; the most submit_sm unanswered at once goes to
# LOG.window (the ESME's window, seen from the SMSC).
write_peer() {
	cat > "$1" <<'PYEOF'
import json, os, queue, socket, struct, sys, threading, time
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

port, cards_file, log_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
resp_delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0   # s before each submit_sm_resp (an SMSC's latency)
window_max = [0]   # most submit_sm seen unanswered on one connection, written to LOG.window
lock = threading.Lock()
seen = {}      # msisdn -> highest counter accepted, like a card's stored counter (mode "higher")
msgid = [1000]

def log(rec):
    with open(log_file, "a") as f:
        f.write(json.dumps(rec) + "\n")

def aes_cbc(key, data, enc):
    c = Cipher(algorithms.AES(key), modes.CBC(bytes(16)))
    o = c.encryptor() if enc else c.decryptor()
    return o.update(data) + o.finalize()

def aes_cmac8(key, data):
    m = cmac.CMAC(algorithms.AES(key)); m.update(data); return m.finalize()[:8]

def cstr(b, i):
    j = b.index(b"\0", i); return b[i:j].decode(), j + 1

def parse_submit(body):
    i = 0
    _, i = cstr(body, i); i += 2; src, i = cstr(body, i); i += 2; dst, i = cstr(body, i)
    esm, pid = body[i], body[i + 1]; i += 3; _, i = cstr(body, i); _, i = cstr(body, i); regdel = body[i]; i += 2
    dcs = body[i]; i += 2
    n = body[i]; i += 1; ud = body[i:i + n]; i += n
    while i + 4 <= len(body):
        tag, ln = struct.unpack(">HH", body[i:i + 4]); v = body[i + 4:i + 4 + ln]; i += 4 + ln
        if tag == 0x0424: ud = v
    return dst, ud, {"esm": esm, "pid": pid, "regdel": regdel, "dcs": dcs}

def pdu(cmd, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body

def deliver(src, esm, ud, tlvs=b""):
    body = b"\0" + bytes([1, 1]) + src.encode() + b"\0" + bytes([0, 1]) + b"12345\0" + bytes([esm, 0x7F, 0]) + \
        b"\0\0" + bytes([0, 0, 0xF6, 0, len(ud)]) + ud + tlvs
    return body

def verify(card, pkt):
    """Our own TS 102 225 receiving side (AES KIc/KID 22, SPI 16 39): returns (cntr, data) or raises."""
    cpl = struct.unpack(">H", pkt[0:2])[0]
    assert cpl == len(pkt) - 2, "CPL"
    chl, spi, kic, kid, tar = pkt[2], pkt[3:5], pkt[5], pkt[6], pkt[7:10]
    assert chl == 0x15 and spi[0] & 0x16 == 0x16 and kic & 0x0F == 2 and kid & 0x0F == 2, "header"
    plain = aes_cbc(bytes.fromhex(card["kic"]), pkt[10:], False)
    cntr, pcntr, cc, rest = plain[0:5], plain[5], plain[6:14], plain[14:]
    want = aes_cmac8(bytes.fromhex(card["kid"]), pkt[0:10] + cntr + bytes([pcntr]) + rest)
    assert want == cc, "CC"
    return int.from_bytes(cntr, "big"), rest[:len(rest) - pcntr], tar, spi

def por(card, tar, cntr, status, data, secured=True):
    if not secured:     # an error PoR: no checksum, not ciphered (what real cards send for security failures)
        rest = bytes(tar) + cntr.to_bytes(5, "big") + bytes([0, status])
        return b"\x02\x71\x00" + struct.pack(">H", 1 + len(rest)) + bytes([10]) + rest
    pad = (16 - (5 + 1 + 1 + 8 + len(data)) % 16) % 16
    rpl = 1 + 18 + len(data) + pad
    head = b"\x02\x71\x00" + struct.pack(">H", rpl) + bytes([0x12]) + bytes(tar)
    c5 = cntr.to_bytes(5, "big")
    cc = aes_cmac8(bytes.fromhex(card["kid"]), head + c5 + bytes([pad, status]) + data + bytes(pad))
    enc = aes_cbc(bytes.fromhex(card["kic"]), c5 + bytes([pad, status]) + cc + data + bytes(pad), True)
    return head + enc

# GSM 7-bit default alphabet (TS 23.038 6.2.1), one septet per octet as SMPP data_coding 0 carries it
GSM = ("@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9"
       "\u03a0\u03a8\u03a3\u0398\u039e\x1b\u00c6\u00e6\u00df\u00c9 !\"#\u00a4%&'()*+,-./0123456789:;<=>?\u00a1"
       "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz"
       "\u00e4\u00f6\u00f1\u00fc\u00e0")
GSM_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
           0x65: "\u20ac"}

def gsm_text(ud):
    out, esc = "", False
    for b in ud:
        if esc: out += GSM_EXT.get(b, " "); esc = False
        elif b == 0x1B: esc = True
        else: out += GSM[b & 0x7F]
    return out

def text_sms(ud, esm, dcs):
    """A text SMS to a person: its concatenation IE [ref, total, seq] (TS 23.040, 8-bit reference) or None, and
    its text - GSM 7-bit one septet per octet (data_coding 0) or UCS-2 (8)."""
    concat, body = None, ud
    if esm & 0x40:
        udh, body = ud[1:ud[0] + 1], ud[ud[0] + 1:]
        i = 0
        while i + 2 <= len(udh):
            if udh[i] == 0x00 and udh[i + 1] == 3: concat = list(udh[i + 2:i + 5])
            i += 2 + udh[i + 1]
    return concat, body.decode("utf-16-be") if dcs == 8 else gsm_text(body)

def receipt(dst, mid, state):
    stat = "DELIVRD" if state == 2 else "UNDELIV"
    return deliver(dst, 0x04, ("id:%s sub:001 dlvrd:001 stat:%s" % (mid, stat)).encode(),
                   struct.pack(">HH", 0x001E, len(mid) + 1) + mid.encode() + b"\0" + struct.pack(">HHB", 0x0427, 1, state))

def answer(conn, dst, ud, mid, sm):
    with open(cards_file) as f:
        cards = json.load(f)
    card = cards.get(dst)
    rec = {"msisdn": dst, "msgid": mid}
    if card is None and sm["pid"] == 0 and sm["dcs"] in (0, 8):     # a text SMS to a person's phone
        concat, text = text_sms(ud, sm["esm"], sm["dcs"])
        rec.update(sm, text=text, concat=concat); log(rec)
        return [receipt(dst, mid, 2)] if sm["regdel"] & 1 else []
    if card is None or ud[:3] != b"\x02\x70\x00":
        rec["error"] = "not an OTA packet for a known card"; log(rec); return []
    try:
        cntr, data, tar, spi = verify(card, ud[3:])
    except Exception as e:
        rec["verified"] = False; rec["error"] = str(e); log(rec); return []
    rec.update(verified=True, cntr=cntr, data=data.hex(), tar=tar.hex())
    last = seen.get(dst, card.get("cntr", 0))
    out = [receipt(dst, mid, 2)]
    do = card.get("do", "ok")
    if cntr <= last:
        rec["reused_or_low"] = last; do = "status:02"
    else:
        seen[dst] = cntr
    rec["answer"] = do
    log(rec)
    if do == "silent":
        return out
    if do.startswith("status:"):
        st = int(do[7:], 16)
        secured = st in (0, 7, 8, 0x0B, 0x0C)
        return out + [deliver(dst, 0x40, por(card, tar, cntr, st, b"" if st else b"OK", secured))]
    if do.startswith("result:"):
        return out + [deliver(dst, 0x40, por(card, tar, cntr, 0, do[7:].encode()))]
    if do == "short-then-ok":
        return out + [deliver(dst, 0x40, por(card, tar, cntr, 0x0B, b"")),
                      deliver(dst, 0x40, por(card, tar, cntr, 0, b"OK\x90\x01\x01"))]
    if tar[0] == 0xB0:  # remote file management (TS 102 226 compact): executed 1, SW 90 00
        return out + [deliver(dst, 0x40, por(card, tar, cntr, 0, b"\x01\x90\x00"))]
    return out + [deliver(dst, 0x40, por(card, tar, cntr, 0, b"OK"))]

def serve(conn):
    seq, inflight, send_lock, q = [1], [0], threading.Lock(), queue.Queue()
    buf = b""

    def settle(sq, body):   # submit_sm_resp, then what the card and the network answer
        with lock:
            msgid[0] += 1; mid = "%010d" % msgid[0]
        dst, ud, sm = parse_submit(body)
        with send_lock:
            conn.sendall(pdu(0x80000004, sq, mid.encode() + b"\0"))
            for b in answer(conn, dst, ud, mid, sm):
                seq[0] += 1
                conn.sendall(pdu(0x05, seq[0], b))

    def held():             # with a response delay: submits answered in arrival order, each after the delay
        while True:
            due, sq, body = q.get()
            time.sleep(max(0.0, due - time.time()))
            with lock:      # counted out before the answer leaves: never more than the ESME itself counts
                inflight[0] -= 1
            try:
                settle(sq, body)
            except OSError:
                return

    if resp_delay:
        threading.Thread(target=held, daemon=True).start()
    while True:
        while len(buf) < 16 or len(buf) < struct.unpack(">I", buf[:4])[0]:
            d = conn.recv(65536)
            if not d: return
            buf += d
        n, cmd, st, sq = struct.unpack(">IIII", buf[:16]); body = buf[16:n]; buf = buf[n:]
        if cmd in (0x09, 0x15, 0x06):
            with send_lock:
                conn.sendall(pdu(0x80000000 | cmd, sq, b"PEER\0" if cmd == 0x09 else b""))
            if cmd == 0x06: return
        elif cmd == 0x04 and resp_delay:
            with lock:
                inflight[0] += 1
                if inflight[0] > window_max[0]:
                    window_max[0] = inflight[0]
                    open(log_file + ".window", "w").write("%d\n" % window_max[0])
            q.put((time.time() + resp_delay, sq, body))
        elif cmd == 0x04:
            settle(sq, body)

s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(4)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
}

# peer_counters_fresh LOG: every packet the cards of write_peer's peer verified came with a counter above the
# card's last one, and no counter twice to one card (the number of packets seen goes to stderr as a TAP comment).
peer_counters_fresh() {
	python3 - "$1" <<'EOF'
import collections, json, sys
seen = collections.defaultdict(set)
for l in open(sys.argv[1]):
    r = json.loads(l)
    if not r.get("verified"):
        continue
    assert "reused_or_low" not in r, r
    assert r["cntr"] not in seen[r["msisdn"]], r
    seen[r["msisdn"]].add(r["cntr"])
print("# packets seen by the cards: %d" % sum(len(s) for s in seen.values()), file=sys.stderr)
EOF
}

# write_cfg FILE DIR HTTP_PORT VTY_PORT SMPP_PORT [EXTRA OTA LINES...]
write_cfg() {
	local f=$1 d=$2 hp=$3 vp=$4 sp=$5
	shift 5
	cat > "$f" <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging print level 1
 logging level all info
line vty
 bind 127.0.0.1 $vp
database
 uri sqlite:$d/ota.db
 master-key-file $d/master.key
 instance-id test-1
http
 listen 127.0.0.1 $hp
 certificate $d/server.pem
 private-key $d/server.key
 client-ca $d/ca.pem
 crl $d/crl.pem
smpp
 remote 127.0.0.1 $sp
 system-id otasrv
 password secret
 window 20
 throughput 1000
owners
 argon2 time 1 memory 64 lanes 1
 lockout failures 3 time 600
limits
 login 10 per 60
 commands 1000 per 60
ota
 default-tar C10001
 default-spi 1639
EOF
	printf ' %s\n' "$@" >> "$f"
}

totp() { # totp BASE32SECRET: RFC 6238 SHA-1, 6 digits, computed here (not by the server's liboath)
	python3 -c 'import base64,hmac,struct,sys,time
s=sys.argv[1]; k=base64.b32decode(s+"="*(-len(s)%8))
h=hmac.new(k,struct.pack(">Q",int(time.time())//30),"sha1").digest(); o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$1"
}

run() { OUT=$("$@" 2>"$tmp/err"); RC=$?; ERR=$(cat "$tmp/err"); }
# has TEXT CMD...: CMD's output contains TEXT (read whole, so a large output cannot fail the pipe)
has() { local want=$1 out; shift; out=$("$@" 2>/dev/null); [[ "$out" == *"$want"* ]]; }
# as WHO OTACTL-ARGS...: otactl with the client certificate $tmp/WHO.pem; as_owner TOKEN OTACTL-ARGS...: with an
# owner's session token
as() { local who=$1; shift; OTACTL_CERT=$tmp/$who.pem OTACTL_KEY=$tmp/$who.key "$OTACTL" "$@"; }
as_owner() { local token=$1; shift; OTACTL_TOKEN=$token "$OTACTL" "$@"; }
# operator_cert WHO CN ROLE: a client certificate $tmp/WHO.pem (key $tmp/WHO.key) of the test CA (after make_pki);
# CN may hold \xHH escapes (UTF-8 names).
operator_cert() {
	(cd "$tmp" && openssl req -utf8 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "/CN=$(printf "$2")/OU=$3" 2>/dev/null && openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
		-CAcreateserial -out "$1.pem" -days 30 -extfile ext.cnf -extensions cli 2>/dev/null)
}
# WHO:CN of two operators whose names make an owner's notification longer than one SMS: gsmop's 63 bytes are 119
# septets (the GSM extension table's characters take two), ucsop's name needs UCS-2 (ë, the en dash).
LONG_NAME_OPERATORS=('gsmop:S\xc3\xb8ren{[~]}|^{[~]}|^{[~]}|^{[~]}|^{[~]}|^{[~]}|^{[~]}|^{[~]}|^{'
	'ucsop:Zo\xc3\xab \xc3\x98rsted \xe2\x80\x93 nachtdienst, bureau 4')

# otasrv_setup: a temp dir $tmp with the test PKI and the card peer script, three free ports (HP: HTTPS, VP: VTY,
# SP: the peer's SMPP); at exit every pid in pids is killed (with OTASRV_KILL, e.g. -9) and $tmp removed.
otasrv_cleanup() {
	local p
	for p in "${pids[@]}"; do kill ${OTASRV_KILL:-} "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
otasrv_setup() {
	tmp=$(mktemp -d)
	pids=()
	trap otasrv_cleanup EXIT
	make_pki "$tmp" || { not_ok "test PKI made with openssl"; exit 1; }
	HP=$(free_port); VP=$(free_port); SP=$(free_port)
	while [ "$VP" = "$HP" ]; do VP=$(free_port); done
	while [ "$SP" = "$HP" ] || [ "$SP" = "$VP" ]; do SP=$(free_port); done
	write_peer "$tmp/peer.py"
}

# otasrv_start: the card peer (cards from $tmp/cards.json, log $tmp/peer.log) and ota-server on $tmp/ota.cfg (log
# $tmp/server.log, SRV_PID), otactl pointed at it; a "not ok" and exit when either does not listen.
otasrv_start() {
	python3 "$tmp/peer.py" "$SP" "$tmp/cards.json" "$tmp/peer.log" 2> "$tmp/peer.err" &
	pids+=($!)
	"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
	SRV_PID=$!
	pids+=($SRV_PID)
	if ! wait_port "$HP" || ! wait_port "$SP"; then
		not_ok "ota-server and peer listen" "$(tail -5 "$tmp/server.log")" "$(tail -5 "$tmp/peer.err")"
		exit 1
	fi
	export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem
}

[ "${OTASRV_LIB_ONLY:-0}" = 1 ] && return 0

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP" "retry-interval 2" "deadline 6" "notify-sms-tries 3"

K1=000102030405060708090A0B0C0D0E0F
K2=101112131415161718191A1B1C1D1E1F
# cards: 4917100001.. (one per behaviour); 4917100050 starts with a counter the card is already past
python3 - "$tmp" "$K1" "$K2" <<'EOF'
import json, sys
d, k1, k2 = sys.argv[1:4]
cards, rows = {}, ["ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,CNTR1,KI"]
# every PoR status of TS 102 225 (01..0C) and two beyond them (reserved: 0D, 21)
names = ["ok", "ok", "silent", "short-then-ok", "result:OL"] + ["status:%02X" % s for s in [*range(1, 13), 0x0D, 0x21]]
for i, do in enumerate(names, 1):
    msisdn = "49171%05d" % i
    cards[msisdn] = {"kic": k1, "kid": k2, "do": do}
    rows.append("89490000000000%05d,26201%010d,%s,%s,%s,aes,0,00112233445566778899AABBCCDDEEFF" % (i, i, msisdn, k1, k2))
cards["4917100050"] = {"kic": k1, "kid": k2, "do": "ok", "cntr": 500}
rows.append("8949000000000000050,262010000000050,4917100050,%s,%s,aes,7," % (k1, k2))
open(d + "/cards.json", "w").write(json.dumps(cards))
open(d + "/cards.csv", "w").write("\n".join(rows) + "\n")
EOF
ICCID() { printf '89490000000000%05d' "$1"; }

python3 "$tmp/peer.py" "$SP" "$tmp/cards.json" "$tmp/peer.log" 2> "$tmp/peer.err" &
pids+=($!)
# another test on this machine may take a port between free_port and the server's bind: then other ports
for attempt in 1 2 3; do
	"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
	SRV_PID=$!
	pids+=($SRV_PID)
	wait_port "$HP" && break
	grep -q "cannot listen\|cannot bind\|Address already in use" "$tmp/server.log" || break
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	echo "# ports taken meanwhile, trying others: $(tail -1 "$tmp/server.log")"
	old_hp=$HP old_vp=$VP
	HP=$(free_port); VP=$(free_port)
	while [ "$VP" = "$HP" ] || [ "$VP" = "$SP" ]; do VP=$(free_port); done
	sed -i "s/^ listen 127.0.0.1 $old_hp\$/ listen 127.0.0.1 $HP/; s/^ bind 127.0.0.1 $old_vp\$/ bind 127.0.0.1 $VP/" "$tmp/ota.cfg"
done
if ! wait_port "$HP" || ! wait_port "$SP"; then
	not_ok "ota-server and peer listen" "$(tail -5 "$tmp/server.log")" "$(tail -5 "$tmp/peer.err")"
	exit 1
fi
ok "ota-server -c FILE serves HTTPS with the test PKI"

export OTACTL_SERVER=https://127.0.0.1:$HP OTACTL_CA=$tmp/ca.pem

# ---- TLS profile (X.1127 Appendix V) ----
tls() { echo | openssl s_client -connect "127.0.0.1:$HP" -CAfile "$tmp/ca.pem" "$@" 2>&1 || true; }
tls_refused() { [[ "$(tls "$@")" == *"Cipher is (NONE)"* ]]; }
check "TLS 1.1 refused" tls_refused -tls1_1
check "SHA-1 HMAC suite refused" tls_refused -tls1_2 -cipher AES128-SHA
check "TLS_RSA_WITH_AES_128_CBC_SHA256 off by default" tls_refused -tls1_2 -cipher AES128-SHA256
[[ "$(tls -tls1_2)" =~ Cipher\ is\ ECDHE-RSA-AES[0-9]*-GCM ]] && ok "TLS 1.2 negotiates an ECDHE AEAD suite" ||
	not_ok "TLS 1.2 negotiates an ECDHE AEAD suite"

# ---- card import ----
printf 'ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1\n8949000000000000999,262010000000999,4917100999,%s,%s,aes\n8949X,1,2,00,00,aes\n' "$K1" "$K2" > "$tmp/bad.csv"
run as super1 cards import "$tmp/bad.csv"
[ "$RC" = 2 ] && [[ "$ERR" == *"line 3: ICCID"* ]] && ok "bad CSV line: exit 2, line and column named" ||
	not_ok "bad CSV line: exit 2, line and column named" "rc=$RC" "$ERR"
run as super1 cards show 8949000000000000999
[ "$RC" = 2 ] && ok "a refused import writes nothing" || not_ok "a refused import writes nothing" "rc=$RC $OUT"
run as agent1 cards import "$tmp/cards.csv"
[ "$RC" = 2 ] && [[ "$ERR" == *"403"* ]] && ok "agent may not import cards" || not_ok "agent may not import cards" "$RC $ERR"
run as super1 cards import "$tmp/cards.csv"
[ "$RC" = 0 ] && [[ "$OUT" == "20 cards imported" ]] && ok "supervisor imports the card CSV" ||
	not_ok "supervisor imports the card CSV" "$RC $OUT $ERR"
run as super1 --json cards show "$(ICCID 1)"
[ "$RC" = 0 ] && ! grep -qi "$K1\|00112233445566778899" <<< "$OUT" && ok "card shown without keys or Ki" ||
	not_ok "card shown without keys or Ki" "$OUT"
! grep -qi "$K1" "$tmp/server.log" && ok "keys never logged" || not_ok "keys never logged"

# ---- owners, devices ----
printf 'alice horse battery staple\n' > "$tmp/alice.pw"
printf 'bob horse battery staple\n' > "$tmp/bob.pw"
run as agent1 owners add alice --password-file "$tmp/alice.pw" --notify-msisdn 4917699001
ALICE_SECRET=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<< "$OUT")
[ "$RC" = 0 ] && [ -n "$ALICE_SECRET" ] && ok "owner enrolment answers an otpauth:// URI" ||
	not_ok "owner enrolment answers an otpauth:// URI" "$OUT $ERR"
run as agent1 owners add bob --password-file "$tmp/bob.pw"
BOB_SECRET=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<< "$OUT")
as agent1 devices add "$(ICCID 1)" --owner alice > /dev/null &&
	as agent1 devices add "$(ICCID 2)" --owner bob --imei 356938035643809 > /dev/null && as agent1 devices add "$(ICCID 3)" --owner alice > /dev/null &&
	ok "devices registered to owners" || not_ok "devices registered to owners"
run "$OTACTL" owners login alice --password-file "$tmp/alice.pw" --code "$(totp "$ALICE_SECRET")"
ALICE=$OUT
[ "$RC" = 0 ] && [ ${#ALICE} = 64 ] && ok "owner login with password + TOTP (RFC 6238 computed independently)" ||
	not_ok "owner login with password + TOTP (RFC 6238 computed independently)" "$OUT $ERR"
run "$OTACTL" owners login alice --password-file "$tmp/bob.pw" --code "$(totp "$ALICE_SECRET")"
[ "$RC" = 2 ] && [[ "$ERR" == *"401"* ]] && ok "wrong password: 401" || not_ok "wrong password: 401" "$RC $ERR"
BOB=$("$OTACTL" owners login bob --password-file "$tmp/bob.pw" --code "$(totp "$BOB_SECRET")")
# lockout: 3 failures (the configured limit) lock carol's account; then even the right password and code fail
printf 'carol horse battery staple\n' > "$tmp/carol.pw"
CAROL_SECRET=$(as agent1 owners add carol --password-file "$tmp/carol.pw" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
for i in 1 2 3; do "$OTACTL" owners login carol --password-file "$tmp/bob.pw" --code "$(totp "$CAROL_SECRET")" 2>/dev/null; done
run "$OTACTL" owners login carol --password-file "$tmp/carol.pw" --code "$(totp "$CAROL_SECRET")"
[ "$RC" = 2 ] && [[ "$ERR" == *"429"*"account locked"* ]] && [ -n "$CAROL_SECRET" ] &&
	as agent1 --json owners list | python3 -c 'import json,sys
r = json.load(sys.stdin); l = r["owners"] if isinstance(r, dict) else r
assert [o for o in l if o["name"] == "carol"][0]["locked_until"] > 0' &&
	ok "owner locked out after 3 failed logins: the right password and code refused too" ||
	not_ok "owner locked out after 3 failed logins: the right password and code refused too" "$RC $OUT $ERR"

# ---- authorisation matrix ----
expect() { # expect NAME WANT_RC STDERR_PART CMD...
	local name=$1 want=$2 part=$3
	shift 3
	run "$@"
	if [ "$RC" = "$want" ] && [[ "$ERR$OUT" == *"$part"* ]]; then ok "$name"; else not_ok "$name" "rc=$RC want $want" "$OUT" "$ERR"; fi
}
expect "no certificate, no token: 401" 2 "401" "$OTACTL" devices list
expect "revoked client certificate: 403" 2 "certificate revoked" as revoked cards list
expect "certificate of another CA: 403" 2 "client certificate refused" as intruder cards list
expect "certificate without a role: 403" 2 "no role" as janitor cards list
expect "X.509 v1 certificate of the right CA: 403" 2 "not X.509 v3" as oldstyle cards list
# an operator leaves: the CA revokes the certificate and publishes a new CRL while the server runs
expect "operator leaver accepted before the revocation" 0 "" as leaver cards list
(cd "$tmp" && openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke leaver.pem 2>/dev/null &&
	openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl -out crl.new 2>/dev/null && mv crl.new crl.pem)
for ((i = 0; i < 75; i++)); do
	run as leaver cards list
	[[ "$ERR" == *"certificate revoked"* ]] && break
	sleep 0.2
done
[ "$RC" = 2 ] && [[ "$ERR" == *"403"*"certificate revoked"* ]] && grep -q "new CRL in force" "$tmp/server.log" &&
	ok "a CRL published while the server runs is in force without a restart" ||
	not_ok "a CRL published while the server runs is in force without a restart" "$RC $ERR"
cp "$tmp/crl.pem" "$tmp/crl.good"
printf 'not a CRL\n' > "$tmp/crl.new" && mv "$tmp/crl.new" "$tmp/crl.pem"
for ((i = 0; i < 75; i++)); do grep -q "no CRL in it" "$tmp/server.log" && break; sleep 0.2; done
grep -q "no CRL in it" "$tmp/server.log" && expect "a broken CRL file is reported, the last good CRL stays in force" \
	2 "certificate revoked" as leaver cards list ||
	not_ok "a broken CRL file is reported, the last good CRL stays in force"
mv "$tmp/crl.good" "$tmp/crl.pem"
expect "owner A on own device: accepted" 0 "queued" as_owner "$ALICE" commands send "$(ICCID 1)" status
expect "owner A on owner B's device: 403" 2 "not a device of yours" as_owner "$ALICE" commands send "$(ICCID 2)" lock
expect "owner B cannot read owner A's command list entries" 0 "" as_owner "$BOB" commands list
[[ "$OUT" != *"$(ICCID 1)"* ]] && ok "owner B sees none of owner A's commands" || not_ok "owner B sees none of owner A's commands" "$OUT"
expect "agent: ring accepted" 0 "queued" as agent1 commands send "$(ICCID 1)" ring --duration 30
expect "agent: disable refused" 2 "not allowed for this role" as agent1 commands send "$(ICCID 1)" disable
expect "agent: wipe refused" 2 "not allowed for this role" as agent1 commands send "$(ICCID 1)" wipe
expect "operator lock" 0 "queued" as agent1 commands send "$(ICCID 3)" lock --message "Found? Call us"
printf 'my unlock secret\n' > "$tmp/secret"
expect "owner cannot lift an operator lock" 2 "operator lock" as_owner "$ALICE" commands send "$(ICCID 3)" unlock --secret-file "$tmp/secret"
expect "opt-out without the owner's secret: 400" 2 "secret" as_owner "$ALICE" commands send "$(ICCID 1)" opt-out
expect "supervisor disable waits for approval" 0 "awaiting_approval" as super1 commands send "$(ICCID 2)" disable
DIS_ID=$(sed -n 's/command \([0-9]*\) .*/\1/p' <<< "$OUT")
expect "the same supervisor cannot approve" 2 "second operator" as super1 commands approve "$DIS_ID"
expect "an agent cannot approve a disable" 2 "403" as agent1 commands approve "$DIS_ID"
expect "a second supervisor approves" 0 "queued" as super2 commands approve "$DIS_ID"
expect "supervisor wipe waits for approval too" 0 "awaiting_approval" as super1 commands send "$(ICCID 16)" wipe
WIPE_ID=$(sed -n 's/command \([0-9]*\) .*/\1/p' <<< "$OUT")
expect "an agent cannot approve a wipe" 2 "403" as agent1 commands approve "$WIPE_ID"
has '"state": "awaiting_approval"' as super1 --json commands status "$WIPE_ID" && ! grep -q '"4917100016"' "$tmp/peer.log" &&
	ok "nothing is sent before the second approval" || not_ok "nothing is sent before the second approval"
expect "agent: remote file management refused" 2 "not allowed for this role" \
	as agent1 commands send "$(ICCID 1)" rfm --tar B00010 --apdus 00A40004023F00
# post_raw BODYFILE: POST the bytes as they are (as supervisor) to a command endpoint; prints "STATUS BODY".
post_raw() {
	python3 - "$tmp" "$HP" "$(ICCID 1)" "$1" <<'EOF'
import http.client, ssl, sys
d, port, iccid, f = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/super1.pem", d + "/super1.key")
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx)
c.request("POST", "/v1/devices/%s/commands" % iccid, open(f, "rb").read(), {"Content-Type": "application/json"})
r = c.getresponse()
print(r.status, r.read().decode())
EOF
}
raw_case() { # raw_case NAME BODY WANT_STATUS WANT_TEXT
	printf '%s' "$2" > "$tmp/raw"
	local out
	out=$(post_raw "$tmp/raw")
	[[ "$out" == "$3 "*"$4"* ]] && ok "$1" || not_ok "$1" "$out"
}
raw_case "unknown field: 400 naming it" '{"command":"ring","colour":"red"}' 400 "colour: unknown field"
raw_case "wrong type: 400 naming the field" '{"command":"ring","duration":"60"}' 400 "duration: an integer"
raw_case "malformed JSON: 400 with position" '{"command":"ring",' 400 "body: line 1"
raw_case "duplicate key: 400" '{"command":"ring","command":"lock"}' 400 "duplicate"
raw_case "not an object: 400" '["ring"]' 400 "object is expected"
head -c 70000 /dev/zero | tr '\0' ' ' > "$tmp/big"
out=$(post_raw "$tmp/big")
[[ "$out" == "413 "* ]] && ok "oversized JSON: 413" || not_ok "oversized JSON: 413" "${out:0:200}"

# ---- lifecycle against the card peer ----
wait_state() { # wait_state ID STATE...: until the command is in one of the states (max 15 s)
	local id=$1 i st
	shift
	for ((i = 0; i < 75; i++)); do
		st=$(as super1 --json commands status "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
		for s in "$@"; do [ "$st" = "$s" ] && return 0; done
		sleep 0.2
	done
	echo "# command $id stays $st" >&2
	return 1
}
send_id() { sed -n 's/command \([0-9]*\) .*/\1/p' <<< "$("$@")"; }

run as super1 commands send "$(ICCID 1)" lock --message "Lost phone" --wait --timeout 15
[ "$RC" = 0 ] && [[ "$OUT" == *confirmed* ]] && ok "lock: queued -> submitted -> delivered -> confirmed (commands send --wait)" ||
	not_ok "lock: queued -> submitted -> delivered -> confirmed (commands send --wait)" "$OUT" "$ERR"
grep -q '"msisdn": "4917100001", "msgid": "[0-9]*", "verified": true' "$tmp/peer.log" &&
	ok "the card peer verified the packet with its own AES-CMAC / AES-CBC" || not_ok "the card peer verified the packet with its own AES-CMAC / AES-CBC"
python3 - "$tmp/peer.log" <<'EOF' && ok "every packet to the peer carried LOCK/STAT/RING... with the origin TLV" || not_ok "packet data as the applet spec says"
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("verified"):
        d = bytes.fromhex(r["data"])
        assert d[:4] in (b"LOCK", b"STAT", b"RING", b"DSBL", b"UNLK", b"LOCA", b"MESG", b"WIPE"), d
        assert d[8:10] == b"\x80\x01" and d[10] in (1, 2), d
EOF

run as super1 --json commands send "$(ICCID 1)" rfm --tar B00010 --apdus 00A40004023F0000B0000010 --wait --timeout 15
python3 - "$OUT" "$tmp/peer.log" <<'EOF' && ok "rfm: the APDUs reach the RFM TAR as sent, the TS 102 226 result is stored" ||
import json, sys
r = json.loads(sys.argv[1])
assert r["state"] == "confirmed" and r["result"] == {"executed": 1, "sw": "9000", "data": ""}, r
pkts = [json.loads(l) for l in open(sys.argv[2]) if '"tar": "b00010"' in l]
assert len(pkts) == 1 and pkts[0]["data"] == "00a40004023f0000b0000010", pkts
EOF
	not_ok "rfm: the APDUs reach the RFM TAR as sent, the TS 102 226 result is stored" "$OUT" "$ERR"
# the approved disable of bob's device: confirmed by the card, its IMEI on the EIR block list
wait_state "$DIS_ID" confirmed && run as super1 cards blocklist --csv &&
	[[ "$OUT" == "IMEI,ICCID,MSISDN,SINCE"*"356938035643809,$(ICCID 2),4917100002,"* ]] &&
	has '"imei": "356938035643809"' as super2 --json cards blocklist &&
	ok "disable confirmed: the device's IMEI is on the block list (CSV and JSON)" ||
	not_ok "disable confirmed: the device's IMEI is on the block list (CSV and JSON)" "$OUT" "$ERR"

ids=()
for i in $(seq 5 19); do ids+=("$(send_id as agent1 commands send "$(ICCID "$i")" status)"); done
for i in $(seq 5 19); do
	id=${ids[$((i - 5))]}
	st=$(python3 -c "import json; print(json.load(open('$tmp/cards.json'))['49171%05d' % $i]['do'])")
	case $st in
	status:08 | status:0B | status:0C)
		# delivered and waiting for the result; with the short test deadline it may expire meanwhile
		if wait_state "$id" delivered expired &&
			has "\"code\": $((16#${st#status:}))" as super1 --json commands status "$id"; then
			ok "PoR $st -> delivered, result awaited"
		else
			not_ok "PoR $st -> delivered, result awaited"
		fi
		continue ;;
	esac
	if wait_state "$id" rejected; then ok "PoR $st -> rejected"; else not_ok "PoR $st -> rejected"; fi
done
has '"counter_state": "drift"' as super1 --json cards show "$(ICCID 7)" && ok "PoR 02 (counter low) flags the card for resync" ||
	not_ok "PoR 02 (counter low) flags the card for resync"
has '"counter_state": "blocked"' as super1 --json cards show "$(ICCID 9)" && ok "PoR 04 (counter blocked) marks the card blocked" ||
	not_ok "PoR 04 (counter blocked) marks the card blocked"
id=$(send_id as agent1 commands send "$(ICCID 4)" locate)
wait_state "$id" confirmed && ok "PoR 0B (result by SMS-SUBMIT) then the full PoR: confirmed" || not_ok "PoR 0B then full PoR: confirmed"
# silent card: resent with a fresh counter every 2 s, expired after 6 s
id=$(send_id as agent1 commands send "$(ICCID 3)" ring)
wait_state "$id" expired && ok "no PoR: expired at the deadline" || not_ok "no PoR: expired at the deadline"
python3 - "$tmp/peer.log" <<'EOF' && ok "no PoR: resent with a fresh, higher counter" || not_ok "no PoR: resent with a fresh, higher counter"
import json, sys
c = [json.loads(l)["cntr"] for l in open(sys.argv[1]) if '"4917100003"' in l and '"verified": true' in l]
assert len(c) >= 3 and c == sorted(set(c)), c
EOF

# counter drift: the card is at 500, we think 7 -> counter low -> supervised resync -> works
id=$(send_id as agent1 commands send 8949000000000000050 status)
wait_state "$id" rejected && has "counter resynchronisation needed" as super1 --json commands status "$id" &&
	ok "counter behind the card's: rejected, resync needed" || not_ok "counter behind the card's: rejected, resync needed"
expect "resync never goes back" 2 "never go back" as super1 cards resync 8949000000000000050 --kvn 1 --counter 3 --reason "card at 500"
expect "agent cannot resync" 2 "403" as agent1 cards resync 8949000000000000050 --kvn 1 --counter 600 --reason "card at 500"
expect "supervisor resyncs the counter" 0 "-> 600" as super1 cards resync 8949000000000000050 --kvn 1 --counter 600 --reason "card reported counter low"
id=$(send_id as agent1 commands send 8949000000000000050 status)
wait_state "$id" confirmed && ok "after resync the card accepts commands again" || not_ok "after resync the card accepts commands again"
expect "resync only after a drift report" 2 "only after" as super1 cards resync 8949000000000000050 --kvn 1 --counter 700 --reason again

python3 - "$tmp/peer.log" <<'EOF' && ok "no counter ever reused for any card" || not_ok "no counter ever reused for any card"
import collections, json, sys
seen = collections.defaultdict(set)
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("verified"):
        assert r["cntr"] not in seen[r["msisdn"]], r
        seen[r["msisdn"]].add(r["cntr"])
EOF

# campaign with live progress
printf '%s\n' "$(ICCID 1)" "$(ICCID 2)" "# comment" "" "8949000000000000050" > "$tmp/stolen.txt"
run as super1 commands campaign ring --iccids-file "$tmp/stolen.txt" --watch --timeout 20
[ "$RC" = 0 ] && [[ "$OUT" == *"3/3 finished - confirmed 3"* ]] && ok "campaign: 3 cards, watched to the end" ||
	not_ok "campaign: 3 cards, watched to the end" "$OUT" "$ERR"

has "lock by operator:super1" as_owner "$ALICE" devices notifications && ok "the owner is notified of every command on their device" ||
	not_ok "the owner is notified of every command on their device"
# two operators whose names make notifications longer than one SMS: GSM with the extension table, and UCS-2
for u in "${LONG_NAME_OPERATORS[@]}"; do
	IFS=: read -r n cn <<< "$u"
	operator_cert "$n" "$cn" agent
	id=$(send_id as $n commands send "$(ICCID 1)" locate)
	wait_state "$id" confirmed || not_ok "locate by $n confirmed"
done
# alice gave a notify number: each notification also went there once, as SMS - one, or concatenated parts -
# each with a receipt asked for, and the peer's receipts are kept
for ((i = 0; i < 50; i++)); do
	as_owner "$ALICE" --json devices notifications > "$tmp/notif.json" 2>/dev/null &&
		! grep -q '"sms": "\(waiting\|sent\)"' "$tmp/notif.json" && break
	sleep 0.2
done
python3 - "$tmp/notif.json" "$tmp/peer.log" <<'EOF' && ok "owner notifications also go by SMS to the owner's number, once each, delivered" ||
import collections, json, sys
notes = json.load(open(sys.argv[1]))["notifications"]
sms = [json.loads(l) for l in open(sys.argv[2]) if '"text"' in l]
assert notes and all(n["sms"] == "delivered" for n in notes), [n for n in notes if n["sms"] != "delivered"]
assert all(m["msisdn"] == "4917699001" and (m["pid"], m["regdel"]) == (0, 1) and m["dcs"] in (0, 8) and
           m["esm"] == (0x40 if m["concat"] else 0) for m in sms), sms
whole, parts = [], collections.defaultdict(dict)
for m in sms:
    if m["concat"]:
        ref, total, seq = m["concat"]
        assert seq not in parts[ref, total], m
        parts[ref, total][seq] = m["text"]
    else:
        whole.append(m["text"])
for (ref, total), p in parts.items():
    assert sorted(p) == list(range(1, total + 1)), (ref, total, sorted(p))
    whole.append("".join(p[i] for i in range(1, total + 1)))
want = collections.Counter(n["text"] for n in notes)
got = collections.Counter(whole)
assert want == got, (want - got, got - want)
assert any(m["concat"] and m["dcs"] == 0 for m in sms) and any(m["concat"] and m["dcs"] == 8 for m in sms), sms
print("# %d notifications, %d SMS (%d concatenated)" % (len(notes), len(sms), len(parts)), file=sys.stderr)
EOF
	not_ok "owner notifications also go by SMS to the owner's number, once each, delivered"
has "lock by operator:super1): requested (SMS: delivered)" as_owner "$ALICE" devices notifications &&
	ok "otactl devices notifications shows how far each SMS got" ||
	not_ok "otactl devices notifications shows how far each SMS got" "$(as_owner "$ALICE" devices notifications 2>&1 | head -3)"

# ---- rate limit on login ----
# a new name each time: no name reaches the lockout (also 429), the limit per client address answers
for i in 1 2 3 4 5 6 7 8 9 10 11; do "$OTACTL" owners login "nobody$i" --password-file "$tmp/bob.pw" --code 000000 > /dev/null 2> "$tmp/err"; done
grep -q "429: too many login requests" "$tmp/err" && ok "login attempts rate limited per client (429)" || not_ok "login attempts rate limited per client (429)" "$(cat "$tmp/err")"

# ---- VTY ----
vty_out=$(python3 - "$VP" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"show commands\r\n")
s.settimeout(0.5)
data, end = b"", time.time() + 5
while time.time() < end and b"cancelled" not in data:
    try:
        data += s.recv(4096)
    except socket.timeout:
        pass
print(data.decode(errors="replace"))
EOF
)
[[ "$vty_out" == *confirmed* && "$vty_out" == *expired* ]] && ok "VTY on loopback: show commands" || not_ok "VTY on loopback: show commands" "${vty_out:0:300}"

# ---- audit ----
run as super1 audit verify
[ "$RC" = 0 ] && [[ "$OUT" == "audit log intact"* ]] && ok "audit verify: intact" || not_ok "audit verify: intact" "$OUT $ERR"
has '"detail": "client certificate refused: certificate revoked"' as super1 --json audit list &&
	ok "denied requests are in the audit log" || not_ok "denied requests are in the audit log"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
grep -q "shutting down" "$tmp/server.log" && ok "SIGTERM: clean shutdown" || not_ok "SIGTERM: clean shutdown"
cp "$tmp/ota.db" "$tmp/copy.db"
run "$OTACTL" audit verify --db "$tmp/copy.db" --master-key "$tmp/master.key"
[ "$RC" = 0 ] && ok "offline audit verify on a copy: intact" || not_ok "offline audit verify on a copy: intact" "$OUT $ERR"
tamper() { sqlite3 "$tmp/copy.db" "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; $1"; }
tamper "UPDATE audit SET decision = 'allowed' WHERE detail LIKE '%revoked%'"
run "$OTACTL" audit verify --db "$tmp/copy.db" --master-key "$tmp/master.key"
[ "$RC" = 1 ] && [[ "$OUT" == *"does not verify"* ]] && ok "changed audit entry found" || not_ok "changed audit entry found" "$RC $OUT"
cp "$tmp/ota.db" "$tmp/copy.db"; tamper "DELETE FROM audit WHERE seq = 10"
run "$OTACTL" audit verify --db "$tmp/copy.db" --master-key "$tmp/master.key"
[ "$RC" = 1 ] && [[ "$OUT" == *"entry 10: entry 10 is missing"* ]] && ok "removed audit entry found" || not_ok "removed audit entry found" "$RC $OUT"
cp "$tmp/ota.db" "$tmp/copy.db"; tamper "UPDATE audit SET seq = -1 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -1"
run "$OTACTL" audit verify --db "$tmp/copy.db" --master-key "$tmp/master.key"
[ "$RC" = 1 ] && [[ "$OUT" == *"entry 5"* ]] && ok "reordered audit entries found" || not_ok "reordered audit entries found" "$RC $OUT"
# the same through the API, on a tampered live database
cp "$tmp/ota.db" "$tmp/copy.db"; tamper "UPDATE audit SET actor = 'operator:nobody' WHERE seq = 3"
cp "$tmp/copy.db" "$tmp/ota.db"; rm -f "$tmp/ota.db-wal" "$tmp/ota.db-shm"
sed -i 's/^ listen 127.0.0.1 [0-9]*$/&\n legacy-rsa-suite enable/; s/ commands 1000 per 60/ commands 2 per 60/' "$tmp/ota.cfg"
"$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server2.log" 2>&1 &
pids+=($!)
wait_port "$HP"
run as super1 audit verify
[ "$RC" = 1 ] && [[ "$OUT" == *"entry 3"* ]] && ok "otactl audit verify through the API finds the changed entry" ||
	not_ok "otactl audit verify through the API finds the changed entry" "$RC $OUT $ERR"
grep -q "audit log: entry 3" "$tmp/server2.log" && ok "the server reports the broken chain at start" ||
	not_ok "the server reports the broken chain at start"
[[ "$(tls -tls1_2 -cipher AES128-SHA256)" == *"Cipher is AES128-SHA256"* ]] &&
	ok "legacy-rsa-suite enable: TLS_RSA_WITH_AES_128_CBC_SHA256 negotiates" ||
	not_ok "legacy-rsa-suite enable: TLS_RSA_WITH_AES_128_CBC_SHA256 negotiates"
check "legacy-rsa-suite enable: still no SHA-1 HMAC suite" tls_refused -tls1_2 -cipher AES128-SHA

# ---- rate limit on the command endpoints (this server: 2 per 60 s per identity) ----
as agent1 commands send "$(ICCID 1)" status > /dev/null && as agent1 commands send "$(ICCID 1)" status > /dev/null
expect "command endpoint rate limited per identity (429)" 2 "429" as agent1 commands send "$(ICCID 1)" status
expect "another identity is not limited by it" 0 "queued" as super2 commands send "$(ICCID 1)" status
n=$(sqlite3 "$tmp/ota.db" "SELECT max(seq) FROM audit")
has '"status": 429' as super1 --json audit list --after $((n - 10)) && ok "the limited request is in the audit log" ||
	not_ok "the limited request is in the audit log"

# ---- the OpenAPI document and the server agree: every documented method and path has a route ----
python3 - "$tmp" "$HP" "$(ICCID 1)" "$PWD/specs/ota-server-api.yaml" <<'EOF' &&
import http.client, json, re, ssl, sys
d, port, iccid, spec = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/super1.pem", d + "/super1.key")
ops, path = [], None
for line in open(spec):
    m = re.match(r"^  (/v1/\S*):\s*$", line)
    if m: path = m.group(1); continue
    m = re.match(r"^    (get|post|put|delete|patch):", line)
    if m and path: ops.append((m.group(1).upper(), path))
    if re.match(r"^\S", line): path = None
assert len(ops) >= 20, ops
def call(method, p):
    c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx)
    c.request(method, p.replace("{iccid}", iccid).replace("{id}", "999999"), b"{}" if method != "GET" else None,
              {"Content-Type": "application/json"})
    r = c.getresponse(); body = r.read().decode(); c.close()
    return r.status, body
bad = []
for method, p in ops:
    st, body = call(method, p)
    if st >= 500 or "no such resource" in body or "method not allowed here" in body:
        bad.append((method, p, st, body[:120]))
assert not bad, bad
st, body = call("GET", "/v1/no-such-thing")     # the probe can tell a missing route
assert st == 404 and "no such resource" in body, (st, body)
print("# %d documented operations answered by a route" % len(ops), file=sys.stderr)
EOF
	ok "every operation of the OpenAPI document has a route in the server" ||
	not_ok "every operation of the OpenAPI document has a route in the server"

[ "$failures" = 0 ]
