#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the VM test initramfs (scripts/vm.sh): load the distro's netfs
# modules beside fscache_ops, run the VM test module, unload, check the
# statistics and leaks, print the end marker, power off.

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug

failed=0
fail() {
	echo "VMTEST: FAIL $*"
	failed=1
}

stat_of() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/fscache_ops/stats
}

echo "VMTEST: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"

# The distro's own modules first: ours must load beside them.
for m in $(cat /lib/distro.list); do
	insmod "/lib/$m.ko" || fail "insmod distro $m"
done

if [ -f /lib/fscache_ops.ko ]; then
	# Init's error path, at each step that can fail: a clean error, no
	# debugfs left behind, no splat (the counters must outlive the files
	# that read them); a bad step number is refused.
	for step in 1 2; do
		insmod /lib/fscache_ops.ko inject_init_failure=$step 2>/dev/null &&
			fail "init did not fail at injected step $step"
		[ -e /sys/kernel/debug/fscache_ops ] &&
			fail "debugfs left after init failed at step $step"
	done
	insmod /lib/fscache_ops.ko inject_init_failure=7 2>/dev/null &&
		fail "inject_init_failure=7 accepted"
	insmod /lib/fscache_ops.ko || fail "insmod fscache_ops"
fi
[ -d /sys/module/fscache_ops ] || fail "fscache_ops not present"

# A bad parameter value is refused and changes nothing.
before=$(cat /sys/module/fscache_ops/parameters/slow_max_active)
echo 0 >/sys/module/fscache_ops/parameters/slow_max_active 2>/dev/null &&
	fail "slow_max_active accepted 0"
echo bogus >/sys/module/fscache_ops/parameters/slow_max_active 2>/dev/null &&
	fail "slow_max_active accepted bogus"
[ "$(cat /sys/module/fscache_ops/parameters/slow_max_active)" = "$before" ] ||
	fail "slow_max_active changed by a refused write"
echo 2 >/sys/module/fscache_ops/parameters/slow_max_active ||
	fail "slow_max_active refused 2"
# Timing is off unless asked for; then the histograms and ages fill.
timing=/sys/module/fscache_ops/parameters/timing
[ "$(cat $timing)" = N ] || fail "timing on by default"
echo sometimes >$timing 2>/dev/null && fail "timing accepted sometimes"
[ "$(cat $timing)" = N ] || fail "timing changed by a refused write"
echo 1 >$timing || fail "timing refused 1"

# A user that does not import the FSCACHE_OPS namespace is refused, with
# the kernel's own message.
if [ -f /lib/fscache_ops_noimport.ko ]; then
	if insmod /lib/fscache_ops_noimport.ko 2>/dev/null; then
		fail "fscache_ops_noimport loaded without importing FSCACHE_OPS"
		rmmod fscache_ops_noimport
	fi
	ns_msg=$(dmesg | grep -o 'fscache_ops_noimport: module uses symbol (.*) from namespace FSCACHE_OPS, but does not import it' |
		 head -n 1)
	if [ -n "$ns_msg" ]; then
		echo "VMTEST: refused as it should be: $ns_msg"
	else
		fail "no namespace message for fscache_ops_noimport"
	fi
fi

# Trace fscache_ops' events during the test module's run, through tracefs
# with a clock that orders events across CPUs.
tracing=/sys/kernel/tracing
mount -t tracefs tracefs $tracing 2>/dev/null
if [ -d $tracing/events/fscache_ops ]; then
	echo global >$tracing/trace_clock
	echo 8192 >$tracing/buffer_size_kb
	echo 1 >$tracing/events/fscache_ops/enable
else
	fail "no fscache_ops events in tracefs"
fi

insmod /lib/fscache_ops_vmtest.ko || fail "fscache_ops_vmtest"
# The busy cache the test module leaves behind, as debugfs shows it.
cat /sys/kernel/debug/fscache_ops/caches
head -n 12 /sys/kernel/debug/fscache_ops/objects
grep -q '^OBJ=' /sys/kernel/debug/fscache_ops/objects ||
	fail "no live object in debugfs"
rmmod fscache_ops_vmtest 2>/dev/null

# One op's and one object's events, in order, with the right ids.
if [ -d $tracing/events/fscache_ops ]; then
	echo 0 >$tracing/events/fscache_ops/enable
	cat $tracing/trace >/trace.txt
	sh /bin/trace-check.sh /trace.txt || fail "tracepoints"
	echo >$tracing/trace
fi

# The sample backend (samples/fscache_ops_cachefiles/): refusals, then a
# short workload on a tmpfs with an I/O error injected, then a clean one.
# Its ops count in the statistics checked below.
sh /bin/sample-check.sh || fail "sample backend"

cat /sys/kernel/debug/fscache_ops/stats
cat /sys/kernel/debug/fscache_ops/histogram
awk 'NR > 1 { n += $3 + $4 } END { exit !(n > 0) }' /sys/kernel/debug/fscache_ops/histogram ||
	fail "no processor run timed with timing on"
[ "$(stat_of op_initialised)" = "$(stat_of op_release)" ] ||
	fail "ops initialised != released"
[ "$(stat_of op_deferred_release)" = "$(stat_of op_gc)" ] ||
	fail "ops deferred != gc'd"
[ "$(stat_of obj_init)" = "$(stat_of obj_dead)" ] ||
	fail "objects initialised != dead"
[ "$(stat_of misuse)" = 0 ] || fail "backend misuse reported"
# Every accepted op started or was cancelled pending, and ended complete or
# cancelled; every queueing ran or met one still queued; every object was
# freed; every cache withdrawn.
[ "$(stat_of op_submit)" = "$(($(stat_of op_run) + $(stat_of op_cancel_pending)))" ] ||
	fail "ops submitted != run + cancelled pending"
[ "$(stat_of op_submit)" = "$(($(stat_of op_complete) + $(stat_of op_cancelled)))" ] ||
	fail "ops submitted != complete + cancelled"
[ "$(stat_of op_enqueue)" = "$(($(stat_of op_work) + $(stat_of op_enqueue_dup)))" ] ||
	fail "ops queued != work runs + duplicates"
[ "$(stat_of obj_init)" = "$(stat_of obj_free)" ] ||
	fail "objects initialised != freed"
[ "$(stat_of cache_add)" = "$(stat_of cache_withdraw)" ] ||
	fail "caches added != withdrawn"

if [ -f /lib/fscache_ops.ko ]; then
	rmmod fscache_ops || fail "rmmod fscache_ops"
fi
reversed=
for m in $(cat /lib/distro.list); do
	reversed="$m $reversed"
done
for m in $reversed; do
	rmmod "$m" || fail "rmmod distro $m"
done

if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
fi

[ $failed = 0 ] && echo "VMTEST: END OK"
# QEMU runs with -no-reboot: rebooting ends the VM on every kernel.
reboot -f
