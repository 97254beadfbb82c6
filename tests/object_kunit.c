// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite for the fscache_ops object lifecycle: the state machine's
 * transitions and refusals, object death with ops in every stage, op
 * cancellation, MYTHREAD waits (with signals), and cache withdrawal.
 */

#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

/* Let the object's state machine run until it waits. */
static void fsop_settle(struct fscache_object *object)
{
	flush_work(&object->work);
}

static void every_state_has_a_name(struct kunit *test)
{
	int i;

	for (i = 0; i < FSCACHE_OBJECT__NSTATES; i++) {
		const char *name = fscache_ops_object_state_name(i);

		KUNIT_EXPECT_NOT_NULL(test, name);
		KUNIT_EXPECT_STRNEQ(test, name, "??");
	}
	KUNIT_EXPECT_STREQ(test, fscache_ops_object_state_name(FSCACHE_OBJECT__NSTATES),
			   "??");
	KUNIT_EXPECT_STREQ(test, fscache_ops_object_state_name(-1), "??");
	for (i = 0; i < FSCACHE_OBJECT_NR_EVENTS; i++)
		KUNIT_EXPECT_NOT_NULL(test, fscache_object_event_names[i]);
}

/* A whole life: lookup, available, relinquished, dropped, put. */
static void lifecycle_found(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->lookups), 1);
	KUNIT_EXPECT_TRUE(test, fscache_object_is_active(object));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OBJ_ACTIVE), 1);
	fscache_ops_relinquish_object(object, true);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops_retired), 1);
	/* Dead, but the test's reference keeps it: put_object() comes with it. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	fsop_put_ref(ctx, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 1);

	/*
	 * Relinquished without retiring: drop_object() sees no RETIRE.  The
	 * test's reference goes first: the state machine makes the last put.
	 */
	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	fscache_ops_relinquish_object(object, false);
	fsop_put_ref(ctx, object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->puts) == 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops_retired), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OBJ_DEAD), 2);
}

/* The first error reported is the one the object dies of. */
static void failure_reason_kept(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_FAIL);
	struct fsop_test_op *holder;

	KUNIT_EXPECT_NOT_NULL(test, object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->last_error), -EIO);

	/* An op in progress keeps the object while both errors arrive. */
	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	fscache_ops_object_failed(object, -ENOSPC);
	fscache_abort_object(object);
	fscache_put_operation(&holder->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->last_error), -ENOSPC);

	/* Relinquished, not failed: no error. */
	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->last_error), 0);
}

/*
 * Any non-zero return of lookup_object() aborts the object, as struct
 * fscache_cache_ops says; one that is not an errno becomes -EIO.  (It was
 * taken for success, and the object waited in LOOKING_UP for ever.)
 */
static void lookup_positive_return_aborts(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object =
		fsop_new_object_nowait(ctx, FSOP_LOOKUP_RETURN_ONE, true);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, READ_ONCE(object->error), -EIO);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->last_error), -EIO);
}

/*
 * A cache that had an I/O error takes no new object, as a withdrawn one
 * does: it would otherwise be looked up on the failed cache and live on,
 * as the error reached only the objects there were.
 */
static void no_new_object_after_io_error(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *before = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);

	KUNIT_ASSERT_NOT_NULL(test, before);
	fscache_ops_io_error(&ctx->cache);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(before));
	/* Refused (-ENOBUFS): the helper frees it and returns NULL. */
	KUNIT_EXPECT_NULL(test, fsop_new_object_nowait(ctx, FSOP_LOOKUP_AVAILABLE, true));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->cache.object_count), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OBJ_INIT), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->lookups), 1);
}

/* Negative lookup: CREATING, then ACTIVE when creation is reported. */
static void lifecycle_created(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);

	fscache_ops_object_lookup_negative(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_CREATING));
	KUNIT_EXPECT_FALSE(test, fscache_object_is_active(object));
	KUNIT_EXPECT_FALSE(test, fscache_object_is_dying(object));
	fscache_ops_object_available(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_ACTIVE));

	/* Both at once, as a synchronous backend reports them. */
	object = fsop_new_object(ctx, FSOP_LOOKUP_CREATE);
	KUNIT_EXPECT_TRUE(test, fscache_object_is_active(object));
}

struct fsop_transition_case {
	enum fscache_object_state	from;
	unsigned int			event;
	enum fscache_object_state	to;
	bool				misuse;
};

/*
 * Every lifecycle event in every state a backend can hold an object in:
 * the transitions the table allows happen, the others are refused with a
 * warning (or deferred) and leave the state as it was.
 */
static const struct fsop_transition_case fsop_transitions[] = {
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_LOOKUP, FSCACHE_OBJECT_LOOKING_UP },
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_NEGATIVE, FSCACHE_OBJECT_INIT, true },
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_INIT, true },
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_UPDATE, FSCACHE_OBJECT_INIT },
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_RELEASE, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_INIT, FSCACHE_OBJECT_EV_ERROR, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_LOOKUP, FSCACHE_OBJECT_LOOKING_UP, true },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_NEGATIVE, FSCACHE_OBJECT_CREATING },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_ACTIVE },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_UPDATE, FSCACHE_OBJECT_LOOKING_UP },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_ERROR, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_LOOKING_UP, FSCACHE_OBJECT_EV_WITHDRAW, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_CREATING, FSCACHE_OBJECT_EV_LOOKUP, FSCACHE_OBJECT_CREATING, true },
	{ FSCACHE_OBJECT_CREATING, FSCACHE_OBJECT_EV_NEGATIVE, FSCACHE_OBJECT_CREATING, true },
	{ FSCACHE_OBJECT_CREATING, FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_ACTIVE },
	{ FSCACHE_OBJECT_CREATING, FSCACHE_OBJECT_EV_RELEASE, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_LOOKUP, FSCACHE_OBJECT_ACTIVE, true },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_NEGATIVE, FSCACHE_OBJECT_ACTIVE, true },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_ACTIVE, true },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_UPDATE, FSCACHE_OBJECT_ACTIVE },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_CLEARED, FSCACHE_OBJECT_ACTIVE },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_ERROR, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_RELEASE, FSCACHE_OBJECT_DEAD },
	{ FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_EV_WITHDRAW, FSCACHE_OBJECT_DEAD },
};

static struct fscache_object *fsop_object_in(struct fsop_test_ctx *ctx,
					     enum fscache_object_state state)
{
	struct fscache_object *object;

	switch (state) {
	case FSCACHE_OBJECT_INIT:
		return fsop_new_object_nowait(ctx, FSOP_LOOKUP_MANUAL, false);
	case FSCACHE_OBJECT_LOOKING_UP:
		return fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	case FSCACHE_OBJECT_CREATING:
		object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
		fscache_ops_object_lookup_negative(object);
		fsop_wait_state(object, FSCACHE_OBJECT_CREATING);
		return object;
	default:
		return fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	}
}

static void transition_table(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	int i;

	for (i = 0; i < ARRAY_SIZE(fsop_transitions); i++) {
		const struct fsop_transition_case *c = &fsop_transitions[i];
		struct fscache_object *object = fsop_object_in(ctx, c->from);
		unsigned long misuse = fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE);
		int updates = atomic_read(&ctx->updates);

		KUNIT_ASSERT_NOT_NULL(test, object);
		KUNIT_ASSERT_EQ(test, READ_ONCE(object->state), c->from);
		if (c->misuse)
			fsop_expect_misuse(ctx, 1);
		if (c->event == FSCACHE_OBJECT_EV_LOOKUP)
			fscache_ops_lookup_object(object);
		else
			fscache_raise_event(object, c->event);

		if (c->to != FSCACHE_OBJECT_DEAD) {
			if (c->to != c->from)
				KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_state(object, c->to),
						      "case %d", i);
			fsop_settle(object);
			KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(object->state), c->to,
					    "case %d", i);
			KUNIT_EXPECT_EQ_MSG(test,
					    fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE),
					    misuse + c->misuse, "case %d", i);
			if (c->event == FSCACHE_OBJECT_EV_UPDATE &&
			    c->from == FSCACHE_OBJECT_ACTIVE)
				KUNIT_EXPECT_EQ(test, atomic_read(&ctx->updates),
						updates + 1);
			fscache_ops_relinquish_object(object, false);
		}
		/* Either way the object dies now: one more put_object(). */
		KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_dead(object), "case %d", i);
	}
	fscache_ops_expect_misuse(0);
}

/* An update asked for during lookup waits for the object to be active. */
static void update_deferred_until_active(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);

	fscache_ops_update_object(object);
	fsop_settle(object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->updates), 0);
	fscache_ops_object_available(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->updates) == 1));
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_ACTIVE));
}

/* Death with ops pending: they are cancelled, their callbacks called. */
static void death_cancels_pending_ops(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top;
	int i;

	for (i = 0; i < 8; i++) {
		top = fsop_new_op(ctx, i & 1 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW,
				  i % 3 == 0);
		KUNIT_EXPECT_EQ(test, i % 3 ? fscache_submit_op(object, &top->op) :
				fscache_submit_exclusive_op(object, &top->op), 0);
		fscache_put_operation(&top->op);
	}
	fscache_abort_object(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->cancelled), fsop_unless_lane(ctx, 8));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_CANCELLED), 8);
}

/*
 * Death with an op in progress: it is asked to give up (its cancel callback
 * runs, fscache_op_is_cancelled() says so) and the object waits, not
 * dropped, until it is done; it ends CANCELLED and the object is dropped
 * with n_ops == 0.
 */
static void death_waits_for_in_progress_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_test_op *behind = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	struct fsop_record *r = fsop_rec(top), *rb = fsop_rec(behind);

	top->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->started, 10 * HZ));
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &behind->op), 0);
	fscache_put_operation(&behind->op);

	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rb->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_TRUE(test, fscache_op_is_cancelled(&top->op));
	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_CANCELLED), 2);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_COMPLETE), 0);
}

/*
 * Death while the last op sits in the cache's GC list: the object is not
 * dropped until the GC has finished that op.
 */
static void death_with_op_in_gc(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));

	spin_lock(&object->lock);
	fscache_put_operation(&top->op);	/* deferred to the GC */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 0);
	KUNIT_EXPECT_EQ(test, object->n_ops, 1);
	spin_unlock(&object->lock);

	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_GC), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 1);
}

/*
 * Cancelling an in-progress exclusive op: refused unless asked for, then
 * flagged; it keeps the object until it ends, and ends cancelled, with
 * n_exclusive dropped once (upstream's last version dropped it twice).
 */
static void cancel_in_progress_exclusive(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_test_op *next = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_record *r = fsop_rec(top), *rn = fsop_rec(next);
	unsigned int ops, inp, excl;

	top->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &top->op), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->started, 10 * HZ));
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &next->op), 0);
	fscache_put_operation(&next->op);

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, false), -EBUSY);
	KUNIT_EXPECT_FALSE(test, fscache_op_is_cancelled(&top->op));
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), 0);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), 0);
	KUNIT_EXPECT_TRUE(test, fscache_op_is_cancelled(&top->op));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->cancelled), fsop_unless_lane(ctx, 1));
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, inp, 1);
	KUNIT_EXPECT_EQ(test, excl, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&rn->runs), 0);

	/* Its processor returns; the submitter's reference keeps it going. */
	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->ran) == 1));
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_IN_PROGRESS);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_CANCELLED);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&rn->runs), 1);
	KUNIT_EXPECT_LT(test, r->end_seq, rn->start_seq);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_CANCELLED), 1);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_COMPLETE), 1);
}

/* A queued op whose cancellation is asked for before it runs never runs. */
static void cancel_queued_op_skips_processor(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *blocker = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *rb = fsop_rec(blocker), *r = fsop_rec(top);

	workqueue_set_max_active(fscache_ops_slow_wq, 1);
	blocker->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &blocker->op), 0);
	fscache_put_operation(&blocker->op);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&rb->started, 10 * HZ));
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_IN_PROGRESS);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), 0);
	fscache_put_operation(&top->op);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	workqueue_set_max_active(fscache_ops_slow_wq, WQ_DFL_ACTIVE);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

struct fsop_waiter {
	struct fsop_test_ctx	*ctx;
	struct fscache_object	*object;
	struct fsop_test_op	*top;
	bool			interruptible;
	int			submit_ret;
	int			wait_ret;
	enum fscache_operation_state state;
	struct completion	submitted;
	struct completion	done;
};

/* A MYTHREAD submitter: submit, wait for activation, run, put. */
static int fsop_waiter_thread(void *data)
{
	struct fsop_waiter *w = data;
	struct fscache_operation *op = &w->top->op;

	allow_signal(SIGKILL);
	set_bit(FSCACHE_OP_WAITING, &op->flags);
	w->submit_ret = fscache_submit_op(w->object, op);
	complete(&w->submitted);
	if (!w->submit_ret) {
		w->wait_ret = fscache_wait_for_operation_activation(op,
								    w->interruptible);
		w->state = READ_ONCE(op->state);
	}
	fscache_put_operation(op);
	flush_signals(current);
	complete(&w->done);
	return 0;
}

static struct task_struct *fsop_start_waiter(struct kunit *test,
					     struct fsop_waiter *w,
					     struct fscache_object *object,
					     bool interruptible)
{
	struct task_struct *t;

	memset(w, 0, sizeof(*w));
	w->ctx = CTX(test);
	w->object = object;
	w->interruptible = interruptible;
	w->top = fsop_new_op(w->ctx, FSCACHE_OP_MYTHREAD, false);
	init_completion(&w->submitted);
	init_completion(&w->done);
	t = kthread_run(fsop_waiter_thread, w, "fsop_waiter");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	return t;
}

/* A MYTHREAD submitter waiting for activation is woken when the object dies. */
static void mythread_waiter_woken_by_death(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_waiter w;

	fsop_start_waiter(test, &w, object, false);
	wait_for_completion(&w.submitted);
	KUNIT_EXPECT_EQ(test, w.submit_ret, 0);
	msleep(20);
	KUNIT_EXPECT_FALSE(test, completion_done(&w.done));
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&w.done, 20 * HZ));
	KUNIT_EXPECT_EQ(test, w.wait_ret, -ENOBUFS);
	KUNIT_EXPECT_EQ(test, w.state, FSCACHE_OP_ST_CANCELLED);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
}

/*
 * A signal racing with activation: the waiter either runs the op (0, in
 * progress) or has it cancelled (-ERESTARTSYS), never anything in between,
 * and the counters balance either way.  Repeated, with varying timing.
 */
static void signal_vs_activation_race(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	int i, ran = 0, interrupted = 0;

	for (i = 0; i < 60; i++) {
		struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
		struct task_struct *t;
		struct fsop_waiter w;

		t = fsop_start_waiter(test, &w, object, true);
		get_task_struct(t);
		wait_for_completion(&w.submitted);
		udelay((i * 7) % 50);
		if (i & 1) {
			send_sig(SIGKILL, t, 1);
			fscache_ops_object_available(object);
		} else {
			fscache_ops_object_available(object);
			udelay(i % 13);
			send_sig(SIGKILL, t, 1);
		}
		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&w.done, 20 * HZ));
		put_task_struct(t);

		if (w.wait_ret == 0) {
			KUNIT_EXPECT_EQ(test, w.state, FSCACHE_OP_ST_IN_PROGRESS);
			ran++;
		} else {
			KUNIT_EXPECT_EQ(test, w.wait_ret, -ERESTARTSYS);
			KUNIT_EXPECT_EQ(test, w.state, FSCACHE_OP_ST_CANCELLED);
			interrupted++;
		}
		fsop_expect_idle(test, object);
		fscache_ops_relinquish_object(object, false);
	}
	kunit_info(test, "ran %d, interrupted %d", ran, interrupted);
	KUNIT_EXPECT_EQ(test, ran + interrupted, 60);
}

/*
 * Regression: an event raised while the state machine runs queues its work
 * item a second time; if that run ends in DEAD, the queued instance must not
 * outlive the object (it once ran on freed memory, which KASAN reports).
 * Hold the object's lock so that the machine, queued by an update, is
 * running but stuck; raise a release meanwhile, then let it go.
 */
static void raise_while_machine_runs_then_dies(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	int i;

	for (i = 0; i < 20; i++) {
		struct fscache_object *object =
			fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
		unsigned long end = jiffies + 10 * HZ;
		bool running;

		spin_lock(&object->lock);
		fscache_ops_update_object(object);
		while ((running = !work_pending(&object->work)) == false &&
		       time_before(jiffies, end))
			cpu_relax();
		fscache_ops_relinquish_object(object, false);
		KUNIT_EXPECT_TRUE(test, work_pending(&object->work));
		spin_unlock(&object->lock);

		KUNIT_EXPECT_TRUE(test, running);
		KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
		/* Anything still queued would run now, on freed memory. */
		flush_workqueue(fscache_ops_object_wq);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->updates), 0);
}

/*
 * Withdrawing a cache with thousands of objects in every stage of life and
 * ops pending, queued and running: everything dies, every op is released
 * once, and nothing refers to the cache afterwards.
 */
static void withdraw_busy_cache(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	const int nr = 2000;
	int i;

	for (i = 0; i < nr; i++) {
		enum fsop_lookup_mode mode = i % 3 ? FSOP_LOOKUP_AVAILABLE :
						     FSOP_LOOKUP_MANUAL;
		struct fscache_object *object =
			fsop_new_object_nowait(ctx, mode, i % 5 != 0);
		struct fsop_test_op *top;

		KUNIT_ASSERT_NOT_NULL(test, object);
		top = fsop_new_op(ctx, i & 1 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW,
				  i % 4 == 0);
		top->work_us = i % 20;
		KUNIT_EXPECT_EQ(test, i % 4 ? fscache_submit_op(object, &top->op) :
				fscache_submit_exclusive_op(object, &top->op), 0);
		fscache_put_operation(&top->op);
		top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
		top->sleep_ms = i % 7 == 0;
		KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
		fscache_put_operation(&top->op);
	}

	fscache_ops_withdraw_cache(&ctx->cache);
	/* All dead; the test's references keep them until it puts them. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 2 * nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->cache.object_count), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&ctx->cache.object_list));
	KUNIT_EXPECT_TRUE(test, list_empty(&ctx->cache.op_gc_list));
	KUNIT_EXPECT_FALSE(test, work_pending(&ctx->cache.op_gc));
	/* Each op ran, or was cancelled, or ran and was asked to give up. */
	for (i = 0; i < 2 * nr; i++) {
		struct fsop_record *r = &ctx->rec[i];

		KUNIT_EXPECT_LE(test, atomic_read(&r->runs), 1);
		KUNIT_EXPECT_LE(test, atomic_read(&r->cancelled), 1);
		/* (On the lane, with no callback, a cancellation is not seen.) */
		KUNIT_EXPECT_GE(test, atomic_read(&r->runs) +
				atomic_read(&r->cancelled),
				fsop_unless_lane(ctx, 1));
	}

	/* A withdrawn cache takes no new object. */
	KUNIT_EXPECT_NULL(test, fsop_new_object_nowait(ctx, FSOP_LOOKUP_AVAILABLE,
						       true));
}

static struct kunit_case fscache_ops_object_cases[] = {
	KUNIT_CASE(every_state_has_a_name),
	KUNIT_CASE(lifecycle_found),
	KUNIT_CASE(lifecycle_created),
	KUNIT_CASE(failure_reason_kept),
	KUNIT_CASE(lookup_positive_return_aborts),
	KUNIT_CASE(no_new_object_after_io_error),
	KUNIT_CASE(transition_table),
	KUNIT_CASE(update_deferred_until_active),
	KUNIT_CASE(death_cancels_pending_ops),
	KUNIT_CASE(death_waits_for_in_progress_op),
	KUNIT_CASE(death_with_op_in_gc),
	KUNIT_CASE(cancel_in_progress_exclusive),
	KUNIT_CASE(cancel_queued_op_skips_processor),
	KUNIT_CASE(mythread_waiter_woken_by_death),
	KUNIT_CASE(raise_while_machine_runs_then_dies),
	KUNIT_CASE_SLOW(signal_vs_activation_race),
	KUNIT_CASE_SLOW(withdraw_busy_cache),
	{}
};

static struct kunit_suite fscache_ops_object_suite = {
	.name = "fscache_ops_object",
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_object_cases,
};

/*
 * The same cases with ops that have no cancel callback, so that shareable
 * ones start on their object's lane whenever it is open.
 */
static struct kunit_suite fscache_ops_object_lane_suite = {
	.name = "fscache_ops_object_lane",
	.init = fsop_test_init_lane,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_object_cases,
};

kunit_test_suites(&fscache_ops_object_suite, &fscache_ops_object_lane_suite);
