#!/bin/sh
# kgw-client against a stand-in portal (client-portal.py, HTTPS with a test
# certificate) and a wireguard-go gateway peer. The real end to end with
# kgwd and kgw-portal is portal's and the gateway's test; this one proves the
# client: login outcomes and exit codes, the tunnel and its routes, status,
# export, disconnect, expiry, and that nothing is left behind.
#
#   netns op (kgw-client, $IFC)               netns gw (portal stand-in, wireguard-go $IFG)
#   veth o: 192.0.2.1/24  ────────────────── veth g: 192.0.2.2/24
#                                             HTTPS 192.0.2.2:4443 (TLS 1.3), :4444 (TLS 1.2 only)
#   tunnel 100.64.0.2/32, fd6b:6777::2/128    WireGuard 192.0.2.2:51820, tunnel 100.64.0.1/32
#   route 10.0.0.10/32 only                   lo: 10.0.0.10/32 (the API), 10.0.0.20/32 (not ours)
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wireguard-go wg wg-quick python3 openssl nc
umask 077

B=$(it_builddir)
S=$(it_srcdir)
KC=$(kgw_wrap "$B/client/kgw-client")
[ -x "$B/client/kgw-client" ] || { echo "kgw-client not built at $KC"; exit 99; }
OP=kgwco$IT_TAG; GW=kgwcg$IT_TAG
IFC=kgwc$IT_TAG; IFG=kgwg$IT_TAG
LOG=$IT_TMP/portal.log
export XDG_CONFIG_HOME="$IT_TMP/config"
export KGW_CLIENT_STATE_DIR="$IT_TMP/run"
STATE="$KGW_CLIENT_STATE_DIR/default.json"
UAPI=/var/run/wireguard/$IFC.sock

inop() { ip netns exec "$OP" "$@"; }
ingw() { ip netns exec "$GW" "$@"; }
kc() { ip netns exec "$OP" "$KC" "$@"; }
# kc_rc WANT CMD...: the exit status is WANT; output in $IT_TMP/kc.out
kc_rc() {
	want=$1; shift
	set +e
	ip netns exec "$OP" "$KC" "$@" >"$IT_TMP/kc.out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || { echo "exit $rc, want $want:"; cat "$IT_TMP/kc.out"; return 1; }
}
log_has() { grep -q "$1" "$LOG"; }
nothing_up() {	# no interface, no state, no UAPI socket, no route in op
	! inop ip link show "$IFC" >/dev/null 2>&1 && [ ! -e "$STATE" ] && [ ! -e "$UAPI" ] &&
		[ -z "$(inop ip route show 10.0.0.10/32)" ]
}

it_netns "$OP" "$GW"
ip link add o netns "$OP" type veth peer name g netns "$GW"
inop ip addr add 192.0.2.1/24 dev o
ingw ip addr add 192.0.2.2/24 dev g
inop ip link set o up
ingw ip link set g up
ingw ip addr add 10.0.0.10/32 dev lo
ingw ip addr add 10.0.0.20/32 dev lo

# The gateway: wireguard-go and the portal stand-in.
wg genkey > "$IT_TMP/gw.key"
GWPUB=$(wg pubkey < "$IT_TMP/gw.key")
it_bg ip netns exec "$GW" env WG_PROCESS_FOREGROUND=1 wireguard-go "$IFG" >"$IT_TMP/wgo.log" 2>&1
it_wait 5 test -S "/var/run/wireguard/$IFG.sock"
ingw wg set "$IFG" private-key "$IT_TMP/gw.key" listen-port 51820
ingw ip addr add 100.64.0.1/32 dev "$IFG"
ingw ip link set "$IFG" up
ingw ip route add 100.64.0.0/16 dev "$IFG"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=gw.test \
	-keyout "$IT_TMP/key.pem" -out "$IT_TMP/cert.pem" 2>/dev/null
PIN=$(openssl x509 -noout -fingerprint -sha256 -in "$IT_TMP/cert.pem" | cut -d= -f2)
portal() {
	it_bg ip netns exec "$GW" python3 "$S/tests/integration/client-portal.py" --cert "$IT_TMP/cert.pem" \
		--key "$IT_TMP/key.pem" --log "$LOG" --wg-iface "$IFG" --gw-pubkey "$GWPUB" "$@"
}
portal --listen 192.0.2.2:4443
portal --listen 192.0.2.2:4444 --tls12
it_wait 10 inop sh -c "nc -z 192.0.2.2 4443 && nc -z 192.0.2.2 4444"
: > "$LOG"

# --- profiles ---------------------------------------------------------------
it_check "init writes the profile" kc init --gateway 192.0.2.2 --pin "$PIN" --user alice --interface "$IFC"
it_check "the profile holds the pin as openssl prints it" grep -q "^pin = $PIN\$" "$XDG_CONFIG_HOME/kgw/default.conf"
it_check "init refuses to overwrite without --force" kc_rc 1 init --gateway 192.0.2.2 --pin "$PIN" --user bob
it_check "init refuses a bad pin (exit 2)" kc_rc 2 init --profile x --gateway 192.0.2.2 --pin abc --user bob
WRONG=$(echo "$PIN" | tr '0-9A-F' 'A-F0-9')
kc init --profile wrongpin --gateway 192.0.2.2:4443 --pin "$WRONG" --user alice --interface "$IFC" >/dev/null
kc init --profile tls12 --gateway 192.0.2.2:4444 --pin "$PIN" --user alice --interface "$IFC" >/dev/null
kc init --profile closed --gateway 192.0.2.2:4445 --pin "$PIN" --user alice --interface "$IFC" >/dev/null
kc init --profile throttled --gateway 192.0.2.2 --pin "$PIN" --user throttled --interface "$IFC" >/dev/null
kc init --profile short --from "$XDG_CONFIG_HOME/kgw/default.conf" --user short >/dev/null
it_check "init --from takes an admin's file and overrides the user" \
	grep -q '^user = short$' "$XDG_CONFIG_HOME/kgw/short.conf"

# --- failures change nothing ------------------------------------------------
it_check "not connected: status exits 7" kc_rc 7 status
it_check "not connected: export exits 7" kc_rc 7 export --wg-quick
it_check "not connected: disconnect exits 7" kc_rc 7 disconnect
it_check "status --json says not connected" sh -c "grep -q '\"connected\": false' $IT_TMP/kc.out || \
	ip netns exec $OP $KC status --json 2>/dev/null | grep -q '\"connected\": false'"

printf 'pw\n' > "$IT_TMP/pw"
it_check "pin mismatch: exit 5" kc_rc 5 connect --profile wrongpin --password-stdin --otp 123456 < "$IT_TMP/pw"
it_check "pin mismatch names both fingerprints" sh -c \
	"grep -q 'pinned: *$WRONG' $IT_TMP/kc.out && grep -q 'presented: *$PIN' $IT_TMP/kc.out"
it_check "pin mismatch: nothing was sent to the server" test ! -s "$LOG"
it_check "pin mismatch: nothing changed" nothing_up
it_check "TLS 1.2 only server: exit 5" kc_rc 5 connect --profile tls12 --password-stdin --otp 123456 \
	< "$IT_TMP/pw"
it_check "TLS 1.2 only: nothing sent" test ! -s "$LOG"
it_check "closed port: exit 5" kc_rc 5 connect --profile closed --password-stdin --otp 123456 < "$IT_TMP/pw"

printf 'wrong\n123456\n' > "$IT_TMP/wrongpw"
it_check "wrong password: exit 3" sh -c "ip netns exec $OP $KC connect --password-stdin \
	< $IT_TMP/wrongpw > $IT_TMP/kc.out 2>&1; test \$? -eq 3"
it_check "401 shows the gateway's reason" grep -q 'refused: wrong user name, password or code' "$IT_TMP/kc.out"
it_check "401: nothing changed" nothing_up
it_check "the gateway has no peer after a refusal" test -z "$(ingw wg show "$IFG" peers)"
it_check "429: exit 4" sh -c "ip netns exec $OP $KC connect --profile throttled --password-stdin \
	--otp 123456 < $IT_TMP/pw > $IT_TMP/kc.out 2>&1; test \$? -eq 4"
it_check "429 shows Retry-After" grep -q 'retry after 42 seconds' "$IT_TMP/kc.out"
it_check "bad --otp is a usage error before any request" sh -c "n=\$(wc -l < $LOG); \
	ip netns exec $OP $KC connect --password-stdin --otp 12ab56 < $IT_TMP/pw >/dev/null 2>&1; \
	test \$? -eq 2 && test \$(wc -l < $LOG) -eq \$n"

# --- connect ----------------------------------------------------------------
# setsid: no controlling terminal, so a prompt could not even open /dev/tty.
printf 'pw\n123456\n' > "$IT_TMP/creds"
it_check "connect with --password-stdin (code on line 2), no prompt" sh -c \
	"setsid -w ip netns exec $OP $KC connect --password-stdin < $IT_TMP/creds > $IT_TMP/kc.out 2>&1"
cat "$IT_TMP/kc.out"
it_check "the portal got the password and code from stdin" \
	grep -q '"password": "pw", "otp": "123456"' "$LOG"
it_check "the Host header is the profile's address" grep -q '"host": "192.0.2.2"' "$LOG"
it_check "connect leaves a background process" sh -c "ip netns pids $OP | grep -q ."
it_check "the tunnel interface is up" sh -c "ip -n $OP link show $IFC | grep -q 'UP'"
it_check "it has the session's addresses" sh -c "ip -n $OP addr show $IFC | grep -q 'inet 100.64.0.2/32' && \
	ip -n $OP addr show $IFC | grep -q 'inet6 fd6b:6777::2/128'"
routes=$(inop ip route show dev "$IFC" | sort | tr '\n' ';')
echo "# routes via $IFC: $routes"
it_check "routes through the tunnel: exactly the session's (10.0.0.10)" test "$routes" = "10.0.0.10 proto static scope link ;"
it_check "the rest of 10.0.0.0/24 is not routed through it" sh -c \
	"! ip netns exec $OP ip route get 10.0.0.20 2>/dev/null | grep -q $IFC"
it_check "the default route is untouched (there is none)" test -z "$(inop ip route show default)"
it_check "state file exists, mode 0600" sh -c "test \"\$(stat -c %a $STATE)\" = 600"
it_check "the userspace engine's UAPI socket exists" test -S "$UAPI"
it_check "connecting again is refused (exit 1)" kc_rc 1 connect --password-stdin --otp 123456 < "$IT_TMP/pw"
it_check "ping through the tunnel to the API address" inop ping -c 3 -i 0.2 -W 3 10.0.0.10
it_check "the gateway's peer is this session's key" sh -c \
	"test \"\$(ip netns exec $GW wg show $IFG peers)\" = \"\$(wg show $IFC public-key)\""

head -c 2000000 /dev/urandom > "$IT_TMP/blob"
ingw sh -c "timeout 30 nc -l -N 10.0.0.10 6443 > $IT_TMP/blob.recv" &
rx=$!
it_wait 5 ingw sh -c "ss -ltn | grep -q '10.0.0.10:6443 '" || true
it_check "TCP to the API port through the tunnel" inop timeout 30 nc -N 10.0.0.10 6443 < "$IT_TMP/blob"
wait $rx || true
it_check "the 2 MB arrived intact" cmp "$IT_TMP/blob" "$IT_TMP/blob.recv"

it_check "status exits 0" kc_rc 0 status
it_check "status shows user, address, expiry, handshake, transfer" sh -c \
	"grep -q '^user: *alice' $IT_TMP/kc.out && grep -q '^address: *100.64.0.2/32' $IT_TMP/kc.out && \
	 grep -Eq '^expires: *in (8 hours \\(|7 hours, 59 minutes)' $IT_TMP/kc.out && \
	 grep -q '^latest handshake: .* ago' $IT_TMP/kc.out && grep -q '^transfer: .*MiB sent' $IT_TMP/kc.out"
sed 's/^/#   /' "$IT_TMP/kc.out"
kc status --json > "$IT_TMP/status.json"
it_check "status --json: handshake and bytes" python3 -c "
import json, sys, time
s = json.load(open('$IT_TMP/status.json'))
assert s['connected'] and s['user'] == 'alice' and s['interface'] == '$IFC', s
assert s['backend'] == 'userspace', s
assert time.time() - 60 < s['latest_handshake'] <= time.time() + 1, s
assert s['rx_bytes'] > 0 and s['tx_bytes'] > 2000000, s
assert 8 * 3600 - 60 < s['expires_in'] <= 8 * 3600, s
assert s['routes'] == ['10.0.0.10/32'], s
assert 'token' not in json.dumps(s), s
"

PRIV=$(wg show "$IFC" private-key)
PRIVHEX=$(echo "$PRIV" | base64 -d | od -An -tx1 | tr -d ' \n')
it_check "no private key on disk (state dir, profiles), base64 or hex" sh -c \
	"! grep -rqF -e '$PRIV' -e '$PRIVHEX' $KGW_CLIENT_STATE_DIR $XDG_CONFIG_HOME"
it_check "the state holds the token (for disconnect)" grep -q '"token"' "$STATE"

kc export --wg-quick > "$IT_TMP/kgwc.conf"
chmod 600 "$IT_TMP/kgwc.conf"
it_check "export --wg-quick has the live key" grep -qF "PrivateKey = $PRIV" "$IT_TMP/kgwc.conf"
it_check "wg-quick strip accepts the export" sh -c "wg-quick strip $IT_TMP/kgwc.conf > $IT_TMP/stripped"
it_check "the stripped config names the gateway and the routes" sh -c \
	"grep -qF 'PublicKey = $GWPUB' $IT_TMP/stripped && grep -q 'AllowedIPs = 10.0.0.10/32' $IT_TMP/stripped && \
	 grep -q 'Endpoint = 192.0.2.2:51820' $IT_TMP/stripped"
sed 's/^PrivateKey = .*/PrivateKey = (hidden)/; s/^/#   /' "$IT_TMP/kgwc.conf"

it_check "kubeconfig names the API behind the tunnel" sh -c \
	"ip netns exec $OP $KC kubeconfig | grep -q 'server: https://10.0.0.10:6443'"
if command -v kubectl >/dev/null 2>&1; then
	printf 'apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: me\n  user: {token: x}\n' > "$IT_TMP/kube"
	it_check "kubeconfig --merge: kubectl reads the merged file" sh -c \
		"ip netns exec $OP $KC kubeconfig --merge --kubeconfig $IT_TMP/kube >/dev/null && \
		 KUBECONFIG=$IT_TMP/kube kubectl config view -o jsonpath='{.clusters[0].cluster.server}' | \
		 grep -qx 'https://10.0.0.10:6443'"
fi

# --- disconnect -------------------------------------------------------------
TOKEN=$(python3 -c "import json; print(json.load(open('$STATE'))['session']['token'])")
it_check "disconnect exits 0" kc_rc 0 disconnect
it_check "disconnect sent DELETE with the session's token" \
	grep -q "\"method\": \"DELETE\", \"path\": \"/api/v1/sessions/current\", \"auth\": \"Bearer $TOKEN\"" "$LOG"
it_check "the gateway removed the peer" test -z "$(ingw wg show "$IFG" peers)"
it_check "interface, routes, state and socket are gone" nothing_up
it_check "the tunnel process is gone" sh -c "! ip netns pids $OP | grep -q ."
it_check "a second disconnect: not connected (7)" kc_rc 7 disconnect

# --- foreground: Ctrl-C is the disconnect -----------------------------------
printf 'pw\n' > "$IT_TMP/pw"
ip netns exec "$OP" "$KC" connect --foreground --password-stdin --otp 123456 < "$IT_TMP/pw" \
	> "$IT_TMP/fg.out" 2>&1 &
fg=$!
it_track_pid "$fg"
it_check "--foreground brings the tunnel up" it_wait $((10 * KGW_WAIT_FACTOR)) test -e "$STATE"
it_check "--foreground: ping through" inop ping -c 1 -W 3 10.0.0.10
n=$(grep -c DELETE "$LOG" || true)
kill -INT "$fg"
wait "$fg" || true
it_check "Ctrl-C ended the session at the gateway" test "$(grep -c DELETE "$LOG")" -eq $((n + 1))
it_check "Ctrl-C removed everything" nothing_up
it_check "foreground said so" grep -q Disconnected "$IT_TMP/fg.out"

# --- expiry -----------------------------------------------------------------
it_check "connect a 3 s session" kc_rc 0 connect --profile short --password-stdin --otp 123456 < "$IT_TMP/pw"
it_check "its tunnel is up" inop ip link show "$IFC"
sleep 4
it_check "at expiry the tunnel came down by itself" it_wait 5 nothing_up
STATE_SHORT="$KGW_CLIENT_STATE_DIR/short.json"
it_check "and its state is gone" test ! -e "$STATE_SHORT"

# --- a tunnel that cannot be set up ends the session again ------------------
inop ip link add "$IFC" type veth peer name "x$IFC"
it_check "interface name taken: exit 6 before any login" sh -c "n=\$(wc -l < $LOG); \
	ip netns exec $OP $KC connect --password-stdin --otp 123456 < $IT_TMP/pw >/dev/null 2>&1; \
	test \$? -eq 6 && test \$(wc -l < $LOG) -eq \$n"
inop ip link del "$IFC"

it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$IFC.sock" "/var/run/wireguard/$IFG.sock"
it_done
