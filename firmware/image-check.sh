#!/bin/sh
# `make image-check': boots the kgw image under qemu and drives it from
# the host, as an operator would, then upgrades it and boots it again.
#
#   op netns (hypervisor side, the operator)                      api netns
#   203.0.113.1 tap kgp ══ eth0 203.0.113.10  VM  eth1 10.0.0.1 ══ tap kgv ── br ── 10.0.0.10:6443
#   kgw-client, probes       kgwd (kernel WireGuard), kgw-portal           API stand-in (TLS)
#
# The VM is configured from a seed drive (KGWSEED); users are made with
# kgwctl on its serial console. The operator reaches the API only through
# the tunnel (op has no route to 10.0.0.0/24 otherwise), and the public
# side answers on the WireGuard and auth ports only. Then: shut down, write
# a freshly built boot and root over the old ones (replace-system.sh), boot
# the qcow2 of that disk: same user, same gateway key, the new release.
#
# Environment: KGW_IMAGE_ACCEL=kvm|tcg (default: KVM when /dev/kvm works,
# else TCG), KGW_IMAGE_UPGRADE=no skips the upgrade.
IT_NAME=image-check
. "$KGW_SRCDIR/tests/integration/lib.sh"
it_skip_unless_root qemu-system-x86_64 qemu-img mkfs.vfat mcopy oathtool jq curl openssl python3 wg
B=$KGW_BUILDDIR; S=$KGW_SRCDIR; F=$B/firmware
IMG=$F/kgw-gateway.img
[ -f "$IMG" ] || { echo "no image: run make image"; exit 99; }
for bin in client/kgw-client; do [ -x "$B/$bin" ] || { echo "not built: $B/$bin"; exit 99; }; done

T=$IT_TMP; chmod 0755 "$T"
OP=kgiop$IT_TAG; API=kgiap$IT_TAG; PUB=kgp$IT_TAG; PRIV=kgv$IT_TAG; CLI=kgic$IT_TAG
CON=$T/con.sock; QPID=""
PY=python3
con() { $PY "$S/firmware/vmconsole.py" "$CON" "$@"; }
now() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
cleanup_extra() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	[ "$IT_FAILS" -eq 0 ] || for f in "$T"/console-*.log; do
		[ -f "$f" ] && { echo "# --- $f"; tr -d '\r' < "$f" | tail -40 | sed 's/^/#   /'; }
	done
	true
}
# (Not it_cleanup: it would exit with cleanup_extra's status, not the test's.)
trap 'rc=$?; cleanup_extra; it_teardown; rm -rf "$IT_TMP"; exit $rc' EXIT INT TERM

# ---- the host side: two taps in the operator's namespace, the private one
# bridged to the API's namespace.
it_netns "$OP" "$API"
ip -n "$OP" tuntap add dev "$PUB" mode tap
ip -n "$OP" tuntap add dev "$PRIV" mode tap
ip -n "$OP" link add br0 type bridge
ip link add api0 netns "$OP" type veth peer name eth0 netns "$API"
for i in "$PUB" "$PRIV" br0 api0; do ip -n "$OP" link set "$i" up; done
ip -n "$OP" link set "$PRIV" master br0; ip -n "$OP" link set api0 master br0
ip -n "$API" link set eth0 up
ip -n "$OP" addr add 203.0.113.1/24 dev "$PUB"
ip -n "$API" addr add 10.0.0.10/24 dev eth0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=api \
	-addext subjectAltName=IP:10.0.0.10 -keyout "$T/api.key" -out "$T/api.crt" >/dev/null 2>&1
chmod 0644 "$T/api.key"
it_bg ip netns exec "$API" $PY "$S/tests/integration/api-standin.py" 10.0.0.10 6443 "$T/api.crt" "$T/api.key"

# ---- the seed drive and the disk
ROOTPW=$(openssl rand -hex 12)
cat > "$T/kgw-seed.conf" <<SEED
# kgw image-check
hostname = kgw-check
public_address = 203.0.113.10/24
public_gateway = 203.0.113.1
private_address = 10.0.0.1/24
root_password = $ROOTPW
SEED
mkfs.vfat -C -n KGWSEED "$T/seed.img" 1024 >/dev/null
mcopy -i "$T/seed.img" "$T/kgw-seed.conf" ::/kgw-seed.conf
cp --sparse=always "$IMG" "$T/disk.img"

ACCEL=${KGW_IMAGE_ACCEL:-}
if [ -z "$ACCEL" ]; then
	ACCEL=tcg
	[ -w /dev/kvm ] && ACCEL=kvm
fi

# boot N DISK FORMAT: starts qemu, waits for the console's `kgw: ready'.
# Sets BOOT_SECS (qemu start to ready) and READY_SECS (to the portal answering).
boot() {
	n=$1 disk=$2 fmt=$3 log=$T/console-$1.log
	accel="-accel tcg"; [ "$ACCEL" = kvm ] && accel="-accel kvm -cpu host"
	rm -f "$CON"
	t0=$(now)
	ip netns exec "$OP" qemu-system-x86_64 $accel -m 512 -smp 1 -display none -no-reboot \
		-chardev socket,id=con,path="$CON",server=on,wait=off,logfile="$log" -serial chardev:con \
		-drive file="$disk",format="$fmt",if=virtio \
		-drive file="$T/seed.img",format=raw,if=virtio,readonly=on \
		-netdev tap,id=pub,ifname="$PUB",script=no,downscript=no \
		-device virtio-net-pci,netdev=pub,mac=52:54:00:6b:67:01 \
		-netdev tap,id=priv,ifname="$PRIV",script=no,downscript=no \
		-device virtio-net-pci,netdev=priv,mac=52:54:00:6b:67:02 \
		>"$T/qemu-$n.log" 2>&1 &
	QPID=$!; it_track_pid "$QPID"
	echo "# boot $n: $fmt disk, $ACCEL"
	# Generous: TCG on a busy machine boots in minutes. Poll, never assert time.
	i=0
	while [ $i -lt 1800 ]; do
		grep -q 'kgw: ready' "$log" 2>/dev/null && break
		kill -0 "$QPID" 2>/dev/null || break
		if [ "$ACCEL" = kvm ] && grep -q 'KVM internal error' "$T/qemu-$n.log"; then
			# Some nested KVMs cannot run the BIOS boot loader; TCG can.
			echo "# KVM cannot run this boot (KVM internal error); again under TCG"
			kill "$QPID"; wait "$QPID" 2>/dev/null || true
			ACCEL=tcg; boot "$@"; return
		fi
		sleep 0.5; i=$((i + 1))
	done
	t1=$(now)
	BOOT_SECS=$(elapsed "$t0" "$t1")
	it_wait 300 ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://203.0.113.10:4443/ || true
	READY_SECS=$(elapsed "$t0" "$(now)")
	it_check "boot $n: the console says kgw: ready (after ${BOOT_SECS} s, $ACCEL)" grep -q 'kgw: ready' "$log"
	it_check "boot $n: the session API answers on the public address (after ${READY_SECS} s)" \
		ip netns exec "$OP" curl -sk --max-time 5 -o /dev/null https://203.0.113.10:4443/
	it_check "boot $n: root logs in on the serial console" con login root "$ROOTPW" 300
}

# shutdown: poweroff from the console; qemu exits (-no-reboot).
shutdown() {
	con send "systemctl poweroff
" || true
	it_check "the gateway powers off" it_wait 300 sh -c "! kill -0 $QPID"
	wait "$QPID" 2>/dev/null || true
}

field() {	# field LOG NAME: a value from the console banner
	tr -d '\r' < "$1" | sed -n "s/^ *$2: *//p" | tail -n 1
}

# ---- first boot
boot 1 "$T/disk.img" raw
LOG1=$T/console-1.log
it_check "first boot: kgwctl init printed a generated admin password on the console" \
	grep -q 'admin password: ' "$LOG1"
it_check "... which is not in the journal" con run "! journalctl -b -q | grep -q 'admin password'"
it_check "the seed set the host name" con run "test \"\$(hostname)\" = kgw-check"
it_check "the root file system is read-only" con run "! touch /usr/kgw-rw-test && findmnt -no OPTIONS / | grep -q '^ro'"
it_check "/var/lib/kgw and /etc/kgw are on the data partition" \
	con run "findmnt -no SOURCE /var/lib/kgw | grep -q 'vda3\[/kgw\]' && findmnt -no SOURCE /etc/kgw | grep -q 'vda3\[/etc-kgw\]'"
it_check "kgwd reports the kernel backend" grep -q 'ready: kernel backend on kgw0' "$LOG1"
it_check "kgw0 is a kernel WireGuard link" con run "ip -d link show kgw0 | grep -qw wireguard"
GWPUB1=$(field "$LOG1" 'wireguard public key'); PIN=$(field "$LOG1" 'tls fingerprint')
it_check "the banner shows the gateway key and the TLS pin" sh -c "[ ${#GWPUB1} = 44 ] && [ ${#PIN} = 64 ]"
it_check "the banner's key is the one kgwd runs with" con run "wg show kgw0 public-key | grep -qxF '$GWPUB1'"

# ---- the public side: only the WireGuard and auth ports
it_check "the probe sees answers where there are some (loopback: tcp closed, udp closed)" sh -c \
	"[ \"\$(ip netns exec $OP $PY $S/firmware/netprobe.py 127.0.0.1 tcp 22 2)\" = closed ] &&
	 [ \"\$(ip netns exec $OP $PY $S/firmware/netprobe.py 127.0.0.1 udp 53 2)\" = closed ]"
it_check "the auth port (tcp 4443) answers" sh -c \
	"[ \"\$(ip netns exec $OP $PY $S/firmware/netprobe.py 203.0.113.10 tcp 4443)\" = open ]"
for port in 22 80 443 6443 8443 10250; do
	it_check "tcp $port on the public address: silent" sh -c \
		"[ \"\$(ip netns exec $OP $PY $S/firmware/netprobe.py 203.0.113.10 tcp $port)\" = silent ]"
done
for port in 53 123 161 4443 51821; do
	it_check "udp $port on the public address: silent" sh -c \
		"[ \"\$(ip netns exec $OP $PY $S/firmware/netprobe.py 203.0.113.10 udp $port)\" = silent ]"
done
it_check_not "ping to the public address gets no answer" ip netns exec "$OP" ping -c 2 -W 2 203.0.113.10
it_check_not "the operator has no route to the API but the tunnel" \
	ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.10:6443/

# ---- an operator, made on the console with kgwctl
it_check "kgwctl: user alice, group k8s allowed 10.0.0.10:6443" con run \
	"echo alice-pw-5678 | kgwctl user add alice --password-stdin && kgwctl group add k8s &&
	 kgwctl group allow k8s 10.0.0.10/32 6443 && kgwctl user add-group alice k8s"
con run "kgwctl otp enroll alice --json" > "$T/enroll" 2>&1 || true
SECRET=$(sed -n 's/.*"secret": *"\([A-Z2-7]*\)".*/\1/p' "$T/enroll" | head -n 1)
it_check "kgwctl otp enroll gave a secret" test -n "$SECRET"
it_check "oathtool's code activates it" con run "kgwctl otp verify alice $(oathtool --totp -b "$SECRET")"
LAST_STEP=$(( $(date +%s) / 30 ))

# connect: kgw-client init (first time), connect with a fresh code, use the API.
# kgw-client's own state directory: other tests may use the same profile name.
KC="$B/client/kgw-client"; PROF=$T/kgwimg$IT_TAG.conf
CENV="XDG_CONFIG_HOME=$T/xdg KGW_CLIENT_STATE_DIR=$T/state"
inop() { ip netns exec "$OP" env $CENV "$@"; }
connect_and_use() {	# connect_and_use BOOT
	while [ $(( $(date +%s) / 30 )) -le "$LAST_STEP" ]; do sleep 1; done
	LAST_STEP=$(( $(date +%s) / 30 ))
	code=$(oathtool --totp -b "$SECRET")
	it_check "boot $1: kgw-client connect (password on stdin, code from oathtool)" sh -c \
		"echo alice-pw-5678 | ip netns exec $OP env $CENV $KC connect --profile $PROF --password-stdin --otp $code"
	# Not `jq -e': Debian 12's jq exits 0 on empty input, so a failed curl would pass.
	it_check "boot $1: the API answers /version through the tunnel" it_wait 30 sh -c \
		"ip netns exec $OP curl -sf --cacert $T/api.crt --max-time 5 https://10.0.0.10:6443/version | grep -q '\"gitVersion\": *\"v1.29.0-kgw-standin\"'"
	it_check "boot $1: the gateway's kernel WireGuard has alice's peer with a handshake" \
		con run "wg show kgw0 latest-handshakes | awk '\$2 > 0 { n++ } END { exit n != 1 }'"
	it_check "boot $1: the operator routes the gateway's private address into the tunnel too" \
		ip -n "$OP" route add 10.0.0.1/32 dev "$CLI"
	it_check_not "boot $1: the gateway itself is not reachable through the tunnel" \
		ip netns exec "$OP" curl -sk --max-time 3 -o /dev/null https://10.0.0.1:4443/
	GWPEER=$(ip netns exec "$OP" wg show "$CLI" peers 2>/dev/null | head -n 1)
	it_check "boot $1: kgw-client disconnect" inop "$KC" disconnect --profile "$PROF"
}
it_check "kgw-client init, pinned to the certificate shown on the console" \
	inop "$KC" init --profile "$PROF" --gateway 203.0.113.10:4443 --pin "$PIN" --user alice --interface "$CLI"
connect_and_use 1
it_check "the client's peer is the gateway key shown on the console" test "$GWPEER" = "$GWPUB1"
MEM1=$(con run "free -m" 2>/dev/null | awk '/^Mem:/ { print $3 " MiB used, " $7 " MiB available of " $2 " MiB" }')
echo "# idle memory (free -m in the VM, after a session): $MEM1"
echo "# figures: boot 1 to console ready $BOOT_SECS s, to portal answering $READY_SECS s ($ACCEL)"
shutdown

[ "${KGW_IMAGE_UPGRADE:-yes}" = no ] && { it_done; exit; }

# ---- upgrade: a freshly built system onto the disk, the data partition kept
NEWREL="kgw image-check upgrade $IT_TAG"
it_check "a fresh image builds (release \`$NEWREL')" sh -c \
	"KGW_RELEASE='$NEWREL' sh $S/firmware/build-image.sh $B $S $F/upgrade-build > $T/build2.log 2>&1 && rm -rf $F/upgrade && mv $F/upgrade-build $F/upgrade"
it_check "replace-system.sh writes its boot and root over the old ones" \
	sh "$S/firmware/replace-system.sh" "$F/upgrade/kgw-gateway.img" "$T/disk.img"
it_check "the upgraded disk converts to qcow2" qemu-img convert -O qcow2 "$T/disk.img" "$T/disk.qcow2"
rm -f "$T/disk.img"
boot 2 "$T/disk.qcow2" qcow2
LOG2=$T/console-2.log
it_check "boot 2 runs the new release" grep -qF "kgw gateway $NEWREL" "$LOG2"
it_check "boot 2 did not run the first-boot set-up again" sh -c "! grep -q 'kgwctl init' '$LOG2'"
it_check "the gateway's WireGuard key is unchanged" test "$(field "$LOG2" 'wireguard public key')" = "$GWPUB1"
it_check "the TLS certificate is unchanged" test "$(field "$LOG2" 'tls fingerprint')" = "$PIN"
it_check "alice is still a user" con run "kgwctl user list | grep -qw alice"
connect_and_use 2
it_check "after the upgrade the client's peer is still the same gateway key" test "$GWPEER" = "$GWPUB1"
echo "# figures: boot 2 (qcow2) to console ready $BOOT_SECS s, to portal answering $READY_SECS s ($ACCEL)"
shutdown
rm -rf "$F/upgrade"
it_done
