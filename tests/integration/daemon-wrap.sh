# The command prefix the tests put before kgwd, kgw-portal and kgw-wg.
# Sourced by lib.sh (and by the tests that do not use it).
#
#   KGW_VALGRIND=1   run the daemons under valgrind's memcheck; any error
#                    (invalid access, uninitialised use, definite leak)
#                    makes the daemon exit 99 and is written to
#                    $KGW_VALGRIND_LOG_DIR/vg.PID.log (one per process;
#                    lib.sh makes a directory per test and fails the test
#                    when any of them is not empty at the end)
#
# KGW_WAIT_FACTOR: how much longer start-up and shutdown waits should be.
#
# valgrind runs the program's system calls itself, with calls of its own in
# between, so the daemon's seccomp filter would judge valgrind rather than
# the daemon: under valgrind the filter is off (KGW_SECCOMP=off).
KGW_DAEMON_WRAP=""
KGW_WAIT_FACTOR=1
if [ "${KGW_VALGRIND:-0}" = 1 ]; then
	KGW_VALGRIND_LOG_DIR=${KGW_VALGRIND_LOG_DIR:-$(mktemp -d /tmp/kgw-valgrind.XXXXXX)}
	KGW_WAIT_FACTOR=10
	# The daemons write there after dropping root (forked children reopen).
	chmod 1777 "$KGW_VALGRIND_LOG_DIR"
	KGW_DAEMON_WRAP="valgrind -q --vgdb=no --leak-check=full --errors-for-leak-kinds=definite \
--error-exitcode=99 --track-fds=no --log-file=$KGW_VALGRIND_LOG_DIR/vg.%p.log"
	KGW_SECCOMP=off
	export KGW_SECCOMP KGW_VALGRIND_LOG_DIR
fi
