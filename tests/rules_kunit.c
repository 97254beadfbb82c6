// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite "fscache_ops_rules": one case per rule of the operation
 * manager (the header comments of operation.c and object.c, and
 * Documentation/fscache-ops.rst), each assertion naming the rule it checks,
 * so that a change breaking the rule fails here with a message that says
 * which.  scripts/mutate.sh checks that they do: every mutant in
 * tests/mutants/ breaks one rule, and must make a case here fail
 * (Documentation/mutation.rst).
 *
 * Real ops on the module's workqueues, on two CPUs.  Ops are held where
 * they are by gates, never by timing: a wait is bounded only by the
 * fixture's generous timeout, which the rule's violation makes it reach.
 */

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

/* How long a release callback watches for its object being dropped. */
#define RULES_WATCH_MS	500

static bool rules_started(struct fsop_record *r)
{
	return wait_for_completion_timeout(&r->started,
					   msecs_to_jiffies(FSOP_TIMEOUT_MS)) != 0;
}

static enum fscache_operation_state rules_state(struct fsop_test_op *top)
{
	return READ_ONCE(top->op.state);
}

/* Wait for a MYTHREAD submitter's FSCACHE_OP_WAITING to be cleared. */
static bool rules_woken(struct fsop_test_op *top)
{
	return wait_on_bit_timeout(&top->op.flags, FSCACHE_OP_WAITING,
				   TASK_UNINTERRUPTIBLE,
				   msecs_to_jiffies(FSOP_TIMEOUT_MS)) == 0;
}

/* A SLOW op, exclusive by its flag if @excl, held by gate @gate (0: none). */
static struct fsop_test_op *rules_op(struct fsop_test_ctx *ctx, bool excl,
				     int gate)
{
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, excl);

	top->gate = gate;
	return top;
}

/* Submit by the call that @top's flag asks for. */
static int rules_submit(struct fscache_object *object, struct fsop_test_op *top)
{
	if (test_bit(FSCACHE_OP_EXCLUSIVE, &top->op.flags))
		return fscache_submit_exclusive_op(object, &top->op);
	return fscache_submit_op(object, &top->op);
}

/*
 * FIFO: a shareable op submitted while shareable ops run and an exclusive op
 * waits in the FIFO joins the FIFO behind it; it starts only after the
 * exclusive op has finished, so shareable ops cannot starve exclusive ones.
 */
static void shareable_waits_behind_waiting_exclusive(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *s1 = rules_op(ctx, false, 1);
	struct fsop_test_op *e = rules_op(ctx, true, 2);
	struct fsop_test_op *s2 = rules_op(ctx, false, 0);
	struct fsop_record *r1 = fsop_rec(s1), *re = fsop_rec(e), *r2 = fsop_rec(s2);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, s1), 0);
	fscache_put_operation(&s1->op);
	KUNIT_ASSERT_TRUE(test, rules_started(r1));

	KUNIT_EXPECT_EQ(test, rules_submit(object, e), 0);
	KUNIT_EXPECT_EQ_MSG(test, rules_state(e), FSCACHE_OP_ST_PENDING,
			    "exclusivity: an exclusive op waits while any op runs");
	fscache_put_operation(&e->op);

	KUNIT_EXPECT_EQ(test, rules_submit(object, s2), 0);
	KUNIT_EXPECT_EQ_MSG(test, rules_state(s2), FSCACHE_OP_ST_PENDING,
			    "FIFO: a shareable op must not overtake an exclusive op waiting in the FIFO");
	fscache_put_operation(&s2->op);

	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE_MSG(test, rules_started(re),
			      "completion restarts the queue: the exclusive op starts when the shareable one ends");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r2->runs), 0,
			    "FIFO: an op behind an exclusive op does not start while it runs");
	fsop_open_gate(ctx, 2);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->runs), 1);
	KUNIT_EXPECT_GT_MSG(test, r2->start_seq, re->end_seq,
			    "FIFO: a shareable op submitted behind a waiting exclusive op starts after it ends");
}

/*
 * Cancelling a pending op restarts the queue: with shareable S1 running,
 * exclusive E pending and shareable S2 pending behind E, cancelling E lets
 * S2 start while S1 still runs.
 */
static void cancel_restarts_queue(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *s1 = rules_op(ctx, false, 1);
	struct fsop_test_op *e = rules_op(ctx, true, 0);
	struct fsop_test_op *s2 = rules_op(ctx, false, 0);
	struct fsop_record *r1 = fsop_rec(s1), *re = fsop_rec(e), *r2 = fsop_rec(s2);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, s1), 0);
	fscache_put_operation(&s1->op);
	KUNIT_ASSERT_TRUE(test, rules_started(r1));
	KUNIT_EXPECT_EQ(test, rules_submit(object, e), 0);
	KUNIT_EXPECT_EQ(test, rules_submit(object, s2), 0);
	KUNIT_EXPECT_EQ(test, rules_state(s2), FSCACHE_OP_ST_PENDING);
	fscache_put_operation(&s2->op);

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&e->op, false), 0);
	KUNIT_EXPECT_EQ(test, rules_state(e), FSCACHE_OP_ST_CANCELLED);
	fscache_put_operation(&e->op);
	KUNIT_EXPECT_TRUE_MSG(test, rules_started(r2),
			      "cancellation restarts the queue: an op held back only by the cancelled op starts");
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(r1->end_seq), 0,
			    "cancellation restarts the queue: the shareable op starts while the other still runs");

	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&re->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&re->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->runs), 1);
}

/*
 * Exclusivity from the flag as well as the call: an op with
 * FSCACHE_OP_EXCLUSIVE set in op->flags and submitted with
 * fscache_submit_op() waits for the ops in progress, and nothing starts
 * while it runs.
 */
static void exclusive_by_flag(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *s1 = rules_op(ctx, false, 1);
	struct fsop_test_op *x = rules_op(ctx, true, 2);
	struct fsop_test_op *s3 = rules_op(ctx, false, 0);
	struct fsop_record *r1 = fsop_rec(s1), *rx = fsop_rec(x), *r3 = fsop_rec(s3);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &s1->op), 0);
	fscache_put_operation(&s1->op);
	KUNIT_ASSERT_TRUE(test, rules_started(r1));

	/* The flag only, not the call. */
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &x->op), 0);
	KUNIT_EXPECT_EQ_MSG(test, rules_state(x), FSCACHE_OP_ST_PENDING,
			    "exclusivity from the flag: an op with FSCACHE_OP_EXCLUSIVE submitted by fscache_submit_op() waits for the ops in progress");
	fscache_put_operation(&x->op);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &s3->op), 0);
	fscache_put_operation(&s3->op);

	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE(test, rules_started(rx));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r3->runs), 0,
			    "exclusivity from the flag: nothing starts while an op with FSCACHE_OP_EXCLUSIVE runs");
	fsop_open_gate(ctx, 2);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_GT_MSG(test, rx->start_seq, r1->end_seq,
			    "exclusivity from the flag: it starts after the op before it ended");
	KUNIT_EXPECT_GT_MSG(test, r3->start_seq, rx->end_seq,
			    "exclusivity from the flag: the op after it starts after it ended");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->overlaps), 0,
			    "exclusive never overlaps");
}

/*
 * fscache_submit_exclusive_op() sets FSCACHE_OP_EXCLUSIVE, and while an
 * exclusive op runs a later op joins the FIFO even though it is empty.
 */
static void exclusive_op_blocks_later_ops(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *m = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *s = rules_op(ctx, false, 0);
	struct fsop_record *rs = fsop_rec(s);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &m->op), 0);
	KUNIT_EXPECT_TRUE_MSG(test, test_bit(FSCACHE_OP_EXCLUSIVE, &m->op.flags),
			      "fscache_submit_exclusive_op() sets FSCACHE_OP_EXCLUSIVE in op->flags");
	KUNIT_EXPECT_EQ_MSG(test, rules_state(m), FSCACHE_OP_ST_IN_PROGRESS,
			    "an exclusive op on an idle object starts at once");

	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &s->op), 0);
	KUNIT_EXPECT_EQ_MSG(test, rules_state(s), FSCACHE_OP_ST_PENDING,
			    "exclusive never overlaps: no op starts while an exclusive op runs");
	fscache_put_operation(&s->op);

	fscache_put_operation(&m->op);
	KUNIT_EXPECT_TRUE_MSG(test, rules_started(rs),
			      "completion restarts the queue: the op waiting for the exclusive op starts");
	fsop_expect_idle(test, object);
}

/*
 * An exclusive op leaves the FIFO only when nothing runs, whatever makes
 * the queue restart: here, the cancellation of the exclusive op before it.
 */
static void exclusive_leaves_fifo_only_when_idle(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *s1 = rules_op(ctx, false, 1);
	struct fsop_test_op *e1 = rules_op(ctx, true, 0);
	struct fsop_test_op *e2 = rules_op(ctx, true, 0);
	struct fsop_record *r1 = fsop_rec(s1), *r2 = fsop_rec(e2);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, s1), 0);
	fscache_put_operation(&s1->op);
	KUNIT_ASSERT_TRUE(test, rules_started(r1));
	KUNIT_EXPECT_EQ(test, rules_submit(object, e1), 0);
	KUNIT_EXPECT_EQ(test, rules_submit(object, e2), 0);

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&e1->op, false), 0);
	KUNIT_EXPECT_EQ_MSG(test, rules_state(e2), FSCACHE_OP_ST_PENDING,
			    "exclusive never overlaps: an exclusive op leaves the FIFO only when nothing runs");
	fscache_put_operation(&e1->op);
	fscache_put_operation(&e2->op);

	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->runs), 1);
	KUNIT_EXPECT_GT_MSG(test, r2->start_seq, r1->end_seq,
			    "exclusive never overlaps: it starts after the op in progress ended");
}

/* FIFO order: deferred ops start in the order they were submitted. */
static void fifo_order_kept(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_record *r[8];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, object);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		struct fsop_test_op *top =
			fsop_new_op(ctx, i & 1 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW,
				    true);

		r[i] = fsop_rec(top);
		KUNIT_EXPECT_EQ(test, rules_submit(object, top), 0);
		fscache_put_operation(&top->op);
	}
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	for (i = 1; i < ARRAY_SIZE(r); i++)
		KUNIT_EXPECT_LT_MSG(test, r[i - 1]->end_seq, r[i]->start_seq,
				    "FIFO order: op %d starts after op %d, submitted before it, ended",
				    i, i - 1);
}

/*
 * The queue restarts after a completion: implied by the final put of an op
 * in progress, or explicit with fscache_op_complete().
 */
static void completion_restarts_queue(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *e = rules_op(ctx, true, 1);
	struct fsop_test_op *s = rules_op(ctx, false, 0);
	struct fsop_test_op *m = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, true);
	struct fsop_test_op *s2 = rules_op(ctx, false, 0);
	struct fsop_record *re = fsop_rec(e), *rs = fsop_rec(s), *r2 = fsop_rec(s2);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, e), 0);
	fscache_put_operation(&e->op);
	KUNIT_ASSERT_TRUE(test, rules_started(re));
	KUNIT_EXPECT_EQ(test, rules_submit(object, s), 0);
	fscache_put_operation(&s->op);
	fsop_open_gate(ctx, 1);
	KUNIT_EXPECT_TRUE_MSG(test, rules_started(rs),
			      "completion restarts the queue: an op waiting for an exclusive op starts when its final put completes it");
	fsop_expect_idle(test, object);

	KUNIT_EXPECT_EQ(test, rules_submit(object, m), 0);
	KUNIT_EXPECT_EQ(test, rules_state(m), FSCACHE_OP_ST_IN_PROGRESS);
	KUNIT_EXPECT_EQ(test, rules_submit(object, s2), 0);
	fscache_put_operation(&s2->op);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&m->op, false), 0);
	KUNIT_EXPECT_TRUE_MSG(test, rules_started(r2),
			      "completion restarts the queue: fscache_op_complete() lets the op waiting for it start");
	fscache_put_operation(&m->op);
	fsop_expect_idle(test, object);
}

/*
 * Ops submitted while the object is looked up are deferred, not refused,
 * and activation restarts the queue: they start once it is available.
 */
static void activation_starts_deferred_ops(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_record *r[3];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, object);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		struct fsop_test_op *top =
			fsop_new_op(ctx, i == 2 ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW,
				    i == 1);

		r[i] = fsop_rec(top);
		KUNIT_EXPECT_EQ_MSG(test, rules_submit(object, top), 0,
				    "ops submitted while the object is looked up are deferred, not refused");
		KUNIT_EXPECT_EQ_MSG(test, rules_state(top), FSCACHE_OP_ST_PENDING,
				    "ops wait in the FIFO until the object is active");
		fscache_put_operation(&top->op);
	}
	fscache_ops_object_available(object);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		KUNIT_EXPECT_TRUE_MSG(test, rules_started(r[i]),
				      "activation restarts the queue: deferred op %d starts once the object is active",
				      i);
	fsop_expect_idle(test, object);
}

/* A MYTHREAD submitter waiting on its op is woken when the op starts. */
static void waiter_woken_on_start(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_NOT_NULL(test, object);
	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, rules_state(top), FSCACHE_OP_ST_PENDING);
	fscache_ops_object_available(object);
	KUNIT_EXPECT_TRUE_MSG(test, rules_woken(top),
			      "waiters are woken on start: FSCACHE_OP_WAITING is cleared when a MYTHREAD op starts");
	KUNIT_EXPECT_EQ(test, rules_state(top), FSCACHE_OP_ST_IN_PROGRESS);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

/* ... and when the op is cancelled while pending. */
static void waiter_woken_on_cancel(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	bool woken;

	KUNIT_ASSERT_NOT_NULL(test, object);
	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, false), 0);
	woken = rules_woken(top);
	KUNIT_EXPECT_TRUE_MSG(test, woken,
			      "waiters are woken on cancel: FSCACHE_OP_WAITING is cleared when a pending op is cancelled");
	KUNIT_EXPECT_EQ(test, rules_state(top), FSCACHE_OP_ST_CANCELLED);
	/* Would wait for ever if the bit were still set. */
	if (woken)
		KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&top->op,
									    false),
				-ENOBUFS);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

/* ... and when its object dies; the op ends cancelled. */
static void waiter_woken_on_death(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE_MSG(test, rules_woken(top),
			      "waiters are woken on death: FSCACHE_OP_WAITING is cleared when the op's object dies");
	KUNIT_EXPECT_EQ_MSG(test, rules_state(top), FSCACHE_OP_ST_CANCELLED,
			    "death cancels pending ops");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->cancelled), fsop_unless_lane(ctx, 1),
			    "death cancels pending ops: their cancel callback is called once");
	/* The object may go with this put: it is not touched after it. */
	fscache_put_operation(&top->op);
}

/*
 * Death asks ops in progress to give up; the object is dropped only after
 * its last op has gone, and refuses new ops meanwhile.
 */
static void death_asks_ops_in_progress_to_give_up(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = rules_op(ctx, false, 1);
	struct fsop_test_op *late = rules_op(ctx, false, 0);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_ASSERT_TRUE(test, rules_started(r));

	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(fscache_op_is_cancelled(&top->op)),
			      "death asks ops in progress to give up: fscache_op_is_cancelled() turns true");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->cancelled), fsop_unless_lane(ctx, 1),
			    "death asks ops in progress to give up: their cancel callback is called once");
	/* Let the state machine do all it would. */
	flush_workqueue(fscache_ops_object_wq);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->drops), 0,
			    "the object is dropped only after its last op: not while one is in progress");
	KUNIT_EXPECT_EQ_MSG(test, fscache_submit_op(object, &late->op), -ENOBUFS,
			    "a dying object refuses new ops");
	fscache_put_operation(&late->op);

	fsop_open_gate(ctx, 1);
	/* The object may go with this put: it is not touched after it. */
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(atomic_read(&ctx->drops) == 1),
			      "EV_CLEARED: a dying object is dropped once its last op has gone");
}

/*
 * Death asks every op in progress to give up, whether it started within its
 * submission or later from the FIFO; one that completed before has left the
 * set of ops in progress and is not asked.
 */
static void death_asks_every_op_in_progress(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *x = rules_op(ctx, true, 1);
	struct fsop_test_op *a = rules_op(ctx, false, 2);
	struct fsop_test_op *b = rules_op(ctx, false, 3);
	struct fsop_test_op *d = rules_op(ctx, false, 2);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, x), 0);
	KUNIT_ASSERT_TRUE(test, rules_started(fsop_rec(x)));
	/* a and b wait behind the exclusive x, then start from the FIFO. */
	KUNIT_EXPECT_EQ(test, rules_submit(object, a), 0);
	KUNIT_EXPECT_EQ(test, rules_submit(object, b), 0);
	KUNIT_EXPECT_EQ(test, rules_state(a), FSCACHE_OP_ST_PENDING);
	fsop_open_gate(ctx, 1);
	fscache_put_operation(&x->op);
	KUNIT_ASSERT_TRUE(test, rules_started(fsop_rec(a)));
	KUNIT_ASSERT_TRUE(test, rules_started(fsop_rec(b)));
	/* d starts within its submission. */
	KUNIT_EXPECT_EQ(test, rules_submit(object, d), 0);
	KUNIT_ASSERT_TRUE(test, rules_started(fsop_rec(d)));
	/* b, between a and d in the set, completes and leaves it. */
	fsop_open_gate(ctx, 3);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&b->op, false), 0);

	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(fscache_op_is_cancelled(&a->op)),
			      "death asks an op started from the FIFO to give up");
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(fscache_op_is_cancelled(&d->op)),
			      "death asks an op started at submission to give up");
	KUNIT_EXPECT_EQ(test, atomic_read(&fsop_rec(a)->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&fsop_rec(d)->cancelled), fsop_unless_lane(ctx, 1));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fsop_rec(b)->cancelled), 0,
			    "a completed op has left the ops in progress: death does not ask it");
	KUNIT_EXPECT_FALSE(test, fscache_op_is_cancelled(&b->op));

	fsop_open_gate(ctx, 2);
	fscache_put_operation(&b->op);
	fscache_put_operation(&a->op);
	/* The object may go with this put: it is not touched after it. */
	fscache_put_operation(&d->op);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(atomic_read(&ctx->drops) == 1),
			      "EV_CLEARED: a dying object is dropped once its last op has gone");
}

static atomic_t rules_enqueue_ret;

static void rules_retype_to_slow(struct fsop_test_op *top)
{
	if (atomic_read(&fsop_rec(top)->runs) != 1)
		return;
	top->op.flags = (top->op.flags & ~FSCACHE_OP_TYPE) | FSCACHE_OP_SLOW;
	atomic_set(&rules_enqueue_ret, fscache_enqueue_operation(&top->op));
}

/*
 * Enqueue follows the new type: a FAST op retyped SLOW by its processor and
 * enqueued again runs the second time on the unbound workqueue.
 */
static void enqueue_follows_new_type(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	atomic_set(&rules_enqueue_ret, -1);
	top->hook = rules_retype_to_slow;
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&rules_enqueue_ret), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 2);
	KUNIT_EXPECT_TRUE_MSG(test, r->ran_unbound,
			      "enqueue follows the new type: an op retyped SLOW runs on the unbound workqueue");
	KUNIT_EXPECT_FALSE_MSG(test, r->ran_bound,
			       "enqueue follows the new type: an op retyped SLOW does not run on the FAST workqueue");
}

static DEFINE_SPINLOCK(rules_backend_lock);

/* The GC retires and frees an op whose final put was handed to it. */
static void gc_retires_and_frees(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	/*
	 * A final put holding a spinlock may not retire its op: the GC gets
	 * it.  (A backend's lock, not the object's: a broken rule then fails
	 * this case's assertions instead of deadlocking on the object.)
	 */
	spin_lock(&rules_backend_lock);
	fscache_put_operation(&top->op);
	spin_unlock(&rules_backend_lock);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(atomic_read(&r->released) == 1),
			      "the GC frees an op whose final put was deferred (its release runs)");
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(fscache_ops_object_n_ops(object) == 0),
			      "the GC retires an op whose final put was deferred (n_ops drops)");
	fsop_expect_idle(test, object);
}

/* EV_CLEARED is raised when n_ops reaches zero, once, and not before. */
static void cleared_when_n_ops_reaches_zero(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	unsigned int base;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, object);
	base = READ_ONCE(object->n_cleared);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	for (i = 0; i < 4; i++) {
		struct fsop_test_op *top = rules_op(ctx, false, 0);

		KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
		fscache_put_operation(&top->op);
	}
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(fscache_ops_object_n_ops(object) == 1));
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(object->n_cleared), base,
			    "EV_CLEARED is not raised while an op remains");
	fscache_put_operation(&holder->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(object->n_cleared), base + fsop_unless_lane(ctx, 1),
			    "EV_CLEARED is raised exactly once when n_ops drops to zero");
}

/* A dying object kept by an op is dropped once that op is put. */
static void cleared_lets_dying_object_go(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *holder = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &holder->op), 0);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->drops), 0,
			    "the object is dropped only after its last op");
	/* The object may go with this put: it is not touched after it. */
	fscache_put_operation(&holder->op);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(atomic_read(&ctx->drops) == 1),
			      "EV_CLEARED: a dying object is dropped once n_ops reaches zero");
}

/*
 * Each counter is dropped in its one place: n_ops at retirement after the
 * final put, n_in_progress at completion, n_exclusive at completion or at
 * the cancellation of a pending exclusive op.
 */
static void counters_dropped_in_one_place(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *e1 = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, true);
	struct fsop_test_op *e2 = rules_op(ctx, true, 0);
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, rules_submit(object, e1), 0);
	KUNIT_EXPECT_EQ(test, rules_submit(object, e2), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 2);
	KUNIT_EXPECT_EQ(test, inp, 1);
	KUNIT_EXPECT_EQ(test, excl, 2);

	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&e2->op, false), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ_MSG(test, ops, 2,
			    "n_ops drops only at retirement, not when a pending op is cancelled");
	KUNIT_EXPECT_EQ_MSG(test, inp, 1,
			    "n_in_progress drops only at completion, not when a pending op is cancelled");
	KUNIT_EXPECT_EQ_MSG(test, excl, 1,
			    "n_exclusive drops when a pending exclusive op is cancelled");
	fscache_put_operation(&e2->op);
	KUNIT_EXPECT_TRUE_MSG(test, fsop_wait_for(fscache_ops_object_n_ops(object) == 1),
			      "n_ops drops at the retirement after the final put");

	KUNIT_EXPECT_EQ(test, fscache_op_complete(&e1->op, false), 0);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ_MSG(test, ops, 1,
			    "n_ops drops only at retirement, not at completion");
	KUNIT_EXPECT_EQ_MSG(test, inp, 0, "n_in_progress drops at completion");
	KUNIT_EXPECT_EQ_MSG(test, excl, 0,
			    "n_exclusive drops when an exclusive op completes");
	fscache_put_operation(&e1->op);
	fsop_expect_idle(test, object);
}

/* An op of the test's own, whose memory KUnit owns. */
struct rules_own_op {
	struct fscache_operation	op;
	struct fsop_test_ctx		*ctx;
	atomic_t			releases;
	bool				dropped_under_release;
	struct completion		released;
};

static void rules_count_release(struct fscache_operation *op)
{
	struct rules_own_op *ro = container_of(op, struct rules_own_op, op);

	atomic_inc(&ro->releases);
	complete(&ro->released);
}

/* A release that watches for a while whether its object is dropped. */
static void rules_watch_release(struct fscache_operation *op)
{
	struct rules_own_op *ro = container_of(op, struct rules_own_op, op);
	unsigned long end = jiffies + msecs_to_jiffies(RULES_WATCH_MS);

	atomic_inc(&ro->releases);
	while (!atomic_read(&ro->ctx->drops) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	ro->dropped_under_release = atomic_read(&ro->ctx->drops) != 0;
	complete(&ro->released);
}

static void rules_nop_cancel(struct fscache_operation *op)
{
}

/*
 * An op of the case's own, with a cancel callback unless in the suite's
 * lane variant, as fsop_new_op() makes them: so each suite tests the path
 * it is for (without one, a shareable op takes the lane when it can, and
 * its retirement is the lane's, not the one under the object's lock).
 */
static struct rules_own_op *rules_own_op(struct kunit *test,
					 fscache_operation_release_t release)
{
	struct rules_own_op *ro = kunit_kzalloc(test, sizeof(*ro), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ro);
	ro->ctx = CTX(test);
	init_completion(&ro->released);
	fscache_operation_init(&ro->op, release);
	if (!ro->ctx->lane)
		ro->op.cancel = rules_nop_cancel;
	ro->op.flags |= FSCACHE_OP_MYTHREAD;
	return ro;
}

/*
 * The release callback runs before the op stops counting in n_ops, so no
 * callback of an op runs after its object has been dropped.
 */
static void release_before_op_stops_counting(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct rules_own_op *ro = rules_own_op(test, rules_watch_release);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &ro->op), 0);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_KILLED));
	/* The object may go with this put: it is not touched after it. */
	fscache_put_operation(&ro->op);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&ro->released,
							    msecs_to_jiffies(FSOP_TIMEOUT_MS)));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ro->releases), 1,
			    "release runs exactly once");
	KUNIT_EXPECT_FALSE_MSG(test, ro->dropped_under_release,
			       "the release callback runs before the op stops counting in n_ops: its object is not dropped under it");
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->drops) == 1));
}

/*
 * Release exactly once: an op that was never submitted is released by its
 * final put, and a put of a dead op is refused as misuse.
 */
static void release_exactly_once_unsubmitted(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	struct rules_own_op *ro = rules_own_op(test, rules_count_release);

	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->released), 1,
			    "release exactly once: an op never submitted is released by its final put");

	fsop_expect_misuse(ctx, 1);
	fscache_put_operation(&ro->op);
	fscache_put_operation(&ro->op);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ro->releases), 1,
			    "release exactly once: a put of a dead op releases nothing");
	KUNIT_EXPECT_EQ_MSG(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1,
			    "misuse refused: a put of a dead op is counted as a backend's mistake");
}

/* Misuse refused: an op of unknown type is refused and stays the caller's. */
static void misuse_refused(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_NOT_NULL(test, object);
	/* A processor, so that only the type is wrong. */
	top->op.flags = (top->op.flags & ~FSCACHE_OP_TYPE) | 0x000e;
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ_MSG(test, fscache_submit_op(object, &top->op), -EINVAL,
			    "misuse refused: an op of unknown type is not submitted");
	KUNIT_EXPECT_EQ_MSG(test, rules_state(top), FSCACHE_OP_ST_INITIALISED,
			    "misuse refused: the refused op is left initialised");
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	fsop_expect_idle(test, object);
}

/*
 * put_object() comes with the last reference, after DEAD: a dead object
 * the backend still holds stays in memory until the backend's put.
 */
static void put_object_with_last_reference(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	int puts = atomic_read(&ctx->puts);

	KUNIT_ASSERT_NOT_NULL(test, object);
	fscache_ops_relinquish_object(object, false);
	/* Not through the object: it must be there, but may not be. */
	KUNIT_ASSERT_TRUE(test, fsop_wait_for(atomic_read(&ctx->drops) == 1));
	flush_workqueue(fscache_ops_object_wq);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&ctx->puts), puts,
			    "put_object() comes with the last reference: not at DEAD while the backend holds one");
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	fsop_put_ref(ctx, object);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->puts), puts + 1,
			    "put_object() comes with the last reference, once");
}

static struct kunit_case fscache_ops_rules_cases[] = {
	KUNIT_CASE(shareable_waits_behind_waiting_exclusive),
	KUNIT_CASE(cancel_restarts_queue),
	KUNIT_CASE(exclusive_by_flag),
	KUNIT_CASE(exclusive_op_blocks_later_ops),
	KUNIT_CASE(exclusive_leaves_fifo_only_when_idle),
	KUNIT_CASE(fifo_order_kept),
	KUNIT_CASE(completion_restarts_queue),
	KUNIT_CASE(activation_starts_deferred_ops),
	KUNIT_CASE(waiter_woken_on_start),
	KUNIT_CASE(waiter_woken_on_cancel),
	KUNIT_CASE(waiter_woken_on_death),
	KUNIT_CASE(death_asks_ops_in_progress_to_give_up),
	KUNIT_CASE(death_asks_every_op_in_progress),
	KUNIT_CASE(enqueue_follows_new_type),
	KUNIT_CASE(gc_retires_and_frees),
	KUNIT_CASE(cleared_when_n_ops_reaches_zero),
	KUNIT_CASE(cleared_lets_dying_object_go),
	KUNIT_CASE(counters_dropped_in_one_place),
	KUNIT_CASE(release_before_op_stops_counting),
	KUNIT_CASE(release_exactly_once_unsubmitted),
	KUNIT_CASE(misuse_refused),
	KUNIT_CASE(put_object_with_last_reference),
	{}
};

static struct kunit_suite fscache_ops_rules_suite = {
	.name = "fscache_ops_rules",
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_rules_cases,
};

/*
 * The same cases with ops that have no cancel callback, so that shareable
 * ones start on their object's lane whenever it is open.
 */
static struct kunit_suite fscache_ops_rules_lane_suite = {
	.name = "fscache_ops_rules_lane",
	.init = fsop_test_init_lane,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_rules_cases,
};

kunit_test_suites(&fscache_ops_rules_suite, &fscache_ops_rules_lane_suite);
