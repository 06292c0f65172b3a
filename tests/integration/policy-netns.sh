#!/bin/sh
# The nftables policy (gateway/policy.c, applied by gateway/nft.c through
# policy-tool) proved with real traffic between namespaces made here. A
# veth named kgw0 stands in for the WireGuard interface: the policy only
# knows it by name. Static IPv6 neighbours on it, as WireGuard has no ND.
#
#   cl (client)             gw (the gateway: policy here)            api
#   tun0 100.64.0.2/16  --  kgw0 100.64.0.1/16      eth1 10.0.0.1/24 -- eth0 10.0.0.10/24
#        100.64.0.3/16       fd6b:6777::1/64             fd00:10::1/64      10.0.0.20/24
#        fd6b:6777::2/64                                                    fd00:10::10/64
#                            eth0  203.0.113.10/24  --  pub0  203.0.113.20/24  out
#                            mgmt0 192.168.77.1/24  --  mgmt0 192.168.77.2/24  (internet
#                                                                               and admin)
# The session of 100.64.0.2 may reach 10.0.0.10 TCP 6443 and 7000 and
# [fd00:10::10] TCP 6443; nothing else may cross, in either direction.
set -u

if [ "$(id -u)" -ne 0 ] || [ "${KGW_INTEGRATION:-1}" = 0 ]; then
	echo "policy-netns: skipped (needs root; KGW_INTEGRATION=0 skips)"
	exit 77
fi
command -v nft >/dev/null || { echo "policy-netns: skipped (no nft)"; exit 77; }
builddir=${KGW_BUILDDIR:-$(pwd)}
# Under KGW_VALGRIND=1 both tools (kgwd's code) run under valgrind.
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"
ptool=$(kgw_wrap "$builddir/tests/integration/policy-tool")
nltool=$(kgw_wrap "$builddir/tests/integration/nl-tool")
cl="kgw-pcl-$$"
gw="kgw-pgw-$$"
api="kgw-papi-$$"
out="kgw-pout-$$"
tmp=$(mktemp -d) || exit 99
pids=""
steps=0
SESSION="100.64.0.2,fd6b:6777::2=10.0.0.10/32@6443+10.0.0.10/32@7000+fd00:10::10/128@6443"
IFS_OPTS="--public eth0 --private eth1 --mgmt mgmt0 --portal-port 8443"

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for n in "$cl" "$gw" "$api" "$out"; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "policy-netns: FAIL: $*"
	[ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"
	exit 1
}
ok() {
	steps=$((steps + 1))
	echo "ok $steps - $*"
}
in_ns() {
	n=$1
	shift
	ip netns exec "$n" "$@"
}
bg() {
	n=$1
	shift
	ip netns exec "$n" "$@" &
	pids="$pids $!"
}
policy() { in_ns "$gw" "$ptool" $IFS_OPTS "$@" 2>"$tmp/err"; }
# probe NS HOST PORT [SRC]: connects, prints the address the server saw.
probe() { in_ns "$1" python3 "$tmp/net.py" probe "$2" "$3" "${4:-}"; }
reach() { probe "$@" >/dev/null || fail "$2 port $3 from $1 is not reachable"; }
blocked() { probe "$@" >/dev/null && fail "$2 port $3 from $1 is reachable"; true; }
kgw_table() { in_ns "$gw" nft list table inet kgw; }
host_tables() { in_ns "$gw" nft list table inet host; in_ns "$gw" nft list table ip hostnat; }

cat >"$tmp/net.py" <<'PY'
import os, socket, sys, threading, time

def serve_conn(c, peer):
    with c:
        try:
            c.sendall((peer[0] + "\n").encode())
            while True:
                data = c.recv(4096)
                if not data:
                    return
                c.sendall(data)
        except OSError:
            return

def serve_tcp(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    while True:
        c, peer = s.accept()
        threading.Thread(target=serve_conn, args=(c, peer), daemon=True).start()

def connect(host, port, src, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((host, port))
    f = s.makefile("r")
    return s, f.readline().strip()

cmd = sys.argv[1]
if cmd == "tcp":  # tcp HOST PORT...: echo servers that first say who connected
    for p in sys.argv[3:]:
        threading.Thread(target=serve_tcp, args=(sys.argv[2], int(p)), daemon=True).start()
    while True:
        time.sleep(3600)
elif cmd == "udp":  # udp HOST PORT: print what arrives
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    while True:
        print(s.recvfrom(4096)[0].decode(), flush=True)
elif cmd == "send":  # send HOST PORT TEXT
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[4].encode(),
                                                           (sys.argv[2], int(sys.argv[3])))
elif cmd == "probe":  # probe HOST PORT [SRC]
    try:
        s, peer = connect(sys.argv[2], int(sys.argv[3]), sys.argv[4], 1.0)
    except OSError:
        sys.exit(1)
    print(peer)
    sys.exit(0 if peer else 1)
elif cmd == "hold":  # hold HOST PORT READY GO: one connection, used again after GO appears
    s, peer = connect(sys.argv[2], int(sys.argv[3]), "", 2.0)
    s.sendall(b"a")
    assert s.recv(1) == b"a"
    open(sys.argv[4], "w").close()
    for _ in range(200):
        if os.path.exists(sys.argv[5]):
            break
        time.sleep(0.05)
    s.settimeout(2.0)
    try:
        s.sendall(b"b")
        print("alive" if s.recv(1) == b"b" else "closed")
    except OSError:
        print("cut")
PY

# ---- the topology ----
for n in "$cl" "$gw" "$api" "$out"; do
	ip netns add "$n" || exit 99
	ip -n "$n" link set lo up
	# Links made from here on skip duplicate address detection: a
	# tentative link-local address delays neighbour discovery past a probe.
	in_ns "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
ip -n "$gw" link add kgw0 type veth peer name tun0 netns "$cl"
ip -n "$gw" link add eth1 type veth peer name eth0 netns "$api"
ip -n "$gw" link add eth0 type veth peer name pub0 netns "$out"
ip -n "$gw" link add mgmt0 type veth peer name mgmt0 netns "$out"
addr() { ip -n "$1" addr add "$3" dev "$2" nodad 2>/dev/null || ip -n "$1" addr add "$3" dev "$2"; }
addr "$cl" tun0 100.64.0.2/16; addr "$cl" tun0 100.64.0.3/16; addr "$cl" tun0 fd6b:6777::2/64
addr "$gw" kgw0 100.64.0.1/16; addr "$gw" kgw0 fd6b:6777::1/64
addr "$gw" eth1 10.0.0.1/24; addr "$gw" eth1 fd00:10::1/64
addr "$api" eth0 10.0.0.10/24; addr "$api" eth0 10.0.0.20/24; addr "$api" eth0 fd00:10::10/64
addr "$gw" eth0 203.0.113.10/24; addr "$out" pub0 203.0.113.20/24
addr "$gw" mgmt0 192.168.77.1/24; addr "$out" mgmt0 192.168.77.2/24
for l in "$cl tun0" "$gw kgw0" "$gw eth1" "$gw eth0" "$gw mgmt0" "$api eth0" "$out pub0" "$out mgmt0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
mac() { ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
ip -n "$cl" neigh add fd6b:6777::1 lladdr "$(mac "$gw" kgw0)" dev tun0 nud permanent
ip -n "$gw" neigh add fd6b:6777::2 lladdr "$(mac "$cl" tun0)" dev kgw0 nud permanent
ip -n "$cl" route add 10.0.0.0/24 via 100.64.0.1
ip -n "$cl" route add fd00:10::/64 via fd6b:6777::1
# For routed mode, and to try connections into the tunnel.
ip -n "$api" route add 100.64.0.0/16 via 10.0.0.1
ip -n "$api" route add fd6b:6777::/64 via fd00:10::1
in_ns "$gw" "$nltool" forwarding || fail "forwarding"

bg "$api" python3 "$tmp/net.py" tcp 0.0.0.0 6443 6444 7000 22
bg "$api" python3 "$tmp/net.py" tcp fd00:10::10 6443
bg "$gw" python3 "$tmp/net.py" tcp 0.0.0.0 4443 8443 22 9999
bg "$cl" python3 "$tmp/net.py" tcp 0.0.0.0 9000
# Not through a function: $! must be python itself, to be killed at the end.
ip netns exec "$gw" python3 "$tmp/net.py" udp 0.0.0.0 51820 >"$tmp/udp" &
pids="$pids $!"
for i in $(seq 50); do
	probe "$api" 10.0.0.10 7000 >/dev/null && probe "$gw" 127.0.0.1 9999 >/dev/null &&
		probe "$api" fd00:10::10 6443 >/dev/null && probe "$cl" 127.0.0.1 9000 >/dev/null &&
		probe "$cl" 10.0.0.20 6443 >/dev/null && probe "$cl" fd00:10::10 6443 >/dev/null && break
	sleep 0.1
done

# ---- before any policy: everything flows (so a drop later is the policy's) ----
reach "$cl" 10.0.0.20 6443
reach "$cl" fd00:10::10 6443
reach "$out" 203.0.113.10 22
ok "no policy: the topology carries traffic"

in_ns "$gw" nft -f - <<'NFT' || fail "host tables"
table inet host {
	chain in {
		type filter hook input priority 10; policy accept;
		tcp dport 5555 counter
	}
}
table ip hostnat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 5556 counter
	}
}
NFT
host_tables >"$tmp/host.before"

# ---- the policy with no session: the tunnel reaches nothing ----
policy --apply full || fail "apply the empty policy"
[ "$(in_ns "$gw" nft list tables | grep -c 'inet kgw')" = 1 ] || fail "no kgw table"
blocked "$cl" 10.0.0.10 7000
blocked "$cl" fd00:10::10 6443
ok "no session: tunnel traffic dropped"

policy --apply --new-group add "$SESSION" || fail "add the session"
peer=$(probe "$cl" 10.0.0.10 7000) || fail "allowed 10.0.0.10:7000 not reachable"
[ "$peer" = 10.0.0.1 ] || fail "masquerade: the API saw $peer"
reach "$cl" 10.0.0.10 6443
peer=$(probe "$cl" fd00:10::10 6443) || fail "allowed [fd00:10::10]:6443 not reachable"
[ "$peer" = fd00:10::1 ] || fail "masquerade: the API saw $peer"
ok "session added: allowed destinations reached both ways, masqueraded"

blocked "$cl" 10.0.0.10 22
blocked "$cl" 10.0.0.10 6444
blocked "$cl" 10.0.0.20 6443
in_ns "$cl" ping -c 1 -W 1 10.0.0.10 >/dev/null 2>&1 && fail "ping crossed the gateway"
ok "other ports, other hosts, ICMP: dropped"

blocked "$cl" 10.0.0.10 7000 100.64.0.3
ok "a tunnel address without a session: dropped"

# A second session in a group of its own (other destinations): each
# session gets its own group's access, whatever the other's.
policy --apply --new-group --first-group 1 add "100.64.0.3=10.0.0.20/32@6443" ||
	fail "add a session in a new group"
reach "$cl" 10.0.0.20 6443 100.64.0.3
blocked "$cl" 10.0.0.10 7000 100.64.0.3
blocked "$cl" 10.0.0.20 6443
reach "$cl" 10.0.0.10 7000
policy --apply --first-group 1 add "100.64.0.3=10.0.0.20/32@6443" &&
	fail "adding a session twice succeeded"
policy --apply --first-group 1 del "100.64.0.3=10.0.0.20/32@6443" || fail "delete it"
blocked "$cl" 10.0.0.20 6443 100.64.0.3
reach "$cl" 10.0.0.10 7000
# The empty group stays until the table is built again without it.
kgw_table | grep -q "chain in_1" || fail "the emptied group went away by itself"
policy --apply full "$SESSION" || fail "build the table again"
kgw_table | grep -q "in_1" && fail "the rebuilt table kept the unused group"
ok "sessions of two destination groups: each its own; twice in, once out"

blocked "$api" 100.64.0.2 9000
blocked "$cl" 100.64.0.1 4443
blocked "$cl" 10.0.0.1 22
ok "no connection into the tunnel; the tunnel cannot reach the gateway"

reach "$out" 203.0.113.10 4443
blocked "$out" 203.0.113.10 22
blocked "$out" 203.0.113.10 9999
reach "$out" 192.168.77.1 22
reach "$out" 192.168.77.1 8443
blocked "$out" 192.168.77.1 4443
in_ns "$out" python3 "$tmp/net.py" send 203.0.113.10 51820 via-public
in_ns "$out" python3 "$tmp/net.py" send 192.168.77.1 51820 via-mgmt
sleep 0.5
grep -qx via-public "$tmp/udp" || fail "WireGuard port closed on the public interface"
grep -q via-mgmt "$tmp/udp" && fail "WireGuard port open on the management interface"
ok "input: WireGuard and auth on public, portal and SSH on management, rest dropped"

kgw_table >"$tmp/kgw.1"
policy --apply full "$SESSION" || fail "apply the full policy again"
policy --apply full "$SESSION" || fail "apply the full policy a third time"
kgw_table >"$tmp/kgw.2"
cmp -s "$tmp/kgw.1" "$tmp/kgw.2" || fail "re-applying changed the table: $(diff "$tmp/kgw.1" "$tmp/kgw.2")"
[ "$(in_ns "$gw" nft list tables | grep -c 'inet kgw')" = 1 ] || fail "kgw table twice"
reach "$cl" 10.0.0.10 7000
ok "re-applying is idempotent"

(
	while [ ! -e "$tmp/stop" ]; do
		in_ns "$gw" "$ptool" $IFS_OPTS --apply full "$SESSION" || echo failed >>"$tmp/reapply"
		echo x >>"$tmp/applied"
	done
) &
reapply=$!
pids="$pids $reapply"
lost=0 probes=0
# 30 connections; under valgrind a re-apply takes seconds, so the probing
# goes on (up to 30 * KGW_WAIT_FACTOR) until 10 re-applies overlapped it.
more() {
	[ "$probes" -lt 30 ] || { [ "${KGW_VALGRIND:-0}" = 1 ] && [ "$probes" -lt $((30 * KGW_WAIT_FACTOR)) ] &&
		[ "$(cat "$tmp/applied" 2>/dev/null | wc -l)" -lt 10 ]; }
}
while more; do
	probe "$cl" 10.0.0.10 7000 >/dev/null || lost=$((lost + 1))
	probes=$((probes + 1))
done
touch "$tmp/stop"
wait "$reapply"
applied=$(wc -l <"$tmp/applied")
[ ! -e "$tmp/reapply" ] || fail "a re-apply failed"
[ "$applied" -ge 10 ] || fail "only $applied re-applies during the connections"
[ "$lost" = 0 ] || fail "$lost of $probes connections failed while the policy was replaced"
ok "replacing the policy leaves no gap ($probes connections during $applied re-applies)"

policy --apply del "100.64.0.9=10.0.0.10/32@7000" &&
	fail "deleting a session that is not there succeeded"
grep -q "nftables: Error: Could not process rule" "$tmp/err" || fail "libnftables' error was not reported"
kgw_table >"$tmp/kgw.3"
cmp -s "$tmp/kgw.1" "$tmp/kgw.3" || fail "a failed transaction changed the table"
reach "$cl" 10.0.0.10 7000
ok "a failed transaction changes nothing (atomic), nft's error reported"

in_ns "$gw" "$ptool" --public 'eth0"' --apply full 2>"$tmp/err" && fail "bad interface accepted"
grep -q "public interface \`eth0?' is not a valid interface name" "$tmp/err" ||
	fail "no clear error for a bad interface name"
kgw_table >"$tmp/kgw.4"
cmp -s "$tmp/kgw.1" "$tmp/kgw.4" || fail "a rejected policy changed the table"
ok "bad interface name rejected before nft"

hold() {
	rm -f "$tmp/ready" "$tmp/go"
	ip netns exec "$cl" python3 "$tmp/net.py" hold 10.0.0.10 7000 "$tmp/ready" "$tmp/go" \
		>"$tmp/hold" &
	holder=$!
	for i in $(seq 50); do
		[ -e "$tmp/ready" ] && break
		sleep 0.1
	done
	[ -e "$tmp/ready" ] || fail "hold: no connection"
}
hold
touch "$tmp/go"
wait "$holder"
[ "$(cat "$tmp/hold")" = alive ] || fail "an idle connection died by itself: $(cat "$tmp/hold")"
hold
policy --apply del "$SESSION" || fail "delete the session"
touch "$tmp/go"
wait "$holder"
[ "$(cat "$tmp/hold")" = cut ] || fail "connection survived its session: $(cat "$tmp/hold")"
blocked "$cl" 10.0.0.10 7000
ok "deleting the session cuts its established connections at once"

policy --apply add "$SESSION" || fail "add the session again"
reach "$cl" 10.0.0.10 7000
policy --routed --apply full "$SESSION" || fail "apply routed mode"
peer=$(probe "$cl" 10.0.0.10 7000) || fail "routed: not reachable"
[ "$peer" = 100.64.0.2 ] || fail "routed: the API saw $peer"
peer=$(probe "$cl" fd00:10::10 6443) || fail "routed: v6 not reachable"
[ "$peer" = fd6b:6777::2 ] || fail "routed: the API saw $peer"
kgw_table | grep -q masquerade && fail "routed mode masquerades"
blocked "$cl" 10.0.0.20 6443
ok "routed mode: the API sees tunnel addresses; policy unchanged"

host_tables >"$tmp/host.after"
cmp -s "$tmp/host.before" "$tmp/host.after" || fail "the host's own tables changed"
ok "the host's other tables are untouched"

for p in $pids; do
	kill "$p" 2>/dev/null
done
wait 2>/dev/null
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "process $p left running"
done
pids=""
for n in "$cl" "$gw" "$api" "$out"; do
	ip netns del "$n" || fail "delete namespace $n"
	ip netns list | grep -q "^$n\b" && fail "namespace $n left behind"
done
ok "nothing left behind"
kgw_valgrind_verdict || fail "valgrind found errors"
echo "policy-netns: $steps steps passed"
