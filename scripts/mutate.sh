#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The mutation check (Documentation/mutation.rst): is every rule of the
# operation manager guarded by a test that fails when the rule is broken?
#
# Each mutant, tests/mutants/NN-name.mut, is a small change to the module's
# sources that breaks one stated rule.  For each mutant: the sources as they
# are in the working tree (git ls-files) are copied to a scratch directory,
# the mutant is applied there (it "does not apply" unless each of its find
# texts occurs exactly once, so a refactoring that stales it is noticed),
# and the copy's scripts/kunit.sh is run on the same cache, so that only our
# files are rebuilt.  That run keeps going after a warning or a KASAN report
# (panic_on_warn=0, kasan.fault=report), so that the assertions naming the
# broken rule get their chance to fail.  A mutant KUnit does not kill is run
# through the copy's scripts/vm.sh 6.12.
#
# Verdicts:
#   killed           a KUnit case failed an assertion (the cases are named)
#   killed-crash     only a crash, a timeout or a splat in the console log
#   killed-vm        only the 6.12 VM test failed
#   survived         nothing failed
#   does-not-apply   a find text does not occur exactly once
#   does-not-build   the mutated kernel did not build (the run failed)
# Exits non-zero if any mutant survived, did not apply or did not build.
#
# The cached debug kernel holds the last mutant until the next
# scripts/kunit.sh run rebuilds it from the real sources; until then the
# scripts that boot it (vm.sh, stress.sh, bench.sh, demo.sh debug) refuse it.
#
# A mutant that stalls a queue makes its cases wait for KUnit's own
# 300-second case timeout, one after the other; the rules suite is linked
# first, so its assertions have failed long before.  Each run is therefore
# cut off after --timeout seconds (default 300; an unmutated run needs about
# two minutes on a loaded machine), and what ran until then is read.
#
# Usage: scripts/mutate.sh [--list] [--ci] [--no-vm] [--timeout S] [--record] [mutant...]
#   mutant      a number (05), a name (02-cancel-no-restart) or part of one
#   --list      list the catalogue, checking that each mutant applies
#   --ci        the fixed subset that scripts/test.sh runs
#   --no-vm     do not run the VM test for mutants that KUnit does not kill
#   --timeout S stop each KUnit run after S seconds (kunit.py --timeout)
#   --record    write each verdict, its killing tests (the Expect case
#               first, at most three) and the code's revision into
#               Documentation/mutation-results.inc
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
mutants_dir=$top/tests/mutants
work=$cache/mutate

# The CI subset: fast to kill, and each guards a rule no older test did.
ci_mutants=(01 02 03)

list=
vm=1
timeout=300
record=
sel=()
while [ $# -gt 0 ]; do
	case "$1" in
	--list) list=1 ;;
	--ci) sel+=("${ci_mutants[@]}") ;;
	--no-vm) vm= ;;
	--record) record=1 ;;
	--timeout)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || {
			echo "mutate: --timeout takes a number of seconds, not '${2:-}'" >&2
			exit 2
		}
		timeout=$2
		shift
		;;
	-h | --help)
		sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "mutate: unknown option $1" >&2
		exit 2
		;;
	*) sel+=("$1") ;;
	esac
	shift
done

helper=$(mktemp)
trap 'rm -f "$helper"' EXIT
cat >"$helper" <<'EOF'
# The catalogue's format, applying a mutant, and reading a KUnit run.
import os
import re
import sys


def parse(path):
    """A mutant: header fields, description, and (find, replace) hunks."""
    hdr, desc, hunks = {}, [], []
    mode, find, buf = 'header', None, []
    with open(path) as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    for line in lines:
        if line.startswith('@@@ '):
            marker = line[4:].strip()
            if marker == 'find' and mode in ('header', 'end'):
                mode, buf = 'find', []
            elif marker == 'replace' and mode == 'find':
                find, mode, buf = buf, 'replace', []
            elif marker == 'end' and mode == 'replace':
                hunks.append((''.join(l + '\n' for l in find),
                              ''.join(l + '\n' for l in buf)))
                mode = 'end'
            else:
                raise SystemExit(f'{path}: unexpected "{line}"')
            continue
        if mode in ('find', 'replace'):
            buf.append(line)
        elif mode == 'header':
            m = re.match(r'^([A-Z][A-Za-z-]*):\s*(.*)$', line)
            if line.startswith('#'):
                continue
            if m and not desc:
                hdr[m.group(1).lower()] = m.group(2).strip()
            elif line.strip() or desc:
                desc.append(line)
    if mode != 'end' or not hunks:
        raise SystemExit(f'{path}: no complete "@@@ find/replace/end" hunk')
    for key in ('rule', 'file'):
        if key not in hdr:
            raise SystemExit(f'{path}: no "{key.capitalize()}:" line')
    return hdr, '\n'.join(desc).strip(), hunks


def apply(path, root, write):
    """Apply a mutant under root; returns None, or why it does not apply."""
    hdr, _, hunks = parse(path)
    target = os.path.join(root, hdr['file'])
    if not os.path.isfile(target):
        return f'{hdr["file"]} does not exist'
    with open(target) as f:
        text = f.read()
    for i, (find, repl) in enumerate(hunks, 1):
        n = text.count(find)
        if n != 1:
            return f'hunk {i}: its find text occurs {n} times in {hdr["file"]}'
        pos = text.index(find)
        if find[0] in ' \t' and pos and text[pos - 1] != '\n':
            # Its indentation is part of the text: a line indented deeper
            # would be left with a stray tab, and likely not compile.
            return f'hunk {i}: its find text starts inside an indentation'
        text = text.replace(find, repl)
    if write:
        with open(target, 'w') as f:
            f.write(text)
    return None


def clean(line):
    line = re.sub(r'\x1b\[[0-9;]*m', '', line.rstrip('\n'))
    return re.sub(r'^\[\d\d:\d\d:\d\d\] ', '', line)


def verdict(out_path, rc):
    """Read kunit.sh's output: verdict, killing cases, detail."""
    with open(out_path, errors='replace') as f:
        lines = [clean(l) for l in f]
    started = any(l.startswith('Starting KUnit Kernel') for l in lines)
    if not started:
        return 'does-not-build', '', 'no KUnit run: see the log'
    suite, failed, crashed, timeouts, msgs = '', [], [], [], {}
    cur = None
    for line in lines:
        s = line.strip()
        m = re.match(r'^=+ (\S+) \(\d+ subtests?\) =+$', s)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r'^# (\S+): (?:EXPECTATION|ASSERTION) FAILED at (\S+)', s)
        if m:
            cur = f'{suite}.{m.group(1)}'
            if cur not in failed:
                failed.append(cur)
            msgs.setdefault(cur, [])
            msgs[cur].append([])
            continue
        m = re.match(r'^# (\S+): .*timed out', s)
        if m:
            timeouts.append(f'{suite}.{m.group(1)}')
            cur = None
            continue
        m = re.match(r'^\[(PASSED|FAILED|CRASHED|SKIPPED)\] (\S+)$', s)
        if m:
            name = f'{suite}.{m.group(2)}'
            if m.group(1) == 'CRASHED':
                crashed.append(name)
            cur = None
            continue
        if s.startswith('#') or s.startswith('ok ') or s.startswith('not ok'):
            cur = None
            continue
        if cur and s:
            msgs[cur][-1].append((len(line) - len(line.lstrip()), s))
    # An assertion's report: "Expected ..." (or a KUNIT_FAIL() text), the
    # values indented deeper, then the message of a _MSG assertion, never
    # indented deeper than the first line.  Show the first message of each
    # case, else what was expected.
    first_msg = {}
    for case, reports in msgs.items():
        for r in reports:
            if not r:
                continue
            ind = r[0][0]
            named = [t for i, t in r if i <= ind and not t.startswith('Expected ')]
            if named:
                first_msg[case] = named[0]
                break
            first_msg.setdefault(case, r[0][1])
    splat = ''
    for i, line in enumerate(lines):
        if line.startswith('kunit: the console log has splats'):
            for l in lines[i + 1:]:
                m = re.match(r'^\d+:(?:\[[ \d.]+\] )?(.*)$', l)
                if m:
                    splat = m.group(1).strip()[:90]
                    break
            break
    w1 = any(l.startswith('kunit: W=1 C=2') for l in lines)
    if failed:
        detail = '; '.join(f'{c}: "{first_msg[c]}"' for c in failed[:3]
                           if c in first_msg)
        if crashed:
            detail += f' (and crashed: {", ".join(crashed[:3])})'
        elif splat:
            detail += f' (and a splat: {splat})'
        return 'killed', ' '.join(failed), detail
    if rc != 0 and not w1:
        what = []
        if crashed:
            what.append('crashed: ' + ', '.join(crashed[:3]))
        if timeouts:
            what.append('timed out: ' + ', '.join(timeouts[:3]))
        if splat:
            what.append('splat: ' + splat)
        return 'killed-crash', ' '.join(crashed + timeouts), '; '.join(what)
    # All passed (a non-zero status then comes from W=1/sparse warnings
    # in the mutated code, which are no test).
    return 'survived', '', 'W=1/sparse warnings only' if rc != 0 else ''


def record(inc, name, verdict, killers, expect, code):
    """Put a mutant's verdict into the results table of the docs."""
    tests = killers.split() if killers not in ('', '-') else []
    first = [t for t in expect.split() if t in tests]
    tests = first + [t for t in tests if t not in first]
    shown = ', '.join(f'``{t}``' for t in tests[:3]) or '-'
    if len(tests) > 3:
        shown += f' and {len(tests) - 3} more'
    row = [f'   * - ``{name}``', f'     - {verdict}', f'     - {shown}',
           f'     - {code}']
    with open(inc) as f:
        lines = f.read().split('\n')
    try:
        i = lines.index(row[0])
    except ValueError:
        # A new mutant: its row goes after those of lower numbers.
        i = len(lines)
        while i > 0 and lines[i - 1] == '':
            i -= 1
        for j, line in enumerate(lines):
            m = re.match(r'^   \* - ``(\S+)``$', line)
            if m and m.group(1) > name:
                i = j
                break
        lines[i:i] = row
    else:
        # The old row ends where the next begins: a cell edited by hand
        # may span several lines.
        j = i + 1
        while j < len(lines) and lines[j].startswith('     '):
            j += 1
        lines[i:j] = row
    with open(inc, 'w') as f:
        f.write('\n'.join(lines))


def main():
    cmd = sys.argv[1]
    if cmd == 'list':
        root = sys.argv[2]
        for path in sys.argv[3:]:
            hdr, _, _ = parse(path)
            why = apply(path, root, False)
            name = os.path.basename(path)[:-4]
            print('\t'.join([name, hdr['file'],
                             'applies' if not why else 'DOES NOT APPLY: ' + why,
                             hdr['rule']]))
    elif cmd == 'field':
        hdr, _, _ = parse(sys.argv[2])
        print(hdr.get(sys.argv[3], ''))
    elif cmd == 'apply':
        why = apply(sys.argv[2], sys.argv[3], True)
        if why:
            print(why)
            sys.exit(1)
    elif cmd == 'verdict':
        print('\t'.join(verdict(sys.argv[2], int(sys.argv[3]))))
    elif cmd == 'record':
        record(*sys.argv[2:])


main()
EOF

mutate_py() {
	python3 "$helper" "$@"
}

# The catalogue, or the part of it the arguments select.
all=()
for f in "$mutants_dir"/[0-9]*.mut; do
	[ -e "$f" ] && all+=("$f")
done
[ ${#all[@]} -gt 0 ] || { echo "mutate: no mutants in $mutants_dir" >&2; exit 2; }
chosen=()
if [ ${#sel[@]} -eq 0 ]; then
	chosen=("${all[@]}")
else
	for s in "${sel[@]}"; do
		hit=
		for f in "${all[@]}"; do
			b=$(basename "$f" .mut)
			if { [[ $s =~ ^[0-9]+$ ]] && [ $((10#$s)) -eq $((10#${b%%-*})) ]; } ||
			   { ! [[ $s =~ ^[0-9]+$ ]] && [[ $b == *"$s"* ]]; }; then
				[[ " ${chosen[*]} " == *" $f "* ]] || chosen+=("$f")
				hit=1
			fi
		done
		[ -n "$hit" ] || { echo "mutate: no mutant matches $s" >&2; exit 2; }
	done
fi

if [ -n "$list" ]; then
	mutate_py list "$top" "${chosen[@]}" |
		awk -F'\t' '{ printf "%-36s %-12s %s\n    %s\n", $1, $2, $3, $4 }'
	exit 0
fi

"$top/scripts/deps.sh"
mkdir -p "$work"
# One mutation run at a time on a cache (scripts/kunit.sh locks the tree
# itself; this guards the scratch directories and the VM builds).
exec 8>"$work/mutate.lock"
if ! flock -n 8; then
	echo "mutate: waiting for another mutation run on $cache"
	flock 8
fi

# The sources as they are now: tracked and new files, not ignored ones.
snapshot() {
	local dst=$1
	rm -rf "$dst" && mkdir -p "$dst"
	git -C "$top" ls-files -z -co --exclude-standard |
		(cd "$top" && while IFS= read -r -d '' f; do
			[ -f "$f" ] && printf '%s\0' "$f"
		done | xargs -0 -r cp --parents -t "$dst")
	# scripts/vm.sh lists the sources with git.
	git -C "$dst" init -q && git -C "$dst" add -A
}

# The code's revision, for --record: what the mutants were applied to.
code=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no -- . ':!Documentation' 2>/dev/null)" ]; then
	code="$code + changes"
fi

report=$work/report.txt
rst=$work/report.rst
: >"$report"
{
	echo '.. list-table::'
	echo '   :header-rows: 1'
	echo
	echo '   * - mutant'
	echo '     - verdict'
	echo '     - killing tests'
} >"$rst"
bad=0
total_start=$SECONDS
for f in "${chosen[@]}"; do
	name=$(basename "$f" .mut)
	dir=$work/$name
	start=$SECONDS
	rm -rf "$dir" && mkdir -p "$dir"
	echo "=== mutant $name: $(mutate_py field "$f" rule)"
	snapshot "$dir/src"
	killers=
	detail=
	if ! why=$(mutate_py apply "$f" "$dir/src"); then
		verdict=does-not-apply
		detail=$why
	else
		git -C "$dir/src" diff >"$dir/mutant.diff" || true
		set +e
		(cd "$dir/src" && FSCACHE_OPS_CACHE=$cache scripts/kunit.sh \
			--kernel_args=panic_on_warn=0 --kernel_args=kasan.fault=report \
			--timeout="$timeout") \
			>"$dir/kunit.out" 2>&1
		krc=$?
		set -e
		IFS=$'\t' read -r verdict killers detail < <(mutate_py verdict "$dir/kunit.out" "$krc")
		if [ "$verdict" = survived ] && [ -n "$vm" ]; then
			echo "mutate: $name: KUnit did not kill it; the 6.12 VM test"
			set +e
			(cd "$dir/src" && FSCACHE_OPS_CACHE=$cache scripts/vm.sh 6.12) \
				>"$dir/vm.out" 2>&1
			vrc=$?
			set -e
			if [ $vrc -ne 0 ]; then
				verdict=killed-vm
				killers="vm-6.12"
				detail=$(grep -m1 -E 'vm\[6\.12\]|FAIL' "$dir/vm.out" || true)
			fi
		fi
	fi
	secs=$((SECONDS - start))
	case "$verdict" in
	killed | killed-crash | killed-vm) ;;
	*) bad=1 ;;
	esac
	expect=$(mutate_py field "$f" expect)
	note=
	if [ -n "$expect" ] && [ "$verdict" = killed ]; then
		for e in $expect; do
			[[ " $killers " == *" $e "* ]] || note+=" (expected $e did not fail)"
		done
	fi
	printf '%s\t%s\t%s\t%ss\t%s%s\n' "$name" "$verdict" "${killers:--}" "$secs" \
		"$detail" "$note" | tee -a "$report"
	{
		echo "   * - $name"
		echo "     - $verdict"
		echo "     - ${killers:--}"
	} >>"$rst"
	echo "$verdict" >"$dir/verdict"
	if [ -n "$record" ]; then
		mutate_py record "$top/Documentation/mutation-results.inc" "$name" \
			"$verdict" "${killers:--}" "$expect" "$code"
	fi
done

echo
echo "=== mutation check: $(wc -l <"$report") mutants in $(((SECONDS - total_start) / 60)) min"
awk -F'\t' '{ printf "%-36s %-15s %5s  %s\n", $1, $2, $4, $3 }' "$report"
echo "(details: $report; logs: $work/<mutant>/)"
n_bad=$(awk -F'\t' '$2 !~ /^killed/' "$report" | wc -l)
if [ "$bad" -ne 0 ]; then
	echo "mutate: $n_bad mutant(s) not killed" >&2
	exit 1
fi
