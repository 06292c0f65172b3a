#!/bin/sh
# A handshake flood against the responder, kgw-wg against wireguard-go in
# one run: the two engines alternate, each ROUNDS times, and the medians
# are printed. Run by `make bench' (as root), never by `make check'.
#
#   op 203.0.113.20 (wireguard-go, a real peer) ──┐
#                                                 203.0.113.10 gw (engine X, tunnel 10.202.0.1)
#   fl 198.18.0.1 ... 198.18.0.100 (wg-flood.py) ─┘ 198.18.255.254
#
# Per round and engine: the time op needs from `wg set' to the first ping
# reply through the tunnel (its handshake) on an idle responder, then again
# FLOOD_WARMUP seconds into a flood of initiations with a valid mac1 from
# 100 addresses (so each costs the responder a DH unless it answers with a
# cookie); the responder's resident memory before the flood and its peak
# during it; the initiations sent and the cookie replies received.
# A WireGuard initiator that gets a cookie reply uses the cookie only when
# it retries, after REKEY_TIMEOUT (5 s): a responder that answers a real
# peer with a cookie costs it at least that.
# Environment: ROUNDS (default 3), FLOOD_WARMUP (default 2 s).
IT_NAME=bench-flood
IT_NO_PLAN=1	# prints figures; no checks to complete
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wireguard-go wg python3

SRC=$(it_srcdir)
ROUNDS=${ROUNDS:-3}
WARMUP=${FLOOD_WARMUP:-2}
OP=kgwfo$IT_TAG; GW=kgwfg$IT_TAG; FL=kgwff$IT_TAG
IG=kfg$IT_TAG; IO=kfo$IT_TAG
T=$IT_TMP

it_netns "$OP" "$GW" "$FL"
ip link add eth0 netns "$OP" type veth peer name eth0 netns "$GW"
ip link add eth2 netns "$GW" type veth peer name eth0 netns "$FL"
for l in "$OP eth0" "$GW eth0" "$GW eth2" "$FL eth0"; do
	set -- $l; ip -n "$1" link set "$2" up
done
ip -n "$OP" addr add 203.0.113.20/24 dev eth0
ip -n "$GW" addr add 203.0.113.10/24 dev eth0
ip -n "$GW" addr add 198.18.255.254/16 dev eth2
SRCS=""; i=1
while [ $i -le 100 ]; do
	ip -n "$FL" addr add "198.18.0.$i/16" dev eth0; SRCS="$SRCS 198.18.0.$i"; i=$((i + 1))
done
ip -n "$FL" route add 203.0.113.0/24 via 198.18.255.254
wg genkey > "$T/gw.key"; wg genkey > "$T/op.key"
GWPUB=$(wg pubkey < "$T/gw.key"); OPPUB=$(wg pubkey < "$T/op.key")

now_ms() { date +%s%3N; }
kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }


# op's wireguard-go from scratch, then the ping; prints milliseconds (0: none in 30 s).
handshake() {
	bench_start wireguard-go "$OP" "$IO"; OPPID=$PID
	ip -n "$OP" addr add 10.202.0.2/24 dev "$IO"; ip -n "$OP" link set "$IO" up
	t0=$(now_ms)
	ip netns exec "$OP" wg set "$IO" private-key "$T/op.key" \
		peer "$GWPUB" endpoint 203.0.113.10:51820 allowed-ips 10.202.0.1/32
	if ip netns exec "$OP" ping -q -c 1 -i 0.02 -w 30 10.202.0.1 >/dev/null 2>&1; then
		echo $(($(now_ms) - t0))
	else
		echo 0
	fi
	bench_stop "$OPPID" "$OP" "$IO"
}

# One round of one engine; prints: idle_ms flood_ms rss_before_kib peak_kib sent cookies
measure() {	# measure ENGINE
	bench_start "$1" "$GW" "$IG"; GWPID=$PID
	ip netns exec "$GW" wg set "$IG" private-key "$T/gw.key" listen-port 51820 \
		peer "$OPPUB" allowed-ips 10.202.0.2/32
	ip -n "$GW" addr add 10.202.0.1/24 dev "$IG"; ip -n "$GW" link set "$IG" up
	idle=$(handshake)
	rss=$(kib "$GWPID" VmRSS)
	rm -f "$T/stop"
	ip netns exec "$FL" env FLOOD_STOP="$T/stop" FLOOD_SECONDS=60 \
		python3 "$SRC/tests/integration/wg-flood.py" init "$GWPUB" 203.0.113.10 51820 $SRCS \
		> "$T/flood.out" &
	FLOOD=$!; it_track_pid "$FLOOD"
	sleep "$WARMUP"
	flood=$(handshake)
	touch "$T/stop"; wait "$FLOOD" 2>/dev/null || true
	peak=$(kib "$GWPID" VmHWM)
	bench_stop "$GWPID" "$GW" "$IG"
	sed 's/sent=\([0-9]*\) cookies=\([0-9]*\)/\1 \2/' "$T/flood.out" |
		awk -v i="$idle" -v f="$flood" -v r="$rss" -v p="$peak" '{ print i, f, r, p, $1, $2 }'
}

echo "# handshake flood: kgw-wg vs wireguard-go ($(wireguard-go --version | head -1)), $ROUNDS rounds, alternating; medians"
: > "$T/kgw"; : > "$T/go"
for r in $(seq "$ROUNDS"); do
	measure kgw-wg >> "$T/kgw"
	measure wireguard-go >> "$T/go"
done
echo "# handshakes in ms, 0: none in 30 s"
bench_line 1 "handshake, idle responder" "ms"
bench_line 2 "handshake, during the flood" "ms"
bench_line 3 "responder memory before" "KiB"
bench_line 4 "responder peak memory (HWM)" "KiB"
bench_line 5 "flood initiations sent" "packets"
bench_line 6 "cookie replies received" "packets"
it_teardown
