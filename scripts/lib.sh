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

# Report the splats of the console log $2 as "$1: splats in the console
# log", the first $3 (default 40) of them; fails if there are any.
report_splats() {
	local splats
	splats=$(find_splats "$2")
	[ -z "$splats" ] && return 0
	echo "$1: splats in the console log ($2):" >&2
	echo "$splats" | head -n "${3:-40}" >&2
	return 1
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

# A hash of what a kernel with fscache_ops built in is built from, in the
# checkout $1: the sources it compiles (what scripts/drop-in.sh places, less
# the test backends, which are built on their own) and the two configuration
# fragments scripts/kunit.sh builds it with, so that a kernel of the same
# sources but another configuration does not pass as current.
built_in_sources_hash() {
	(cd "$1" && { ls Kconfig Kbuild ./*.c ./*.h tests/*.c tests/*.h \
		include/linux/fscache-ops.h include/trace/events/*.h \
		tests/.kunitconfig scripts/kunit-debug.config 2>/dev/null || true; } |
	 LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
}

# Is the debug kernel built in $2 (by scripts/kunit.sh, which records the
# hash) built from the sources of the checkout $1?  Says so for $3 if not: a
# kernel left by another checkout or by a mutant (scripts/mutate.sh) would
# test other code than this one.
debug_kernel_current() {
	[ "$(built_in_sources_hash "$1")" = "$(cat "$2/.fscache-ops-sources" 2>/dev/null)" ] &&
		return 0
	echo "$3: the debug kernel in $2 was not built from these sources: run scripts/kunit.sh first" >&2
	return 1
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

# Build, in a private copy $1 of the sources, the third-party module of the
# directory $4 (as tests/stress) against the kernel build dir $2, the way a
# backend is built: against fscache_ops' Module.symvers, fscache_ops itself
# built first unless $3 is empty (a kernel with fscache_ops built in, whose
# own Module.symvers has the exports).  Prints the copy's directory.
build_backend() {
	local dir=$1 kdir=$2 core=$3 sub=$4 symvers=
	# From clean sources every time: objects of another kernel must not mix.
	rm -rf "$dir" && mkdir -p "$dir"
	copy_sources "$top" "$dir"
	if [ -n "$core" ]; then
		make -s -C "$dir" KDIR="$kdir" >&2
		symvers=$dir/Module.symvers
	fi
	make -s -C "$dir/$sub" KDIR="$kdir" SYMVERS="$symvers" >&2
	echo "$dir"
}

# Boot the kernel $1 with the initramfs $2 under QEMU (TCG, $4 CPUs, 2 GB),
# the console in $3, for at most $5 seconds; the initramfs powers off.
qemu_boot() {
	# no_timer_check: under TCG on a loaded host the IO-APIC timer check
	# can fail at boot ("IO-APIC + timer doesn't work").
	timeout "$5" qemu-system-x86_64 -accel tcg -m 2G -smp "$4" -nographic \
		-no-reboot -kernel "$1" -initrd "$2" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=7 kunit.enable=0 no_timer_check" \
		</dev/null >"$3" 2>&1 || true
}
