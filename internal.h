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
#include <linux/jump_label.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/sched/clock.h>
#include <trace/events/fscache_ops.h>

struct seq_file;

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
void fscache_ops_object_debugfs_init(void);
/*
 * The objects file's cursor: the next object to show is the first at or
 * after it, in the order of the cache's and then the object's debug id.
 */
struct fscache_objects_iter {
	unsigned int	cache_id;
	unsigned int	object_id;
};

extern const struct seq_operations fscache_ops_objects_sops;
int fscache_ops_caches_show(struct seq_file *m, void *v);

/*
 * operation.c
 */
void fscache_start_operations(struct fscache_object *object);
void fscache_lane_close(struct fscache_object *object);
void fscache_lane_try_open(struct fscache_object *object);

/*
 * An object's lane (object->lane; operation.c says how it works):
 * FSCACHE_LANE_OPEN, then the lane ops in progress (in units of
 * FSCACHE_LANE_R1) and the lane ops not yet released (in units of
 * FSCACHE_LANE_A1).  A closed lane is 0: only the lock's holder changes a
 * closed lane, and a lane op changes an open one.  Beyond FSCACHE_LANE_MAX
 * of either count, ops take the lock.
 */
#define FSCACHE_LANE_OPEN	1LL
#define FSCACHE_LANE_R1		2LL
#define FSCACHE_LANE_A1		((s64)BIT_ULL(32))
#define FSCACHE_LANE_MAX	BIT(30)

static inline unsigned int fscache_lane_in_progress(s64 v)
{
	return ((u64)v >> 1) & 0x7fffffff;
}

static inline unsigned int fscache_lane_alive(s64 v)
{
	return (u64)v >> 32;
}

void fscache_cancel_all_ops(struct fscache_object *object);
void fscache_operation_gc(struct work_struct *work);
#if IS_ENABLED(CONFIG_FSCACHE_OPS_DEBUG)
void fscache_op_tracking_exit(void);
#else
static inline void fscache_op_tracking_exit(void) {}
#endif
const char *fscache_op_state_name(unsigned int state);

/*
 * stats.c: per-CPU event counters, summed when read, and histograms; built
 * with CONFIG_FSCACHE_OPS_STATS (without it they cost nothing and read 0).
 * Documentation/admin.rst says what each counts and which balance at rest.
 */
enum fscache_ops_stat {
	FSCACHE_STAT_OP_INITIALISED,	/* fscache_operation_init() */
	FSCACHE_STAT_OP_SUBMIT,		/* submissions accepted */
	FSCACHE_STAT_OP_PEND,		/* deferred on a pending FIFO */
	FSCACHE_STAT_OP_RUN,		/* started */
	FSCACHE_STAT_OP_ENQUEUE,	/* queued on a workqueue */
	FSCACHE_STAT_OP_ENQUEUE_DUP,	/* ... when it was queued already */
	FSCACHE_STAT_OP_WORK,		/* work item runs */
	FSCACHE_STAT_OP_PROCESS,	/* processor calls */
	FSCACHE_STAT_OP_REJECTED,	/* submission refused (-ENOBUFS) */
	FSCACHE_STAT_OP_COMPLETE,	/* completed */
	FSCACHE_STAT_OP_CANCELLED,	/* cancelled */
	FSCACHE_STAT_OP_CANCEL_PENDING,	/* ... while pending, never started */
	FSCACHE_STAT_OP_RELEASE,	/* last reference put */
	FSCACHE_STAT_OP_DEFERRED_RELEASE, /* ... handed to the GC */
	FSCACHE_STAT_OP_GC,		/* ... and finished by the GC */
	FSCACHE_STAT_OBJ_INIT,		/* objects initialised */
	FSCACHE_STAT_OBJ_ACTIVE,	/* objects that became active */
	FSCACHE_STAT_OBJ_DEAD,		/* objects that died */
	FSCACHE_STAT_OBJ_FREE,		/* put_object() calls */
	FSCACHE_STAT_EV_CLEARED,	/* EV_CLEARED raised */
	FSCACHE_STAT_CACHE_ADD,		/* caches registered */
	FSCACHE_STAT_CACHE_IO_ERROR,	/* caches stopped by an I/O error */
	FSCACHE_STAT_CACHE_WITHDRAW,	/* caches withdrawn */
	FSCACHE_STAT_MISUSE,		/* backend mistakes caught */
	FSCACHE_STAT__NR
};

/*
 * The histograms, in microseconds with log2 buckets: bucket 0 counts values
 * below 1, bucket b (b >= 1) those from 2^(b-1) to 2^b - 1, and the last
 * bucket everything from 2^(FSCACHE_HIST_BUCKETS-2) on.
 */
enum fscache_ops_hist {
	FSCACHE_HIST_RUN_FAST,		/* how long FAST processors ran */
	FSCACHE_HIST_RUN_SLOW,		/* how long SLOW processors ran */
	FSCACHE_HIST_WAIT_FAST,		/* submission to the processor's start */
	FSCACHE_HIST_WAIT_SLOW,		/* submission to the processor's start */
	FSCACHE_HIST_WAIT_MYTHREAD,	/* submission to activation */
	FSCACHE_HIST__NR
};

#define FSCACHE_HIST_BUCKETS	32

struct fscache_ops_stats {
	unsigned long	n[FSCACHE_STAT__NR];
	unsigned long	hist[FSCACHE_HIST__NR][FSCACHE_HIST_BUCKETS];
};

/* Now, in microseconds (the low 32 bits): the unit of op->submit_time. */
static inline unsigned int fscache_now_us(void)
{
	return div_u64(local_clock(), NSEC_PER_USEC);
}

#if IS_ENABLED(CONFIG_FSCACHE_OPS_STATS)
extern struct fscache_ops_stats __percpu *fscache_ops_stats;
DECLARE_STATIC_KEY_FALSE(fscache_ops_timing);

int fscache_ops_set_timing(const char *val);

/*
 * Are ops being timed (the timing parameter)?  The histograms and the ages
 * of ops cost a few clock reads and an atomic per op, which is most of what
 * an op costs beyond a bare work item under QEMU (Documentation/benchmark.rst),
 * so they are off unless asked for, as the scheduler's schedstats are.
 */
static inline bool fscache_timing(void)
{
	return static_branch_unlikely(&fscache_ops_timing);
}

static inline void fscache_stat(enum fscache_ops_stat stat)
{
	this_cpu_inc(fscache_ops_stats->n[stat]);
}

static inline unsigned int fscache_hist_bucket(u64 usecs)
{
	return min_t(unsigned int, fls64(usecs), FSCACHE_HIST_BUCKETS - 1);
}

static inline void fscache_hist_add(enum fscache_ops_hist hist, u64 usecs)
{
	this_cpu_inc(fscache_ops_stats->hist[hist][fscache_hist_bucket(usecs)]);
}

/*
 * The op is being submitted: if ops are timed, note when, for
 * fscache_hist_wait() and the op's age in debugfs (FSCACHE_OP_I_STAMPED says
 * that submit_time is this submission's).
 */
static inline void fscache_op_stamp(struct fscache_operation *op)
{
	if (fscache_timing()) {
		op->submit_time = fscache_now_us();
		set_bit(FSCACHE_OP_I_STAMPED, &op->iflags);
	} else if (unlikely(test_bit(FSCACHE_OP_I_STAMPED, &op->iflags))) {
		/* Left by a refused submission while timing was on. */
		clear_bit(FSCACHE_OP_I_STAMPED, &op->iflags);
	}
}

/*
 * When a processor begins, in ns, for fscache_hist_run() and _wait(); 0
 * when ops are not timed, which both then ignore.
 */
static inline u64 fscache_hist_clock(void)
{
	return fscache_timing() ? local_clock() : 0;
}

/* A processor that began at @start returned. */
static inline void fscache_hist_run(bool fast, u64 start)
{
	s64 ns;

	if (!start)
		return;
	ns = local_clock() - start;

	/* An unbound worker may have moved to a CPU whose clock is behind. */
	fscache_hist_add(fast ? FSCACHE_HIST_RUN_FAST : FSCACHE_HIST_RUN_SLOW,
			 ns > 0 ? div_u64(ns, NSEC_PER_USEC) : 0);
}

/*
 * An op starts at @now (ns): its processor begins, or its MYTHREAD
 * submitter may run it.  Counted once per op, however often it is queued.
 */
static inline void fscache_hist_wait(struct fscache_operation *op, u64 now)
{
	unsigned int type = op->flags & FSCACHE_OP_TYPE;
	s32 us;

	/* Not timed when it was submitted. */
	if (!test_bit(FSCACHE_OP_I_STAMPED, &op->iflags))
		return;
	/*
	 * Not timed now: its first start goes uncounted, and a later one
	 * (after fscache_enqueue_operation()) must not count as a wait.
	 */
	if (!now) {
		if (!test_bit(FSCACHE_OP_I_WAIT_TIMED, &op->iflags))
			set_bit(FSCACHE_OP_I_WAIT_TIMED, &op->iflags);
		return;
	}
	if (type < FSCACHE_OP_FAST || type > FSCACHE_OP_MYTHREAD ||
	    test_and_set_bit(FSCACHE_OP_I_WAIT_TIMED, &op->iflags))
		return;
	us = (u32)div_u64(now, NSEC_PER_USEC) - op->submit_time;
	/* The submitter's CPU clock may be ahead of ours. */
	fscache_hist_add(FSCACHE_HIST_WAIT_FAST + type - FSCACHE_OP_FAST,
			 us > 0 ? us : 0);
}

unsigned long fscache_stat_read(enum fscache_ops_stat stat);
unsigned long fscache_hist_read(enum fscache_ops_hist hist, unsigned int bucket);
int fscache_ops_stats_init(void);
void fscache_ops_stats_exit(void);
int fscache_ops_stats_show(struct seq_file *m, void *v);
int fscache_ops_histogram_show(struct seq_file *m, void *v);
#else
static inline int fscache_ops_set_timing(const char *val) { return -EOPNOTSUPP; }
static inline void fscache_stat(enum fscache_ops_stat stat) {}
static inline void fscache_op_stamp(struct fscache_operation *op) {}
static inline u64 fscache_hist_clock(void) { return 0; }
static inline void fscache_hist_run(bool fast, u64 start) {}
static inline void fscache_hist_wait(struct fscache_operation *op, u64 now) {}
static inline unsigned long fscache_stat_read(enum fscache_ops_stat stat)
{
	return 0;
}

static inline unsigned long fscache_hist_read(enum fscache_ops_hist hist,
					      unsigned int bucket)
{
	return 0;
}

static inline int fscache_ops_stats_init(void) { return 0; }
static inline void fscache_ops_stats_exit(void) {}
#endif

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
	FSCACHE_TP_SUBMIT_STARTED,	/* a submission started its op, unlocked */
	FSCACHE_TP_SLOW_WQ_DESTROYED,	/* the SLOW workqueue is gone */
	FSCACHE_TP_DEBUG_ID_READ,	/* a CPU's block of debug ids was read */
	FSCACHE_TP_LANE_RUN,		/* a lane op has its object, unmarked */
	/* An op's state was read, not its mark (atomic, for a cancellation). */
	FSCACHE_TP_STATE_READ,
	FSCACHE_TP_OBJECT_JOINING,	/* an object is about to join its cache */
	FSCACHE_TP_CACHE_JOINING,	/* a cache is about to join the list */
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
