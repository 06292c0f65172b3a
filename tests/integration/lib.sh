# Shared helpers for the namespace tests. Source it; it sets `set -eu'.
#
# Every namespace, process and file a test makes is registered here and
# removed on exit, whatever the exit path; `it_leftovers' checks at the end
# that nothing was left behind (as the kernel's netns.sh does).
set -eu

umask 077	# keys made by `wg genkey` stay private (and wg stops warning)
IT_NAME=${IT_NAME:-$(basename "$0" .sh)}
IT_TAG=${IT_TAG:-$$}
IT_TMP=$(mktemp -d "/tmp/kgw-$IT_NAME.XXXXXX")
IT_NETNS=""
IT_PIDS=""
IT_FAILS=0
IT_CHECKS=0
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"

it_skip_unless_root() {
	if [ "${KGW_INTEGRATION:-1}" = 0 ]; then
		echo "SKIP: KGW_INTEGRATION=0"; exit 77
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (network namespaces)"; exit 77
	fi
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
	done
}

# The build tree (binaries) and the source tree (scripts, data).
it_builddir() { echo "${KGW_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}"; }
it_srcdir() { echo "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}"; }

it_netns() {	# it_netns NAME...: create namespaces with lo up
	for ns in "$@"; do
		ip netns add "$ns"
		IT_NETNS="$IT_NETNS $ns"
		ip -n "$ns" link set lo up
	done
}

it_bg() {	# it_bg CMD...: run in the background, killed at exit
	"$@" &
	IT_PIDS="$IT_PIDS $!"
}

it_track_pid() { IT_PIDS="$IT_PIDS $1"; }

# Kills what the test started and deletes its namespaces; safe to call twice.
it_teardown() {
	for p in $IT_PIDS; do kill "$p" 2>/dev/null || true; done
	# Give them up to 3 s to clean up after themselves (sockets, links);
	# under valgrind, time for its leak check too.
	for _ in $(seq $((15 * KGW_WAIT_FACTOR))); do
		alive=""
		for p in $IT_PIDS; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.2
	done
	for p in $IT_PIDS; do kill -9 "$p" 2>/dev/null || true; done
	for ns in $IT_NETNS; do
		# Processes still inside die with it.
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	IT_PIDS=""
}

# it_cleanup [STATUS]: the exit trap. A script with a trap of its own
# passes the status it caught: `trap 'rc=$?; mine; it_cleanup $rc' EXIT'.
it_cleanup() {
	rc=${1:-$?}
	# Whatever the trap saw, a failed check fails the script; and one that
	# dies half-way (a shell error, an unset variable) must not pass: only
	# it_done marks a run that reached its end.
	if [ "$rc" -eq 0 ] && [ "$IT_FAILS" -gt 0 ]; then
		rc=1
	elif [ "$rc" -eq 0 ] && [ -z "${IT_DONE:-}" ] && [ -z "${IT_NO_PLAN:-}" ]; then
		echo "not ok - $IT_NAME stopped before its last check" >&2
		rc=99
	fi
	it_teardown
	rm -rf "$IT_TMP"
	kgw_valgrind_verdict || rc=1
	exit $rc
}

trap it_cleanup EXIT INT TERM

it_ok() { IT_CHECKS=$((IT_CHECKS + 1)); echo "ok $IT_CHECKS - $*"; }
it_fail() { IT_CHECKS=$((IT_CHECKS + 1)); IT_FAILS=$((IT_FAILS + 1)); echo "not ok $IT_CHECKS - $*"; }

# it_check DESCRIPTION CMD...: passes when CMD succeeds
it_check() {
	d=$1; shift
	if "$@" >"$IT_TMP/out" 2>&1; then it_ok "$d"; else it_fail "$d"; sed 's/^/#   /' "$IT_TMP/out" | head -20; fi
}

# it_check_not DESCRIPTION CMD...: passes when CMD fails
it_check_not() {
	d=$1; shift
	if "$@" >"$IT_TMP/out" 2>&1; then it_fail "$d"; sed 's/^/#   /' "$IT_TMP/out" | head -20; else it_ok "$d"; fi
}

# it_wait SECONDS CMD...: retries CMD every 0.1 s until it succeeds
it_wait() {
	t=$(($1 * 10)); shift
	while [ $t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; t=$((t - 1))
	done
	return 1
}

# After it_teardown: none of the test's namespaces, and none of the extra
# paths given (sockets, pid files), may remain.
it_leftovers() {
	left=""
	for ns in $IT_NETNS; do
		ip netns list | grep -qE "^$ns( |$)" && left="$left netns:$ns"
	done
	for f in "$@"; do
		[ -e "$f" ] && left="$left $f"
	done
	[ -z "$left" ] || { echo "left behind:$left"; return 1; }
}

# it_keep FILE [EXTRA-PATH...]: leave everything running (tools/demo
# --keep) and write to FILE what `tools/demo --stop' needs to remove it all.
it_keep() {
	f=$1; shift
	{
		echo "IT_PIDS='$IT_PIDS'"
		echo "IT_NETNS='$IT_NETNS'"
		echo "IT_TMP='$IT_TMP'"
		echo "IT_EXTRA='$*'"
	} > "$f"
	IT_DONE=1
	trap - EXIT INT TERM
}

it_done() {
	IT_DONE=1
	echo "# $IT_NAME: $((IT_CHECKS - IT_FAILS)) of $IT_CHECKS checks passed"
	[ "$IT_FAILS" -eq 0 ]
}
