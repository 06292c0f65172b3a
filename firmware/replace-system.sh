#!/bin/sh
# Upgrades a kgw disk: writes the boot and root partitions (1 and 2) of a
# new image over those of DISK, and leaves the data partition (3), with
# the users, keys and local configuration, as it is. DISK is a raw image
# file or the block device the gateway boots from (not while it runs).
#
# Usage: replace-system.sh NEW-IMAGE DISK
set -eu

[ $# -eq 2 ] || { echo "usage: replace-system.sh NEW-IMAGE DISK" >&2; exit 2; }
new=$1 disk=$2
# part N IMG: "start size" of partition N, in sectors.
part() {
	sfdisk -d "$2" | sed -n "s/^[^ ]*[^0-9]$1 : start= *\([0-9]*\), size= *\([0-9]*\),.*/\1 \2/p"
}
for n in 1 2 3; do
	a=$(part $n "$new"); b=$(part $n "$disk")
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		echo "replace-system: partition $n differs (new: ${a:-none}, disk: ${b:-none}):" \
			"not the same kgw layout" >&2
		exit 1
	fi
done
for n in 1 2; do
	set -- $(part $n "$new")
	conv=notrunc,fsync
	if [ -f "$disk" ]; then
		# Keep a file sparse: free the old blocks, then write only the new data.
		fallocate --punch-hole --offset $(($1 * 512)) --length $(($2 * 512)) "$disk"
		conv=notrunc,sparse
	fi
	dd if="$new" of="$disk" bs=1M skip=$(($1 * 512)) seek=$(($1 * 512)) count=$(($2 * 512)) \
		iflag=skip_bytes,count_bytes oflag=seek_bytes conv=$conv status=none
	echo "replace-system: partition $n written ($(($2 / 2048)) MiB)"
done
