#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark fscache_ops against the bare workqueue items (and completions)
# a backend would otherwise use (issue 6).  A benchmark, not a test: it
# reports, it does not judge, except to fail when a run breaks.
#
# Boots a kernel under QEMU (TCG) once per CPU count, loads fscache_ops.ko
# and the benchmark module (tests/bench/, a backend in its own module); the
# module runs every arm beside its floor, in alternation, for each object
# count, thread count and repetition, and prints one line per run.  This
# script prints, per boot, a table (median and min/max over the
# repetitions), one machine-readable "BENCH ..." line per arm, and the
# issue's targets with their outcome.  Documentation/benchmark.rst explains
# the arms and columns.
#
# Usage: scripts/bench.sh [options]
#   --kernel K      6.12 (default), 6.1, or debug (the KUnit debug kernel of
#                   scripts/kunit.sh, fscache_ops built in)
#   --smp "N..."    CPU counts, one boot each (default: "1 2")
#   --ops N         ops per submitting thread per run (default 5000; 1000
#                   on the debug kernel, which is ten times slower)
#   --reps N        repetitions per boot (default 9)
#   --boots N       boots per CPU count (default 1), pooled in one report:
#                   each boot lays the code out anew (KASLR), and under TCG
#                   that alone moves a ratio by up to 0.15
#   --long          --ops 20000 --reps 5 --boots 3
#   --objects L     object counts, comma-separated (default 1,64,1024)
#   --threads L     submitting threads, comma-separated (default 1,2)
#   --pairs L       fast,slow,fast_excl,slow_excl,mythread (default: all)
#   --append A      more kernel command line, for an ablation (e.g.
#                   "spectre_v2=off"; Documentation/benchmark.rst)
#   --accel A       QEMU's -accel (default "tcg"; "tcg,thread=single" runs
#                   every vCPU in one host thread, whose atomics are then
#                   plain instructions: an ablation, benchmark.rst)
#   --rev REV       measure fscache_ops as committed in REV instead of the
#                   working tree (the benchmark's own files stay the working
#                   tree's): e.g. to compare before and after a change
#   --report LOG..  only print the report of existing console logs, pooled
#                   (the boots of one kernel and CPU count)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

kernel=6.12
smps="1 2"
ops=
reps=9
boots=1
append_extra=
accel=tcg
objects=1,64,1024
threads=1,2
pairs=fast,slow,fast_excl,slow_excl,mythread
rev=
report_only=

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--smp) smps=${2:?}; shift 2 ;;
	--ops) ops=${2:?}; shift 2 ;;
	--reps) reps=${2:?}; shift 2 ;;
	--boots) boots=${2:?}; shift 2 ;;
	--append) append_extra=${2:?}; shift 2 ;;
	--accel) accel=${2:?}; shift 2 ;;
	--long) ops=20000; reps=5; boots=3; shift ;;
	--objects) objects=${2:?}; shift 2 ;;
	--threads) threads=${2:?}; shift 2 ;;
	--pairs) pairs=${2:?}; shift 2 ;;
	--rev) rev=${2:?}; shift 2 ;;
	--report) shift; report_only=1; break ;;
	-h | --help) usage 0 ;;
	*) echo "bench: unknown option $1" >&2; usage >&2 ;;
	esac
done

# The report: the runs of the console logs of one kernel and CPU count (one
# per boot), aggregated per arm.  A run's repetition is keyed by its boot
# and its number in that boot: the two arms of a pair are compared only
# within one repetition of one boot.
report() {
	awk -f - "$@" <<'EOF'
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minof(a, n,    i, m) {
	m = a[1]
	for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]
	return m
}
function maxof(a, n,    i, m) {
	m = a[1]
	for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]
	return m
}
function kv(line, key,    re) {
	re = " " key "=[^ ]*"
	if (!match(line, re)) return ""
	return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
}
function addlist(list, v,    n, i, a) {
	n = split(list, a, ",")
	for (i = 1; i <= n; i++) if (a[i] == v) return list
	return list == "" ? v : list "," v
}
function numsort(list,    n, a, i, j, t, out) {
	n = split(list, a, ",")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	out = a[1]
	for (i = 2; i <= n; i++) out = out "," a[i]
	return out
}
# The repetition whose ns/op is the median (the lower of two): its latencies
# are shown, so that p50 <= p99 holds in every row.
function median_rep(arm, o, t,    r, ri, n, v, k, i, j, tv, tk) {
	n = 0
	for (ri = 1; ri <= nrep; ri++) {
		r = rkeys[ri]
		if (!((arm, o, t, r) in ns)) continue
		v[++n] = ns[arm, o, t, r] / nops[arm, o, t, r]; k[n] = r
	}
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			tv = v[j]; v[j] = v[j - 1]; v[j - 1] = tv
			tk = k[j]; k[j] = k[j - 1]; k[j - 1] = tk
		}
	return k[int((n + 1) / 2)]
}
# Median over the repetitions of a quantity ("nsop", "ratio" to the floor,
# "gain" from the fewest threads); the extremes go to stat_min, stat_max.
function per_rep(kind, arm, o, t, boot,    r, ri, n, v, x) {
	n = 0
	for (ri = 1; ri <= nrep; ri++) {
		r = rkeys[ri]
		if (boot != "" && rboot[r] != boot) continue
		if (kind == "nsop") {
			if (!((arm, o, t, r) in ns)) continue
			x = ns[arm, o, t, r] / nops[arm, o, t, r]
		} else if (kind == "csw") {
			if (csw[arm, o, t, r] == "") continue
			x = csw[arm, o, t, r] * 1000 / nops[arm, o, t, r]
		} else if (kind == "subns") {
			if (subns[arm, o, t, r] == "") continue
			x = subns[arm, o, t, r] / nops[arm, o, t, r]
		} else if (kind == "ratio") {
			if (!((arm, o, t, r) in ns) || !((floor[arm], o, t, r) in ns)) continue
			x = (ns[arm, o, t, r] / nops[arm, o, t, r]) / \
			    (ns[floor[arm], o, t, r] / nops[floor[arm], o, t, r])
		} else if (kind == "gain") {
			if (!((arm, o, t, r) in ns) || !((arm, o, t1, r) in ns)) continue
			x = (ns[arm, o, t1, r] / nops[arm, o, t1, r]) / \
			    (ns[arm, o, t, r] / nops[arm, o, t, r])
		}
		v[++n] = x
	}
	stat_n = n
	if (!n) return ""
	stat_min = minof(v, n)
	stat_max = maxof(v, n)
	return median(v, n)
}
function target(name, value, limit, lower) {
	if (value == "") {
		printf "  %-70s  not measured\n", name
		return
	}
	if (lower ? value + 0 >= limit : value + 0 <= limit)
		printf "  %-70s  %7s  met\n", name, value
	else if (lower)
		printf "  %-70s  %7s  MISSED (%.0f %% short)\n", name, value, \
			(limit - value) / limit * 100
	else
		printf "  %-70s  %7s  MISSED (%.0f %% over)\n", name, value, \
			(value - limit) / limit * 100
}
BEGIN {
	split("fast slow fast_excl slow_excl mythread", pairs, " ")
	floor["fast"] = "wq_bound"; floor["slow"] = "wq_unbound"
	floor["fast_excl"] = "wq_bound_idle"; floor["slow_excl"] = "wq_unbound_idle"
	floor["mythread"] = "completion"
	nrep = 0; nboot = 0
}
FNR == 1 { nboot++ }
# Console lines end in \r: drop it, or the last field of a line keeps it.
{ sub(/\r$/, "") }
/fscache_ops_bench: setup / {
	if (cpus != "" && kv($0, "cpus") != cpus) {
		print "bench: the logs pooled in one report must have one CPU count"
		bad_cpus = 1
		exit 1
	}
	kernel = kv($0, "kernel"); cpus = kv($0, "cpus")
	beyond = kv($0, "beyond_work"); opbytes = kv($0, "op_bytes")
	workbytes = kv($0, "work_bytes"); nr = kv($0, "nr_ops")
}
/fscache_ops_bench: run / {
	arm = kv($0, "arm"); o = kv($0, "objects"); t = kv($0, "threads")
	r = nboot "." kv($0, "rep")
	if (!(r in rboot)) { rboot[r] = nboot; rkeys[++nrep] = r }
	ns[arm, o, t, r] = kv($0, "ns"); nops[arm, o, t, r] = kv($0, "ops")
	subns[arm, o, t, r] = kv($0, "sub_ns"); csw[arm, o, t, r] = kv($0, "csw")
	p50[arm, o, t, r] = kv($0, "p50"); p99[arm, o, t, r] = kv($0, "p99")
	defsum[arm, o, t] += kv($0, "deferred"); opsum[arm, o, t] += kv($0, "ops")
	errors += kv($0, "errors")
	seen[arm] = 1
	olist = addlist(olist, o); tlist = addlist(tlist, t)
}
/fscache_ops_bench: end / {
	mod_deferred += kv($0, "deferred"); mod_ops += kv($0, "ops")
}
/BENCH: stats / {
	st_deferred += kv($0, "op_deferred_release"); st_pend += kv($0, "op_pend")
	st_init += kv($0, "op_initialised"); st_misuse += kv($0, "misuse")
	st_cleared += kv($0, "ev_cleared"); nstats++
}
/BENCH: kernel / { sub(/.*BENCH: /, ""); sub(/\r$/, ""); header = $0 }
# One row of the table (arm @side of @pair: 0 the floor, 1 the op arm) and
# its machine-readable line.
function row(pair, side, o, t,    arm, m, lo, hi, rt, rlo, rhi, ratio, dpk, by, mr, g, fg,
	     gtxt, sb, sw) {
	arm = side ? pair : floor[pair]
	sb = per_rep("subns", arm, o, t)
	sw = per_rep("csw", arm, o, t)
	m = per_rep("nsop", arm, o, t)
	if (m == "") return
	lo = stat_min; hi = stat_max
	ratio = "1.00"; rt = "1.000"; rlo = "1.000"; rhi = "1.000"; dpk = "-"; by = "-"
	if (side) {
		rt = sprintf("%.3f", per_rep("ratio", arm, o, t))
		rlo = sprintf("%.3f", stat_min); rhi = sprintf("%.3f", stat_max)
		ratio = sprintf("%.2f (%.2f-%.2f)", rt, rlo, rhi)
		dpk = sprintf("%.2f", defsum[arm, o, t] * 1000 / opsum[arm, o, t])
		by = beyond
	}
	mr = median_rep(arm, o, t)
	g = fg = gtxt = ""
	if (t != t1) {
		g = per_rep("gain", arm, o, t)
		if (side) fg = per_rep("gain", floor[pair], o, t)
		if (g != "") gtxt = sprintf("%.2f", g)
		if (fg != "") gtxt = gtxt sprintf(" (%.2f)", fg)
		if (g != "") g = sprintf("%.3f", g)
		if (fg != "") fg = sprintf("%.3f", fg)
	}
	printf "%-15s %4s %3s  %-20s  %-17s  %6s %6s  %8.1f %8.1f  %8s  %s\n", arm, o, t, \
		sprintf("%d (%d-%d)", m, lo, hi), ratio, sb == "" ? "-" : sprintf("%d", sb), \
		sw == "" ? "-" : sprintf("%.1f", sw), \
		p50[arm, o, t, mr] / 1000, p99[arm, o, t, mr] / 1000, dpk, gtxt
	mline[++nm] = sprintf("BENCH kernel=%s cpus=%s pair=%s arm=%s floor=%s" \
		" objects=%s threads=%s reps=%d ops_per_thread=%s", kernel, cpus, \
		pair, arm, side ? floor[pair] : "-", o, t, nrep, nr) \
		sprintf(" ns_op=%.0f ns_op_min=%.0f ns_op_max=%.0f ratio=%s" \
		" ratio_min=%s ratio_max=%s", m, lo, hi, rt, rlo, rhi) \
		sprintf(" p50_ns=%d p99_ns=%d deferred_per_1k=%s beyond_work=%s" \
		" gain=%s floor_gain=%s", p50[arm, o, t, mr], p99[arm, o, t, mr], \
		dpk, by, g == "" ? "-" : g, fg == "" ? "-" : fg) \
		sprintf(" sub_ns_op=%s csw_per_1k=%s", sb == "" ? "-" : sprintf("%.0f", sb), \
			sw == "" ? "-" : sprintf("%.1f", sw))
	if (side) {
		R[pair, o, t] = rt; G[pair, o, t] = g; FG[pair, o, t] = fg
	}
}
function targets(    pi, pair, lim, oi, ti, o, t, k, d, worst, wname) {
	printf "\nTargets (median ratios; %s CPUs):\n", cpus
	for (pi = 1; pi <= 5; pi++) {
		pair = pairs[pi]
		if (!(pair in seen)) continue
		lim = pair == "fast" ? 1.25 : pair == "slow" ? 1.10 : 1.3
		for (oi = 1; oi <= no; oi++) for (ti = 1; ti <= nt; ti++) {
			o = objs[oi]; t = thrs[ti]
			if ((pair == "fast" || pair == "slow") && o != 1 && o != 64) continue
			target(sprintf("%s <= %.2fx %s, %s objects, %s threads", pair, \
				lim, floor[pair], o, t), R[pair, o, t], lim, 0)
		}
	}
	worst = 0; wname = ""
	for (pi = 1; pi <= 5; pi++) for (oi = 1; oi <= no; oi++) for (ti = 1; ti <= nt; ti++) {
		k = pairs[pi] SUBSEP objs[oi] SUBSEP thrs[ti]
		if (!(k in opsum) || !opsum[k]) continue
		d = defsum[k] * 1000 / opsum[k]
		if (d < worst) continue
		worst = d; wname = pairs[pi] ", " objs[oi] " obj, " thrs[ti] " thr"
	}
	target("deferred releases <= 1 per 1000 ops (worst: " wname ")", \
		sprintf("%.2f", worst), 1, 0)
	target("bytes of struct fscache_operation beyond work_struct <= 64", beyond, 64, 0)
	if (tmax == t1)
		return
	if (cpus < 2) {
		printf "  %-70s  needs 2 CPUs\n", \
			"gain " t1 "->" tmax " threads >= 0.95x the floor's"
		return
	}
	o = objs[no]
	for (pi = 1; pi <= 5; pi++) {
		pair = pairs[pi]
		if (G[pair, o, tmax] == "" || FG[pair, o, tmax] == "") continue
		target(sprintf("%s: gain %s->%s thr, %s obj >= 0.95x wq's (%.2f vs %.2f)", \
			pair, t1, tmax, o, G[pair, o, tmax], FG[pair, o, tmax]), \
			sprintf("%.3f", G[pair, o, tmax] / FG[pair, o, tmax]), 0.95, 1)
	}
}
# With several boots: each boot's median ratio of every pair, on the fewest
# objects and threads, to show how far the layout of one boot moves it.
function per_boot(    pi, pair, b, line, m) {
	if (nboot < 2) return
	printf "\nMedian ratio of each boot (%s object(s), %s thread(s)):\n", objs[1], t1
	for (pi = 1; pi <= 5; pi++) {
		pair = pairs[pi]
		if (!(pair in seen)) continue
		line = ""
		for (b = 1; b <= nboot; b++) {
			m = per_rep("ratio", pair, objs[1], t1, b)
			line = line sprintf(" %s", m == "" ? "-" : sprintf("%.2f", m))
		}
		printf "  %-10s%s\n", pair, line
	}
}
END {
	if (bad_cpus) exit 1
	if (kernel == "") { print "bench: no setup line in the log"; exit 1 }
	no = split(numsort(olist), objs, ",")
	nt = split(numsort(tlist), thrs, ",")
	t1 = thrs[1]; tmax = thrs[nt]
	printf "\n%s (QEMU TCG); %s ops per thread per run, %d repetitions in %d boot(s)\n", \
		header, nr, nrep, nboot
	printf "struct fscache_operation: %s bytes, %s beyond its %s-byte work_struct\n\n", \
		opbytes, beyond, workbytes
	printf "%-15s %4s %3s  %-20s  %-17s  %6s %6s  %8s %8s  %8s  %s\n", "arm", "objs", "thr", \
		"ns/op (min-max)", "ratio (min-max)", "sub ns", "csw/1k", "p50 us", "p99 us", "defer/1k", \
		"gain " t1 "->thr (floor's)"
	for (pi = 1; pi <= 5; pi++) {
		if (!(pairs[pi] in seen)) continue
		for (oi = 1; oi <= no; oi++) for (ti = 1; ti <= nt; ti++) {
			row(pairs[pi], 0, objs[oi], thrs[ti])
			row(pairs[pi], 1, objs[oi], thrs[ti])
		}
		printf "\n"
	}
	for (i = 1; i <= nm; i++) print mline[i]
	per_boot()
	targets()

	if (nstats < nboot)
		printf "\nfscache_ops' statistics: not available; the module counted" \
			" %s ops, %s deferred releases; %d failed submissions\n", \
			mod_ops, mod_deferred, errors
	else
		printf "\nfscache_ops' statistics: %s ops (the module counted %s)," \
			" %s deferred releases (%s), %s pended, %s EV_CLEARED, %s misuse;" \
			" %d failed submissions\n", st_init, mod_ops, st_deferred, \
			mod_deferred, st_pend, st_cleared, st_misuse, errors
	if (nstats == nboot && (st_deferred != mod_deferred || st_init != mod_ops))
		print "bench: WARNING: the module's counts differ from fscache_ops' statistics"
	if (errors + 0 || st_misuse + 0) exit 1
}
EOF
}

if [ -n "$report_only" ]; then
	report "$@"
	exit
fi

"$top/scripts/deps.sh"
mkdir -p "$cache/bench"

# The next two are scripts/vm.sh's, adapted: the modules built in a private
# copy of the sources, the initramfs; the distro kernel comes from lib.sh.

# fscache_ops (unless $2 is the debug kernel's tree, which has it built in),
# then the benchmark module against its Module.symvers, as a third party
# builds; prints the sources' directory.
build_modules() {
	local name=$1 kdir=$2 symvers=$3 dir=$cache/bench/build-$1
	rm -rf "$dir" && mkdir -p "$dir/src"
	if [ -n "$rev" ]; then
		git -C "$top" archive "$rev" | tar -x -C "$dir/src"
		rm -rf "$dir/src/tests/bench"
		(cd "$top" && cp --parents tests/bench/Kbuild tests/bench/Makefile \
			tests/bench/fscache_ops_bench.c "$dir/src")
	else
		git -C "$top" ls-files -z -co --exclude-standard |
			(cd "$top" && xargs -0 cp --parents -t "$dir/src")
	fi
	if [ -n "$symvers" ]; then
		make -s -C "$dir/src" KDIR="$kdir" >&2
		symvers=$dir/src/Module.symvers
	fi
	make -s -C "$dir/src/tests/bench" KDIR="$kdir" SYMVERS="$symvers" >&2
	echo "$dir/src"
}

make_initramfs() {
	local out=$1 moddir=$2 with_core=$3 args=$4 root
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,dev,lib}
	cp /bin/busybox "$root/bin/busybox"
	[ -x "$root/bin/busybox" ] || cp "$(command -v busybox)" "$root/bin/busybox"
	[ -z "$with_core" ] || cp "$moddir/fscache_ops.ko" "$root/lib/"
	cp "$moddir/tests/bench/fscache_ops_bench.ko" "$root/lib/"
	echo "$args" >"$root/lib/bench.args"
	cp "$top/tests/bench/init.sh" "$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# One boot; its console log is $5.  Fails if the run broke.
run_vm() {
	local name=$1 kernel=$2 initrd=$3 smp=$4 log=$5 append
	# tsc=reliable: the TSC is the clocksource, so that reading the clock
	# (twice per op, in both arms of a pair) costs little, not an HPET read.
	append="console=ttyS0 panic=-1 oops=panic loglevel=7 kunit.enable=0 tsc=reliable no_timer_check${append_extra:+ $append_extra}"
	echo "bench[$name, $smp CPUs]: booting $(basename "$kernel"), console log in $log"
	timeout "${BENCH_TIMEOUT:-3600}" qemu-system-x86_64 -accel "$accel" -m 2G -smp "$smp" \
		-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "$append" </dev/null >"$log" 2>&1 || true

	local bad=0 splats
	splats=$(find_splats "$log")
	if [ -n "$splats" ]; then
		echo "bench[$name]: splats in the console log:" >&2
		echo "$splats" | head -30 >&2
		bad=1
	fi
	if grep -qE 'BENCH: FAIL|fscache_ops_bench: FAIL' "$log" ||
	   ! grep -q 'BENCH: END' "$log"; then
		echo "bench[$name]: the run failed; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		bad=1
	fi
	return $bad
}

start=$(date +%s)
if [ -n "$rev" ]; then
	what="fscache_ops as committed in $(git -C "$top" rev-parse --short "$rev")"
else
	changed=$(git -C "$top" status --porcelain --untracked-files=no -- '*.c' '*.h' Kbuild |
		  awk '{ print $2 }' | tr '\n' ' ')
	what="the working tree of $(git -C "$top" rev-parse --short HEAD)"
	what="$what${changed:+, changed: $changed}"
fi
if [ "$accel" != tcg ]; then
	what="$what; QEMU -accel $accel"
fi
echo "bench: measuring $what"
[ -n "$ops" ] || { [ "$kernel" = debug ] && ops=1000 || ops=5000; }
args="nr_ops=$ops reps=$reps objects=$objects threads=$threads pairs=$pairs"
case "$kernel" in
6.1 | 6.12)
	hdr=$(kernel_headers_dir "$kernel")
	[ -n "$hdr" ] || { echo "bench: no headers for $kernel" >&2; exit 1; }
	abi=${hdr#/usr/src/linux-headers-}
	kroot=$(fetch_distro_kernel "$abi")
	mods=$(build_modules "$kernel" "$hdr" 1)
	make_initramfs "$cache/bench/initrd-$kernel.gz" "$mods" 1 "$args"
	image=$kroot/boot/vmlinuz-$abi
	;;
debug)
	kb=$cache/kunit-build
	if [ ! -f "$kb/arch/x86/boot/bzImage" ] || [ ! -f "$kb/Module.symvers" ]; then
		echo "bench: no debug kernel: run scripts/kunit.sh first to build it" >&2
		exit 1
	fi
	debug_kernel_current "$top" "$kb" bench || exit 1
	mods=$(build_modules debug "$kb" "")
	make_initramfs "$cache/bench/initrd-debug.gz" "$mods" "" "$args"
	image=$kb/arch/x86/boot/bzImage
	;;
*)
	echo "bench: unknown kernel $kernel" >&2
	exit 2
	;;
esac

rc=0
for smp in $smps; do
	logs=()
	for ((b = 1; b <= boots; b++)); do
		log=$cache/bench/$kernel-smp$smp-boot$b.log
		run_vm "$kernel" "$image" "$cache/bench/initrd-$kernel.gz" "$smp" "$log" || rc=1
		logs+=("$log")
	done
	{ echo "bench: measured $what"; report "${logs[@]}"; } |
		tee "$cache/bench/$kernel-smp$smp.txt" || rc=1
done
echo "bench: $(( $(date +%s) - start )) s in all"
exit $rc
