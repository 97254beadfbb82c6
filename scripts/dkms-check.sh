#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove dkms.conf without touching the machine's DKMS: in a scratch tree
# ($FSCACHE_OPS_CACHE/dkms, through dkms's --dkmstree, --sourcetree and
# --installtree, with a scratch signing key), `dkms add`, then for Debian's
# 6.1 and 6.12 headers `dkms build` and `dkms install`; check the module's
# vermagic, the header and Module.symvers kept for backends, and build a
# backend against them as README.md says (the VM test module, on its own,
# with KBUILD_EXTRA_SYMBOLS); then `dkms remove --all`.  Fails if anything
# outside the scratch tree changed under /var/lib/dkms, /usr/src,
# /lib/modules or /etc/dkms.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh"

scratch=$cache/dkms
rm -rf "$scratch"
mkdir -p "$scratch"/{dkms,src,lib/modules,stage}
touch "$scratch/stamp"
# dkms signs modules, with a key it would otherwise create in /var/lib/dkms.
export mok_signing_key=$scratch/mok.key mok_certificate=$scratch/mok.pub
d=(--dkmstree "$scratch/dkms" --sourcetree "$scratch/src" --installtree "$scratch/lib/modules")
arch=$(uname -m)

fail() {
	echo "dkms-check: $*" >&2
	exit 1
}

# What a clone holds (and what is being added to it), as `dkms add .` sees it.
git -C "$top" ls-files -z -co --exclude-standard |
	(cd "$top" && xargs -0 cp --parents -t "$scratch/stage")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$top/dkms.conf")
pv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ "$name" = fscache_ops ] && [ -n "$pv" ] || fail "dkms.conf names no fscache_ops version"

dkms add "${d[@]}" "$scratch/stage"
[ -f "$scratch/src/$name-$pv/dkms.conf" ] || fail "dkms add did not copy the sources"

for ver in 6.1 6.12; do
	hdr=$(ls -d /usr/src/linux-headers-"$ver".*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$hdr" ] || fail "no $ver headers"
	kver=${hdr#/usr/src/linux-headers-}
	echo "dkms-check: $kver"
	mkdir -p "$scratch/lib/modules/$kver"
	dkms build "${d[@]}" "$name/$pv" -k "$kver" --kernelsourcedir "$hdr"
	dkms install "${d[@]}" --no-depmod "$name/$pv" -k "$kver" --kernelsourcedir "$hdr"

	ko=$(ls "$scratch/lib/modules/$kver"/updates/dkms/fscache_ops.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || fail "dkms install put no fscache_ops.ko in place for $kver"
	vermagic=$(modinfo -F vermagic "$ko")
	[ "${vermagic%% *}" = "$kver" ] || fail "$ko has vermagic $vermagic"

	# What a backend builds against, by the path README.md gives.
	kept=$scratch/dkms/$name/kernel-$kver-$arch
	[ -f "$kept/include/linux/fscache-ops.h" ] || fail "no header in $kept"
	n=$(awk '$5 == "FSCACHE_OPS"' "$kept/Module.symvers" | wc -l)
	[ "$n" -gt 0 ] && [ "$n" -eq "$(wc -l <"$kept/Module.symvers")" ] ||
		fail "$kept/Module.symvers: $n exports in the FSCACHE_OPS namespace"

	be=$scratch/backend-$ver
	mkdir -p "$be"
	cp "$top/tests/vm/fscache_ops_vmtest.c" "$be/"
	printf 'obj-m += fscache_ops_vmtest.o\nccflags-y += -I$(FSCACHE_OPS)/include\n' >"$be/Kbuild"
	make -C "$hdr" M="$be" FSCACHE_OPS="$kept" \
		KBUILD_EXTRA_SYMBOLS="$kept/Module.symvers" modules >"$be/build.log" 2>&1 ||
		{ cat "$be/build.log" >&2; fail "backend build for $kver"; }
	if grep -E 'WARNING|warning:|error' "$be/build.log" | grep -v 'Skipping BTF'; then
		fail "backend build for $kver warned"
	fi
	modinfo -F import_ns "$be/fscache_ops_vmtest.ko" | grep -qx FSCACHE_OPS ||
		fail "the backend does not import FSCACHE_OPS"
	echo "dkms-check: $kver: built, installed; a backend builds against $kept"
done

dkms status "${d[@]}" "$name/$pv"
dkms remove "${d[@]}" --no-depmod "$name/$pv" --all
[ ! -e "$scratch/dkms/$name" ] || fail "dkms remove left $scratch/dkms/$name"
left=$(find "$scratch/lib/modules" -name 'fscache_ops.ko*')
[ -z "$left" ] || fail "dkms remove left $left"

# Nothing outside the scratch tree was touched.
touched=$(find /var/lib/dkms /usr/src /lib/modules /etc/dkms -newer "$scratch/stamp" 2>/dev/null || true)
[ -z "$touched" ] || fail "changed outside the scratch tree: $touched"
rm -rf "$scratch"
echo "dkms-check: ok (add, build, install, remove on 6.1 and 6.12)"
