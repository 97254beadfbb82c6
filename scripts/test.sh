#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of fscache_ops, from a fresh Debian 12 machine: installs what is
# missing (apt), then
#   1. static checks: W=1 + sparse builds for 6.1 and 6.12, checkpatch
#      --strict, kernel-doc, exported-symbol clashes   (scripts/check.sh)
#   2. the KUnit suites on the debug kernel, 2 CPUs   (scripts/kunit.sh)
#   3. insmod/rmmod in VMs: Debian 6.1, Debian 6.12 and the debug kernel
#                                                      (scripts/vm.sh)
#   3b. the KCSAN kernel: the KUnit suites, the VM test, 100 module load
#      cycles and module loads under failing allocations, with KCSAN,
#      lockdep, kmemleak and fault injection       (scripts/kcsan.sh)
#   3c. the stress module on the debug kernel: a random workload of a
#      million ops, every invariant checked          (scripts/stress.sh)
#   4. the documentation, built with Sphinx, warnings failing (scripts/docs.sh)
#   5. dkms add/build/install/remove for 6.1 and 6.12 in a scratch DKMS
#      tree                                            (scripts/dkms-check.sh)
#   5b. the Promela model of the op manager, checked exhaustively with spin,
#      and its seed defects caught                    (scripts/model.sh)
#   6. the mutation check on its CI subset: a few mutants, each of which a
#      test must catch (scripts/mutate.sh --ci; the whole catalogue is run
#      by hand, see Documentation/mutation.rst)
# and ends with one line "fscache_ops: N passed, M failed", counting each
# KUnit case and each other stage.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
passed=0
failed=0
failures=()

stage() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

"$top/scripts/deps.sh" || exit 1

stage check "$top/scripts/check.sh"

echo "=== kunit"
"$top/scripts/kunit.sh" 2>&1 | tee "$cache/kunit.out"
krc=${PIPESTATUS[0]}
kline=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$cache/kunit.out" | tail -n 1)
kpass=$(echo "$kline" | sed -nE 's/.*passed: ([0-9]+).*/\1/p')
kfail=$(echo "$kline" | sed -nE 's/.*failed: ([0-9]+).*/\1/p')
kpass=${kpass:-0}
kfail=${kfail:-0}
passed=$((passed + kpass))
failed=$((failed + kfail))
if [ "$krc" -ne 0 ] && [ "$kfail" -eq 0 ]; then
	# A crash, a timeout or a splat: count the run itself as a failure.
	failed=$((failed + 1))
fi
[ "$krc" -eq 0 ] || failures+=("kunit")

for t in 6.1 6.12 debug; do
	stage "vm $t" "$top/scripts/vm.sh" "$t"
done
stage kcsan "$top/scripts/kcsan.sh"

# A million ops of random workload on the debug kernel, every invariant
# checked (a few minutes).
stage "stress debug" "$top/scripts/stress.sh" debug

stage docs "$top/scripts/docs.sh"
stage dkms "$top/scripts/dkms-check.sh"
stage model "$top/scripts/model.sh"

# After the VM stages: it leaves the debug kernel built with a mutant.
stage "mutate --ci" "$top/scripts/mutate.sh" --ci

if [ ${#failures[@]} -gt 0 ]; then
	echo "FAILED: ${failures[*]}"
fi
echo "fscache_ops: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
