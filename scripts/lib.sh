# SPDX-License-Identifier: GPL-2.0
#
# Shared by the scripts (sourced): where the cache lives, the 6.12 source
# tree, and how a console log is scanned for splats.

cache=${FSCACHE_OPS_CACHE:-$HOME/.cache/fscache-ops}
src=$cache/linux-6.12

# Unpack Debian's linux-source-6.12 into $src, once.
unpack_kernel_source() {
	[ -e "$src/.fscache-ops-unpacked" ] && return 0
	echo "unpacking linux-source-6.12 into $src"
	mkdir -p "$cache"
	rm -rf "$src" "$cache/linux-source-6.12"
	tar -C "$cache" -xJf /usr/src/linux-source-6.12.tar.xz
	mv "$cache/linux-source-6.12" "$src"
	touch "$src/.fscache-ops-unpacked"
}

splat_re='WARNING:|BUG:|Call Trace:|KASAN|lockdep|ODEBUG|unreferenced object|Kernel panic|Oops|general protection|INFO: task .* blocked|possible recursive locking|inconsistent lock state'
# Lines that match but are no splat: the command line, a boot banner.
benign_re='kasan.fault=panic|RCU lockdep checking is enabled'

# Print the splats of a console log, numbered; nothing if it is clean.
find_splats() {
	grep -nE "$splat_re" "$1" | grep -vE "$benign_re" || true
}

# What booting a distro kernel with our modules takes (scripts/vm.sh,
# scripts/bench.sh and the demo, scripts/demo.sh, use these).

# The newest installed Debian headers of a kernel series ("6.1", "6.12").
kernel_headers_dir() {
	ls -d /usr/src/linux-headers-"$1".*-amd64 2>/dev/null | sort -V | tail -n 1
}

# Fetch and unpack Debian's image package of the kernel ABI $1 (as
# 6.12.117+deb12-amd64) into $cache/vm/, once, without installing it;
# print its root.
fetch_distro_kernel() {
	local abi=$1 dir=$cache/vm/image-$1 pkg deb
	if [ ! -e "$dir/.unpacked" ]; then
		rm -rf "$dir" && mkdir -p "$dir/deb"
		for pkg in "linux-image-$abi" "linux-image-$abi-unsigned"; do
			(cd "$dir/deb" && apt-get download -qq "$pkg" >/dev/null 2>&1) && break
		done
		deb=$(ls "$dir"/deb/*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || { echo "cannot download linux-image-$abi" >&2; return 1; }
		dpkg-deb -x "$deb" "$dir/root"
		rm -rf "$dir/deb"
		touch "$dir/.unpacked"
	fi
	echo "$dir/root"
}

# Copy the sources of the checkout $1 that git knows of (tracked, or
# untracked and not ignored) into $2, for a build of their own.
copy_sources() {
	mkdir -p "$2"
	git -C "$1" ls-files -z -co --exclude-standard | (cd "$1" && xargs -0 cp --parents -t "$2")
}

# Start an initramfs tree in $1: busybox and the directories /init needs.
initramfs_skeleton() {
	mkdir -p "$1"/{bin,proc,sys,dev,lib}
	cp /bin/busybox "$1/bin/busybox" 2>/dev/null || cp "$(command -v busybox)" "$1/bin/busybox"
}

# Pack the tree $1 into the gzipped initramfs $2.
pack_initramfs() {
	(cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"
}
