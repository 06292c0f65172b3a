#!/bin/sh
# The wall clock jumps under a running kgwd (an admin or NTP sets it):
#
#   gw namespace: kgwd (userspace engine), run under libfaketime, which
#   offsets CLOCK_REALTIME only, by what $T/faketime says at each read;
#   the monotonic clock (libev's timers) keeps running as it does.
#
# A session's `expires' is wall time (the store, the client and a restarted
# kgwd read it so), its length is measured on the monotonic clock. So:
# a jump forward short of the expiry ends nothing; a jump past it ends the
# session at once; a jump back does not stretch a session beyond its
# length, and the store records it ended, so the next kgwd does not bring
# it back.
. "$(dirname "$0")/lib.sh"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
it_skip_unless_root wg jq sqlite3 nc
[ -e "$FAKETIME_LIB" ] || { echo "SKIP: libfaketime is not installed"; exit 77; }
. "$(dirname "$0")/gateway.sh"
gw_programs
T=$IT_TMP; chmod 0755 "$T"
GW=kgwck$IT_TAG
trap 'rc=$?; gw_cleanup; it_cleanup $rc' EXIT INT TERM

it_netns "$GW"
cat > "$T/kgw.conf" <<CONF
[gateway]
interface = kgc$IT_TAG
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
[portal]
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
[store]
database = $T/kgw.db
[log]
syslog = false
CONF
gw_store || it_fail "the store"

jump() { echo "$1" > "$T/faketime"; chmod 0644 "$T/faketime"; }	# offset in seconds from the real time
jump +0
start_kgwd() {
	# An ASan build wants its runtime first; libfaketime only wraps clocks.
	ip netns exec "$GW" env LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/faketime" \
		FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$KGWD_BIN" -c "$T/kgw.conf" 2>>"$T/kgwd.log" &&
	it_track_pid "$(pgrep -f "kgwd -c $T/kgw.conf" | head -1)"
}
ctlsock() { printf '%s\n' "$1" | ip netns exec "$GW" nc -U -q 1 "$T/run/kgwd.sock"; }
authorize() {	# authorize KEY TTL
	ctlsock "{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"$1\",\"ttl\":$2,\"token_hash\":\"$(printf '%s' "$1" | sha256sum | cut -c1-64)\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}" | jq -se '.[0].ok == true'
}
# -s: no answer at all (jq -e takes empty input for success) is a failure, not "gone".
listed() { ctlsock '{"op":"list"}' | jq -se --arg k "$1" '.[0].sessions | map(.public_key) | index($k) != null'; }
gone() { ctlsock '{"op":"list"}' | jq -se --arg k "$1" '.[0].sessions | map(.public_key) | index($k) == null'; }
# The jump is seen at the loop's next wake-up; the first request makes
# that happen, the second sees what it did.
settled_listed() { ctlsock '{"op":"list"}' >/dev/null; listed "$1"; }
ended_in_store() { [ "$(sqlite3 "$T/kgw.db" "SELECT ended > 0 FROM sessions WHERE public_key = '$1'")" = 1 ]; }
live_in_store() { [ "$(sqlite3 "$T/kgw.db" "SELECT ended = 0 AND revoked = 0 FROM sessions WHERE public_key = '$1'")" = 1 ]; }
A=$(wg genkey | wg pubkey); BK=$(wg genkey | wg pubkey); C=$(wg genkey | wg pubkey)

it_check "kgwd starts under libfaketime" start_kgwd
it_check "the clock offset reaches kgwd (its wall clock is faked)" sh -c \
	"grep -q libfaketime /proc/\$(pgrep -f 'kgwd -c $T/kgw.conf' | head -1)/maps"
it_check "authorize A for 120 s" authorize "$A" 120
it_check "authorize C for 2 h" authorize "$C" 7200

jump +60
it_check "clock +60 s (A has 120 s): A is still on the tunnel" settled_listed "$A"
it_check "and live in the store" live_in_store "$A"
jump +600
it_check "clock +600 s, past A's expiry: A is gone at once" it_wait 5 gone "$A"
it_check "A is ended in the store" ended_in_store "$A"
it_check "C (2 h) is still on the tunnel" listed "$C"

it_check "authorize B for 4 s" authorize "$BK" 4
jump -3600
it_check "clock set back an hour: C is not ended by it" settled_listed "$C"
it_check "B still ends after its 4 s (monotonic), not an hour later" it_wait 15 gone "$BK"
it_check "B is ended in the store, though its wall expiry is ahead" ended_in_store "$BK"
it_check "C is still on the tunnel" listed "$C"

ip netns exec "$GW" pkill -TERM -f "kgwd -c $T/kgw.conf" || true
it_wait $((5 * KGW_WAIT_FACTOR)) sh -c "! pgrep -f 'kgwd -c $T/kgw.conf'" || true
: > "$T/kgwd.log"
it_check "kgwd restarts (clock still an hour back)" start_kgwd
it_check "it restores only C" grep -q '1 session(s) restored' "$T/kgwd.log"
it_check "C is back on the tunnel" listed "$C"
it_check "B did not come back" gone "$BK"
it_check "the store is intact" sh -c "[ \"\$(sqlite3 '$T/kgw.db' 'PRAGMA integrity_check')\" = ok ]"

it_teardown
it_check "nothing left behind" it_leftovers "$T/run/kgwd.sock"
it_done
