#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the KCSAN kernel's initramfs (scripts/kcsan.sh).  The steps to
# run come from the kernel command line (fsco_steps=kunit,vm,stress,churn,fault),
# each between "FSCO: step NAME begin" and "FSCO: step NAME end" lines, each
# ending with "FSCO: NAME PASS ..." or "FSCO: NAME FAIL ...":
#
#   kunit  load /lib/kunit/fscache_ops.ko, whose KUnit suites run at load
#          (KTAP on the console, parsed by the host), and unload it
#   vm     the VM test of scripts/vm.sh (tests/vm/init.sh): the VM test
#          module, the sample backend's workloads, init's error path
#   stress the stress of scripts/stress.sh (tests/stress/init.sh), with the
#          ops of /lib/stress.args
#   churn  fsco_cycles cycles of: load fscache_ops, load a backend (the VM
#          test module and the sample backend in turn), a short workload,
#          rmmod fscache_ops refused, rmmod the backend, rmmod fscache_ops;
#          kmemleak scans every 25 cycles and at the end
#   fault  each module's load (and the sample's workload start) with its
#          1st, 2nd, ... fault-injectable allocation failed (failnth)
#          until a run meets no fault; then a kmemleak scan
#
# The host scans the whole console log for splats; kmemleak's reports are
# printed, so they count as splats too.

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug

kml=/sys/kernel/debug/kmemleak
steps=${fsco_steps:-kunit,vm,stress,churn,fault}
cycles=${fsco_cycles:-100}

# kmemleak: two scans (an object must be 5 s old to be reported); prints
# the reports and how many there were.
leak_scan() {
	echo scan >$kml
	sleep 6
	echo scan >$kml
	cat $kml
	leaks=$(grep -c '^unreferenced object' $kml)
	if [ "$leaks" = 0 ]; then
		echo "FSCO: kmemleak $1: 0 leaks"
	else
		echo "FSCO: kmemleak $1: FAIL $leaks leaks"
	fi
	echo clear >$kml
	[ "$leaks" = 0 ]
}

# Unreclaimable slab, in kB.
sunreclaim() {
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

loaded() {
	[ -d "/sys/module/$1" ]
}

step_kunit() {
	echo "FSCO: kunit begin"
	insmod /lib/kunit/fscache_ops.ko || echo "FSCO: kunit FAIL insmod"
	rmmod fscache_ops || echo "FSCO: kunit FAIL rmmod"
	echo "FSCO: kunit end"
}

step_vm() {
	# tests/vm/init.sh, without its mounts and its reboot.
	sh /bin/vm-init.sh
}

step_stress() {
	# tests/stress/init.sh, the same way: /lib/stress.args has its ops.
	sh /bin/stress-init.sh
}

# Wait (at most $1 s) for the sample's workload to end.
sample_wait() {
	i=0
	while ! grep -q '^state: done' /sys/kernel/debug/fscache_ops_cachefiles/report; do
		i=$((i + 1))
		[ $i -gt "$1" ] && return 1
		sleep 1
	done
}

step_churn() {
	bad=0
	refused=0
	mkdir -p /churn
	mount -t tmpfs tmpfs /churn
	slab0=
	c=1
	while [ $c -le "$cycles" ]; do
		insmod /lib/fscache_ops.ko || { echo "FSCO: churn FAIL cycle $c: insmod fscache_ops"; bad=1; break; }
		if [ $((c % 2)) = 1 ]; then
			backend=fscache_ops_vmtest
			insmod /lib/fscache_ops_vmtest.ko nr_ops=200 ||
				{ echo "FSCO: churn FAIL cycle $c: insmod $backend"; bad=1; }
		else
			backend=fscache_ops_cachefiles
			d=/sys/kernel/debug/fscache_ops_cachefiles
			if insmod /lib/fscache_ops_cachefiles.ko dir=/churn; then
				if ! echo "objects=4 threads=2 blocks=8 ops=200 duration=0" >$d/control ||
				   ! echo start >$d/control; then
					echo "FSCO: churn FAIL cycle $c: workload start"
					bad=1
				fi
				sample_wait 120 ||
					{ echo "FSCO: churn FAIL cycle $c: workload did not end"; bad=1; }
				grep -q '^summary: result=OK' $d/report ||
					{ echo "FSCO: churn FAIL cycle $c: workload result"; grep '^summary' $d/report; bad=1; }
			else
				echo "FSCO: churn FAIL cycle $c: insmod $backend"
				bad=1
			fi
		fi
		# fscache_ops is in use by the backend: its unload is refused.
		if rmmod fscache_ops 2>/dev/null || ! loaded fscache_ops; then
			echo "FSCO: churn FAIL cycle $c: rmmod fscache_ops allowed while $backend is loaded"
			bad=1
		else
			refused=$((refused + 1))
		fi
		rmmod $backend || { echo "FSCO: churn FAIL cycle $c: rmmod $backend"; bad=1; }
		if loaded fscache_ops; then
			rmmod fscache_ops || { echo "FSCO: churn FAIL cycle $c: rmmod fscache_ops"; bad=1; }
		fi
		loaded fscache_ops && { echo "FSCO: churn FAIL cycle $c: fscache_ops still loaded"; bad=1; }
		[ $bad = 0 ] || break
		if [ $((c % 25)) = 0 ] || [ "$c" = "$cycles" ]; then
			leak_scan "after cycle $c" || bad=1
			echo "FSCO: churn cycle $c: SUnreclaim $(sunreclaim) kB"
			# The first scan's figure is the reference: slab must not
			# grow by more than 2 MB over the cycles after it.
			if [ -z "$slab0" ]; then
				slab0=$(sunreclaim)
			elif [ $(($(sunreclaim) - slab0)) -gt 2048 ]; then
				echo "FSCO: churn FAIL unreclaimable slab grew from $slab0 to $(sunreclaim) kB"
				bad=1
			fi
		fi
		[ $bad = 0 ] || break
		c=$((c + 1))
	done
	umount /churn
	[ $bad = 0 ] &&
		echo "FSCO: churn PASS cycles=$cycles refused=$refused slab_kb=$slab0..$(sunreclaim)"
}

# Fault injection: failslab and fail_page_alloc fail only through
# fail-nth (probability 0), for sleeping allocations and order 0 too, and
# without their own stack dumps.
fault_setup() {
	for f in failslab fail_page_alloc; do
		echo 0 >/sys/kernel/debug/$f/verbose
		echo 0 >/sys/kernel/debug/$f/probability
		echo -1 >/sys/kernel/debug/$f/times
		echo N >/sys/kernel/debug/$f/ignore-gfp-wait
	done
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
}

# fault_loop NAME MODULE CMD...: run failnth N CMD... for N = 1, 2, ...
# until no fault is injected.  After each run, MODULE (if it loaded)
# is unloaded (MODULE is "" when the command loads none).  An injected failure must end in a clean error or a
# module that works; the run without a fault must succeed.
fault_loop() {
	name=$1
	mod=$2
	shift 2
	n=1
	while :; do
		out=$(failnth $n "$@")
		rc=$?
		case "$out" in
		*injected=yes*) ;;
		*injected=no*)
			[ $rc = 0 ] || { echo "FSCO: fault FAIL $name: failed without a fault: $out"; bad=1; }
			break ;;
		*) echo "FSCO: fault FAIL $name: failnth: $out"; bad=1; break ;;
		esac
		if [ $rc = 0 ]; then
			coped=$((coped + 1))
		else
			[ -n "$mod" ] && loaded "$mod" &&
				{ echo "FSCO: fault FAIL $name: $out, but $mod is loaded"; bad=1; }
		fi
		fault_after "$name" $rc
		n=$((n + 1))
		[ $n -le 2000 ] || { echo "FSCO: fault FAIL $name: still injecting at 2000"; bad=1; break; }
	done
	echo "FSCO: fault $name: $((n - 1)) injection points, $coped coped (loaded or started anyway)"
	points=$((points + n - 1))
}

fault_after() {
	case $1 in
	fscache_ops)
		[ "$2" = 0 ] && rmmod fscache_ops
		;;
	vmtest)
		[ "$2" = 0 ] && rmmod fscache_ops_vmtest
		;;
	sample)
		[ "$2" = 0 ] && rmmod fscache_ops_cachefiles
		;;
	start)
		# Started anyway: let it end.
		if [ "$2" = 0 ]; then
			sample_wait 120 || { echo "FSCO: fault FAIL start: workload did not end"; bad=1; }
		fi
		grep -q '^state: running' /sys/kernel/debug/fscache_ops_cachefiles/report &&
			{ echo "FSCO: fault FAIL start: workload running after a failed start"; bad=1; }
		;;
	esac
}

step_fault() {
	bad=0
	points=0
	fault_setup
	echo "FSCO: fault begin"
	coped=0
	fault_loop fscache_ops fscache_ops load /lib/fscache_ops.ko
	loaded fscache_ops && rmmod fscache_ops
	# The module's own injection points too.
	for s in 1 2; do
		insmod /lib/fscache_ops.ko inject_init_failure=$s 2>/dev/null &&
			{ echo "FSCO: fault FAIL inject_init_failure=$s loaded"; bad=1; rmmod fscache_ops; }
	done

	insmod /lib/fscache_ops.ko || { echo "FSCO: fault FAIL insmod fscache_ops"; bad=1; }
	coped=0
	fault_loop vmtest fscache_ops_vmtest load /lib/fscache_ops_vmtest.ko nr_ops=20
	loaded fscache_ops_vmtest && rmmod fscache_ops_vmtest

	mkdir -p /fault
	mount -t tmpfs tmpfs /fault
	coped=0
	fault_loop sample fscache_ops_cachefiles load /lib/fscache_ops_cachefiles.ko dir=/fault
	loaded fscache_ops_cachefiles && rmmod fscache_ops_cachefiles
	if insmod /lib/fscache_ops_cachefiles.ko dir=/fault; then
		d=/sys/kernel/debug/fscache_ops_cachefiles
		echo "objects=4 threads=2 blocks=8 ops=200 duration=0" >$d/control
		coped=0
		fault_loop start "" write $d/control start
		sample_wait 120
		grep '^summary:' $d/report
		rmmod fscache_ops_cachefiles || { echo "FSCO: fault FAIL rmmod sample"; bad=1; }
	else
		echo "FSCO: fault FAIL insmod sample"
		bad=1
	fi
	umount /fault
	rmmod fscache_ops || { echo "FSCO: fault FAIL rmmod fscache_ops"; bad=1; }
	echo "FSCO: fault end"
	leak_scan "after fault injection" || bad=1
	[ $bad = 0 ] && echo "FSCO: fault PASS points=$points"
}

echo "FSCO: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, steps $steps"
# (The steps' functions share the shell's variables: this loop's is its own.)
for fsco_step in $(echo "$steps" | tr ',' ' '); do
	echo "FSCO: step $fsco_step begin"
	"step_$fsco_step"
	echo "FSCO: step $fsco_step end"
done
echo "FSCO: END"
# QEMU runs with -no-reboot: rebooting ends the VM on every kernel.
reboot -f
