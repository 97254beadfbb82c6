/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixture shared by the fscache_ops KUnit suites: a fake backend whose
 * cache, objects and ops record what happened to them, so that tests can
 * assert which op ran, where, in what order, overlapping what, and that
 * each was released exactly once.
 */
#ifndef _FSCACHE_OPS_KUNIT_HELPERS_H
#define _FSCACHE_OPS_KUNIT_HELPERS_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/timer.h>
#include "../internal.h"

#define FSOP_MAX_OPS		4096
#define FSOP_MAX_OBJS		4096
#define FSOP_NR_GATES		4
#define FSOP_TIMEOUT_MS		20000

/* How the fake backend answers lookup_object(). */
enum fsop_lookup_mode {
	FSOP_LOOKUP_AVAILABLE,		/* found at once */
	FSOP_LOOKUP_CREATE,		/* negative, then created at once */
	FSOP_LOOKUP_MANUAL,		/* the test reports the outcome */
	FSOP_LOOKUP_FAIL,		/* lookup_object() returns -EIO */
	FSOP_LOOKUP_RETURN_ONE,		/* lookup_object() returns 1 */
};

/* What happened to one op; kept apart from the op, which is freed. */
struct fsop_record {
	int		start_seq;	/* clock when its processor began */
	int		end_seq;	/* ... and ended */
	atomic_t	runs;		/* processor calls */
	atomic_t	released;	/* release callbacks */
	atomic_t	cancelled;	/* cancel callbacks */
	bool		ran_atomic;	/* in_atomic() in the processor */
	bool		ran_unbound;	/* on an unbound worker */
	bool		ran_bound;	/* on a per-CPU worker */
	bool		released_atomic; /* release callback could not sleep */
	struct completion started;
};

struct fsop_test_obj {
	struct fscache_object	object;
	struct fsop_test_ctx	*ctx;
	enum fsop_lookup_mode	lookup_mode;
	atomic_t		running;	/* processors running on it */
	atomic_t		running_excl;	/* ... of exclusive ops */
};

struct fsop_test_ctx {
	struct kunit		*test;
	struct fscache_cache	cache;
	struct fscache_cache_ops cache_ops;
	atomic_t		lookups;
	atomic_t		updates;
	atomic_t		drops;
	atomic_t		drops_busy;	/* drop_object() with n_ops != 0 */
	atomic_t		drops_retired;	/* ... of retired objects */
	atomic_t		puts;		/* put_object() calls */
	int			last_error;	/* object->error at the last drop */
	atomic_t		objects;	/* objects initialised */
	/* The test's reference on each object, put by fsop_test_exit(). */
	struct fscache_object	**objs;

	atomic_t		seq;		/* event clock */
	atomic_t		max_running;	/* on any one object */
	atomic_t		overlaps;	/* exclusivity violations */
	atomic_t		ran;
	atomic_t		released;
	atomic_t		cancelled;
	atomic_t		nr_ops;
	struct fsop_record	*rec;
	struct completion	gate[FSOP_NR_GATES];

	unsigned long		stat_base[FSCACHE_STAT__NR];
	int			expected_misuse;
	/*
	 * The lane variant of a suite: ops get no cancel callback, so that
	 * shareable ones start on their object's lane (operation.c) when it
	 * is open; a case that needs one sets it itself.
	 */
	bool			lane;
};

/* A test op: the fscache op deliberately not at offset 0. */
struct fsop_test_op {
	unsigned long		cookie;
	struct fscache_operation op;
	struct fsop_test_ctx	*ctx;
	int			id;
	unsigned int		work_us;	/* busy-wait this long */
	unsigned int		sleep_ms;	/* then sleep this long */
	int			gate;		/* wait on ctx->gate[gate - 1] */
	void			(*hook)(struct fsop_test_op *top);
};

/*
 * @n, or 0 in a lane variant: what ops without a cancel callback, or ops
 * on an open lane, do not do (cancel callbacks; idle transitions counted
 * in n_cleared, which are those of n_ops under the lock).
 */
static inline int fsop_unless_lane(struct fsop_test_ctx *ctx, int n)
{
	return ctx->lane ? 0 : n;
}

#define fsop_wait_for(cond)						\
({									\
	unsigned long __end = jiffies + msecs_to_jiffies(FSOP_TIMEOUT_MS); \
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))	\
		usleep_range(1000, 2000);				\
	__ok;								\
})

/* A put made from a timer (softirq), for fsop_timer_put_fn(). */
struct fsop_timer_put {
	struct timer_list		timer;
	struct fscache_operation	*op;
	struct completion		done;
	bool				in_task;	/* in_task() there */
};

void fsop_timer_put_fn(struct timer_list *t);
int fsop_test_init(struct kunit *test);
int fsop_test_init_lane(struct kunit *test);
void fsop_test_exit(struct kunit *test);

struct fscache_object *fsop_new_object_on(struct fsop_test_ctx *ctx,
					  struct fscache_cache *cache,
					  enum fsop_lookup_mode mode,
					  bool lookup);
struct fscache_object *fsop_new_object_nowait(struct fsop_test_ctx *ctx,
					      enum fsop_lookup_mode mode,
					      bool lookup);
struct fscache_object *fsop_new_object(struct fsop_test_ctx *ctx,
				       enum fsop_lookup_mode mode);
bool fsop_wait_state(struct fscache_object *object,
		     enum fscache_object_state state);
bool fsop_wait_dead(struct fscache_object *object);
void fsop_put_ref(struct fsop_test_ctx *ctx, struct fscache_object *object);
struct fsop_test_op *fsop_new_op(struct fsop_test_ctx *ctx,
				 unsigned int type, bool exclusive);
struct fsop_record *fsop_rec(struct fsop_test_op *top);
void fsop_counters(struct fscache_object *object, unsigned int *n_ops,
		   unsigned int *n_in_progress, unsigned int *n_exclusive);
void fsop_expect_idle(struct kunit *test, struct fscache_object *object);
unsigned long fsop_stat_delta(struct fsop_test_ctx *ctx,
			      enum fscache_ops_stat stat);
void fsop_expect_misuse(struct fsop_test_ctx *ctx, int n);
void fsop_open_gate(struct fsop_test_ctx *ctx, int gate);

#endif /* _FSCACHE_OPS_KUNIT_HELPERS_H */
