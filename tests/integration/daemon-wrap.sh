# The command prefix the tests put before kgwd, kgw-portal and kgw-wg.
# Sourced by lib.sh (and by the tests that do not use it).
#
#   KGW_VALGRIND=1   run the daemons under valgrind's memcheck; any error
#                    (invalid access, uninitialised use, definite leak)
#                    makes the daemon exit 99, and the log goes to
#                    $KGW_VALGRIND_LOG_DIR (default /tmp)/vg.PID.log
#
# valgrind runs the program's system calls itself, with calls of its own in
# between, so the daemon's seccomp filter would judge valgrind rather than
# the daemon: under valgrind the filter is off (KGW_SECCOMP=off).
KGW_DAEMON_WRAP=""
if [ "${KGW_VALGRIND:-0}" = 1 ]; then
	KGW_VALGRIND_LOG_DIR=${KGW_VALGRIND_LOG_DIR:-/tmp}
	KGW_DAEMON_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
--error-exitcode=99 --track-fds=no --log-file=$KGW_VALGRIND_LOG_DIR/vg.%p.log"
	KGW_SECCOMP=off
	export KGW_SECCOMP KGW_VALGRIND_LOG_DIR
fi
