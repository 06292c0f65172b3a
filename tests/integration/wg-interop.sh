#!/bin/sh
# kgw-wg against wireguard-go, the reference userspace implementation.
#
#   netns A (kgw-wg, kgwa$$)                 netns B (wireguard-go, kgwb$$)
#   veth a: 192.0.2.1/24, fd00:2::1/64 ──── veth b: 192.0.2.2/24, fd00:2::2/64
#   tunnel: 10.200.0.1/24, fd10::1/64         tunnel: 10.200.0.2/24, fd10::2/64
#
# Checks: handshakes with each side as initiator, ping both ways over IPv4
# and IPv6 inside the tunnel, a 100 MB TCP transfer with matching SHA-256,
# roaming (B changes address; kgw-wg follows), `wg show' counters and
# handshake time, `wg set ... remove' stopping traffic, and that nothing is
# left behind.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wireguard-go wg nc sha256sum

B=$(it_builddir)
KGW_WG=$(kgw_wrap "$B/gateway/kgw-wg")
[ -x "$B/gateway/kgw-wg" ] || { echo "kgw-wg not built at $KGW_WG"; exit 99; }
A=kgwa$IT_TAG; Bns=kgwb$IT_TAG
IFA=kgwa$IT_TAG; IFB=kgwb$IT_TAG

it_netns "$A" "$Bns"
ip link add va netns "$A" type veth peer name vb netns "$Bns"
ip -n "$A" addr add 192.0.2.1/24 dev va
ip -n "$A" addr add fd00:2::1/64 dev va nodad
ip -n "$Bns" addr add 192.0.2.2/24 dev vb
ip -n "$Bns" addr add fd00:2::2/64 dev vb nodad
ip -n "$A" link set va up
ip -n "$Bns" link set vb up

ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$Bns" "$@"; }

wg genkey > "$IT_TMP/a.key"; wg pubkey < "$IT_TMP/a.key" > "$IT_TMP/a.pub"
wg genkey > "$IT_TMP/b.key"; wg pubkey < "$IT_TMP/b.key" > "$IT_TMP/b.pub"
wg genpsk > "$IT_TMP/psk"
PUBA=$(cat "$IT_TMP/a.pub"); PUBB=$(cat "$IT_TMP/b.pub")

it_check "kgw-wg starts and daemonizes" ina "$KGW_WG" "$IFA"
it_track_pid "$(pgrep -f "kgw-wg $IFA\$" | head -1)"
# wireguard-go in the foreground under our control: its own daemon mode
# watches its socket file with inotify and is harder to reap reliably.
it_bg ip netns exec "$Bns" env WG_PROCESS_FOREGROUND=1 wireguard-go "$IFB" >"$IT_TMP/wgo.log" 2>&1
it_check "wireguard-go starts" it_wait 5 test -S "/var/run/wireguard/$IFB.sock"
it_check "kgw-wg made its UAPI socket" test -S "/var/run/wireguard/$IFA.sock"

ina wg set "$IFA" private-key "$IT_TMP/a.key" listen-port 51820 \
	peer "$PUBB" preshared-key "$IT_TMP/psk" allowed-ips 10.200.0.2/32,fd10::2/128 endpoint 192.0.2.2:51821
inb wg set "$IFB" private-key "$IT_TMP/b.key" listen-port 51821 \
	peer "$PUBA" preshared-key "$IT_TMP/psk" allowed-ips 10.200.0.1/32,fd10::1/128 endpoint 192.0.2.1:51820
ina ip addr add 10.200.0.1/24 dev "$IFA"; ina ip addr add fd10::1/64 dev "$IFA" nodad; ina ip link set "$IFA" up
inb ip addr add 10.200.0.2/24 dev "$IFB"; inb ip addr add fd10::2/64 dev "$IFB" nodad; inb ip link set "$IFB" up

it_check "wg shows kgw-wg's configuration" sh -c "ip netns exec $A wg show $IFA | grep -q 'listening port: 51820'"

# kgw-wg initiates.
it_check "ping v4 A->B (kgw-wg initiates)" ina ping -c 3 -i 0.2 -W 3 10.200.0.2
it_check "ping v6 A->B" ina ping -6 -c 3 -i 0.2 -W 3 fd10::2
it_check "ping v4 B->A" inb ping -c 3 -i 0.2 -W 3 10.200.0.1
it_check "ping v6 B->A" inb ping -6 -c 3 -i 0.2 -W 3 fd10::1
hs_a=$(ina wg show "$IFA" latest-handshakes | awk '{print $2}')
it_check "kgw-wg reports a handshake time" test "${hs_a:-0}" -gt 0
it_check "kgw-wg counts transfer both ways" sh -c \
	"ip netns exec $A wg show $IFA transfer | awk '{ exit !(\$2 > 0 && \$3 > 0) }'"

# 100 MB over TCP, checksummed at both ends.
head -c 100000000 /dev/urandom > "$IT_TMP/blob"
sum_src=$(sha256sum < "$IT_TMP/blob" | cut -d' ' -f1)
inb sh -c "timeout $((120 * KGW_WAIT_FACTOR)) nc -l -N 10.200.0.2 5001 > $IT_TMP/blob.recv" &
rx_pid=$!
it_wait 5 inb sh -c "ss -ltn | grep -q ':5001 '" || true
start=$(date +%s.%N)
it_check "100 MB sent A->B over TCP" ina timeout $((120 * KGW_WAIT_FACTOR)) nc -N 10.200.0.2 5001 < "$IT_TMP/blob"
wait $rx_pid || true
end=$(date +%s.%N)
sum_dst=$(sha256sum < "$IT_TMP/blob.recv" | cut -d' ' -f1)
it_check "SHA-256 of the received 100 MB matches" test "$sum_src" = "$sum_dst"
awk -v s="$start" -v e="$end" 'BEGIN { printf "# 100 MB in %.1f s (%.0f Mbit/s)\n", e - s, 800 / (e - s) }'
rm -f "$IT_TMP/blob" "$IT_TMP/blob.recv"

# Roaming: B moves to a new address; its next packet moves kgw-wg's endpoint.
# (Delete first: removing a primary address takes its secondaries with it.)
inb ip addr del 192.0.2.2/24 dev vb
inb ip addr add 192.0.2.12/24 dev vb
inb wg set "$IFB" peer "$PUBA" endpoint 192.0.2.1:51820
it_check "B reaches A from its new address" inb ping -c 2 -i 0.2 -W 3 10.200.0.1
it_check "kgw-wg follows the roamed endpoint" sh -c \
	"ip netns exec $A wg show $IFA endpoints | grep -q '192.0.2.12:51821'"
it_check "A reaches B at its new address" ina ping -c 2 -i 0.2 -W 3 10.200.0.2

# wireguard-go initiates: drop all state on both sides and let B start.
ina wg set "$IFA" peer "$PUBB" remove
inb wg set "$IFB" peer "$PUBA" remove
ina wg set "$IFA" peer "$PUBB" preshared-key "$IT_TMP/psk" allowed-ips 10.200.0.2/32,fd10::2/128
inb wg set "$IFB" peer "$PUBA" preshared-key "$IT_TMP/psk" allowed-ips 10.200.0.1/32,fd10::1/128 endpoint 192.0.2.1:51820
it_check "ping v4 B->A (wireguard-go initiates)" inb ping -c 3 -i 0.2 -W 3 10.200.0.1
it_check "ping v6 A->B after B initiated" ina ping -6 -c 3 -i 0.2 -W 3 fd10::2

# Removing the peer stops traffic at once.
ina wg set "$IFA" peer "$PUBB" remove
it_check_not "no traffic after 'wg set ... remove'" inb ping -c 2 -i 0.2 -W 1 10.200.0.1
it_check "the removed peer is gone from wg show" sh -c "! ip netns exec $A wg show $IFA peers | grep -q ."

# Stopping kgw-wg removes its interface and its socket.
ina pkill -TERM -f "kgw-wg $IFA\$" || true
it_check "kgw-wg removes its socket on exit" it_wait $((5 * KGW_WAIT_FACTOR)) test ! -e "/var/run/wireguard/$IFA.sock"
it_check "kgw-wg removes its interface on exit" it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! ip netns exec $A ip link show $IFA"
it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$IFA.sock" "/var/run/wireguard/$IFB.sock"
it_done
