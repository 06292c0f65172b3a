#!/bin/sh
# Throughput of kgw-wg against wireguard-go, on the same two-namespace
# topology, in one run: the two engines alternate, each run ROUNDS times,
# and the medians and their ratio are printed. Run by `make bench' (as
# root), never by `make check'.
#
#   netns S (sender, engine X)   veth 192.0.2.1 ── 192.0.2.2   netns R (receiver, engine X)
#   tunnel 10.201.0.1/24                                       tunnel 10.201.0.2/24
#
# Both ends run the same engine, so the figure is what one engine does at
# both ends of a tunnel. Environment: ROUNDS (default 5), SECONDS_PER_RUN
# (default 10), STREAMS (default "1 4").
IT_NAME=bench-throughput
IT_NO_PLAN=1	# prints figures; no checks to complete
. "$(dirname "$0")/../integration/lib.sh"
it_skip_unless_root wireguard-go wg iperf3

B=$(it_builddir)
KGW_WG="$B/gateway/kgw-wg"
ROUNDS=${ROUNDS:-5}
SECS=${SECONDS_PER_RUN:-10}
STREAMS=${STREAMS:-"1 4"}
S=kgwbs$IT_TAG; R=kgwbr$IT_TAG

it_netns "$S" "$R"
ip link add vs netns "$S" type veth peer name vr netns "$R"
ip -n "$S" addr add 192.0.2.1/24 dev vs
ip -n "$R" addr add 192.0.2.2/24 dev vr
ip -n "$S" link set vs up
ip -n "$R" link set vr up
wg genkey > "$IT_TMP/s.key"; wg genkey > "$IT_TMP/r.key"
PUBS=$(wg pubkey < "$IT_TMP/s.key"); PUBR=$(wg pubkey < "$IT_TMP/r.key")

start_engine() {	# start_engine ENGINE NS IFACE KEY PORT PEERPUB PEERIP PEERPORT TUNADDR
	case $1 in
	kgw-wg) ip netns exec "$2" "$KGW_WG" "$3" ;;
	wireguard-go)
		ip netns exec "$2" env WG_PROCESS_FOREGROUND=1 wireguard-go "$3" >/dev/null 2>&1 &
		it_wait 5 test -S "/var/run/wireguard/$3.sock" ;;
	esac
	ip netns exec "$2" wg set "$3" private-key "$4" listen-port "$5" \
		peer "$6" allowed-ips 10.201.0.0/24 endpoint "$7:$8"
	ip -n "$2" addr add "$9/24" dev "$3"
	ip -n "$2" link set "$3" mtu 1420 up
}

stop_engine() {	# stop_engine ENGINE NS IFACE
	pkill -f "^($KGW_WG|wireguard-go) $3\$" 2>/dev/null || true
	it_wait 5 sh -c "! ip -n $2 link show $3" || true
}

# Runs iperf3 once; prints Mbit/s received, and CPU seconds of both engines.
measure() {	# measure ENGINE STREAMS
	start_engine "$1" "$R" wgr "$IT_TMP/r.key" 51002 "$PUBS" 192.0.2.1 51001 10.201.0.2
	start_engine "$1" "$S" wgs "$IT_TMP/s.key" 51001 "$PUBR" 192.0.2.2 51002 10.201.0.1
	ip netns exec "$R" iperf3 -s -1 -D -B 10.201.0.2 >/dev/null 2>&1
	it_wait 5 ip netns exec "$S" ping -c1 -W1 10.201.0.2 || { echo "0 0 0"; return; }
	pids=$(pgrep -f "^($KGW_WG|wireguard-go) wg[sr]\$" | tr '\n' ' ')
	cpu0=0; for pid in $pids; do cpu0=$((cpu0 + $(awk '{print $14 + $15}' /proc/$pid/stat))); done
	mbps=$(ip netns exec "$S" iperf3 -c 10.201.0.2 -t "$SECS" -P "$2" -J 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' 2>/dev/null || echo 0)
	cpu1=0; rss=0
	for pid in $pids; do	# not `p': sh has no locals, and the caller's loop uses it
		cpu1=$((cpu1 + $(awk '{print $14 + $15}' /proc/$pid/stat)))
		rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$pid/status)))
	done
	stop_engine "$1" "$S" wgs
	stop_engine "$1" "$R" wgr
	hz=$(getconf CLK_TCK)
	# CPU seconds per GB moved, both ends together.
	awk -v c=$((cpu1 - cpu0)) -v hz="$hz" -v m="$mbps" -v s="$SECS" -v r="$rss" \
		'BEGIN { gb = m * s / 8000; printf "%s %.2f %d\n", m, (gb > 0 ? c / hz / gb : 0), r }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "# kgw-wg vs wireguard-go: $ROUNDS rounds of $SECS s, alternating; medians"
for p in $STREAMS; do
	: > "$IT_TMP/kgw.$p"; : > "$IT_TMP/go.$p"
	for r in $(seq "$ROUNDS"); do
		measure kgw-wg "$p" >> "$IT_TMP/kgw.$p"
		measure wireguard-go "$p" >> "$IT_TMP/go.$p"
	done
	k=$(cut -d' ' -f1 "$IT_TMP/kgw.$p" | median); g=$(cut -d' ' -f1 "$IT_TMP/go.$p" | median)
	kc=$(cut -d' ' -f2 "$IT_TMP/kgw.$p" | median); gc=$(cut -d' ' -f2 "$IT_TMP/go.$p" | median)
	kr=$(cut -d' ' -f3 "$IT_TMP/kgw.$p" | median); gr=$(cut -d' ' -f3 "$IT_TMP/go.$p" | median)
	awk -v p="$p" -v k="$k" -v g="$g" -v kc="$kc" -v gc="$gc" -v kr="$kr" -v gr="$gr" 'BEGIN {
		printf "tcp %d stream(s): kgw-wg %s Mbit/s, wireguard-go %s Mbit/s, ratio %.2f\n", p, k, g, (g > 0 ? k / g : 0)
		printf "  cpu s/GB (both ends): kgw-wg %s, wireguard-go %s\n", kc, gc
		printf "  resident memory (both ends): kgw-wg %d KiB, wireguard-go %d KiB\n", kr, gr }'
	echo "  raw kgw-wg: $(cut -d' ' -f1 "$IT_TMP/kgw.$p" | tr '\n' ' ')"
	echo "  raw wireguard-go: $(cut -d' ' -f1 "$IT_TMP/go.$p" | tr '\n' ' ')"
done
