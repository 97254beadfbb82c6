// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fixture shared by the fscache_ops KUnit suites: see kunit_helpers.h.
 */

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kunit_helpers.h"

static struct fsop_test_ctx *fsop_obj_ctx(struct fscache_object *object)
{
	return container_of(object, struct fsop_test_obj, object)->ctx;
}

static int fsop_lookup_object(struct fscache_object *object)
{
	struct fsop_test_obj *tobj =
		container_of(object, struct fsop_test_obj, object);

	atomic_inc(&tobj->ctx->lookups);
	switch (tobj->lookup_mode) {
	case FSOP_LOOKUP_AVAILABLE:
		fscache_ops_object_available(object);
		break;
	case FSOP_LOOKUP_CREATE:
		fscache_ops_object_lookup_negative(object);
		fscache_ops_object_available(object);
		break;
	case FSOP_LOOKUP_MANUAL:
		break;
	case FSOP_LOOKUP_FAIL:
		return -EIO;
	case FSOP_LOOKUP_RETURN_ONE:
		return 1;
	}
	return 0;
}

static void fsop_update_object(struct fscache_object *object)
{
	atomic_inc(&fsop_obj_ctx(object)->updates);
}

static void fsop_drop_object(struct fscache_object *object)
{
	struct fsop_test_ctx *ctx = fsop_obj_ctx(object);

	atomic_inc(&ctx->drops);
	WRITE_ONCE(ctx->last_error, object->error);
	if (test_bit(FSCACHE_OBJECT_RETIRE, &object->flags))
		atomic_inc(&ctx->drops_retired);
	if (READ_ONCE(object->n_ops) || !list_empty(&object->pending_ops))
		atomic_inc(&ctx->drops_busy);
}

static void fsop_put_object(struct fscache_object *object)
{
	struct fsop_test_ctx *ctx = fsop_obj_ctx(object);

	/* Only dead objects are put. */
	if (READ_ONCE(object->state) != FSCACHE_OBJECT_DEAD)
		atomic_inc(&ctx->overlaps);
	kfree(container_of(object, struct fsop_test_obj, object));
	atomic_inc(&ctx->puts);
}

int fsop_test_init(struct kunit *test)
{
	struct fsop_test_ctx *ctx;
	int i, ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->rec = kunit_kcalloc(test, FSOP_MAX_OPS, sizeof(*ctx->rec),
				 GFP_KERNEL);
	if (!ctx->rec)
		return -ENOMEM;
	ctx->objs = kunit_kcalloc(test, FSOP_MAX_OBJS, sizeof(*ctx->objs),
				  GFP_KERNEL);
	if (!ctx->objs)
		return -ENOMEM;
	for (i = 0; i < FSOP_MAX_OPS; i++)
		init_completion(&ctx->rec[i].started);
	for (i = 0; i < FSOP_NR_GATES; i++)
		init_completion(&ctx->gate[i]);

	ctx->test = test;
	ctx->cache_ops.name = "kunit";
	ctx->cache_ops.lookup_object = fsop_lookup_object;
	ctx->cache_ops.update_object = fsop_update_object;
	ctx->cache_ops.drop_object = fsop_drop_object;
	ctx->cache_ops.put_object = fsop_put_object;
	for (i = 0; i < FSCACHE_STAT__NR; i++)
		ctx->stat_base[i] = fscache_stat_read(i);
	fscache_ops_expect_misuse(0);
	WRITE_ONCE(fscache_ops_test_hook, NULL);

	ret = fscache_ops_add_cache(&ctx->cache, &ctx->cache_ops, test->name);
	if (ret)
		return ret;
	test->priv = ctx;
	return 0;
}

/* The .init of a suite's lane variant. */
int fsop_test_init_lane(struct kunit *test)
{
	int ret = fsop_test_init(test);
	struct fsop_test_ctx *ctx = test->priv;

	if (!ret)
		ctx->lane = true;
	return ret;
}

struct fsop_withdrawal {
	struct fscache_cache	*cache;
	struct completion	done;
};

static int fsop_withdraw_thread(void *data)
{
	struct fsop_withdrawal *w = data;

	fscache_ops_withdraw_cache(w->cache);
	complete(&w->done);
	return 0;
}

/*
 * After every case: withdraw the cache, which waits for every object to die
 * and so for every op to be put, then check that everything balanced.  An
 * op leaked by the code under test would make the withdrawal wait for
 * ever: that is reported as a failure (from a thread left behind) rather
 * than left to hang the run.
 */
void fsop_test_exit(struct kunit *test)
{
	struct fsop_test_ctx *ctx = test->priv;
	struct fsop_withdrawal *w;
	struct task_struct *t;
	int i;

	for (i = 0; i < FSOP_NR_GATES; i++)
		complete_all(&ctx->gate[i]);
	WRITE_ONCE(fscache_ops_test_hook, NULL);

	/* Not freed if the withdrawal hangs: the thread still uses it. */
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		KUNIT_FAIL(test, "no memory for the withdrawal");
		return;
	}
	w->cache = &ctx->cache;
	init_completion(&w->done);
	t = kthread_run(fsop_withdraw_thread, w, "fsop_withdraw");
	if (IS_ERR(t)) {
		fscache_ops_withdraw_cache(&ctx->cache);
	} else if (!wait_for_completion_timeout(&w->done,
					       msecs_to_jiffies(FSOP_TIMEOUT_MS))) {
		KUNIT_FAIL(test, "cache withdrawal hung: an op or object leaked");
		return;
	}
	kfree(w);

	/*
	 * Every object is dead now, the backend still holding its reference
	 * to those the test did not put: put_object() comes with that put.
	 */
	for (i = 0; i < FSOP_MAX_OBJS; i++) {
		if (!ctx->objs[i])
			continue;
		KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->objs[i]->state),
				FSCACHE_OBJECT_DEAD);
		fscache_ops_put_object(ctx->objs[i]);
		ctx->objs[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts),
			atomic_read(&ctx->objects));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->drops_busy), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->released),
			atomic_read(&ctx->nr_ops));
	for (i = 0; i < atomic_read(&ctx->nr_ops); i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->rec[i].released), 1,
				    "op %d", i);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->overlaps), 0);
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_INITIALISED),
			fsop_stat_delta(ctx, FSCACHE_STAT_OP_RELEASE));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_OP_DEFERRED_RELEASE),
			fsop_stat_delta(ctx, FSCACHE_STAT_OP_GC));
	KUNIT_EXPECT_EQ(test, fsop_stat_delta(ctx, FSCACHE_STAT_MISUSE),
			(unsigned long)ctx->expected_misuse);
	fscache_ops_expect_misuse(0);
}

/*
 * A new object of the fake backend on @cache (one with ctx->cache_ops);
 * looked up if @lookup, without waiting.
 */
struct fscache_object *fsop_new_object_on(struct fsop_test_ctx *ctx,
					  struct fscache_cache *cache,
					  enum fsop_lookup_mode mode,
					  bool lookup)
{
	struct fsop_test_obj *tobj;
	int i;

	tobj = kzalloc(sizeof(*tobj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(ctx->test, tobj);
	tobj->ctx = ctx;
	tobj->lookup_mode = mode;
	if (fscache_ops_init_object(&tobj->object, cache)) {
		kfree(tobj);
		return NULL;
	}
	i = atomic_inc_return(&ctx->objects) - 1;
	KUNIT_ASSERT_LT(ctx->test, i, FSOP_MAX_OBJS);
	ctx->objs[i] = &tobj->object;
	if (lookup)
		fscache_ops_lookup_object(&tobj->object);
	return &tobj->object;
}

/* A new object of the fake backend; looked up if @lookup, without waiting. */
struct fscache_object *fsop_new_object_nowait(struct fsop_test_ctx *ctx,
					      enum fsop_lookup_mode mode,
					      bool lookup)
{
	return fsop_new_object_on(ctx, &ctx->cache, mode, lookup);
}

/* A new object, looked up, once the lookup has reached @mode's end. */
struct fscache_object *fsop_new_object(struct fsop_test_ctx *ctx,
				       enum fsop_lookup_mode mode)
{
	struct fscache_object *object = fsop_new_object_nowait(ctx, mode, true);
	struct fsop_test_obj *tobj;

	if (!object)
		return NULL;
	tobj = container_of(object, struct fsop_test_obj, object);
	/* Wait for the lookup: a backend reports its outcome after it. */
	if (mode == FSOP_LOOKUP_AVAILABLE || mode == FSOP_LOOKUP_CREATE)
		KUNIT_EXPECT_TRUE(ctx->test, fsop_wait_state(&tobj->object,
							     FSCACHE_OBJECT_ACTIVE));
	else if (mode == FSOP_LOOKUP_MANUAL)
		KUNIT_EXPECT_TRUE(ctx->test, fsop_wait_state(&tobj->object,
							     FSCACHE_OBJECT_LOOKING_UP));
	return &tobj->object;
}

bool fsop_wait_state(struct fscache_object *object,
		     enum fscache_object_state state)
{
	return fsop_wait_for(READ_ONCE(object->state) == state);
}

/*
 * Wait until an object, still referenced by the test, is dead and its state
 * machine has finished (out of its cache, the machine's reference dropped).
 */
bool fsop_wait_dead(struct fscache_object *object)
{
	if (!fsop_wait_state(object, FSCACHE_OBJECT_DEAD))
		return false;
	flush_work(&object->work);
	return true;
}

/* Put the test's reference on an object before the case ends. */
void fsop_put_ref(struct fsop_test_ctx *ctx, struct fscache_object *object)
{
	int i;

	for (i = 0; i < FSOP_MAX_OBJS; i++) {
		if (ctx->objs[i] == object) {
			ctx->objs[i] = NULL;
			fscache_ops_put_object(object);
			return;
		}
	}
	KUNIT_FAIL(ctx->test, "put of an object the test does not hold");
}

static void fsop_test_processor(struct fscache_operation *op)
{
	struct fsop_test_op *top = container_of(op, struct fsop_test_op, op);
	struct fsop_test_ctx *ctx = top->ctx;
	struct fsop_record *r = &ctx->rec[top->id];
	struct fsop_test_obj *tobj =
		container_of(op->object, struct fsop_test_obj, object);
	bool excl = test_bit(FSCACHE_OP_EXCLUSIVE, &op->flags);
	int n, max;

	n = atomic_inc_return(&tobj->running);
	if (excl) {
		atomic_inc(&tobj->running_excl);
		if (n != 1)
			atomic_inc(&ctx->overlaps);
	} else if (atomic_read(&tobj->running_excl)) {
		atomic_inc(&ctx->overlaps);
	}
	max = atomic_read(&ctx->max_running);
	while (n > max && !atomic_try_cmpxchg(&ctx->max_running, &max, n))
		;

	r->start_seq = atomic_inc_return(&ctx->seq);
	r->ran_atomic = IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible();
	/* A pool's workers, or the queue's rescuer under memory pressure. */
	r->ran_bound = current->flags & PF_WQ_WORKER &&
		       ((!strncmp(current->comm, "kworker/", 8) &&
			 current->comm[8] != 'u') ||
			!strcmp(current->comm, "fscache_ops_fast"));
	r->ran_unbound = current->flags & PF_WQ_WORKER &&
			 (!strncmp(current->comm, "kworker/u", 9) ||
			  !strcmp(current->comm, "fscache_ops_slow"));
	atomic_inc(&r->runs);
	complete(&r->started);

	if (top->gate)
		wait_for_completion(&ctx->gate[top->gate - 1]);
	if (top->work_us)
		udelay(top->work_us);
	if (top->sleep_ms)
		msleep(top->sleep_ms);
	if (top->hook)
		top->hook(top);

	r->end_seq = atomic_inc_return(&ctx->seq);
	if (excl)
		atomic_dec(&tobj->running_excl);
	atomic_dec(&tobj->running);
	atomic_inc(&ctx->ran);
}

static void fsop_test_release(struct fscache_operation *op)
{
	struct fsop_test_op *top = container_of(op, struct fsop_test_op, op);
	struct fsop_test_ctx *ctx = top->ctx;

	ctx->rec[top->id].released_atomic = IS_ENABLED(CONFIG_PREEMPT_COUNT) &&
					    !preemptible();
	atomic_inc(&ctx->rec[top->id].released);
	top->cookie = 0;
	kfree(top);
	atomic_inc(&ctx->released);
}

static void fsop_test_cancel(struct fscache_operation *op)
{
	struct fsop_test_op *top = container_of(op, struct fsop_test_op, op);

	atomic_inc(&top->ctx->rec[top->id].cancelled);
	atomic_inc(&top->ctx->cancelled);
}

struct fsop_test_op *fsop_new_op(struct fsop_test_ctx *ctx,
				 unsigned int type, bool exclusive)
{
	struct fsop_test_op *top;
	int id = atomic_inc_return(&ctx->nr_ops) - 1;

	KUNIT_ASSERT_LT(ctx->test, id, FSOP_MAX_OPS);
	top = kzalloc(sizeof(*top), GFP_KERNEL);
	if (!top) {
		/* Account for it, so that the exit checks stay exact. */
		atomic_inc(&ctx->rec[id].released);
		atomic_inc(&ctx->released);
		KUNIT_ASSERT_NOT_NULL(ctx->test, top);
	}
	top->cookie = 0xf5c0;
	top->ctx = ctx;
	top->id = id;
	fscache_operation_init(&top->op, fsop_test_release);
	if (!ctx->lane)
		top->op.cancel = fsop_test_cancel;
	switch (type) {
	case FSCACHE_OP_FAST:
		fscache_operation_init_fast(&top->op, fsop_test_processor);
		break;
	case FSCACHE_OP_SLOW:
		fscache_operation_init_slow(&top->op, fsop_test_processor);
		break;
	default:
		top->op.flags |= type;
		break;
	}
	if (exclusive)
		__set_bit(FSCACHE_OP_EXCLUSIVE, &top->op.flags);
	return top;
}

struct fsop_record *fsop_rec(struct fsop_test_op *top)
{
	return &top->ctx->rec[top->id];
}

void fsop_counters(struct fscache_object *object, unsigned int *n_ops,
		   unsigned int *n_in_progress, unsigned int *n_exclusive)
{
	s64 lane;

	/* What the lane counts is the object's too (the true counts). */
	spin_lock(&object->lock);
	lane = atomic64_read(&object->lane);
	*n_ops = object->n_ops + fscache_lane_alive(lane);
	*n_in_progress = object->n_in_progress + fscache_lane_in_progress(lane);
	*n_exclusive = object->n_exclusive;
	spin_unlock(&object->lock);
}

/* Wait for an object to have no op at all, and check the counters. */
void fsop_expect_idle(struct kunit *test, struct fscache_object *object)
{
	unsigned int ops, inp, excl;

	KUNIT_EXPECT_TRUE(test, fsop_wait_for(fscache_ops_object_n_ops(object) == 0));
	fsop_counters(object, &ops, &inp, &excl);
	KUNIT_EXPECT_EQ(test, ops, 0);
	KUNIT_EXPECT_EQ(test, inp, 0);
	KUNIT_EXPECT_EQ(test, excl, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&object->pending_ops));
}

unsigned long fsop_stat_delta(struct fsop_test_ctx *ctx,
			      enum fscache_ops_stat stat)
{
	return fscache_stat_read(stat) - ctx->stat_base[stat];
}

/* The case provokes @n more backend mistakes on purpose. */
void fsop_expect_misuse(struct fsop_test_ctx *ctx, int n)
{
	ctx->expected_misuse += n;
	fscache_ops_expect_misuse(n);
}

/* Put tp->op from the timer's softirq, then complete tp->done. */
void fsop_timer_put_fn(struct timer_list *t)
{
	struct fsop_timer_put *tp = from_timer(tp, t, timer);

	tp->in_task = in_task();
	fscache_put_operation(tp->op);
	complete(&tp->done);
}

void fsop_open_gate(struct fsop_test_ctx *ctx, int gate)
{
	complete_all(&ctx->gate[gate - 1]);
}
