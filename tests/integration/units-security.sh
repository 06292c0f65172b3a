#!/bin/sh
# The systemd units, as installed, scored by `systemd-analyze security
# --offline=true' (0 = fully sandboxed, 10 = not at all). Each unit must
# stay at or below its ceiling, so a unit edit that loosens the sandbox
# fails here. The ceilings are today's scores rounded up a little: kgwd
# needs netlink, NET_ADMIN, /proc/sys for forwarding and its start as root;
# the portal needs its start as root to bind and read its key.
set -eu
B=${KGW_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>&1 | grep -q -- '--offline' || \
	systemd-analyze --help 2>&1 | grep -q -- '--offline' || { echo "SKIP: systemd-analyze has no --offline"; exit 77; }

fails=0; n=0
check() {	# check UNIT CEILING
	n=$((n + 1))
	f="$B/systemd/$1"
	[ -f "$f" ] || { echo "not ok $n - $1 was not built"; fails=$((fails + 1)); return; }
	score=$(systemd-analyze security --offline=true --no-pager "$f" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" -v c="$2" 'BEGIN { exit !(s <= c) }'; then
		echo "ok $n - $1: exposure $score (ceiling $2)"
	else
		echo "not ok $n - $1: exposure ${score:-unknown} above the ceiling $2"
		fails=$((fails + 1))
	fi
}
check kgwd.service 3.0
check kgw-portal.service 2.5
echo "# units-security: $((n - fails)) of $n checks passed"
[ "$fails" -eq 0 ]
