#!/bin/sh
# kgw-wg's failures are clear and clean: every way it cannot start gives a
# message naming the cause and a non-zero exit, and leaves nothing behind;
# usage errors exit 2; --help and --version exit 0; a second instance
# cannot take over the first one's interface or socket; SIGTERM and SIGINT
# remove the interface and the socket.
#
#   netns E1 (kgwe$$)                 netns E2 (kgwf$$)
#   kgw-wg kgwe$$ (the first)         kgw-wg kgwe$$ (same name, other netns)
#   veth kgwd$$ (not a TUN device)
#
# Each kgw-wg here runs in a namespace the test made; the ones that must
# fail would otherwise create nothing on the host either.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root wg setpriv unshare

B=$(it_builddir)
KGW_WG=$(kgw_wrap "$B/gateway/kgw-wg")
[ -x "$B/gateway/kgw-wg" ] || { echo "kgw-wg not built at $KGW_WG"; exit 99; }
E1=kgwe$IT_TAG; E2=kgwf$IT_TAG
IF=kgwe$IT_TAG; OTHER=kgwd$IT_TAG
SOCK=/var/run/wireguard/$IF.sock

it_netns "$E1" "$E2"
in1() { ip netns exec "$E1" "$@"; }
in2() { ip netns exec "$E2" "$@"; }

# run_kgw_wg NAME EXPECTED_STATUS CMD...: runs CMD (a kgw-wg invocation),
# records its output in $IT_TMP/NAME.out and checks the exit status.
run_kgw_wg() {
	name=$1; want=$2; shift 2
	set +e
	"$@" >"$IT_TMP/$name.out" 2>&1
	got=$?
	set -e
	if [ "$got" -eq "$want" ]; then
		it_ok "$name: exit status $want"
	else
		it_fail "$name: exit status $got, expected $want"
		sed 's/^/#   /' "$IT_TMP/$name.out" | head -10
	fi
}

# said NAME TEXT: the run's output says TEXT.
said() {
	it_check "$1: says \`$2'" grep -qF -- "$2" "$IT_TMP/$1.out"
}

# ---- the command line ----
run_kgw_wg help 0 "$KGW_WG" --help
said help "Usage: kgw-wg [-f | --foreground] INTERFACE"
run_kgw_wg help-short 0 "$KGW_WG" -h
said help-short "Usage: kgw-wg"
run_kgw_wg version 0 "$KGW_WG" --version
it_check "version: prints the package version" grep -qE '^kgw-wg [0-9]+\.[0-9]+\.[0-9]+' "$IT_TMP/version.out"
run_kgw_wg version-short 0 "$KGW_WG" -V
run_kgw_wg no-args 2 in1 "$KGW_WG"
said no-args "expected exactly one INTERFACE name"
said no-args "kgw-wg --help"
run_kgw_wg two-args 2 in1 "$KGW_WG" "$IF" extra
said two-args "expected exactly one INTERFACE name"
run_kgw_wg bad-option 2 in1 "$KGW_WG" --bogus "$IF"
said bad-option "kgw-wg --help"
run_kgw_wg bad-short-option 2 in1 "$KGW_WG" -x "$IF"
said bad-short-option "kgw-wg --help"
it_check "usage errors created nothing" sh -c "! ip netns exec $E1 ip link show $IF && [ ! -e $SOCK ]"

# ---- what the system refuses ----
run_kgw_wg long-name 1 in1 "$KGW_WG" -f kgwthisnameistoolong
said long-name "too long"

# Not root: no CAP_NET_ADMIN, no TUN device.
run_kgw_wg not-root 1 in1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$KGW_WG" -f "$IF"
said not-root "permission denied"
said not-root "CAP_NET_ADMIN"
# In the background the parent reports the child's failure.
run_kgw_wg not-root-bg 1 in1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$KGW_WG" "$IF"
said not-root-bg "permission denied"
it_check "not root: no interface, no socket" sh -c "! ip netns exec $E1 ip link show $IF && [ ! -e $SOCK ]"

# No /dev/net/tun: hidden under a tmpfs in a private mount namespace.
run_kgw_wg no-tun 1 in1 unshare -m sh -c "mount -t tmpfs none /dev/net && exec $KGW_WG -f $IF"
said no-tun "/dev/net/tun is missing"
it_check "no tun: the host's /dev/net/tun is untouched" test -c /dev/net/tun

# The name belongs to a device of another kind.
in1 ip link add "$OTHER" type veth peer name "kgwp$IT_TAG"
run_kgw_wg not-a-tun 1 in1 "$KGW_WG" -f "$OTHER"
said not-a-tun "not a TUN device"
it_check "not a tun: the veth device is still there" in1 ip link show "$OTHER"
it_check "not a tun: no socket" test ! -e "/var/run/wireguard/$OTHER.sock"

# ---- one interface, one kgw-wg ----
run_kgw_wg first 0 in1 "$KGW_WG" "$IF"
PID=$(kgw_pgrep kgw-wg | awk -v i="$IF" '$NF == i { print $1 }' | head -1)
[ -n "$PID" ] && it_track_pid "$PID"
it_check "first: running" test -n "$PID"
it_check "first: socket" test -S "$SOCK"
in1 wg set "$IF" listen-port 51999

run_kgw_wg second-same-netns 1 in1 "$KGW_WG" -f "$IF"
said second-same-netns "in use by another process"
# Another namespace: the TUN name is free there, the socket path is not.
run_kgw_wg second-other-netns 1 in2 "$KGW_WG" -f "$IF"
said second-other-netns "$SOCK is in use by another process"
it_check "second: its interface was removed again" sh -c "! ip netns exec $E2 ip link show $IF"
it_check "second: the first still answers on its socket" sh -c \
	"ip netns exec $E1 wg show $IF listen-port | grep -qx 51999"
it_check "second: the first still runs" kill -0 "$PID"

# A socket left by a killed instance is stale, and taken over.
kill -9 "$PID"
it_check "killed: the stale socket is still there" it_wait 5 sh -c "! kill -0 $PID && [ -S $SOCK ]"
it_check "killed: its interface went with it" it_wait 5 sh -c "! ip netns exec $E1 ip link show $IF"
run_kgw_wg after-kill 0 in1 "$KGW_WG" "$IF"
PID=$(kgw_pgrep kgw-wg | awk -v i="$IF" '$NF == i { print $1 }' | head -1)
[ -n "$PID" ] && it_track_pid "$PID"
it_check "after kill: the new instance answers" sh -c "ip netns exec $E1 wg show $IF listen-port | grep -q ."

# ---- stopping ----
kill -TERM "$PID"
it_check "SIGTERM: the process exits" it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! kill -0 $PID"
it_check "SIGTERM: the socket is removed" it_wait $((5 * KGW_WAIT_FACTOR)) test ! -e "$SOCK"
it_check "SIGTERM: the interface is removed" it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! ip netns exec $E1 ip link show $IF"

# In the foreground, SIGINT (Ctrl-C) stops it with status 0.
# (ip netns exec execs kgw-wg: $! is kgw-wg itself.)
ip netns exec "$E1" "$KGW_WG" -f "$IF" >"$IT_TMP/fg.out" 2>&1 &
FG=$!
it_track_pid "$FG"
it_check "foreground: socket ready" it_wait $((5 * KGW_WAIT_FACTOR)) test -S "$SOCK"
kill -INT "$FG"
set +e
wait "$FG"
fg_status=$?
set -e
it_check "SIGINT in the foreground: exit status 0" test "$fg_status" -eq 0
it_check "SIGINT: the socket is removed" test ! -e "$SOCK"
it_check "SIGINT: the interface is removed" it_wait 5 sh -c "! ip netns exec $E1 ip link show $IF"

it_teardown
it_check "nothing left behind" it_leftovers "$SOCK" "/var/run/wireguard/$OTHER.sock"
it_done
