#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the stress initramfs (scripts/stress.sh): load fscache_ops
# (unless it is built in), run the stress module once per slow_max_active
# setting (the default, then 2, then 1), each run with the arguments in
# /lib/stress.args and its share of the ops, and after each check that
# fscache_ops' statistics balance and agree with what the module counted;
# then scan for leaks, print the end marker, power off.

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug

stats=/sys/kernel/debug/fscache_ops/stats
param=/sys/module/fscache_ops/parameters/slow_max_active
failed=0
checks=0
violations=0

fail() {
	echo "STRESS: FAIL $*"
	failed=1
}

stat_of() {
	awk -v k="$1" '$1 == k { print $2 }' $stats
}

# One balance check: $1 and $2 must be equal; $3 says what they are.
balance() {
	checks=$((checks + 1))
	if [ "$1" != "$2" ]; then
		violations=$((violations + 1))
		fail "counters: $3: $1 != $2"
	fi
}

echo "STRESS: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"

if [ -f /lib/fscache_ops.ko ]; then
	insmod /lib/fscache_ops.ko || fail "insmod fscache_ops"
fi
[ -f $stats ] || fail "no statistics in debugfs"

# ops=N (the total, shared by the runs), then the module's own arguments.
# shellcheck disable=SC2046
set -- $(cat /lib/stress.args)
total=${1#ops=}
shift
runs="default 2 1"
per=$(((total + 2) / 3))

for sma in $runs; do
	if [ "$sma" != default ]; then
		echo "$sma" >$param || fail "slow_max_active refused $sma"
	fi
	label=sma-$sma
	echo "STRESS: run $label: slow_max_active=$(cat $param) (0: the workqueue default), $per ops"
	cat $stats >/stats.before
	# The arguments are split into words on purpose.
	# shellcheck disable=SC2068
	if insmod /lib/fscache_ops_stress.ko ops=$per label="$label" $@; then
		rmmod fscache_ops_stress
	else
		fail "insmod fscache_ops_stress ($label)"
	fi

	# At rest, every counter balances (Documentation/admin.rst).
	balance "$(stat_of op_initialised)" "$(stat_of op_release)" "op_initialised == op_release"
	balance "$(stat_of op_deferred_release)" "$(stat_of op_gc)" "op_deferred_release == op_gc"
	balance "$(stat_of op_submit)" "$(($(stat_of op_run) + $(stat_of op_cancel_pending)))" \
		"op_submit == op_run + op_cancel_pending"
	balance "$(stat_of op_submit)" "$(($(stat_of op_complete) + $(stat_of op_cancelled)))" \
		"op_submit == op_complete + op_cancelled"
	balance "$(stat_of op_enqueue)" "$(($(stat_of op_work) + $(stat_of op_enqueue_dup)))" \
		"op_enqueue == op_work + op_enqueue_dup"
	balance "$(stat_of obj_init)" "$(stat_of obj_dead)" "obj_init == obj_dead"
	balance "$(stat_of obj_init)" "$(stat_of obj_free)" "obj_init == obj_free"
	balance "$(stat_of cache_add)" "$(stat_of cache_withdraw)" "cache_add == cache_withdraw"
	balance "$(stat_of misuse)" 0 "misuse == 0"
	# What changed during the run is what the module counted.
	counts=$(dmesg | grep "fscache_ops_stress: counts label=$label " | tail -n 1)
	[ -n "$counts" ] || fail "no counts from the module ($label)"
	for kv in ${counts#*label="$label" }; do
		k=${kv%%=*}
		delta=$(awk -v k="$k" 'NR == FNR { if ($1 == k) b = $2; next }
				       $1 == k { print $2 - b }' /stats.before $stats)
		balance "$delta" "${kv#*=}" "$k during $label, by fscache_ops and by the module"
	done
done
echo "STRESS: check counters checks=$checks violations=$violations"
cat $stats

if [ -f /lib/fscache_ops.ko ]; then
	rmmod fscache_ops || fail "rmmod fscache_ops"
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
	cat /sys/kernel/debug/kmemleak
	echo "STRESS: kmemleak leaks=$leaks"
else
	echo "STRESS: kmemleak not available"
fi

[ $failed = 0 ] && echo "STRESS: END OK"
# QEMU runs with -no-reboot: rebooting ends the VM on every kernel.
reboot -f
