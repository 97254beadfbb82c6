#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the Promela model of the operation manager, tests/model/
# fscache_ops.pml, exhaustively with spin (Debian's spin, installed by
# scripts/deps.sh), in a scratch directory under
# $FSCACHE_OPS_CACHE/model (default ~/.cache/fscache-ops/model):
#   1. safety: every assertion and no invalid end state, over the whole
#      state space (2 ops: one exclusive, one shareable);
#   2. liveness: the LTL property <> dropped (the object is dropped in
#      every run);
#   3. the seed defects (MUT_* in the model): each must make spin report a
#      violation.
# Fails on any error, an incomplete search, or a seed defect not caught.
# Prints the states explored and the time each check took.  See
# Documentation/model.rst.
#
# Usage: scripts/model.sh [--full]
#   --full  the safety check with 3 ops (two shareable) as well: about 80
#           million states, 5 GB and 5 minutes; not part of scripts/test.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

full=
case "${1:-}" in
"") ;;
--full) full=1 ;;
*) echo "usage: $0 [--full]" >&2; exit 2 ;;
esac

"$top/scripts/deps.sh" >/dev/null

model=$top/tests/model/fscache_ops.pml
mkdir -p "$cache/model"
work=$(mktemp -d "$cache/model/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

mutants=(MUT_EXCL MUT_CLEARED MUT_NOKILLCLEAR MUT_EARLYDEC MUT_NOSPLIT
	MUT_LANE_NOCLOSE MUT_LANE_NOXFER MUT_LANE_REOPEN_XFER MUT_LANE_EARLYDEC
	MUT_LANE_DYINGCLOSE MUT_LANE_NODONE MUT_LANE_NOREOPEN)
fail=0

# pan_run NAME "SPIN DEFINES" "GCC DEFINES" "PAN FLAGS": build and run one
# verifier in $work/NAME; its output is left in $work/NAME/out.
pan_run() {
	local name=$1 sdefs=$2 cdefs=$3 pflags=$4 d=$work/$1

	mkdir -p "$d"
	cp "$model" "$d/"
	# shellcheck disable=SC2086
	(cd "$d" && spin $sdefs -a fscache_ops.pml >spin.out 2>&1 &&
		gcc $cdefs -o pan pan.c >gcc.out 2>&1 &&
		./pan $pflags >out 2>&1) || true
	[ -s "$d/out" ] || { cat "$d/spin.out" "$d/gcc.out" 2>/dev/null; return 1; }
}

# A run that must pass: no error, and the whole state space searched.
expect_pass() {
	local name=$1 d=$work/$1 states secs

	if ! pan_run "$@"; then
		echo "model: $name: could not build the verifier"
		fail=1
		return
	fi
	states=$(sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' "$d/out")
	secs=$(sed -nE 's/^pan: elapsed time ([0-9.e+-]+) seconds/\1/p' "$d/out")
	if grep -qE '^State-vector .*errors: 0$' "$d/out" &&
	   ! grep -qE 'max search depth too small|out of memory|Search not completed' "$d/out"; then
		echo "model: $name: ok, ${states:-?} states, ${secs:-?} s"
	else
		echo "model: $name: FAILED"
		grep -E 'violated|invalid end|acceptance cycle|errors:|depth too small|out of memory' \
			"$d/out" || cat "$d/out"
		fail=1
	fi
}

# A seed defect: spin must report a violation.
expect_fail() {
	local name=$1 d=$work/$1 what

	if ! pan_run "$@"; then
		echo "model: $name: could not build the verifier"
		fail=1
		return
	fi
	if grep -qE '^State-vector .*errors: [1-9]' "$d/out"; then
		what=$(grep -m1 -E '^pan:1: ' "$d/out" | sed 's/^pan:1: //')
		echo "model: $name: caught: $what"
	else
		echo "model: $name: NOT CAUGHT"
		fail=1
	fi
}

# -O0: gcc -O2 takes 10 s on pan.c, more than the 2-op searches it speeds up.
safety="-O0 -DSAFETY -DCOLLAPSE -DMEMLIM=2048"
expect_pass safety "-DNOPS=2" "$safety" "-m100000"
expect_pass "ltl <>dropped" "-DNOPS=2 -DLTL" "-O0 -DCOLLAPSE -DMEMLIM=2048" "-a -m200000"
for m in "${mutants[@]}"; do
	expect_fail "$m" "-DNOPS=2 -D$m" "$safety" "-m100000"
done
if [ -n "$full" ]; then
	expect_pass "safety, 3 ops" "-DNOPS=3" "-O2 -DSAFETY -DCOLLAPSE -DMEMLIM=8192" \
		"-m100000 -w26"
fi

[ "$fail" -eq 0 ] && echo "model: ok"
exit "$fail"
