#!/bin/sh
# kgwctl end to end against a database in a temporary directory: init and
# the files it makes (checked with openssl and wg), every command's success
# and its errors (exit 1 for a failed operation, 2 for a bad command line),
# and --help on each. Needs no root; the ownership hand-over is checked
# only as root. Tools: oathtool, openssl, wg, python3 (for JSON).
set -u

builddir=${KGW_BUILDDIR:-$(pwd)}
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"
kgwctl=$(kgw_wrap "$builddir/tools/kgwctl")
for tool in oathtool openssl wg python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
db="$tmp/kgw.db"
k() { "$kgwctl" --db "$db" "$@"; }
failures=0 passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect STATUS COMMAND...: runs it, output in $tmp/out and $tmp/err.
expect() {
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "exit $got (want $want): $*"
		sed 's/^/    /' "$tmp/err"
		return 1
	fi
	# Every failure says why.
	if [ "$want" -ne 0 ] && [ ! -s "$tmp/err" ]; then
		bad "no error message: $*"
		return 1
	fi
	ok
}
grep_out() { grep -q -- "$1" "$tmp/out" || bad "output of the last command lacks \`$1'"; }
grep_err() { grep -q -- "$1" "$tmp/err" || bad "error of the last command lacks \`$1'"; }
json() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print($1)"; }
mode() { stat -c %a "$1"; }

# --- init -----------------------------------------------------------------
expect 1 k user list && grep_err "kgwctl init"
echo "admin-password-1" | expect 0 k init --json --admin root-admin --admin-password-stdin \
	--wg-key "$tmp/keys/wg.key" --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
	--hostname gw.test
[ "$(mode "$db")" = 600 ] || bad "database mode $(mode "$db")"
[ "$(mode "$tmp/keys/wg.key")" = 600 ] || bad "wg key mode"
[ "$(mode "$tmp/keys")" = 750 ] || bad "key directory mode $(mode "$tmp/keys")"
[ "$(mode "$tmp/tls.key")" = 600 ] || bad "tls key mode"
[ "$(mode "$tmp/tls.crt")" = 644 ] || bad "tls cert mode"
[ "$(json "d['admin_password']")" = "" ] || bad "a given password was printed"
[ "$(json "d['wireguard_public_key']")" = "$(wg pubkey <"$tmp/keys/wg.key")" ] ||
	bad "public key differs from wg pubkey's"
fp=$(openssl x509 -in "$tmp/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
[ "$(json "d['tls_fingerprint_sha256']")" = "$fp" ] || bad "fingerprint differs from openssl's"
openssl x509 -in "$tmp/tls.crt" -noout -ext subjectAltName >"$tmp/san" 2>&1
grep -q "DNS:gw.test, IP Address:127.0.0.1" "$tmp/san" || bad "SAN: $(cat "$tmp/san")"
openssl x509 -in "$tmp/tls.crt" -noout -text | grep -q "NIST CURVE: P-256" || bad "not P-256"
openssl verify -CAfile "$tmp/tls.crt" "$tmp/tls.crt" >/dev/null 2>&1 ||
	bad "certificate does not verify against itself"
# The key and the certificate belong together.
keypub=$(openssl pkey -in "$tmp/tls.key" -pubout)
[ "$keypub" = "$(openssl x509 -in "$tmp/tls.crt" -noout -pubkey)" ] ||
	bad "TLS key does not match the certificate"
expect 0 k user show root-admin && grep_out "groups:    admins"

# Existing files are not replaced without --force; with it they are.
expect 1 k init --wg-key "$tmp/keys/wg.key" --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key"
grep_err "exists (use --force"
[ "$(openssl x509 -in "$tmp/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//')" = "$fp" ] ||
	bad "a refused init changed the certificate"
expect 0 k init --force --wg-key "$tmp/keys/wg.key" --tls-cert "$tmp/tls.crt" \
	--tls-key "$tmp/tls.key" --hostname 192.0.2.1
grep_out "admin password:"
[ "$(openssl x509 -in "$tmp/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//')" != "$fp" ] ||
	bad "--force did not replace the certificate"
openssl x509 -in "$tmp/tls.crt" -noout -ext subjectAltName | grep -q "IP Address:192.0.2.1" ||
	bad "an IP host name is not an IP SAN"
expect 1 k user show root-admin		# --force started a new database
expect 2 k init --admin "bad name"
expect 1 k init --force --hostname "bad host!" --wg-key "$tmp/w2" --tls-cert "$tmp/c2" \
	--tls-key "$tmp/k2"

# Paths from a configuration file.
mkdir "$tmp/conf"
cat >"$tmp/conf/kgw.conf" <<EOC
[gateway]
private_key_file = $tmp/conf/wg.key
[portal]
tls_certificate = $tmp/conf/tls.crt
tls_key = $tmp/conf/tls.key
[store]
database = $tmp/conf/kgw.db
[auth]
otp_issuer = Example Corp
EOC
expect 0 "$kgwctl" -c "$tmp/conf/kgw.conf" init --owner root
for f in wg.key tls.crt tls.key kgw.db; do
	[ -f "$tmp/conf/$f" ] || bad "init -c did not make $f"
done
expect 0 "$kgwctl" -c "$tmp/conf/kgw.conf" user add bob --no-password
expect 0 "$kgwctl" -c "$tmp/conf/kgw.conf" otp enroll bob --no-qr
grep_out "otpauth://totp/Example%20Corp:bob?secret="
echo "[nope]" >"$tmp/conf/bad.conf"
expect 1 "$kgwctl" -c "$tmp/conf/bad.conf" user list

if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	expect 0 k init --force --owner nobody --wg-key "$tmp/keys/wg.key" \
		--tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key"
	[ "$(stat -c %U "$db")" = nobody ] || bad "database not handed to nobody"
	[ "$(stat -c %U "$tmp/tls.key")" = nobody ] || bad "TLS key not handed to nobody"
	[ "$(stat -c %U "$tmp/keys/wg.key")" = root ] || bad "WireGuard key is not root's"
	# Root using the database later leaves its files to their owner.
	expect 0 k group add later
	for f in "$db-wal" "$db-shm"; do
		[ ! -e "$f" ] || [ "$(stat -c %U "$f")" = nobody ] || bad "$f is not nobody's"
	done
	expect 1 k init --force --owner no-such-user-here --wg-key "$tmp/keys/wg.key" \
		--tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key"
fi

# A database others may read is refused.
chmod 644 "$db"
expect 1 k user list && grep_err "chmod 600"
chmod 600 "$db"

# --- users ----------------------------------------------------------------
echo "alice-password-1" | expect 0 k user add alice --password-stdin
echo "alice-password-1" | expect 1 k user add alice --password-stdin && grep_err "already exists"
echo "short" | expect 1 k user add carol --password-stdin && grep_err "at least 8"
printf '' | expect 1 k user add carol --password-stdin
expect 1 k user show carol
expect 2 k user add "bad/name" --no-password
expect 2 k user add x --password-stdin --no-password
expect 2 k user add
expect 2 k user add a b --no-password
expect 2 k user add x --bogus
expect 2 k user add x --no-password --expires tomorrow
expect 0 k user add dave --no-password --expires 2099-01-02
expect 0 k user list --json
[ "$(json "','.join(u['name'] for u in d if u['name'] in ('alice', 'dave'))")" = "alice,dave" ] ||
	bad "user list: $(cat "$tmp/out")"
[ "$(json "[u for u in d if u['name']=='dave'][0]['expires']")" = "2099-01-02T00:00:00Z" ] ||
	bad "dave's expiry"
[ "$(json "[u for u in d if u['name']=='dave'][0]['password']")" = "False" ] ||
	bad "dave has a password"
expect 0 k user disable alice
expect 0 k user show alice --json
[ "$(json "d['enabled']")" = False ] || bad "still enabled"
expect 0 k user enable alice
expect 0 k user expire alice @4102444800
expect 0 k user expire alice never
expect 2 k user expire alice 2024-13-45
expect 1 k user disable nobody-here
echo "alice-password-2" | expect 0 k user passwd alice --password-stdin
echo "alice-password-2" | expect 1 k user passwd nobody-here --password-stdin
expect 1 k user passwd alice </dev/null && grep_err "password-stdin"
expect 0 k user unlock alice

# --- groups ---------------------------------------------------------------
expect 0 k group add ops
expect 1 k group add ops
expect 2 k group add "b@d group"
expect 0 k group allow ops 10.0.0.10/32 6443,443
expect 0 k group allow ops fd00::/64 1-65535
expect 2 k group allow ops 10.0.0.1/24 443 && grep_err "not a CIDR"
expect 2 k group allow ops 10.0.0.0/24 0 && grep_err "not a port list"
expect 2 k group allow ops 10.0.0.0/24 && grep_err "missing argument"
expect 1 k group allow nope 10.0.0.0/24 443 && grep_err "no group"
expect 1 k group allow ops 10.0.0.10/32 443,6443 && grep_err "already allows"
expect 0 k user add-group alice ops
expect 1 k user add-group alice ops
expect 1 k user add-group alice nope
expect 0 k group show ops --json
[ "$(json "d['members']")" = "['alice']" ] || bad "members: $(cat "$tmp/out")"
[ "$(json "sorted(x['cidr']+' '+x['ports'] for x in d['destinations'])")" = \
  "['10.0.0.10/32 443,6443', 'fd00::/64 1-65535']" ] || bad "destinations: $(cat "$tmp/out")"
expect 0 k group list --json
[ "$(json "[(g['name'],g['members'],g['destinations']) for g in d if g['name']=='ops']")" = \
  "[('ops', 1, 2)]" ] || bad "group list: $(cat "$tmp/out")"
expect 0 k group deny ops fd00::/64
expect 1 k group deny ops fd00::/64
expect 0 k user del-group alice ops
expect 1 k user del-group alice ops
expect 0 k group del ops
expect 1 k group del ops

# --- one-time codes -------------------------------------------------------
expect 1 k otp verify alice 123456 && grep_err "no secret"
expect 0 k otp enroll alice --json
secret=$(json "d['secret']")
uri=$(json "d['uri']")
case $uri in
"otpauth://totp/kgw:alice?secret=$secret&issuer=kgw&algorithm=SHA1&digits=6&period=30") ok ;;
*) bad "uri: $uri" ;;
esac
expect 0 k user show alice && grep_out "otp:       pending"
expect 1 k otp verify alice 000000x
code=$(oathtool --totp -b "$secret")
expect 0 k otp verify alice "$code" && grep_out "now active"
expect 1 k otp verify alice "$code" && grep_err "already used"
next=$(oathtool --totp -b -N "@$(($(date +%s) + 30))" "$secret")
echo "$next" | expect 0 k otp verify alice && grep_out "matches the active secret"
far=$(oathtool --totp -b -N "@$(($(date +%s) + 600))" "$secret")
expect 1 k otp verify alice "$far"
expect 0 k otp enroll alice && grep_out "█"
# The terminal QR code, redrawn as an image, decodes to the URI printed with it.
if command -v zbarimg >/dev/null 2>&1; then
	python3 - "$tmp/out" "$tmp/qr.pbm" <<'EOPY'
import sys
cells = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
cells = [l for l in cells if l and set(l) <= set(" \u2580\u2584\u2588")]
rows = []
for l in cells:  # a drawn half is a light module
    rows.append([c in "\u2588\u2580" for c in l])
    rows.append([c in "\u2588\u2584" for c in l])
w, s = max(len(r) for r in rows), 4
with open(sys.argv[2], "w") as f:
    f.write("P1\n%d %d\n" % (w * s, len(rows) * s))
    for r in rows:
        line = " ".join("0" if i < len(r) and r[i] else "1" for i in range(w) for _ in range(s))
        f.write((line + "\n") * s)
EOPY
	[ "$(zbarimg -q --raw "$tmp/qr.pbm" 2>/dev/null)" = "$(grep '^otpauth://' "$tmp/out")" ] ||
		bad "the QR code does not decode to the URI"
else
	echo "note: zbarimg (zbar-tools) not installed; the QR code is not decoded"
fi
expect 0 k user show alice && grep_out "otp:       active+pending"
expect 1 k otp enroll nobody-here
expect 2 k otp enroll
expect 0 k otp reset alice
expect 1 k otp reset alice

# --- sessions and audit ---------------------------------------------------
expect 0 k sessions && grep_out "PUBLIC KEY"
expect 0 k sessions --all --json
[ "$(json "d")" = "[]" ] || bad "sessions: $(cat "$tmp/out")"
expect 0 k sessions list --user alice
expect 2 k sessions --user "bad name"
expect 1 k sessions revoke 0123456789abcdef0123456789abcdef
expect 2 k sessions revoke "not-an-id"
expect 0 k audit --json --limit 0
for e in user.add user.passwd user.disable user.enable user.expire group.add group.allow \
	 group.deny group.del user.add-group user.del-group otp.enroll otp.activate otp.verify \
	 otp.replay otp.reset; do
	json "[x['event'] for x in d]" | grep -q "'$e'" || bad "no audit entry $e"
done
expect 0 k audit --event otp. --json
[ "$(json "sorted(set(x['event'].split('.')[0] for x in d))")" = "['otp']" ] ||
	bad "audit --event otp."
expect 0 k audit --user alice --limit 2 --json
[ "$(json "len(d)")" = 2 ] || bad "audit --limit"
expect 2 k audit --limit x
expect 2 k audit --event "BAD EVENT"
expect 2 k audit extra

# --- deleting a user ------------------------------------------------------
expect 0 k user del alice
expect 1 k user del alice
expect 1 k user show alice

# --- the command line itself ---------------------------------------------
expect 2 "$kgwctl"
expect 2 "$kgwctl" frobnicate && grep_err "unknown command"
expect 2 "$kgwctl" --bogus
expect 2 k user
expect 2 k user frob
expect 2 "$kgwctl" --db "" user list
expect 0 "$kgwctl" --version && grep_out "kgwctl "
for cmd in "" init user "user add" "user del" "user list" "user show" "user passwd" \
	   "user disable" "user enable" "user expire" "user unlock" "user add-group" \
	   "user del-group" otp "otp enroll" "otp verify" "otp reset" group "group add" \
	   "group del" "group list" "group show" "group allow" "group deny" sessions \
	   "sessions revoke" audit; do
	# shellcheck disable=SC2086
	expect 0 "$kgwctl" $cmd --help && grep_out "Usage: kgwctl"
done

echo "$passes passed, $failures failed"
kgw_valgrind_verdict || failures=$((failures + 1))
[ "$failures" -eq 0 ]
