#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites of fscache_ops under QEMU (x86_64, 2 CPUs) with the
# kernel's own kunit.py, on Debian's linux-source-6.12 tree with our sources
# placed in a copy of it (fs/fscache_ops/, by scripts/drop-in.sh), built
# with the debug options of scripts/kunit-debug.config.
#
# The tree and the build live in $FSCACHE_OPS_CACHE (default
# ~/.cache/fscache-ops): the first run builds the whole kernel (~10 minutes
# on 2 cores), later runs rebuild only what changed.  Sources are copied
# with rsync --checksum so that untouched files keep their timestamps.
#
# Fails if kunit.py fails, or if the console log shows any splat
# (WARNING, BUG, lockdep, KASAN, ODEBUG, hung task, ...) even when every
# KTAP line says ok.
#
# Usage: scripts/kunit.sh [extra kunit.py run arguments]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
build=$cache/kunit-build
jobs=$(nproc)

"$top/scripts/deps.sh"

# One run at a time on a cache: the tree and the build directory are shared
# (scripts/mutate.sh runs this script on mutated copies of the sources).
# Held until this script exits.  (Its own file: a caller may hold
# $cache/kunit.lock around a longer job.)
mkdir -p "$cache"
exec 9>"$cache/kunit-tree.lock"
if ! flock -n 9; then
	echo "kunit: waiting for another run on $cache"
	flock 9
fi

unpack_kernel_source

# Place our sources in the tree (fs/fscache_ops/, the Kconfig and Makefile
# lines, the header); only files whose contents changed are rewritten.
"$top/scripts/drop-in.sh" "$src"

# kunit.py loads a --qemu_config from its own qemu_configs directory.
rsync -c "$top/scripts/kunit_qemu_x86_64.py" \
	"$src/tools/testing/kunit/qemu_configs/fscache_ops_x86_64.py"

# The kernel is about to be built from these sources (recorded once its
# tests ran, for the scripts that boot it: stress.sh, vm.sh... debug).
rm -f "$build/.fscache-ops-sources"
sources=$(built_in_sources_hash "$top")

cd "$src"
set +e
python3 tools/testing/kunit/kunit.py run \
	--arch=x86_64 \
	--build_dir="$build" \
	--jobs="$jobs" \
	--timeout=900 \
	--kunitconfig="$top/tests/.kunitconfig" \
	--kunitconfig="$top/scripts/kunit-debug.config" \
	--qemu_config=tools/testing/kunit/qemu_configs/fscache_ops_x86_64.py \
	--kernel_args=panic_on_warn=1 \
	--kernel_args=kasan.fault=panic \
	--kernel_args=panic=-1 \
	--kernel_args=no_timer_check \
	"$@"
rc=$?
set -e
[ $rc -ne 0 ] || echo "$sources" >"$build/.fscache-ops-sources"

# The suites too get W=1 and sparse (the distro builds of check.sh do not
# compile them, having no KUnit).
if [ $rc -eq 0 ]; then
	echo "kunit: W=1 C=2 on fs/fscache_ops/"
	warn=$(make -s -C "$src" O="$build" ARCH=x86_64 W=1 C=2 fs/fscache_ops/ 2>&1 |
	       grep -E 'warning:|error:' || true)
	if [ -n "$warn" ]; then
		echo "$warn" >&2
		rc=1
	fi
fi

log=$build/test.log
if [ -f "$log" ]; then
	splats=$(find_splats "$log")
	if [ -n "$splats" ]; then
		echo "kunit: the console log has splats:" >&2
		echo "$splats" | head -40 >&2
		rc=1
	fi
else
	echo "kunit: no console log at $log" >&2
	rc=1
fi
exit $rc
