#!/bin/sh
# kill -9 of kgwd and of kgw-portal while a session carries traffic:
#
#  op 203.0.113.20 (wireguard-go) ── 203.0.113.10 gw (kgwd, kgw-portal) 10.0.0.1 ── 10.0.0.10:6443 api
#
# Neither daemon gets to clean up: kgwd leaves its control socket and its
# nftables table behind, the portal its connections. After each restart the
# session is back (restored from the store, its token still valid), the
# client's traffic resumes without it doing anything, and the store passes
# PRAGMA integrity_check with its users, sessions and audit log intact.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root wireguard-go wg curl oathtool openssl nc jq sqlite3
gw_programs portal/kgw-portal pam/.libs/pam_kgw.so
T=$IT_TMP; chmod 0755 "$T"
OP=kgwko$IT_TAG; GW=kgwkg$IT_TAG; API=kgwka$IT_TAG
TUN=kgk$IT_TAG; CLI=kck$IT_TAG; PAMSVC=kgw-kill-$IT_TAG
trap 'rc=$?; gw_cleanup; it_cleanup $rc' EXIT INT TERM

it_netns "$OP" "$GW" "$API"
ip link add eth0 netns "$OP" type veth peer name eth0 netns "$GW"
ip link add eth1 netns "$GW" type veth peer name eth0 netns "$API"
for l in "$OP eth0" "$GW eth0" "$GW eth1" "$API eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$OP" addr add 203.0.113.20/24 dev eth0
ip -n "$GW" addr add 203.0.113.10/24 dev eth0; ip -n "$GW" addr add 10.0.0.1/24 dev eth1
ip -n "$API" addr add 10.0.0.10/24 dev eth0; ip -n "$API" route add default via 10.0.0.1
it_bg ip netns exec "$API" sh -c 'while :; do echo api | nc -l -p 6443 -q 0 >/dev/null 2>&1; done'

cat > "$T/kgw.conf" <<CONF
[gateway]
interface = $TUN
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
[portal]
auth_listen = 203.0.113.10:4443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
[store]
database = $T/kgw.db
[log]
syslog = false
CONF
gw_store && gw_otp alice || it_fail "the store"
gw_pam "$PAMSVC" "$T/kgw.db"
start_kgwd() { gw_start_kgwd "$GW"; }
start_portal() { gw_start_portal "$GW"; }
api() {	# api METHOD PATH [BODY] [TOKEN]: the status, body in $T/resp
	ip netns exec "$OP" curl -sk --tlsv1.3 --max-time 20 -o "$T/resp" -w '%{http_code}' -X "$1" \
		${4:+-H "Authorization: Bearer $4"} ${3:+-H 'Content-Type: application/json' --data "$3"} \
		"https://203.0.113.10:4443$2" || true
}
through() { ip netns exec "$OP" nc -z -w 2 10.0.0.10 6443; }
integrity() { [ "$(sqlite3 "$T/kgw.db" 'PRAGMA integrity_check')" = ok ]; }
snapshot() {	# what must survive a crash: users, live sessions, the audit so far
	{ sqlite3 "$T/kgw.db" "SELECT name FROM users ORDER BY name"
	  sqlite3 "$T/kgw.db" "SELECT id, public_key, expires FROM sessions WHERE ended = 0 AND revoked = 0 ORDER BY id"
	  sqlite3 "$T/kgw.db" "SELECT id, time, event, user FROM audit ORDER BY id"; } > "$T/snap.$1"
}
# Nothing before the crash is lost: every line of the old snapshot is in the new.
kept() {
	sort "$T/snap.$2" > "$T/snap.sorted"
	sort "$T/snap.$1" | comm -23 - "$T/snap.sorted" > "$T/lost"
	[ -s "$T/snap.$1" ] && [ ! -s "$T/lost" ] || { echo "lost: $(head -3 "$T/lost")"; return 1; }
}

it_check "kgwd starts" start_kgwd
it_check "kgw-portal starts" start_portal
wg genkey > "$T/op.key"
status=$(api POST /api/v1/sessions "{\"user\":\"alice\",\"password\":\"alice-pw-5678\",\"otp\":\"$(oathtool --totp -b "$SECRET")\",\"public_key\":\"$(wg pubkey < "$T/op.key")\"}")
it_check "alice logs in (HTTP $status)" test "$status" = 201
TOKEN=$(jq -r .token "$T/resp"); ADDR=$(jq -r .address "$T/resp"); GWPUB=$(jq -r .gateway_public_key "$T/resp")
it_bg ip netns exec "$OP" env WG_PROCESS_FOREGROUND=1 wireguard-go "$CLI" >"$T/wgo.log" 2>&1
it_wait 5 test -S "/var/run/wireguard/$CLI.sock"
ip netns exec "$OP" wg set "$CLI" private-key "$T/op.key" peer "$GWPUB" endpoint 203.0.113.10:51820 \
	allowed-ips 10.0.0.10/32 persistent-keepalive 5
ip -n "$OP" addr add "$ADDR" dev "$CLI"; ip -n "$OP" link set "$CLI" up
ip -n "$OP" route add 10.0.0.10/32 dev "$CLI"
it_check "the API is reached through the tunnel" it_wait 10 through

# ---- kgwd, killed in the middle of a burst of authorizations ----
snapshot before-kgwd
burst() {	# authorizes sessions until kgwd stops answering; each acknowledged key goes to $T/acked
	i=0
	while [ $i -lt 300 ]; do
		k=$(wg genkey | wg pubkey)
		printf '{"op":"authorize","user":"alice","public_key":"%s","ttl":600,"token_hash":"%s","destinations":[{"cidr":"10.0.0.10/32","ports":"6443"}]}\n' \
			"$k" "$(printf '%s' "$k" | sha256sum | cut -c1-64)" |
			ip netns exec "$GW" nc -U -q 1 "$T/run/kgwd.sock" 2>/dev/null |
			jq -se '.[0].ok == true' >/dev/null 2>&1 || break
		echo "$k" >> "$T/acked"
		i=$((i + 1))
	done
}
: > "$T/acked"
burst & BURST=$!
it_wait 30 sh -c "[ \$(wc -l < $T/acked) -ge 20 ]" || true
kill -9 "$KGWD"
it_check "kgwd is dead" it_wait 5 sh -c "! kill -0 $KGWD"
wait "$BURST" 2>/dev/null || true
ACKED=$(wc -l < "$T/acked")
it_check "it was killed mid-burst ($ACKED of 300 acknowledged)" sh -c "[ $ACKED -ge 20 ] && [ $ACKED -lt 300 ]"
it_check "it left its control socket and nftables table behind" sh -c \
	"test -S '$T/run/kgwd.sock' && ip netns exec $GW nft list table inet kgw >/dev/null"
it_check "the store passes integrity_check after the crash" integrity
status=$(api GET /api/v1/sessions/current '' "$TOKEN")
it_check "while kgwd is down, the portal says so: 503 JSON (got $status)" sh -c \
	"[ '$status' = 503 ] && jq -e '.error.code' '$T/resp'"
: > "$T/kgwd.log"
it_check "kgwd starts again over the stale socket and nftables table" start_kgwd
listed() { printf '{"op":"list"}\n' | ip netns exec "$GW" nc -U -q 1 "$T/run/kgwd.sock" | jq -r '.sessions[].public_key' | sort; }
alice_back() { listed | grep -qxF "$(wg pubkey < "$T/op.key")"; }
it_check "it restored alice's session" alice_back
restored_all() {	# every acknowledged authorization is back on the tunnel
	listed > "$T/peers"
	sort "$T/acked" | comm -23 - "$T/peers" > "$T/missing"
	[ ! -s "$T/missing" ] || { echo "missing: $(head -3 "$T/missing")"; return 1; }
}
it_check "and every session it acknowledged before dying" restored_all
it_check "the client's traffic resumes without it doing anything" it_wait 40 through
snapshot after-kgwd
it_check "users, live sessions and audit are all still there" kept before-kgwd after-kgwd
status=$(api GET /api/v1/sessions/current '' "$TOKEN")
it_check "the token still works (got $status)" test "$status" = 200

# ---- kgw-portal, killed ----
snapshot before-portal
kill -9 "$PORTAL"
it_check "kgw-portal is dead" it_wait 5 sh -c "! kill -0 $PORTAL"
it_check "the tunnel does not care: traffic still flows" through
it_check "kgw-portal starts again" start_portal
status=$(api GET /api/v1/sessions/current '' "$TOKEN")
it_check "the session and its token survive the portal's crash (got $status)" test "$status" = 200
snapshot after-portal
it_check "users, live sessions and audit are all still there" kept before-portal after-portal
it_check "the store passes integrity_check" integrity

# ---- both, killed at once, then DELETE works ----
kill -9 "$PORTAL" "$KGWD"
it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $PORTAL && ! kill -0 $KGWD" || true
: > "$T/kgwd.log"
it_check "kgwd starts again" start_kgwd
it_check "kgw-portal starts again" start_portal
# alice's and every acknowledged one; at most one more, stored by kgwd but
# killed before its answer reached the burst (nc asks one at a time).
restored_count() {
	n=$(sed -n 's/.* \([0-9]*\) session(s) restored.*/\1/p' "$T/kgwd.log" | tail -1)
	echo "restored ${n:-none}, acknowledged $ACKED + alice's"
	[ -n "$n" ] && [ "$n" -ge $((ACKED + 1)) ] && [ "$n" -le $((ACKED + 2)) ]
}
it_check "kgwd restored the sessions once more" restored_count
status=$(api DELETE /api/v1/sessions/current '' "$TOKEN")
it_check "DELETE ends it (got $status)" test "$status" = 204
it_check_not "and traffic stops" through
it_check "the store passes integrity_check" integrity

it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$CLI.sock" "$T/run/kgwd.sock"
it_done
