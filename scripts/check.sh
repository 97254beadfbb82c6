#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks: build fscache_ops, the sample backend, the stress and
# benchmark modules against Debian's 6.1 and 6.12 headers with W=1 and
# sparse (C=2), each warning a failure;
# checkpatch.pl --strict and kernel-doc on every source file; every export
# of ours is in the FSCACHE_OPS namespace, and none may clash with one the
# distro kernel (netfs, fscache, cachefiles...) exports.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh"

# checkpatch.pl and kernel-doc come from the 6.12 source tree.
unpack_kernel_source

rc=0
cd "$top"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './.git/*')

echo "check: checkpatch --strict"
# LINUX_VERSION_CODE: out of tree, one source serves 6.1, 6.12 and later
# kernels; its one version test is the namespace's form in
# include/linux/fscache-ops.h (a bare word before 6.13, a string since).
# shellcheck disable=SC2046
if ! perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE \
	-f $(echo "$files" | grep -v '^include/trace/events/'); then
	rc=1
fi
# The tracepoint header follows the kernel's own idiom (as
# include/trace/events/netfs.h): enum tables as EM()/E_() lists, a line of
# TRACE_DEFINE_ENUM(x); per table, TP_STRUCT__entry( ending a line.
# checkpatch objects to each of those, and only to those.
trace_hdrs=$(echo "$files" | grep '^include/trace/events/' || true)
if [ -n "$trace_hdrs" ] && ! perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES,COMPLEX_MACRO,MACRO_ARG_UNUSED,TRAILING_SEMICOLON,OPEN_ENDED_LINE \
	-f $trace_hdrs; then
	rc=1
fi
# SPDX first lines are checked here, in every file git knows.
for f in $(git ls-files 2>/dev/null); do
	case "$f" in
	*.md | *.rst | .gitignore | tests/.kunitconfig | *.config | .ci/* | *.txt) continue ;;
	esac
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier' ||
		{ echo "check: $f has no SPDX line" >&2; rc=1; }
done

echo "check: kernel-doc"
# Every export has a kernel-doc comment naming it.
for sym in $(grep -ho 'EXPORT_SYMBOL[A-Z_]*([a-z_0-9]\+' $files | sed 's/.*(//'); do
	grep -qE "^ \* $sym( -|\(\) -)" $files ||
		{ echo "check: export $sym has no kernel-doc" >&2; rc=1; }
done
kdoc=$(perl "$src/scripts/kernel-doc" -none -Wall $files 2>&1 || true)
if [ -n "$kdoc" ]; then
	echo "$kdoc" >&2
	rc=1
fi

for ver in 6.1 6.12; do
	kdir=$(ls -d /usr/src/linux-headers-"$ver".*-amd64 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$kdir" ]; then
		echo "check: no $ver headers" >&2
		rc=1
		continue
	fi
	echo "check: W=1 C=2 build against $(basename "$kdir"), and of the sample backend, the stress and the benchmark modules"
	b=$cache/check-$ver
	rm -rf "$b" && mkdir -p "$b"
	rsync -a --exclude='.git' --exclude='*.o' --exclude='*.ko' "$top/" "$b/"
	if ! make -C "$b" KDIR="$kdir" W=1 C=2 >"$b/build.log" 2>&1; then
		cat "$b/build.log" >&2
		rc=1
		continue
	fi
	warn=$(grep -E 'warning:|error:' "$b/build.log" || true)
	if [ -n "$warn" ]; then
		echo "$warn" >&2
		rc=1
	fi
	# The sample backend, on its own against that Module.symvers.
	if ! make -C "$b/samples/fscache_ops_cachefiles" KDIR="$kdir" W=1 C=2 \
		>"$b/sample.log" 2>&1 || grep -qE 'warning:|error:' "$b/sample.log"; then
		cat "$b/sample.log" >&2
		rc=1
	fi
	# The stress and benchmark modules (tests/stress/, tests/bench/),
	# built the same way.
	for m in stress bench; do
		if ! make -C "$b/tests/$m" KDIR="$kdir" W=1 C=2 \
			>"$b/$m.log" 2>&1 || grep -qE 'warning:|error:' "$b/$m.log"; then
			cat "$b/$m.log" >&2
			rc=1
		fi
	done

	# Our exports must not clash with the distro kernel's.
	ours=$(awk '$3 ~ /fscache_ops$/ { print $2 }' "$b/Module.symvers" | sort)
	[ -n "$ours" ] || { echo "check: no exports found" >&2; rc=1; }
	# ... and each is in the FSCACHE_OPS namespace (FSCACHE_OPS_NS).
	nons=$(awk '$3 ~ /fscache_ops$/ && $5 != "FSCACHE_OPS" { print $2 }' "$b/Module.symvers")
	if [ -n "$nons" ]; then
		echo "check: exports outside the FSCACHE_OPS namespace:" $nons >&2
		rc=1
	fi
	theirs=$(awk '{ print $2 }' "$kdir/Module.symvers" | sort)
	clash=$(comm -12 <(echo "$ours") <(echo "$theirs"))
	if [ -n "$clash" ]; then
		echo "check: exports clashing with $ver: $clash" >&2
		rc=1
	fi
	echo "check: $(echo "$ours" | wc -l) exports, none shared with $ver's $(echo "$theirs" | wc -l)"
done

# Statistics and tracepoints compile out: one W=1 C=2 build with their
# options off (CONFIG_FSCACHE_OPS_STATS, CONFIG_FSCACHE_OPS_TRACEPOINTS).
kdir=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -n "$kdir" ]; then
	echo "check: W=1 C=2 build against $(basename "$kdir") without statistics and tracepoints"
	b=$cache/check-off
	rm -rf "$b" && mkdir -p "$b"
	rsync -a --exclude='.git' --exclude='*.o' --exclude='*.ko' "$top/" "$b/"
	if ! make -C "$b" KDIR="$kdir" W=1 C=2 CONFIG_FSCACHE_OPS_STATS=n \
		CONFIG_FSCACHE_OPS_TRACEPOINTS=n >"$b/build.log" 2>&1 ||
		grep -qE 'warning:|error:' "$b/build.log"; then
		cat "$b/build.log" >&2
		rc=1
	elif [ -e "$b/stats.o" ] || [ -e "$b/trace.o" ]; then
		echo "check: stats.o or trace.o built with their options off" >&2
		rc=1
	fi
fi

[ $rc -eq 0 ] && echo "check: ok"
exit $rc
