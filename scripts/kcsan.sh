#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The second debug kernel: KCSAN (which cannot share a kernel with the KASAN
# of scripts/kunit.sh), lockdep, kmemleak and failslab/fail_page_alloc
# (scripts/kcsan.config), built from the same linux-source-6.12 tree with
# fscache_ops dropped in as a module (its KUnit suites inside it), then
# booted under QEMU (TCG, 2 CPUs) with a busybox initramfs whose /init
# (tests/kcsan/init.sh) runs these steps:
#
#   kunit  the KUnit suites: load the in-tree fscache_ops.ko; every case
#          must pass
#   vm     the VM test of scripts/vm.sh (tests/vm/init.sh): the VM test
#          module, the sample backend's workloads, init's error path
#   stress the stress module of scripts/stress.sh (tests/stress/init.sh):
#          --stress-ops random ops (default 500,000) over 256 objects, in
#          three runs (slow_max_active default, 2, 1), every invariant
#          checked, statistics balanced
#   churn  100 cycles of load fscache_ops, load a backend, a short
#          workload, rmmod fscache_ops refused, rmmod the backend, rmmod
#          fscache_ops; kmemleak every 25 cycles; slab must not grow
#   fault  load fscache_ops, the VM test module and the sample backend, and
#          start the sample's workload, with their 1st, 2nd, ... Nth
#          fault-injectable allocation failed (/proc/thread-self/fail-nth,
#          tests/kcsan/failnth.c) until one meets no fault: each must end
#          in a clean error or a working module; kmemleak after
#
# The kernel is built in $FSCACHE_OPS_CACHE/kcsan-build (default
# ~/.cache/fscache-ops): the first run builds it (about 6 minutes on 2
# cores), later runs rebuild only what changed.  The source tree is shared
# with scripts/kunit.sh: its lock is held while our sources are placed and
# the kernel built.  The modules for the vm, stress, churn and fault steps are
# built out of tree against it, as vm.sh does.
#
# Fails on any KCSAN report, splat (WARNING, BUG, lockdep, kmemleak, hung
# task...; the warnings of injected allocation failures excepted), failed
# KUnit case or failed step.  Prints the figures and ends with
# "kcsan: PASS ..." or "kcsan: FAIL ...".
#
# Usage: scripts/kcsan.sh [--cycles N] [--stress-ops N] [--build-only] [step...]
#        (steps: kunit vm stress churn fault; default all)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
build=$cache/kcsan-build
work=$cache/kcsan
jobs=$(nproc)
cycles=100
stress_ops=500000
build_only=
steps=()
while [ $# -gt 0 ]; do
	case "$1" in
	--cycles) cycles=${2:?}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--stress-ops) stress_ops=${2:?}; shift 2 ;;
	kunit | vm | stress | churn | fault) steps+=("$1"); shift ;;
	*) sed -n '/^# Usage:/,/^# *(steps/p' "$0" >&2; exit 2 ;;
	esac
done
[ ${#steps[@]} -gt 0 ] || steps=(kunit vm stress churn fault)

"$top/scripts/deps.sh"

# The tree is shared with scripts/kunit.sh: hold its lock while placing our
# sources and building, and let go before the (long) boot.
mkdir -p "$cache" "$work"
exec 9>"$cache/kunit-tree.lock"
if ! flock -n 9; then
	echo "kcsan: waiting for another run on $cache"
	flock 9
fi

unpack_kernel_source
"$top/scripts/drop-in.sh" "$src"

# The configuration: scripts/kcsan.config completed by olddefconfig, made
# again only when the fragment changed (a new .config rebuilds everything).
frag=$(grep -v '^#' "$top/scripts/kcsan.config" | grep . |
	sed 's/^\(CONFIG_[A-Z0-9_]*\)=n$/# \1 is not set/')
mkdir -p "$build"
if [ ! -f "$build/.config" ] || [ "$frag" != "$(cat "$build/.fscache-ops-fragment" 2>/dev/null)" ]; then
	echo "kcsan: configuring $build"
	echo "$frag" >"$build/.config"
	make -s -C "$src" O="$build" ARCH=x86_64 olddefconfig
	missing=$(echo "$frag" | while read -r l; do
		grep -qxF "$l" "$build/.config" || echo "$l"
	done)
	if [ -n "$missing" ]; then
		echo "kcsan: olddefconfig dropped: $missing" >&2
		exit 1
	fi
	echo "$frag" >"$build/.fscache-ops-fragment"
fi

start=$(date +%s)
echo "kcsan: building the kernel in $build"
make -s -C "$src" O="$build" ARCH=x86_64 -j"$jobs" bzImage modules
echo "kcsan: kernel built in $(($(date +%s) - start)) s"
flock -u 9

# The modules of the vm, churn and fault steps, out of tree, from clean
# sources (as scripts/vm.sh builds them), and the fail-nth helper.
rm -rf "$work/src" && mkdir -p "$work/src"
copy_sources "$top" "$work/src"
# Without the KUnit suites, which the kernel's configuration would link in
# (they run at each load): the kunit step loads the in-tree module.
make -s -C "$work/src" KDIR="$build" CONFIG_FSCACHE_OPS_KUNIT_TEST=
if grep -q fscache_ops_rules "$work/src/fscache_ops.ko"; then
	echo "kcsan: the out-of-tree fscache_ops.ko has the KUnit suites" >&2
	exit 1
fi
make -s -C "$work/src/tests/vm/noimport" KDIR="$build" >"$work/noimport.log" 2>&1 ||
	{ cat "$work/noimport.log" >&2; exit 1; }
make -s -C "$work/src/samples/fscache_ops_cachefiles" KDIR="$build"
make -s -C "$work/src/tests/stress" KDIR="$build" SYMVERS="$work/src/Module.symvers"
gcc -static -O2 -Wall -Werror -o "$work/failnth" "$top/tests/kcsan/failnth.c"
[ -n "$build_only" ] && exit 0

root=$work/initramfs
rm -rf "$root"
initramfs_skeleton "$root"
mkdir -p "$root/lib/kunit"
cp "$build/fs/fscache_ops/fscache_ops.ko" "$root/lib/kunit/"
cp "$work/src/fscache_ops.ko" "$work/src/tests/vm/fscache_ops_vmtest.ko" \
	"$work/src/tests/vm/noimport/fscache_ops_noimport.ko" \
	"$work/src/samples/fscache_ops_cachefiles/fscache_ops_cachefiles.ko" \
	"$work/src/tests/stress/fscache_ops_stress.ko" "$root/lib/"
echo "ops=$stress_ops" >"$root/lib/stress.args"
: >"$root/lib/distro.list"
cp "$work/failnth" "$root/bin/failnth"
cp "$top/tests/kcsan/init.sh" "$root/init"
# The VM test's /init, run as a step: without its mounts and its reboot.
sed -e '/^mount -t \(proc\|sysfs\|debugfs\) /d' -e '/^reboot -f/d' \
	-e '/^\/bin\/busybox --install/d' "$top/tests/vm/init.sh" >"$root/bin/vm-init.sh"
cp "$top/tests/vm/trace-check.sh" "$root/bin/trace-check.sh"
# The stress's /init too (scripts/stress.sh), the same way.
sed -e '/^mount -t \(proc\|sysfs\|debugfs\) /d' -e '/^reboot -f/d' \
	-e '/^\/bin\/busybox --install/d' "$top/tests/stress/init.sh" >"$root/bin/stress-init.sh"
cp "$top/samples/fscache_ops_cachefiles/vm-check.sh" "$root/bin/sample-check.sh"
chmod +x "$root/init"
pack_initramfs "$root" "$work/initrd.gz"

log=$work/console.log
steplist=$(IFS=,; echo "${steps[*]}")
echo "kcsan: booting (steps $steplist, $cycles churn cycles); console log $log"
start=$(date +%s)
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# fail at boot.  fsco_* reach /init as environment variables.
timeout 3600 qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic -no-reboot \
	-kernel "$build/arch/x86/boot/bzImage" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=7 no_timer_check fsco_steps=$steplist fsco_cycles=$cycles" \
	</dev/null >"$log" 2>&1 || true
runtime=$(($(date +%s) - start))

# From here on, a missing line is a finding, not an error: every grep
# whose output is captured ends in "|| true".
bad=()
# The lines of one step.
section() {
	sed -n "/FSCO: step $1 begin/,/FSCO: step $1 end/p" "$log"
}
for s in "${steps[@]}"; do
	grep -q "FSCO: step $s end" "$log" || bad+=("step $s did not end")
done
grep -q 'FSCO: END' "$log" || bad+=("no end marker")
if grep -q 'FSCO: .*FAIL' "$log"; then
	grep 'FSCO: .*FAIL' "$log" >&2
	bad+=("failed checks")
fi

# KCSAN's reports, each from its "BUG: KCSAN:" line to its closing line
# of "=": ours if one of the racing accesses was made in one of our modules
# (the access's first frame, or its second: a helper such as the list
# checks called from our code), else the kernel's own (a race between two
# parts of the kernel that we cannot fix: listed, not counted against us,
# and taken out of the log scanned for splats).  Our frames deeper down
# only say that we called into the kernel where it raced within itself:
# e.g. queue_work_on() -> kick_pool() reading a word the scheduler writes,
# "race at unknown origin".
ours=$work/kcsan-ours.txt
theirs=$work/kcsan-kernel.txt
clean=$work/console.clean
tracewarn=$work/fault-trace-warnings.txt
: >"$ours"
: >"$theirs"
: >"$tracewarn"
awk -v ours="$ours" -v theirs="$theirs" '
	/BUG: KCSAN:/ { inb = 1; blk = ""; mine = 0; frame = 99 }
	inb {
		blk = blk $0 "\n"
		# An access: "read to 0x... of 4 bytes by task 1 on cpu 0:",
		# "race at unknown origin, with read to ...", then its stack.
		if ($0 ~ / to 0x[0-9a-f]+ of [0-9]+ bytes by /)
			frame = 0
		else if ($0 ~ /^(\[ *[0-9.]+\])? +[A-Za-z_.][A-Za-z0-9_.]*\+0x/) {
			if (++frame <= 2 && $0 ~ /\[fscache_ops(_vmtest|_cachefiles)?\]/)
				mine = 1
		} else
			frame = 99
		if ($0 ~ /=====================/) {
			inb = 0
			printf "%s", blk >(mine ? ours : theirs)
			if (mine)
				printf "%s", blk
		}
		next
	}
	{ print }
	END { if (inb) printf "%s", blk }' "$log" |
# In the fault step only: injected allocation failures warn with a stack
# trace ("page allocation failure", "vmalloc error"), which is no splat;
# and the kernel's tracing core WARNs when it cannot set up the events of
# a module being loaded, and again at its unload (trace_events.c, 6.12):
# those are listed apart, as the kernel's own.
awk -v tw="$tracewarn" '
	/FSCO: step fault begin/ { f = 1 }
	/FSCO: step fault end/ { f = 0 }
	f && /page allocation failure:|vmalloc error:/ { skip = 1 }
	f && /WARNING: .* at kernel\/trace\// { tskip = 1 }
	tskip { print >tw; if (/---\[ end trace/) tskip = 0; next }
	!skip { print }
	skip && /<\/TASK>/ { skip = 0 }' >"$clean"
splats=$(find_splats "$clean")
nsplats=$(echo -n "$splats" | grep -c . || true)
kcsan_reports=$(grep -c 'BUG: KCSAN:' "$ours" || true)
kcsan_kernel=$(grep -c 'BUG: KCSAN:' "$theirs" || true)
injected=$(($(grep -c 'page allocation failure:\|vmalloc error:' "$log" || true)))
if ! grep -q 'kcsan: selftest: 3/3 tests passed' "$log"; then
	bad+=("KCSAN's selftest did not pass")
fi
if [ "$kcsan_reports" -gt 0 ]; then
	echo "kcsan: KCSAN reports in our code ($ours):" >&2
	grep -o 'BUG: KCSAN:.*' "$ours" | sed 's/+0x[0-9a-f/x]*//g' | sort | uniq -c >&2 || true
	bad+=("$kcsan_reports KCSAN reports")
fi
if [ "$kcsan_kernel" -gt 0 ]; then
	echo "kcsan: KCSAN reports within the kernel, none of our frames in them ($theirs):"
	grep -o 'BUG: KCSAN:.*' "$theirs" | sed 's/+0x[0-9a-f/x]*//g' | sort | uniq -c || true
fi
if [ -s "$tracewarn" ]; then
	echo "kcsan: the kernel's tracing core warned under injected failures ($tracewarn):"
	grep -o 'WARNING: .* at [^ ]*' "$tracewarn" | sed 's/WARNING: CPU: [0-9]* PID: [0-9]* //' | sort | uniq -c || true
fi
if [ -n "$splats" ]; then
	echo "kcsan: splats in the console log ($log):" >&2
	echo "$splats" | head -40 >&2
	bad+=("$nsplats splat lines")
fi

figures=()
if [[ " ${steps[*]} " == *" kunit "* ]]; then
	kout=$(section kunit | sed -n '/FSCO: kunit begin/,/FSCO: kunit end/p' |
		python3 "$src/tools/testing/kunit/kunit.py" parse 2>&1 || true)
	kline=$(echo "$kout" | grep -E 'Ran [0-9]+ tests' | tail -n 1 || true)
	echo "kcsan: kunit: ${kline:-no result}"
	kpass=$(echo "$kline" | sed -nE 's/.*passed: ([0-9]+).*/\1/p')
	if [ -z "$kpass" ] || [ "$kpass" -eq 0 ] ||
	   echo "$kline" | grep -qE 'failed|crashed|errors'; then
		echo "$kout" | grep -E 'FAILED|CRASHED|not ok|ERROR' | head -20 >&2 || true
		bad+=("KUnit")
	fi
	figures+=("kunit=${kpass:-0}")
fi
if [[ " ${steps[*]} " == *" vm "* ]]; then
	v=$(section vm)
	for want in 'VMTEST: END OK' 'fscache_ops_vmtest: PASS' 'fscache_ops_vmtest: unloaded clean' 'SAMPLE: PASS'; do
		echo "$v" | grep -q "$want" || bad+=("vm: no '$want'")
	done
	if echo "$v" | grep -qE 'VMTEST: FAIL|fscache_ops_vmtest: FAIL|SAMPLE: FAIL'; then
		echo "$v" | grep -E 'VMTEST: FAIL|fscache_ops_vmtest: FAIL|SAMPLE: FAIL' >&2 || true
		bad+=("vm")
	fi
	figures+=("vm=$(echo "$v" | grep -o 'fscache_ops_vmtest: PASS [0-9]* checks' | head -n 1 | grep -o '[0-9]*' || echo 0)checks")
fi
if [[ " ${steps[*]} " == *" stress "* ]]; then
	st=$(section stress)
	echo "$st" | grep -q 'STRESS: END OK' || bad+=("stress: no 'STRESS: END OK'")
	if echo "$st" | grep -qE 'STRESS: FAIL|violations=[1-9]'; then
		echo "$st" | grep -E 'STRESS: FAIL|violations=[1-9]' >&2 || true
		bad+=("stress")
	fi
	sops=$(echo "$st" | sed -nE 's/.*fscache_ops_stress: result label=[^ ]* ops=([0-9]+).*/\1/p' |
	       awk '{ n += $1 } END { print n + 0 }')
	echo "kcsan: stress: $sops ops, $(echo "$st" | grep -c ' check .*violations=0') checks without a violation"
	figures+=("stress_ops=$sops")
fi
if [[ " ${steps[*]} " == *" churn "* ]]; then
	c=$(grep -o 'FSCO: churn PASS.*' "$log" | head -n 1 || true)
	[ -n "$c" ] || bad+=("churn")
	echo "kcsan: churn: ${c:-FAIL}"
	figures+=("cycles=$(echo "$c" | sed -nE 's/.*cycles=([0-9]+).*/\1/p')")
fi
if [[ " ${steps[*]} " == *" fault "* ]]; then
	grep -o 'FSCO: fault [a-z_]*: [0-9]* injection points.*' "$log" | sed 's/^FSCO: /kcsan: /' || true
	f=$(grep -o 'FSCO: fault PASS.*' "$log" | head -n 1 || true)
	[ -n "$f" ] || bad+=("fault")
	figures+=("injection_points=$(echo "$f" | sed -nE 's/.*points=([0-9]+).*/\1/p')")
fi
leaks=$(grep -c '^unreferenced object\|] unreferenced object' "$log" || true)
grep -o 'FSCO: kmemleak .*' "$log" | sed 's/^FSCO: /kcsan: /' || true

echo "kcsan: ${figures[*]} kcsan_reports=$kcsan_reports kcsan_kernel_only=$kcsan_kernel leaks=$leaks splats=$nsplats injected_alloc_warnings=$injected run=${runtime}s"
if [ ${#bad[@]} -gt 0 ]; then
	echo "kcsan: FAIL: $(IFS=';'; echo "${bad[*]}"); last lines of $log:" >&2
	tail -n 30 "$log" >&2
	echo "kcsan: FAIL"
	exit 1
fi
echo "kcsan: PASS"
