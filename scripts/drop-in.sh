#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Place fscache_ops into a kernel source tree, to build it in (or as a
# module of that tree) like any other subsystem:
#
#   fs/fscache_ops/                   the sources, Kconfig and Kbuild (and
#                                     the KUnit suites)
#   include/linux/fscache-ops.h       the public header
#   fs/Kconfig, fs/Makefile           one line each, added once
#
# then configure CONFIG_FSCACHE_OPS (File systems -> "FS-Cache asynchronous
# operation manager for cache backends") and build the tree as usual.
# Run it again to bring the tree up to date: only files whose contents
# changed are rewritten, so make rebuilds only what changed.
# scripts/kunit.sh places the tree of its KUnit run with it.
#
# Usage: scripts/drop-in.sh KERNEL_SRC_DIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${1:?usage: scripts/drop-in.sh KERNEL_SRC_DIR}
[ -f "$ksrc/fs/Kconfig" ] && [ -f "$ksrc/fs/Makefile" ] && [ -d "$ksrc/include/linux" ] ||
	{ echo "drop-in: $ksrc is not a kernel source tree" >&2; exit 1; }

# Hook fs/fscache_ops/ into the tree (once).
grep -q 'fs/fscache_ops/Kconfig' "$ksrc/fs/Kconfig" ||
	printf '\nsource "fs/fscache_ops/Kconfig"\n' >>"$ksrc/fs/Kconfig"
grep -q 'fscache_ops/' "$ksrc/fs/Makefile" ||
	printf 'obj-$(CONFIG_FSCACHE_OPS)\t+= fscache_ops/\n' >>"$ksrc/fs/Makefile"

# Place our sources; only files whose contents changed are rewritten.
mkdir -p "$ksrc/fs/fscache_ops"
rsync -rc --delete --exclude='*.o' --exclude='*.cmd' --exclude='*.ko' \
	--exclude='*.mod*' --exclude='.*.d' --exclude='modules.order' \
	--exclude='Module.symvers' \
	--include='Kconfig' --include='Kbuild' --include='*.c' \
	--include='*.h' --include='.kunitconfig' --include='tests/' --include='tests/**/' \
	--exclude='*' \
	"$top/" "$ksrc/fs/fscache_ops/"
rsync -c "$top/include/linux/fscache-ops.h" "$ksrc/include/linux/"
if ls "$top"/include/trace/events/*.h >/dev/null 2>&1; then
	rsync -c "$top"/include/trace/events/*.h "$ksrc/include/trace/events/"
fi
echo "drop-in: fscache_ops placed in $ksrc (fs/fscache_ops/, CONFIG_FSCACHE_OPS)"
