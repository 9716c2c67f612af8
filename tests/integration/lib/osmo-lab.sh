# shellcheck shell=bash
# Start and stop a loopback Osmocom SMSC (osmo-hlr + osmo-msc) for SMPP tests, per shared/recipes/osmocom-smsc.md.
# Source it, then: osmo_lab_start DIR; ... osmo_lab_stop. On kernels without SCTP osmo-msc runs under the
# sctp2tcp LD_PRELOAD shim built from tests/integration/lib/sctp2tcp.c. A lock file serialises users of the
# fixed Osmocom ports (HLR GSUP 4222 and friends) across parallel test runs.

OSMO_LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OSMO_LAB_LOCK=/tmp/simguard-osmo-lab.lock
OSMO_LAB_SMPP_PORT=2775

# wait_port PORT PID [SECONDS]: until something listens on 127.0.0.1:PORT; fails early when PID died.
wait_port() {
	local port=$1 pid=$2 max=$((${3:-20} * 20)) i
	for ((i = 0; i < max; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		sleep 0.05
	done
	return 1
}

# stop_pidfile FILE: SIGTERM, wait up to 5 s (a zombie counts as gone), then SIGKILL.
stop_pidfile() {
	local f=$1 pid i st
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	rm -f "$f"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		if [ -z "$st" ] || [ "$st" = Z ]; then wait "$pid" 2>/dev/null; return 0; fi
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# osmo_log_header: the "log stderr" block every Osmocom-style config here starts with.
osmo_log_header() {
	printf '%s\n' "log stderr" " logging filter all 1" " logging color 0" " logging print category 1" \
		" logging print level 1" " logging timestamp 1"
}

_osmo_lab_write_cfgs() {
	local d=$1
	{ osmo_log_header; cat <<CFG
 logging level main notice
 logging level db notice
 logging level auc notice
 logging level ss notice
 logging level linp error
line vty
 bind 127.0.0.1 4258
ctrl
 bind 127.0.0.1
hlr
 database $d/hlr.db
 gsup
  bind ip 127.0.0.1
CFG
	} > "$d/hlr.cfg"
	{ osmo_log_header; cat <<CFG
 logging level set-all notice
 logging level smpp info
 logging level lsms info
line vty
 bind 127.0.0.1 4254
ctrl
 bind 127.0.0.1
network
 network country code 1
 mobile network code 1
 short name OsmoLab
 long name OsmoLab
 encryption a5 0
 authentication optional
 mm info 0
msc
 mgw local-ip 127.0.0.1
 mgw remote-ip 127.0.0.1
 mgw remote-port 2427
 assign-tmsi
hlr
 remote-ip 127.0.0.1
 remote-port 4222
sgs
 local-ip 127.0.0.1
 local-port 29118
smsc
 database $d/sms.db
 database delete-delivered 0
 database delete-expired 1
 validity-period default 10080
smpp
 local-tcp-ip 127.0.0.1 $OSMO_LAB_SMPP_PORT
 system-id OSMO-LAB
 policy closed
 esme OTA-SRV
  password ota-pw
  default-route
CFG
	} > "$d/msc.cfg"
	# OSMO_LAB_MSC_EXTRA: more lines for the esme OTA-SRV node (e.g. "  dcs-transparent")
	if [ -n "${OSMO_LAB_MSC_EXTRA:-}" ]; then printf '%s\n' "$OSMO_LAB_MSC_EXTRA" >> "$d/msc.cfg"; fi
}

# osmo_lab_start_msc: (re)start osmo-msc alone, e.g. after an outage.
osmo_lab_start_msc() {
	local d=$OSMO_LAB_DIR pre=
	if ! python3 -c 'import socket; socket.socket(2, 1, 132)' 2>/dev/null; then
		pre=$d/sctp2tcp.so
	fi
	LD_PRELOAD=$pre osmo-msc -c "$d/msc.cfg" >> "$d/msc.log" 2>&1 &
	echo $! > "$d/msc.pid"
	if ! wait_port "$OSMO_LAB_SMPP_PORT" "$(cat "$d/msc.pid")"; then
		echo "# osmo-msc did not start:"; tail -n 20 "$d/msc.log" | sed 's/^/# /'
		return 1
	fi
}

osmo_lab_stop_msc() {
	stop_pidfile "$OSMO_LAB_DIR/msc.pid"
}

# osmo_lab_start DIR: lock, write configs, build the shim if needed, start osmo-hlr then osmo-msc.
osmo_lab_start() {
	OSMO_LAB_DIR=$1
	mkdir -p "$OSMO_LAB_DIR"
	exec {OSMO_LAB_LOCK_FD}> "$OSMO_LAB_LOCK"
	if ! flock -w 300 "$OSMO_LAB_LOCK_FD"; then echo "# osmo lab lock busy"; return 1; fi
	command -v osmo-msc > /dev/null && command -v osmo-hlr > /dev/null || { echo "# osmo-msc/osmo-hlr missing"; return 1; }
	_osmo_lab_write_cfgs "$OSMO_LAB_DIR"
	if ! python3 -c 'import socket; socket.socket(2, 1, 132)' 2>/dev/null; then
		gcc -shared -fPIC -O2 -o "$OSMO_LAB_DIR/sctp2tcp.so" "$OSMO_LAB_SRC/sctp2tcp.c" -ldl || return 1
	fi
	osmo-hlr -c "$OSMO_LAB_DIR/hlr.cfg" > "$OSMO_LAB_DIR/hlr.log" 2>&1 &
	echo $! > "$OSMO_LAB_DIR/hlr.pid"
	if ! wait_port 4222 "$(cat "$OSMO_LAB_DIR/hlr.pid")" || ! wait_port 4258 "$(cat "$OSMO_LAB_DIR/hlr.pid")"; then
		echo "# osmo-hlr did not start:"; tail -n 20 "$OSMO_LAB_DIR/hlr.log" | sed 's/^/# /'
		return 1
	fi
	osmo_lab_start_msc
}

osmo_lab_stop() {
	[ -n "${OSMO_LAB_DIR:-}" ] || return 0
	stop_pidfile "$OSMO_LAB_DIR/msc.pid"
	stop_pidfile "$OSMO_LAB_DIR/hlr.pid"
	if [ -n "${OSMO_LAB_LOCK_FD:-}" ]; then
		exec {OSMO_LAB_LOCK_FD}>&-
		OSMO_LAB_LOCK_FD=
	fi
}

# osmo_lab_sms_rows: pid|dcs|udhi|status_rep_req|dest_addr|hex(user_data) for every SMS osmo-msc stored.
osmo_lab_sms_rows() {
	sqlite3 "$OSMO_LAB_DIR/sms.db" "SELECT protocol_id, data_coding_scheme, ud_hdr_ind, status_rep_req, dest_addr, hex(user_data) FROM SMS ORDER BY id"
}

# osmo_lab_vty PORT CMD...: run VTY commands in enable mode on 127.0.0.1:PORT (4258 osmo-hlr, 4254 osmo-msc), one at
# a time, reading up to the prompt after each; prints what they answered (telnet negotiation stripped).
osmo_lab_vty() {
	python3 - "$@" <<'PY'
import re, socket, sys
port, cmds = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
def until_prompt():
    buf = b""
    while not re.search(rb"[>#] $", buf):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return re.sub(rb"\xff[\xfb-\xfe].|\xff[^\xfb-\xfe]", b"", buf).decode(errors="replace")
until_prompt()
for c in ["enable"] + cmds:
    s.sendall(c.encode() + b"\r\n")
    out = until_prompt()
    if c != "enable":
        print("\n".join(out.splitlines()[1:-1]))
s.close()
PY
}
