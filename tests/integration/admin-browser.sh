#!/bin/sh
# The admin web portal in a real browser (chromium, driven by playwright-core
# from npm), end to end, in namespaces:
#
#  op 198.51.100.10 ── 198.51.100.1 gw (kgwd, kgw-portal) 10.0.0.1 ── api 10.0.0.10:6443
#  (kgw-client)                    admin UI on 127.0.0.1:8443 in gw,
#                                  reached by chromium running in gw
#
# The admin logs in (password + oathtool code), adds a user, puts it in a
# group, enrols its one-time code from the page (QR decoded with zbarimg,
# first code from oathtool); the user connects with kgw-client and reaches
# the API stand-in; the admin sees the live session and revokes it, and the
# user's traffic stops. curl checks the security headers, the cookie flags
# and that a POST without the CSRF token is refused. Screenshots of every
# page are left in tests/integration/admin-artifacts/ in the build tree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway.sh"
it_skip_unless_root wireguard-go wg curl oathtool openssl jq node npm zbarimg
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium is not installed"; exit 77; }
gw_programs portal/kgw-portal client/kgw-client pam/.libs/pam_kgw.so
S=$(it_srcdir)

T=$IT_TMP; chmod 0755 "$T"
OP=kgbop$IT_TAG; GW=kgbgw$IT_TAG; API=kgbap$IT_TAG
TUN=kgb$IT_TAG; KCI=kbc$IT_TAG; PAMSVC=kgw-adm-$IT_TAG
ART=$B/tests/integration/admin-artifacts; PW=$B/tests/integration/admin-node
rm -rf "$ART"; mkdir -p "$ART"; chmod 0700 "$ART"
cleanup_extra() {
	rm -f "$ART/browser-state.json" "$ART/user-secret"
	gw_cleanup
}
# it_cleanup exits with the status it finds in $?: hand it the test's own.
trap 'rc=$?; cleanup_extra; (exit $rc); it_cleanup' EXIT INT TERM

# playwright-core drives the Debian chromium; it downloads no browser of its own.
if [ ! -d "$PW/node_modules/playwright-core" ]; then
	mkdir -p "$PW"
	it_check "npm install playwright-core" sh -c "cd '$PW' && npm install --no-audit --no-fund --silent playwright-core"
fi

it_netns "$OP" "$GW" "$API"
link() {	# link NS1 IF1 NS2 IF2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}
link "$OP" eth0 "$GW" eth0
link "$GW" eth1 "$API" eth0
ip -n "$OP" addr add 198.51.100.10/24 dev eth0
ip -n "$GW" addr add 198.51.100.1/24 dev eth0
ip -n "$GW" addr add 10.0.0.1/24 dev eth1
ip -n "$API" addr add 10.0.0.10/24 dev eth0; ip -n "$API" route add default via 10.0.0.1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=api \
	-addext subjectAltName=IP:10.0.0.10 -keyout "$T/api.key" -out "$T/api.crt" >/dev/null 2>&1
chmod 0644 "$T/api.key"
it_bg ip netns exec "$API" python3 "$S/tests/integration/api-standin.py" 10.0.0.10 6443 \
	"$T/api.crt" "$T/api.key"

cat > "$T/kgw.conf" <<CONF
[gateway]
interface = $TUN
backend = userspace
listen_port = 51820
private_key_file = $T/wg.key
control_socket = $T/run/kgwd.sock
session_ttl = 600
[portal]
auth_listen = 198.51.100.1:4443
admin_listen = 127.0.0.1:8443
tls_certificate = $T/tls.crt
tls_key = $T/tls.key
pam_service = $PAMSVC
admin_pam_service = $PAMSVC
[store]
database = $T/kgw.db
[log]
level = info
syslog = false
CONF
mkdir -p "$T/run"; chown kgw:kgw "$T/run"
it_check "kgwctl init (database, keys, certificate, admin in group admins)" sh -c \
	"echo 'admin-pw-1234' | '$KGWCTL_BIN' -c '$T/kgw.conf' init --hostname gw --admin-password-stdin"
ADMIN_SECRET=$(ctl otp enroll admin --json | jq -r .secret)
it_check "the admin's one-time code is active" ctl otp verify admin "$(oathtool --totp -b "$ADMIN_SECRET")"
ADMIN_STEP=$(( $(date +%s) / 30 ))
ctl group add k8s >/dev/null
ctl group allow k8s 10.0.0.10/32 6443 >/dev/null
echo 'bob-pw-12345' | ctl user add bob --password-stdin >/dev/null	# a user, not an admin
BOB_SECRET=$(ctl otp enroll bob --json | jq -r .secret)
ctl otp verify bob "$(oathtool --totp -b "$BOB_SECRET")" >/dev/null
gw_pam "$PAMSVC" "$T/kgw.db"

it_check "kgwd starts" gw_start_kgwd "$GW"
it_bg ip netns exec "$GW" "$PORTAL_BIN" -c "$T/kgw.conf" -f --data-dir "$S/portal/templates" \
	>"$T/portal.log" 2>&1
PORTAL_PID=$!
it_check "kgw-portal serves the admin UI on the management address" \
	it_wait $((10 * KGW_WAIT_FACTOR)) ip netns exec "$GW" sh -c "ss -ltn | grep -q '127.0.0.1:8443 '"
it_check_not "the admin UI is not reachable from outside the gateway" \
	ip netns exec "$OP" curl -sk --max-time 2 -o /dev/null https://198.51.100.1:8443/login

# ---- headers, cookies and CSRF, with curl ----
U=https://127.0.0.1:8443
gwcurl() { ip netns exec "$GW" curl -sk --max-time 20 "$@"; }
gwcurl -D "$T/login.h" -o "$T/login.html" -c "$T/jar" "$U/login"
it_check "every page has a strict CSP: no script, no inline style, no framing" grep -qi \
	"^content-security-policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" "$T/login.h"
it_check "pages are Cache-Control: no-store" grep -qi '^cache-control: no-store' "$T/login.h"
it_check "the page has no inline script or style" sh -c "! grep -qiE '<script|style=|<style' '$T/login.html'"
it_check "the login form's token cookie is Secure, HttpOnly, SameSite=Strict" \
	grep -qiE '^set-cookie: kgw_login=[^;]+; Path=/login; Max-Age=[0-9]+; Secure; HttpOnly; SameSite=Strict' "$T/login.h"
status=$(gwcurl -o /dev/null -w '%{http_code}' -b "$T/jar" --data "user=admin&password=x&otp=123456" "$U/login")
it_check "a login POST without the form's CSRF token is refused (403, got $status)" test "$status" = 403
LT=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/login.html")
status=$(gwcurl -o "$T/r.html" -w '%{http_code}' -b "$T/jar" -c "$T/jar" --data "csrf=$LT&user=bob&password=bob-pw-12345&otp=$(oathtool --totp -b "$BOB_SECRET" -N 'now + 30 seconds')" "$U/login")
it_check "a user who is not in group admins cannot log in (403, got $status)" test "$status" = 403
status=$(gwcurl -o /dev/null -w '%{http_code}' "$U/users")
it_check "without a session a page redirects to the login (303, got $status)" test "$status" = 303
it_check "the style sheet is served as a file" sh -c "ip netns exec $GW curl -sk -D - -o /dev/null $U/style.css | grep -qi '^content-type: text/css'"

# ---- the browser: log in, add carol, enrol her code ----
bro() {	# bro PHASE: the node script in the gateway namespace; its checks become ours
	ip netns exec "$GW" env URL="$U" ADMIN_USER=admin ADMIN_PASSWORD=admin-pw-1234 \
		ADMIN_SECRET="$ADMIN_SECRET" NEW_USER=carol NEW_PASSWORD=carol-pw-5678 GROUP=k8s \
		ARTIFACTS="$ART" PW_DIR="$PW" HOME="$T" WAIT_FACTOR="$KGW_WAIT_FACTOR" node "$S/tests/integration/admin-browser.mjs" "$1" \
		>"$T/node-$1.out" 2>&1 || true
	while IFS= read -r line; do
		case $line in
		"ok "*) it_ok "browser: ${line#ok * - }" ;;
		"not ok "*) it_fail "browser: ${line#not ok * - }" ;;
		*) echo "# $line" ;;
		esac
	done < "$T/node-$1.out"
	grep -q "^# $1: [0-9]* passed" "$T/node-$1.out" || it_fail "browser: the $1 phase finished"
}
# Codes are single use: the browser's login needs a newer one than kgwctl's.
while [ $(( $(date +%s) / 30 )) -le "$ADMIN_STEP" ]; do sleep 1; done
bro enrol
STEP_USED=$(( $(date +%s) / 30 ))
CAROL_SECRET=$(cat "$ART/user-secret" 2>/dev/null || true)
COOKIE=$(jq -r '.cookies[] | select(.name == "kgw_admin") | .value' "$ART/browser-state.json" 2>/dev/null || true)
it_check "the browser got an admin session cookie" test -n "$COOKIE"
it_check "the session cookie is Secure, HttpOnly and SameSite=Strict" sh -c \
	"jq -e '.cookies[] | select(.name == \"kgw_admin\") | .secure and .httpOnly and .sameSite == \"Strict\"' '$ART/browser-state.json'"
it_check "the store has carol in group k8s with an active code" sh -c \
	"'$KGWCTL_BIN' -c '$T/kgw.conf' user list | grep -E '^carol +yes +active +no +k8s'"

status=$(gwcurl -o /dev/null -w '%{http_code}' -H "Cookie: kgw_admin=$COOKIE" --data "action=delete&name=carol" "$U/users")
it_check "a state change without the CSRF token is refused (403, got $status)" test "$status" = 403
status=$(gwcurl -o /dev/null -w '%{http_code}' -H "Cookie: kgw_admin=$COOKIE" --data "csrf=forged&action=delete&name=carol" "$U/users")
it_check "and with a wrong one (403, got $status)" test "$status" = 403
it_check "carol still exists" sh -c "'$KGWCTL_BIN' -c '$T/kgw.conf' user list | grep -q '^carol '"
gwcurl -D "$T/users.h" -o "$T/users.html" -H "Cookie: kgw_admin=$COOKIE" "$U/users?q=%3Cscript%3Ex"
it_check "a logged-in page with user data is no-store" grep -qi '^cache-control: no-store' "$T/users.h"
it_check "values are HTML-escaped on output (the search box)" sh -c \
	"grep -q 'value=\"&lt;script&gt;x\"' '$T/users.html' && ! grep -q '<script>x' '$T/users.html'"

# ---- carol connects with kgw-client ----
# Its own state directory: other tests (and other runs) use the same profile names.
KC=$(kgw_wrap "$B/client/kgw-client"); PROF="$T/carol.conf"; export KGW_CLIENT_STATE_DIR="$T/client-state"
PIN=$(openssl x509 -in "$T/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
inop() { ip netns exec "$OP" env XDG_CONFIG_HOME="$T/xdg" "$@"; }
it_check "kgw-client init for carol" inop "$KC" init --profile "$PROF" --gateway 198.51.100.1:4443 \
	--pin "$PIN" --user carol --interface "$KCI"
# Codes are single use: wait for a time step after the one the enrolment used.
while [ $(( $(date +%s) / 30 )) -le "$STEP_USED" ]; do sleep 1; done
it_check "carol connects with kgw-client (password and her new one-time code)" sh -c \
	"echo 'carol-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $(oathtool --totp -b "$CAROL_SECRET")"
it_check "through the tunnel carol reaches the API stand-in" \
	it_wait 10 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/version

# ---- the admin revokes carol's session ----
# 60 audit entries for a user `pager', for the browser to page through.
i=1; while [ $i -le 60 ]; do
	echo "INSERT INTO audit (time, actor, event, user, source, detail) VALUES ($(date +%s), 'test', 'test.fill', 'pager', '', 'fill $i');"
	i=$((i + 1))
done | sqlite3 "$T/kgw.db"
bro revoke
STEP_USED=$(( $(date +%s) / 30 ))
it_check_not "after the revoke carol's traffic stops (curl through the tunnel, 1 s)" \
	ip netns exec "$OP" curl -sk --max-time 1 -o /dev/null https://10.0.0.10:6443/version
it_check "kgwd has no session left" sh -c \
	"printf '{\"op\":\"list\"}\n' | ip netns exec $GW nc -U -q 1 $T/run/kgwd.sock | jq -e '.sessions | length == 0'"
# ---- disabling a user cuts their live session too ----
it_check "kgw-client disconnect (its session was revoked under it)" inop "$KC" disconnect --profile "$PROF"
while [ $(( $(date +%s) / 30 )) -le "$STEP_USED" ]; do sleep 1; done
it_check "carol connects again" sh -c \
	"echo 'carol-pw-5678' | ip netns exec $OP env XDG_CONFIG_HOME=$T/xdg $KC connect --profile $PROF --password-stdin --otp $(oathtool --totp -b "$CAROL_SECRET")"
it_check "and reaches the API again" \
	it_wait 10 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/version
CSRF=$(gwcurl -H "Cookie: kgw_admin=$COOKIE" "$U/user?name=carol" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
status=$(gwcurl -o "$T/disable.html" -w '%{http_code}' -H "Cookie: kgw_admin=$COOKIE" \
	--data "csrf=$CSRF&name=carol&action=disable" "$U/users")
it_check "the admin disables carol (with the page's CSRF token: $status)" sh -c \
	"[ '$status' = 200 ] && grep -q '1 live session(s) revoked' '$T/disable.html'"
it_check_not "a disabled user's traffic stops at once" \
	ip netns exec "$OP" curl -sk --max-time 1 -o /dev/null https://10.0.0.10:6443/version
bro logout

it_check "every admin action is in the store's audit log with the admin as actor" sh -c \
	"'$KGWCTL_BIN' -c '$T/kgw.conf' audit --limit=0 --json | jq -e '[.[] | select(.actor == \"admin\") | .event] as \$e |
	 [\"admin.login.ok\", \"admin.user.add.ok\", \"admin.user.group-add.ok\", \"admin.otp.enrol.ok\",
	  \"admin.otp.verify.ok\", \"admin.session.revoke.ok\", \"admin.csrf.denied\", \"admin.user.disable.ok\",
	  \"admin.logout.ok\"] | all(. as \$x | \$e | index(\$x))'"
for p in 01-login 02-dashboard 03-users 04-user 05-otp-enrol 07-groups 08-sessions 09-revoked 10-audit \
	11-user-disabled; do
	it_check "screenshot $p.png saved" test -s "$ART/$p.png"
done
inop "$KC" disconnect --profile "$PROF" >/dev/null 2>&1 || true

# A clean stop; under the sanitizers, also no leak and no memory error.
kill "$PORTAL_PID"; wait "$PORTAL_PID" && prc=0 || prc=$?
it_check "kgw-portal stops cleanly on SIGTERM (exit $prc)" test "$prc" = 0
it_check_not "kgw-portal's log has no sanitizer report" grep -E 'Sanitizer|runtime error' "$T/portal.log"
it_teardown
it_check "nothing left behind" it_leftovers "$T/run/kgwd.sock"
it_done
