#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the benchmark initramfs (scripts/bench.sh): load fscache_ops
# (unless it is built in), run the benchmark module with the arguments in
# /lib/bench.args, print what fscache_ops' own statistics counted meanwhile,
# power off.

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug

stats=/sys/kernel/debug/fscache_ops/stats

cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
echo "BENCH: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, clocksource $cs"

if [ -f /lib/fscache_ops.ko ]; then
	insmod /lib/fscache_ops.ko || echo "BENCH: FAIL insmod fscache_ops"
fi

# Without statistics (not built in), the report says so.
[ -f $stats ] || stats=/dev/null
cat $stats >/stats.before
# The arguments are split into words on purpose.
# shellcheck disable=SC2046
if insmod /lib/fscache_ops_bench.ko $(cat /lib/bench.args); then
	rmmod fscache_ops_bench
else
	echo "BENCH: FAIL insmod fscache_ops_bench"
fi

# What fscache_ops counted during the benchmark.
awk 'NR == FNR { before[$1] = $2; next }
     { line = line " " $1 "=" $2 - before[$1] }
     END { print "BENCH: stats" line }' /stats.before $stats

echo "BENCH: END"
# QEMU runs with -no-reboot: rebooting ends the VM on every kernel.
reboot -f
