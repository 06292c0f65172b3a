# How the tests run kgw's programs: kgwd, kgw-portal, kgw-wg, kgwctl and
# kgw-client. Sourced by lib.sh (and by the tests that do not use it).
# A test runs a program through `X=$(kgw_wrap "$B/tools/kgwctl")', or
# puts $KGW_DAEMON_WRAP before it, and finds a running one by kgw_pgrep.
#
#   KGW_VALGRIND=1   run them under valgrind's memcheck; any error (invalid
#                    access, uninitialised use, a definite or indirect
#                    leak) makes the program exit 99 and is written to
#                    $KGW_VALGRIND_LOG_DIR/vg.PID.log (one per process;
#                    kgw_valgrind_verdict fails the test when any of them
#                    is not empty at the end). `make check-valgrind'.
#
# KGW_WAIT_FACTOR: how much longer start-up and shutdown waits should be.
#
# Only definite and indirect leaks are shown, as only they are errors: a
# "possibly lost" block is one with an interior pointer to it, such as the
# stack of a PAM worker thread that kgw-portal leaves stuck in a module at
# shutdown on purpose (abuse-portal.sh).
#
# Seccomp: valgrind (3.19, Debian 12) does not implement seccomp(2)
# ("unhandled amd64-linux syscall: 317"), so no filter can be installed
# under it, not even --seccomp=log: a daemon asked for one refuses to start.
# Were it implemented, the filter would judge valgrind's own calls as well
# as the daemon's. So under valgrind the filters are off (KGW_SECCOMP=off),
# and each test says so; the filters are tested without valgrind
# (sandbox.sh, e2e-gateway.sh).
KGW_DAEMON_WRAP=""
KGW_WAIT_FACTOR=1
if [ "${KGW_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "SKIP: KGW_VALGRIND=1 but valgrind is not installed"; exit 77; }
	KGW_VALGRIND_LOG_DIR=${KGW_VALGRIND_LOG_DIR:-$(mktemp -d /tmp/kgw-valgrind.XXXXXX)}
	KGW_WAIT_FACTOR=10
	# The daemons write there after dropping root (forked children reopen).
	chmod 1777 "$KGW_VALGRIND_LOG_DIR"
	KGW_DAEMON_WRAP="valgrind -q --vgdb=no --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--track-origins=yes --error-exitcode=99 --track-fds=no \
--suppressions=${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/valgrind.supp \
--log-file=$KGW_VALGRIND_LOG_DIR/vg.%p.log"
	KGW_SECCOMP=off
	export KGW_SECCOMP KGW_VALGRIND_LOG_DIR
	echo "# $(valgrind --version) memcheck on kgw's programs; seccomp filters off (valgrind has no seccomp(2))"
fi

# Under KGW_VALGRIND=1: every process's log must be empty (valgrind -q
# writes only errors). Shows and keeps the logs when they are not.
kgw_valgrind_verdict() {
	[ "${KGW_VALGRIND:-0}" = 1 ] || return 0
	bad=""
	for f in "$KGW_VALGRIND_LOG_DIR"/vg.*.log; do
		[ -s "$f" ] && bad="$bad $f"
	done
	if [ -n "$bad" ]; then
		echo "valgrind found errors (logs kept in $KGW_VALGRIND_LOG_DIR):"
		for f in $bad; do sed 's/^/#   /' "$f" | head -60; done
		return 1
	fi
	echo "# valgrind: no errors in $(ls "$KGW_VALGRIND_LOG_DIR" | grep -c '^vg') process(es)"
	rm -rf "$KGW_VALGRIND_LOG_DIR"
}

# kgw_wrap PROGRAM: the command to run PROGRAM by; under valgrind a script
# that runs it under memcheck. A path, not a prefix, so it can be quoted,
# put in an `sh -c' string or handed to another program (wg-quick's
# WG_QUICK_USERSPACE_IMPLEMENTATION); it execs, so $! is the process.
kgw_wrap() {
	[ "${KGW_VALGRIND:-0}" = 1 ] || { echo "$1"; return 0; }
	mkdir -p -m 0755 "$KGW_VALGRIND_LOG_DIR/bin"
	w=$KGW_VALGRIND_LOG_DIR/bin/$(basename "$1")
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$KGW_DAEMON_WRAP" "$1" >"$w"
	chmod 0755 "$w"
	echo "$w"
}

# kgw_pgrep NAME: `pgrep -a' of the kgw program NAME (under valgrind its
# process is valgrind's, named memcheck-amd64-, with NAME's path in argv).
kgw_pgrep() {
	if [ "${KGW_VALGRIND:-0}" = 1 ]; then
		pgrep -a -f "^[^ ]*valgrind[^ ]* .* [^ ]*/$1( |\$)"
	else
		pgrep -a -x "$1"
	fi
}
