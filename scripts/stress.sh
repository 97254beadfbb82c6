#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The stress test (issue 8): boot a kernel under QEMU (TCG, 2 CPUs) with the
# stress module (tests/stress/, a backend built on its own against
# fscache_ops' Module.symvers), which runs a random workload over 256
# objects from four threads and checks the manager's invariants as it goes,
# once per slow_max_active setting (the default, 2, 1), the ops shared
# between the three runs.  /init (tests/stress/init.sh) checks that
# fscache_ops' statistics balance after each run and agree with the
# module's counts, and scans for leaks.
#
# Fails on any invariant violation, any splat in the console log (lockdep,
# KASAN, WARNING, kmemleak...), a FAIL line, or a missing end marker; prints
# each run's ops, rate and checks, and a summary line:
#   stress[K]: PASS: N ops in S s (R ops/s), C checks, 0 violations, 0 splats, 0 leaks
# Documentation/reliability.rst reports the runs.
#
# Targets:
#   debug   the KUnit debug kernel of scripts/kunit.sh (fscache_ops built
#           in; KASAN, lockdep, kmemleak...): the default
#   6.12    Debian's 6.12 kernel
#   6.1     Debian's 6.1 kernel
#
# Usage: scripts/stress.sh [debug|6.12|6.1] [--long] [--ops N] [--seed N]
#   --ops N     ops in all, shared by the three runs (default 1000000)
#   --long      ten times the default ops
#   --seed N    seed of the module's random choices (default 1)
#   --args "…"  more module parameters (objects=, threads=, cache_period_ms=)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

kernel=debug
ops=
long=
seed=1
args=

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	debug | 6.12 | 6.1) kernel=$1; shift ;;
	--ops) ops=${2:?}; shift 2 ;;
	--long) long=1; shift ;;
	--seed) seed=${2:?}; shift 2 ;;
	--args) args=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "stress: unknown argument $1" >&2; usage >&2 ;;
	esac
done

if [ -z "$ops" ]; then
	ops=1000000
	[ -z "$long" ] || ops=$((ops * 10))
fi

"$top/scripts/deps.sh"
dir=$cache/stress
mkdir -p "$dir"

case "$kernel" in
6.1 | 6.12)
	hdr=$(kernel_headers_dir "$kernel")
	[ -n "$hdr" ] || { echo "stress: no headers for $kernel" >&2; exit 1; }
	abi=${hdr#/usr/src/linux-headers-}
	kroot=$(fetch_distro_kernel "$abi")
	mods=$(build_backend "$dir/build-$kernel" "$hdr" 1 tests/stress)
	image=$kroot/boot/vmlinuz-$abi
	;;
debug)
	kb=$cache/kunit-build
	if [ ! -f "$kb/arch/x86/boot/bzImage" ] || [ ! -f "$kb/Module.symvers" ]; then
		echo "stress: no debug kernel: run scripts/kunit.sh first to build it" >&2
		exit 1
	fi
	debug_kernel_current "$top" "$kb" stress || exit 1
	mods=$(build_backend "$dir/build-debug" "$kb" "" tests/stress)
	image=$kb/arch/x86/boot/bzImage
	;;
esac

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
initramfs_skeleton "$root"
[ "$kernel" = debug ] || cp "$mods/fscache_ops.ko" "$root/lib/"
cp "$mods/tests/stress/fscache_ops_stress.ko" "$root/lib/"
echo "ops=$ops seed=$seed $args" >"$root/lib/stress.args"
cp "$top/tests/stress/init.sh" "$root/init"
chmod +x "$root/init"
pack_initramfs "$root" "$dir/initrd-$kernel.gz"

log=$dir/$kernel.log
echo "stress[$kernel]: $ops ops, booting $(basename "$image"), console log in $log"
start=$(date +%s)
qemu_boot "$image" "$dir/initrd-$kernel.gz" "$log" 2 "${STRESS_TIMEOUT:-3600}"
secs=$(($(date +%s) - start))

# Each run's result, rate and checks, as the module printed them.
grep -E 'fscache_ops_stress: (result|mix|objects|check|PASS|FAIL|VIOLATION)|STRESS: (run|check|kmemleak|FAIL)' "$log" |
	sed -E 's/^\[ *[0-9.]+\] //; s/\r$//' || true

bad=0
report_splats "stress[$kernel]" "$log" || bad=1
if grep -qE 'STRESS: FAIL|fscache_ops_stress: (FAIL|VIOLATION)' "$log"; then
	echo "stress[$kernel]: violations or failures (above)" >&2
	bad=1
fi
nruns=$(grep -c 'fscache_ops_stress: PASS' "$log" || true)
if [ "$nruns" -ne 3 ]; then
	echo "stress[$kernel]: $nruns of 3 runs passed" >&2
	bad=1
fi
if ! grep -q 'STRESS: END OK' "$log"; then
	echo "stress[$kernel]: no end marker" >&2
	bad=1
fi
if [ $bad -ne 0 ]; then
	echo "stress[$kernel]: FAILED; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi

# The summary: ops and time over the three runs, checks over all.
awk -v k="$kernel" -v boot="$secs" '
	/fscache_ops_stress: result / {
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "ops") ops += kv[2]
			if (kv[1] == "seconds") s += kv[2]
		}
	}
	/fscache_ops_stress: check / || /STRESS: check counters/ {
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "checks") c += kv[2]
			if (kv[1] == "violations") v += kv[2]
		}
	}
	/STRESS: kmemleak leaks=/ { sub(/.*leaks=/, ""); leaks = $0 + 0 }
	END {
		printf "stress[%s]: PASS: %d ops in %.0f s (%.0f ops/s), %d checks, %d violations, 0 splats, %d leaks; VM %d s\n",
			k, ops, s, s ? ops / s : 0, c, v, leaks, boot
	}' "$log"
