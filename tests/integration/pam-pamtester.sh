#!/bin/sh
# pam_kgw.so loaded by a program that is not ours: pamtester, with its
# service files taken from a temporary directory through pam_wrapper (no
# root, nothing written to /etc). The user is made with kgwctl and the codes
# with oathtool, so this is the whole path an operator's login takes.
# Under the sanitizer build the ASan runtime is preloaded first, as
# pamtester itself is not built with it.
set -u

builddir=${KGW_BUILDDIR:-$(pwd)}
module="$builddir/pam/.libs/pam_kgw.so"
. "${KGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/daemon-wrap.sh"
kgwctl=$(kgw_wrap "$builddir/tools/kgwctl")
for tool in pamtester oathtool python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
wrapper=$(for d in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib; do
	[ -e "$d/libpam_wrapper.so" ] && echo "$d/libpam_wrapper.so" && break; done)
[ -n "$wrapper" ] || { echo "SKIP: libpam_wrapper (libpam-wrapper) is not installed"; exit 77; }
[ -r "$module" ] || { echo "no module at $module"; exit 99; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
db="$tmp/kgw.db"
k() { "$kgwctl" --db "$db" "$@"; }
failures=0 passes=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }

mkdir "$tmp/pam.d"
service() {
	# service NAME OPTIONS: the default kgw stack, with extra module options.
	cat >"$tmp/pam.d/$1" <<EOS
auth     requisite  $module password db=$db $2
auth     required   $module otp db=$db $2
account  required   $module db=$db
EOS
}
service kgw-test ""
service kgw-lock "max_failures=2 lockout=600"
echo "auth required pam_deny.so" >"$tmp/pam.d/other"

# pamtester USER PASSWORD CODE OPS...: answers the prompts from stdin.
login() {
	user=$1 pw=$2 code=$3 svc=${SVC:-kgw-test}
	shift 3
	printf '%s\n%s\n' "$pw" "$code" |
		PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
		LD_PRELOAD="${KGW_ASAN_PRELOAD:+$KGW_ASAN_PRELOAD }$wrapper" \
		ASAN_OPTIONS=detect_leaks=0 \
		pamtester -v "$svc" "$user" "$@" >"$tmp/out" 2>&1
}
# expect_login ok|fail USER PASSWORD CODE [TEXT] [OPS...]
expect_login() {
	want=$1 user=$2 pw=$3 code=$4 text=${5:-}
	shift 4
	[ $# -gt 0 ] && shift
	login "$user" "$pw" "$code" "${@:-authenticate}"
	rc=$?
	if { [ "$want" = ok ] && [ $rc -ne 0 ]; } || { [ "$want" = fail ] && [ $rc -eq 0 ]; }; then
		bad "login $user: want $want, got exit $rc"
		sed 's/^/    /' "$tmp/out"
	elif [ -n "$text" ] && ! grep -q "$text" "$tmp/out"; then
		bad "login $user: no \`$text' in: $(cat "$tmp/out")"
	else
		passes=$((passes + 1))
	fi
}
code_at() { oathtool --totp -b -N "@$(($(date +%s) + $2))" "$1"; }
audit_has() {
	k audit --json --limit 0 --user "$1" | python3 -c "
import json, sys
entries = json.load(sys.stdin)
sys.exit(0 if any(e['event'] == '$2' and e['actor'] == 'pam' for e in entries) else 1)" ||
		bad "no audit entry $2 for $1"
}

k init --wg-key "$tmp/wg.key" --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
	>/dev/null 2>&1 || { echo "kgwctl init failed"; exit 99; }
enrol() {
	# enrol USER PASSWORD: prints the user's active secret; the step before now is spent.
	echo "$2" | k user add "$1" --password-stdin >/dev/null || exit 99
	s=$(k otp enroll "$1" --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
	k otp verify "$1" "$(code_at "$s" -30)" >/dev/null || exit 99
	echo "$s"
}
alice=$(enrol alice alice-password-1)
bob=$(enrol bob bob-password-1)
carol=$(enrol carol carol-password-1)

# Success, both operations, and the prompts pam_kgw sends.
code=$(code_at "$alice" 0)
expect_login ok alice alice-password-1 "$code" "Verification code:" authenticate acct_mgmt
grep -q "Password: " "$tmp/out" || bad "no Password prompt"
audit_has alice auth.ok
# The same code again: a replay.
expect_login fail alice alice-password-1 "$code" "Authentication failure"
audit_has alice otp.replay
# A fresh code from the next step works once more.
expect_login ok alice alice-password-1 "$(code_at "$alice" 30)"
# Wrong password, wrong code, a code from outside the window.
expect_login fail alice alice-password-2 "$(code_at "$alice" 0)" "Authentication failure"
audit_has alice auth.fail
expect_login fail alice alice-password-1 "$(code_at "$alice" -300)" "Authentication failure"
# Unknown user: the same failure as a wrong password.
expect_login fail mallory alice-password-1 123456 "Authentication failure"
# Disabled: the right credentials pass authentication; the account step refuses.
k user disable carol
expect_login fail carol carol-password-1 "$(code_at "$carol" 0)" "Permission denied" \
	authenticate acct_mgmt
# Locked after two failures: then even the right password and code are refused.
SVC=kgw-lock expect_login fail bob wrong-password-1 000000
SVC=kgw-lock expect_login fail bob wrong-password-2 000000
SVC=kgw-lock expect_login fail bob bob-password-1 "$(code_at "$bob" 0)" "maximum number of retries"
audit_has bob auth.lockout
audit_has bob auth.locked
k user unlock bob
SVC=kgw-lock expect_login ok bob bob-password-1 "$(code_at "$bob" 0)"

echo "$passes passed, $failures failed"
kgw_valgrind_verdict || failures=$((failures + 1))
[ "$failures" -eq 0 ]
