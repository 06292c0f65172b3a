#!/bin/sh
# wg-quick with kgw-wg as its userspace implementation, against wireguard-go.
#
#   netns A (wg-quick + kgw-wg, kgwq$$)           netns B (wireguard-go, kgwr$$)
#   veth qa: 192.0.2.1/24, fd00:3::1/64 ───────── veth qb: 192.0.2.2/24, fd00:3::2/64
#   tunnel kgwq$$: 10.201.0.1/24, fd11::1/64       tunnel kgwr$$: 10.201.0.2/24, fd11::2/64
#
# There is no wireguard kernel module here, so wg-quick falls back to
# $WG_QUICK_USERSPACE_IMPLEMENTATION. Checks: `wg-quick up' brings up the
# interface with its addresses, MTU and routes and configures kgw-wg
# through `wg setconf'; pings both ways over IPv4 and IPv6; `wg showconf'
# gives the configuration back; `wg-quick down' removes the interface,
# and kgw-wg then stops and removes its socket; up and down a second time;
# nothing left behind.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wg-quick wireguard-go wg bash
if [ -e /sys/module/wireguard ]; then
	echo "SKIP: the wireguard kernel module is loaded: wg-quick would not use kgw-wg"; exit 77
fi

B=$(it_builddir)
KGW_WG=$(kgw_wrap "$B/gateway/kgw-wg")
[ -x "$B/gateway/kgw-wg" ] || { echo "kgw-wg not built at $KGW_WG"; exit 99; }
A=kgwq$IT_TAG; Bns=kgwr$IT_TAG
IFA=kgwq$IT_TAG; IFB=kgwr$IT_TAG
SOCK_A=/var/run/wireguard/$IFA.sock; SOCK_B=/var/run/wireguard/$IFB.sock

it_netns "$A" "$Bns"
ip link add qa netns "$A" type veth peer name qb netns "$Bns"
ip -n "$A" addr add 192.0.2.1/24 dev qa
ip -n "$A" addr add fd00:3::1/64 dev qa nodad
ip -n "$Bns" addr add 192.0.2.2/24 dev qb
ip -n "$Bns" addr add fd00:3::2/64 dev qb nodad
ip -n "$A" link set qa up
ip -n "$Bns" link set qb up

ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$Bns" "$@"; }
kgw_wg_pid() { kgw_pgrep kgw-wg | awk -v i="$IFA" '$NF == i { print $1 }' | head -1; }

umask 077
wg genkey > "$IT_TMP/a.key"; PUBA=$(wg pubkey < "$IT_TMP/a.key")
wg genkey > "$IT_TMP/b.key"; PUBB=$(wg pubkey < "$IT_TMP/b.key")
wg genpsk > "$IT_TMP/psk"
CONF="$IT_TMP/$IFA.conf"
cat > "$CONF" <<EOF
[Interface]
PrivateKey = $(cat "$IT_TMP/a.key")
Address = 10.201.0.1/24, fd11::1/64
ListenPort = 51820

[Peer]
PublicKey = $PUBB
PresharedKey = $(cat "$IT_TMP/psk")
AllowedIPs = 10.201.0.2/32, fd11::2/128, 10.202.0.0/16
Endpoint = 192.0.2.2:51821
EOF

it_bg ip netns exec "$Bns" env WG_PROCESS_FOREGROUND=1 wireguard-go "$IFB" >"$IT_TMP/wgo.log" 2>&1
it_check "wireguard-go starts" it_wait 5 test -S "$SOCK_B"
inb wg set "$IFB" private-key "$IT_TMP/b.key" listen-port 51821 \
	peer "$PUBA" preshared-key "$IT_TMP/psk" allowed-ips 10.201.0.1/32,fd11::1/128
inb ip addr add 10.201.0.2/24 dev "$IFB"
inb ip addr add fd11::2/64 dev "$IFB" nodad
inb ip link set "$IFB" up
inb ip route add 10.202.0.0/16 dev "$IFB"

up() {
	ina env WG_QUICK_USERSPACE_IMPLEMENTATION="$KGW_WG" wg-quick up "$CONF" >"$IT_TMP/up.log" 2>&1
}

it_check "wg-quick up with kgw-wg" up
sed 's/^/#   /' "$IT_TMP/up.log"
it_check "wg-quick fell back to the userspace implementation" grep -q "userspace implementation" "$IT_TMP/up.log"
PID=$(kgw_wg_pid)
[ -n "$PID" ] && it_track_pid "$PID"
it_check "kgw-wg is running" test -n "$PID"
it_check "kgw-wg made its UAPI socket" test -S "$SOCK_A"
it_check "the interface is a TUN device" sh -c "ip netns exec $A ip -d link show $IFA | grep -q 'tun type tun'"
it_check "the interface is up" sh -c "ip netns exec $A ip link show $IFA | grep -q ',UP'"
it_check "wg-quick gave it its IPv4 address" sh -c "ip netns exec $A ip -4 addr show $IFA | grep -q 'inet 10.201.0.1/24'"
it_check "wg-quick gave it its IPv6 address" sh -c "ip netns exec $A ip -6 addr show $IFA | grep -q 'inet6 fd11::1/64'"
it_check "the MTU is 1420 (1500 - 80)" sh -c "ip netns exec $A ip link show $IFA | grep -q 'mtu 1420'"
it_check "wg-quick routed the extra allowed IPs" sh -c "ip netns exec $A ip route show dev $IFA | grep -q '^10.202.0.0/16'"
it_check "wg show: listening port" sh -c "ip netns exec $A wg show $IFA listen-port | grep -qx 51820"
ina wg show "$IFA" allowed-ips > "$IT_TMP/aips" 2>&1 || true
for p in 10.201.0.2/32 fd11::2/128 10.202.0.0/16; do
	it_check "wg show: the peer has allowed IP $p" grep -q "^$PUBB	.*$p" "$IT_TMP/aips"
done
it_check "wg show: the preshared key" sh -c \
	"ip netns exec $A wg show $IFA preshared-keys | grep -q '	$(cat "$IT_TMP/psk")\$'"

it_check "ping v4 A->B" ina ping -c 3 -i 0.2 -W 3 10.201.0.2
it_check "ping v6 A->B" ina ping -6 -c 3 -i 0.2 -W 3 fd11::2
it_check "ping v4 B->A" inb ping -c 3 -i 0.2 -W 3 10.201.0.1
it_check "ping v6 B->A" inb ping -6 -c 3 -i 0.2 -W 3 fd11::1
it_check "a handshake is recorded" sh -c \
	"ip netns exec $A wg show $IFA latest-handshakes | awk '{ exit !(\$2 > 0) }'"

# wg showconf reads the configuration back from kgw-wg; wg-quick strip is
# what wg-quick gave to `wg setconf'. One line per key and value, sorted,
# they must agree (the allowed IPs come back in trie order).
norm() {
	awk -F ' = ' 'NF == 2 { n = split($2, v, ", "); for (i = 1; i <= n; i++) print $1 "=" v[i]; next }
		      NF { print }' "$1" | sort
}
ina wg showconf "$IFA" > "$IT_TMP/showconf" 2>&1 || true
ina wg-quick strip "$CONF" > "$IT_TMP/strip" 2>&1 || true
norm "$IT_TMP/showconf" > "$IT_TMP/showconf.n"
norm "$IT_TMP/strip" > "$IT_TMP/strip.n"
it_check "wg showconf gives back the configuration wg-quick set" diff -u "$IT_TMP/strip.n" "$IT_TMP/showconf.n"
it_check "wg showconf has the preshared key" grep -q "^PresharedKey=$(cat "$IT_TMP/psk")\$" "$IT_TMP/showconf.n"

down() {
	ina wg-quick down "$CONF" >"$IT_TMP/down.log" 2>&1
}
it_check "wg-quick down" down
it_check "the interface is gone" sh -c "! ip netns exec $A ip link show $IFA"
it_check "kgw-wg stops when its interface is removed" it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $PID"
it_check "kgw-wg removed its socket" it_wait $((5 * KGW_WAIT_FACTOR)) test ! -e "$SOCK_A"
it_check "no route is left on the tunnel" sh -c "! ip netns exec $A ip route show | grep -q 10.202.0.0"

# Once more: nothing stale stands in the way of a second run.
it_check "wg-quick up again" up
PID2=$(kgw_wg_pid)
[ -n "$PID2" ] && it_track_pid "$PID2"
it_check "ping v4 A->B again" ina ping -c 2 -i 0.2 -W 3 10.201.0.2
it_check "wg-quick down again" down
it_check "kgw-wg stops again" it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 ${PID2:-0}"
it_check "its socket is gone again" it_wait $((5 * KGW_WAIT_FACTOR)) test ! -e "$SOCK_A"

it_teardown
it_check "nothing left behind" it_leftovers "$SOCK_A" "$SOCK_B"
it_done
