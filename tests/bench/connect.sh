#!/bin/sh
# The operator's side of the gateway, timed: run by `make bench' (as root),
# never by `make check'. Prints
#   - connect latency: `kgw-client connect' start to the first byte of the
#     API's answer through the new tunnel (curl), median of ROUNDS runs,
#     with the login (POST /api/v1/sessions) alone beside it;
#   - completed logins per second: LOGINS users log in at once, CONCURRENCY
#     at a time, each from an address of its own (as operators would), with
#     password (Argon2id) and TOTP through PAM; all must succeed.
#
#   op 198.51.100.10 (+ one address per client) ── 198.51.100.1 gw (kgwd, kgw-portal) 10.0.0.1 ── api 10.0.0.10:6443
#
# Environment: ROUNDS (default 9), LOGINS (default 64), CONCURRENCY
# (default 16), WORKERS (kgw-portal's PAM workers, default 4).
IT_NAME=bench-connect
IT_NO_PLAN=1	# prints figures; no checks to complete
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/gateway.sh"
it_skip_unless_root curl oathtool openssl jq wg
gw_programs portal/kgw-portal client/kgw-client pam/.libs/pam_kgw.so
ROUNDS=${ROUNDS:-9}; LOGINS=${LOGINS:-64}; CONCURRENCY=${CONCURRENCY:-16}; WORKERS=${WORKERS:-4}
T=$IT_TMP; chmod 0755 "$T"
OP=kgwbo$IT_TAG; GW=kgwbg$IT_TAG; API=kgwba$IT_TAG; PAMSVC=kgw-bench-$IT_TAG
trap 'rc=$?; gw_cleanup; it_cleanup $rc' EXIT INT TERM

it_netns "$OP" "$GW" "$API"
ip link add eth0 netns "$OP" type veth peer name op0 netns "$GW"
ip link add eth1 netns "$GW" type veth peer name eth0 netns "$API"
for l in "$OP eth0" "$GW op0" "$GW eth1" "$API eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$OP" addr add 198.51.100.10/24 dev eth0
ip -n "$GW" addr add 198.51.100.1/24 dev op0
ip -n "$GW" addr add 10.0.0.1/24 dev eth1
ip -n "$API" addr add 10.0.0.10/24 dev eth0; ip -n "$API" route add default via 10.0.0.1
i=0; while [ $i -lt "$CONCURRENCY" ]; do
	ip -n "$OP" addr add "198.51.100.$((100 + i))/24" dev eth0; i=$((i + 1))
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=api \
	-addext subjectAltName=IP:10.0.0.10 -keyout "$T/api.key" -out "$T/api.crt" >/dev/null 2>&1
chmod 0644 "$T/api.key"
it_bg ip netns exec "$API" python3 "$(it_srcdir)/tests/integration/api-standin.py" 10.0.0.10 6443 \
	"$T/api.crt" "$T/api.key"

cat > "$T/kgw.conf" <<CONF
[gateway]
interface = kgwb$IT_TAG
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
session_ttl = 600
[portal]
auth_listen = 198.51.100.1:4443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
workers = $WORKERS
[store]
database = $T/kgw.db
[log]
level = warning
syslog = false
CONF
mkdir -p "$T/run"; chown kgw:kgw "$T/run"
echo 'admin-pw-1234' | ctl init --hostname gw --admin-password-stdin >/dev/null
ctl group add ops >/dev/null
ctl group allow ops 10.0.0.10/32 6443 >/dev/null
# u0.. for the latency runs, then one fresh user per login (codes are single use).
USERS=$((ROUNDS + LOGINS))
echo "# setting up $USERS users (Argon2id hashes, TOTP secrets)"
i=0; while [ $i -lt "$USERS" ]; do
	echo "password-$i" | ctl user add "u$i" --password-stdin >/dev/null
	ctl user add-group "u$i" ops >/dev/null
	s=$(ctl otp enroll "u$i" --json | jq -r .secret)
	echo "$s" > "$T/secret.$i"
	ctl otp verify "u$i" "$(oathtool --totp -b "$s")" >/dev/null
	i=$((i + 1))
done
# Each user's verify used the current step: logins take the next one.
gw_pam "$PAMSVC" "$T/kgw.db"
gw_start_kgwd "$GW" || { echo "kgwd did not start"; exit 1; }
# At log level warning the portal does not say it serves: wait for its socket.
it_bg ip netns exec "$GW" "$PORTAL_BIN" -c "$T/kgw.conf" -f --data-dir "$(it_srcdir)/portal/templates" \
	>"$T/portal.log" 2>&1
it_wait 10 ip netns exec "$GW" sh -c "ss -ltn | grep -q '198.51.100.1:4443 '"
PIN=$(openssl x509 -in "$T/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
step=$(( $(date +%s) / 30 ))
while [ $(( $(date +%s) / 30 )) -le "$step" ]; do sleep 1; done

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "# connect latency: $ROUNDS runs of kgw-client connect + curl /version, one user each"
KC="$B/client/kgw-client"
i=0; while [ $i -lt "$ROUNDS" ]; do
	prof="$T/p$i.conf"
	ip netns exec "$OP" env XDG_CONFIG_HOME="$T/xdg" "$KC" init --profile "$prof" \
		--gateway 198.51.100.1:4443 --pin "$PIN" --user "u$i" --interface "kgbc$IT_TAG" >/dev/null
	code=$(oathtool --totp -b "$(cat "$T/secret.$i")")
	t0=$(ms)
	echo "password-$i" | ip netns exec "$OP" env XDG_CONFIG_HOME="$T/xdg" "$KC" connect --profile "$prof" \
		--password-stdin --otp "$code" >/dev/null || { echo "connect $i failed"; exit 1; }
	t1=$(ms)
	until ip netns exec "$OP" curl -s --cacert "$T/api.crt" --max-time 1 -o /dev/null \
		https://10.0.0.10:6443/version; do
		[ $(( $(ms) - t0 )) -lt 10000 ] || { echo "no answer through the tunnel $i"; exit 1; }
	done
	t2=$(ms)
	echo "$((t1 - t0)) $((t2 - t0))" >> "$T/latency"
	ip netns exec "$OP" env XDG_CONFIG_HOME="$T/xdg" "$KC" disconnect --profile "$prof" >/dev/null
	i=$((i + 1))
done
echo "  connect (login + tunnel up): median $(cut -d' ' -f1 "$T/latency" | median) ms"
echo "  connect to first byte from the API: median $(cut -d' ' -f2 "$T/latency" | median) ms"
echo "  raw (ms, connect / first byte): $(tr '\n' ',' < "$T/latency" | sed 's/,$//; s/,/; /g')"

echo "# logins: $LOGINS users at once, $CONCURRENCY in parallel, $WORKERS PAM workers"
i=0; while [ $i -lt "$LOGINS" ]; do
	u=$((ROUNDS + i))
	key=$(wg genkey | wg pubkey)
	code=$(oathtool --totp -b "$(cat "$T/secret.$u")")
	printf '{"user":"u%d","password":"password-%d","otp":"%s","public_key":"%s"}' \
		"$u" "$u" "$code" "$key" > "$T/body.$i"
	echo "$i 198.51.100.$((100 + i % CONCURRENCY))" >> "$T/jobs"
	i=$((i + 1))
done
cat > "$T/login.sh" <<SH
#!/bin/sh
curl -sk --interface "\$2" --max-time 60 -o /dev/null -w '%{http_code}\n' \
	-H 'Content-Type: application/json' --data-binary @$T/body.\$1 https://198.51.100.1:4443/api/v1/sessions
SH
chmod 0755 "$T/login.sh"
t0=$(ms)
ip netns exec "$OP" xargs -P "$CONCURRENCY" -L 1 "$T/login.sh" < "$T/jobs" > "$T/codes"
t1=$(ms)
ok=$(grep -c '^20[01]$' "$T/codes" || true)
echo "  $ok of $LOGINS logins completed in $((t1 - t0)) ms: $(awk -v n="$ok" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f", n * 1000 / t }') logins/s"
[ "$ok" = "$LOGINS" ] || { echo "  status codes: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"; exit 1; }
