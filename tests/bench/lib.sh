# What the benches that race kgw-wg against wireguard-go share: starting
# and stopping either engine, and the medians and ratios they print.
# Sourced after ../integration/lib.sh. Each round appends one line of
# space-separated figures to $IT_TMP/kgw or $IT_TMP/go.

KGW_WG="$(it_builddir)/gateway/kgw-wg"

# bench_start ENGINE NS IFACE: kgw-wg or wireguard-go on IFACE in NS, in
# the foreground so its pid is known (PID); returns once its UAPI socket
# is there (/var/run/wireguard is shared by every namespace).
bench_start() {
	case $1 in
	kgw-wg) ip netns exec "$2" "$KGW_WG" -f "$3" 2>/dev/null & ;;
	wireguard-go) ip netns exec "$2" env WG_PROCESS_FOREGROUND=1 wireguard-go "$3" >/dev/null 2>&1 & ;;
	esac
	PID=$!; it_track_pid "$PID"
	it_wait 5 test -S "/var/run/wireguard/$3.sock"
}

# bench_stop PID NS IFACE: TERM, KILL after 5 s; waits for IFACE to go.
bench_stop() {
	kill "$1" 2>/dev/null || true
	it_wait 5 sh -c "! kill -0 $1" || kill -9 "$1" 2>/dev/null || true
	it_wait 5 sh -c "! ip -n $2 link show $3" >/dev/null 2>&1 || true
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
bench_col() { cut -d' ' -f"$1" "$IT_TMP/$2" | median; }
bench_raw() { cut -d' ' -f"$1" "$IT_TMP/$2" | tr '\n' ' '; }

# bench_line COLUMN LABEL UNIT: both engines' medians, their ratio, and
# the raw figures, round by round.
bench_line() {
	k=$(bench_col "$1" kgw); g=$(bench_col "$1" go)
	awk -v l="$2" -v u="$3" -v k="$k" -v g="$g" \
		'BEGIN { printf "%-28s kgw-wg %10s  wireguard-go %10s  %-8s ratio %.3g\n", l, k, g, u, (g > 0 ? k / g : 0) }'
	echo "    raw kgw-wg: $(bench_raw "$1" kgw)  wireguard-go: $(bench_raw "$1" go)"
}
