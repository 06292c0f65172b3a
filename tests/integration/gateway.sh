# What the tests that run a gateway of their own (kgwd, kgw-portal and
# pam_kgw.so in network namespaces) share. Sourced after lib.sh, once T is
# the test's directory; the configuration is $T/kgw.conf, written by the
# test itself (each test's differs, and is easier read where it is used).

# gw_programs [FILE...]: exits 99 unless kgwd, kgwctl and each FILE (under
# the build directory) are built; KGWD_BIN, PORTAL_BIN and KGWCTL_BIN are
# the programs (under valgrind when asked: daemon-wrap.sh). Makes the
# system user kgw the daemons drop to.
gw_programs() {
	B=$(it_builddir)
	for bin in gateway/kgwd tools/kgwctl "$@"; do
		[ -e "$B/$bin" ] || { echo "not built: $B/$bin"; exit 99; }
	done
	KGWD_BIN=$(kgw_wrap "$B/gateway/kgwd")
	PORTAL_BIN=$(kgw_wrap "$B/portal/kgw-portal")
	KGWCTL_BIN=$(kgw_wrap "$B/tools/kgwctl")
	getent passwd kgw >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin kgw
}

ctl() { "$KGWCTL_BIN" -c "$T/kgw.conf" "$@"; }

# gw_store [GROUP]: the store, the gateway key and certificate (kgwctl
# init; the admin's password is admin-pw-1234), kgwd's run directory, and
# alice (password alice-pw-5678) in GROUP (ops by default), which may
# reach 10.0.0.10 port 6443.
gw_store() {
	# Owned by kgw, as /run/kgw is, so kgwd can remove its socket.
	mkdir -p "$T/run"; chown kgw:kgw "$T/run"
	echo 'admin-pw-1234' | ctl init --hostname gw --admin-password-stdin >/dev/null || return 1
	echo 'alice-pw-5678' | ctl user add alice --password-stdin >/dev/null &&
	ctl group add "${1:-ops}" >/dev/null &&
	ctl group allow "${1:-ops}" 10.0.0.10/32 6443 >/dev/null &&
	ctl user add-group alice "${1:-ops}" >/dev/null
}

# gw_otp USER: enrols USER's TOTP secret, in SECRET, and makes it active
# with the code of the previous step (so the current one is still unused).
gw_otp() {
	SECRET=$(ctl otp enroll "$1" --json | jq -r .secret) &&
	ctl otp verify "$1" "$(oathtool --totp -b "$SECRET" -N 'now - 30 seconds')" >/dev/null
}

# gw_pam SERVICE DB [LINE]: /etc/pam.d/SERVICE, as the package installs
# it: LINE first if given, then pam_kgw.so's password, one-time code and
# account steps on the store DB. gw_cleanup removes it.
gw_pam() {
	GW_PAMSVC=$1
	m="$(it_builddir)/pam/.libs/pam_kgw.so db=$2"
	{ [ -z "${3:-}" ] || printf '%s\n' "$3"
	  printf 'auth requisite %s password\nauth required %s otp\naccount required %s\n' "$m" "$m" "$m"
	} > "/etc/pam.d/$1"
	chmod 0644 "/etc/pam.d/$1"
}

# gw_start_kgwd NS: kgwd in NS (it goes to the background once its tunnel,
# policy and socket are up); its pid in KGWD, killed at the end.
gw_start_kgwd() {
	ip netns exec "$1" "$KGWD_BIN" -c "$T/kgw.conf" 2>>"$T/kgwd.log" || return 1
	KGWD=$(pgrep -f "kgwd -c $T/kgw.conf" | head -1); it_track_pid "$KGWD"
}

# gw_start_portal NS: kgw-portal in NS in the foreground, logging to
# $T/portal.log; its pid in PORTAL. Returns once it says it serves the
# session API (one more time than it had said before: a restart).
gw_start_portal() {
	n=$(grep -c 'serving the session API' "$T/portal.log" 2>/dev/null || true)
	ip netns exec "$1" "$PORTAL_BIN" -c "$T/kgw.conf" -f --data-dir "$(it_srcdir)/portal/templates" \
		>>"$T/portal.log" 2>&1 &
	PORTAL=$!; it_track_pid "$PORTAL"
	it_wait $((10 * KGW_WAIT_FACTOR)) sh -c \
		"[ \$(grep -c 'serving the session API' '$T/portal.log') -gt ${n:-0} ]"
}

# gw_cleanup: for the test's EXIT trap, before it_cleanup. The PAM file
# goes; after a failure the daemons' last log lines say why.
gw_cleanup() {
	[ -z "${GW_PAMSVC:-}" ] || rm -f "/etc/pam.d/$GW_PAMSVC"
	[ "$IT_FAILS" -eq 0 ] || for f in "$T/portal.log" "$T/kgwd.log"; do
		[ -f "$f" ] && { echo "# --- $f"; tail -25 "$f" | sed 's/^/#   /'; }
	done
	true
}
