#!/bin/sh
# Abuse of kgwd's WireGuard port (userspace engine):
#
#  op 203.0.113.20 (wireguard-go, a real session) ──┐
#                                                   203.0.113.10 gw (kgwd) 10.0.0.1 ── 10.0.0.10:6443 api
#  flood 198.18.0.1 ... 198.18.0.100 (wg-flood.py) ─┘ 198.18.255.254
#
# A flood of handshake initiations with a valid mac1 from 100 addresses
# puts the responder under load: it answers with cookie replies (counted by
# kgwd's stats op, and received by the flooder), while the operator's
# wireguard-go still completes its handshake and reaches the API. Then a
# flood of malformed packets: dropped and counted, the tunnel keeps
# working. kgwd's VmRSS is printed before and after; only behaviour is
# asserted (memory stays bounded: the handshake queue is sized at start).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root wireguard-go wg jq nc python3
gw_programs
S=$(it_srcdir)
T=$IT_TMP; chmod 0755 "$T"
OP=kgwwo$IT_TAG; GW=kgwwg$IT_TAG; API=kgwwa$IT_TAG; FL=kgwwf$IT_TAG
TUN=kgf$IT_TAG; CLI=kcf$IT_TAG
trap 'rc=$?; gw_cleanup; it_cleanup $rc' EXIT INT TERM

it_netns "$OP" "$GW" "$API" "$FL"
ip link add eth0 netns "$OP" type veth peer name eth0 netns "$GW"
ip link add eth1 netns "$GW" type veth peer name eth0 netns "$API"
ip link add eth2 netns "$GW" type veth peer name eth0 netns "$FL"
for l in "$OP eth0" "$GW eth0" "$GW eth1" "$GW eth2" "$API eth0" "$FL eth0"; do
	set -- $l; ip -n "$1" link set "$2" up
done
ip -n "$OP" addr add 203.0.113.20/24 dev eth0
ip -n "$GW" addr add 203.0.113.10/24 dev eth0; ip -n "$GW" addr add 10.0.0.1/24 dev eth1
ip -n "$GW" addr add 198.18.255.254/16 dev eth2
ip -n "$API" addr add 10.0.0.10/24 dev eth0; ip -n "$API" route add default via 10.0.0.1
SRCS=""; i=1
while [ $i -le 100 ]; do
	ip -n "$FL" addr add "198.18.0.$i/16" dev eth0; SRCS="$SRCS 198.18.0.$i"; i=$((i + 1))
done
ip -n "$FL" route add 203.0.113.0/24 via 198.18.255.254
it_bg ip netns exec "$API" sh -c 'while :; do echo api | nc -l -p 6443 -q 0 >/dev/null 2>&1; done'

cat > "$T/kgw.conf" <<CONF
[gateway]
interface = $TUN
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
it_check "kgwd starts" gw_start_kgwd "$GW"
ctlsock() { printf '%s\n' "$1" | ip netns exec "$GW" nc -U -q 1 "$T/run/kgwd.sock"; }
stat_of() { ctlsock '{"op":"stats"}' | jq -se ".[0].stats.device.$1"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$KGWD/status"; }

wg genkey > "$T/op.key"; OPPUB=$(wg pubkey < "$T/op.key")
ctlsock "{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"$OPPUB\",\"ttl\":600,\"token_hash\":\"$(printf x | sha256sum | cut -c1-64)\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}" > "$T/auth.json"
it_check "the operator's session is authorized" jq -se '.[0].ok == true' "$T/auth.json"
ADDR=$(jq -r .session.address "$T/auth.json"); GWPUB=$(jq -r .session.gateway_public_key "$T/auth.json")
it_check "kgwd's stats op has the engine's counters" sh -c "ctlsock() { printf '%s\n' \"\$1\" | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock; }; ctlsock '{\"op\":\"stats\"}' | jq -se '.[0].stats.device.rx_cookie_sent == 0'"
RSS0=$(rss)

# ---- a handshake flood from 100 addresses ----
it_bg ip netns exec "$FL" env FLOOD_STOP="$T/stop" FLOOD_SECONDS=60 \
	python3 "$S/tests/integration/wg-flood.py" init "$GWPUB" 203.0.113.10 51820 $SRCS > "$T/flood.out"
FLOOD=$(echo $IT_PIDS | awk '{ print $NF }')
it_check "under the flood kgwd switches to cookie replies" it_wait 30 sh -c \
	"[ \"\$(printf '{\"op\":\"stats\"}\n' | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock | jq -s '.[0].stats.device.rx_cookie_sent')\" -gt 0 ]"
GRACED0=$(stat_of rx_graced)
it_bg ip netns exec "$OP" env WG_PROCESS_FOREGROUND=1 wireguard-go "$CLI" >"$T/wgo.log" 2>&1
it_wait 5 test -S "/var/run/wireguard/$CLI.sock"
ip netns exec "$OP" wg set "$CLI" private-key "$T/op.key" peer "$GWPUB" endpoint 203.0.113.10:51820 \
	allowed-ips 10.0.0.10/32
ip -n "$OP" addr add "$ADDR" dev "$CLI"; ip -n "$OP" link set "$CLI" up
ip -n "$OP" route add 10.0.0.10/32 dev "$CLI"
through() { ip netns exec "$OP" nc -z -w 2 10.0.0.10 6443; }
# Under valgrind kgwd answers some fifty times slower while the flood
# keeps its pace: that a real peer gets through the flood says nothing
# then (here it had not in 8 minutes). The peer must still connect
# once the flood is over; the cookies and malformed packets are checked.
if [ "${KGW_VALGRIND:-0}" = 1 ]; then
	echo "# SKIP under valgrind: a real peer's handshake during the flood (kgwd under memcheck cannot keep up with it)"
	touch "$T/stop"; wait "$FLOOD" 2>/dev/null || true
	it_check "wireguard-go completes its handshake and reaches the API after the flood" \
		it_wait $((60 * KGW_WAIT_FACTOR)) through
else
	it_check "wireguard-go completes its handshake and reaches the API during the flood" it_wait 60 through
	it_check "the flood was still running then" test ! -e "$T/stop" -a -d "/proc/$FLOOD"
	# The flood's sources are never silent, so the only new grace is the
	# operator's: its first initiation was answered without a cookie round
	# (which costs a real initiator REKEY_TIMEOUT, 5 s; tests/bench/flood.sh
	# times it).
	GRACED1=$(stat_of rx_graced)
	it_check "the operator's initiation was served without a cookie round (grace $GRACED0 -> $GRACED1)" \
		test "$GRACED1" -gt "$GRACED0"
	touch "$T/stop"; wait "$FLOOD" 2>/dev/null || true
fi
# ASan keeps freed memory in its quarantine (256 MB) on purpose, and
# valgrind's VmRSS is mostly its own (shadow memory, translations), so the
# bound means something only in a normal build; the others print the figures.
bounded() {	# bounded RSS_BEFORE RSS_AFTER
	if grep -qa __asan_init "$B/gateway/kgwd"; then
		echo "# kgwd's memory: not bounded-checked under ASan (grew $(($2 - $1)) kB)"
	elif [ "${KGW_VALGRIND:-0}" = 1 ]; then
		echo "# kgwd's memory: not bounded-checked under valgrind (grew $(($2 - $1)) kB)"
	else
		it_check "kgwd's memory stayed bounded (grew by less than 32 MB)" test $(($2 - $1)) -lt 32768
	fi
}
RSS1=$(rss)
echo "# flood: $(cat "$T/flood.out"); kgwd: cookie replies $(stat_of rx_cookie_sent), graced $(stat_of rx_graced), rate-limited $(stat_of rx_ratelimited), bad handshakes $(stat_of rx_bad_handshake), completed $(stat_of handshakes_completed)"
echo "# kgwd VmRSS: ${RSS0} kB before, ${RSS1} kB after the flood"
it_check "the flooder received cookie replies" sh -c "sed 's/.*cookies=//' '$T/flood.out' | awk '{ exit !(\$1 > 0) }'"
bounded "$RSS0" "$RSS1"

# ---- malformed packets ----
BAD0=$(( $(stat_of rx_bad_type) + $(stat_of rx_bad_length) ))
rm -f "$T/stop"
ip netns exec "$FL" env FLOOD_SECONDS=5 python3 "$S/tests/integration/wg-flood.py" junk - 203.0.113.10 51820 $SRCS > "$T/junk.out"
BAD1=$(( $(stat_of rx_bad_type) + $(stat_of rx_bad_length) ))
RSS2=$(rss)
echo "# junk: $(cat "$T/junk.out"); kgwd counted $((BAD1 - BAD0)) malformed; VmRSS ${RSS2} kB"
it_check "malformed packets are dropped and counted ($((BAD1 - BAD0)))" test "$BAD1" -gt "$BAD0"
it_check "the tunnel still carries traffic" it_wait 20 through
it_check "kgwd is still running" kill -0 "$KGWD"
bounded "$RSS0" "$RSS2"

it_teardown
it_check "nothing left behind" it_leftovers "/var/run/wireguard/$CLI.sock" "$T/run/kgwd.sock"
it_done
