#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo: a real cache backend on fscache_ops.  Boots Debian's 6.12
# kernel in QEMU (TCG, 2 CPUs), mounts a tmpfs, loads fscache_ops.ko and
# the sample backend (samples/fscache_ops_cachefiles/, a small cachefiles:
# one file per object), and runs its default workload: 20 s of reads,
# writes, truncations and size checks by 2 threads on 16 files, every block
# read back verified against the checksum it was written with.  Shows the
# progress once a second, the final report, fscache_ops' statistics and
# histograms, and ends with one verdict line.  Everything is unloaded
# before power-off.  Exits non-zero on a data mismatch, a kernel warning
# (or any splat) or a failure to run.
#
# Usage: scripts/demo.sh [options]
#   --kernel K     6.12 (default), 6.1 (Debian's), or debug (the KUnit
#                  debug kernel of scripts/kunit.sh: fscache_ops built in,
#                  KASAN, lockdep, kmemleak; ten times slower)
#   --duration S   run the workload S seconds (default 20)
#   --workload W   more control words for the workload, e.g.
#                  "objects=64 threads=4 mix=80:20:0:0" (see
#                  Documentation/sample.rst)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

kernel=6.12
duration=20
workload=

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--duration) duration=${2:?}; shift 2 ;;
	--workload) workload=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "demo: unknown option $1" >&2; usage >&2 ;;
	esac
done
case "$kernel" in
6.1 | 6.12 | debug) ;;
*) echo "demo: --kernel takes 6.12, 6.1 or debug, not $kernel" >&2; exit 2 ;;
esac
case "$duration" in
'' | *[!0-9]*) echo "demo: --duration takes seconds, not $duration" >&2; exit 2 ;;
esac

"$top/scripts/deps.sh"
dir=$cache/demo
mkdir -p "$dir"
log=$dir/console-$kernel.log
t0=$(date +%s)

# The kernel, and what to build against.
if [ "$kernel" = debug ]; then
	kdir=$cache/kunit-build
	vmlinuz=$kdir/arch/x86/boot/bzImage
	if [ ! -f "$vmlinuz" ] || [ ! -f "$kdir/Module.symvers" ]; then
		echo "demo: no debug kernel in $kdir: run scripts/kunit.sh first to build it" >&2
		exit 1
	fi
	debug_kernel_current "$top" "$kdir" demo || exit 1
	release=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || echo debug)
else
	kdir=$(kernel_headers_dir "$kernel" || true)
	[ -n "$kdir" ] || { echo "demo: no Debian $kernel headers installed" >&2; exit 1; }
	release=${kdir#/usr/src/linux-headers-}
	echo "demo: fetching Debian's linux-image-$release (once)"
	kroot=$(fetch_distro_kernel "$release")
	vmlinuz=$kroot/boot/vmlinuz-$release
fi

# fscache_ops (unless built into the kernel), then the sample against its
# Module.symvers, as a third party builds it; in a copy of the sources.
echo "demo: building fscache_ops.ko and the sample backend for $release"
build=$dir/build-$kernel
rm -rf "$build"
copy_sources "$top" "$build/src"
sample=$build/src/samples/fscache_ops_cachefiles
if ! {
	if [ "$kernel" = debug ]; then
		make -C "$sample" KDIR="$kdir" SYMVERS=
	else
		make -C "$build/src" KDIR="$kdir" CONFIG_FSCACHE_OPS_VMTEST= &&
			make -C "$sample" KDIR="$kdir"
	fi
} >"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	echo "demo: the build failed" >&2
	exit 1
fi

root=$(mktemp -d)
initramfs_skeleton "$root"
[ "$kernel" = debug ] || cp "$build/src/fscache_ops.ko" "$root/lib/"
cp "$sample/fscache_ops_cachefiles.ko" "$root/lib/"
echo "duration=$duration $workload" >"$root/lib/demo.args"
cp "$top/samples/fscache_ops_cachefiles/demo-init.sh" "$root/init"
chmod +x "$root/init"
pack_initramfs "$root" "$dir/initrd-$kernel.gz"
rm -rf "$root"

# What the VM prints, as it prints it: the demo's own lines, the kernel's
# lines from the two modules, and anything that looks like a splat.
show() {
	local line msg
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		DEMO:*)
			msg=${line#DEMO:}
			echo "${msg# }"
			continue
			;;
		esac
		msg=$line
		if [[ $line =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*)$ ]]; then
			msg=${BASH_REMATCH[1]}
		fi
		if [[ $msg =~ ^fscache_ops(_cachefiles)?: ]]; then
			echo "  $msg"
		elif [[ $msg =~ $splat_re ]] && ! [[ $msg =~ $benign_re ]]; then
			echo "!! $msg"
		fi
	done
}

echo "demo: booting Linux $release in QEMU (TCG, 2 CPUs); console log: $log"
echo
append="console=ttyS0 panic=-1 oops=panic loglevel=7 kunit.enable=0"
timeout $((duration + 900)) qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic \
	-no-reboot -kernel "$vmlinuz" -initrd "$dir/initrd-$kernel.gz" \
	-append "$append" </dev/null 2>&1 | tee "$log" | show || true

# The verdict.
problems=()
summary=$(grep -o 'summary: result=.*' "$log" | tail -n 1 | tr -d '\r' || true)
kv() {
	echo "$summary" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
result=$(kv result)
mismatches=$(kv mismatches)
splats=$(find_splats "$log")
if [ -z "$summary" ]; then
	problems+=("the workload gave no report")
elif [ "$mismatches" != 0 ]; then
	problems+=("$mismatches data mismatches")
elif [ "$result" != OK ]; then
	problems+=("the workload's result: $result")
fi
if [ -n "$splats" ]; then
	problems+=("kernel warnings: $(echo "$splats" | head -n 1 | cut -c1-100)")
fi
grep -q 'DEMO: END OK' "$log" || problems+=("the VM did not end cleanly")
secs=$(($(date +%s) - t0))

echo
if [ ${#problems[@]} -eq 0 ]; then
	echo "verdict: PASS: data verified ($(kv verified) blocks read back and $(kv sizes) sizes checked against their checksums, 0 mismatches), no kernel warnings; Linux $release, $secs s"
	exit 0
fi
printf -v why '%s; ' "${problems[@]}"
echo "verdict: FAIL: ${why}Linux $release, $secs s; console log: $log"
exit 1
