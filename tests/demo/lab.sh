# shellcheck shell=bash
# The lab `make demo` runs in (sourced by tests/demo.sh): everything made fresh in a temp dir with the openssl
# command line - a CA, the server's certificate, operator certificates (CN = name, OU = role) and the CRL the
# server insists on, the master key - then sms-gateway with a lab route, handset-sim with the simulated UICC, and
# ota-server on SQLite, all on loopback ports nobody uses. demo_stop (also on EXIT) stops what was started.
# Needs: B (build dir), DEMO (the temp dir), show (tests/demo/show.py); uses free_port / wait_port / stop_pidfile /
# smsgw_* from tests/integration/lib.

DEMO_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")/../integration/lib" && pwd)
. "$DEMO_LIB/osmo-lab.sh"
. "$DEMO_LIB/smsgw.sh"

# The operators of the story: agent1 answers the owner's call, super1 and super2 are the two supervisors a WIPE needs.
DEMO_OPERATORS="agent1:agent super1:supervisor super2:supervisor"

# demo_cert NAME SUBJECT EXTENSIONS: an EC P-256 key and a certificate of the demo CA for it.
demo_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "$2" 2>/dev/null &&
		openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
			-extfile ext.cnf -extensions "$3" 2>/dev/null
}

# demo_pki: in $DEMO/pki, the CA, server and operator certificates, an empty CRL and the master key.
demo_pki() {
	mkdir -p "$DEMO/pki"
	(
		cd "$DEMO/pki" || exit 1
		printf '%s\n' '[server]' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
			'[client]' 'extendedKeyUsage=clientAuth' '[ca]' 'default_ca=demo' '[demo]' \
			'database=index.txt' 'crlnumber=crlnumber' 'default_md=sha256' 'default_crl_days=2' > ext.cnf
		touch index.txt && echo 01 > crlnumber
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=simguard demo CA" -addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || exit 1
		demo_cert server /CN=localhost server || exit 1
		for op in $DEMO_OPERATORS; do
			demo_cert "${op%%:*}" "/CN=${op%%:*}/OU=${op#*:}" client || exit 1
		done
		openssl ca -config ext.cnf -keyfile ca.key -cert ca.pem -gencrl -out crl.pem 2>/dev/null || exit 1
		(umask 077 && head -c 32 /dev/urandom > master.key)
	)
}

# demo_ports: free loopback ports for everything (distinct from each other).
demo_ports() {
	local p used=" "
	for v in GW_PORT GW_VTY HS_VTY HTTPS_PORT OTA_VTY; do
		p=$(free_port)
		while [[ "$used" == *" $p "* ]]; do p=$((p + 1)); done
		used+="$p "
		printf -v "$v" %s "$p"
	done
}

# demo_log_header: the log target every component gets here; milliseconds in the time stamps, for the timelines.
demo_log_header() {
	osmo_log_header
	echo " logging print extended-timestamp 1"
}

# demo_start_gateway: sms-gateway, its lab route for MSISDNs starting with 1 (the handset binds as 1001).
demo_start_gateway() {
	smsgw_write_cfg "$DEMO/gw.cfg" "$GW_PORT" "$GW_VTY" "$DEMO/gw-queue.db" "route lab" " prefix 1" " type lab"
	sed -i 's/^ logging timestamp 1$/&\n logging print extended-timestamp 1/' "$DEMO/gw.cfg"
	smsgw_start "$DEMO" "$DEMO/gw.cfg" "$GW_PORT"
}

# demo_start_handset PROFILE: handset-sim with the simulated UICC (profile + card image), bound to the gateway.
demo_start_handset() {
	{ demo_log_header; cat <<EOF
 logging level handset info
line vty
 bind 127.0.0.1 $HS_VTY
handset
 msisdn $MSISDN
 imei $IMEI
 card sim:$1,$DEMO/card.img
 pin 1234
 location mcc 1 mnc 1 lac 4711 cell-id 815
 auth k $(demo_profile 'p["milenage"]["k"]') opc $(demo_profile 'p["milenage"]["opc"]')
 smpp-link 127.0.0.1 $GW_PORT labpw
 state-file $STATE
 data-dir $DEMO/handset-data
EOF
	} > "$DEMO/handset.cfg"
	"$B/bin/handset-sim" -c "$DEMO/handset.cfg" -q >> "$DEMO/handset.log" 2>&1 &
	echo $! > "$DEMO/handset.pid"
	show wait "$STATE" 's["smpp"]["bound"] and s["service"] != "none" and s["power"] == "on"' 20
}

# demo_start_server: ota-server on SQLite, operators by client certificate, SMPP to the gateway.
demo_start_server() {
	local pki=$DEMO/pki
	{ demo_log_header; cat <<EOF
 logging level all info
line vty
 bind 127.0.0.1 $OTA_VTY
database
 uri sqlite:$DEMO_DB
 master-key-file $pki/master.key
 instance-id demo-1
http
 listen 127.0.0.1 $HTTPS_PORT
 certificate $pki/server.pem
 private-key $pki/server.key
 client-ca $pki/ca.pem
 crl $pki/crl.pem
smpp
 remote 127.0.0.1 $GW_PORT
 system-id otasrv
 password secret
 source-address 12345
limits
 commands 6000 per 60
ota
 default-tar C10001
 retry-interval 20
 deadline 60
EOF
	} > "$DEMO/ota-server.cfg"
	"$B/bin/ota-server" -c "$DEMO/ota-server.cfg" >> "$DEMO/ota-server.log" 2>&1 &
	echo $! > "$DEMO/ota-server.pid"
	wait_port "$HTTPS_PORT" "$(cat "$DEMO/ota-server.pid")" 20
}

# demo_stop: everything started gets SIGTERM at once, then a few seconds each to finish (SIGKILL after that).
demo_stop() {
	local f
	[ -n "${DEMO:-}" ] || return 0
	for f in ota-server handset gw; do
		[ ! -f "$DEMO/$f.pid" ] || kill -TERM "$(cat "$DEMO/$f.pid")" 2>/dev/null || true
	done
	for f in ota-server handset gw; do
		stop_pidfile "$DEMO/$f.pid" || true
	done
	return 0
}
