// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite for the misuse catalogue (issue 8): one case per way a
 * backend can misuse the fscache_ops API.  Each provokes the mistake once
 * and checks that the call returns the documented error or is refused,
 * that exactly one misuse is counted (reported as a message, not a
 * warning: the suites run with panic_on_warn), and that nothing leaks or is
 * released twice (the fixture's exit withdraws the cache and checks every
 * release and put_object()).  Documentation/fscache-ops.rst carries the
 * catalogue as a table that names these cases.
 *
 * A few calls that look like mistakes are not misuses (no warning, no
 * count): their cases assert the documented behaviour instead.
 */

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

/*
 * An op in memory KUnit owns, whose release callback only counts: it may be
 * looked at (and misused) after its final put without a use after free.
 */
struct fsop_kop {
	struct fscache_operation	op;
	atomic_t			released;
};

static void fsop_kop_release(struct fscache_operation *op)
{
	atomic_inc(&container_of(op, struct fsop_kop, op)->released);
}

static struct fsop_kop *fsop_new_kop(struct kunit *test, unsigned int type)
{
	struct fsop_kop *kop = kunit_kzalloc(test, sizeof(*kop), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kop);
	fscache_operation_init(&kop->op, fsop_kop_release);
	kop->op.flags |= type;
	return kop;
}

static void fsop_stray_work_fn(struct work_struct *work)
{
}

static void fsop_expect_one_misuse(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(CTX(test), FSCACHE_STAT_MISUSE), 1UL);
}

/* References */

/* A second put of a pending op: only the FIFO's reference is left. */
static void op_double_put(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_misuse(ctx, 1);
	fscache_put_operation(&top->op);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_PENDING);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 0);

	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

/* A put of an op never submitted, after its final put: it is dead. */
static void op_put_after_final_put(struct kunit *test)
{
	struct fsop_kop *kop = fsop_new_kop(test, FSCACHE_OP_MYTHREAD);

	fscache_put_operation(&kop->op);
	KUNIT_EXPECT_EQ(test, kop->op.state, FSCACHE_OP_ST_DEAD);
	fsop_expect_misuse(CTX(test), 1);
	fscache_put_operation(&kop->op);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, atomic_read(&kop->released), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&kop->op.usage), 0);
}

/* The same for a submitted op, whose final put may go through the GC. */
static void submitted_op_put_after_final_put(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_kop *kop = fsop_new_kop(test, FSCACHE_OP_MYTHREAD);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &kop->op), 0);
	fscache_put_operation(&kop->op);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&kop->released) == 1));
	fsop_expect_misuse(ctx, 1);
	fscache_put_operation(&kop->op);
	fsop_expect_one_misuse(test);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&kop->released), 1);
}

/* A get of an op whose last reference is gone. */
static void op_get_without_reference(struct kunit *test)
{
	struct fsop_kop *kop = fsop_new_kop(test, FSCACHE_OP_MYTHREAD);

	fscache_put_operation(&kop->op);
	fsop_expect_misuse(CTX(test), 1);
	fscache_get_operation(&kop->op);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, refcount_read(&kop->op.usage), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kop->released), 1);
}

/* A get that would spill the backend's share into fscache_ops' own. */
static void op_get_with_full_share(struct kunit *test)
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
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, refcount_read(&top->op.usage), FSCACHE_REF_MASK);
	for (i = 0; i < FSCACHE_REF_MASK; i++)
		fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/* A put of an object reference the backend does not hold. */
static void object_put_without_reference(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);

	fsop_put_ref(ctx, object);
	fsop_expect_misuse(ctx, 1);
	fscache_ops_put_object(object);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, refcount_read(&object->usage), FSCACHE_REF_OWN);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
	KUNIT_EXPECT_TRUE(test, fscache_object_is_active(object));
	/* The withdrawal at the end of the case kills and puts it, once. */
}

/*
 * A get of an object with no reference: one whose initialisation was
 * refused because its cache is withdrawn holds none.
 */
static void object_get_without_reference(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_cache *cache = kunit_kzalloc(test, sizeof(*cache), GFP_KERNEL);
	struct fsop_test_obj *tobj = kunit_kzalloc(test, sizeof(*tobj), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cache);
	KUNIT_ASSERT_NOT_NULL(test, tobj);
	tobj->ctx = ctx;
	KUNIT_ASSERT_EQ(test, fscache_ops_add_cache(cache, &ctx->cache_ops,
						    "misuse-withdrawn"), 0);
	fscache_ops_withdraw_cache(cache);
	KUNIT_ASSERT_EQ(test, fscache_ops_init_object(&tobj->object, cache),
			-ENOBUFS);

	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_NULL(test, fscache_ops_get_object(&tobj->object));
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, refcount_read(&tobj->object.usage), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);
}

/* Submission */

/* The same op submitted twice, one submission after the other. */
static void op_submitted_twice(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(object, &top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_EQ(test, excl, 0);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&object->pending_ops));

	fscache_put_operation(&top->op);
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 1);
}

/* Submit an op that must be refused with -EINVAL, then put it. */
static void fsop_submit_refused(struct kunit *test, struct fsop_test_op *top)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_record *r = fsop_rec(top);

	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_INITIALISED);
	KUNIT_EXPECT_NULL(test, top->op.object);
	KUNIT_EXPECT_EQ(test, fscache_ops_object_n_ops(object), 0);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 0);
}

static void fast_op_without_processor(struct kunit *test)
{
	struct fsop_test_op *top = fsop_new_op(CTX(test), FSCACHE_OP_FAST, false);

	top->op.processor = NULL;
	fsop_submit_refused(test, top);
}

static void slow_op_without_processor(struct kunit *test)
{
	struct fsop_test_op *top = fsop_new_op(CTX(test), FSCACHE_OP_SLOW, false);

	top->op.processor = NULL;
	fsop_submit_refused(test, top);
}

static void op_of_unknown_type(struct kunit *test)
{
	struct fsop_test_op *top = fsop_new_op(CTX(test), FSCACHE_OP_SLOW, false);

	top->op.flags = (top->op.flags & ~FSCACHE_OP_TYPE) | 0x000e;
	fsop_submit_refused(test, top);
}

static void op_without_type(struct kunit *test)
{
	fsop_submit_refused(test, fsop_new_op(CTX(test), 0, false));
}

/* operations.txt's fast_work re-initialised by the backend. */
static void op_with_reused_work_item(struct kunit *test)
{
	struct fsop_test_op *top = fsop_new_op(CTX(test), FSCACHE_OP_FAST, false);

	INIT_WORK(&top->op.fast_work, fsop_stray_work_fn);
	fsop_submit_refused(test, top);
}

/* An op never passed to fscache_operation_init() (all-zero memory). */
static void uninitialised_op_submitted(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_kop *kop = kunit_kzalloc(test, sizeof(*kop), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kop);
	kop->op.flags = FSCACHE_OP_MYTHREAD;
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &kop->op), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, kop->op.state, FSCACHE_OP_ST_BLANK);
	KUNIT_EXPECT_EQ(test, fscache_ops_object_n_ops(object), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kop->released), 0);
}

/* An object never passed to fscache_ops_init_object(). */
static void submit_to_uninitialised_object(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *blank = kunit_kzalloc(test, sizeof(*blank), GFP_KERNEL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	KUNIT_ASSERT_NOT_NULL(test, blank);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(blank, &top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_INITIALISED);
	KUNIT_EXPECT_EQ(test, blank->n_ops, 0);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

static void submit_to_null_object(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_submit_exclusive_op(NULL, &top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/* Not a misuse: a dead object refuses submissions with -ENOBUFS. */
static void submit_to_dead_object(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	fscache_ops_relinquish_object(object, false);
	KUNIT_ASSERT_TRUE(test, fsop_wait_dead(object));
	fsop_expect_misuse(ctx, 0);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/*
 * fscache_operation_init() of an op in use (pending or in progress) would
 * rewrite its list link, references and state under its object.  With
 * CONFIG_FSCACHE_OPS_DEBUG it is refused, and the ops go on as they were.
 * (Without it, it cannot be told from the init of new memory.)
 */
static void op_init_while_in_use(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object;
	struct fsop_test_op *running, *pending;
	struct fsop_record *rr, *rp;
	unsigned int id;

	if (!IS_ENABLED(CONFIG_FSCACHE_OPS_DEBUG))
		kunit_skip(test, "built without CONFIG_FSCACHE_OPS_DEBUG: not detected");

	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	KUNIT_ASSERT_NOT_NULL(test, object);
	running = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	pending = fsop_new_op(ctx, FSCACHE_OP_SLOW, true);
	rr = fsop_rec(running);
	rp = fsop_rec(pending);
	running->gate = 1;
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &running->op), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&rr->started, 10 * HZ));
	KUNIT_ASSERT_EQ(test, fscache_submit_exclusive_op(object, &pending->op), 0);
	id = pending->op.debug_id;

	fsop_expect_misuse(ctx, 2);
	fscache_operation_init(&pending->op, pending->op.release);
	fscache_operation_init(&running->op, running->op.release);
	KUNIT_EXPECT_EQ_MSG(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 2UL,
			    "misuse refused: init of an op in use");
	KUNIT_EXPECT_EQ(test, pending->op.debug_id, id);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pending->op.state), FSCACHE_OP_ST_PENDING);
	KUNIT_EXPECT_EQ(test, READ_ONCE(running->op.state), FSCACHE_OP_ST_IN_PROGRESS);

	fscache_put_operation(&pending->op);
	fscache_put_operation(&running->op);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&rr->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&rp->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 2);
}

/*
 * An op whose final put was handed to the GC is in use until the GC has
 * released it (its work item's list entry links it on the GC's list): its
 * init is refused too.  The object's lock, held across the put and the
 * init, keeps the GC from retiring the op in between.
 */
static void op_init_while_awaiting_gc(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object;
	struct fsop_test_op *top;
	unsigned int id;

	if (!IS_ENABLED(CONFIG_FSCACHE_OPS_DEBUG))
		kunit_skip(test, "built without CONFIG_FSCACHE_OPS_DEBUG: not detected");

	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	KUNIT_ASSERT_NOT_NULL(test, object);
	top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	id = top->op.debug_id;

	fsop_expect_misuse(ctx, 1);
	spin_lock(&object->lock);
	fscache_put_operation(&top->op);	/* under the lock: deferred */
	fscache_operation_init(&top->op, top->op.release);
	spin_unlock(&object->lock);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE), 1UL);
	KUNIT_EXPECT_EQ_MSG(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 1UL,
			    "misuse refused: init of an op whose release awaits the GC");
	KUNIT_EXPECT_EQ(test, top->op.debug_id, id);

	flush_work(&ctx->cache.op_gc);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_GC), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
	fsop_expect_idle(test, object);
}

/* Completion */

static void complete_of_unsubmitted_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_INITIALISED);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

static void complete_of_pending_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_PENDING);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_EQ(test, inp, 0);

	fscache_put_operation(&top->op);
	fscache_ops_object_available(object);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->released), 1);
}

static void op_completed_twice(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, true);
	unsigned int ops, inp, excl;

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, true), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_COMPLETE);
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 1);
	KUNIT_EXPECT_EQ(test, inp, 0);
	KUNIT_EXPECT_EQ(test, excl, 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_COMPLETE), 1UL);
}

/* Enqueue */

static void enqueue_of_unsubmitted_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

static void enqueue_of_completed_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/* operations.txt's "op->flags |= ~FSCACHE_OP_FAST", then an enqueue. */
static void enqueue_after_bad_retype(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	top->op.flags &= ~FSCACHE_OP_TYPE;
	top->op.flags |= ~FSCACHE_OP_FAST;
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_IN_PROGRESS);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/* A MYTHREAD op retyped SLOW for more processing, with no processor. */
static void enqueue_without_processor(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_operation_init_slow(&top->op, NULL);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
}

/* The work item re-initialised by the backend after submission. */
static void enqueue_with_reused_work_item(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *donor = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_operation_init_slow(&top->op, donor->op.processor);
	fscache_put_operation(&donor->op);
	INIT_WORK(&top->op.slow_work, fsop_stray_work_fn);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&top->op), -EINVAL);
	fsop_expect_one_misuse(test);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 2);
}

/* Cancellation and waiting */

/* Not a misuse: -EINVAL without a warning. */
static void cancel_of_unsubmitted_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);

	fsop_expect_misuse(ctx, 0);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&fsop_rec(top)->cancelled), 0);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/*
 * Waiting on a pending op without FSCACHE_OP_WAITING: nothing would wake the
 * waiter, so the wait does not sleep and is refused.
 */
static void wait_without_waiting_on_pending_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&top->op, false),
			-EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, top->op.state, FSCACHE_OP_ST_PENDING);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, false), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

/*
 * Not a misuse: on an op already started, the wait returns 0 at once
 * whether FSCACHE_OP_WAITING was set or not ("the caller must now run it").
 */
static void wait_without_waiting_on_started_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fsop_expect_misuse(ctx, 0);
	KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&top->op, true), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

struct fsop_late_wait {
	struct fscache_operation	*op;
	int				ret;
	struct completion		done;
};

static int fsop_late_wait_fn(void *arg)
{
	struct fsop_late_wait *w = arg;

	w->ret = fscache_wait_for_operation_activation(w->op, false);
	complete(&w->done);
	return 0;
}

/*
 * Not a misuse we can tell from a race with the op's start, but one that
 * must not hang: FSCACHE_OP_WAITING set after the op started (its start
 * had nothing to clear, and nothing else ever would).  The wait returns 0
 * at once and clears the bit.  (It slept for ever, uninterruptibly.)
 */
static void wait_with_waiting_set_after_start(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_late_wait *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &top->op), 0);
	KUNIT_ASSERT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_IN_PROGRESS);
	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	w->op = &top->op;
	w->ret = 1;
	init_completion(&w->done);
	/* On a thread of its own, so that a hang is a failure, not a stall. */
	t = kthread_run(fsop_late_wait_fn, w, "fsop_late_wait");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	if (!wait_for_completion_timeout(&w->done, 5 * HZ)) {
		KUNIT_FAIL(test, "the wait hung on a bit nothing clears");
		/* Let it go: it still needs w and the op. */
		clear_and_wake_up_bit(FSCACHE_OP_WAITING, &top->op.flags);
		wait_for_completion(&w->done);
	}
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(FSCACHE_OP_WAITING, &top->op.flags));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

/* Not a misuse: an op never submitted is not waited for (-EINVAL). */
static void wait_on_unsubmitted_op(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);

	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	fsop_expect_misuse(ctx, 0);
	KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&top->op, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 0UL);
	fscache_put_operation(&top->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 1);
}

/* Objects and caches */

/* A second AVAILABLE: reported by the state machine, and dropped. */
static void object_available_twice(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);

	fsop_expect_misuse(ctx, 1);
	fscache_ops_object_available(object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE) == 1));
	flush_work(&object->work);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, READ_ONCE(object->state), FSCACHE_OBJECT_ACTIVE);
	KUNIT_EXPECT_FALSE(test, test_bit(FSCACHE_OBJECT_EV_AVAILABLE, &object->events));

	/* Still usable. */
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ran), 1);
}

/* Context */

/* Calls made from a timer's softirq, which none of them may be. */
struct fsop_irq_calls {
	struct timer_list		timer;
	struct fscache_object		*object;
	struct fscache_operation	*fresh;
	struct fscache_operation	*running;
	int				submit;
	int				complete;
	int				cancel;
	bool				in_task;
	struct completion		done;
};

static void fsop_irq_calls_fn(struct timer_list *t)
{
	struct fsop_irq_calls *c = from_timer(c, t, timer);

	c->in_task = in_task();
	c->submit = fscache_submit_op(c->object, c->fresh);
	c->complete = fscache_op_complete(c->running, false);
	c->cancel = fscache_cancel_op(c->running, true);
	complete(&c->done);
}

/*
 * Submission, completion and cancellation may take the object's lock,
 * which is not irq-safe: from an interrupt each is refused, even for a
 * lane op, whose path usually takes no lock (and so would deadlock only on
 * the day the lane is closed), and nothing changes.
 */
static void calls_from_interrupt(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *fresh = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_test_op *running = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	struct fsop_irq_calls c = {};

	KUNIT_ASSERT_NOT_NULL(test, object);
	fresh->op.cancel = NULL;
	running->op.cancel = NULL;
	KUNIT_ASSERT_EQ(test, fscache_submit_op(object, &running->op), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(FSCACHE_OP_I_LANE, &running->op.iflags));

	c.object = object;
	c.fresh = &fresh->op;
	c.running = &running->op;
	init_completion(&c.done);
	fsop_expect_misuse(ctx, 3);
	timer_setup_on_stack(&c.timer, fsop_irq_calls_fn, 0);
	mod_timer(&c.timer, jiffies + 1);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&c.done,
							    msecs_to_jiffies(FSOP_TIMEOUT_MS)));
	timer_delete_sync(&c.timer);
	destroy_timer_on_stack(&c.timer);

	KUNIT_EXPECT_FALSE(test, c.in_task);
	KUNIT_EXPECT_EQ(test, c.submit, -EINVAL);
	KUNIT_EXPECT_EQ(test, c.complete, -EINVAL);
	KUNIT_EXPECT_EQ(test, c.cancel, -EINVAL);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 3UL);
	/* Nothing changed: one may still be submitted, the other completed. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(fresh->op.state), FSCACHE_OP_ST_INITIALISED);
	KUNIT_EXPECT_EQ(test, READ_ONCE(running->op.state), FSCACHE_OP_ST_IN_PROGRESS);
	KUNIT_EXPECT_FALSE(test, fscache_op_is_cancelled(&running->op));
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &fresh->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&running->op, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(running->op.state), FSCACHE_OP_ST_COMPLETE);
	fscache_put_operation(&fresh->op);
	fscache_put_operation(&running->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released), 2);
}

/* Caches */

/*
 * A second fscache_ops_add_cache() of a registered cache is refused and
 * touches nothing (it reinitialised the cache, its list links and its
 * object count included).  Should the check regress, the cache list is
 * corrupt and the run hangs or oopses rather than failing this case.
 */
static void cache_added_twice(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	unsigned int id = ctx->cache.debug_id;
	struct fsop_test_op *top;

	KUNIT_ASSERT_NOT_NULL(test, object);
	fsop_expect_misuse(ctx, 1);
	KUNIT_EXPECT_EQ(test, fscache_ops_add_cache(&ctx->cache, &ctx->cache_ops,
						    "misuse-again"), -EINVAL);
	fsop_expect_one_misuse(test);
	KUNIT_EXPECT_EQ(test, ctx->cache.debug_id, id);
	KUNIT_EXPECT_STRNEQ(test, ctx->cache.name, "misuse-again");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->cache.object_count), 1);
	top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &top->op), 0);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
}

/*
 * A cache that was never added (zeroed memory) is refused by each call
 * that takes a cache, rather than followed through its NULL pointers; the
 * object initialised on it is inert.
 */
static void cache_never_added(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_cache *cache = kunit_kzalloc(test, sizeof(*cache), GFP_KERNEL);
	struct fscache_object *object = kunit_kzalloc(test, sizeof(*object), GFP_KERNEL);
	struct fsop_kop *kop = fsop_new_kop(test, FSCACHE_OP_MYTHREAD);

	KUNIT_ASSERT_NOT_NULL(test, cache);
	KUNIT_ASSERT_NOT_NULL(test, object);
	fsop_expect_misuse(ctx, 4);
	KUNIT_EXPECT_EQ(test, fscache_ops_init_object(object, cache), -EINVAL);
	KUNIT_EXPECT_EQ(test, object->state, FSCACHE_OBJECT_DEAD);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(object, &kop->op), -EINVAL);
	fscache_ops_io_error(cache);
	fscache_ops_withdraw_cache(cache);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE), 4UL);
	KUNIT_EXPECT_EQ(test, cache->flags, 0UL);
	fscache_put_operation(&kop->op);
	KUNIT_EXPECT_EQ(test, atomic_read(&kop->released), 1);
}

static void fsop_add_cache_refused(struct kunit *test,
				   struct fscache_cache_ops *ops)
{
	struct fscache_cache *cache = kunit_kzalloc(test, sizeof(*cache), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cache);
	fsop_expect_misuse(CTX(test), 1);
	KUNIT_EXPECT_EQ(test, fscache_ops_add_cache(cache, ops, "misuse-bad-ops"),
			-EINVAL);
	fsop_expect_one_misuse(test);
	/* Not registered: left untouched, and nothing to withdraw. */
	KUNIT_EXPECT_NULL(test, cache->ops);
	KUNIT_EXPECT_EQ(test, cache->debug_id, 0);
}

static void add_cache_without_lookup_object(struct kunit *test)
{
	struct fscache_cache_ops *ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = CTX(test)->cache_ops;
	ops->lookup_object = NULL;
	fsop_add_cache_refused(test, ops);
}

static void add_cache_without_put_object(struct kunit *test)
{
	struct fscache_cache_ops *ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = CTX(test)->cache_ops;
	ops->put_object = NULL;
	fsop_add_cache_refused(test, ops);
}

static struct kunit_case fscache_ops_misuse_cases[] = {
	KUNIT_CASE(op_double_put),
	KUNIT_CASE(op_put_after_final_put),
	KUNIT_CASE(submitted_op_put_after_final_put),
	KUNIT_CASE(op_get_without_reference),
	KUNIT_CASE(op_get_with_full_share),
	KUNIT_CASE(object_put_without_reference),
	KUNIT_CASE(object_get_without_reference),
	KUNIT_CASE(op_submitted_twice),
	KUNIT_CASE(fast_op_without_processor),
	KUNIT_CASE(slow_op_without_processor),
	KUNIT_CASE(op_of_unknown_type),
	KUNIT_CASE(op_without_type),
	KUNIT_CASE(op_with_reused_work_item),
	KUNIT_CASE(uninitialised_op_submitted),
	KUNIT_CASE(submit_to_uninitialised_object),
	KUNIT_CASE(submit_to_null_object),
	KUNIT_CASE(submit_to_dead_object),
	KUNIT_CASE(op_init_while_in_use),
	KUNIT_CASE(op_init_while_awaiting_gc),
	KUNIT_CASE(complete_of_unsubmitted_op),
	KUNIT_CASE(complete_of_pending_op),
	KUNIT_CASE(op_completed_twice),
	KUNIT_CASE(enqueue_of_unsubmitted_op),
	KUNIT_CASE(enqueue_of_completed_op),
	KUNIT_CASE(enqueue_after_bad_retype),
	KUNIT_CASE(enqueue_without_processor),
	KUNIT_CASE(enqueue_with_reused_work_item),
	KUNIT_CASE(cancel_of_unsubmitted_op),
	KUNIT_CASE(wait_without_waiting_on_pending_op),
	KUNIT_CASE(wait_without_waiting_on_started_op),
	KUNIT_CASE(wait_on_unsubmitted_op),
	KUNIT_CASE(wait_with_waiting_set_after_start),
	KUNIT_CASE(object_available_twice),
	KUNIT_CASE(add_cache_without_lookup_object),
	KUNIT_CASE(add_cache_without_put_object),
	KUNIT_CASE(cache_added_twice),
	KUNIT_CASE(cache_never_added),
	KUNIT_CASE(calls_from_interrupt),
	{}
};

static struct kunit_suite fscache_ops_misuse_suite = {
	.name = "fscache_ops_misuse",
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_misuse_cases,
};

kunit_test_suite(fscache_ops_misuse_suite);
