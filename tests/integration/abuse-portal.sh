#!/bin/sh
# Abuse of the session API, against the real kgw-portal and kgwd:
#
#   gw namespace, loopback only:
#     curl / openssl s_client from 127.0.0.2 ... 127.0.0.30 (one source each part)
#       ──TLS 1.3──> kgw-portal 127.0.0.1:4443 (2 PAM workers, auth_timeout 3 s)
#                      ├─ PAM: pam_portal_test.so hang=hung (never returns for "hung"),
#                      │       then pam_kgw.so password, otp; account
#                      └─ kgwd (userspace engine) on its control socket
#
# A PAM module that hangs: the login gets a 503 JSON after auth_timeout,
# other logins are served meanwhile by the other worker, and SIGTERM still
# stops the portal. Password and code guessing: per-user lock-out and
# per-source 429 with Retry-After, recorded in the store's audit log; the
# real user from another address is unaffected. Slow-loris connections are
# closed by the request deadline while others are served; oversized
# requests get 413/431.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root curl oathtool openssl jq nc sqlite3
gw_programs portal/kgw-portal pam/.libs/pam_kgw.so tests/integration/.libs/pam_portal_test.so
T=$IT_TMP; chmod 0755 "$T"
GW=kgwab$IT_TAG; PAMSVC=kgw-abuse-$IT_TAG
trap 'rc=$?; gw_cleanup; it_cleanup $rc' EXIT INT TERM

it_netns "$GW"
# Under valgrind a PAM login (Argon2id) takes seconds, so auth_timeout and
# curl's limit are longer; the hung login still must time out.
cat > "$T/kgw.conf" <<CONF
[gateway]
interface = kab$IT_TAG
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
[portal]
auth_listen = 127.0.0.1:4443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
workers = 2
auth_timeout = $((3 * KGW_WAIT_FACTOR))s
source_max_failures = 6
source_window = 60s
[auth]
max_failures = 3
lockout = 60s
[store]
database = $T/kgw.db
[log]
syslog = false
CONF
gw_store && gw_otp alice || it_fail "the store"
for u in bob hung; do
	echo "$u-pw-5678" | ctl user add "$u" --password-stdin >/dev/null
done
gw_pam "$PAMSVC" "$T/kgw.db" \
	"auth requisite $B/tests/integration/.libs/pam_portal_test.so hang=hung hang_flag=$T/run/hanging"

it_check "kgwd starts" gw_start_kgwd "$GW"
# The portal runs with its seccomp filter, as installed: the stuck module
# sleeps inside a PAM worker thread.
it_check "kgw-portal starts" gw_start_portal "$GW"
if [ "${KGW_VALGRIND:-0}" = 1 ]; then
	echo "# SKIP under valgrind: the seccomp filter (valgrind has no seccomp(2); the portal runs without)"
else
	it_check "kgw-portal runs under its seccomp filter" grep -q '^Seccomp:[[:space:]]*2' "/proc/$PORTAL/status"
fi

api() {	# api SOURCE METHOD PATH [CURL ARGS...]: the status; body in $T/body.$SOURCE, headers in $T/head.$SOURCE
	src=$1 m=$2 p=$3; shift 3
	ip netns exec "$GW" curl -sk --tlsv1.3 --max-time $((20 * KGW_WAIT_FACTOR)) --interface "$src" -X "$m" \
		-o "$T/body.$src" -D "$T/head.$src" -w '%{http_code}' "$@" "https://127.0.0.1:4443$p" || true
}
key() { head -c 32 /dev/urandom | base64; }
login() {	# login SOURCE USER PASSWORD CODE
	api "$1" POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary \
		"{\"user\":\"$2\",\"password\":\"$3\",\"otp\":\"$4\",\"public_key\":\"$(key)\"}"
}
retry_after() { sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' "$T/head.$1"; }
code() { oathtool --totp -b "$SECRET" -N "now + $1 seconds"; }
audit_has() {	# audit_has EVENT USER SOURCE
	"$KGWCTL_BIN" --db "$T/kgw.db" audit --event="$1" --user="$2" --json |
		jq -e --arg s "$3" '[.[] | select(.source == $s)] | length > 0'
}

# ---- a PAM module that never returns ----
login 127.0.0.2 hung hung-pw-5678 123456 > "$T/hung.status" &
HUNG=$!
it_check "the hung login is in PAM (its module is running)" it_wait $((5 * KGW_WAIT_FACTOR)) test -e "$T/run/hanging"
it_check "meanwhile alice logs in on the other worker: 201" \
	test "$(login 127.0.0.3 alice alice-pw-5678 "$(code 0)")" = 201
wait "$HUNG"
it_check "the hung login gets 503 after auth_timeout (got $(cat "$T/hung.status"))" \
	test "$(cat "$T/hung.status")" = 503
it_check "as a JSON error saying it timed out" jq -e '.error.code == "timeout"' "$T/body.127.0.0.2"
it_check "the store's audit has the abandoned login" sh -c \
	"'$KGWCTL_BIN' --db '$T/kgw.db' audit --user=hung --json | jq -e 'length > 0'"

# ---- guessing ----
for s in 4 5 6; do login "127.0.0.$s" alice wrong-guess "$(code 30)" >/dev/null; done
it_check "alice's right password after 3 wrong ones: 429" \
	test "$(login 127.0.0.7 alice alice-pw-5678 "$(code 30)")" = 429
it_check "with Retry-After within the 60 s lock-out" sh -c \
	"r=\$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' '$T/head.127.0.0.7'); [ -n \"\$r\" ] && [ \"\$r\" -ge 1 ] && [ \"\$r\" -le 60 ]"
it_check "429 is a JSON error" jq -e '.error.code == "too_many_requests"' "$T/body.127.0.0.7"
it_check "the lock-out is in the store's audit" audit_has session.create.throttled alice 127.0.0.7
it_check "and the failures before it" audit_has session.create.denied alice 127.0.0.4

i=0; while [ $i -lt 6 ]; do login 127.0.0.8 "nobody$i" guess 000000 >/dev/null; i=$((i + 1)); done
it_check "a source guessing user names gets 429 after 6 failures" \
	test "$(login 127.0.0.8 bob bob-pw-5678 000000)" = 429
it_check "with a Retry-After within the 60 s window" sh -c "r=\$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' '$T/head.127.0.0.8'); [ -n \"\$r\" ] && [ \"\$r\" -le 60 ]"
it_check "audited as throttled" audit_has session.create.throttled bob 127.0.0.8
it_check "bob from another address gets the uniform 401, not 429" \
	test "$(login 127.0.0.9 bob wrong 000000)" = 401

# ---- slow-loris and oversized requests ----
dribble() {	# one request line, then a header byte every second, never done
	{ printf 'GET /api/v1/sessions/current HTTP/1.1\r\n'; i=0
	  while [ $i -lt 30 ]; do printf 'X'; sleep 1; i=$((i + 1)); done; } |
		ip netns exec "$GW" openssl s_client -quiet -bind "$1:0" -connect 127.0.0.1:4443 \
			> "$T/loris.$2" 2>/dev/null
}
i=0; LORIS=""
while [ $i -lt 12 ]; do dribble 127.0.0.10 $i & LORIS="$LORIS $!"; i=$((i + 1)); done
it_check "12 slow-loris connections are open" it_wait 5 sh -c \
	"[ \$(ip netns exec $GW ss -tn state established '( sport = :4443 )' | grep -c 127.0.0.10) -ge 12 ]"
it_check "another client is served meanwhile (404 JSON for /)" test "$(api 127.0.0.11 GET /)" = 404
it_check "the slow connections are closed at the request deadline" it_wait 20 sh -c \
	"! ip netns exec $GW ss -tn state established '( sport = :4443 )' | grep -q 127.0.0.10"
for p in $LORIS; do wait "$p" 2>/dev/null || true; done
got408() { n=$(grep -l '^HTTP/1.1 408' "$T"/loris.* | wc -l); echo "$n of 12"; [ "$n" = 12 ]; }
it_check "each of them got 408" got408
head -c 17000 /dev/zero | tr '\0' ' ' > "$T/big.json"
it_check "a 17 KB body: 413" test "$(api 127.0.0.12 POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary @"$T/big.json")" = 413
it_check "a 20 KB header: 431" test "$(api 127.0.0.12 GET / -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' x)")" = 431
it_check "the portal still serves after all that" test "$(api 127.0.0.13 GET /)" = 404

# ---- SIGTERM while a login hangs in PAM ----
rm -f "$T/run/hanging"
login 127.0.0.14 hung hung-pw-5678 123456 > /dev/null &
HUNG=$!
it_check "a second login hangs in PAM (both workers are stuck now)" it_wait $((5 * KGW_WAIT_FACTOR)) test -e "$T/run/hanging"
kill -TERM "$PORTAL"
it_check "kgw-portal stops on SIGTERM though a login is stuck in PAM" it_wait $((15 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $PORTAL"
wait "$PORTAL"; rc=$?
it_check "and exits 0 (got $rc)" test "$rc" = 0
it_check "it said why it did not wait" grep -q 'stuck in a module at shutdown' "$T/portal.log"
wait "$HUNG" 2>/dev/null || true
it_check "the store is intact" sh -c "[ \"\$(sqlite3 '$T/kgw.db' 'PRAGMA integrity_check')\" = ok ]"

it_teardown
it_check "nothing left behind" it_leftovers "$T/run/kgwd.sock"
it_done
