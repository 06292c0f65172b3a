#!/bin/sh
# The daemons' seccomp filters (lib/sandbox.c and each daemon's list).
#
#   1. sandbox-probe installs a daemon's real list (the very object the
#      daemon links) and makes one call: calls on the list go through,
#      calls off it end the process with SIGSYS. The portal's list is the
#      one that matters most: no netlink but the two read-only probes
#      glibc and libpam make (refused with EAFNOSUPPORT), no packet
#      sockets, no interface ioctls, no socket option but TCP_NODELAY, no
#      set*id, fork or exec.
#   2. The real kgw-wg runs under its filter in a namespace of its own
#      (netns S, kgw-wg kgws$$) and does its whole job there: `wg set' and
#      `wg show' over UAPI, a new listen port and an fwmark (re-bound
#      sockets), a handshake with a stock wireguard-go peer in netns P
#      (veth 10.99.0.1 -- 10.99.0.2), and a clean stop.
#   3. --seccomp and KGW_SECCOMP: kill (default), log, off; bad values are
#      usage errors.
#
# kgwd and kgw-portal under their filters in the full path: e2e-gateway.sh
# (which checks that both run with Seccomp: 2) and portal-api.sh.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wg wireguard-go

B=$(it_builddir)
PROBE="$B/tests/integration/sandbox-probe"
KGW_WG="$B/gateway/kgw-wg"
[ -x "$PROBE" ] && [ -x "$KGW_WG" ] || { echo "not built: $PROBE $KGW_WG"; exit 99; }
[ "${KGW_VALGRIND:-0}" = 1 ] &&
	{ echo "SKIP: under valgrind, which has no seccomp(2), no filter can be installed"; exit 77; }
[ "${KGW_SECCOMP:-kill}" = off ] && { echo "SKIP: KGW_SECCOMP=off"; exit 77; }
unset KGW_SECCOMP
S=kgws$IT_TAG; P=kgwp$IT_TAG; IF=kgws$IT_TAG; PIF=kgwq$IT_TAG
SOCK=/var/run/wireguard/$IF.sock

# ---- 1. the lists, probed ----
# probe POLICY CALL allowed|refused|killed
probe() {
	set +e
	"$PROBE" "$1" "$2" </dev/null >"$IT_TMP/probe.out" 2>&1
	st=$?
	set -e
	case $3 in
	killed) [ "$st" -eq $((128 + 31)) ] ;;	# SIGSYS
	allowed) [ "$st" -eq 0 ] && ! grep -q 'Address family not supported' "$IT_TMP/probe.out" ;;
	refused) [ "$st" -eq 0 ] && grep -q 'Address family not supported' "$IT_TMP/probe.out" ;;
	esac || { echo "status $st: $(cat "$IT_TMP/probe.out")"; return 1; }
}
for c in "kgw-portal tcp allowed" "kgw-portal unix allowed" "kgw-portal tcgets allowed" \
	"kgw-portal nodelay allowed" "kgw-portal netlink-route refused" \
	"kgw-portal netlink-audit refused" "kgw-portal netlink-netfilter killed" \
	"kgw-portal netlink-generic killed" "kgw-portal packet killed" \
	"kgw-portal siocsifmtu killed" "kgw-portal so-mark killed" "kgw-portal setuid killed" \
	"kgw-wg so-mark allowed" "kgw-wg unix allowed" "kgw-wg netlink-route killed" \
	"kgw-wg packet killed" "kgw-wg siocsifmtu killed" "kgw-wg setuid killed" \
	"kgwd netlink-generic allowed" "kgwd netlink-netfilter allowed" "kgwd packet killed" \
	"kgwd setuid killed"; do
	# shellcheck disable=SC2086
	set -- $c
	it_check "$1: $2 is $3" probe "$1" "$2" "$3"
done
# The sanitizer runtimes fork and exec a symbolizer, so their builds allow both.
if [ -z "${KGW_ASAN_PRELOAD:-}" ]; then
	for c in "kgw-portal fork" "kgw-portal exec" "kgw-wg fork" "kgw-wg exec"; do
		# shellcheck disable=SC2086
		set -- $c
		it_check "$1: $2 is killed" probe "$1" "$2" killed
	done
else
	echo "# sanitizer build: fork and exec are on every list, not probed"
fi

# ---- 2. the real kgw-wg under its filter ----
it_netns "$S" "$P"
ip link add "v$S" netns "$S" type veth peer name "v$P" netns "$P"
ip -n "$S" addr add 10.99.0.1/24 dev "v$S"; ip -n "$S" link set "v$S" up
ip -n "$P" addr add 10.99.0.2/24 dev "v$P"; ip -n "$P" link set "v$P" up
in_s() { ip netns exec "$S" "$@"; }
in_p() { ip netns exec "$P" "$@"; }

it_check "kgw-wg starts" in_s "$KGW_WG" "$IF"
PID=$(pgrep -x kgw-wg -a | awk -v i="$IF" '$NF == i { print $1 }' | head -1)
[ -n "$PID" ] && it_track_pid "$PID"
it_check "kgw-wg runs with a seccomp filter (Seccomp: 2)" grep -q '^Seccomp:[[:space:]]*2' "/proc/$PID/status"
wg genkey >"$IT_TMP/s.key"; wg pubkey <"$IT_TMP/s.key" >"$IT_TMP/s.pub"
wg genkey >"$IT_TMP/p.key"; wg pubkey <"$IT_TMP/p.key" >"$IT_TMP/p.pub"
it_check "wg set over UAPI: key, port, fwmark, peer" in_s wg set "$IF" private-key "$IT_TMP/s.key" \
	listen-port 51820 fwmark 0x42 peer "$(cat "$IT_TMP/p.pub")" allowed-ips 10.98.0.2/32
it_check "wg show reads them back" sh -c "ip netns exec $S wg show $IF fwmark | grep -qx 0x42"
it_check "a second listen port re-binds the sockets" in_s wg set "$IF" listen-port 51821
in_s ip addr add 10.98.0.1/24 dev "$IF"; in_s ip link set "$IF" up
in_p wireguard-go "$PIF" >/dev/null 2>&1
it_track_pid "$(pgrep -f "wireguard-go $PIF" | head -1)"
in_p wg set "$PIF" private-key "$IT_TMP/p.key" peer "$(cat "$IT_TMP/s.pub")" \
	allowed-ips 10.98.0.1/32 endpoint 10.99.0.1:51821
in_p ip addr add 10.98.0.2/24 dev "$PIF"; in_p ip link set "$PIF" up
it_check "a handshake and pings through the tunnel" in_p ping -c 2 -W 2 10.98.0.1
it_check "kgw-wg is still alive after all of it" kill -0 "$PID"
kill -TERM "$PID"
it_check "SIGTERM: kgw-wg stops and removes its socket" it_wait 5 sh -c "! kill -0 $PID && [ ! -e $SOCK ]"
it_check "nothing in the kernel log says it was killed" sh -c \
	"! dmesg | grep -q 'type=1326.*pid=$PID '"

# ---- 3. modes ----
seccomp_of() {	# seccomp_of VAR=VALUE [OPTION]: Seccomp field of a kgw-wg started so
	in_s env "$1" "$KGW_WG" ${2:+"$2"} "$IF" >"$IT_TMP/mode.out" 2>&1 || return 1
	pid=$(pgrep -x kgw-wg -a | awk -v i="$IF" '$NF == i { print $1 }' | head -1)
	f=$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")
	kill -TERM "$pid"
	it_wait 5 sh -c "! kill -0 $pid"
	echo "$f"
}
f=$(seccomp_of KGW_X=1) || f=failed
it_check "no option: the filter is on (Seccomp: $f)" [ "$f" = 2 ]
f=$(seccomp_of KGW_X=1 --seccomp=log) || f=failed
it_check "--seccomp=log: a filter, which logs (Seccomp: $f)" [ "$f" = 2 ]
f=$(seccomp_of KGW_X=1 --seccomp=off) || f=failed
it_check "--seccomp=off: no filter (Seccomp: $f)" [ "$f" = 0 ]
f=$(seccomp_of KGW_SECCOMP=off) || f=failed
it_check "KGW_SECCOMP=off: no filter (Seccomp: $f)" [ "$f" = 0 ]
f=$(seccomp_of KGW_SECCOMP=off --seccomp=kill) || f=failed
it_check "--seccomp=kill wins over KGW_SECCOMP=off (Seccomp: $f)" [ "$f" = 2 ]
for bin in gateway/kgwd portal/kgw-portal gateway/kgw-wg; do
	n=$(basename $bin)
	it_check "$n --seccomp=bogus is a usage error (2)" sh -c \
		"'$B/$bin' --seccomp=bogus >/dev/null 2>'$IT_TMP/e'; [ \$? = 2 ] && grep -q 'kill, log or off' '$IT_TMP/e'"
	it_check "$n: KGW_SECCOMP=bogus is a usage error (2)" sh -c \
		"KGW_SECCOMP=bogus '$B/$bin' --version >/dev/null 2>&1; [ \$? = 2 ]"
	it_check "$n --help documents --seccomp" sh -c "'$B/$bin' --help | grep -q -- '--seccomp=MODE'"
done

it_teardown
it_check "nothing left behind" it_leftovers "$SOCK"
it_done
