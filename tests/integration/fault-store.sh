#!/bin/sh
# The store's file system fills up, then turns read-only, under running
# daemons. The test runs in a mount namespace of its own (unshare -m), and
# the store lives on a 2 MB tmpfs there:
#
#   gw namespace, loopback: curl ──TLS──> kgw-portal 127.0.0.1:4443 ── kgwd (userspace engine)
#                                              │ PAM: pam_kgw.so     │
#                                              └──── $T/data (tmpfs: full, then ro) ── kgw.db
#
# kgwctl says what is wrong (the OS's reason, not only SQLite's "disk I/O
# error"), logins fail closed with 503 auth_unavailable and no session,
# without counting towards the throttle (no lock-out after), the daemons
# keep running, the database passes PRAGMA integrity_check throughout, and
# all works again once there is room (or the file system is writable).
if [ -z "${KGW_MNTNS:-}" ] && [ "$(id -u)" = 0 ] && [ "${KGW_INTEGRATION:-1}" != 0 ]; then
	KGW_MNTNS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root curl oathtool openssl jq nc sqlite3
gw_programs portal/kgw-portal pam/.libs/pam_kgw.so
T=$IT_TMP; chmod 0755 "$T"
GW=kgwfs$IT_TAG; PAMSVC=kgw-store-$IT_TAG
# The tmpfs goes with this mount namespace when the test exits.
trap 'rc=$?; gw_cleanup; it_teardown; umount "$T/data" 2>/dev/null; it_cleanup $rc' EXIT INT TERM

mkdir "$T/data"
mount -t tmpfs -o size=2m,mode=0755 kgw-fault-store "$T/data"
it_netns "$GW"
cat > "$T/kgw.conf" <<CONF
[gateway]
interface = kfs$IT_TAG
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
[portal]
auth_listen = 127.0.0.1:4443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
source_max_failures = 3
[auth]
max_failures = 3
[store]
database = $T/data/kgw.db
[log]
syslog = false
CONF
gw_store && gw_otp alice || it_fail "the store"
gw_pam "$PAMSVC" "$T/data/kgw.db"
it_check "kgwd starts" gw_start_kgwd "$GW"
it_check "kgw-portal starts" gw_start_portal "$GW"

api() {	# api SOURCE METHOD PATH [CURL ARGS...]: the status; body in $T/body
	src=$1 m=$2 p=$3; shift 3
	ip netns exec "$GW" curl -sk --tlsv1.3 --max-time 20 --interface "$src" -X "$m" \
		-o "$T/body" -w '%{http_code}' "$@" "https://127.0.0.1:4443$p" || true
}
login() {	# login SOURCE CODE
	api "$1" POST /api/v1/sessions -H 'Content-Type: application/json' --data-binary \
		"{\"user\":\"alice\",\"password\":\"alice-pw-5678\",\"otp\":\"$2\",\"public_key\":\"$(head -c 32 /dev/urandom | base64)\"}"
}
code() { oathtool --totp -b "$SECRET" -N "now + $1 seconds"; }
integrity() { [ "$(sqlite3 "$T/data/kgw.db" 'PRAGMA integrity_check')" = ok ]; }
# expect_err PATTERN CMD...: fails, and says PATTERN on stderr
expect_err() {
	pat=$1; shift
	if "$@" >"$T/stdout" 2>"$T/stderr"; then echo "it succeeded"; return 1; fi
	grep -q -- "$pat" "$T/stderr" || { cat "$T/stderr"; return 1; }
}
alive() { kill -0 "$KGWD" && kill -0 "$PORTAL"; }
live_sessions() { sqlite3 "$T/data/kgw.db" "SELECT count(*) FROM sessions WHERE ended = 0 AND revoked = 0"; }

status=$(login 127.0.0.2 "$(code 0)")
it_check "alice logs in (HTTP $status)" test "$status" = 201
TOKEN=$(jq -r .token "$T/body")

# ---- the disk fills up ----
dd if=/dev/zero of="$T/data/fill" bs=4k >/dev/null 2>&1 || true
it_check "the store's file system is full" sh -c "[ \$(df --output=avail '$T/data' | tail -1) = 0 ]"
it_check "kgwctl user add fails, saying the disk is full" \
	expect_err "No space left on device" sh -c "echo 'bob-pw-5678' | '$KGWCTL_BIN' -c '$T/kgw.conf' user add bob --password-stdin"
it_check "kgwctl group add too" expect_err "No space left on device" ctl group add more
BEFORE=$(live_sessions)
status=$(login 127.0.0.3 "$(code 30)")
it_check "a login fails closed: 503 auth_unavailable, no session (HTTP $status)" sh -c \
	"[ '$status' = 503 ] && [ \"\$(jq -r .error.code '$T/body')\" = auth_unavailable ]"
it_check "and no session was stored" test "$(live_sessions)" = "$BEFORE"
# More tries than the throttle allows (3), a wrong password among them:
# the store decides nothing, so nothing is counted and none is a 401.
codes=""
for pw in alice-pw-5678 wrong-pw alice-pw-5678 wrong-pw; do
	codes="$codes $(api 127.0.0.3 POST /api/v1/sessions -H 'Content-Type: application/json' \
		--data-binary "{\"user\":\"alice\",\"password\":\"$pw\",\"otp\":\"000000\",\"public_key\":\"$(head -c 32 /dev/urandom | base64)\"}")"
done
it_check "right and wrong passwords alike get 503 while full:$codes" test "$codes" = " 503 503 503 503"
status=$(api 127.0.0.3 GET /api/v1/sessions/current -H "Authorization: Bearer $TOKEN")
it_check "alice's live session still answers (HTTP $status)" test "$status" = 200
it_check "kgwd and kgw-portal are still running" alive
it_check "the store passes integrity_check while full" integrity

rm -f "$T/data/fill"
status=$(login 127.0.0.3 "$(code 30)")
it_check "with room again, alice logs in from the same source, not locked out (HTTP $status)" \
	test "$status" = 201
it_check "and kgwctl works" sh -c "echo 'bob-pw-5678' | '$KGWCTL_BIN' -c '$T/kgw.conf' user add bob --password-stdin"

# ---- the file system turns read-only ----
# With the daemons' database open for writing the kernel refuses the
# remount (busy), so they stop first: what matters is how they start.
kill -TERM "$KGWD" "$PORTAL"
it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $KGWD && ! kill -0 $PORTAL" || true
it_check "the store's file system is remounted read-only" mount -o remount,ro "$T/data"
it_check "kgwctl user add fails, saying the file system is read-only" \
	expect_err "Read-only file system" sh -c "echo 'carol-pw-5678' | '$KGWCTL_BIN' -c '$T/kgw.conf' user add carol --password-stdin"
it_check "kgwctl user list still reads it" ctl user list
: > "$T/kgwd.log"
it_check "kgwd starts on it, to keep the live sessions' tunnels" gw_start_kgwd "$GW"
it_check "and warns that new sessions will fail" grep -q 'cannot be written (Read-only file system)' "$T/kgwd.log"
it_check "it restored alice's sessions" grep -q '2 session(s) restored' "$T/kgwd.log"
: > "$T/portal.log"
it_check "kgw-portal starts on it" gw_start_portal "$GW"
it_check "and warns that logins will fail" grep -q 'cannot be written (Read-only file system)' "$T/portal.log"
status=$(login 127.0.0.6 "$(code 30)")
it_check "a login fails closed: 503 auth_unavailable, no session (HTTP $status)" sh -c \
	"[ '$status' = 503 ] && [ \"\$(jq -r .error.code '$T/body')\" = auth_unavailable ]"
status=$(api 127.0.0.6 GET /api/v1/sessions/current -H "Authorization: Bearer $TOKEN")
it_check "alice's live session still answers (HTTP $status)" test "$status" = 200
it_check "kgwd and kgw-portal are still running" alive
kill -TERM "$KGWD" "$PORTAL"
it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $KGWD && ! kill -0 $PORTAL" || true
it_check "the file system is writable again" mount -o remount,rw "$T/data"
: > "$T/kgwd.log"
it_check "writable again: kgwd starts" gw_start_kgwd "$GW"
it_check "it restores both of alice's sessions" grep -q '2 session(s) restored' "$T/kgwd.log"
: > "$T/portal.log"
it_check "kgw-portal starts" gw_start_portal "$GW"
status=$(api 127.0.0.5 GET /api/v1/sessions/current -H "Authorization: Bearer $TOKEN")
it_check "alice's first session is still hers (HTTP $status)" test "$status" = 200
it_check "the store passes integrity_check" integrity
it_check "users are intact" sh -c "ctl() { '$KGWCTL_BIN' -c '$T/kgw.conf' \"\$@\"; }; [ \"\$(ctl user list --json | jq -r '[.[].name] | sort | join(\",\")')\" = admin,alice,bob ]"

it_teardown
it_check "nothing left behind" it_leftovers "$T/run/kgwd.sock"
it_done
