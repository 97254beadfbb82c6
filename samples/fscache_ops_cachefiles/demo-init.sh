#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the demo's initramfs (scripts/demo.sh): a tmpfs for the cache,
# fscache_ops and the sample backend loaded, the workload run (the module
# prints its progress once a second and its final report), then
# fscache_ops' statistics as a table and its histograms; everything
# unloaded, a leak scan where the kernel has kmemleak, power off.  Lines
# meant for the viewer start with "DEMO:"; "DEMO: END OK" ends a run in
# which nothing went wrong here.  The workload's control words, if any, are
# in /lib/demo.args.

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug

d=/sys/kernel/debug/fscache_ops_cachefiles
fo=/sys/kernel/debug/fscache_ops
failed=0

say() {
	echo "DEMO: $*"
}

fail() {
	say "FAIL: $*"
	failed=1
}

finish() {
	if [ -w /sys/kernel/debug/kmemleak ]; then
		say "scanning for leaks (kmemleak)"
		echo scan >/sys/kernel/debug/kmemleak
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak
	fi
	if [ $failed = 0 ]; then
		say "END OK"
	else
		say "END FAIL"
	fi
	# QEMU runs with -no-reboot: rebooting ends the VM on every kernel.
	reboot -f
}

stat_of() {
	awk -v k="$1" '$1 == k { print $2 }' $fo/stats
}

say "Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
mkdir -p /cache
if mount -t tmpfs -o size=512m tmpfs /cache 2>/dev/null; then
	fs=tmpfs
else
	mount -t ramfs ramfs /cache
	fs="ramfs (this kernel has no tmpfs)"
fi
say "the cache: the directory /cache, on a $fs"

if [ -f /lib/fscache_ops.ko ]; then
	insmod /lib/fscache_ops.ko || fail "insmod fscache_ops"
	say "loaded fscache_ops.ko"
else
	say "fscache_ops is built into this kernel"
fi
# Time the ops, for the histograms shown at the end (a build without
# statistics has neither).
if [ -w /sys/module/fscache_ops/parameters/timing ]; then
	echo 1 >/sys/module/fscache_ops/parameters/timing ||
		fail "cannot switch fscache_ops' timing on"
fi
if ! insmod /lib/fscache_ops_cachefiles.ko dir=/cache; then
	fail "insmod fscache_ops_cachefiles"
	finish
fi
say "loaded fscache_ops_cachefiles.ko dir=/cache"

args=$(cat /lib/demo.args 2>/dev/null)
if [ -n "$args" ] && ! echo "$args" >$d/control; then
	fail "the workload '$args' was refused"
	finish
fi
say "workload: $(sed -n 2p $d/control)"
say ""
echo start >$d/control || fail "start"

# The workload's own time limit ends it; this is a backstop.
limit=$(sed -n 's/.*duration=\([0-9]*\).*/\1/p' $d/control)
limit=$((limit + 600))
i=0
while ! grep -q '^state: done' $d/report; do
	i=$((i + 1))
	if [ $i -gt $limit ]; then
		fail "the workload did not end"
		echo stop >$d/control
	fi
	sleep 1
done
grep -q '^summary: result=OK' $d/report || fail "the workload's result: $(grep -o 'result=[A-Z]*' $d/report)"

rmmod fscache_ops_cachefiles || fail "rmmod fscache_ops_cachefiles"
left=$(ls /cache)
[ -z "$left" ] || fail "files left in the cache: $left"

if [ -f $fo/stats ]; then
	say ""
	say "fscache_ops' statistics ($fo/stats), after the sample was unloaded:"
	awk '
	BEGIN {
		d["op_initialised"] = "ops initialised"
		d["op_submit"] = "submissions accepted"
		d["op_pend"] = "deferred on their object'"'"'s queue"
		d["op_run"] = "started"
		d["op_enqueue"] = "queued on a workqueue"
		d["op_enqueue_dup"] = "queued while queued already"
		d["op_work"] = "work items run"
		d["op_process"] = "processors called"
		d["op_rejected"] = "submissions refused (-ENOBUFS)"
		d["op_complete"] = "completed"
		d["op_cancelled"] = "cancelled"
		d["op_cancel_pending"] = "cancelled before they started"
		d["op_release"] = "released by their last put"
		d["op_deferred_release"] = "last puts handed to the GC"
		d["op_gc"] = "finished by the GC"
		d["obj_init"] = "objects initialised"
		d["obj_active"] = "became active"
		d["obj_dead"] = "died"
		d["obj_free"] = "freed (put_object())"
		d["ev_cleared"] = "times an object'"'"'s op count fell to 0"
		d["cache_add"] = "caches registered"
		d["cache_io_error"] = "stopped by an I/O error"
		d["cache_withdraw"] = "withdrawn"
		d["misuse"] = "backend mistakes refused"
		printf "DEMO:   %-20s %12s  %s\n", "counter", "value", "meaning"
	}
	{
		g = $1 ~ /^op_/ ? "ops" : $1 ~ /^(obj_|ev_)/ ? "objects" : \
		    $1 ~ /^cache_/ ? "caches" : "backends"
		if (g != last)
			printf "DEMO:   %s\n", g
		last = g
		printf "DEMO:     %-18s %12s  %s\n", $1, $2, d[$1]
	}' $fo/stats
	[ "$(stat_of op_initialised)" = "$(stat_of op_release)" ] ||
		fail "ops initialised != released"
	[ "$(stat_of op_deferred_release)" = "$(stat_of op_gc)" ] ||
		fail "ops deferred != gc'd"
	[ "$(stat_of obj_init)" = "$(stat_of obj_dead)" ] ||
		fail "objects initialised != dead"
	[ "$(stat_of misuse)" = 0 ] || fail "backend mistakes reported"
	[ $failed = 0 ] &&
		say "  (balanced: every op initialised was released, every object died; no mistakes)"
fi
if [ -f $fo/histogram ]; then
	say ""
	say "fscache_ops' histograms ($fo/histogram): how many ops waited"
	say "(from submission to their start) and ran for how long, per bucket:"
	sed 's/^/DEMO:   /' $fo/histogram
fi
say ""

if [ -f /lib/fscache_ops.ko ]; then
	rmmod fscache_ops || fail "rmmod fscache_ops"
fi
umount /cache
say "unloaded everything"
finish
