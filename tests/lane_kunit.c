// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of an object's lane (operation.c): shareable ops without a
 * cancel callback start, complete and retire without the object's lock
 * while nothing needs the counters exact, and everything that does closes
 * the lane first.  The rules suites run again on the lane too (their
 * *_lane variants); these cases test what only the lane has.
 */

#include <linux/kthread.h>
#include <linux/sched/task.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

static bool lane_started(struct fsop_record *r)
{
	return wait_for_completion_timeout(&r->started,
					   msecs_to_jiffies(FSOP_TIMEOUT_MS)) != 0;
}

static s64 lane_word(struct fscache_object *object)
{
	return atomic64_read(&object->lane);
}

/* A thread on another CPU that holds an object's lock until told not to. */
struct lane_holder {
	struct fscache_object	*object;
	struct completion	held;
	atomic_t		stop;
	bool			gave_up;	/* let go before told to */
	struct task_struct	*task;
};

static int lane_hold_fn(void *arg)
{
	struct lane_holder *h = arg;
	unsigned long end = jiffies + msecs_to_jiffies(FSOP_TIMEOUT_MS);

	spin_lock(&h->object->lock);
	complete(&h->held);
	while (!atomic_read(&h->stop) && time_before(jiffies, end))
		cpu_relax();
	h->gave_up = !atomic_read(&h->stop);
	spin_unlock(&h->object->lock);
	return 0;
}

static bool lane_hold(struct kunit *test, struct lane_holder *h,
		      struct fscache_object *object)
{
	int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());

	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs a second CPU to hold the lock");
	h->object = object;
	init_completion(&h->held);
	atomic_set(&h->stop, 0);
	h->gave_up = false;
	h->task = kthread_create(lane_hold_fn, h, "fsop_lane_hold");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
	kthread_bind(h->task, cpu);
	get_task_struct(h->task);
	wake_up_process(h->task);
	return wait_for_completion_timeout(&h->held, 10 * HZ);
}

/* Let go of the lock; true if it was held all along until now. */
static bool lane_unhold(struct lane_holder *h)
{
	atomic_set(&h->stop, 1);
	kthread_stop(h->task);
	put_task_struct(h->task);
	return !h->gave_up;
}

/*
 * On an active, idle object a shareable op without a cancel callback is
 * started, run, completed and released while another CPU holds the
 * object's lock: none of it waits for that lock.
 */
static void lane_needs_no_lock(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *my = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *fast = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	struct fsop_record *rm = fsop_rec(my), *rf = fsop_rec(fast);
	struct lane_holder h;

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	KUNIT_ASSERT_TRUE(test, lane_hold(test, &h, object));

	set_bit(FSCACHE_OP_WAITING, &my->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &my->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&my->op, false), 0);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &fast->op), 0);
	fscache_put_operation(&fast->op);
	KUNIT_EXPECT_TRUE(test, lane_started(rf));
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&rf->released) == 1));
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&my->op, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(my->op.state), FSCACHE_OP_ST_COMPLETE);
	fscache_put_operation(&my->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&rm->released), 1);

	KUNIT_EXPECT_TRUE_MSG(test, lane_unhold(&h),
			      "the lane took the object's lock");
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 0UL);
	fsop_expect_idle(test, object);
}

/*
 * An exclusive op closes the lane: it waits for the lane's ops in progress
 * (counted exactly once it is submitted), runs alone, and only once it and
 * every op that was on the lane are gone does the lane open again.
 */
static void exclusive_closes_the_lane(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *a = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_test_op *b = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_test_op *e = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	struct fsop_test_op *s = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	struct fsop_record *re = fsop_rec(e), *rs = fsop_rec(s);
	struct fsop_test_op *t;
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_NOT_NULL(test, object);
	a->gate = 1;
	b->gate = 1;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &a->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &b->op), 0);
	KUNIT_ASSERT_TRUE(test, lane_started(fsop_rec(a)));
	KUNIT_ASSERT_TRUE(test, lane_started(fsop_rec(b)));
	KUNIT_EXPECT_EQ(test, lane_word(object),
			FSCACHE_LANE_OPEN + 2 * (FSCACHE_LANE_R1 + FSCACHE_LANE_A1));

	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &e->op), 0);
	fscache_put_operation(&e->op);
	KUNIT_EXPECT_EQ(test, lane_word(object), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 3);
	KUNIT_EXPECT_EQ(test, inp, 2);
	KUNIT_EXPECT_EQ(test, excl, 1);
	KUNIT_EXPECT_EQ(test, object->n_lane_xfer, 2);
	/* Behind the exclusive op, not beside the lane's. */
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &s->op), 0);
	fscache_put_operation(&s->op);
	msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(re->start_seq), 0,
			    "an exclusive op started beside the lane's ops");
	KUNIT_EXPECT_EQ(test, READ_ONCE(rs->start_seq), 0);

	fscache_put_operation(&a->op);
	fsop_open_gate(ctx, 1);
	/* b's processor is done; it completes, but is still held. */
	KUNIT_ASSERT_TRUE(test, fsop_wait_for(READ_ONCE(fsop_rec(b)->end_seq) != 0));
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&b->op, false), 0);
	KUNIT_EXPECT_TRUE(test, lane_started(re));
	KUNIT_EXPECT_TRUE(test, lane_started(rs));
	KUNIT_EXPECT_GT(test, READ_ONCE(rs->start_seq), READ_ONCE(re->end_seq));
	/*
	 * b, moved off the lane and still held, keeps it closed: a shareable
	 * submission, which would open it otherwise, runs under the lock.
	 */
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&rs->released) == 1));
	KUNIT_EXPECT_EQ(test, object->n_lane_xfer, 1);
	t = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &t->op), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(FSCACHE_OP_I_LANE, &t->op.iflags));
	fscache_put_operation(&t->op);
	KUNIT_EXPECT_EQ_MSG(test, lane_word(object), 0,
			    "the lane opened while an op moved off it was alive");
	fscache_put_operation(&b->op);
	KUNIT_EXPECT_EQ(test, object->n_lane_xfer, 0);
	/* The next shareable submission opens it; the one after takes it. */
	t = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &t->op), 0);
	fscache_put_operation(&t->op);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	t = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &t->op), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_I_LANE, &t->op.iflags));
	fscache_put_operation(&t->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->overlaps), 0);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, object->n_lane_xfer, 0);
}

/*
 * A cancellation and the completion of a lane op are ordered: a request
 * made first makes it end CANCELLED; one made after its completion is
 * refused (-EBUSY) and changes nothing; a second completion is refused.
 */
static void lane_cancel_vs_completion(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *x = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *y = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &x->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &y->op), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_I_LANE, &x->op.iflags));

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&x->op, false), -EBUSY);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&x->op, true), 0);
	KUNIT_EXPECT_TRUE(test, fscache_op_is_cancelled(&x->op));
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&x->op, false), 0);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(x->op.state), FSCACHE_OP_ST_CANCELLED,
			    "a lane op asked to give up did not end cancelled");
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&x->op, true), -EALREADY);

	KUNIT_EXPECT_EQ(test, fscache_op_complete(&y->op, false), 0);
	KUNIT_EXPECT_EQ_MSG(test, fscache_cancel_op(&y->op, true), -EBUSY,
			    "a completed lane op was asked to give up");
	KUNIT_EXPECT_FALSE(test, fscache_op_is_cancelled(&y->op));
	KUNIT_EXPECT_EQ(test, READ_ONCE(y->op.state), FSCACHE_OP_ST_COMPLETE);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&y->op, false), -EINVAL);

	fscache_put_operation(&x->op);
	fscache_put_operation(&y->op);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	fsop_expect_idle(test, object);
}

/*
 * A lane op's submission gives it its object before it marks it a lane op
 * and makes it IN_PROGRESS, all without the object's lock; the hook below
 * stops it there (FSCACHE_TP_LANE_RUN) for the cases that follow.
 */
static struct {
	struct fscache_operation *op;
	/* The case's own call, made from inside the window. */
	void			(*in_window)(void);
	int			ret;
	/* ... or: a completion on another thread. */
	struct completion	submitting;	/* the op is in the window */
	struct completion	state_read;	/* the completion read its state */
	struct task_struct	*completer;
	bool			timed_out;
} lane_win;

static void lane_win_hook(enum fscache_ops_test_point tp, void *arg)
{
	struct fscache_operation *op = lane_win.op;

	if (arg != op)
		return;
	if (tp == FSCACHE_TP_LANE_RUN && lane_win.in_window) {
		lane_win.in_window();
		lane_win.in_window = NULL;
	} else if (tp == FSCACHE_TP_LANE_RUN && lane_win.completer) {
		complete(&lane_win.submitting);
		if (!wait_for_completion_timeout(&lane_win.state_read, 10 * HZ))
			lane_win.timed_out = true;
	} else if (tp == FSCACHE_TP_STATE_READ && current == lane_win.completer) {
		/* Let the submission finish between the completion's reads. */
		complete(&lane_win.state_read);
		if (!fsop_wait_for(READ_ONCE(op->state) == FSCACHE_OP_ST_IN_PROGRESS))
			lane_win.timed_out = true;
	}
}

static void lane_win_cancel(void)
{
	lane_win.ret = fscache_cancel_op(lane_win.op, true);
}

/*
 * A cancellation that finds a lane op while its submission is starting it
 * (object set, not yet IN_PROGRESS) is a request to an op in progress: it
 * returns 0 and the op ends CANCELLED.  (It was taken for one that had not
 * started yet and refused with -EBUSY, although the op then ran.)
 */
static void cancel_while_lane_submission_starts(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_NOT_NULL(test, object);
	memset(&lane_win, 0, sizeof(lane_win));
	lane_win.op = &top->op;
	lane_win.in_window = lane_win_cancel;
	lane_win.ret = 1;
	WRITE_ONCE(fscache_ops_test_hook, lane_win_hook);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	WRITE_ONCE(fscache_ops_test_hook, NULL);

	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_I_LANE, &top->op.iflags));
	KUNIT_EXPECT_EQ_MSG(test, lane_win.ret, 0,
			    "a cancellation during the op's start was refused");
	KUNIT_EXPECT_TRUE(test, fscache_op_is_cancelled(&top->op));
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_CANCELLED);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), -EALREADY);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	fsop_expect_idle(test, object);
}

static int lane_completer_fn(void *arg)
{
	if (wait_for_completion_timeout(&lane_win.submitting, 10 * HZ))
		lane_win.ret = fscache_op_complete(lane_win.op, false);
	else
		lane_win.timed_out = true;
	return 0;
}

/*
 * A completion (a backend's mistake) racing with the lane op's submission:
 * it reads the op's state, then the submission marks the op and makes it
 * IN_PROGRESS, then the completion looks at the mark.  The op had not
 * started when the completion came: it is refused, and the op, its object's
 * counters and its lane are as they were.  (Read mark first, state second,
 * the completion took the op for one run under the lock, completed it
 * there, and took it off counters that never had it.)
 */
static void complete_racing_lane_submission(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct task_struct *t;
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_NOT_NULL(test, object);
	memset(&lane_win, 0, sizeof(lane_win));
	lane_win.op = &top->op;
	lane_win.ret = 1;
	init_completion(&lane_win.submitting);
	init_completion(&lane_win.state_read);
	t = kthread_create(lane_completer_fn, NULL, "fsop_lane_complete");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	lane_win.completer = t;
	fsop_expect_misuse(ctx, 1);
	WRITE_ONCE(fscache_ops_test_hook, lane_win_hook);
	wake_up_process(t);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	kthread_stop(t);
	put_task_struct(t);
	WRITE_ONCE(fscache_ops_test_hook, NULL);

	KUNIT_EXPECT_FALSE(test, lane_win.timed_out);
	KUNIT_EXPECT_EQ_MSG(test, lane_win.ret, -EINVAL,
			    "an op completed before its submission had started it");
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_IN_PROGRESS);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_EQ(test, inp, 1);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_COMPLETE);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	fsop_expect_idle(test, object);
}

/* An update_object() that waits for gate 1: the state machine is busy. */
static void lane_blocking_update(struct fscache_object *object)
{
	struct fsop_test_obj *tobj =
		container_of(object, struct fsop_test_obj, object);

	wait_for_completion_timeout(&tobj->ctx->gate[0],
				    msecs_to_jiffies(FSOP_TIMEOUT_MS));
}

/*
 * A cache's I/O error refuses submissions at once, including those that
 * would take a lane, not only once its objects' state machines get round
 * to it (here one is busy in update_object(), its object UPDATING, an
 * active state, its lane open): the refused op leaves the lane as it was.
 */
static void io_error_refuses_lane(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	KUNIT_ASSERT_NOT_NULL(test, object);
	ctx->cache_ops.update_object = lane_blocking_update;
	fscache_ops_update_object(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_UPDATING));
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	fscache_ops_io_error(&ctx->cache);
	KUNIT_EXPECT_EQ_MSG(test, fscache_submit_op(object, &top->op), -ENOBUFS,
			    "a submission after an I/O error took the lane");
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_INITIALISED);
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	KUNIT_EXPECT_EQ(test, fscache_ops_object_n_ops(object), 0);
	fscache_put_operation(&top->op);
	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
}

/*
 * A lane op whose object begins to die is asked to give up (it is not in
 * the set fscache_cancel_all_ops() walks): fscache_op_is_cancelled() says
 * so, it ends CANCELLED, and the object waits for its release.
 */
static void death_reaches_lane_ops(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_I_LANE, &top->op.iflags));
	KUNIT_EXPECT_FALSE(test, fscache_op_is_cancelled(&top->op));
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));
	KUNIT_EXPECT_TRUE(test, fscache_op_is_cancelled(&top->op));
	KUNIT_EXPECT_EQ(test, lane_word(object), 0);
	KUNIT_EXPECT_EQ(test, fscache_ops_object_n_ops(object), 1);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_CANCELLED);
	/* Its end, decided at completion, says it was cancelled. */
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), -EALREADY);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->drops) == 1));
}

static void lane_nop_cancel(struct fscache_operation *op)
{
}

/* An op with a cancel callback, or an exclusive one, never takes the lane. */
static void lane_only_for_shareable_without_cancel(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *c = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *e = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, true);

	KUNIT_ASSERT_NOT_NULL(test, object);
	c->op.cancel = lane_nop_cancel;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &c->op), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(FSCACHE_OP_I_LANE, &c->op.iflags));
	KUNIT_EXPECT_EQ(test, lane_word(object), FSCACHE_LANE_OPEN);
	c->op.cancel = NULL;
	fscache_put_operation(&c->op);
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &e->op), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(FSCACHE_OP_I_LANE, &e->op.iflags));
	KUNIT_EXPECT_EQ(test, lane_word(object), 0);
	fscache_put_operation(&e->op);
	/* Closed until a shareable submission opens it again. */
	KUNIT_EXPECT_EQ(test, lane_word(object), 0);
	fsop_expect_idle(test, object);
}

static struct kunit_case fscache_ops_lane_cases[] = {
	KUNIT_CASE(lane_needs_no_lock),
	KUNIT_CASE(exclusive_closes_the_lane),
	KUNIT_CASE(lane_cancel_vs_completion),
	KUNIT_CASE(cancel_while_lane_submission_starts),
	KUNIT_CASE(complete_racing_lane_submission),
	KUNIT_CASE(io_error_refuses_lane),
	KUNIT_CASE(death_reaches_lane_ops),
	KUNIT_CASE(lane_only_for_shareable_without_cancel),
	{}
};

static struct kunit_suite fscache_ops_lane_suite = {
	.name = "fscache_ops_lane",
	.init = fsop_test_init_lane,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_lane_cases,
};

kunit_test_suite(fscache_ops_lane_suite);
