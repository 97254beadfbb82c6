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
void fscache_ops_destroy_slow_wq(void);

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

/*
 * Drop one of the backend's references on a count split as FSCACHE_REF_OWN
 * describes (include/linux/fscache-ops.h).  The check and the decrement are
 * one atomic step, so that a put of a reference the caller does not hold is
 * refused even when it races with legitimate puts.
 *
 * Return: 1 if that was the last reference of all, 0 if others remain, or
 * -EINVAL, dropping nothing, if no reference of the backend's was left.
 */
static inline int fscache_put_backend_ref(refcount_t *ref)
{
	int old = refcount_read(ref);

	do {
		if (!(old & FSCACHE_REF_MASK))
			return -EINVAL;
	} while (!atomic_try_cmpxchg_release(&ref->refs, &old, old - 1));
	if (old != 1)
		return 0;
	/* As refcount_dec_and_test(): the freeing follows every access. */
	smp_acquire__after_ctrl_dep();
	return 1;
}

/*
 * Take one more of the backend's references on such a count, refusing when
 * it has none left or its share is full (which would spill into fscache_ops'
 * own).  Return: 0, or -EINVAL having taken nothing.
 */
static inline int fscache_get_backend_ref(refcount_t *ref)
{
	int old = refcount_read(ref);

	do {
		if (!old || (old & FSCACHE_REF_MASK) == FSCACHE_REF_MASK)
			return -EINVAL;
	} while (!atomic_try_cmpxchg_relaxed(&ref->refs, &old, old + 1));
	return 0;
}

/*
 * Test points: where a KUnit case may hold a thread up to make a race window
 * wide and its outcome deterministic.  They compile to nothing outside the
 * KUnit build.
 */
enum fscache_ops_test_point {
	FSCACHE_TP_PUT_CHECKED,	/* a put is about to drop its reference */
	FSCACHE_TP_SUBMIT_CLAIMED,	/* a submission claimed the op */
	FSCACHE_TP_DEFER_PUBLISHED,	/* a deferred op is on the GC list */
	FSCACHE_TP_CANCEL_ALL,		/* a dying object holds an op in progress */
	FSCACHE_TP_SLOW_WQ_DESTROYED,	/* the SLOW workqueue is gone */
};

#if IS_ENABLED(CONFIG_FSCACHE_OPS_KUNIT_TEST)
typedef void (*fscache_ops_test_hook_t)(enum fscache_ops_test_point tp,
					void *arg);
extern fscache_ops_test_hook_t fscache_ops_test_hook;

static inline void fscache_ops_test_point(enum fscache_ops_test_point tp,
					  void *arg)
{
	fscache_ops_test_hook_t hook = READ_ONCE(fscache_ops_test_hook);

	if (hook)
		hook(tp, arg);
}
#else
static inline void fscache_ops_test_point(enum fscache_ops_test_point tp,
					  void *arg)
{
}
#endif

#endif /* _FSCACHE_OPS_INTERNAL_H */
