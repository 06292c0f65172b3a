#!/bin/sh
# kgw-wg's TUN offloads, kgw-wg at both ends: super-packets from the
# kernel cut into packets (TSO), segments coalesced into super-packets on
# the way in (GRO), both address families, both directions; then one end
# without offloads (KGW_WG_OFFLOAD=off) against one with them.
#
#   netns A (kgw-wg, kgoa$$)                 netns B (kgw-wg, kgob$$)
#   veth a: 192.0.2.1/24 ─────────────────── veth b: 192.0.2.2/24
#   tunnel: 10.202.0.1/24, fd12::1/64         tunnel: 10.202.0.2/24, fd12::2/64
#
# Checks: each engine reports the offloads it got; 20 MB each way over
# IPv4 and IPv6 TCP arrive with matching SHA-256; A's TUN device carried
# packets longer than its MTU both ways (so super-packets were read and
# written, not only MTU-sized ones); pings whose IPv4 packets are
# fragmented inside the tunnel; the same transfers with B's offloads off,
# where B's device carries no packet over the MTU; nothing left behind.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wg nc sha256sum

B=$(it_builddir)
KGW_WG="$B/gateway/kgw-wg"
[ -x "$KGW_WG" ] || { echo "kgw-wg not built at $KGW_WG"; exit 99; }
A=kgoa$IT_TAG; Bns=kgob$IT_TAG
IFA=kgoa$IT_TAG; IFB=kgob$IT_TAG
MTU=1420

it_netns "$A" "$Bns"
ip link add va netns "$A" type veth peer name vb netns "$Bns"
ip -n "$A" addr add 192.0.2.1/24 dev va
ip -n "$Bns" addr add 192.0.2.2/24 dev vb
ip -n "$A" link set va up
ip -n "$Bns" link set vb up

ina() { ip netns exec "$A" "$@"; }
inb() { ip netns exec "$Bns" "$@"; }

wg genkey > "$IT_TMP/a.key"; PUBA=$(wg pubkey < "$IT_TMP/a.key")
wg genkey > "$IT_TMP/b.key"; PUBB=$(wg pubkey < "$IT_TMP/b.key")

start() {	# start NS IFACE KEY PORT PEERPUB PEERIP PEERPORT V4 V6 LOG [ENV...]
	ns=$1 ifc=$2 key=$3 port=$4 pub=$5 peer=$6 pport=$7 v4=$8 v6=$9; shift 9
	log=$1; shift
	ip netns exec "$ns" env LOG_LEVEL=info "$@" "$KGW_WG" -f "$ifc" > "$log" 2>&1 &
	LAST_PID=$!
	it_track_pid $LAST_PID
	it_wait 5 test -S "/var/run/wireguard/$ifc.sock"
	ip netns exec "$ns" wg set "$ifc" private-key "$key" listen-port "$port" \
		peer "$pub" allowed-ips 10.202.0.0/24,fd12::/64 endpoint "$peer:$pport"
	ip netns exec "$ns" ip addr add "$v4/24" dev "$ifc"
	ip netns exec "$ns" ip addr add "$v6/64" dev "$ifc" nodad
	ip netns exec "$ns" ip link set "$ifc" mtu $MTU up
}

# transfer FROM-NS TO-NS DST-ADDR: 20 MB over TCP; true when the SHA-256 matches.
transfer() {
	rm -f "$IT_TMP/recv"
	ip netns exec "$2" sh -c "timeout 60 nc -l -N $3 5002 > $IT_TMP/recv" &
	rx=$!
	it_wait 5 ip netns exec "$2" sh -c "ss -ltn | grep -q ':5002 '" || true
	ip netns exec "$1" timeout 60 nc -N "$3" 5002 < "$IT_TMP/blob" || true
	wait $rx || true
	test "$(sha256sum < "$IT_TMP/recv" | cut -d' ' -f1)" = "$SUM"
}

# Bytes per packet, received or sent, on NS's device IFACE, above MTU?
avg_over_mtu() {	# avg_over_mtu NS IFACE rx|tx
	ip netns exec "$1" sh -c "echo \$(cat /sys/class/net/$2/statistics/$3_bytes) \
		\$(cat /sys/class/net/$2/statistics/$3_packets)" |
		awk -v m=$MTU '{ exit !($2 > 0 && $1 / $2 > m) }'
}

head -c 20000000 /dev/urandom > "$IT_TMP/blob"
SUM=$(sha256sum < "$IT_TMP/blob" | cut -d' ' -f1)

start "$A" "$IFA" "$IT_TMP/a.key" 51830 "$PUBB" 192.0.2.2 51831 10.202.0.1 fd12::1 "$IT_TMP/a.log"
start "$Bns" "$IFB" "$IT_TMP/b.key" 51831 "$PUBA" 192.0.2.1 51830 10.202.0.2 fd12::2 "$IT_TMP/b.log"
PID_B=$LAST_PID
it_check "A reports TSO on its TUN device" grep -q "TUN offloads: checksum, TSO" "$IT_TMP/a.log"
it_check "ping v4 A->B" ina ping -c 3 -i 0.2 -W 3 10.202.0.2
it_check "ping v6 B->A" inb ping -6 -c 3 -i 0.2 -W 3 fd12::1
it_check "20 MB A->B over IPv4 TCP, SHA-256 matches" transfer "$A" "$Bns" 10.202.0.2
it_check "20 MB B->A over IPv6 TCP, SHA-256 matches" transfer "$Bns" "$A" fd12::1
it_check "20 MB B->A over IPv4 TCP, SHA-256 matches" transfer "$Bns" "$A" 10.202.0.1
it_check "20 MB A->B over IPv6 TCP, SHA-256 matches" transfer "$A" "$Bns" fd12::2
it_check "A read super-packets from its TUN device" avg_over_mtu "$A" "$IFA" tx
it_check "A wrote coalesced super-packets to its TUN device" avg_over_mtu "$A" "$IFA" rx
it_check "ping v4 with 4000-byte packets (fragmented in the tunnel)" ina ping -c 3 -i 0.2 -W 3 -s 4000 10.202.0.2
it_check "ping v6 with 4000-byte packets" inb ping -6 -c 3 -i 0.2 -W 3 -s 4000 fd12::1

# B again, without offloads: plain packets against A's super-packets.
kill "$PID_B"
it_wait 5 sh -c "! ip netns exec $Bns ip link show $IFB"
start "$Bns" "$IFB" "$IT_TMP/b.key" 51831 "$PUBA" 192.0.2.1 51830 10.202.0.2 fd12::2 "$IT_TMP/b2.log" \
	KGW_WG_OFFLOAD=off
it_check "B without offloads says so" grep -q "TUN offloads: none" "$IT_TMP/b2.log"
it_check "20 MB A->B (offloads -> none), SHA-256 matches" transfer "$A" "$Bns" 10.202.0.2
it_check "20 MB B->A over IPv6 (none -> offloads), SHA-256 matches" transfer "$Bns" "$A" fd12::1
it_check_not "B's device: packets no longer than its MTU on average" avg_over_mtu "$Bns" "$IFB" rx

rm -f "$IT_TMP/blob" "$IT_TMP/recv"
it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$IFA.sock" "/var/run/wireguard/$IFB.sock"
it_done
