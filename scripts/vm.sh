#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot kernels under QEMU (TCG, 2 CPUs) with a busybox initramfs that loads
# the distro's own netfs/fscache/cachefiles modules, then fscache_ops.ko and
# the VM test module (tests/vm/), unloads them, checks the statistics and
# scans for leaks.  A module that uses fscache_ops without importing its
# symbol namespace (tests/vm/noimport/) must be refused with the kernel's
# own message.  The run fails on any splat in the console log, on a
# missing PASS line or on a missing end marker.
#
# Targets:
#   6.1     Debian's 6.1 kernel (image package downloaded, not installed)
#   6.12    Debian's 6.12 kernel
#   debug   the KUnit debug kernel of scripts/kunit.sh (fscache_ops built
#           in; KASAN, lockdep, kmemleak...); skipped if it is not built
#
# Usage: scripts/vm.sh [--demo] [target...]     (default: 6.1 6.12 debug)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
demo=
if [ "${1:-}" = --demo ]; then
	demo=1
	shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(6.1 6.12 debug)

"$top/scripts/deps.sh"
mkdir -p "$cache/vm"

# Build the modules in a private copy of the sources; prints that directory.
build_modules() {
	local name=$1 kdir=$2 dir=$cache/vm/build-$1
	shift 2
	# From clean sources every time: objects of another kernel must not mix.
	rm -rf "$dir" && mkdir -p "$dir/src"
	git -C "$top" ls-files -z -co --exclude-standard | (cd "$top" && xargs -0 cp --parents -t "$dir/src")
	make -s -C "$dir/src" KDIR="$kdir" "$@" >&2
	# A user that forgot the namespace import (tests/vm/noimport/); its
	# modpost warning saying so is expected, and kept out of the way.
	make -s -C "$dir/src/tests/vm/noimport" KDIR="$kdir" >"$dir/noimport.log" 2>&1 ||
		{ cat "$dir/noimport.log" >&2; return 1; }
	# The sample backend (samples/fscache_ops_cachefiles/), built as a
	# third party builds it, against the Module.symvers just made.
	make -s -C "$dir/src/samples/fscache_ops_cachefiles" KDIR="$kdir" >&2
	echo "$dir/src"
}

make_initramfs() {
	local out=$1 moddir=$2 kmods=$3 with_core=$4 root
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,dev,lib}
	cp /bin/busybox "$root/bin/busybox"
	[ -x "$root/bin/busybox" ] || cp "$(command -v busybox)" "$root/bin/busybox"
	if [ -n "$with_core" ]; then
		cp "$moddir/fscache_ops.ko" "$root/lib/"
	fi
	cp "$moddir/tests/vm/fscache_ops_vmtest.ko" "$root/lib/"
	cp "$moddir/tests/vm/noimport/fscache_ops_noimport.ko" "$root/lib/"
	cp "$moddir/samples/fscache_ops_cachefiles/fscache_ops_cachefiles.ko" "$root/lib/"
	: >"$root/lib/distro.list"
	if [ -n "$kmods" ]; then
		local m f
		for m in netfs/netfs fscache/fscache cachefiles/cachefiles; do
			f=$(ls "$kmods"/kernel/fs/"$m".ko* 2>/dev/null | head -n 1) || true
			[ -n "$f" ] || continue
			case "$f" in
			*.xz) xz -dc "$f" >"$root/lib/${m#*/}.ko" ;;
			*.zst) zstd -qdc "$f" >"$root/lib/${m#*/}.ko" ;;
			*) cp "$f" "$root/lib/${m#*/}.ko" ;;
			esac
			echo "${m#*/}" >>"$root/lib/distro.list"
		done
	fi
	cp "$top/tests/vm/init.sh" "$root/init"
	cp "$top/tests/vm/trace-check.sh" "$root/bin/trace-check.sh"
	cp "$top/samples/fscache_ops_cachefiles/vm-check.sh" "$root/bin/sample-check.sh"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

run_vm() {
	local name=$1 kernel=$2 initrd=$3 log=$cache/vm/$1.log append
	# no_timer_check: under TCG on a loaded host the IO-APIC timer check
	# can fail at boot ("IO-APIC + timer doesn't work").
	append="console=ttyS0 panic=-1 oops=panic loglevel=7 kunit.enable=0 no_timer_check"
	echo "vm[$name]: booting $(basename "$kernel")"
	timeout 900 qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic \
		-no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "$append" </dev/null >"$log" 2>&1 || true
	if [ -n "$demo" ]; then
		echo "----- what the VM printed, from boot to power-off -----"
		sed -n '/VMTEST: kernel/,/VMTEST: END/p' "$log"
		echo "-------------------------------------------------------"
	fi

	local bad=0
	report_splats "vm[$name]" "$log" 30 || bad=1
	if grep -qE 'VMTEST: FAIL|fscache_ops_vmtest: FAIL' "$log"; then
		grep -E 'VMTEST: FAIL|fscache_ops_vmtest: FAIL' "$log" >&2
		bad=1
	fi
	grep -q 'fscache_ops_vmtest: unloaded clean' "$log" ||
		{ echo "vm[$name]: the test module's unload was not clean" >&2; bad=1; }
	grep -q 'fscache_ops_vmtest: PASS' "$log" ||
		{ echo "vm[$name]: no PASS line from the test module" >&2; bad=1; }
	grep -q 'SAMPLE: PASS' "$log" ||
		{ echo "vm[$name]: no PASS line from the sample backend" >&2; bad=1; }
	grep -q 'VMTEST: END OK' "$log" ||
		{ echo "vm[$name]: no end marker" >&2; bad=1; }
	if [ $bad -ne 0 ]; then
		echo "vm[$name]: FAILED; last lines of $log:" >&2
		tail -n 40 "$log" >&2
		return 1
	fi
	echo "vm[$name]: ok ($(grep -o 'fscache_ops_vmtest: PASS.*' "$log" | head -n 1))"
}

rc=0
for t in "${targets[@]}"; do
	case "$t" in
	6.1 | 6.12)
		hdr=$(kernel_headers_dir "$t") || true
		[ -n "$hdr" ] || { echo "vm: no headers for $t" >&2; rc=1; continue; }
		abi=${hdr#/usr/src/linux-headers-}
		kroot=$(fetch_distro_kernel "$abi") || { rc=1; continue; }
		mods=$(build_modules "$t" "$hdr") || { rc=1; continue; }
		make_initramfs "$cache/vm/initrd-$t.gz" "$mods" \
			"$kroot/lib/modules/$abi" 1
		run_vm "$t" "$kroot/boot/vmlinuz-$abi" "$cache/vm/initrd-$t.gz" || rc=1
		;;
	debug)
		kb=$cache/kunit-build
		if [ ! -f "$kb/arch/x86/boot/bzImage" ] || [ ! -f "$kb/Module.symvers" ]; then
			echo "vm[debug]: skipped: run scripts/kunit.sh first to build the debug kernel"
			continue
		fi
		debug_kernel_current "$top" "$kb" "vm[debug]" || { rc=1; continue; }
		# fscache_ops is built into that kernel: build only the test module.
		mods=$(build_modules debug "$kb" CONFIG_FSCACHE_OPS=) || { rc=1; continue; }
		make_initramfs "$cache/vm/initrd-debug.gz" "$mods" "" ""
		run_vm debug "$kb/arch/x86/boot/bzImage" "$cache/vm/initrd-debug.gz" || rc=1
		;;
	*)
		echo "vm: unknown target $t" >&2
		rc=1
		;;
	esac
done
exit $rc
