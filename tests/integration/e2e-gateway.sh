#!/bin/sh
# The gateway's main job, end to end, in namespaces (../shared/DESIGN.md):
#
#  op 198.51.100.10 ── inet (router) ── 203.0.113.10 gw (kgwd, kgw-portal) 10.0.0.1 ── lan
#                                                                  api 10.0.0.10:6443 (TLS)
#                                                                  node 10.0.0.20:22
#
# An operator logs in through the session API (password + a TOTP code from
# oathtool, PAM through the real pam_kgw.so), gets a session, brings up a
# stock wireguard-go with it, and reaches the API stand-in through the
# tunnel, and nothing else: not the node, not another port of the API
# host. Then: kgwd restarts and the session survives; DELETE ends it and
# traffic stops within a second; a short session expires on time.
# KGW_DEMO=1 narrates (tools/demo); KGW_DEMO_KEEP=FILE stops once the
# operator is connected and leaves it all running (tools/demo --keep).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root wireguard-go wg curl oathtool openssl nc jq
gw_programs portal/kgw-portal pam/.libs/pam_kgw.so
say() { [ "${KGW_DEMO:-0}" = 1 ] && printf '\n==> %s\n' "$*"; true; }

T=$IT_TMP; chmod 0755 "$T"
OP=kgwop$IT_TAG; INET=kgwin$IT_TAG; GW=kgwgw$IT_TAG; LAN=kgwln$IT_TAG; API=kgwap$IT_TAG; NODE=kgwnd$IT_TAG
TUN=kgw$IT_TAG; CLI=kgc$IT_TAG; PAMSVC=kgw-e2e-$IT_TAG
# On failure the daemons' logs are shown: they say why.
cleanup_extra() {
	gw_cleanup
	[ "$IT_FAILS" -eq 0 ] || [ ! -f "$T/kgw.db" ] ||
		"$KGWCTL_BIN" --db "$T/kgw.db" audit 2>&1 | head -12 | sed 's/^/#   audit: /'
	true
}
trap 'rc=$?; set +e; cleanup_extra; it_cleanup $rc' EXIT INT TERM

say "network namespaces: operator, internet router, gateway, private LAN with the API and a node"
it_netns "$OP" "$INET" "$GW" "$LAN" "$API" "$NODE"
link() {	# link NS1 IF1 NS2 IF2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}
link "$OP" eth0 "$INET" op0
link "$INET" gw0 "$GW" eth0
link "$GW" eth1 "$LAN" gw1
link "$LAN" api1 "$API" eth0
link "$LAN" node1 "$NODE" eth0
ip -n "$LAN" link add br0 type bridge; ip -n "$LAN" link set br0 up
for i in gw1 api1 node1; do ip -n "$LAN" link set "$i" master br0; done
ip -n "$OP" addr add 198.51.100.10/24 dev eth0; ip -n "$OP" route add default via 198.51.100.1
ip -n "$INET" addr add 198.51.100.1/24 dev op0; ip -n "$INET" addr add 203.0.113.1/24 dev gw0
ip -n "$INET" addr add 203.0.113.80/32 dev lo	# public ingress: reached directly, not via gw
ip netns exec "$INET" sysctl -qw net.ipv4.ip_forward=1
ip -n "$GW" addr add 203.0.113.10/24 dev eth0; ip -n "$GW" route add default via 203.0.113.1
ip -n "$GW" addr add 10.0.0.1/24 dev eth1
ip -n "$API" addr add 10.0.0.10/24 dev eth0; ip -n "$API" route add default via 10.0.0.1
ip -n "$NODE" addr add 10.0.0.20/24 dev eth0; ip -n "$NODE" route add default via 10.0.0.1

say "the Kubernetes API stand-in (TLS on 10.0.0.10:6443), another service on :8080, and a node's ssh"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=api \
	-addext subjectAltName=IP:10.0.0.10 -keyout "$T/api.key" -out "$T/api.crt" >/dev/null 2>&1
chmod 0644 "$T/api.key"
it_bg ip netns exec "$API" python3 "$(it_srcdir)/tests/integration/api-standin.py" 10.0.0.10 6443 \
	"$T/api.crt" "$T/api.key"
it_bg ip netns exec "$API" sh -c 'while :; do echo other | nc -l -p 8080 -q 0 >/dev/null 2>&1; done'
for port in 22 6443 10250; do	# ssh, an API port, the kubelet: all listening
	it_bg ip netns exec "$NODE" sh -c "while :; do echo node | nc -l -p $port -q 0 >/dev/null 2>&1; done"
done
it_wait 5 ip netns exec "$API" sh -c "ss -ltn | grep -q ':6443 '" || true
# Something on the gateway that is not the portal, and the public ingress.
it_bg ip netns exec "$GW" sh -c 'while :; do echo gw | nc -l -p 9999 -q 0 >/dev/null 2>&1; done'
it_bg ip netns exec "$INET" sh -c 'while :; do echo ingress | nc -l -s 203.0.113.80 -p 443 -q 0 >/dev/null 2>&1; done'

it_check "the node's services answer on the LAN (so refusals below are the policy's)" \
	ip netns exec "$GW" nc -z -w 2 10.0.0.20 10250
say "kgwctl init: database, gateway key, TLS certificate, first admin"
cat > "$T/kgw.conf" <<CONF
[gateway]
interface = $TUN
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
session_ttl = 600
[portal]
auth_listen = 203.0.113.10:4443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
[store]
database = $T/kgw.db
[log]
level = info
syslog = false
CONF
# kgwd's run directory, as /run/kgw is: the kgw user's, so it can remove its socket.
mkdir -p "$T/run"; chown kgw:kgw "$T/run"
it_check "kgwctl init" sh -c "echo 'admin-pw-1234' | '$KGWCTL_BIN' -c '$T/kgw.conf' init --hostname gw --admin-password-stdin"
PIN=$(openssl x509 -in "$T/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
echo 'alice-pw-5678' | ctl user add alice --password-stdin >/dev/null
ctl group add k8s-admins >/dev/null
ctl group allow k8s-admins 10.0.0.10/32 6443 >/dev/null
ctl user add-group alice k8s-admins >/dev/null
SECRET=$(ctl otp enroll alice --json | jq -r .secret)
it_check "alice's one-time code from oathtool activates her secret" \
	ctl otp verify alice "$(oathtool --totp -b "$SECRET")"
gw_pam "$PAMSVC" "$T/kgw.db"

say "kgwd (userspace WireGuard backend) and kgw-portal start in the gateway namespace"
it_check "kgwd starts and reports ready" gw_start_kgwd "$GW"
it_check "kgw-portal starts and serves the session API" gw_start_portal "$GW"
it_check "kgwd runs as user kgw with only CAP_NET_ADMIN" sh -c \
	"pid=\$(pgrep -f 'kgwd -c $T/kgw.conf' | head -1); grep -q '^Uid:.*$(id -u kgw)' /proc/\$pid/status && grep -q '^CapEff:.*0000000000001000' /proc/\$pid/status"
# The rest of this test is the proof that their seccomp lists are complete.
if [ "${KGW_SECCOMP:-kill}" != off ]; then
	for who in "kgwd -c" "kgw-portal -c"; do
		it_check "${who% -c} runs under its seccomp filter" sh -c \
			"pid=\$(pgrep -f '$who $T/kgw.conf' | head -1); grep -q '^Seccomp:[[:space:]]*2' /proc/\$pid/status"
	done
fi

api() {	# api METHOD PATH [BODY] [TOKEN]: HTTPS to the portal from the operator
	ip netns exec "$OP" curl -s --tlsv1.3 --pinnedpubkey "sha256//$(openssl x509 -in "$T/tls.crt" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)" \
		-k --max-time 20 -o "$T/resp" -w '%{http_code}' -X "$1" ${4:+-H "Authorization: Bearer $4"} \
		${3:+-H 'Content-Type: application/json' --data "$3"} "https://203.0.113.10:4443$2" || true
}
wg genkey > "$T/op.key"; OPPUB=$(wg pubkey < "$T/op.key")
code_next=$(oathtool --totp -b "$SECRET" -N "now + 30 seconds")
LAST_STEP=$(( ($(date +%s) + 30) / 30 ))

say "the gateway's firewall (nftables, table inet kgw): only WireGuard and the auth port from outside"
it_check "kgwd installed its nftables table" ip netns exec "$GW" nft list table inet kgw
it_check_not "another port on the gateway is closed from outside" ip netns exec "$OP" nc -z -w 2 203.0.113.10 9999
it_check "public ingress (203.0.113.80) is reached directly, not through the gateway" \
	ip netns exec "$OP" nc -z -w 2 203.0.113.80 443

say "a wrong password gets the uniform 401"
status=$(api POST /api/v1/sessions "{\"user\":\"alice\",\"password\":\"nope\",\"otp\":\"$code_next\",\"public_key\":\"$OPPUB\"}")
it_check "wrong password -> 401 (got $status)" test "$status" = 401

say "alice logs in: password and one-time code, her fresh public key"
status=$(api POST /api/v1/sessions "{\"user\":\"alice\",\"password\":\"alice-pw-5678\",\"otp\":\"$code_next\",\"public_key\":\"$OPPUB\"}")
it_check "login -> session (HTTP $status)" sh -c "[ '$status' = 200 ] || [ '$status' = 201 ]"
[ "${KGW_DEMO:-0}" = 1 ] && jq 'del(.token)' "$T/resp"
TOKEN=$(jq -r .token "$T/resp"); ADDR=$(jq -r .address "$T/resp"); GWPUB=$(jq -r .gateway_public_key "$T/resp")
ROUTES=$(jq -r '.routes | join(",")' "$T/resp"); EP=$(jq -r .endpoint "$T/resp")
it_check "the session routes only the API endpoint" test "$ROUTES" = "10.0.0.10/32"
status=$(api POST /api/v1/sessions "{\"user\":\"alice\",\"password\":\"alice-pw-5678\",\"otp\":\"$code_next\",\"public_key\":\"$OPPUB\"}")
it_check "a replayed one-time code is refused (got $status)" test "$status" = 401

say "the operator's stock WireGuard (wireguard-go) uses the session: $ADDR via $EP"
it_bg ip netns exec "$OP" env WG_PROCESS_FOREGROUND=1 wireguard-go "$CLI" >"$T/wgo.log" 2>&1
it_wait 5 test -S "/var/run/wireguard/$CLI.sock"
ip netns exec "$OP" wg set "$CLI" private-key "$T/op.key" peer "$GWPUB" endpoint "$EP" \
	allowed-ips "$ROUTES" persistent-keepalive 25
ip -n "$OP" addr add "$ADDR" dev "$CLI"; ip -n "$OP" link set "$CLI" up
ip -n "$OP" route add 10.0.0.10/32 dev "$CLI"
ip -n "$OP" route add 10.0.0.20/32 dev "$CLI"	# the operator tries to reach more than allowed
ip -n "$OP" route add 10.0.0.1/32 dev "$CLI"

say "through the tunnel: the API answers; the node and other ports do not"
it_check "curl gets the API's /version through the tunnel (TLS verified)" sh -c \
	"ip netns exec $OP curl -s --cacert $T/api.crt --max-time 5 https://10.0.0.10:6443/version | jq -e '.gitVersion == \"v1.29.0-kgw-standin\"'"
for port in 22 6443 10250; do
	it_check_not "the node is unreachable through the tunnel (port $port)" \
		ip netns exec "$OP" nc -z -w 2 10.0.0.20 "$port"
done
ip -n "$OP" route add 203.0.113.80/32 dev "$CLI"
it_check_not "public addresses are not reachable through the tunnel" ip netns exec "$OP" nc -z -w 2 203.0.113.80 443
ip -n "$OP" route del 203.0.113.80/32 dev "$CLI"
it_check_not "another port of the API host is unreachable" ip netns exec "$OP" nc -z -w 2 10.0.0.10 8080
it_check_not "ping to the API host is dropped (TCP to 6443 only)" ip netns exec "$OP" ping -c 1 -W 1 10.0.0.10
it_check_not "the gateway itself is unreachable through the tunnel" ip netns exec "$OP" nc -z -w 2 10.0.0.1 9999
it_check "the session's address is in kgw's nftables sets" sh -c \
	"ip netns exec $GW nft list table inet kgw | grep -qF '${ADDR%/*}'"
status=$(api GET /api/v1/sessions/current '' "$TOKEN")
it_check "GET /api/v1/sessions/current shows the live session (got $status)" sh -c \
	"[ '$status' = 200 ] && jq -e '.rx_bytes > 0' $T/resp"
it_check "kgwd counted the dropped packets" sh -c "jq -e '.policy_drops > 0' $T/resp"

say "a key that was never authorized gets no answer to its handshake"
wg genkey > "$T/rogue.key"; ROGUE=kgr$IT_TAG
it_bg ip netns exec "$OP" env WG_PROCESS_FOREGROUND=1 wireguard-go "$ROGUE" >/dev/null 2>&1
it_wait 5 test -S "/var/run/wireguard/$ROGUE.sock"
ip netns exec "$OP" wg set "$ROGUE" private-key "$T/rogue.key" peer "$GWPUB" endpoint "$EP" allowed-ips 10.0.0.10/32
ip -n "$OP" addr add 100.64.255.254/32 dev "$ROGUE"; ip -n "$OP" link set "$ROGUE" up
ip netns exec "$OP" ping -c 2 -W 1 -I "$ROGUE" 10.0.0.10 >/dev/null 2>&1 || true
it_check "the unauthorized peer never completed a handshake" sh -c \
	"ip netns exec $OP wg show $ROGUE latest-handshakes | awk '{ exit \$2 != 0 }'"

say "kgwd restarts: the session is restored from the store"
ip netns exec "$GW" pkill -TERM -f "kgwd -c $T/kgw.conf" || true
it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! pgrep -f 'kgwd -c $T/kgw.conf'" || true
it_check "kgwd starts again" gw_start_kgwd "$GW"
it_check "kgwd restored the session" grep -q '1 session(s) restored' "$T/kgwd.log"
# The new kgwd has the peer but no session keys: the client's WireGuard
# notices within KEEPALIVE + REKEY_TIMEOUT (15 s) and handshakes again.
it_check "the API is reached again after the restart (the client re-handshakes)" \
	it_wait 30 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/

say "DELETE /api/v1/sessions/current: traffic stops at once"
status=$(api DELETE /api/v1/sessions/current '' "$TOKEN")
it_check "DELETE -> 2xx (got $status)" sh -c "[ '$status' = 200 ] || [ '$status' = 204 ]"
it_check_not "no traffic after the session ended" ip netns exec "$OP" curl -sk --max-time 2 -o /dev/null https://10.0.0.10:6443/
status=$(api GET /api/v1/sessions/current '' "$TOKEN")
it_check "the ended token no longer works (got $status)" test "$status" = 401
it_check_not "the session's address left kgw's nftables sets" sh -c \
	"ip netns exec $GW nft list table inet kgw | grep -qF '${ADDR%/*}'"

say "a 3-second session expires on time, with nothing else running"
ctlsock() { printf '%s\n' "$1" | ip netns exec "$GW" nc -U -q 1 "$T/run/kgwd.sock"; }
EXPKEY=$(wg genkey | wg pubkey)
it_check "authorize a 3 s session on the control socket" sh -c "ctlsock() { printf '%s\n' \"\$1\" | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock; }; ctlsock '{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"$EXPKEY\",\"ttl\":3,\"token_hash\":\"$(printf x | sha256sum | cut -c1-64)\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}' | jq -e .ok"
listed() { ctlsock '{"op":"list"}' | jq -e --arg k "$EXPKEY" '[.sessions[].public_key] | index($k)' >/dev/null; }
it_check "its peer is on the tunnel" listed
sleep 4
it_check_not "its peer is gone after expiry" listed
it_check "a bad control request gets an error line" sh -c "ctlsock() { printf '%s\n' \"\$1\" | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock; }; ctlsock '{\"op\":\"authorize\",\"ttl\":-1}' | jq -e '.ok == false and .error.code == \"bad_request\"'"

say "the operator's own tool: kgw-client init, connect, status, export, disconnect"
KC=$(kgw_wrap "$B/client/kgw-client"); PROF="$T/client.conf"; KCI=kcl$IT_TAG
# kgw-client's session state of this run alone (other runs use the same profile name).
export KGW_CLIENT_STATE_DIR="$T/state"
inop() { ip netns exec "$OP" env XDG_CONFIG_HOME="$T/xdg" "$@"; }
it_check "kgw-client init writes a profile pinned to the gateway's certificate" \
	inop "$KC" init --profile "$PROF" --gateway 203.0.113.10:4443 --pin "$PIN" --user alice --interface "$KCI"
# Ten minutes ahead: a well-formed code far outside the accepted window.
wrong_code=$(oathtool --totp -b "$SECRET" -N "now + 10 minutes")
it_check "kgw-client with a wrong code: exit 3 (login refused) and no tunnel" sh -c \
	"echo 'alice-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $wrong_code; [ \$? = 3 ] && ! ip -n $OP link show $KCI"
# Codes are single use: wait for a time step newer than every code used so far.
while [ $(( $(date +%s) / 30 )) -lt "$LAST_STEP" ]; do sleep 1; done
T0=$(date +%s); CODE_STEP=$(( (T0 + 30) / 30 ))
CODE=$(oathtool --totp -b "$SECRET" -N "@$((T0 + 30))")
it_check "kgw-client connect (password on stdin, code as an option)" sh -c \
	"echo 'alice-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $CODE"
it_check "through kgw-client's tunnel the API answers" \
	it_wait 10 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/
it_check "kgw-client routed only the API prefix" sh -c \
	"ip -n $OP route show dev $KCI | grep -q '^10.0.0.10 ' && [ \$(ip -n $OP route show dev $KCI | grep -vc 'proto kernel') = 1 ]"
it_check_not "the node stays unreachable" ip netns exec "$OP" nc -z -w 2 10.0.0.20 22
it_check "kgw-client status --json shows user, address and a handshake" sh -c \
	"ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC status --profile $PROF --json | jq -e '.user == \"alice\" and .latest_handshake > 0'"
it_check "kgw-client kubeconfig, then kubectl version through the tunnel" sh -c \
	"ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC kubeconfig --profile $PROF --name kgw-e2e \
		--certificate-authority $T/api.crt > $T/kubeconfig &&
	 kubectl config --kubeconfig $T/kubeconfig set-credentials op --token not-used-by-the-stand-in >/dev/null &&
	 kubectl config --kubeconfig $T/kubeconfig set-context kgw --cluster kgw-e2e --user op >/dev/null &&
	 kubectl config --kubeconfig $T/kubeconfig use-context kgw >/dev/null &&
	 ip netns exec $OP kubectl --kubeconfig $T/kubeconfig version -o json | jq -e '.serverVersion.gitVersion == \"v1.29.0-kgw-standin\"'"
it_check "kgw-client export --wg-quick is a config wg-quick accepts" sh -c \
	"ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC export --profile $PROF --wg-quick > $T/exp.conf && wg-quick strip $T/exp.conf | grep -q '^PrivateKey'"
if [ -n "${KGW_DEMO_KEEP:-}" ]; then
	it_keep "$KGW_DEMO_KEEP" "/etc/pam.d/$PAMSVC"
	cat <<EOF

==> left running; try, as root:
  ip netns exec $OP curl --cacert $T/api.crt https://10.0.0.10:6443/version
  ip netns exec $OP kubectl --kubeconfig $T/kubeconfig version
  ip netns exec $OP env KGW_CLIENT_STATE_DIR=$T/state $KC status --profile $PROF
  ip netns exec $OP nc -z -w 2 10.0.0.20 22 || echo refused   # the node: not reachable
  ip netns exec $GW nft list table inet kgw                 # the gateway's policy
  ./tools/demo --stop                                   # remove it all
EOF
	exit 0
fi
# The operator hands the live session to a stock client: kgw-client's tunnel
# process dies (kill -9: its state stays), wg-quick brings the exported
# configuration up with wireguard-go, and the API answers through it.
WQ=wq$IT_TAG
inop "$KC" export --profile "$PROF" --wg-quick > "$T/$WQ.conf" 2>/dev/null
KPID=$(inop "$KC" status --profile "$PROF" --json | jq -r .pid)
kill -9 "$KPID" 2>/dev/null
it_check "kgw-client's tunnel is gone after kill -9" it_wait 5 sh -c "! ip -n $OP link show $KCI"
it_check "wg-quick up with the exported configuration (wireguard-go)" \
	ip netns exec "$OP" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$T/$WQ.conf"
it_check "through the stock client the API answers" \
	it_wait 10 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/version
it_check_not "and the node stays unreachable" ip netns exec "$OP" nc -z -w 2 10.0.0.20 22
it_check "wg-quick down" ip netns exec "$OP" wg-quick down "$T/$WQ.conf"
it_check "kgw-client disconnect ends the session it no longer carries" inop "$KC" disconnect --profile "$PROF"
it_check "kgw-client with the same code again: exit 3 (replay) and no tunnel" sh -c \
	"echo 'alice-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $CODE; [ \$? = 3 ] && ! ip -n $OP link show $KCI"
it_check "the wrong password, the wrong code and the replays are in the audit log" sh -c \
	"'$KGWCTL_BIN' --db $T/kgw.db audit --user alice --json > $T/audit.json && \
	 jq -e '[.[] | select(.event == \"auth.fail\" and .detail == \"password\")] | length >= 1' $T/audit.json && \
	 jq -e '[.[] | select(.event == \"auth.fail\" and .detail == \"otp\")] | length >= 1' $T/audit.json && \
	 jq -e '[.[] | select(.event == \"otp.replay\")] | length >= 2' $T/audit.json"
it_check_not "no traffic after disconnect" ip netns exec "$OP" curl -sk --max-time 2 -o /dev/null https://10.0.0.10:6443/
it_check_not "and no tunnel interface" ip -n "$OP" link show "$KCI"
it_check_not "its session is gone from kgwd" sh -c "ctlsock() { printf '%s\n' \"\$1\" | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock; }; ctlsock '{\"op\":\"list\"}' | jq -e '.sessions | length > 0'"

# A short session asked for with --ttl: it ends by itself, the gateway drops
# the peer, and status says the session expired.
# A code of a time step after the last one used.
while [ $(( $(date +%s) / 30 )) -le "$CODE_STEP" ]; do sleep 1; done
CODE=$(oathtool --totp -b "$SECRET")
it_check "kgw-client connect --ttl 8s" sh -c \
	"echo 'alice-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $CODE --ttl 8s"
it_check "the gateway granted 8 s, not its 600 s maximum" sh -c \
	"inop() { ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg \"\$@\"; }; inop $KC status --profile $PROF --json | jq -e '.expires - .created <= 8 and .expires_in <= 8'"
it_check "the short session carries traffic" \
	it_wait 5 ip netns exec "$OP" curl -sk --max-time 2 -o /dev/null https://10.0.0.10:6443/version
it_check "after its expiry kgw-client status says it expired (exit 7)" it_wait 20 sh -c \
	"ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC status --profile $PROF --json > $T/st.json; [ \$? = 7 ] && jq -e '.ended == \"expired\" and .user == \"alice\"' $T/st.json"
it_check "and in words" sh -c "ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC status --profile $PROF 2>&1 | grep -q 'expired at'"
it_check_not "traffic stopped" ip netns exec "$OP" curl -sk --max-time 2 -o /dev/null https://10.0.0.10:6443/
# kgwd's timer may run up to a second behind the whole-second expiry the client saw.
it_check "the gateway dropped the peer" it_wait 2 sh -c "! printf '%s\n' '{\"op\":\"list\"}' | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock | jq -e '.sessions | length > 0'"

# Sessions came and went as their own set elements, never by rebuilding the table.
it_check_not "kgwd never fell back to rebuilding its nftables table" \
	grep -q 'building the whole table again' "$T/kgwd.log"

it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$CLI.sock" "/var/run/wireguard/$ROGUE.sock" \
	"$T/run/kgwd.sock"
it_done
