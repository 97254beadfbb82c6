#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# The sample backend's part of the VM test: tests/vm/init.sh runs it (as
# /bin/sample-check.sh) with fscache_ops loaded.  Checks that the module
# refuses a bad cache directory at load and bad values in its control file,
# then runs two short workloads on a tmpfs: one with an I/O error injected
# midway (the cache must stop, later submissions get -ENOBUFS, the driver
# stops, nothing verified is corrupt), then a clean one, which must find
# and reuse the files the first left behind, verify everything and unlink
# every file at the end.  Prints "SAMPLE: PASS ..." or "SAMPLE: FAIL ..."
# lines; exits non-zero on a failure.

mod=/lib/fscache_ops_cachefiles.ko
d=/sys/kernel/debug/fscache_ops_cachefiles
top=/sample
bad=0

fail() {
	echo "SAMPLE: FAIL $*"
	bad=1
}

# A key of the last workload's summary line.
summary_of() {
	grep '^summary:' $d/report | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Wait for the workload to end, at most $1 seconds.
wait_done() {
	i=0
	while ! grep -q '^state: done' $d/report; do
		i=$((i + 1))
		if [ $i -gt "$1" ]; then
			fail "workload still running after $1 s"
			echo stop >$d/control
			return 1
		fi
		sleep 1
	done
}

# Is the kernel's refusal message there?
said() {
	dmesg | grep -q "fscache_ops_cachefiles: $1"
}

mkdir -p $top
mount -t tmpfs tmpfs $top 2>/dev/null || mount -t ramfs ramfs $top
mkdir $top/cache $top/ro
: >$top/file
mount -t tmpfs -o ro tmpfs $top/ro 2>/dev/null || mount -t ramfs -o ro ramfs $top/ro

# A bad cache directory is refused at load, with a message saying why.
for arg in "" dir=$top/missing dir=$top/file dir=$top/ro; do
	# $arg is empty or one word.
	# shellcheck disable=SC2086
	if insmod $mod $arg 2>/dev/null; then
		fail "loaded with '$arg'"
		rmmod fscache_ops_cachefiles
	fi
done
said "no cache directory: load with dir=" || fail "no message for a missing dir="
said "cache directory $top/missing does not exist" || fail "no message for a missing directory"
said "cache directory $top/file is not a directory" || fail "no message for a file"
said "cache directory $top/ro is not writable" || fail "no message for a read-only directory"

if ! insmod $mod dir=$top/cache; then
	fail "insmod dir=$top/cache"
	exit 1
fi

# Bad values are refused, each with a message, and change nothing.
before=$(cat $d/control)
for w in threads=0 objects=100000 blocks=x mix=1:2 mix=0:0:0 mix=1:1:1:1:1 \
	duration=0 ops=-1 "objects=1024 blocks=4096" bogus "start stop"; do
	echo "$w" >$d/control 2>/dev/null && fail "control accepted '$w'"
done
[ "$(cat $d/control)" = "$before" ] || fail "a refused control write changed the settings"
echo x >$d/inject_io_error 2>/dev/null && fail "inject_io_error accepted x"
said "control: threads=0 refused: must be 1-64" || fail "no message for threads=0"
said "control: 'bogus' refused" || fail "no message for 'bogus'"

# 1. An I/O error midway: the 200th backing-file I/O fails.
echo "objects=8 threads=2 blocks=32 mix=50:40:5:5 duration=0 ops=2000" >$d/control ||
	fail "control refused the workload"
echo 200 >$d/inject_io_error
echo start >$d/control || fail "start"
wait_done 400
sed 's/^/SAMPLE: /' $d/report
[ "$(summary_of result)" = OK ] || fail "error run: result $(summary_of result)"
[ "$(summary_of mismatches)" = 0 ] || fail "error run: mismatches"
[ "$(summary_of injected)" = 1 ] || fail "error run: no injected I/O error"
[ "$(summary_of refused)" -gt 0 ] 2>/dev/null || fail "error run: no -ENOBUFS after the error"
[ "$(summary_of verified)" -gt 0 ] 2>/dev/null || fail "error run: nothing verified before the error"
[ "$(summary_of unlinked)" = 0 ] || fail "error run: files of a failed cache unlinked"
dmesg | grep -q 'fscache_ops: cache cachefiles-sample stopped after an I/O error' ||
	fail "error run: fscache_ops did not say the cache stopped"
err_summary=$(grep '^summary:' $d/report)

# 2. A clean run: the cache is registered anew, the files left over are
# found and emptied, and at the end unlinked.
echo "ops=1000" >$d/control || fail "control refused ops=1000"
echo start >$d/control || fail "start"
wait_done 400
sed 's/^/SAMPLE: /' $d/report
[ "$(summary_of result)" = OK ] || fail "clean run: result $(summary_of result)"
for k in mismatches io_errors refused cancelled timeouts other; do
	[ "$(summary_of $k)" = 0 ] || fail "clean run: $k $(summary_of $k)"
done
[ "$(summary_of verified)" -gt 0 ] 2>/dev/null || fail "clean run: nothing verified"
[ "$(summary_of found)" = 8 ] || fail "clean run: $(summary_of found) of 8 left-over files found"
[ "$(summary_of unlinked)" = 8 ] || fail "clean run: $(summary_of unlinked) of 8 files unlinked"
[ -z "$(ls $top/cache)" ] || fail "files left in the cache: $(ls $top/cache)"
dmesg | grep -q 'fscache_ops_cachefiles: MISMATCH' && fail "a mismatch was reported"
clean_summary=$(grep '^summary:' $d/report)

rmmod fscache_ops_cachefiles || fail "rmmod fscache_ops_cachefiles"
umount $top/ro
umount $top

if [ $bad = 0 ]; then
	echo "SAMPLE: PASS"
	echo "SAMPLE: error run: ${err_summary#summary: }"
	echo "SAMPLE: clean run: ${clean_summary#summary: }"
fi
[ $bad = 0 ]
