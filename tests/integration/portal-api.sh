#!/bin/sh
# SPDX-License-Identifier: MIT
# kgw-portal over real TLS, driven by curl and openssl s_client, all on
# loopback. Clients pick their source address in 127.0.0.0/8, so each part
# of the test has its own throttle budget.
#
#   curl, openssl s_client ──TLS 1.3──> portal-test-server 127.0.0.1:(any)
#     from 127.0.0.1 ... 127.0.0.12        ├─ PAM service "kgw" from $tmp/pam.d:
#                                          │    pam_exec.so slow.sh (sleeps for user "slow")
#                                          │    pam_portal_test.so (password, code, account)
#                                          └─ in-memory backend (tests only)
#   curl ────────────────────────────────> kgw-portal 127.0.0.1:(random), the real binary
#
# Skips (77) when KGW_INTEGRATION=0 or curl/openssl are missing.
set -u

[ "${KGW_INTEGRATION:-1}" = 0 ] && { echo "skip: KGW_INTEGRATION=0"; exit 77; }
for tool in curl openssl od; do
	command -v "$tool" >/dev/null 2>&1 || { echo "skip: no $tool"; exit 77; }
done

build=${KGW_BUILDDIR:-$(pwd)}
server=$build/tests/integration/portal-test-server
portal=$build/portal/kgw-portal
module=$build/tests/integration/.libs/pam_portal_test.so
for f in "$server" "$portal" "$module"; do
	[ -e "$f" ] || { echo "missing $f (run make check)"; exit 99; }
done

tmp=$(mktemp -d /tmp/kgw-portal-it.XXXXXX) || exit 99
# KGW_VALGRIND=1: the real kgw-portal and kgwctl run under valgrind
# (daemon-wrap.sh); portal-test-server, whose checks are timed, does not.
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"
portal=$(kgw_wrap "$portal"); kgwctl=$(kgw_wrap "$build/tools/kgwctl")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
# check DESCRIPTION COMMAND...: one numbered line per assertion.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- fixtures: certificate, PAM stack, configuration ----

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || exit 99
chmod 644 "$tmp/key.pem"
mkdir "$tmp/pam.d"
cat >"$tmp/slow.sh" <<'EOF'
#!/bin/sh
[ "$PAM_USER" = slow ] && sleep 3
exit 0
EOF
chmod 755 "$tmp/slow.sh"
cat >"$tmp/pam.d/kgw" <<EOF
auth requisite pam_exec.so quiet $tmp/slow.sh
auth required $module password=s3cret otp=123456
account required $module deny_account=expired
EOF
cat >"$tmp/kgw.conf" <<EOF
[gateway]
user = nobody
[portal]
auth_listen = 127.0.0.1:4443
tls_certificate = $tmp/cert.pem
tls_key = $tmp/key.pem
workers = 2
source_max_failures = 4
source_window = 60s
[auth]
max_failures = 3
lockout = 30s
[log]
syslog = no
level = debug
EOF

"$server" -c "$tmp/kgw.conf" --pam-confdir "$tmp/pam.d" --port-file "$tmp/port" \
	--request-timeout 2 --handler-timeout 5 2>"$tmp/server.log" &
server_pid=$!
pids="$pids $server_pid"
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "the test server did not start"; cat "$tmp/server.log"; exit 99; }
port=$(cat "$tmp/port")
url=https://127.0.0.1:$port

# api SOURCE METHOD PATH [CURL ARGS...]: the status; body in $tmp/body, headers in $tmp/head.
api() {
	src=$1 method=$2 path=$3
	shift 3
	curl -sk --max-time 20 --interface "$src" -X "$method" -o "$tmp/body" -D "$tmp/head" \
		-w '%{http_code}' "$@" "$url$path"
}
newkey() { head -c 32 /dev/urandom | base64; }
# login SOURCE USER PASSWORD CODE [KEY]
login() {
	api "$1" POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary \
		"{\"user\":\"$2\",\"password\":\"$3\",\"otp\":\"$4\",\"public_key\":\"${5:-$(newkey)}\"}"
}
body_has() { grep -q -- "$1" "$tmp/body"; }
head_has() { grep -qi -- "$1" "$tmp/head"; }
uniform_401='{"error":{"code":"unauthorized","message":"the user name, password or verification code is wrong"}}'
body_is() { [ "$(cat "$tmp/body")" = "$1" ]; }

# ---- the session API ----

key=$(newkey)
check "login with the right password and code: 201" [ "$(login 127.0.0.1 alice s3cret 123456 "$key")" = 201 ]
check "the session comes back with a token" body_has '"token":"[0-9a-f]\{64\}"'
check "and with the client's address and routes" body_has '"client_address":"100.64.0.[0-9]*/32"'
check "security headers: no-store, nosniff, CSP, HSTS" sh -c \
	"grep -qi '^Cache-Control: no-store' '$tmp/head' && grep -qi '^X-Content-Type-Options: nosniff' '$tmp/head' && grep -qi \"^Content-Security-Policy: default-src 'none'\" '$tmp/head' && grep -qi '^Strict-Transport-Security: max-age=' '$tmp/head'"
token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
check "the same public key again: 409" [ "$(login 127.0.0.1 alice s3cret 123456 "$key")" = 409 ]

check "GET current with the token: 200" \
	[ "$(api 127.0.0.1 GET /api/v1/sessions/current -H "Authorization: Bearer $token")" = 200 ]
check "it is alice's session, without the token" sh -c \
	"grep -q '\"user\":\"alice\"' '$tmp/body' && ! grep -q '\"token\"' '$tmp/body'"
check "GET current without a token: 401 asking for Bearer" \
	[ "$(api 127.0.0.1 GET /api/v1/sessions/current)" = 401 ]
check "with WWW-Authenticate: Bearer" head_has '^WWW-Authenticate: Bearer'
check "DELETE current: 204" \
	[ "$(api 127.0.0.1 DELETE /api/v1/sessions/current -H "Authorization: Bearer $token")" = 204 ]
check "GET current after DELETE: 401" \
	[ "$(api 127.0.0.1 GET /api/v1/sessions/current -H "Authorization: Bearer $token")" = 401 ]
check "the error names an invalid token" head_has 'error="invalid_token"'

# Every bad credential looks the same (from their own source, 3 failures < 4).
check "wrong password: 401" [ "$(login 127.0.0.2 bob wrong 123456)" = 401 ]
check "wrong password: the uniform body" body_is "$uniform_401"
check "wrong code: 401" [ "$(login 127.0.0.2 bob s3cret 000000)" = 401 ]
check "wrong code: the same body" body_is "$uniform_401"
check "expired account, right password: 401" [ "$(login 127.0.0.2 expired s3cret 123456)" = 401 ]
check "expired account: the same body" body_is "$uniform_401"
check "a user the backend refuses: 403" [ "$(login 127.0.0.2 refused s3cret 123456)" = 403 ]

# Bad requests are refused before PAM, as JSON.
check "not JSON: 400" [ "$(api 127.0.0.2 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary '{"user":')" = 400 ]
check "400 is a JSON error" body_has '"code":"invalid_request"'
check "a number for the password: 400" [ "$(api 127.0.0.2 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary "{\"user\":\"bob\",\"password\":1,\"otp\":\"123456\",\"public_key\":\"$key\"}")" = 400 ]
check "an unknown field: 400" [ "$(api 127.0.0.2 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary "{\"user\":\"bob\",\"password\":\"x\",\"otp\":\"123456\",\"public_key\":\"$key\",\"admin\":true}")" = 400 ]
check "a bad public key: 400" [ "$(login 127.0.0.2 bob s3cret 123456 AAAA)" = 400 ]
for ttl in '"60"' 0 4 1.5 -1 99999999999; do
	check "ttl $ttl: 400" [ "$(api 127.0.0.2 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary "{\"user\":\"bob\",\"password\":\"x\",\"otp\":\"123456\",\"public_key\":\"$key\",\"ttl\":$ttl}")" = 400 ]
done
check "form data, not JSON: 415" [ "$(api 127.0.0.2 POST /api/v1/sessions --data 'user=bob')" = 415 ]
check "a path that does not exist: 404" [ "$(api 127.0.0.2 GET /api/v2/nothing)" = 404 ]
check "GET on the login path: 405" [ "$(api 127.0.0.2 GET /api/v1/sessions)" = 405 ]
check "405 says what is allowed" head_has '^Allow: POST'

# Per source: 4 failures in the window, then 429 even for good credentials.
for u in u1 u2 u3 u4; do login 127.0.0.3 "$u" wrong 123456 >/dev/null; done
check "fifth attempt from one source: 429" [ "$(login 127.0.0.3 alice s3cret 123456)" = 429 ]
check "429 says when to retry (within the 60 s window)" sh -c \
	"r=\$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' '$tmp/head'); [ -n \"\$r\" ] && [ \"\$r\" -ge 1 ] && [ \"\$r\" -le 60 ]"
check "429 is a JSON error" body_has '"code":"too_many_requests"'
check "another source is not affected: 201" [ "$(login 127.0.0.10 alice s3cret 123456)" = 201 ]

# Per user: 3 failures from three sources lock carol out, wherever she comes from.
for s in 127.0.0.4 127.0.0.5 127.0.0.6; do login "$s" carol wrong 123456 >/dev/null; done
check "carol with the right password after 3 failures: 429" \
	[ "$(login 127.0.0.7 carol s3cret 123456)" = 429 ]
check "Retry-After within the 30 s lock-out" sh -c \
	"r=\$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' '$tmp/head'); [ -n \"\$r\" ] && [ \"\$r\" -le 30 ]"
check "another user from that source is fine: 201" [ "$(login 127.0.0.7 dave s3cret 123456)" = 201 ]

# PAM runs off the loop: a login stuck 3 s in PAM does not hold up another.
t0=$(ms)
login 127.0.0.8 slow s3cret 123456 >"$tmp/slow.status" &
slow=$!
sleep 0.3
fast_status=$(login 127.0.0.9 erin s3cret 123456)
fast_ms=$(($(ms) - t0))
check "a fast login during a slow one: 201" [ "$fast_status" = 201 ]
check "the fast one is done in under 1.5 s (took ${fast_ms} ms)" [ "$fast_ms" -lt 1500 ]
check "the slow one is still in PAM when the fast one is done" kill -0 "$slow"
wait "$slow"
slow_ms=$(($(ms) - t0))
check "the slow one gets its session too: 201" [ "$(cat "$tmp/slow.status")" = 201 ]
check "after its 3 s in PAM (took ${slow_ms} ms)" [ "$slow_ms" -ge 2900 ]

# The backend answers "late" after the 5 s handler deadline: the client has
# its 503, and the session nobody received is revoked at once.
check "a login the backend answers too late: 503" [ "$(login 127.0.0.12 late s3cret 123456)" = 503 ]
check "503 says it timed out" body_has '"code":"timeout"'
sleep 2
check "audit: the late session is abandoned" grep -q 'outcome=abandoned source=127.0.0.12 user="late"' "$tmp/server.log"
check "and revoked in the backend" grep -q "fake backend: revoked the session of \`late'" "$tmp/server.log"

# ---- HTTP limits and time-outs ----

check "TLS 1.2 only: no handshake" sh -c \
	"! curl -sk --tls-max 1.2 -o /dev/null '$url/api/v1/sessions' 2>/dev/null"
check "TLS 1.3: handshake" sh -c "curl -sk --tlsv1.3 -o /dev/null '$url/' 2>/dev/null"
big=$(head -c 20000 /dev/zero | tr '\0' x)
check "a 20 KB header: 431" [ "$(api 127.0.0.11 GET / -H "X-Big: $big")" = 431 ]
check "431 is a JSON error" body_has '"code":"headers_too_large"'
check "a 5 KB URL: 414" [ "$(api 127.0.0.11 GET "/$(head -c 5000 /dev/zero | tr '\0' a)")" = 414 ]
head -c 17000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
check "a 17 KB body: 413" [ "$(api 127.0.0.11 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary @"$tmp/big.json")" = 413 ]

# Slowloris: headers a line a second; the 2 s request deadline closes it.
start=$(ms)
{
	printf 'GET /api/v1/sessions/current HTTP/1.1\r\n'
	sleep 1
	printf 'Host: localhost\r\n'
	sleep 1
	printf 'X-Slow: 1\r\n'
	sleep 4
	printf '\r\n'
} | {
	openssl s_client -quiet -connect "127.0.0.1:$port" -servername localhost \
		>"$tmp/slowloris.out" 2>/dev/null
	echo $(($(ms) - start)) >"$tmp/slowloris.ms"
}
slowloris_ms=$(cat "$tmp/slowloris.ms")
check "a slow client gets 408" grep -q '^HTTP/1.1 408' "$tmp/slowloris.out"
check "and is closed at the deadline, not when it is done (${slowloris_ms} ms)" \
	[ "$slowloris_ms" -lt 3500 ]

# ---- the audit trail and the log ----

check "audit: a session opened" grep -q 'audit: action=session.create outcome=ok source=127.0.0.1 user="alice"' "$tmp/server.log"
check "audit: a wrong password, with PAM's reason" grep -q 'audit: action=session.create outcome=denied source=127.0.0.2 user="bob" detail="pam authenticate' "$tmp/server.log"
check "audit: the account check" grep -q 'outcome=denied source=127.0.0.2 user="expired" detail="pam account' "$tmp/server.log"
check "audit: throttled" grep -q 'outcome=throttled source=127.0.0.3' "$tmp/server.log"
check "audit: invalid requests" grep -q 'outcome=invalid source=127.0.0.2' "$tmp/server.log"
check "audit: a session read and closed" sh -c \
	"grep -q 'action=session.read outcome=ok' '$tmp/server.log' && grep -q 'action=session.delete outcome=ok' '$tmp/server.log'"
check "no password, code or token in the log" sh -c \
	"! grep -q -e s3cret -e 123456 -e '$token' '$tmp/server.log'"

kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
check "the test server stops cleanly (exit $rc; leaks fail it under ASan)" [ "$rc" = 0 ]

# ---- the real binary ----

check "kgw-portal --version" sh -c "'$portal' --version | grep -q '^kgw-portal '"
check "kgw-portal --check-config shows the effective settings" sh -c \
	"'$portal' -c '$tmp/kgw.conf' --check-config | grep -q '^workers = 2'"
check "kgw-portal refuses a bad config" sh -c \
	"printf '[portal]\nworkers = 0\n' >'$tmp/bad.conf'; '$portal' -c '$tmp/bad.conf' 2>/dev/null; [ \$? = 1 ]"

# The real binary opens the kgw store (its session backend's): make one the
# dropped-to user owns, as `kgwctl init' does on a gateway.
echo 'an-admin-password' | "$kgwctl" --db "$tmp/kgw.db" init --wg-key "$tmp/wg.key" \
	--tls-cert "$tmp/init.crt" --tls-key "$tmp/init.key" --owner nobody \
	--admin-password-stdin >/dev/null 2>&1 || not_ok "kgwctl init makes the store"
printf '[store]\ndatabase = %s\n' "$tmp/kgw.db" >>"$tmp/kgw.conf"
started=
for _ in 1 2 3 4 5; do
	pport=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
	sed "s/^auth_listen = .*/auth_listen = 127.0.0.1:$pport\nadmin_listen = 127.0.0.1:$((pport + 1))/" \
		"$tmp/kgw.conf" >"$tmp/real.conf"
	"$portal" -c "$tmp/real.conf" -f --data-dir "${KGW_SRCDIR:-.}/portal/templates" 2>"$tmp/portal.log" &
	portal_pid=$!
	for _ in $(seq $((30 * KGW_WAIT_FACTOR))); do
		grep -q 'serving the session API' "$tmp/portal.log" && { started=1; break; }
		kill -0 "$portal_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$started" ] && break
done
if [ -z "$started" ]; then
	not_ok "kgw-portal starts"
	cat "$tmp/portal.log"
else
	pids="$pids $portal_pid"
	ok "kgw-portal starts on 127.0.0.1:$pport"
	purl=https://127.0.0.1:$pport
	check "kgw-portal answers over TLS 1.3 (404 JSON for /)" sh -c \
		"[ \"\$(curl -sk -o '$tmp/body' -w '%{http_code}' '$purl/')\" = 404 ] && grep -q '\"code\":\"not_found\"' '$tmp/body'"
	check "kgw-portal refuses TLS 1.2" sh -c "! curl -sk --tls-max 1.2 -o /dev/null '$purl/' 2>/dev/null"
	check "kgw-portal: 431 for a 20 KB header" \
		[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$purl/")" = 431 ]
	if [ "$(id -u)" = 0 ]; then
		uid=$(awk '/^Uid:/ { print $2 }' "/proc/$portal_pid/status")
		check "started as root, kgw-portal runs as nobody (uid $uid)" [ "$uid" = "$(id -u nobody)" ]
	fi
	kill -TERM "$portal_pid"
	wait "$portal_pid"
	rc=$?
	check "kgw-portal stops cleanly on SIGTERM (exit $rc)" [ "$rc" = 0 ]
fi

kgw_valgrind_verdict || failed=1
echo "1..$n"
exit $failed
