#!/usr/bin/env bash
# Integration test: ota-server whose listening socket refuses TCP_NODELAY (an LD_PRELOAD shim built here makes
# setsockopt(IPPROTO_TCP, TCP_NODELAY) fail with EPERM) logs a warning naming the option and the error and still
# serves HTTPS; with the option accepted it logs no such warning. Prints TAP lines "ok - NAME" / "not ok - NAME".
set -u -o pipefail
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"

otasrv_setup
cat > "$tmp/nodelay.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);

	if (level == IPPROTO_TCP && name == TCP_NODELAY) {
		errno = EPERM;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}
EOF
gcc -shared -fPIC -o "$tmp/nodelay.so" "$tmp/nodelay.c" -ldl || { not_ok "the setsockopt shim builds"; exit 1; }

# start_server [PRELOAD]: ota-server alone (no SMSC: it keeps trying, which does not matter here)
start_server() {
	LD_PRELOAD=${1:-} "$OTASRV" -c "$tmp/ota.cfg" > "$tmp/server.log" 2>&1 &
	SRV_PID=$!
	pids+=($SRV_PID)
	wait_port "$HP" || { not_ok "ota-server listens" "$(tail -5 "$tmp/server.log")"; exit 1; }
}
health() {
	curl -sS --cacert "$tmp/ca.pem" -w ' %{http_code}' "https://127.0.0.1:$HP/v1/health" 2>&1
}
for run in refused accepted; do
	write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP"
	rm -f "$tmp/ota.db"*
	if [ $run = refused ]; then start_server "$tmp/nodelay.so"; else start_server; fi
	out=$(health)
	warned=$(grep -c "warning: no TCP_NODELAY on 127.0.0.1 port $HP (Operation not permitted)" "$tmp/server.log")
	if [ $run = refused ]; then
		[ "$warned" = 1 ] && [[ "$out" == *'"ok"'*" 200" ]] &&
			ok "TCP_NODELAY refused: one warning with the error, HTTPS still served" ||
			not_ok "TCP_NODELAY refused: one warning with the error, HTTPS still served" "$out" "$(tail -5 "$tmp/server.log")"
	else
		[ "$warned" = 0 ] && ! grep -q "TCP_NODELAY" "$tmp/server.log" && [[ "$out" == *" 200" ]] &&
			ok "TCP_NODELAY accepted: no warning" || not_ok "TCP_NODELAY accepted: no warning" "$out"
	fi
	kill "$SRV_PID"
	wait "$SRV_PID" 2> /dev/null
done

[ "$failures" = 0 ]
