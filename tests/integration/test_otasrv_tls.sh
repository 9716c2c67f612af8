#!/usr/bin/env bash
# Integration test of the TLS checks around ota-server (X.1127 8.2.3, Appendix V.2.3 and V.3.3), with the test PKI
# of test_otasrv_api.sh and certificates made here with the openssl command line:
# - otactl refuses a server whose certificate is not signed by its --ca (or the system store), or is not issued for
#   the host name it dialled, and names the problem;
# - the server signs and accepts TLS 1.2 signatures with SHA-256 or stronger only: a client offering only SHA-1 (or
#   SHA-224) signature algorithms is refused, the CertificateRequest lists no weaker ones, an operator certificate
#   signed with SHA-1 by the trusted CA gets 403;
# - the server refuses to start with a 1024-bit RSA key or a SHA-1-signed certificate, naming the key size / digest.
# Prints TAP lines "ok - NAME" / "not ok - NAME".
OTASRV_LIB_ONLY=1 source "$(dirname "$0")/test_otasrv_api.sh"

otasrv_setup
write_cfg "$tmp/ota.cfg" "$tmp" "$HP" "$VP" "$SP"
echo '{}' > "$tmp/cards.json"

# server_cert NAME BITS DIGEST SAN: a server certificate $tmp/NAME.pem (key NAME.key) of the test CA
server_cert() {
	(cd "$tmp" && printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$4" > "$1.ext" &&
		openssl req -newkey "rsa:$2" -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=${4#*:}" 2>/dev/null &&
		openssl x509 -req "-$3" -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 30 \
			-extfile "$1.ext" 2>/dev/null)
}
server_cert othername 2048 sha256 DNS:otasrv.invalid || { not_ok "server certificates made with openssl"; exit 1; }
server_cert short 1024 sha256 "IP:127.0.0.1,DNS:localhost" || { not_ok "server certificates made with openssl"; exit 1; }
server_cert sha1srv 2048 sha1 "IP:127.0.0.1,DNS:localhost" || { not_ok "server certificates made with openssl"; exit 1; }
# an operator certificate of the trusted CA, signed with SHA-1
(cd "$tmp" && openssl req -newkey rsa:2048 -nodes -keyout sha1op.key -out sha1op.csr -subj "/CN=sha1op/OU=supervisor" \
	2>/dev/null && openssl x509 -req -sha1 -in sha1op.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out sha1op.pem \
	-days 30 -extfile ext.cnf -extensions cli 2>/dev/null) || { not_ok "SHA-1 operator certificate made"; exit 1; }

otasrv_start

# ---- X.1127 8.2.3: otactl authenticates the server ----
run as super1 cards list
[ "$RC" = 0 ] && ok "otactl accepts the server certificate its --ca signed" || not_ok "otactl accepts the server certificate its --ca signed" "rc=$RC $ERR"
run as super1 cards list --ca "$tmp/stranger.pem"
[ "$RC" = 1 ] && [[ "$ERR" == *"server certificate: "*"certificate"*"(trusted CAs: $tmp/stranger.pem)"* ]] &&
	ok "otactl --ca of another CA: server refused, exit 1, the certificate problem named" ||
	not_ok "otactl --ca of another CA: server refused, exit 1, the certificate problem named" "rc=$RC" "$ERR"
run env -u OTACTL_CA OTACTL_CERT="$tmp/super1.pem" OTACTL_KEY="$tmp/super1.key" "$OTACTL" cards list
[ "$RC" = 1 ] && [[ "$ERR" == *"server certificate: "*"certificate"*"(trusted CAs: the system store)"* ]] &&
	ok "otactl without --ca: the test CA is not in the system store, server refused" ||
	not_ok "otactl without --ca: the test CA is not in the system store, server refused" "rc=$RC" "$ERR"

# ---- X.1127 V.2.3: signature algorithms with SHA-256 or stronger ----
# tls ARGS...: openssl s_client at security level 0 (so that it offers what it is told) against the server
tls() { echo | openssl s_client -connect "127.0.0.1:$HP" -CAfile "$tmp/ca.pem" -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' "$@" 2>&1 || true; }
out=$(tls -sigalgs 'RSA+SHA1:ECDSA+SHA1:DSA+SHA1')
[[ "$out" == *"Cipher is (NONE)"* && "$out" == *"alert handshake failure"* ]] &&
	ok "TLS 1.2 client offering only SHA-1 signature algorithms: refused" ||
	not_ok "TLS 1.2 client offering only SHA-1 signature algorithms: refused" "$(grep -i 'cipher is\|alert' <<< "$out")"
out=$(tls -sigalgs 'RSA+SHA224:ECDSA+SHA224')
[[ "$out" == *"Cipher is (NONE)"* ]] && ok "TLS 1.2 client offering only SHA-224 signature algorithms: refused" ||
	not_ok "TLS 1.2 client offering only SHA-224 signature algorithms: refused" "$(grep -i 'cipher is\|digest' <<< "$out")"
out=$(tls -cert "$tmp/super1.pem" -key "$tmp/super1.key")
digest=$(sed -n 's/^Peer signing digest: //p' <<< "$out")
requested=$(sed -n 's/^Requested Signature Algorithms: //p' <<< "$out")
weak=$(tr ':' '\n' <<< "$requested" | grep -v '^\(ECDSA\|RSA\|RSA-PSS\|rsa_pss_pss\)[+_]\(SHA\|sha\)\(256\|384\|512\)$\|^ed25519$\|^ed448$')
[[ "$out" == *"Cipher is ECDHE-RSA-AES"* ]] && [[ "$digest" =~ ^SHA(256|384|512)$ ]] &&
	ok "a client offering the usual algorithms: handshake signed with $digest" ||
	not_ok "a client offering the usual algorithms: handshake signed with SHA-256 or stronger" "$(grep -i 'cipher is\|digest' <<< "$out")"
[ -n "$requested" ] && [ -z "$weak" ] &&
	ok "the CertificateRequest asks for client signatures with SHA-256 or stronger only" ||
	not_ok "the CertificateRequest asks for client signatures with SHA-256 or stronger only" "requested: $requested" "weak: $weak"
# raw_get CERT ARGS...: GET /v1/cards over s_client (security level 0) with the client certificate CERT
raw_get() {
	local who=$1
	shift
	printf 'GET /v1/cards HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
		openssl s_client -quiet -connect "127.0.0.1:$HP" -CAfile "$tmp/ca.pem" -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' \
			-cert "$tmp/$who.pem" -key "$tmp/$who.key" "$@" 2>/dev/null
}
out=$(raw_get super1)
[[ "$out" == "HTTP/1.1 200"* ]] && ok "the raw client with super1's certificate: 200" ||
	not_ok "the raw client with super1's certificate: 200" "$(head -1 <<< "$out")"
out=$(raw_get super1 -client_sigalgs 'RSA+SHA1')
[[ "$out" == "HTTP/1.1 401"* ]] && ok "a client that can sign only with SHA-1: no operator identity (401)" ||
	not_ok "a client that can sign only with SHA-1: no operator identity (401)" "$(head -1 <<< "$out")"
out=$(raw_get sha1op)
[[ "$out" == "HTTP/1.1 403"* && "$out" == *"digest algorithm too weak"* ]] &&
	ok "operator certificate signed with SHA-1 by the trusted CA: 403 naming the weak digest" ||
	not_ok "operator certificate signed with SHA-1 by the trusted CA: 403 naming the weak digest" "$out"
kill "$SRV_PID" && wait "$SRV_PID" 2>/dev/null

# ---- the same server with a certificate of the trusted CA for another name (otasrv.invalid) ----
sed "s#^ certificate .*# certificate $tmp/othername.pem#; s#^ private-key .*# private-key $tmp/othername.key#" \
	"$tmp/ota.cfg" > "$tmp/othername.cfg"
"$OTASRV" -c "$tmp/othername.cfg" > "$tmp/server2.log" 2>&1 &
SRV_PID=$!
pids+=($SRV_PID)
wait_port "$HP" || { not_ok "ota-server restarts with another certificate" "$(tail -3 "$tmp/server2.log")"; exit 1; }
chain=$(echo | openssl s_client -connect "127.0.0.1:$HP" -CAfile "$tmp/ca.pem" -verify_return_error 2>&1)
[[ "$chain" == *"Verify return code: 0 (ok)"* ]] && ok "the other name's certificate chains to the trusted CA" ||
	not_ok "the other name's certificate chains to the trusted CA" "$(grep -i verify <<< "$chain")"
run as super1 cards list
[ "$RC" = 1 ] && [[ "$ERR" == *"server certificate: "*"mismatch: it is not issued for '127.0.0.1'"* ]] &&
	ok "otactl to 127.0.0.1, certificate for otasrv.invalid: refused, exit 1, the name mismatch named" ||
	not_ok "otactl to 127.0.0.1, certificate for otasrv.invalid: refused, exit 1, the name mismatch named" "rc=$RC" "$ERR"
run as super1 cards list --server "https://localhost:$HP"
[ "$RC" = 1 ] && [[ "$ERR" == *"server certificate: hostname mismatch: it is not issued for 'localhost'"* ]] &&
	ok "otactl to localhost, certificate for otasrv.invalid: refused, the host name mismatch named" ||
	not_ok "otactl to localhost, certificate for otasrv.invalid: refused, the host name mismatch named" "rc=$RC" "$ERR"
kill "$SRV_PID" && wait "$SRV_PID" 2>/dev/null

# ---- X.1127 V.3.3 (and V.2.3 for the server's own certificate): refused at start ----
# refused_start NAME CERT WANT: ota-server with CERT exits non-zero before listening, WANT in its error
refused_start() {
	local rc log
	sed "s#^ certificate .*# certificate $tmp/$2.pem#; s#^ private-key .*# private-key $tmp/$2.key#" \
		"$tmp/ota.cfg" > "$tmp/$2.cfg"
	timeout 20 "$OTASRV" -c "$tmp/$2.cfg" > "$tmp/$2.log" 2>&1
	rc=$?
	log=$(grep -v ' NOTICE ' "$tmp/$2.log")
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && [[ "$log" == *"$3"* ]]; then ok "$1"; else not_ok "$1" "rc=$rc" "$log"; fi
}
refused_start "1024-bit RSA server key: ota-server refuses to start, naming the key size" short \
	"ota-server: certificate $tmp/short.pem: RSA key of 1024 bits, too weak"
refused_start "server certificate signed with SHA-1: ota-server refuses to start, naming the digest" sha1srv \
	"ota-server: certificate $tmp/sha1srv.pem: signed with SHA1, too weak"

[ "$failures" = 0 ]
