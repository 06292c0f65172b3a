#!/bin/sh
# kgw-wg against wireguard-go on the same two-namespace topology, in one
# run: the two engines alternate, each ROUNDS times, and the medians and
# their ratios are printed. Run by `make bench' (as root), never by
# `make check'.
#
#   netns S (sender, engine X)   veth 192.0.2.1 ── 192.0.2.2   netns R (receiver, engine X)
#   tunnel 10.201.0.1/24                                       tunnel 10.201.0.2/24
#
# Both ends run the same engine, so each figure is what one engine does at
# both ends of a tunnel. Per round and engine: ping round trip on an idle
# tunnel, TCP (iperf3) with 1 and 4 streams, UDP with 64-byte payloads sent
# as fast as iperf3 can (packets received per second), CPU seconds per GB
# moved by TCP (both ends), resident memory after the run (both ends).
# Environment: ROUNDS (default 5), SECONDS_PER_RUN (default 10).
IT_NAME=bench-throughput
IT_NO_PLAN=1	# prints figures; no checks to complete
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wireguard-go wg iperf3 python3

ROUNDS=${ROUNDS:-5}
SECS=${SECONDS_PER_RUN:-10}
S=kgwbs$IT_TAG; R=kgwbr$IT_TAG
# /var/run/wireguard is shared by every namespace: names unique to this run.
IS=ks$IT_TAG; IR=kr$IT_TAG

it_netns "$S" "$R"
ip link add vs netns "$S" type veth peer name vr netns "$R"
ip -n "$S" addr add 192.0.2.1/24 dev vs
ip -n "$R" addr add 192.0.2.2/24 dev vr
ip -n "$S" link set vs up
ip -n "$R" link set vr up
wg genkey > "$IT_TMP/s.key"; wg genkey > "$IT_TMP/r.key"
PUBS=$(wg pubkey < "$IT_TMP/s.key"); PUBR=$(wg pubkey < "$IT_TMP/r.key")
ENGINE_PIDS=""

start_engine() {	# start_engine ENGINE NS IFACE KEY PORT PEERPUB PEERIP PEERPORT TUNADDR
	bench_start "$1" "$2" "$3"
	ENGINE_PIDS="$ENGINE_PIDS $PID"
	ip netns exec "$2" wg set "$3" private-key "$4" listen-port "$5" \
		peer "$6" allowed-ips 10.201.0.0/24 endpoint "$7:$8"
	ip -n "$2" addr add "$9/24" dev "$3"
	ip -n "$2" link set "$3" mtu 1420 up
}

stop_engines() {
	for pid in $ENGINE_PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $ENGINE_PIDS; do it_wait 5 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true; done
	ENGINE_PIDS=""
	it_wait 5 sh -c "! ip -n $S link show $IS && ! ip -n $R link show $IR" || true
}

cpu_ticks() { t=0; for pid in $ENGINE_PIDS; do t=$((t + $(awk '{print $14 + $15}' /proc/$pid/stat))); done; echo $t; }
rss_kib() { k=0; for pid in $ENGINE_PIDS; do k=$((k + $(awk '/VmRSS/ {print $2}' /proc/$pid/status))); done; echo $k; }

iperf() {	# iperf ARGS...: JSON of one client run to the receiver
	ip netns exec "$R" iperf3 -s -1 -D -B 10.201.0.2 >/dev/null 2>&1
	it_wait 5 sh -c "ip netns exec $R ss -ltn | grep -q 10.201.0.2:5201"
	ip netns exec "$S" iperf3 -c 10.201.0.2 -t "$SECS" -J "$@" 2>/dev/null || true
}

tcp_mbps() { python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' 2>/dev/null || echo 0; }
# Datagrams that arrived, per second: sent minus lost as the server saw them.
udp_pps() { python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["end"]["sum"]; print("%.0f" % ((s["packets"]-s["lost_packets"])/s["seconds"]))' 2>/dev/null || echo 0; }

# One round of one engine; prints: rtt_us tcp1_mbps tcp4_mbps cpu_s_per_gb udp_pps rss_kib
measure() {	# measure ENGINE
	start_engine "$1" "$R" "$IR" "$IT_TMP/r.key" 51002 "$PUBS" 192.0.2.1 51001 10.201.0.2
	start_engine "$1" "$S" "$IS" "$IT_TMP/s.key" 51001 "$PUBR" 192.0.2.2 51002 10.201.0.1
	if ! it_wait 5 ip netns exec "$S" ping -c1 -W1 10.201.0.2; then
		stop_engines; echo "0 0 0 0 0 0"; return
	fi
	rtt=$(ip netns exec "$S" ping -q -c 50 -i 0.02 10.201.0.2 |
		awk -F/ '/^rtt/ { printf "%.0f", $5 * 1000 }')
	c0=$(cpu_ticks)
	t1=$(iperf -P 1 | tcp_mbps)
	t4=$(iperf -P 4 | tcp_mbps)
	c1=$(cpu_ticks)
	u=$(iperf -u -l 64 -b 0 | udp_pps)
	rss=$(rss_kib)
	stop_engines
	awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v a="$t1" -v b="$t4" -v s="$SECS" \
		-v rtt="${rtt:-0}" -v u="$u" -v r="$rss" 'BEGIN {
		gb = (a + b) * s / 8000
		printf "%s %s %s %.2f %s %s\n", rtt, a, b, (gb > 0 ? c / hz / gb : 0), u, r }'
}

echo "# kgw-wg vs wireguard-go ($(wireguard-go --version | head -1)): $ROUNDS rounds of $SECS s per run, alternating; medians"
: > "$IT_TMP/kgw"; : > "$IT_TMP/go"
for r in $(seq "$ROUNDS"); do
	measure kgw-wg >> "$IT_TMP/kgw"
	measure wireguard-go >> "$IT_TMP/go"
done
bench_line 2 "tcp 1 stream" "Mbit/s"
bench_line 3 "tcp 4 streams" "Mbit/s"
bench_line 5 "udp 64-byte payloads" "pkt/s"
bench_line 1 "ping round trip" "us"
bench_line 4 "cpu per GB (tcp)" "s/GB"
bench_line 6 "resident memory" "KiB"
