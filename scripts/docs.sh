#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Documentation/ with Sphinx (Debian's python3-sphinx) into
# $FSCACHE_OPS_CACHE/docs/html (default ~/.cache/fscache-ops/docs/html),
# from scratch every time, so that every warning is seen.  The API
# reference comes from the kernel-doc comments, through the kernel-doc
# extension and script of the 6.12 source tree (scripts/lib.sh).  Fails on
# any warning, Sphinx's or kernel-doc's, and if the reference lacks the
# functions it should hold.
#
# Usage: scripts/docs.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh"
unpack_kernel_source

out=$cache/docs
rm -rf "$out"
mkdir -p "$out"

# -q: only warnings and errors are printed, so any output is a failure.
# No bytecode: the extension is imported from the kernel tree, not ours.
rc=0
PYTHONDONTWRITEBYTECODE=1 FSCACHE_OPS_KSRC=$src \
	sphinx-build -q -W --keep-going -b html -d "$out/doctrees" \
	"$top/Documentation" "$out/html" >"$out/build.log" 2>&1 || rc=1
if [ -s "$out/build.log" ]; then
	cat "$out/build.log" >&2
	rc=1
fi

# The reference holds what it should: every exported function, the types,
# the import macro.
funcs=$(cd "$top" && grep -ho 'EXPORT_SYMBOL[A-Z_]*([a-z_0-9]\+' ./*.c | sed 's/.*(//' |
	while read -r f; do
		grep -q "\b$f(" include/linux/fscache-ops.h && echo "$f"
	done)
[ -n "$funcs" ] || { echo "docs: no exported functions found" >&2; rc=1; }
for sym in $funcs fscache_operation fscache_object fscache_cache_ops FSCACHE_OPS_IMPORT_NS; do
	grep -q "id=\"c.$sym\"" "$out/html/api.html" 2>/dev/null ||
		{ echo "docs: api.html does not document $sym" >&2; rc=1; }
done

[ $rc -eq 0 ] && echo "docs: ok: $out/html/index.html"
exit $rc
