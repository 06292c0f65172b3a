#!/bin/sh
# kgwd refuses to start, with a message that says why, when something it
# needs is missing; and its command line is strict.
. "$(dirname "$0")/lib.sh"
it_skip_unless_root
B=$(it_builddir)
KGWD=$(kgw_wrap "$B/gateway/kgwd"); KGWCTL=$(kgw_wrap "$B/tools/kgwctl")
T=$IT_TMP
NS=kgwer$IT_TAG
it_netns "$NS"
getent passwd kgw >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin kgw

conf() {	# conf EXTRA-GATEWAY-LINES...: a config file under $T
	{ echo "[gateway]"; echo "interface = kge$IT_TAG"; echo "private_key_file = $T/wg.key"
	  echo "control_socket = $T/kgwd.sock"; for l in "$@"; do echo "$l"; done
	  echo "[store]"; echo "database = $T/kgw.db"; echo "[log]"; echo "syslog = false"; } > "$T/kgw.conf"
}
# expect STATUS PATTERN CMD...: exit status and a message on stderr
expect() {
	want=$1 pat=$2; shift 2
	set +e; "$@" >"$T/stdout" 2>"$T/stderr"; got=$?; set -e
	[ "$got" -eq "$want" ] && grep -q -- "$pat" "$T/stderr" "$T/stdout" ||
		{ echo "exit $got (wanted $want); stderr:"; cat "$T/stderr"; return 1; }
}

it_check "--help exits 0 and describes the options" expect 0 "--check-config" "$KGWD" --help
it_check "--version exits 0" expect 0 "kgwd " "$KGWD" --version
it_check "an unknown option is a usage error (2)" expect 2 "Try \`kgwd --help'" "$KGWD" --bogus
it_check "a stray argument is a usage error (2)" expect 2 "unexpected argument" "$KGWD" extra
conf "listen_port = 70000"
it_check "a bad value names file, line and key (1)" expect 1 "kgw.conf:5: \`listen_port'" "$KGWD" -c "$T/kgw.conf" -f
conf "backend = kernel"
it_check "a missing database says to run kgwctl init (3)" expect 3 "kgwctl init" \
	ip netns exec "$NS" "$KGWD" -c "$T/kgw.conf" -f
"$KGWCTL" --db "$T/kgw.db" -c "$T/kgw.conf" init --wg-key "$T/wg.key" --tls-cert "$T/tls.crt" \
	--tls-key "$T/tls.key" --admin-password-stdin <<PW >/dev/null
an-admin-password
PW
if [ -d /sys/module/wireguard ]; then
	echo "# this kernel has WireGuard: the missing-module check does not apply"
else
	it_check "backend = kernel without the module fails clearly (3)" expect 3 "this kernel has no WireGuard" \
		ip netns exec "$NS" "$KGWD" -c "$T/kgw.conf" -f
	it_check "and leaves no interface behind" sh -c "! ip -n $NS link show kge$IT_TAG"
fi
conf "backend = userspace"
echo "not a key" > "$T/wg.key"
it_check "a malformed private key file is refused (3)" expect 3 "does not hold a WireGuard private key" \
	ip netns exec "$NS" "$KGWD" -c "$T/kgw.conf" -f
rm -f "$T/wg.key"
it_check "a missing private key file is refused (3)" expect 3 "cannot open the private key" \
	ip netns exec "$NS" "$KGWD" -c "$T/kgw.conf" -f
it_check "and leaves no TUN device behind" sh -c "! ip -n $NS link show kge$IT_TAG"

# With everything there, kgwd starts in the foreground and tells systemd.
"$KGWCTL" --db "$T/kgw.db" -c "$T/kgw.conf" init --force --wg-key "$T/wg.key" --tls-cert "$T/tls.crt" \
	--tls-key "$T/tls.key" --admin-password-stdin <<PW >/dev/null
an-admin-password
PW
# kgwd tells systemd after dropping to kgw: as with /run/systemd/notify, it
# must be able to reach the socket and its own run directory.
chmod 0755 "$T"; mkdir -p "$T/run"; chown kgw:kgw "$T/run"
sed -i "s|^control_socket = .*|control_socket = $T/run/kgwd.sock|" "$T/kgw.conf"
python3 -c '
import socket, sys
import os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
s.settimeout(20 * int(sys.argv[2]))
print(s.recv(4096).decode(), flush=True)' "$T/notify" "$KGW_WAIT_FACTOR" > "$T/notified" &
it_wait 5 test -S "$T/notify"
it_bg ip netns exec "$NS" env NOTIFY_SOCKET="$T/notify" "$KGWD" -c "$T/kgw.conf" -f
it_check "kgwd -f tells systemd READY=1 (sd_notify)" it_wait $((20 * KGW_WAIT_FACTOR)) grep -q READY=1 "$T/notified"
it_teardown
it_check "nothing left behind" it_leftovers "$T/kgwd.sock" "$T/run/kgwd.sock"
it_done
