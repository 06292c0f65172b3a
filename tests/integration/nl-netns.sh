#!/bin/sh
# kgwd's rtnetlink code (gateway/nl.c) and the kernel WireGuard backend's
# failure on a kernel without it, against the real kernel in a namespace
# made here. Each step runs nl-tool (kgwd's code) and checks with `ip -j'.
#
#   namespace kgw-nl-PID
#   +--------------------------------------------+
#   |  kgwt0 <==veth==> veth0 (made by the kernel)|
#   |  100.64.0.1/16, fd6b:6777::1/64, mtu 1380   |
#   |  routes 10.99.0.0/24, fd00:99::/64 via kgwt0|
#   +--------------------------------------------+
set -u

if [ "$(id -u)" -ne 0 ] || [ "${KGW_INTEGRATION:-1}" = 0 ]; then
	echo "nl-netns: skipped (needs root; KGW_INTEGRATION=0 skips)"
	exit 77
fi
builddir=${KGW_BUILDDIR:-$(pwd)}
# Under KGW_VALGRIND=1 nl-tool (kgwd's netlink code) runs under valgrind.
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"
tool=$(kgw_wrap "$builddir/tests/integration/nl-tool")
ns="kgw-nl-$$"
err=$(mktemp) || exit 99
steps=0

cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -f "$err"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "nl-netns: FAIL: $*"
	[ -s "$err" ] && sed 's/^/  stderr: /' "$err"
	exit 1
}
ok() {
	steps=$((steps + 1))
	echo "ok $steps - $*"
}
run() { ip netns exec "$ns" "$tool" "$@" 2>"$err"; }
inns() { ip netns exec "$ns" "$@"; }
# Evaluates a Python expression over JSON on stdin (d); fails when false.
j() { python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }

ip netns add "$ns" || exit 99
inns ip link set lo up

run create kgwt0 veth || fail "create veth link"
inns ip -j -d link show kgwt0 | j 'd[0]["linkinfo"]["info_kind"] == "veth"' ||
	fail "kgwt0 is not a veth"
ok "create link of kind veth"

run create kgwt0 veth && fail "creating kgwt0 twice succeeded"
grep -q "create link \`kgwt0' of kind \`veth': File exists" "$err" ||
	fail "no clear error for an existing link"
ok "existing link: clear error"

run create 'bad name' veth && fail "bad name accepted"
grep -q "invalid argument" "$err" || fail "no clear error for a bad name"
[ "$(inns ip -j link show | j 'len(d) == 3' && echo 3)" = 3 ] || fail "a link was added"
ok "bad interface name rejected, nothing created"

run show kgwt0 >/dev/null || fail "show"
run show nosuch0 && fail "show of a missing link succeeded"
grep -q "no link \`nosuch0'" "$err" || fail "no clear error for a missing link"
ok "missing link reported"

run mtu kgwt0 1380 || fail "mtu"
inns ip -j link show kgwt0 | j 'd[0]["mtu"] == 1380' || fail "mtu not 1380"
ok "set mtu"

run up kgwt0 || fail "up"
inns ip -j link show kgwt0 | j '"UP" in d[0]["flags"]' || fail "kgwt0 not up"
[ "$(run show kgwt0 | cut -d' ' -f5)" = up ] || fail "nl-tool show does not see it up"
ok "link up"

run addr-add kgwt0 100.64.0.1/16 || fail "add v4 address"
run addr-add kgwt0 100.64.0.1/16 || fail "adding the same address again failed"
inns ip -j addr show dev kgwt0 | j '[(a["local"], a["prefixlen"]) for a in d[0]["addr_info"]
	if a["family"] == "inet"] == [("100.64.0.1", 16)]' || fail "v4 address missing or twice"
ok "add v4 address (idempotent)"

run addr-add kgwt0 fd6b:6777::1/64 || fail "add v6 address"
inns ip -j addr show dev kgwt0 | j 'any(a["local"] == "fd6b:6777::1" and a["prefixlen"] == 64
	and not a.get("tentative") for a in d[0]["addr_info"])' || fail "v6 address missing or tentative"
ok "add v6 address, usable at once (no DAD)"

run addr-add kgwt0 100.64.0.1/33 && fail "prefix 33 accepted"
ok "bad prefix rejected"

run route-add kgwt0 10.99.0.0/24 || fail "add v4 route"
inns ip -j route show 10.99.0.0/24 | j 'len(d) == 1 and d[0]["dev"] == "kgwt0" and
	d[0]["scope"] == "link" and d[0]["protocol"] == "static"' || fail "v4 route"
run route-add kgwt0 10.99.0.0/24 || fail "adding the same route again failed"
run route-add kgwt0 fd00:99::/64 || fail "add v6 route"
inns ip -j -6 route show fd00:99::/64 | j 'len(d) == 1 and d[0]["dev"] == "kgwt0"' || fail "v6 route"
ok "add routes"

run route-del kgwt0 10.99.0.0/24 || fail "delete v4 route"
run route-del kgwt0 fd00:99::/64 || fail "delete v6 route"
inns ip -j route show 10.99.0.0/24 | j 'd == []' || fail "v4 route still there"
inns ip -j -6 route show fd00:99::/64 | j 'd == []' || fail "v6 route still there"
run route-del kgwt0 10.99.0.0/24 && fail "deleting a missing route succeeded"
grep -q "delete route 10.99.0.0/24 via link [0-9]*: No such process" "$err" ||
	fail "no clear error for a missing route"
ok "delete routes; missing route reported"

run addr-del kgwt0 100.64.0.1/16 || fail "delete v4 address"
run addr-del kgwt0 fd6b:6777::1/64 || fail "delete v6 address"
inns ip -j addr show dev kgwt0 | j 'not any(a["family"] == "inet" or a["local"].startswith("fd6b")
	for a in d[0]["addr_info"])' || fail "addresses still there"
ok "delete addresses"

run down kgwt0 || fail "down"
inns ip -j link show kgwt0 | j '"UP" not in d[0]["flags"]' || fail "kgwt0 still up"
ok "link down"

host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
[ "$(inns cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || fail "namespace starts forwarding"
run forwarding || fail "forwarding"
[ "$(inns cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "ipv4 forwarding off"
[ "$(inns cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] || fail "ipv6 forwarding off"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] || fail "host forwarding changed"
ok "forwarding on in the namespace only"

# The kernel backend: on a kernel without WireGuard, one clear message.
if run wg-probe >/dev/null; then
	run wg-create kgw0 || fail "kernel has WireGuard but wg-create failed"
	run wg-get kgw0 | grep -q '^kgw0 port 0 peers 0$' || fail "wg-get on a new link"
	ok "kernel WireGuard present: link created and read"
else
	run wg-create kgw0 && fail "wg-create succeeded without WireGuard"
	grep -q "kernel WireGuard: create link \`kgw0': the kernel has no WireGuard" "$err" ||
		fail "no clear message from wg-create"
	inns ip link show kgw0 >/dev/null 2>&1 && fail "a kgw0 link was left"
	run wg-get kgw0 && fail "wg-get succeeded without WireGuard"
	grep -q "no generic netlink family \`wireguard': the kernel has no WireGuard" "$err" ||
		fail "no clear message from wg-get"
	ok "no kernel WireGuard: clear errors, nothing created"
fi

run delete kgwt0 || fail "delete link"
inns ip link show kgwt0 >/dev/null 2>&1 && fail "kgwt0 still there"
inns ip -j link show | j 'len(d) == 1' || fail "veth peer still there"
ok "delete link (and its veth peer)"

ip netns del "$ns" || fail "namespace delete"
ip netns list | grep -q "^$ns\b" && fail "namespace left behind"
ok "nothing left behind"
kgw_valgrind_verdict || fail "valgrind found errors"
echo "nl-netns: $steps steps passed"
