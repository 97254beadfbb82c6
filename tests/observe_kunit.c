// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite for what fscache_ops shows of itself: the counters balance
 * at rest after a workload that takes every path, the histograms count
 * what ran, the debugfs files list live objects with their counters and
 * ops (and hold an object safely while they show it), and the tracepoints
 * fire in order with the right ids for one op and one object.
 */

#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "kunit_helpers.h"

#define CTX(test)	((struct fsop_test_ctx *)(test)->priv)

#define FSOP_SEQ_BUF	(64 * 1024)

static struct fsop_record *fsop_submit_one(struct fsop_test_ctx *ctx,
					   struct fscache_object *object,
					   struct fsop_test_op *top)
{
	int ret;

	if (test_bit(FSCACHE_OP_EXCLUSIVE, &top->op.flags))
		ret = fscache_submit_exclusive_op(object, &top->op);
	else
		ret = fscache_submit_op(object, &top->op);
	KUNIT_EXPECT_EQ(ctx->test, ret, 0);
	return fsop_rec(top);
}

/* Submit a new op and drop the test's reference at once. */
static void fsop_fire_and_forget(struct fsop_test_ctx *ctx,
				 struct fscache_object *object,
				 unsigned int type, bool excl)
{
	struct fsop_test_op *top = fsop_new_op(ctx, type, excl);

	fsop_submit_one(ctx, object, top);
	fscache_put_operation(&top->op);
}

static bool fsop_started(struct fsop_record *r)
{
	return wait_for_completion_timeout(&r->started,
					   msecs_to_jiffies(FSOP_TIMEOUT_MS)) != 0;
}

static unsigned long fsop_hist_total(enum fscache_ops_hist hist)
{
	unsigned long n = 0;
	unsigned int b;

	for (b = 0; b < FSCACHE_HIST_BUCKETS; b++)
		n += fscache_hist_read(hist, b);
	return n;
}

#define D(stat)	fsop_stat_delta(ctx, FSCACHE_STAT_##stat)

/*
 * Every path an op or object can take, then everything put and the cache
 * withdrawn: each counter that has a partner equals it, and the histograms
 * counted each processor run and each op's wait for its start once.
 */
static void counters_balance_after_mixed_workload(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *a, *b, *c, *d;
	unsigned long run_base, wait_base, run, wait;
	struct fsop_test_op *top, *gated, *cancelled;
	int i, mythread_started = 0, processed = 0;

	run_base = fsop_hist_total(FSCACHE_HIST_RUN_FAST) +
		   fsop_hist_total(FSCACHE_HIST_RUN_SLOW);
	wait_base = fsop_hist_total(FSCACHE_HIST_WAIT_FAST) +
		    fsop_hist_total(FSCACHE_HIST_WAIT_SLOW) +
		    fsop_hist_total(FSCACHE_HIST_WAIT_MYTHREAD);

	a = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	b = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	c = fsop_new_object(ctx, FSOP_LOOKUP_CREATE);
	d = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	KUNIT_ASSERT_TRUE(test, a && b && c && d);

	/* Shareable and exclusive ops of both asynchronous types. */
	for (i = 0; i < 40; i++)
		fsop_fire_and_forget(ctx, a, i & 1 ? FSCACHE_OP_FAST :
				     FSCACHE_OP_SLOW, i % 5 == 0);
	fsop_expect_idle(test, a);

	/* A MYTHREAD op on an idle object starts at once. */
	top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	fsop_submit_one(ctx, a, top);
	KUNIT_EXPECT_EQ(test, READ_ONCE(top->op.state), FSCACHE_OP_ST_IN_PROGRESS);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fscache_put_operation(&top->op);
	mythread_started++;

	/*
	 * Deferred while the object is looked up: one cancelled while
	 * pending, a MYTHREAD submitter waiting for activation.
	 */
	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	fsop_submit_one(ctx, b, top);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&top->op, false), 0);
	fscache_put_operation(&top->op);
	fsop_fire_and_forget(ctx, b, FSCACHE_OP_SLOW, false);
	fsop_fire_and_forget(ctx, b, FSCACHE_OP_SLOW, true);
	top = fsop_new_op(ctx, FSCACHE_OP_MYTHREAD, false);
	set_bit(FSCACHE_OP_WAITING, &top->op.flags);
	fsop_submit_one(ctx, b, top);
	fscache_ops_object_available(b);
	KUNIT_EXPECT_EQ(test, fscache_wait_for_operation_activation(&top->op,
								    false), 0);
	KUNIT_EXPECT_EQ(test, fscache_op_complete(&top->op, false), 0);
	fscache_put_operation(&top->op);
	mythread_started++;
	fsop_expect_idle(test, b);

	/*
	 * Queued again while its processor runs, then once more while queued
	 * (a duplicate); another op asked to give up while it runs.
	 */
	gated = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	gated->gate = 1;
	cancelled = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	cancelled->gate = 2;
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, a, gated)));
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, a, cancelled)));
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&gated->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_enqueue_operation(&gated->op), 0);
	KUNIT_EXPECT_EQ(test, fscache_cancel_op(&cancelled->op, true), 0);
	fscache_put_operation(&gated->op);
	fscache_put_operation(&cancelled->op);
	fsop_open_gate(ctx, 1);
	fsop_open_gate(ctx, 2);
	fsop_expect_idle(test, a);

	/* A final put that may not finish its op there goes to the GC. */
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, a, top)));
	flush_work(&top->op.work);
	preempt_disable();
	fscache_put_operation(&top->op);
	preempt_enable();
	fsop_expect_idle(test, a);

	/* Refused by a dead object; never submitted at all. */
	fscache_abort_object(c);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(c));
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	KUNIT_EXPECT_EQ(test, fscache_submit_op(c, &top->op), -ENOBUFS);
	fscache_put_operation(&top->op);
	top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	fscache_put_operation(&top->op);

	/* An object that fails with ops pending. */
	fsop_fire_and_forget(ctx, d, FSCACHE_OP_FAST, false);
	fsop_fire_and_forget(ctx, d, FSCACHE_OP_FAST, true);
	fscache_ops_object_failed(d, -EIO);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(d));

	/* At rest: every object relinquished and put, the cache withdrawn. */
	fscache_ops_relinquish_object(a, false);
	fscache_ops_relinquish_object(b, true);
	fsop_put_ref(ctx, a);
	fsop_put_ref(ctx, b);
	fsop_put_ref(ctx, c);
	fsop_put_ref(ctx, d);
	KUNIT_EXPECT_TRUE(test, fsop_wait_for(atomic_read(&ctx->puts) == 4));
	fscache_ops_withdraw_cache(&ctx->cache);

	for (i = 0; i < atomic_read(&ctx->nr_ops); i++)
		if (atomic_read(&ctx->rec[i].runs))
			processed++;

	/* Every path was taken... */
	KUNIT_EXPECT_GT(test, D(OP_PEND), 0UL);
	KUNIT_EXPECT_GT(test, D(OP_CANCEL_PENDING), 0UL);
	KUNIT_EXPECT_GT(test, D(OP_CANCELLED), D(OP_CANCEL_PENDING));
	KUNIT_EXPECT_EQ(test, D(OP_ENQUEUE_DUP), 1UL);
	KUNIT_EXPECT_GT(test, D(OP_DEFERRED_RELEASE), 0UL);
	KUNIT_EXPECT_EQ(test, D(OP_REJECTED), 1UL);
	KUNIT_EXPECT_EQ(test, D(OP_WORK), D(OP_PROCESS) + 0UL);
	KUNIT_EXPECT_EQ(test, D(MISUSE), 0UL);

	/* ... and each counter balances its partners. */
	KUNIT_EXPECT_EQ(test, D(OP_INITIALISED), (unsigned long)atomic_read(&ctx->nr_ops));
	KUNIT_EXPECT_EQ(test, D(OP_INITIALISED), D(OP_RELEASE));
	KUNIT_EXPECT_EQ(test, D(OP_DEFERRED_RELEASE), D(OP_GC));
	KUNIT_EXPECT_EQ(test, D(OP_SUBMIT), D(OP_COMPLETE) + D(OP_CANCELLED));
	KUNIT_EXPECT_EQ(test, D(OP_SUBMIT), D(OP_RUN) + D(OP_CANCEL_PENDING));
	KUNIT_EXPECT_EQ(test, D(OP_ENQUEUE), D(OP_WORK) + D(OP_ENQUEUE_DUP));
	KUNIT_EXPECT_EQ(test, D(OP_PROCESS), (unsigned long)atomic_read(&ctx->ran));
	KUNIT_EXPECT_EQ(test, D(OBJ_INIT), 4UL);
	KUNIT_EXPECT_EQ(test, D(OBJ_DEAD), D(OBJ_INIT));
	KUNIT_EXPECT_EQ(test, D(OBJ_FREE), D(OBJ_INIT));
	KUNIT_EXPECT_EQ(test, D(CACHE_ADD), 1UL);
	KUNIT_EXPECT_EQ(test, D(CACHE_WITHDRAW), D(CACHE_ADD));

	/* One run per processor call; one wait per op that started. */
	run = fsop_hist_total(FSCACHE_HIST_RUN_FAST) +
	      fsop_hist_total(FSCACHE_HIST_RUN_SLOW) - run_base;
	wait = fsop_hist_total(FSCACHE_HIST_WAIT_FAST) +
	       fsop_hist_total(FSCACHE_HIST_WAIT_SLOW) +
	       fsop_hist_total(FSCACHE_HIST_WAIT_MYTHREAD) - wait_base;
	KUNIT_EXPECT_EQ(test, run, D(OP_PROCESS));
	KUNIT_EXPECT_EQ(test, wait, (unsigned long)(processed + mythread_started));
}

/* Read a seq_file as seq_read() would, @chunk records per start()..stop(). */
static char *fsop_seq_read(struct kunit *test, const struct seq_operations *ops,
			   int chunk)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	char *out = kunit_kzalloc(test, FSOP_SEQ_BUF, GFP_KERNEL);
	size_t len = 0;
	loff_t pos = 0;
	void *p;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, out);
	m->size = FSOP_SEQ_BUF;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	m->private = kunit_kzalloc(test, sizeof(struct fscache_objects_iter),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	KUNIT_ASSERT_NOT_NULL(test, m->private);
	do {
		m->count = 0;
		p = ops->start(m, &pos);
		/* Until the buffer overflows: a reader going round in circles. */
		for (n = 0; p && n < chunk && !seq_has_overflowed(m); n++) {
			KUNIT_EXPECT_FALSE(test, IS_ERR(p));
			KUNIT_EXPECT_EQ(test, ops->show(m, p), 0);
			p = ops->next(m, p, &pos);
		}
		ops->stop(m, p);
		KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
		KUNIT_ASSERT_LT(test, len + m->count, (size_t)FSOP_SEQ_BUF);
		memcpy(out + len, m->buf, m->count);
		len += m->count;
	} while (p);
	return out;
}

/* Drop the digits of every age_us= of @text, which differ between reads. */
static char *fsop_strip_ages(char *text)
{
	char *p = text;
	size_t n;

	while ((p = strstr(p, "age_us="))) {
		p += strlen("age_us=");
		n = strspn(p, "0123456789");
		memmove(p, p + n, strlen(p + n) + 1);
	}
	return text;
}

/* What a single_open() file's show function prints. */
static char *fsop_show(struct kunit *test, int (*show)(struct seq_file *, void *))
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = FSOP_SEQ_BUF;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	KUNIT_EXPECT_EQ(test, show(m, NULL), 0);
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
	return m->buf;
}

static __printf(3, 4) void fsop_expect_line(struct kunit *test, const char *text,
					    const char *fmt, ...)
{
	char want[160];
	va_list args;

	va_start(args, fmt);
	vsnprintf(want, sizeof(want), fmt, args);
	va_end(args);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, want), "missing \"%s\" in:\n%s",
				  want, text);
}

/*
 * The objects file lists each live object with its counters and its ops,
 * the same whether read at once or one record per read; caches, stats and
 * histogram files show what they should.
 */
static void debugfs_lists_live_objects(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *looking, *active;
	struct fsop_test_op *p1, *p2, *running;
	char *all, *text;

	looking = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	active = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	KUNIT_ASSERT_TRUE(test, looking && active);
	p1 = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	p2 = fsop_new_op(ctx, FSCACHE_OP_FAST, true);
	running = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	running->gate = 1;
	fsop_submit_one(ctx, looking, p1);
	fsop_submit_one(ctx, looking, p2);
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, active, running)));

	all = fsop_seq_read(test, &fscache_ops_objects_sops, INT_MAX);
	kunit_info(test, "objects:\n%s", all);
	fsop_expect_line(test, all,
			 "OBJ=%08x C=%08x state=LOOKING_UP n_ops=2 n_in_progress=0 n_exclusive=1 n_cleared=0 refs=1 error=0 events=",
			 looking->debug_id, ctx->cache.debug_id);
	fsop_expect_line(test, all, "\n  OP=%08x type=SLOW state=PENDING excl=0 cancel=0 age_us=",
			 p1->op.debug_id);
	fsop_expect_line(test, all, "\n  OP=%08x type=FAST state=PENDING excl=1 cancel=0 age_us=",
			 p2->op.debug_id);
	fsop_expect_line(test, all,
			 "OBJ=%08x C=%08x state=ACTIVE n_ops=1 n_in_progress=1 n_exclusive=0 n_cleared=0 refs=1 error=0 events=",
			 active->debug_id, ctx->cache.debug_id);
	fsop_expect_line(test, all,
			 "\n  OP=%08x type=SLOW state=IN_PROGRESS excl=0 cancel=0 age_us=",
			 running->op.debug_id);
	/* One record per read: start() finds its place again each time. */
	text = fsop_seq_read(test, &fscache_ops_objects_sops, 1);
	KUNIT_EXPECT_STREQ(test, fsop_strip_ages(text), fsop_strip_ages(all));

	text = fsop_show(test, fscache_ops_caches_show);
	fsop_expect_line(test, text, "C=%08x name=%s flags=- objects=2 gc_backlog=0\n",
			 ctx->cache.debug_id, ctx->cache.name);
	text = fsop_show(test, fscache_ops_stats_show);
	fsop_expect_line(test, text, "op_submit            %lu\n",
			 fscache_stat_read(FSCACHE_STAT_OP_SUBMIT));
	fsop_expect_line(test, text, "\nmisuse               %lu\n",
			 fscache_stat_read(FSCACHE_STAT_MISUSE));
	text = fsop_show(test, fscache_ops_histogram_show);
	fsop_expect_line(test, text, "%10s %10s %13s %13s %13s %13s %13s\n",
			 "usecs_lo", "usecs_hi", "run_fast", "run_slow", "wait_fast",
			 "wait_slow", "wait_mythread");

	fscache_put_operation(&p1->op);
	fscache_put_operation(&p2->op);
	fscache_put_operation(&running->op);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, active);
}

/*
 * Ordering of the lists the objects file walks: a cache or object joins
 * while another is between fscache_ops_add_cache() (or _init_object())
 * and joining its list.  The hook makes the one inside the window add the
 * other, on the same thread.
 */
static struct {
	struct fsop_test_ctx	*ctx;
	struct task_struct	*task;
	struct fscache_cache	*nested_cache;
	struct fscache_object	*nested_object;
	int			nested_ret;
	bool			done;
} fsop_join;

static void fsop_join_hook(enum fscache_ops_test_point tp, void *arg)
{
	if (current != fsop_join.task || fsop_join.done)
		return;
	if (tp == FSCACHE_TP_OBJECT_JOINING) {
		fsop_join.done = true;
		fsop_join.nested_object =
			fsop_new_object_nowait(fsop_join.ctx, FSOP_LOOKUP_MANUAL, false);
	} else if (tp == FSCACHE_TP_CACHE_JOINING) {
		fsop_join.done = true;
		fsop_join.nested_ret =
			fscache_ops_add_cache(fsop_join.nested_cache,
					      &fsop_join.ctx->cache_ops, "kunit-inner");
	}
}

static void fsop_withdraw_action(void *cache)
{
	fscache_ops_withdraw_cache(cache);
}

/* How often "OBJ=<id> " occurs in @text. */
static int fsop_count_object(const char *text, struct fscache_object *object)
{
	char needle[16];
	int n = 0;

	snprintf(needle, sizeof(needle), "OBJ=%08x ", object->debug_id);
	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/*
 * Objects and caches take their ids as they join their lists, so a list is
 * in id order even when one joins inside another's fscache_ops_add_cache()
 * or _init_object(); the objects file, which finds its place by id, then
 * lists every object once and ends.  (With ids taken before the lists'
 * locks, it went round two such objects for ever, and skipped the cache
 * that joined second with the lower id.)
 */
static void debugfs_lists_objects_that_joined_racing(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_cache *outer = kunit_kzalloc(test, sizeof(*outer), GFP_KERNEL);
	struct fscache_cache *inner = kunit_kzalloc(test, sizeof(*inner), GFP_KERNEL);
	struct fscache_object *obj[4];
	char *all, *text;
	int i, ret;

	KUNIT_ASSERT_NOT_NULL(test, outer);
	KUNIT_ASSERT_NOT_NULL(test, inner);
	fsop_join.ctx = ctx;
	fsop_join.task = current;
	fsop_join.nested_cache = inner;
	fsop_join.nested_object = NULL;
	fsop_join.nested_ret = -1;
	fsop_join.done = false;
	WRITE_ONCE(fscache_ops_test_hook, fsop_join_hook);
	obj[0] = fsop_new_object_nowait(ctx, FSOP_LOOKUP_MANUAL, false);
	fsop_join.done = false;
	ret = fscache_ops_add_cache(outer, &ctx->cache_ops, "kunit-outer");
	WRITE_ONCE(fscache_ops_test_hook, NULL);
	/*
	 * Each cache added is withdrawn even if an assertion ends the case
	 * early (or at once, if the action cannot be registered).
	 */
	if (!fsop_join.nested_ret)
		KUNIT_EXPECT_EQ(test, kunit_add_action_or_reset(test, fsop_withdraw_action,
								inner), 0);
	if (!ret)
		KUNIT_EXPECT_EQ(test, kunit_add_action_or_reset(test, fsop_withdraw_action,
								outer), 0);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, fsop_join.nested_ret, 0);
	obj[1] = fsop_join.nested_object;
	KUNIT_ASSERT_NOT_NULL(test, obj[0]);
	KUNIT_ASSERT_NOT_NULL(test, obj[1]);
	/* The one that joined first has the lower id. */
	KUNIT_EXPECT_LT(test, obj[1]->debug_id, obj[0]->debug_id);
	KUNIT_EXPECT_LT(test, inner->debug_id, outer->debug_id);
	obj[2] = fsop_new_object_on(ctx, outer, FSOP_LOOKUP_MANUAL, false);
	obj[3] = fsop_new_object_on(ctx, inner, FSOP_LOOKUP_MANUAL, false);
	KUNIT_ASSERT_NOT_NULL(test, obj[2]);
	KUNIT_ASSERT_NOT_NULL(test, obj[3]);

	all = fsop_seq_read(test, &fscache_ops_objects_sops, INT_MAX);
	text = fsop_seq_read(test, &fscache_ops_objects_sops, 1);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		KUNIT_EXPECT_EQ_MSG(test, fsop_count_object(all, obj[i]), 1, "object %d", i);
		KUNIT_EXPECT_EQ_MSG(test, fsop_count_object(text, obj[i]), 1, "object %d", i);
	}

	/* Their objects die: the fixture's exit finds them dead. */
	kunit_release_action(test, fsop_withdraw_action, inner);
	kunit_release_action(test, fsop_withdraw_action, outer);
}

/*
 * An object the objects file is showing stays in memory while it dies:
 * its put_object() comes with the reader's put, from stop().
 */
static void debugfs_reader_holds_dying_object(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	const struct seq_operations *ops = &fscache_ops_objects_sops;
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fscache_object *other = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	loff_t pos = 0;
	void *p;

	KUNIT_ASSERT_TRUE(test, object && other && m);
	m->private = kunit_kzalloc(test, sizeof(struct fscache_objects_iter),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->private);
	p = ops->start(m, &pos);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)object);

	/* Relinquished and put meanwhile: dead, out of its cache, not freed. */
	fscache_ops_relinquish_object(object, false);
	fsop_put_ref(ctx, object);
	KUNIT_EXPECT_TRUE(test, fsop_wait_state(object, FSCACHE_OBJECT_DEAD));
	flush_work(&object->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 0);

	/* Its successor is found again though it left the list. */
	p = ops->next(m, p, &pos);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)other);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 1);
	ops->stop(m, p);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->puts), 1);
}

#if IS_ENABLED(CONFIG_FSCACHE_OPS_TRACEPOINTS)

enum fsop_trace_kind { FSOP_TR_OP, FSOP_TR_STATE, FSOP_TR_OBJ, FSOP_TR_CACHE };

struct fsop_trace_rec {
	enum fsop_trace_kind	kind;
	unsigned int		id;		/* op, object or cache */
	unsigned int		object;
	unsigned int		cache;
	unsigned int		what;		/* or the state moved to */
};

#define FSOP_TRACE_MAX	256

struct fsop_tracer {
	atomic_t		n;
	struct fsop_trace_rec	rec[FSOP_TRACE_MAX];
};

static void fsop_trace_add(struct fsop_tracer *t, enum fsop_trace_kind kind,
			   unsigned int id, unsigned int object,
			   unsigned int cache, unsigned int what)
{
	int i = atomic_inc_return(&t->n) - 1;

	if (i >= FSOP_TRACE_MAX)
		return;
	t->rec[i] = (struct fsop_trace_rec){ kind, id, object, cache, what };
}

static void fsop_probe_op(void *data, const struct fscache_operation *op,
			  const struct fscache_object *object,
			  enum fscache_op_trace what)
{
	fsop_trace_add(data, FSOP_TR_OP, op->debug_id,
		       object ? object->debug_id : 0,
		       object ? object->cache_debug_id : 0, what);
}

static void fsop_probe_state(void *data, const struct fscache_object *object,
			     enum fscache_object_state to)
{
	fsop_trace_add(data, FSOP_TR_STATE, object->debug_id, object->debug_id,
		       object->cache_debug_id, to);
}

static void fsop_probe_object(void *data, const struct fscache_object *object,
			      enum fscache_object_trace what)
{
	fsop_trace_add(data, FSOP_TR_OBJ, object->debug_id, object->debug_id,
		       object->cache_debug_id, what);
}

static void fsop_probe_cache(void *data, const struct fscache_cache *cache,
			     enum fscache_cache_trace what)
{
	fsop_trace_add(data, FSOP_TR_CACHE, cache->debug_id, 0, cache->debug_id,
		       what);
}

/* The whats of @kind events about @id, in order; their number. */
static int fsop_trace_seq(struct fsop_tracer *t, enum fsop_trace_kind kind,
			  unsigned int id, unsigned int *out, int max)
{
	int i, n = 0, nr = min(atomic_read(&t->n), FSOP_TRACE_MAX);

	for (i = 0; i < nr && n < max; i++)
		if (t->rec[i].kind == kind && t->rec[i].id == id)
			out[n++] = t->rec[i].what;
	return n;
}

/* Where the first @kind event about @id with @what is; -1 if none. */
static int fsop_trace_index(struct fsop_tracer *t, enum fsop_trace_kind kind,
			    unsigned int id, unsigned int what)
{
	int i, nr = min(atomic_read(&t->n), FSOP_TRACE_MAX);

	for (i = 0; i < nr; i++)
		if (t->rec[i].kind == kind && t->rec[i].id == id &&
		    t->rec[i].what == what)
			return i;
	return -1;
}

static void fsop_expect_seq(struct kunit *test, const unsigned int *got,
			    int n, const unsigned int *want, int nwant)
{
	int i;

	KUNIT_EXPECT_EQ(test, n, nwant);
	for (i = 0; i < min(n, nwant); i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "event %d", i);
}

/*
 * The tracepoints, seen by probes of our own: one FAST op's life in order,
 * every event with the op's, object's and cache's ids; its object's
 * states in order, between its creation and its freeing; the cache's
 * withdrawal last.
 */
static void tracepoints_follow_one_op(struct kunit *test)
{
	static const unsigned int op_direct[] = {
		fscache_op_trace_init, fscache_op_trace_submit_run,
		fscache_op_trace_start, fscache_op_trace_enqueue,
		fscache_op_trace_process, fscache_op_trace_put_final,
		fscache_op_trace_complete, fscache_op_trace_release,
	};
	static const unsigned int op_deferred[] = {
		fscache_op_trace_init, fscache_op_trace_submit_run,
		fscache_op_trace_start, fscache_op_trace_enqueue,
		fscache_op_trace_process, fscache_op_trace_put_final,
		fscache_op_trace_put_defer, fscache_op_trace_gc,
		fscache_op_trace_complete, fscache_op_trace_release,
	};
	static const unsigned int states[] = {
		FSCACHE_OBJECT_LOOK_UP, FSCACHE_OBJECT_LOOKING_UP,
		FSCACHE_OBJECT_ACTIVE, FSCACHE_OBJECT_RELEASING,
		FSCACHE_OBJECT_KILLED, FSCACHE_OBJECT_DROPPING,
		FSCACHE_OBJECT_DEAD,
	};
	static const unsigned int lives[] = {
		fscache_object_trace_new, fscache_object_trace_dead,
		fscache_object_trace_free,
	};
	struct fsop_test_ctx *ctx = CTX(test);
	unsigned int got[32], op_id, obj_id, cache_id = ctx->cache.debug_id;
	struct fscache_object *object;
	struct fsop_tracer *t;
	struct fsop_test_op *top;
	int i, n, nr;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, register_trace_fscache_op(fsop_probe_op, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_fscache_object_state(fsop_probe_state, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_fscache_object(fsop_probe_object, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_fscache_cache(fsop_probe_cache, t), 0);

	object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	KUNIT_ASSERT_NOT_NULL(test, object);
	obj_id = object->debug_id;
	top = fsop_new_op(ctx, FSCACHE_OP_FAST, false);
	op_id = top->op.debug_id;
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, object, top)));
	/* The work item's reference goes first: the test's put is the last. */
	flush_work(&top->op.work);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	fscache_ops_relinquish_object(object, false);
	KUNIT_EXPECT_TRUE(test, fsop_wait_dead(object));
	fsop_put_ref(ctx, object);
	fscache_ops_withdraw_cache(&ctx->cache);

	unregister_trace_fscache_cache(fsop_probe_cache, t);
	unregister_trace_fscache_object(fsop_probe_object, t);
	unregister_trace_fscache_object_state(fsop_probe_state, t);
	unregister_trace_fscache_op(fsop_probe_op, t);
	tracepoint_synchronize_unregister();
	nr = atomic_read(&t->n);
	KUNIT_ASSERT_LE(test, nr, FSOP_TRACE_MAX);

	/* The op's life, in order: a put with no lock held finishes it. */
	n = fsop_trace_seq(t, FSOP_TR_OP, op_id, got, ARRAY_SIZE(got));
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !IS_ENABLED(CONFIG_PREEMPT_RT))
		fsop_expect_seq(test, got, n, op_direct, ARRAY_SIZE(op_direct));
	else
		fsop_expect_seq(test, got, n, op_deferred, ARRAY_SIZE(op_deferred));
	for (i = 0; i < nr; i++) {
		if (t->rec[i].kind != FSOP_TR_OP || t->rec[i].id != op_id ||
		    t->rec[i].what == fscache_op_trace_init)
			continue;
		KUNIT_EXPECT_EQ(test, t->rec[i].object, obj_id);
		KUNIT_EXPECT_EQ(test, t->rec[i].cache, cache_id);
	}

	/* The object's states and life, in order, with its cache's id. */
	n = fsop_trace_seq(t, FSOP_TR_STATE, obj_id, got, ARRAY_SIZE(got));
	fsop_expect_seq(test, got, n, states, ARRAY_SIZE(states));
	n = fsop_trace_seq(t, FSOP_TR_OBJ, obj_id, got, ARRAY_SIZE(got));
	fsop_expect_seq(test, got, n, lives, ARRAY_SIZE(lives));
	for (i = 0; i < nr; i++)
		if (t->rec[i].object == obj_id)
			KUNIT_EXPECT_EQ(test, t->rec[i].cache, cache_id);

	/* How they interleave. */
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_OBJ, obj_id, fscache_object_trace_new),
			fsop_trace_index(t, FSOP_TR_STATE, obj_id, FSCACHE_OBJECT_LOOK_UP));
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_STATE, obj_id, FSCACHE_OBJECT_ACTIVE),
			fsop_trace_index(t, FSOP_TR_OP, op_id, fscache_op_trace_submit_run));
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_OP, op_id, fscache_op_trace_release),
			fsop_trace_index(t, FSOP_TR_STATE, obj_id, FSCACHE_OBJECT_RELEASING));
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_STATE, obj_id, FSCACHE_OBJECT_DEAD),
			fsop_trace_index(t, FSOP_TR_OBJ, obj_id, fscache_object_trace_dead));
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_OBJ, obj_id, fscache_object_trace_free),
			fsop_trace_index(t, FSOP_TR_CACHE, cache_id,
					 fscache_cache_trace_withdraw));
	KUNIT_EXPECT_LT(test,
			fsop_trace_index(t, FSOP_TR_CACHE, cache_id,
					 fscache_cache_trace_withdraw),
			fsop_trace_index(t, FSOP_TR_CACHE, cache_id,
					 fscache_cache_trace_withdrawn));
}

#else

static void tracepoints_follow_one_op(struct kunit *test)
{
	kunit_skip(test, "built without CONFIG_FSCACHE_OPS_TRACEPOINTS");
}

#endif

/* One gated SLOW op through an active object, timing on or off. */
static void fsop_timed_run(struct kunit *test, bool timed)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_AVAILABLE);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	unsigned long run, wait;
	char *all;

	KUNIT_ASSERT_NOT_NULL(test, object);
	run = fsop_hist_total(FSCACHE_HIST_RUN_SLOW);
	wait = fsop_hist_total(FSCACHE_HIST_WAIT_SLOW);
	top->gate = 1;
	KUNIT_ASSERT_TRUE(test, fsop_started(fsop_submit_one(ctx, object, top)));
	all = fsop_seq_read(test, &fscache_ops_objects_sops, INT_MAX);
	fsop_expect_line(test, all, timed ?
			 "\n  OP=%08x type=SLOW state=IN_PROGRESS excl=0 cancel=0 age_us=" :
			 "\n  OP=%08x type=SLOW state=IN_PROGRESS excl=0 cancel=0\n",
			 top->op.debug_id);
	fscache_put_operation(&top->op);
	fsop_open_gate(ctx, 1);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ_MSG(test, fsop_hist_total(FSCACHE_HIST_RUN_SLOW) - run,
			    timed ? 1UL : 0UL, "processor runs timed only with timing on");
	KUNIT_EXPECT_EQ_MSG(test, fsop_hist_total(FSCACHE_HIST_WAIT_SLOW) - wait,
			    timed ? 1UL : 0UL, "waits timed only with timing on");
}

/*
 * Ops are timed (histograms, ages in debugfs) only while the timing
 * parameter is on; a value that is no boolean is refused and changes
 * nothing.
 */
static void timing_parameter_switches_timing(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing("0"), 0);
	KUNIT_EXPECT_FALSE(test, fscache_timing());
	fsop_timed_run(test, false);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing("sometimes"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing(""), -EINVAL);
	KUNIT_EXPECT_FALSE(test, fscache_timing());
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing("on"), 0);
	KUNIT_EXPECT_TRUE(test, fscache_timing());
	fsop_timed_run(test, true);
}

static void fsop_requeue_once_hook(struct fsop_test_op *top)
{
	if (atomic_read(&fsop_rec(top)->runs) == 1 &&
	    fscache_enqueue_operation(&top->op))
		atomic_inc(&top->ctx->overlaps);
}

/*
 * An op submitted while ops are timed but started while they are not: its
 * wait is not counted then, nor at a later start after an enqueue (which
 * would count its first run, and the gap after it, as a wait).
 */
static void untimed_start_not_counted_later(struct kunit *test)
{
	struct fsop_test_ctx *ctx = CTX(test);
	struct fscache_object *object = fsop_new_object(ctx, FSOP_LOOKUP_MANUAL);
	struct fsop_test_op *top = fsop_new_op(ctx, FSCACHE_OP_SLOW, false);
	struct fsop_record *r = fsop_rec(top);
	unsigned long wait = fsop_hist_total(FSCACHE_HIST_WAIT_SLOW);

	KUNIT_ASSERT_NOT_NULL(test, object);
	KUNIT_ASSERT_TRUE(test, fscache_timing());
	top->gate = 1;
	top->hook = fsop_requeue_once_hook;
	fsop_submit_one(ctx, object, top);	/* deferred: the lookup */
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing("0"), 0);
	fscache_ops_object_available(object);
	KUNIT_ASSERT_TRUE(test, fsop_started(r));
	KUNIT_EXPECT_EQ(test, fscache_ops_set_timing("1"), 0);
	fsop_open_gate(ctx, 1);
	fscache_put_operation(&top->op);
	fsop_expect_idle(test, object);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->overlaps), 0);
	KUNIT_EXPECT_EQ_MSG(test, fsop_hist_total(FSCACHE_HIST_WAIT_SLOW) - wait, 0UL,
			    "a wait is timed only if its submission and its first start both were");
}

#define FSOP_IDS_CPUS		4
#define FSOP_IDS_PER_CPU	2000
#define FSOP_IDS_IRQ		200
#define FSOP_IDS_NESTED		200

/*
 * Ops initialised on several CPUs at once, from a timer interrupt on the
 * first one's CPU, and by the first one between the read of its CPU's id
 * word and its update (the test point there).
 */
struct fsop_ids {
	unsigned int		*ids[FSOP_IDS_CPUS];
	unsigned int		irq_ids[FSOP_IDS_IRQ];
	struct fscache_operation *irq_ops[FSOP_IDS_IRQ];
	unsigned int		n_irq;
	unsigned int		nested_ids[FSOP_IDS_NESTED];
	unsigned int		n_nested, calls;
	struct task_struct	*nester;
	bool			nesting;
	atomic_t		running;
	struct hrtimer		timer;
	struct completion	done[FSOP_IDS_CPUS];
	int			err[FSOP_IDS_CPUS];
};

struct fsop_ids_thread {
	struct fsop_ids		*ids;
	unsigned int		slot;
};

static struct fsop_ids *fsop_ids_cur;

/* An op initialised, its id kept in @id, and freed by its final put. */
static int fsop_ids_take(unsigned int *id, gfp_t gfp)
{
	struct fscache_operation *op = kzalloc(sizeof(*op), gfp);

	if (!op)
		return -ENOMEM;
	fscache_operation_init(op, NULL);
	*id = op->debug_id;
	fscache_put_operation(op);	/* never submitted: freed */
	return 0;
}

static void fsop_ids_hook(enum fscache_ops_test_point tp, void *arg)
{
	struct fsop_ids *ids = READ_ONCE(fsop_ids_cur);

	if (tp != FSCACHE_TP_DEBUG_ID_READ || !ids || !in_task() ||
	    current != ids->nester || ids->nesting ||
	    ids->n_nested == FSOP_IDS_NESTED || ids->calls++ % 7)
		return;
	ids->nesting = true;
	if (!fsop_ids_take(&ids->nested_ids[ids->n_nested], GFP_KERNEL))
		ids->n_nested++;
	ids->nesting = false;
}

static int fsop_ids_fn(void *data)
{
	struct fsop_ids_thread *t = data;
	struct fsop_ids *ids = t->ids;
	unsigned int i;

	if (t->slot == 0) {
		ids->nester = current;
		hrtimer_start(&ids->timer, ns_to_ktime(20 * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_PINNED);
	}
	for (i = 0; i < FSOP_IDS_PER_CPU; i++) {
		ids->err[t->slot] = fsop_ids_take(&ids->ids[t->slot][i], GFP_KERNEL);
		if (ids->err[t->slot])
			break;
		if (!(i & 63))
			cond_resched();
	}
	atomic_dec(&ids->running);
	complete(&ids->done[t->slot]);
	return 0;
}

/* Interrupt context: an init between a thread's read and update. */
static enum hrtimer_restart fsop_ids_timer_fn(struct hrtimer *timer)
{
	struct fsop_ids *ids = container_of(timer, struct fsop_ids, timer);
	struct fscache_operation *op;

	if (ids->n_irq == FSOP_IDS_IRQ || !atomic_read(&ids->running))
		return HRTIMER_NORESTART;
	op = ids->irq_ops[ids->n_irq];
	ids->irq_ops[ids->n_irq] = NULL;
	fscache_operation_init(op, NULL);
	ids->irq_ids[ids->n_irq++] = op->debug_id;
	fscache_put_operation(op);
	hrtimer_forward_now(timer, ns_to_ktime(20 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int fsop_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static void fsop_ids_free(struct fsop_ids *ids)
{
	unsigned int i;

	for (i = 0; i < FSOP_IDS_CPUS; i++)
		kfree(ids->ids[i]);
	for (i = 0; i < FSOP_IDS_IRQ; i++)
		kfree(ids->irq_ops[i]);		/* those the timer did not take */
	kfree(ids);
}

/*
 * Debug ids come from per-CPU blocks: ops initialised on every CPU at once,
 * from an interrupt while they are, and between the read of a CPU's block
 * and its update, all get different ids (the traces and debugfs tell ops
 * apart by them).
 */
static void debug_ids_unique_across_cpus(struct kunit *test)
{
	struct fsop_ids_thread threads[FSOP_IDS_CPUS] = {};
	unsigned int want = min_t(unsigned int, num_online_cpus(), FSOP_IDS_CPUS);
	unsigned int n_threads = 0, n = 0, i, j, dups = 0;
	struct fsop_ids *ids;
	unsigned int *all;
	int cpu;

	ids = kzalloc(sizeof(*ids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ids);
	for (i = 0; i < FSOP_IDS_CPUS; i++) {
		ids->ids[i] = kcalloc(FSOP_IDS_PER_CPU, sizeof(*ids->ids[i]), GFP_KERNEL);
		init_completion(&ids->done[i]);
	}
	/* Each is freed by its final put, if the timer takes it. */
	for (i = 0; i < FSOP_IDS_IRQ; i++)
		ids->irq_ops[i] = kzalloc(sizeof(*ids->irq_ops[i]), GFP_KERNEL);
	for (i = 0; i < FSOP_IDS_CPUS; i++)
		if (!ids->ids[i])
			goto nomem;
	for (i = 0; i < FSOP_IDS_IRQ; i++)
		if (!ids->irq_ops[i])
			goto nomem;
	atomic_set(&ids->running, 1);
	hrtimer_init(&ids->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ids->timer.function = fsop_ids_timer_fn;
	WRITE_ONCE(fsop_ids_cur, ids);
	WRITE_ONCE(fscache_ops_test_hook, fsop_ids_hook);

	for_each_online_cpu(cpu) {
		struct task_struct *task;

		if (n_threads == want)
			break;
		threads[n_threads] = (struct fsop_ids_thread){ ids, n_threads };
		task = kthread_create(fsop_ids_fn, &threads[n_threads], "fsop_ids/%d", cpu);
		if (IS_ERR(task))
			break;
		atomic_inc(&ids->running);
		kthread_bind(task, cpu);
		wake_up_process(task);
		n_threads++;
	}
	atomic_dec(&ids->running);
	for (i = 0; i < n_threads; i++) {
		if (!wait_for_completion_timeout(&ids->done[i],
						 msecs_to_jiffies(FSOP_TIMEOUT_MS))) {
			/* Left to the thread, which may still use it. */
			KUNIT_FAIL_AND_ABORT(test, "thread %u of %u did not finish",
					     i, n_threads);
		}
	}
	hrtimer_cancel(&ids->timer);
	WRITE_ONCE(fscache_ops_test_hook, NULL);
	WRITE_ONCE(fsop_ids_cur, NULL);

	kunit_info(test, "%u threads; %u ids from an interrupt, %u from between a read and its update",
		   n_threads, ids->n_irq, ids->n_nested);
	KUNIT_EXPECT_EQ(test, n_threads, want);
	KUNIT_EXPECT_GT(test, ids->n_irq, 0U);
	KUNIT_EXPECT_GT(test, ids->n_nested, 0U);
	for (i = 0; i < n_threads; i++)
		KUNIT_EXPECT_EQ(test, ids->err[i], 0);

	all = kunit_kmalloc_array(test, n_threads * FSOP_IDS_PER_CPU + ids->n_irq +
				  ids->n_nested, sizeof(*all), GFP_KERNEL);
	if (!all)
		goto nomem;
	for (i = 0; i < n_threads; i++)
		for (j = 0; j < FSOP_IDS_PER_CPU; j++)
			all[n++] = ids->ids[i][j];
	for (i = 0; i < ids->n_irq; i++)
		all[n++] = ids->irq_ids[i];
	for (i = 0; i < ids->n_nested; i++)
		all[n++] = ids->nested_ids[i];
	sort(all, n, sizeof(*all), fsop_cmp_uint, NULL);
	for (i = 1; i < n; i++)
		dups += all[i] == all[i - 1];
	KUNIT_EXPECT_EQ_MSG(test, dups, 0U, "%u of %u debug ids given twice", dups, n);
	KUNIT_EXPECT_NE(test, all[0], 0U);
	fsop_ids_free(ids);
	return;

nomem:
	fsop_ids_free(ids);
	KUNIT_FAIL(test, "out of memory");
}

static struct kunit_case fscache_ops_observe_cases[] = {
	KUNIT_CASE(counters_balance_after_mixed_workload),
	KUNIT_CASE(debugfs_lists_live_objects),
	KUNIT_CASE(debugfs_reader_holds_dying_object),
	KUNIT_CASE(debugfs_lists_objects_that_joined_racing),
	KUNIT_CASE(tracepoints_follow_one_op),
	KUNIT_CASE(timing_parameter_switches_timing),
	KUNIT_CASE(untimed_start_not_counted_later),
	KUNIT_CASE(debug_ids_unique_across_cpus),
	{}
};

/*
 * This suite looks at the histograms and ages: ops are timed meanwhile,
 * and then as they were (timing=1 at boot stays on).
 */
static bool fsop_timing_before;

static int fsop_observe_suite_init(struct kunit_suite *suite)
{
	fsop_timing_before = fscache_timing();
	return fscache_ops_set_timing("1");
}

static void fsop_observe_suite_exit(struct kunit_suite *suite)
{
	fscache_ops_set_timing(fsop_timing_before ? "1" : "0");
}

static struct kunit_suite fscache_ops_observe_suite = {
	.name = "fscache_ops_observe",
	.suite_init = fsop_observe_suite_init,
	.suite_exit = fsop_observe_suite_exit,
	.init = fsop_test_init,
	.exit = fsop_test_exit,
	.test_cases = fscache_ops_observe_cases,
};

kunit_test_suite(fscache_ops_observe_suite);
