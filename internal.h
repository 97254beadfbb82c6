/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fscache_ops internal definitions: shared between the module's own files
 * and its KUnit suites, never seen by backends.
 */
#ifndef _FSCACHE_OPS_INTERNAL_H
#define _FSCACHE_OPS_INTERNAL_H

#undef pr_fmt
#define pr_fmt(fmt) "fscache_ops: " fmt

#include <linux/fscache-ops.h>
#include <linux/percpu.h>
#include <linux/printk.h>

/*
 * main.c
 */
extern struct workqueue_struct *fscache_ops_fast_wq;
extern struct workqueue_struct *fscache_ops_slow_wq;
extern struct workqueue_struct *fscache_ops_object_wq;
extern struct dentry *fscache_ops_debugfs_root;
int fscache_ops_set_slow_max_active(const char *val);
unsigned int fscache_ops_slow_max_active(void);

/*
 * object.c
 */
void fscache_raise_event(struct fscache_object *object, unsigned int event);
void fscache_ops_object_exit(void);
extern const char *const fscache_object_event_names[FSCACHE_OBJECT_NR_EVENTS];

/*
 * operation.c
 */
void fscache_start_operations(struct fscache_object *object);
void fscache_cancel_all_ops(struct fscache_object *object);
void fscache_operation_gc(struct work_struct *work);

/*
 * stats.c: per-CPU event counters, summed when read.
 */
enum fscache_ops_stat {
	FSCACHE_STAT_OP_INITIALISED,	/* fscache_operation_init() */
	FSCACHE_STAT_OP_PEND,		/* deferred on a pending FIFO */
	FSCACHE_STAT_OP_RUN,		/* started */
	FSCACHE_STAT_OP_ENQUEUE,	/* queued on a workqueue */
	FSCACHE_STAT_OP_REJECTED,	/* submission refused (-ENOBUFS) */
	FSCACHE_STAT_OP_COMPLETE,	/* completed */
	FSCACHE_STAT_OP_CANCELLED,	/* cancelled */
	FSCACHE_STAT_OP_RELEASE,	/* last reference put */
	FSCACHE_STAT_OP_DEFERRED_RELEASE, /* ... handed to the GC */
	FSCACHE_STAT_OP_GC,		/* ... and finished by the GC */
	FSCACHE_STAT_OBJ_INIT,		/* objects initialised */
	FSCACHE_STAT_OBJ_ACTIVE,	/* objects that became active */
	FSCACHE_STAT_OBJ_DEAD,		/* objects that died */
	FSCACHE_STAT_EV_CLEARED,	/* EV_CLEARED raised */
	FSCACHE_STAT_MISUSE,		/* backend mistakes caught */
	FSCACHE_STAT__NR
};

struct fscache_ops_stats {
	unsigned long	n[FSCACHE_STAT__NR];
};

extern struct fscache_ops_stats __percpu *fscache_ops_stats;
extern unsigned long __percpu *fscache_ops_histogram;

#define FSCACHE_HISTOGRAM_BUCKETS	HZ

static inline void fscache_stat(enum fscache_ops_stat stat)
{
	this_cpu_inc(fscache_ops_stats->n[stat]);
}

unsigned long fscache_stat_read(enum fscache_ops_stat stat);
void fscache_hist(unsigned long start_jif);
int fscache_ops_stats_init(void);
void fscache_ops_stats_exit(void);

/*
 * A backend's mistake: it is counted, reported once per call site with
 * WARN_ONCE() and the caller refuses the request with an error; the kernel
 * never stops for it.  The KUnit suites provoke such mistakes on purpose and
 * announce them with fscache_ops_expect_misuse(), which turns the warnings
 * they expect into plain messages (the suites run with panic_on_warn).
 */
bool fscache_ops_misuse_expected(void);
__printf(2, 3) void fscache_report_misuse(bool *warned, const char *fmt, ...);

#define fscache_misuse(cond, fmt, ...)					\
({									\
	static bool __warned;						\
	bool __misuse = !!(cond);					\
									\
	if (unlikely(__misuse))						\
		fscache_report_misuse(&__warned, fmt, ##__VA_ARGS__);	\
	unlikely(__misuse);						\
})

#if IS_ENABLED(CONFIG_FSCACHE_OPS_KUNIT_TEST)
void fscache_ops_expect_misuse(int n);
#endif

#endif /* _FSCACHE_OPS_INTERNAL_H */
