// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops statistics: per-CPU event counters and the histogram of how
 * long operation processors ran, shown in debugfs as
 * /sys/kernel/debug/fscache_ops/{stats,histogram}.
 */

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include "internal.h"

struct fscache_ops_stats __percpu *fscache_ops_stats;
unsigned long __percpu *fscache_ops_histogram;

static const char *const fscache_stat_names[FSCACHE_STAT__NR] = {
	[FSCACHE_STAT_OP_INITIALISED]		= "op_initialised",
	[FSCACHE_STAT_OP_PEND]			= "op_pend",
	[FSCACHE_STAT_OP_RUN]			= "op_run",
	[FSCACHE_STAT_OP_ENQUEUE]		= "op_enqueue",
	[FSCACHE_STAT_OP_REJECTED]		= "op_rejected",
	[FSCACHE_STAT_OP_COMPLETE]		= "op_complete",
	[FSCACHE_STAT_OP_CANCELLED]		= "op_cancelled",
	[FSCACHE_STAT_OP_RELEASE]		= "op_release",
	[FSCACHE_STAT_OP_DEFERRED_RELEASE]	= "op_deferred_release",
	[FSCACHE_STAT_OP_GC]			= "op_gc",
	[FSCACHE_STAT_OBJ_INIT]			= "obj_init",
	[FSCACHE_STAT_OBJ_ACTIVE]		= "obj_active",
	[FSCACHE_STAT_OBJ_DEAD]			= "obj_dead",
	[FSCACHE_STAT_EV_CLEARED]		= "ev_cleared",
	[FSCACHE_STAT_MISUSE]			= "misuse",
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
 * fscache_hist - account how long an operation's processor ran
 * @start_jif: jiffies when it began
 */
void fscache_hist(unsigned long start_jif)
{
	unsigned long jif = jiffies - start_jif;

	if (jif >= FSCACHE_HISTOGRAM_BUCKETS)
		jif = FSCACHE_HISTOGRAM_BUCKETS - 1;
	this_cpu_inc(fscache_ops_histogram[jif]);
}

static int fscache_stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < FSCACHE_STAT__NR; i++)
		seq_printf(m, "%-20s %lu\n", fscache_stat_names[i],
			   fscache_stat_read(i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fscache_stats);

static int fscache_histogram_show(struct seq_file *m, void *v)
{
	unsigned long n;
	int i, cpu;

	seq_puts(m, "JIFS  SECS  OPS RUN\n");
	seq_puts(m, "===== ===== =========\n");
	for (i = 0; i < FSCACHE_HISTOGRAM_BUCKETS; i++) {
		n = 0;
		for_each_possible_cpu(cpu)
			n += per_cpu_ptr(fscache_ops_histogram, cpu)[i];
		if (!n)
			continue;
		seq_printf(m, "%4d%s %5u %9lu\n", i,
			   i == FSCACHE_HISTOGRAM_BUCKETS - 1 ? "+" : " ",
			   jiffies_to_msecs(i) / 1000, n);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fscache_histogram);

/**
 * fscache_ops_stats_init - allocate the counters and create their files
 *
 * Return: 0 or -ENOMEM.
 */
int fscache_ops_stats_init(void)
{
	fscache_ops_stats = alloc_percpu(struct fscache_ops_stats);
	fscache_ops_histogram = __alloc_percpu(sizeof(unsigned long) *
					       FSCACHE_HISTOGRAM_BUCKETS,
					       sizeof(unsigned long));
	if (!fscache_ops_stats || !fscache_ops_histogram) {
		fscache_ops_stats_exit();
		return -ENOMEM;
	}

	/* Debugfs is a debugging aid: its failure is not the module's. */
	debugfs_create_file("stats", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_stats_fops);
	debugfs_create_file("histogram", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_histogram_fops);
	return 0;
}

/**
 * fscache_ops_stats_exit - free the counters
 */
void fscache_ops_stats_exit(void)
{
	free_percpu(fscache_ops_histogram);
	fscache_ops_histogram = NULL;
	free_percpu(fscache_ops_stats);
	fscache_ops_stats = NULL;
}
