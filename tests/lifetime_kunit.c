// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite for lifetimes in fscache_ops: the findings of an outside
 * line-by-line review (issue 11), each a regression test that fails on the
 * code as it was, and the reference counts of objects.
 *
 * Where a finding is a race, the window is held open at a test point (see
 * fscache_ops_test_point() in internal.h) so that the outcome does not
 * depend on timing: one thread is stopped inside the window while the test
 * drives the other side through it.
 */

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

/* How long a test point holds a window open, at most. */
#define FSOP_WINDOW_MS	300

/* State shared between a case and its test-point hook. */
static struct fsop_window {
	void			*arg;		/* the op (or wq) to act on */
	atomic_t		arrivals;	/* threads that reached the point */
	atomic_t		other_done;	/* the other side went through */
	bool			other_done_in_window;
	struct task_struct	*waiter;	/* the thread to hold, if any */
	bool			at_start;	/* at SUBMIT_STARTED, not CLAIMED */
	struct completion	reached;
	/* FSCACHE_TP_SLOW_WQ_DESTROYED */
	int			set_ret;
	bool			wq_published;
	bool			wq_hook_ran;
} fsop_win;

static void fsop_window_init(void *arg)
{
	memset(&fsop_win, 0, sizeof(fsop_win));
	fsop_win.arg = arg;
	init_completion(&fsop_win.reached);
}

/* How long a sleeping hold (below) keeps its window open, at most. */
#define FSOP_SLEEPING_WINDOW_MS	5000

/*
 * Hold the window open until the other side is through, or for
 * FSOP_WINDOW_MS.  Busy-waits: some points are reached with interrupts off,
 * when jiffies may not move.  With @may_sleep (a point reached in process
 * context holding no lock) it sleeps instead, so that this CPU stays free
 * for the work the other side waits for (an object's state machine), and
 * waits up to FSOP_SLEEPING_WINDOW_MS, as that work takes its time.
 */
static void fsop_window_hold(bool may_sleep)
{
	int max_ms = may_sleep ? FSOP_SLEEPING_WINDOW_MS : FSOP_WINDOW_MS;
	int i;

	complete(&fsop_win.reached);
	for (i = 0; i < max_ms && !atomic_read(&fsop_win.other_done); i++) {
		if (may_sleep)
			usleep_range(1000, 2000);
		else
			mdelay(1);
	}
	fsop_win.other_done_in_window = atomic_read(&fsop_win.other_done);
}

/* Hold the waiter, the first time it gets here. */
static void fsop_window_hold_first(bool may_sleep)
{
	if (current == fsop_win.waiter &&
	    atomic_inc_return(&fsop_win.arrivals) == 1)
		fsop_window_hold(may_sleep);
}

static void fsop_window_hook(enum fscache_ops_test_point tp, void *arg)
{
	if (arg != fsop_win.arg)
		return;
	switch (tp) {
	case FSCACHE_TP_DEFER_PUBLISHED:
	case FSCACHE_TP_CANCEL_ALL:
		fsop_window_hold(false);
		break;
	case FSCACHE_TP_PUT_CHECKED:
		fsop_window_hold_first(false);
		break;
	case FSCACHE_TP_SUBMIT_CLAIMED:
		if (!fsop_win.at_start)
			fsop_window_hold_first(false);
		break;
	case FSCACHE_TP_SUBMIT_STARTED:
		if (fsop_win.at_start)
			fsop_window_hold_first(true);
		break;
	case FSCACHE_TP_SLOW_WQ_DESTROYED:
		fsop_win.wq_hook_ran = true;
		fsop_win.wq_published = !!READ_ONCE(fscache_ops_slow_wq);
		/* A write racing module exit, unless it would use the dead queue. */
		if (!fsop_win.wq_published)
			fsop_win.set_ret = fscache_ops_set_slow_max_active("4");
		break;
	case FSCACHE_TP_DEBUG_ID_READ:	/* no window here */
	case FSCACHE_TP_LANE_RUN:
	case FSCACHE_TP_STATE_READ:
	case FSCACHE_TP_OBJECT_JOINING:
	case FSCACHE_TP_CACHE_JOINING:
		break;
	}
}

static void fsop_window_open(void *arg)
{
	fsop_window_init(arg);
	WRITE_ONCE(fscache_ops_test_hook, fsop_window_hook);
}

static void fsop_window_close(void)
{
	WRITE_ONCE(fscache_ops_test_hook, NULL);
}

static bool fsop_window_reached(void)
{
	return wait_for_completion_timeout(&fsop_win.reached,
					   msecs_to_jiffies(FSOP_TIMEOUT_MS));
}

static int fsop_other_cpu(struct kunit *test)
{
	int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());

	KUNIT_ASSERT_LT_MSG(test, cpu, nr_cpu_ids, "needs -smp 2");
	return cpu;
}

/*
 * Finding 1: a deferred release published its op on the GC list and queued
 * the GC only after dropping the list's lock.  A GC run queued by another
 * deferral could retire the op meanwhile, the object die, the cache be
 * withdrawn and freed, and the deferring CPU then queue a work item inside
 * freed memory.  Here the final put comes from a timer (softirq) on the
 * other CPU and is held just after publishing; the test queues a GC run
 * and withdraws the cache.  Withdrawal must not return inside the window.
 */
static void deferred_release_vs_withdrawal(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);
	struct fsop_timer_put tp;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_window_open(&top->op);
	tp.op = &top->op;
	init_completion(&tp.done);
	timer_setup_on_stack(&tp.timer, fsop_timer_put_fn, 0);
	tp.timer.expires = jiffies + 1;
	add_timer_on(&tp.timer, fsop_other_cpu(test));
	KUNIT_EXPECT_TRUE(test, fsop_window_reached());

	fscache_ops_relinquish_object(object, false);
	/* A GC run, as another deferral would queue. */
	queue_work(fscache_ops_fast_wq, &ctx->cache.op_gc);
	fscache_ops_withdraw_cache(&ctx->cache);
	atomic_set(&fsop_win.other_done, 1);

	wait_for_completion(&tp.done);
	timer_delete_sync(&tp.timer);
	destroy_timer_on_stack(&tp.timer);
	fsop_window_close();
	KUNIT_EXPECT_FALSE_MSG(test, fsop_win.other_done_in_window,
			       "withdrawal returned while a deferred release had yet to queue the GC");
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(object->state), FSCACHE_OBJECT_DEAD);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1);
}

struct fsop_wait_thread {
	struct fscache_operation	*op;
	int				ret[2];
	struct completion		done;
};

static int fsop_wait_thread_fn(void *data)
{
	struct fsop_wait_thread *w = data;

	w->ret[0] = fscache_wait_for_operation_activation(w->op, true);
	w->ret[1] = fscache_wait_for_operation_activation(w->op, false);
	complete(&w->done);
	return 0;
}

/* Wait for activation in a thread; false if it did not come back. */
static bool fsop_wait_in_thread(struct kunit *test, struct fscache_operation *op,
				int *ret)
{
	struct fsop_wait_thread *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->op = op;
	init_completion(&w->done);
	t = kthread_run(fsop_wait_thread_fn, w, "fsop_wait");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	if (!wait_for_completion_timeout(&w->done, 5 * HZ))
		return false;	/* w and op stay with the stuck thread */
	ret[0] = w->ret[0];
	ret[1] = w->ret[1];
	kfree(w);
	return true;
}

/*
 * Finding 2: waiting for the activation of an op whose submission was
 * refused (-ENOBUFS from a dying object is ordinary) hung in D state: no
 * one would ever clear FSCACHE_OP_WAITING.  It must return -EINVAL at once,
 * as documented, interruptible or not; so must a wait on an op never
 * submitted.
 */
static void wait_after_refused_submission(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *fresh = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	int ret[2];

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	fscache_abort_object(object);
	KUNIT_ASSERT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));

	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -ENOBUFS);
	KUNIT_ASSERT_TRUE_MSG(test, fsop_wait_in_thread(test, &top->op, ret),
			      "waiting on a refused op hangs");
	KUNIT_EXPECT_EQ(test, ret[0], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[1], -EINVAL);
	fscache_put_operation(&top->op);

	set_bit(FSCACHE_OP_WAITING, &fresh->op.flags);
	KUNIT_ASSERT_TRUE_MSG(test, fsop_wait_in_thread(test, &fresh->op, ret),
			      "waiting on an op never submitted hangs");
	KUNIT_EXPECT_EQ(test, ret[0], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[1], -EINVAL);
	fscache_put_operation(&fresh->op);

	fscache_put_operation(&holder->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 3);
}

/*
 * Finding 3: submit, put, put again.  On the second put the only reference
 * left is the workqueue's; it used to be dropped, and the op freed under
 * its own queued (here: running) work item.  It must be refused, and the
 * op finish and be released once.
 */
static void double_put_of_started_op_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);

	top->gate = 1;
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->started, 10 * HZ));
	fscache_put_operation(&top->op);
	fsop_expect_misuse(ctx, 1);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ_MSG(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1UL,
			    "a put of the workqueue's reference was not refused");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->released), 0,
			    "an op was released under its running work item");
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_IN_PROGRESS);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

struct fsop_submitter {
	struct fscache_object		*object;
	struct fscache_operation	*op;
	int				ret;
	struct completion		done;
};

static int fsop_submitter_fn(void *data)
{
	struct fsop_submitter *s = data;

	s->ret = fscache_submit_op(s->object, s->op);
	complete(&s->done);
	return 0;
}

/*
 * Finding 4: two concurrent submissions of one op both passed the state
 * check, made before the object's lock: the op was linked into the FIFO
 * twice and counted twice.  One submission is held just after its checks;
 * the other must be refused.
 */
static void concurrent_double_submission(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	struct fsop_submitter s = { .object = object, .op = &top->op };
	unsigned int ops, inp, excl;
	int ret;

	init_completion(&s.done);
	fsop_window_open(&top->op);
	fsop_win.waiter = kthread_create(fsop_submitter_fn, &s, "fsop_submit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fsop_win.waiter));
	wake_up_process(fsop_win.waiter);
	KUNIT_ASSERT_TRUE(test, fsop_window_reached());

	fsop_expect_misuse(ctx, 1);
	ret = fscache_submit_op(object, &top->op);
	atomic_set(&fsop_win.other_done, 1);
	wait_for_completion(&s.done);
	fsop_window_close();

	KUNIT_EXPECT_EQ(test, s.ret, 0);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL,
			    "a second, concurrent submission of an op was accepted");
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&object->pending_ops));
	fscache_put_operation(&top->op);
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
}

/*
 * A submission queues the op it started only after dropping the object's
 * lock (7c3b220).  An object that dies in between asks the op to give up,
 * as it asks any op in progress; the op must still be queued, its work
 * run (the processor skipped) and its claim released, so that the object
 * dies.  The submission is held between its unlock and its queueing, on
 * the other CPU, while the object is relinquished and until it has asked
 * the op to give up.
 */
static void death_between_start_and_queueing(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	struct fsop_submitter s = { .object = object, .op = &top->op };
	int i;

	KUNIT_ASSERT_NOT_NULL(test, object);
	init_completion(&s.done);
	fsop_window_open(&top->op);
	fsop_win.at_start = true;
	fsop_win.waiter = kthread_create(fsop_submitter_fn, &s, "fsop_submit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fsop_win.waiter));
	kthread_bind(fsop_win.waiter, fsop_other_cpu(test));
	wake_up_process(fsop_win.waiter);
	KUNIT_ASSERT_TRUE(test, fsop_window_reached());

	/* Started and not yet queued: the object dies now. */
	fscache_ops_relinquish_object(object, false);
	for (i = 0; i < FSOP_SLEEPING_WINDOW_MS / 2 && !fscache_op_is_cancelled(&top->op); i++)
		usleep_range(1000, 2000);
	atomic_set(&fsop_win.other_done, 1);
	wait_for_completion(&s.done);
	fsop_window_close();

	KUNIT_EXPECT_EQ(test, s.ret, 0);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_win.other_done_in_window,
			      "the object's death did not come inside the window");
	KUNIT_EXPECT_TRUE_MSG(test, fscache_op_is_cancelled(&top->op),
			      "death asks every op in progress to give up, one started but not yet queued too");
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_dead(object),
			      "an op started before its object's death and queued after it kept the object alive");
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/*
 * Finding 5: an object whose init was refused (its cache being withdrawn)
 * was fully initialised all the same, and a later lookup or relinquish
 * drove it to DEAD, counting it out of a cache it was never counted in and
 * calling put_object().  It must stay inert.
 */
static void refused_object_is_inert(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_cache *cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	struct fsop_test_obj *tobj = kzalloc(sizeof(*tobj), GFP_KERNEL);
	struct fscache_object *object = &tobj->object;
	struct fsop_test_op *top;
	int lookups = atomic_read(&ctx->lookups);

	KUNIT_ASSERT_NOT_NULL(test, cache);
	KUNIT_ASSERT_NOT_NULL(test, tobj);
	KUNIT_ASSERT_EQ(test, fscache_ops_add_cache(cache, &ctx->cache_ops, "refused"), 0);
	fscache_ops_withdraw_cache(cache);

	tobj->ctx = ctx;
	tobj->lookup_mode = FSOP_LOOKUP_AVAILABLE;
	KUNIT_EXPECT_EQ(test, fscache_ops_init_object(object, cache), -ENOBUFS);
	KUNIT_EXPECT_TRUE(test, fscache_object_is_dying(object));
	fscache_ops_lookup_object(object);
	fscache_ops_update_object(object);
	flush_workqueue(fscache_ops_object_wq);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->lookups), lookups,
			    "a refused object was looked up");
	fscache_ops_relinquish_object(object, true);
	fscache_ops_object_failed(object, -EIO);
	flush_workqueue(fscache_ops_object_wq);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&cache->object_count), 0,
			    "a refused object was counted out of its cache");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 0);

	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -ENOBUFS);
	fscache_put_operation(&top->op);

	/* The caller holds no reference to it. */
	fsop_expect_misuse(ctx, 2);
	KUNIT_EXPECT_NULL(test, fscache_ops_get_object(object));
	fscache_ops_put_object(object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	kfree(tobj);
	kfree(cache);
}

static atomic_t fsop_cancel_without_ref;

/* A cancel callback that takes (and drops) a reference of its own. */
static void fsop_cancel_takes_ref(struct fscache_operation *op)
{
	struct fsop_test_op *top = container_of(op, struct fsop_test_op, op);

	atomic_inc(&fsop_rec(top)->cancelled);
	if (!refcount_read(&op->usage)) {
		atomic_inc(&fsop_cancel_without_ref);
		return;
	}
	fscache_get_operation(op);
	fscache_put_operation(op);
}

/*
 * Finding 6: a dying object asked its ops in progress to give up after only
 * reading their count; a final put from elsewhere could come in between and
 * the cancel callback then run on an op with no reference left (one that
 * takes a reference hits refcount_inc() on 0).  The op is held at that
 * point while its submitter makes its final put.
 */
static void cancel_all_vs_final_put(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);

	atomic_set(&fsop_cancel_without_ref, 0);
	top->op.cancel = fsop_cancel_takes_ref;
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_window_open(&top->op);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_window_reached());
	fscache_put_operation(&top->op);
	atomic_set(&fsop_win.other_done, 1);

	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	fsop_window_close();
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fsop_cancel_without_ref), 0,
			    "a cancel callback ran on an op with no reference left");
	KUNIT_EXPECT_EQ(test, atomic_read(&r->cancelled), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/*
 * Finding 7: the slow_max_active file outlives module_exit(), and a write
 * could reach workqueue_set_max_active() on the SLOW workqueue while it was
 * being destroyed.  The teardown is run on a scratch queue; a write made
 * right after its destruction must find no queue.
 */
static void slow_max_active_after_teardown(struct kunit *test)
{
	struct workqueue_struct *real = fscache_ops_slow_wq;
	struct workqueue_struct *scratch;

	scratch = alloc_workqueue("fsop_scratch", WQ_UNBOUND, 0);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	fsop_window_open(scratch);
	WRITE_ONCE(fscache_ops_slow_wq, scratch);
	fscache_ops_destroy_slow_wq();
	WRITE_ONCE(fscache_ops_slow_wq, real);
	fsop_window_close();

	KUNIT_EXPECT_TRUE(test, fsop_win.wq_hook_ran);
	KUNIT_EXPECT_FALSE_MSG(test, fsop_win.wq_published,
			       "the SLOW workqueue was still published after its destruction");
	KUNIT_EXPECT_EQ(test, fsop_win.set_ret, 0);
	KUNIT_EXPECT_EQ(test, fscache_ops_slow_max_active(), 4U);
	/* Back to the workqueue default, on the real queue. */
	KUNIT_EXPECT_EQ(test, fscache_ops_set_slow_max_active("256"), 0);
}

struct fsop_putter {
	struct fscache_operation	*op;
	struct completion		done;
};

static int fsop_putter_fn(void *data)
{
	struct fsop_putter *p = data;

	fscache_put_operation(p->op);
	complete(&p->done);
	return 0;
}

/*
 * Finding 8: two puts racing on a pending op that holds one reference of
 * the backend's: both passed the check made before the decrement, and the
 * FIFO's reference went with the second.  The op was retired while pending,
 * without restarting the queue or waking a waiter.  One put is held between
 * its check and its decrement; the other must win and this one be refused,
 * and the op stay queued until it runs.
 */
static void racing_puts_of_pending_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_test_op *behind = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top), *rb = fsop_rec(behind);
	struct fsop_putter p = { .op = &top->op };

	KUNIT_ASSERT_EQ(test, fscache_submit_exclusive_op(object, &top->op), 0);
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &behind->op), 0);
	fscache_put_operation(&behind->op);

	init_completion(&p.done);
	fsop_window_open(&top->op);
	fsop_win.waiter = kthread_create(fsop_putter_fn, &p, "fsop_put");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fsop_win.waiter));
	fsop_expect_misuse(ctx, 1);
	wake_up_process(fsop_win.waiter);
	KUNIT_ASSERT_TRUE(test, fsop_window_reached());
	fscache_put_operation(&top->op);
	atomic_set(&fsop_win.other_done, 1);
	wait_for_completion(&p.done);
	fsop_window_close();

	KUNIT_EXPECT_EQ_MSG(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1UL,
			    "a put of the FIFO's reference was not refused");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->released), 0,
			    "a pending op was released");
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&rb->runs), 1);
	KUNIT_EXPECT_LT(test, r->end_seq, rb->start_seq);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

static struct fscache_operation *fsop_other_op;

/* A cancel callback that makes the final put of another object's op. */
static void fsop_cancel_puts_other(struct fscache_operation *op)
{
	struct fsop_test_op *top = container_of(op, struct fsop_test_op, op);

	atomic_inc(&fsop_rec(top)->cancelled);
	fscache_put_operation(fsop_other_op);
}

/*
 * Finding 9: a final put of another object's op made inside a cancel
 * callback took that object's lock by trylock and ran the release callback
 * under the first object's lock (and lockdep saw the lock class taken
 * recursively).  It must be deferred to the GC.
 */
static void final_put_in_cancel_callback_deferred(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *a = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fscache_object *b = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *x = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_test_op *y = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *rx = fsop_rec(x), *ry = fsop_rec(y);

	x->gate = 1;
	x->op.cancel = fsop_cancel_puts_other;
	fsop_other_op = &y->op;
	KUNIT_ASSERT_EQ(test, fscache_submit_op(b, &y->op), 0);
	KUNIT_ASSERT_EQ(test, fscache_submit_op(a, &x->op), 0);
	fscache_put_operation(&x->op);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&rx->started, 10 * HZ));

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&x->op, true), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rx->cancelled), 1);
	KUNIT_EXPECT_EQ_MSG(test,
			    fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1UL,
			    "a final put made in a cancel callback was not deferred");
	fsop_expect_idle(test, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&ry->released), 1);
	KUNIT_EXPECT_FALSE_MSG(test, ry->released_atomic,
			       "a release callback ran under a lock of fscache_ops");
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, a);
}

/*
 * A final put made while the backend holds a spinlock of its own is deferred
 * to the GC: retiring there would wait for the object's lock while holding
 * that spinlock, and a cancel callback (run under the object's lock) may
 * take it, an ABBA deadlock.  The release callback then runs where it may
 * sleep.
 */
static DEFINE_SPINLOCK(backend_lock);

static void final_put_under_backend_lock_deferred(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	spin_lock(&backend_lock);
	fscache_put_operation(&top->op);
	spin_unlock(&backend_lock);
	KUNIT_EXPECT_EQ_MSG(test,
			    fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1UL,
			    "a final put under a backend's spinlock was not deferred");
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_FALSE(test, r->released_atomic);
}

/* Another CPU holds an object's lock while the test makes a final put. */
struct fsop_lock_holder {
	struct fscache_object	*object;
	struct completion	held;
	atomic_t		putting;	/* the test is about to put */
	bool			waited;		/* it did, before we let go */
};

static int fsop_hold_object_lock(void *arg)
{
	struct fsop_lock_holder *h = arg;
	unsigned long end = jiffies + msecs_to_jiffies(FSOP_TIMEOUT_MS);

	spin_lock(&h->object->lock);
	complete(&h->held);
	while (!atomic_read(&h->putting) && time_before(jiffies, end))
		cpu_relax();
	h->waited = atomic_read(&h->putting);
	/* Long enough for the put to find the lock taken. */
	mdelay(20);
	spin_unlock(&h->object->lock);
	return 0;
}

/*
 * Issue 6: a final put in task context, holding no lock, found the
 * object's lock taken by another CPU and sent the op to the GC (12 % of
 * all ops on a busy object).  It must wait for the lock and retire the op
 * itself: the release callback has run when the put returns, in the
 * putter's context.
 */
static void final_put_with_lock_busy_not_deferred(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);
	struct fsop_lock_holder h = { .object = object };
	struct task_struct *task;
	int cpu, other;

	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT) || IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "every backend put is deferred in this kernel");
	KUNIT_ASSERT_NOT_NULL(test, object);
	cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, cpu);
	put_cpu();
	if (other >= nr_cpu_ids)
		kunit_skip(test, "needs a second CPU to hold the lock");

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	init_completion(&h.held);
	task = kthread_create(fsop_hold_object_lock, &h, "fsop_lock_holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, other);
	get_task_struct(task);
	wake_up_process(task);
	if (!wait_for_completion_timeout(&h.held, 10 * HZ)) {
		atomic_set(&h.putting, 1);
		kthread_stop(task);
		put_task_struct(task);
		fscache_put_operation(&top->op);
		KUNIT_FAIL(test, "the lock holder did not take the lock");
		return;
	}

	atomic_set(&h.putting, 1);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->released), 1,
			    "a final put in task context waits for a busy lock and releases the op itself");
	KUNIT_EXPECT_FALSE(test, r->released_atomic);
	kthread_stop(task);
	put_task_struct(task);
	KUNIT_EXPECT_TRUE(test, h.waited);
	KUNIT_EXPECT_EQ_MSG(test,
			    fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 0UL,
			    "a final put in task context was deferred because the lock was busy");
	fsop_expect_idle(test, object);
}

/*
 * A backend's share of an op's count is bounded (FSCACHE_REF_MASK): a get
 * beyond it is refused rather than spilling into fscache_ops' own share,
 * after which every put would be refused and the op never die.
 */
static void op_get_refused_when_full(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	int i;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	for (i = 1; i < FSCACHE_REF_MASK; i++)
		fscache_get_operation(&top->op);
	fsop_expect_misuse(ctx, 1);
	fscache_get_operation(&top->op);
	KUNIT_EXPECT_EQ_MSG(test, refcount_read(&top->op.usage), FSCACHE_REF_MASK,
			    "a get spilled into fscache_ops' share of the count");
	for (i = 0; i < FSCACHE_REF_MASK; i++)
		fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

static void fsop_other_work_fn(struct work_struct *work)
{
}

/*
 * An op's work item belongs to fscache_ops (each queueing holds a reference,
 * and a dead op is linked for the GC through it): a backend that
 * re-initialises it, as code written against operations.txt's fast_work
 * might, has its submission refused.
 */
static void op_with_reused_work_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	INIT_WORK(&top->op.fast_work, fsop_other_work_fn);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ_MSG(test, fscache_submit_op(object, &top->op), -EINVAL,
			    "an op whose work item was reused was accepted");
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_INITIALISED);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/*
 * Between a deferred final put and the GC's retirement the op is still in
 * progress but has no reference left: an enqueue then must be refused, not
 * queue a work item whose op the GC is about to free.
 */
static void enqueue_after_deferred_final_put_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *donor = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	int ret;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_operation_init_slow(&top->op, donor->op.processor);
	fscache_put_operation(&donor->op);
	spin_lock(&object->lock);
	fscache_put_operation(&top->op);	/* final, deferred: GC waits */
	fsop_expect_misuse(ctx, 1);
	ret = fscache_enqueue_operation(&top->op);
	spin_unlock(&object->lock);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL,
			    "an op with no reference left was enqueued");
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/*
 * Objects are reference counted: a backend keeps a pointer across its
 * objects' death and its cache's withdrawal, and calls on a dead object are
 * refused without touching the cache (freed here, so that KASAN would
 * report any use).  put_object() comes with the backend's last put.
 */
static void object_refs_across_withdrawal(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_cache *cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	struct fscache_object *obj[3];
	struct fsop_test_op *top;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, cache);
	KUNIT_ASSERT_EQ(test, fscache_ops_add_cache(cache, &ctx->cache_ops, "refs"), 0);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		struct fsop_test_obj *tobj = kzalloc(sizeof(*tobj), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, tobj);
		tobj->ctx = ctx;
		tobj->lookup_mode = i ? FSOP_LOOKUP_AVAILABLE : FSOP_LOOKUP_MANUAL;
		KUNIT_ASSERT_EQ(test, fscache_ops_init_object(&tobj->object, cache), 0);
		atomic_inc(&ctx->objects);
		obj[i] = &tobj->object;
		fscache_ops_lookup_object(obj[i]);
	}
	/* A second reference on one of them. */
	KUNIT_EXPECT_PTR_EQ(test, fscache_ops_get_object(obj[2]), obj[2]);
	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(obj[1], &top->op), 0);
	fscache_put_operation(&top->op);

	fscache_ops_withdraw_cache(cache);
	kfree(cache);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 3);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->puts), 0,
			    "put_object() was called on an object still referenced");

	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		KUNIT_EXPECT_EQ(test, READ_ONCE(obj[i]->state), FSCACHE_OBJECT_DEAD);
		KUNIT_EXPECT_TRUE(test, fscache_object_is_dying(obj[i]));
		top = fsop_new_op(ctx, FSCACHE_OP_FAST, i == 1);
		KUNIT_EXPECT_EQ(test, i == 1 ?
				fscache_submit_exclusive_op(obj[i], &top->op) :
				fscache_submit_op(obj[i], &top->op), -ENOBUFS);
		fscache_put_operation(&top->op);
		fscache_ops_lookup_object(obj[i]);
		fscache_ops_object_available(obj[i]);
		fscache_ops_update_object(obj[i]);
		fscache_ops_relinquish_object(obj[i], true);
		fscache_ops_object_failed(obj[i], -EIO);
	}
	flush_workqueue(fscache_ops_object_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);

	fscache_ops_put_object(obj[0]);
	fscache_ops_put_object(obj[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 2);
	fscache_ops_put_object(obj[2]);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 2);
	fscache_ops_put_object(obj[2]);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 3);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
}

/*
 * A put of an object reference the backend does not hold (only the state
 * machine's is left) is refused with a warning, and the object lives on
 * until it dies; a get of an object with no reference left is refused.
 */
static void object_put_without_ref_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top;

	fsop_put_ref(ctx, object);
	fsop_expect_misuse(ctx, 1);
	fscache_ops_put_object(object);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	KUNIT_EXPECT_TRUE(test, fscache_object_is_active(object));

	/* Alive, on the state machine's reference: ops still run. */
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	/* The cache's withdrawal, at the end of the case, kills and puts it. */
}

static struct kunit_case fscache_ops_lifetime_cases[] = {
	KUNIT_CASE(deferred_release_vs_withdrawal),
	KUNIT_CASE(wait_after_refused_submission),
	KUNIT_CASE(double_put_of_started_op_refused),
	KUNIT_CASE(concurrent_double_submission),
	KUNIT_CASE(death_between_start_and_queueing),
	KUNIT_CASE(refused_object_is_inert),
	KUNIT_CASE(cancel_all_vs_final_put),
	KUNIT_CASE(slow_max_active_after_teardown),
	KUNIT_CASE(racing_puts_of_pending_op),
	KUNIT_CASE(final_put_in_cancel_callback_deferred),
	KUNIT_CASE(final_put_under_backend_lock_deferred),
	KUNIT_CASE(final_put_with_lock_busy_not_deferred),
	KUNIT_CASE(op_get_refused_when_full),
	KUNIT_CASE(op_with_reused_work_refused),
	KUNIT_CASE(enqueue_after_deferred_final_put_refused),
	KUNIT_CASE(object_refs_across_withdrawal),
	KUNIT_CASE(object_put_without_ref_refused),
	{}
};

static struct kunit_suite fscache_ops_lifetime_suite = {
	.name = "fscache_ops_lifetime",
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_lifetime_cases,
};

/*
 * The same cases with ops that have no cancel callback, so that shareable
 * ones start on their object's lane whenever it is open.
 */
static struct kunit_suite fscache_ops_lifetime_lane_suite = {
	.name = "fscache_ops_lifetime_lane",
	.init = fsop_test_init_lane,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_lifetime_cases,
};

kunit_test_suites(&fscache_ops_lifetime_suite, &fscache_ops_lifetime_lane_suite);
