#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# Run by the VM test's /init (tests/vm/init.sh) on the trace (tracefs'
# "trace" file) of fscache_ops' events during the VM test module's run.
# Picks the first op submitted to run at once, its object and its cache,
# prints their events and checks that they came in the right order with
# the right ids:
#
#   op:      INIT SUBMIT-RUN START ENQUEUE PROCESS PUT-FINAL
#            [PUT-DEFER GC] COMPLETE RELEASE
#   object:  NEW, states LOOK_UP LOOKING_UP CREATING ACTIVE RELEASING
#            KILLED DROPPING DEAD, then DEAD (unlinked) and FREE
#   cache:   ADD, name=vmtest
#
# and that the op ran while the object was ACTIVE.  Exits non-zero, with
# a reason, if not.
#
# Usage: trace-check.sh TRACE

trace=${1:?usage: trace-check.sh TRACE}

awk '
function fail(why) { print "VMTEST: trace: " why; bad = 1 }
# The value of the field "key=value" of this line.
function val(key,	i) {
	for (i = 1; i <= NF; i++)
		if (index($i, key "=") == 1)
			return substr($i, length(key) + 2)
	return ""
}
# The word after the field "key=value" (an event trace name).
function after(key,	i) {
	for (i = 1; i <= NF; i++)
		if (index($i, key "=") == 1)
			return $(i + 1)
	return ""
}
{ line[NR] = $0 }
/ fscache_op: / && op == "" && / SUBMIT-RUN / {
	op = val("OP"); obj = val("OBJ"); cache = val("C")
}
END {
	if (op == "") { fail("no op submitted to run at once"); exit 1 }
	for (n = 1; n <= NR; n++) {
		$0 = line[n]
		if (/ fscache_op: / && val("OP") == op) {
			what = after("C")
			ops = ops " " what
			if (what != "INIT" && (val("OBJ") != obj || val("C") != cache))
				fail("op event with other ids: " $0)
			if (what == "SUBMIT-RUN") submitted = n
			if (what == "RELEASE") released = n
			print "VMTEST: trace: " $0
		} else if (/ fscache_object_state: / && val("OBJ") == obj) {
			states = states " " $(NF - 2)
			if (val("C") != cache)
				fail("object event with another cache: " $0)
			if ($(NF - 2) == "ACTIVE") active = n
			if ($(NF - 2) == "RELEASING") releasing = n
			print "VMTEST: trace: " $0
		} else if (/ fscache_object: / && val("OBJ") == obj) {
			what = after("C")
			lives = lives " " what
			if (what == "NEW") born = n
			if (what == "FREE") freed = n
			print "VMTEST: trace: " $0
		} else if (/ fscache_cache: / && val("C") == cache && / ADD /) {
			added = n
			if (val("name") != "vmtest")
				fail("the op'"'"'s cache is not vmtest: " $0)
			print "VMTEST: trace: " $0
		}
	}
	if (ops !~ /^ INIT SUBMIT-RUN START ENQUEUE PROCESS PUT-FINAL( PUT-DEFER GC)? COMPLETE RELEASE$/)
		fail("OP=" op " events:" ops)
	if (states != " LOOK_UP LOOKING_UP CREATING ACTIVE RELEASING KILLED DROPPING DEAD")
		fail("OBJ=" obj " states:" states)
	if (lives != " NEW DEAD FREE")
		fail("OBJ=" obj " events:" lives)
	if (!added)
		fail("no ADD of C=" cache)
	if (!(added < born && born < active && active < submitted &&
	      released < releasing && releasing < freed))
		fail("events out of order")
	if (!bad)
		print "VMTEST: trace: OP=" op " OBJ=" obj " C=" cache " in order"
	exit bad
}' "$trace"
