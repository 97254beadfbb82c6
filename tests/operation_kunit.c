// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite for the fscache_ops operation manager: real ops on the
 * module's workqueues, on every CPU the kernel has.
 *
 * The cases named seed_defect_* are regression tests for the defects of the
 * 2009 operation.c listed in the specification's defects.md: each would
 * fail (or hang, or crash) on the seed's behaviour.
 */

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/wait_bit.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

static int fsop_submit(struct fsop_test_op *top, struct fscache_object *object)
{
	if (test_bit(FSCACHE_OP_EXCLUSIVE, &top->op.flags))
		return fscache_submit_exclusive_op(object, &top->op);
	return fscache_submit_op(object, &top->op);
}

/* Submit an asynchronous op and drop the submitter's reference. */
static struct fsop_record *fsop_fire(struct fsop_test_ctx *ctx,
				     struct fscache_object *object,
				     unsigned int type, bool excl)
{
	struct fsop_test_op *top = fsop_new_op(ctx, type, excl);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_EXPECT_EQ(ctx->test, fsop_submit(top, object), 0);
	fscache_put_operation(&top->op);
	return r;
}

static bool fsop_started(struct fsop_record *r)
{
	return wait_for_completion_timeout(&r->started,
					   msecs_to_jiffies(FSOP_TIMEOUT_MS)) != 0;
}

/* FAST ops run on a per-CPU worker, unable to sleep (in a debug kernel). */
static void fast_op_runs_on_bound_worker(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_record *r = fsop_fire(ctx, object, FSCACHE_OP_FAST, false);

	KUNIT_ASSERT_TRUE(test, fsop_started(r));
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_TRUE(test, r->ran_bound);
	KUNIT_EXPECT_FALSE(test, r->ran_unbound);
	if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		KUNIT_EXPECT_TRUE(test, r->ran_atomic);
}

/* SLOW ops run on an unbound worker and may sleep. */
static void slow_op_runs_on_unbound_worker(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);

	top->sleep_ms = 5;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	KUNIT_ASSERT_TRUE(test, fsop_started(r));
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_TRUE(test, r->ran_unbound);
	KUNIT_EXPECT_FALSE(test, r->ran_atomic);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/*
 * MYTHREAD: the submitter waits for FSCACHE_OP_WAITING to clear, as
 * operations.txt prescribes, then does the work itself.
 */
static void mythread_op_runs_in_submitter(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	unsigned int ops, inp, excl;

	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	/* Deferred while the object is being looked up. */
	msleep(20);
	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_WAITING, &top->op.flags));
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_PENDING);

	fscache_ops_object_available(object);
	KUNIT_EXPECT_EQ(test, wait_on_bit(&top->op.flags, FSCACHE_OP_WAITING,
					  TASK_UNINTERRUPTIBLE), 0);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_IN_PROGRESS);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_EQ(test, inp, 1);
	/* Only the submitter's reference is left: the FIFO's is gone. */
	KUNIT_EXPECT_EQ(test, refcount_read(&top->op.usage), 1);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/* Exclusive ops start strictly in submission order. */
static void fifo_order(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_record *r[32];
	int i;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = fsop_fire(ctx, object,
				 i & 1 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW, true);
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i]->runs), 1);
		if (i)
			KUNIT_EXPECT_LT(test, r[i - 1]->end_seq, r[i]->start_seq);
	}
}

/*
 * A mix of shareable and exclusive ops: every op before an exclusive one
 * ends before it starts, every op after it starts after it ends.
 */
static void exclusive_ops_are_barriers(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	static const char pattern[] = "ssSsssSSssssSs";
	struct fsop_record *r[sizeof(pattern) - 1];
	int i, j;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		struct fsop_test_op *top =
			fsop_new_op(ctx, FSCACHE_OP_SLOW, pattern[i] == 'S');

		top->sleep_ms = 2;
		r[i] = fsop_rec(top);
		KUNIT_EXPECT_EQ(test, fsop_submit(top, object), 0);
		fscache_put_operation(&top->op);
	}
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i]->runs), 1);
		if (pattern[i] != 'S')
			continue;
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_LT(test, r[j]->end_seq, r[i]->start_seq);
		for (j = i + 1; j < ARRAY_SIZE(r); j++)
			KUNIT_EXPECT_GT(test, r[j]->start_seq, r[i]->end_seq);
	}
}

struct fsop_storm {
	struct fsop_test_ctx	*ctx;
	struct fscache_object	*object;
	int			seed;
	int			n;
	struct completion	done;
};

/* A submitter thread: a pseudo-random mix of types and exclusivity. */
static int fsop_storm_thread(void *data)
{
	struct fsop_storm *s = data;
	u32 x = s->seed;
	int i;

	for (i = 0; i < s->n; i++) {
		struct fsop_test_op *top;

		x = x * 1103515245 + 12345;
		top = fsop_new_op(s->ctx, (x >> 8) & 1 ? FSCACHE_OP_FAST :
					  FSCACHE_OP_SLOW,
				  ((x >> 12) & 7) == 0);
		top->work_us = (x >> 16) & 31;
		if (fsop_submit(top, s->object))
			atomic_inc(&s->ctx->overlaps);	/* counts as failure */
		fscache_put_operation(&top->op);
		if (!(i & 15))
			cond_resched();
	}
	complete(&s->done);
	return 0;
}

/*
 * Two submitters on two CPUs, FAST and SLOW, shareable and exclusive: no
 * exclusive op ever overlaps another op, and the counters' invariants hold
 * at every sample taken meanwhile.
 */
static void exclusive_never_overlaps(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_storm s[2];
	struct task_struct *t;
	int i, samples = 0;

	KUNIT_ASSERT_GE_MSG(test, num_online_cpus(), 2, "needs -smp 2");
	for (i = 0; i < 2; i++) {
		s[i].ctx = ctx;
		s[i].object = object;
		s[i].seed = 17 + i;
		s[i].n = 1500;
		init_completion(&s[i].done);
		t = kthread_create(fsop_storm_thread, &s[i], "fsop_storm/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, i);
		wake_up_process(t);
	}
	/* Meanwhile the counters' invariants hold at every sample. */
	while (!completion_done(&s[0].done) || !completion_done(&s[1].done)) {
		/* All read in one hold of the lock, as the manager writes them. */
		spin_lock(&object->lock);
		if (object->n_ops < object->n_in_progress ||
		    object->n_ops < object->n_exclusive ||
		    (test_bit(FSCACHE_OBJECT_EXCL_RUNNING, &object->flags) &&
		     object->n_in_progress != 1))
			atomic_inc(&ctx->overlaps);
		spin_unlock(&object->lock);
		samples++;
		cond_resched();
	}
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_GT(test, samples, 0);
	kunit_info(test, "%d samples, at most %d ops at once", samples,
		   atomic_read(&ctx->max_running));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 3000);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->overlaps), 0);
	/*
	 * That shareable ops do overlap is shareable_ops_overlap's to show,
	 * deterministically; here it depends on scheduling, so it is only
	 * reported.
	 */
}

static struct fsop_test_ctx *fsop_rendezvous_ctx;
static atomic_t fsop_rendezvous;

static void fsop_rendezvous_hook(struct fsop_test_op *top)
{
	atomic_inc(&fsop_rendezvous);
	/* Both must be inside their processors at once. */
	if (!fsop_wait_for(atomic_read(&fsop_rendezvous) >= 2))
		atomic_inc(&top->ctx->cancelled);
}

/* Two shareable SLOW ops on one object run at the same time. */
static void shareable_ops_overlap(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	int i;

	fsop_rendezvous_ctx = ctx;
	atomic_set(&fsop_rendezvous, 0);
	for (i = 0; i < 2; i++) {
		struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);

		top->hook = fsop_rendezvous_hook;
		KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
		fscache_put_operation(&top->op);
	}
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_running), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->cancelled), 0);
}

/*
 * Ops submitted during lookup and creation are deferred, and run in order
 * once the object is available.
 */
static void deferred_during_creation(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_record *r[6];
	unsigned int ops, inp, excl;
	int i;

	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_LOOKING_UP));
	for (i = 0; i < 3; i++)
		r[i] = fsop_fire(ctx, object, FSCACHE_OP_SLOW, true);
	fscache_ops_object_lookup_negative(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_CREATING));
	for (; i < 6; i++)
		r[i] = fsop_fire(ctx, object, FSCACHE_OP_FAST, i == 5);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 6);
	KUNIT_EXPECT_EQ(test, inp, 0);
	KUNIT_EXPECT_EQ(test, excl, 4);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_PEND), 6);

	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 6);
	for (i = 1; i < 3; i++)
		KUNIT_EXPECT_LT(test, r[i - 1]->end_seq, r[i]->start_seq);
	KUNIT_EXPECT_LT(test, r[2]->end_seq, r[3]->start_seq);
	KUNIT_EXPECT_LT(test, r[4]->end_seq, r[5]->start_seq);
}

/* A permanently unavailable object refuses ops with -ENOBUFS. */
static void unavailable_object_refuses(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *failed = fsop_new_object(ctx, FSOP_LOOKUP_FAIL);
	struct fscache_object *live = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder, *top;

	/* A failed lookup kills the object. */
	KUNIT_EXPECT_NOT_NULL(test, failed);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(failed));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->lookups), 2);

	/*
	 * A dying object (kept from dying by an op in progress), shareable and
	 * exclusive submissions: no BUG(), -ENOBUFS.
	 */
	holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(live, &holder->op), 0);
	fscache_abort_object(live);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(live, FSCACHE_OBJECT_KILLED));
	KUNIT_EXPECT_TRUE(test, fscache_object_is_dying(live));
	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(live, &top->op), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_INITIALISED);
	fscache_put_operation(&top->op);
	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(live, &top->op),
			-ENOBUFS);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_REJECTED), 2);
	fscache_put_operation(&holder->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(live));
}

/* An I/O error on the cache makes every object refuse ops. */
static void io_error_refuses(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *top;

	/* The holder, in progress, keeps the object from being freed. */
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	fscache_ops_io_error(&ctx->cache);
	KUNIT_EXPECT_FALSE(test, fscache_object_is_active(object));
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -ENOBUFS);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));
	fscache_put_operation(&holder->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
}

static void fsop_retype_hook(struct fsop_test_op *top)
{
	struct fsop_record *r = fsop_rec(top);

	if (atomic_read(&r->runs) == 1) {
		/* operations.txt, corrected: |= FSCACHE_OP_FAST, not |= ~. */
		top->op.flags &= ~FSCACHE_OP_TYPE;
		top->op.flags |= FSCACHE_OP_FAST;
		if (fscache_enqueue_operation(&top->op))
			atomic_inc(&top->ctx->overlaps);
	}
}

/* An op re-enqueued with another type runs again, on the other queue. */
static void enqueue_with_type_change(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);

	top->hook = fsop_retype_hook;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 2);
	/* The second run was FAST: on a per-CPU worker. */
	KUNIT_EXPECT_TRUE(test, r->ran_bound);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_ENQUEUE), 2);
}

/* Extra references from several places: release runs once, at the end. */
static void release_exactly_once(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	unsigned int ops, inp, excl;
	int i;

	top->gate = 1;
	for (i = 0; i < 3; i++)
		fscache_get_operation(&top->op);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_ASSERT_TRUE(test, fsop_started(r));
	for (i = 0; i < 3; i++)
		fscache_put_operation(&top->op);
	fsop_open_gate(ctx, 1);
	msleep(20);
	/* The submitter still holds one: not released, still in progress. */
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, inp, 1);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/* An op allocated on its own, with no release callback, is kfree()'d. */
static void kmalloc_op_without_release(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fscache_operation *op = kzalloc(sizeof(*op), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, op);
	fscache_operation_init(op, NULL);
	op->flags |= FSCACHE_OP_MYTHREAD;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, op), 0);
	KUNIT_EXPECT_EQ(test, op->state, FSCACHE_OP_ST_IN_PROGRESS);
	fscache_put_operation(op);	/* KASAN/kmemleak watch the kfree() */
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_RELEASE), 1);
}

/*
 * Seed defect 1: n_ops > 0 right after n_ops++ queued every exclusive op on
 * an idle object, where it waited for something else to kick the queue.
 */
static void seed_defect_exclusive_on_idle_object_runs(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_record *r = fsop_fire(ctx, object, FSCACHE_OP_SLOW, true);

	KUNIT_EXPECT_TRUE(test, fsop_started(r));
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_PEND), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_RUN), 1);
}

/*
 * Seed defect 2: the GC accounted for a deferred op but never freed it.  A
 * final put made while the object's lock is held is deferred; the GC must
 * finish and release it.
 */
static void seed_defect_deferred_release_frees(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);
	unsigned int n_cleared = object->n_cleared;

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	spin_lock(&object->lock);
	fscache_put_operation(&top->op);	/* trylock fails: deferred */
	spin_unlock(&object->lock);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1);
	flush_work(&ctx->cache.op_gc);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_GC), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, object->n_cleared, n_cleared + fsop_unless_lane(ctx, 1));
}

/* A final put from softirq context goes through the GC too. */
static void final_put_from_softirq_is_deferred(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_timer_put tp;

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	tp.op = &top->op;
	init_completion(&tp.done);
	timer_setup_on_stack(&tp.timer, fsop_timer_put_fn, 0);
	mod_timer(&tp.timer, jiffies + 1);
	wait_for_completion(&tp.done);
	timer_delete_sync(&tp.timer);
	destroy_timer_on_stack(&tp.timer);
	KUNIT_EXPECT_FALSE(test, tp.in_task);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/*
 * Seed defect 3: put always dropped n_in_progress (and n_exclusive), even
 * for an op that never started.  Cancel a pending exclusive op behind a
 * running one: n_in_progress stays 1, n_exclusive drops once.
 */
static void seed_defect_put_of_unstarted_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *e1 = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_test_op *e2 = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_record *r1 = fsop_rec(e1), *r2 = fsop_rec(e2);
	struct fsop_record *rs;
	unsigned int ops, inp, excl;

	e1->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &e1->op), 0);
	fscache_put_operation(&e1->op);
	KUNIT_ASSERT_TRUE(test, fsop_started(r1));
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &e2->op), 0);
	rs = fsop_fire(ctx, object, FSCACHE_OP_FAST, false);

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&e2->op, false), 0);
	KUNIT_EXPECT_EQ(test, e2->op.state, FSCACHE_OP_ST_CANCELLED);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&e2->op, false), -EALREADY);
	fscache_put_operation(&e2->op);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 2);
	KUNIT_EXPECT_EQ(test, inp, 1);
	KUNIT_EXPECT_EQ(test, excl, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->runs), 0);

	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&rs->runs), 1);
	KUNIT_EXPECT_LT(test, r1->end_seq, rs->start_seq);
}

/*
 * Seed defect 4: the report of an unexpected submission printed the
 * submitted op's callbacks for every queued op.  Now an unexpected
 * submission (here: the same op twice) is reported once, refused, and
 * leaves the queue as it was.
 */
static void seed_defect_unexpected_submission(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	unsigned int ops, inp, excl;

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -EINVAL);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&object->pending_ops));
	fscache_put_operation(&top->op);
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 1);
}

/*
 * Seed defect 5: operations.txt's "op->flags |= ~FSCACHE_OP_FAST" sets
 * every other bit (type, WAITING, EXCLUSIVE, DEAD...), and the seed's
 * enqueue then BUG()s.  It must be refused, and the op, flags left as the
 * document's code leaves them, must still finish and be released once.
 */
static void fsop_bad_retype_hook(struct fsop_test_op *top)
{
	top->op.flags &= ~FSCACHE_OP_TYPE;
	top->op.flags |= ~FSCACHE_OP_FAST;
	if (fscache_enqueue_operation(&top->op) != -EINVAL)
		atomic_inc(&top->ctx->overlaps);
}

static void seed_defect_bad_type_change(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top), *r2;

	top->hook = fsop_bad_retype_hook;
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->ran) == 1));
	/*
	 * Still in progress (we hold a reference) with EXCLUSIVE among the
	 * garbage: a shareable op still runs beside it, the garbage ignored.
	 */
	r2 = fsop_fire(ctx, object, FSCACHE_OP_SLOW, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&r2->runs) == 1));
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_COMPLETE), 2);
}

/*
 * Seed defect 6: BUG() on a backend's mistakes.  Each is now a warning and
 * an error, and nothing is lost.
 */
static atomic_t fsop_counted_releases;

/* A release that leaves the memory to its owner (here: KUnit). */
static void fsop_count_release(struct fscache_operation *op)
{
	atomic_inc(&fsop_counted_releases);
}

static void seed_defect_misuse_is_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top;
	struct fscache_operation *op;
	struct fscache_object blank = {};

	fsop_expect_misuse(ctx, 6);

	/* Unknown type. */
	top = fsop_new_op(ctx, 0, false);
	top->op.flags |= 0x000e;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -EINVAL);
	fscache_put_operation(&top->op);

	/* No type at all. */
	top = fsop_new_op(ctx, 0, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -EINVAL);
	fscache_put_operation(&top->op);

	/* FAST without a processor. */
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	top->op.processor = NULL;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -EINVAL);
	fscache_put_operation(&top->op);

	/* An object that was never initialised. */
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(&blank, &top->op), -EINVAL);
	fscache_put_operation(&top->op);

	/* Double put: refused, released once. */
	op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, op);
	atomic_set(&fsop_counted_releases, 0);
	fscache_operation_init(op, fsop_count_release);
	fscache_put_operation(op);
	fscache_put_operation(op);
	KUNIT_EXPECT_EQ(test, atomic_read(&fsop_counted_releases), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_RELEASE), 5);

	/* Completing an op that is not in progress. */
	top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), -EINVAL);
	fscache_put_operation(&top->op);

	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/*
 * Seed defect 7: the slow-work enqueue's result was ignored, so an op queued
 * while already queued kept the extra reference for ever.  With one SLOW
 * worker kept busy, enqueue the same op twice: it runs once more and is
 * released once.
 */
static void seed_defect_enqueue_twice(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *blocker = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *rb = fsop_rec(blocker), *r = fsop_rec(top);

	workqueue_set_max_active(fscache_ops_slow_wq, 1);
	blocker->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &blocker->op), 0);
	fscache_put_operation(&blocker->op);
	KUNIT_ASSERT_TRUE(test, fsop_started(rb));

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_operation_init_slow(&top->op, top->op.processor ?:
				    blocker->op.processor);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), 0);
	/* The caller's reference and one queueing's. */
	KUNIT_EXPECT_EQ(test, refcount_read(&top->op.usage), 1 + FSCACHE_REF_OWN);
	fscache_put_operation(&top->op);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	workqueue_set_max_active(fscache_ops_slow_wq, WQ_DFL_ACTIVE);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/*
 * The 2019 field bug: an op completed on another CPU between being
 * published and being enqueued.  Hammer submit-then-put of FAST ops whose
 * processors finish at once, from both CPUs.
 */
static void publish_vs_completion_race(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	int i;

	for (i = 0; i < 2000; i++) {
		struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

		KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
		if (i & 1)
			udelay(1);
		fscache_put_operation(&top->op);
	}
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 2000);
}

/*
 * Worker-pool exhaustion (2009 field report): with max_active 1 and ops
 * that sleep, everything still runs.
 */
static void slow_pool_of_one(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	int i;

	workqueue_set_max_active(fscache_ops_slow_wq, 1);
	for (i = 0; i < 40; i++) {
		struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, i % 5 == 0);

		top->sleep_ms = 1;
		KUNIT_EXPECT_EQ(test, fsop_submit(top, object), 0);
		fscache_put_operation(&top->op);
	}
	fsop_expect_idle(test, object);
	workqueue_set_max_active(fscache_ops_slow_wq, WQ_DFL_ACTIVE);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 40);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_running), 1);
}

/* EV_CLEARED is raised exactly once each time n_ops drops to zero. */
static void cleared_raised_once_per_idle(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	unsigned int base = object->n_cleared;
	int i;

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	/* Shareable, so that they run while the holder is in progress. */
	for (i = 0; i < 20; i++)
		fsop_fire(ctx, object, i & 1 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW,
			  false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(fscache_ops_object_n_ops(object) == 1));
	KUNIT_EXPECT_EQ(test, object->n_cleared, base);
	fscache_put_operation(&holder->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, object->n_cleared, base + fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_EV_CLEARED),
			(unsigned long)object->n_cleared);
}

/* Bad module parameter values are refused and change nothing. */
static void slow_max_active_param_validated(struct kunit *test)
{
	unsigned int before = fscache_ops_slow_max_active();

	fsop_expect_misuse(CTX(test), 0);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("0"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("513"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("-1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_ops_slow_max_active(), before);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("3"), 0);
	KUNIT_EXPECT_EQ(test, fscache_ops_slow_max_active(), 3);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("256\n"), 0);
	KUNIT_EXPECT_EQ(test, fscache_ops_slow_max_active(), 256);
}

static struct kunit_case fscache_ops_operation_cases[] = {
	KUNIT_CASE(fast_op_runs_on_bound_worker),
	KUNIT_CASE(slow_op_runs_on_unbound_worker),
	KUNIT_CASE(mythread_op_runs_in_submitter),
	KUNIT_CASE(fifo_order),
	KUNIT_CASE(exclusive_ops_are_barriers),
	KUNIT_CASE_SLOW(exclusive_never_overlaps),
	KUNIT_CASE(shareable_ops_overlap),
	KUNIT_CASE(deferred_during_creation),
	KUNIT_CASE(unavailable_object_refuses),
	KUNIT_CASE(io_error_refuses),
	KUNIT_CASE(enqueue_with_type_change),
	KUNIT_CASE(release_exactly_once),
	KUNIT_CASE(kmalloc_op_without_release),
	KUNIT_CASE(final_put_from_softirq_is_deferred),
	KUNIT_CASE(cleared_raised_once_per_idle),
	KUNIT_CASE_SLOW(publish_vs_completion_race),
	KUNIT_CASE(slow_pool_of_one),
	KUNIT_CASE(slow_max_active_param_validated),
	KUNIT_CASE(seed_defect_exclusive_on_idle_object_runs),
	KUNIT_CASE(seed_defect_deferred_release_frees),
	KUNIT_CASE(seed_defect_put_of_unstarted_op),
	KUNIT_CASE(seed_defect_unexpected_submission),
	KUNIT_CASE(seed_defect_bad_type_change),
	KUNIT_CASE(seed_defect_misuse_is_refused),
	KUNIT_CASE(seed_defect_enqueue_twice),
	{}
};

static struct kunit_suite fscache_ops_operation_suite = {
	.name = "fscache_ops_operation",
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_operation_cases,
};

/*
 * The same cases with ops that have no cancel callback, so that shareable
 * ones start on their object's lane whenever it is open.
 */
static struct kunit_suite fscache_ops_operation_lane_suite = {
	.name = "fscache_ops_operation_lane",
	.init = fsop_test_init_lane,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_operation_cases,
};

kunit_test_suites(&fscache_ops_operation_suite, &fscache_ops_operation_lane_suite);
