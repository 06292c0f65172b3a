#!/bin/sh
# Builds the bootable kgw gateway image from Debian 12 packages, as root:
#
#   MBR disk, BIOS boot with SYSLINUX
#   p1 KGWBOOT  vfat  the kernel, the initramfs, syslinux.cfg
#   p2 KGWROOT  ext4  the system, mounted read-only
#   p3 KGWDATA  ext4  /var/lib/kgw and /etc/kgw (bind mounts): kept across upgrades
#
# An upgrade writes p1 and p2 of a new image over the old ones
# (firmware/replace-system.sh) and leaves p3 alone.
#
# Usage: build-image.sh BUILDDIR SRCDIR OUTDIR
# Environment: KGW_MIRROR, KGW_SECURITY_MIRROR (the apt sources; default
# deb.debian.org as in Debian 12's sources.list), KGW_RELEASE (a release
# string shown at boot). The mmdebstrap tarball is cached in OUTDIR/cache
# under a name made from the package list and mirrors, so re-runs only
# repeat the cheap steps.
set -eu

[ $# -eq 3 ] || { echo "usage: build-image.sh BUILDDIR SRCDIR OUTDIR" >&2; exit 2; }
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); mkdir -p "$3"; O=$(cd "$3" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "build-image: must run as root (mmdebstrap, file ownership)" >&2; exit 1; }
for t in mmdebstrap mkfs.ext4 mkfs.vfat mcopy syslinux sfdisk qemu-img; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "build-image: $t is missing (tools/install-deps --image)" >&2; exit 1; }
done
MIRROR=${KGW_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${KGW_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
RELEASE=${KGW_RELEASE:-kgw $(cd "$S" && git describe --always --dirty 2>/dev/null || echo unknown) $(date -u +%Y-%m-%dT%H:%MZ)}
# kgw's user is fixed, so files on the data partition keep their owner
# whatever order a later image creates system users in.
KGW_UID=900
MIB=1048576
# Fixed sizes: an upgrade writes a new boot and root over the old ones.
BOOT_MIB=128 ROOT_MIB=1536 DATA_MIB=256

# Runtime libraries of kgw (configure's checks), the kernel (it has the
# WireGuard module), systemd, the firewall (nftables brings libnftables1,
# which kgwd links), and what the console needs.
PACKAGES="linux-image-amd64 initramfs-tools systemd-sysv udev kmod nftables
iproute2 procps openssl wireguard-tools libpam-modules libpam-runtime login
libsodium23 libmnl0 libev4 libssl3 libsqlite3-0 libjansson4 libhttp-parser2.9
libqrencode4 libinih1 libcap-ng0 libsystemd0"

step() { printf '==> %s\n' "$*"; }

base_tarball() {
	key=$(printf '%s\n' "$PACKAGES" "$MIRROR" "$SECMIRROR" | sha256sum | cut -c1-16)
	tarball=$O/cache/rootfs-$key.tar
	[ -s "$tarball" ] && return 0
	step "mmdebstrap: Debian 12 from $MIRROR (cached as $tarball)"
	mkdir -p "$O/cache"
	part=$O/cache/partial-$key.tar	# mmdebstrap takes the format from the name
	rm -f "$part"
	mmdebstrap --quiet --variant=minbase --mode=root \
		--include="$(echo $PACKAGES | tr ' ' ',')" \
		bookworm "$part" \
		"deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
		"deb $SECMIRROR bookworm-security main"
	mv "$part" "$tarball"
}

# A build of its own, configured for the image's paths: what the programs
# have compiled in (the config file, the admin templates, the units) must
# name /usr and /etc, not the host build's prefix.
install_kgw() {
	step "kgw configured for /usr, built, installed into the root"
	IB=$O/build-usr
	mkdir -p "$IB"
	(cd "$IB" && { [ -f Makefile ] || "$S/configure" -q --prefix=/usr --sysconfdir=/etc \
		--localstatedir=/var --with-pammoddir=/usr/lib/x86_64-linux-gnu/security; } &&
		make -s -j"$(nproc)" >/dev/null && make -s install DESTDIR="$R" >/dev/null)
	find "$R/usr/lib" -name 'pam_kgw.la' -delete
	groupadd --root "$R" --system --gid $KGW_UID kgw
	useradd --root "$R" --system --uid $KGW_UID --gid kgw --no-create-home \
		--home-dir /var/lib/kgw --shell /usr/sbin/nologin kgw
}

# Everything that is written at run time lives on tmpfs or the data partition.
read_only_root() {
	step "overlay, read-only root, data partition defaults"
	cp -R "$S/firmware/overlay/." "$R/"
	chmod 0755 "$R/usr/lib/kgw/kgw-setup" "$R/usr/lib/kgw/kgw-banner"
	printf '%s\n' "$RELEASE" > "$R/etc/kgw-release"
	echo kgw > "$R/etc/hostname"
	# systemd makes a transient machine ID on an empty file on a read-only root.
	: > "$R/etc/machine-id"
	mkdir -p "$R/data" "$R/etc/kgw" "$R/var/lib/kgw"
	# The defaults of the data partition (used when it is made).
	rm -rf "$D"; mkdir -p "$D/kgw" "$D/etc-kgw/network"
	chown $KGW_UID:$KGW_UID "$D/kgw"; chmod 0750 "$D/kgw"
	cp "$S/firmware/data/kgw.conf" "$D/etc-kgw/kgw.conf"
	cp "$S/firmware/data/"*.network "$D/etc-kgw/network/"
	# Passwords change at run time: /etc/shadow lives with the local config.
	rm -rf "$R/usr/share/man" "$R/usr/share/info" "$R/usr/share/locale"
	mv "$R/etc/shadow" "$D/etc-kgw/shadow"; chmod 0640 "$D/etc-kgw/shadow"
	chgrp --reference="$R/etc/gshadow" "$D/etc-kgw/shadow" 2>/dev/null || true
	ln -s kgw/shadow "$R/etc/shadow"
	rm -rf "$R/etc/systemd/network"; ln -s ../kgw/network "$R/etc/systemd/network"
	for u in kgwd kgw-portal kgw-setup kgw-banner nftables systemd-networkd; do
		systemctl --root="$R" enable "$u.service" >/dev/null 2>&1
	done
	systemctl --root="$R" mask apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1
}

boot_partition() {
	step "boot partition: kernel, initramfs, SYSLINUX"
	kver=$(ls "$R/lib/modules" | sort -V | tail -1)
	rm -f "$W/boot.img"
	mkfs.vfat -C -n KGWBOOT "$W/boot.img" $((BOOT_MIB * 1024)) >/dev/null
	cat > "$W/syslinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT kgw
TIMEOUT 10
LABEL kgw
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND root=LABEL=KGWROOT ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 panic=10
CFG
	mcopy -i "$W/boot.img" "$R/boot/vmlinuz-$kver" ::/vmlinuz
	mcopy -i "$W/boot.img" "$R/boot/initrd.img-$kver" ::/initrd.img
	mcopy -i "$W/boot.img" "$W/syslinux.cfg" ::/syslinux.cfg
	syslinux --install "$W/boot.img"
	# The root does not need the boot files; the boot partition has them.
	rm -f "$R/boot/vmlinuz-"* "$R/boot/initrd.img-"* "$R/vmlinuz"* "$R/initrd.img"*
}

assemble() {
	step "disk: MBR, boot, root (read-only), data"
	root_mib=$ROOT_MIB
	used=$(du -sm "$R" | cut -f1)
	[ $((used * 12 / 10)) -lt $root_mib ] ||
		{ echo "build-image: the root ($used MiB) does not fit in $root_mib MiB" >&2; exit 1; }
	rm -f "$W/root.img" "$W/data.img"
	mkfs.ext4 -q -L KGWROOT -d "$R" "$W/root.img" "${root_mib}M"
	mkfs.ext4 -q -L KGWDATA -d "$D" "$W/data.img" "${DATA_MIB}M"
	img=$O/kgw-gateway.img
	total=$((1 + BOOT_MIB + root_mib + DATA_MIB + 1))
	rm -f "$img.part"; truncate -s "${total}M" "$img.part"
	sfdisk -q "$img.part" <<PT
label: dos
start=1MiB, size=${BOOT_MIB}MiB, type=c, bootable
size=${root_mib}MiB, type=83
size=${DATA_MIB}MiB, type=83
PT
	dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img.part" bs=440 count=1 conv=notrunc status=none
	n=1
	for part in boot root data; do
		start=$(sfdisk -d "$img.part" | sed -n "s/^[^ ]*$n : start= *\([0-9]*\),.*/\1/p")
		dd if="$W/$part.img" of="$img.part" bs=$MIB seek=$((start * 512 / MIB)) \
			conv=notrunc,sparse status=none
		n=$((n + 1))
	done
	mv "$img.part" "$img"
	step "qcow2"
	qemu-img convert -c -O qcow2 "$img" "$O/kgw-gateway.qcow2"
}

W=$O/work; R=$W/root; D=$W/data
base_tarball
step "root from $tarball"
rm -rf "$W"; mkdir -p "$R"
tar -C "$R" -xf "$tarball"
install_kgw
read_only_root
boot_partition
assemble
rm -rf "$W"
ls -l "$O/kgw-gateway.img" "$O/kgw-gateway.qcow2"
printf 'raw %s MiB allocated (%s MiB apparent), qcow2 %s MiB\n' \
	"$(($(du -k "$O/kgw-gateway.img" | cut -f1) / 1024))" \
	"$(($(stat -c %s "$O/kgw-gateway.img") / MIB))" \
	"$(($(stat -c %s "$O/kgw-gateway.qcow2") / MIB))"
