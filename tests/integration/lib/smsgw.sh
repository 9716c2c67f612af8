# shellcheck shell=bash
# Helpers for the sms-gateway integration tests: start/stop a gateway with a generated config, talk to its VTY,
# TAP output. Source after osmo-lab.sh (wait_port, stop_pidfile, osmo_log_header) and setting B (build dir).

SMSGW_BIN=${B:-build}/bin
TAP_FAILS=0

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; TAP_FAILS=$((TAP_FAILS + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# free_port: a TCP port nobody listens on right now (from a per-process range, so parallel runs differ).
free_port() {
	local p
	for ((p = 20000 + ($$ * 7 + RANDOM) % 30000; ; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
}

# smsgw_write_cfg FILE PORT VTYPORT DB ROUTES...: ROUTES are pre-rendered "route" node texts. The ESME otasrv (the
# ota-server) owns 12345 and may send from 12345 only; its "address 12345" line stays the last of its node (e2e.sh
# adds an ESME after it).
smsgw_write_cfg() {
	local f=$1 port=$2 vty=$3 db=$4; shift 4
	{
		osmo_log_header
		cat <<CFG
 logging level smpp info
 logging level route info
 logging level queue info
 logging level upstream info
line vty
 bind 127.0.0.1 $vty
smpp
 local-tcp-ip 127.0.0.1 $port
 system-id SIMGUARD-GW
 window 100
 lab-password labpw
 esme otasrv
  password secret
  allowed-source-address 12345
  address 12345
queue
 database $db
 max-pending 100000
 duplicate-window 600
 reassembly-timeout 5
CFG
		printf '%s\n' "$@"
	} > "$f"
}

# smsgw_start DIR CFG PORT: start the gateway, pid in DIR/gw.pid, log in DIR/gw.log.
smsgw_start() {
	local d=$1 cfg=$2 port=$3
	"$SMSGW_BIN/sms-gateway" -c "$cfg" >> "$d/gw.log" 2>&1 &
	echo $! > "$d/gw.pid"
	wait_port "$port" "$(cat "$d/gw.pid")" 10
}

# smsgw_finish DIR: SIGTERM to the gateway of DIR, checked to exit 0 (within 5 s) with no sanitizer report in its
# log; the log's tail when any check of the script failed. Returns non-zero when one did (the script's exit status).
smsgw_finish() {
	local d=$1 pid rc _
	pid=$(cat "$d/gw.pid")
	kill -TERM "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid"; rc=$?
	rm -f "$d/gw.pid"
	check "SIGTERM: clean exit with status 0" [ "$rc" = 0 ]
	check "no sanitizer or runtime error report in the gateway log" bash -c "! grep -Eq 'Sanitizer|runtime error' '$d/gw.log'"
	[ "$TAP_FAILS" = 0 ] || { echo "# gateway log:"; tail -n 80 "$d/gw.log" | sed 's/^/# /'; }
	[ "$TAP_FAILS" = 0 ]
}

# vty PORT CMD [CMD...]: the output of each VTY command, in one session (so "enable" and "configure terminal"
# hold for the commands after them).
vty() {
	python3 - "$@" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
s.settimeout(0.3)
def drain():
    out = b""
    end = time.time() + 3
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if out.rstrip().endswith((b">", b"#")):
                break
            continue
        if not d:
            break
        out += d
    return out
drain()
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\r\n")
    out = drain()
    text = bytes(b for b in out if b < 0x80).decode(errors="replace")
    lines = text.replace("\r", "").split("\n")
    if lines[1:-1]:
        print("\n".join(lines[1:-1]))
PY
}
