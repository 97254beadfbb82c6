// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops statistics: per-CPU event counters and histograms of how long
 * op processors ran and how long ops waited to start, shown in debugfs as
 * /sys/kernel/debug/fscache_ops/{stats,histogram}.  Built with
 * CONFIG_FSCACHE_OPS_STATS; Documentation/admin.rst describes the files.
 */

#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "internal.h"

struct fscache_ops_stats __percpu *fscache_ops_stats;

DEFINE_STATIC_KEY_FALSE(fscache_ops_timing);

/**
 * fscache_ops_set_timing - time ops for the histograms and ages, or stop
 * @val: a boolean, as text (1/0, y/n, on/off)
 *
 * Ops submitted while timing is on get a submission time: their wait for a
 * processor goes into the histograms and debugfs shows their age.  Their
 * processors' run times are counted while it is on.  Switching it changes
 * nothing of ops in flight but what is counted of them.
 *
 * Context: process context; may sleep.
 * Return: 0, or -EINVAL (with a message) for anything else, which changes
 * nothing.
 */
int fscache_ops_set_timing(const char *val)
{
	char buf[16];
	bool on;

	if (kstrtobool(val, &on)) {
		strscpy(buf, val, sizeof(buf));
		pr_err("timing: '%s' is not a boolean (1/0, y/n, on/off)\n",
		       strim(buf));
		return -EINVAL;
	}
	/*
	 * Enable and disable set the key's count to 1 or 0, never nesting,
	 * and the jump label code serialises them.
	 */
	if (on)
		static_branch_enable(&fscache_ops_timing);
	else
		static_branch_disable(&fscache_ops_timing);
	return 0;
}

static int fscache_set_timing(const char *val, const struct kernel_param *kp)
{
	return fscache_ops_set_timing(val);
}

/* The key itself is the state, whoever set it (sysfs or the KUnit suites). */
static int fscache_get_timing(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%c\n", fscache_timing() ? 'Y' : 'N');
}

static const struct kernel_param_ops fscache_timing_ops = {
	.set = fscache_set_timing,
	.get = fscache_get_timing,
};
module_param_cb(timing, &fscache_timing_ops, NULL, 0644);
MODULE_PARM_DESC(timing,
		 "Time ops for the histograms and the ages in debugfs (default: off)");

static const char *const fscache_stat_names[FSCACHE_STAT__NR] = {
	[FSCACHE_STAT_OP_INITIALISED]		= "op_initialised",
	[FSCACHE_STAT_OP_SUBMIT]		= "op_submit",
	[FSCACHE_STAT_OP_PEND]			= "op_pend",
	[FSCACHE_STAT_OP_RUN]			= "op_run",
	[FSCACHE_STAT_OP_ENQUEUE]		= "op_enqueue",
	[FSCACHE_STAT_OP_ENQUEUE_DUP]		= "op_enqueue_dup",
	[FSCACHE_STAT_OP_WORK]			= "op_work",
	[FSCACHE_STAT_OP_PROCESS]		= "op_process",
	[FSCACHE_STAT_OP_REJECTED]		= "op_rejected",
	[FSCACHE_STAT_OP_COMPLETE]		= "op_complete",
	[FSCACHE_STAT_OP_CANCELLED]		= "op_cancelled",
	[FSCACHE_STAT_OP_CANCEL_PENDING]	= "op_cancel_pending",
	[FSCACHE_STAT_OP_RELEASE]		= "op_release",
	[FSCACHE_STAT_OP_DEFERRED_RELEASE]	= "op_deferred_release",
	[FSCACHE_STAT_OP_GC]			= "op_gc",
	[FSCACHE_STAT_OBJ_INIT]			= "obj_init",
	[FSCACHE_STAT_OBJ_ACTIVE]		= "obj_active",
	[FSCACHE_STAT_OBJ_DEAD]			= "obj_dead",
	[FSCACHE_STAT_OBJ_FREE]			= "obj_free",
	[FSCACHE_STAT_EV_CLEARED]		= "ev_cleared",
	[FSCACHE_STAT_CACHE_ADD]		= "cache_add",
	[FSCACHE_STAT_CACHE_IO_ERROR]		= "cache_io_error",
	[FSCACHE_STAT_CACHE_WITHDRAW]		= "cache_withdraw",
	[FSCACHE_STAT_MISUSE]			= "misuse",
};

static const char *const fscache_hist_names[FSCACHE_HIST__NR] = {
	[FSCACHE_HIST_RUN_FAST]		= "run_fast",
	[FSCACHE_HIST_RUN_SLOW]		= "run_slow",
	[FSCACHE_HIST_WAIT_FAST]	= "wait_fast",
	[FSCACHE_HIST_WAIT_SLOW]	= "wait_slow",
	[FSCACHE_HIST_WAIT_MYTHREAD]	= "wait_mythread",
};

/**
 * fscache_stat_read - sum one counter over all CPUs
 * @stat: the counter
 *
 * Return: the counter's value since the module was loaded.
 */
unsigned long fscache_stat_read(enum fscache_ops_stat stat)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(fscache_ops_stats, cpu)->n[stat];
	return sum;
}

/**
 * fscache_hist_read - sum one histogram bucket over all CPUs
 * @hist: the histogram
 * @bucket: the bucket, 0 to %FSCACHE_HIST_BUCKETS - 1
 *
 * Return: how many values fell into the bucket since the module was loaded.
 */
unsigned long fscache_hist_read(enum fscache_ops_hist hist, unsigned int bucket)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(fscache_ops_stats, cpu)->hist[hist][bucket];
	return sum;
}

/**
 * fscache_ops_stats_show - show the stats file
 * @m: where to
 * @v: unused
 *
 * One line per counter, "name value", in a fixed order.
 *
 * Return: 0.
 */
int fscache_ops_stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < FSCACHE_STAT__NR; i++)
		seq_printf(m, "%-20s %lu\n", fscache_stat_names[i],
			   fscache_stat_read(i));
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(fscache_ops_stats);

/**
 * fscache_ops_histogram_show - show the histogram file
 * @m: where to
 * @v: unused
 *
 * A header line naming the columns, then one line per bucket in which any
 * histogram counted something: the bucket's bounds in microseconds (the
 * lower inclusive, the upper exclusive, "inf" for the last), then each
 * histogram's count.
 *
 * Return: 0.
 */
int fscache_ops_histogram_show(struct seq_file *m, void *v)
{
	unsigned long n[FSCACHE_HIST__NR], any;
	unsigned int b, h;

	seq_printf(m, "%10s %10s", "usecs_lo", "usecs_hi");
	for (h = 0; h < FSCACHE_HIST__NR; h++)
		seq_printf(m, " %13s", fscache_hist_names[h]);
	seq_putc(m, '\n');

	for (b = 0; b < FSCACHE_HIST_BUCKETS; b++) {
		any = 0;
		for (h = 0; h < FSCACHE_HIST__NR; h++) {
			n[h] = fscache_hist_read(h, b);
			any |= n[h];
		}
		if (!any)
			continue;
		seq_printf(m, "%10lu ", b ? 1UL << (b - 1) : 0);
		if (b == FSCACHE_HIST_BUCKETS - 1)
			seq_printf(m, "%10s", "inf");
		else
			seq_printf(m, "%10lu", 1UL << b);
		for (h = 0; h < FSCACHE_HIST__NR; h++)
			seq_printf(m, " %13lu", n[h]);
		seq_putc(m, '\n');
	}
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(fscache_ops_histogram);

/**
 * fscache_ops_stats_init - allocate the counters and create their files
 *
 * Return: 0 or -ENOMEM.
 */
int fscache_ops_stats_init(void)
{
	fscache_ops_stats = alloc_percpu(struct fscache_ops_stats);
	if (!fscache_ops_stats)
		return -ENOMEM;

	/* Debugfs is a debugging aid: its failure is not the module's. */
	debugfs_create_file("stats", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_ops_stats_fops);
	debugfs_create_file("histogram", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_ops_histogram_fops);
	return 0;
}

/**
 * fscache_ops_stats_exit - free the counters
 */
void fscache_ops_stats_exit(void)
{
	/* The debugfs files read the counters: they must be gone first. */
	WARN_ONCE(fscache_ops_debugfs_root,
		  "fscache_ops: counters freed before their debugfs files\n");
	free_percpu(fscache_ops_stats);
	fscache_ops_stats = NULL;
}
