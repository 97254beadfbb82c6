// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops stress module: a random workload over many objects from
 * several kernel threads, checking the manager's invariants as it goes.
 *
 * Written as a third-party backend would be: only the public
 * <linux/fscache-ops.h>, linked against fscache_ops' exports.  Everything
 * runs at insmod time: worker threads submit FAST, SLOW and MYTHREAD ops,
 * exclusive or shareable, to random objects, cancel some (pending or in
 * progress), re-enqueue some with a changed type, put some from a timer
 * (softirq) or a hard hrtimer (hardirq), kill objects (relinquish with or
 * without retire, abort, failure) and look new ones up (positive, negative,
 * failed, reported late), while a controller thread stops caches with an
 * I/O error and withdraws them under the load.  scripts/stress.sh runs it
 * in a VM, once per slow_max_active setting (tests/stress/init.sh).
 *
 * Every invariant is checked where it can be, each check counted:
 *
 *   excl	an exclusive op never overlaps another op of its object:
 *		the processor's (or MYTHREAD runner's) window, and the states
 *		fscache_ops shows of the object's other ops when one starts
 *   order	an op starts only once every op submitted before it on its
 *		object has started or was cancelled (the FIFO)
 *   start	every op starts at most once (a second processor call only
 *		after our own fscache_enqueue_operation())
 *   release	every op is released exactly once, in state DEAD
 *   outcome	every released op was run or cancelled; at the end, every
 *		op allocated was released and every accepted op ran, was
 *		cancelled pending, or was asked to give up before it ran
 *   cancel	the cancel callback comes at most once per op and state, and
 *		in a state it may come in
 *   drop	drop_object() once per object, when no op refers to it
 *   put	put_object() once per object, after drop_object(), when no op
 *		refers to it and the object is dead
 *   api	return values: submissions (0 or -ENOBUFS), cancellations,
 *		completions, enqueues, waits, object gets agree with what
 *		happened to the op
 *   withdraw	a withdrawn cache has no object left
 *
 * The result is one "check" line per invariant (checks, violations), the
 * ops run and the rate, our counts (which /init compares with the debugfs
 * statistics), and "PASS" or "FAIL".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/fscache-ops.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define ST_MAX_THREADS		16
#define ST_MAX_OBJECTS		65536
#define ST_NR_CACHES		4
#define ST_CARRIERS		32	/* timers per thread for deferred puts */

static unsigned long ops = 100000;
module_param(ops, ulong, 0444);
MODULE_PARM_DESC(ops, "Ops to submit (accepted submissions) before stopping");

static unsigned int objects = 256;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "Object slots (1-65536)");

static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "Submitting threads (1-16)");

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "Seed of the threads' random choices");

static unsigned int time_limit = 900;
module_param(time_limit, uint, 0444);
MODULE_PARM_DESC(time_limit, "Stop after this many seconds even if ops are short");

static unsigned int cache_period_ms = 1000;
module_param(cache_period_ms, uint, 0444);
MODULE_PARM_DESC(cache_period_ms, "A cache is failed and withdrawn this often (0: never)");

static char *label = "";
module_param(label, charp, 0444);
MODULE_PARM_DESC(label, "Name of the run in the result lines");

/* The checks, each counted and each with its violations. */
enum {
	CK_EXCL,
	CK_ORDER,
	CK_START,
	CK_RELEASE,
	CK_OUTCOME,
	CK_CANCEL,
	CK_DROP,
	CK_PUT,
	CK_API,
	CK_WITHDRAW,
	CK__NR
};

static const char *const st_check_names[CK__NR] = {
	[CK_EXCL]	= "excl",
	[CK_ORDER]	= "order",
	[CK_START]	= "start",
	[CK_RELEASE]	= "release",
	[CK_OUTCOME]	= "outcome",
	[CK_CANCEL]	= "cancel",
	[CK_DROP]	= "drop",
	[CK_PUT]	= "put",
	[CK_API]	= "api",
	[CK_WITHDRAW]	= "withdraw",
};

static atomic_long_t st_checks[CK__NR], st_violations[CK__NR];

/* Count one check of @ck; a false @ok is a violation, reported (a few). */
#define CHECK(ck, ok, fmt, ...)						\
({									\
	int __ck = (ck);						\
	bool __ok = (ok);						\
									\
	atomic_long_inc(&st_checks[__ck]);				\
	if (unlikely(!__ok))						\
		st_violation(__ck, "line %d: " fmt, __LINE__, ##__VA_ARGS__); \
	__ok;								\
})

static atomic_t st_reported = ATOMIC_INIT(0);

/* A check that holds by construction at this point: counted only. */
static void st_count(int ck)
{
	atomic_long_inc(&st_checks[ck]);
}

static __printf(2, 3) void st_violation(int ck, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&st_violations[ck]);
	if (atomic_inc_return(&st_reported) > 20)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("VIOLATION of %s: %pV\n", st_check_names[ck], &vaf);
	va_end(args);
}

/* What happened, counted; compared with fscache_ops' statistics by /init. */
static atomic_long_t st_allocated, st_released, st_submitted, st_refused;
static atomic_long_t st_started, st_cancel_pending, st_skipped;
static atomic_long_t st_cancel_req, st_retyped, st_excl_ops;
static atomic_long_t st_type_ops[4], st_put_soft, st_put_hard;
static atomic_long_t st_obj_init, st_obj_refused, st_obj_drop, st_obj_put;
static atomic_long_t st_obj_kills, st_updates, st_lookup_fail;
static atomic_long_t st_lookup_late, st_lookup_negative;
static atomic_long_t st_cache_add, st_cache_withdraw, st_cache_io_error;

static DECLARE_WAIT_QUEUE_HEAD(st_stop_wq);
static bool st_stop;

/* A cache, replaced now and then by the controller. */
struct st_cache {
	struct fscache_cache	cache;
	atomic_t		users;	/* creators of objects in it */
	wait_queue_head_t	wq;
};

static DEFINE_SPINLOCK(st_caches_lock);
static struct st_cache *st_caches[ST_NR_CACHES];

struct st_object {
	struct fscache_object	object;
	spinlock_t		lock;		/* guards what follows */
	struct list_head	live;		/* our ops, submission order */
	u64			next_seq;
	unsigned int		running;	/* in a processor window */
	unsigned int		running_excl;
	unsigned long		starts;		/* windows opened */
	unsigned long		excl_starts;
	struct mutex		submit_lock;	/* submission order */
	atomic_t		live_ops;	/* accepted, not released */
	atomic_t		drops, puts;
	unsigned int		id;
	u8			lookup;		/* ST_LOOKUP_* */
	struct work_struct	late_lookup;
};

/* How lookup_object() answers for an object. */
enum {
	ST_LOOKUP_POSITIVE,		/* available at once */
	ST_LOOKUP_NEGATIVE,		/* negative, created, available */
	ST_LOOKUP_LATE,			/* reported later, from a work item */
	ST_LOOKUP_FAIL,			/* lookup_object() returns an error */
	ST_LOOKUP_FAILED_REPORT,	/* fscache_ops_object_failed() */
};

struct st_slot {
	struct mutex		lock;	/* guards obj */
	struct st_object	*obj;
};

static struct st_slot *st_slots;
static struct workqueue_struct *st_wq;
static atomic_t st_late_lookups = ATOMIC_INIT(0);

/* Our op record. */
struct st_op {
	struct fscache_operation op;
	struct st_object	*obj;
	struct list_head	link;		/* in obj->live */
	u64			seq;
	unsigned long		snap;		/* starts seen between runs */
	atomic_t		runs;
	unsigned long		bits;
#define ST_OP_SUBMITTED		0
#define ST_OP_CANCEL_PEND	1	/* cancel callback, pending */
#define ST_OP_CANCEL_REQ	2	/* cancel callback, in progress */
#define ST_OP_ENQ		3	/* re-enqueued by us, not yet rerun */
#define ST_OP_RELEASED		4
	u8			excl;
	u8			lane;		/* no cancel callback: may take the lane */
	u8			retype;
	u8			complete;	/* complete explicitly */
};

/* A timer that makes a put for us from softirq or hardirq. */
struct st_carrier {
	struct timer_list	timer;
	struct hrtimer		hrtimer;
	struct fscache_operation *op;
	atomic_t		busy;
};

struct st_thread {
	struct task_struct	*task;
	struct rnd_state	rnd;
	unsigned int		id;
	unsigned int		next_soft, next_hard;
	struct st_carrier	soft[ST_CARRIERS];
	struct st_carrier	hard[ST_CARRIERS];
};

static struct st_thread *st_threads;
static struct task_struct *st_controller;

static u32 st_rand(struct st_thread *t, u32 n)
{
	return prandom_u32_state(&t->rnd) % n;
}

static bool st_state_done(enum fscache_operation_state s)
{
	return s == FSCACHE_OP_ST_COMPLETE || s == FSCACHE_OP_ST_CANCELLED ||
	       s == FSCACHE_OP_ST_DEAD;
}

/*
 * An op's processor (or its MYTHREAD runner) begins: the op is in progress.
 * On its first start, every op submitted before it on the object must have
 * started or been cancelled, and every op it conflicts with (it or the
 * other exclusive) must be done if it came before, not started if after.
 * On a rerun, no op may have opened a window meanwhile that conflicts.
 */
static void st_window_open(struct st_op *sop, bool first)
{
	struct st_object *o = sop->obj;
	struct st_op *x;
	unsigned long flags;

	spin_lock_irqsave(&o->lock, flags);
	if (first) {
		list_for_each_entry(x, &o->live, link) {
			enum fscache_operation_state s = READ_ONCE(x->op.state);
			bool conflict = sop->excl || x->excl;

			if (x == sop)
				continue;
			if (x->seq < sop->seq) {
				CHECK(CK_ORDER, s != FSCACHE_OP_ST_PENDING,
				      "OP%x started while OP%x, submitted before it, is pending",
				      sop->op.debug_id, x->op.debug_id);
				if (conflict)
					CHECK(CK_EXCL, st_state_done(s),
					      "OP%x (excl %d) started while earlier OP%x (excl %d) is in state %d",
					      sop->op.debug_id, sop->excl,
					      x->op.debug_id, x->excl, s);
			} else if (conflict) {
				CHECK(CK_EXCL, s != FSCACHE_OP_ST_IN_PROGRESS &&
				      s != FSCACHE_OP_ST_COMPLETE,
				      "OP%x (excl %d) started while later OP%x (excl %d) is in state %d",
				      sop->op.debug_id, sop->excl,
				      x->op.debug_id, x->excl, s);
			}
		}
	} else {
		CHECK(CK_EXCL, sop->snap == (sop->excl ? o->starts : o->excl_starts),
		      "OP%x (excl %d): a conflicting op started between its runs",
		      sop->op.debug_id, sop->excl);
	}
	if (sop->excl)
		CHECK(CK_EXCL, o->running == 0,
		      "exclusive OP%x started while %u ops run on OBJ%x",
		      sop->op.debug_id, o->running, o->object.debug_id);
	else
		CHECK(CK_EXCL, o->running_excl == 0,
		      "OP%x started while an exclusive op runs on OBJ%x",
		      sop->op.debug_id, o->object.debug_id);
	o->running++;
	o->starts++;
	if (sop->excl) {
		o->running_excl++;
		o->excl_starts++;
	}
	spin_unlock_irqrestore(&o->lock, flags);
}

/* ... and ends; with @rerun, the op keeps its claim for a second run. */
static void st_window_close(struct st_op *sop, bool rerun)
{
	struct st_object *o = sop->obj;
	unsigned long flags;

	spin_lock_irqsave(&o->lock, flags);
	o->running--;
	if (sop->excl)
		o->running_excl--;
	if (rerun)
		sop->snap = sop->excl ? o->starts : o->excl_starts;
	spin_unlock_irqrestore(&o->lock, flags);
}

/* Finish a run: complete explicitly, or leave it to the final put. */
static void st_finish(struct st_op *sop)
{
	int ret;

	st_window_close(sop, false);
	if (!sop->complete)
		return;
	ret = fscache_op_complete(&sop->op, fscache_op_is_cancelled(&sop->op));
	CHECK(CK_API, ret == 0, "completion of OP%x: %d", sop->op.debug_id, ret);
}

static void st_processor(struct fscache_operation *op)
{
	struct st_op *sop = container_of(op, struct st_op, op);
	bool first = atomic_inc_return(&sop->runs) == 1;
	bool slow = (op->flags & FSCACHE_OP_TYPE) == FSCACHE_OP_SLOW;
	int ret;

	if (first)
		st_count(CK_START);
	else
		CHECK(CK_START, test_and_clear_bit(ST_OP_ENQ, &sop->bits),
		      "OP%x's processor called again, not re-enqueued",
		      op->debug_id);
	CHECK(CK_START, READ_ONCE(op->state) == FSCACHE_OP_ST_IN_PROGRESS,
	      "OP%x's processor called in state %d", op->debug_id,
	      READ_ONCE(op->state));
	st_window_open(sop, first);

	if (slow && (op->debug_id & 15) == 0)
		usleep_range(20, 100);
	else
		udelay(1);

	if (first && sop->retype && !fscache_op_is_cancelled(op)) {
		/* FAST becomes SLOW and SLOW FAST, and runs once more. */
		st_window_close(sop, true);
		op->flags = (op->flags & ~FSCACHE_OP_TYPE) |
			    (slow ? FSCACHE_OP_FAST : FSCACHE_OP_SLOW);
		set_bit(ST_OP_ENQ, &sop->bits);
		atomic_long_inc(&st_retyped);
		ret = fscache_enqueue_operation(op);
		/* The rerun may have begun: nothing of sop from here on. */
		CHECK(CK_API, ret == 0, "enqueue of OP%x: %d", op->debug_id, ret);
		return;
	}
	st_finish(sop);
}

/* Called under the object's lock. */
static void st_cancel(struct fscache_operation *op)
{
	struct st_op *sop = container_of(op, struct st_op, op);
	enum fscache_operation_state s = READ_ONCE(op->state);

	if (s == FSCACHE_OP_ST_CANCELLED) {
		CHECK(CK_CANCEL, !test_and_set_bit(ST_OP_CANCEL_PEND, &sop->bits),
		      "OP%x cancelled twice while pending", op->debug_id);
		CHECK(CK_CANCEL, atomic_read(&sop->runs) == 0,
		      "OP%x cancelled as pending after it ran", op->debug_id);
		atomic_long_inc(&st_cancel_pending);
	} else {
		CHECK(CK_CANCEL, s == FSCACHE_OP_ST_IN_PROGRESS,
		      "OP%x's cancel callback in state %d", op->debug_id, s);
		CHECK(CK_CANCEL, !test_and_set_bit(ST_OP_CANCEL_REQ, &sop->bits),
		      "OP%x asked twice to give up", op->debug_id);
		atomic_long_inc(&st_cancel_req);
	}
}

static void st_release(struct fscache_operation *op)
{
	struct st_op *sop = container_of(op, struct st_op, op);
	struct st_object *o = sop->obj;
	unsigned long flags;
	int runs;

	CHECK(CK_RELEASE, !test_and_set_bit(ST_OP_RELEASED, &sop->bits),
	      "OP%x released twice", op->debug_id);
	CHECK(CK_RELEASE, READ_ONCE(op->state) == FSCACHE_OP_ST_DEAD,
	      "OP%x released in state %d", op->debug_id, READ_ONCE(op->state));
	if (test_bit(ST_OP_SUBMITTED, &sop->bits)) {
		runs = atomic_read(&sop->runs);
		if (runs) {
			atomic_long_inc(&st_started);
			CHECK(CK_OUTCOME, !test_bit(ST_OP_CANCEL_PEND, &sop->bits),
			      "OP%x ran and was cancelled as pending", op->debug_id);
		} else if (sop->lane) {
			/*
			 * No callback told us: fscache_ops' own bit tells an
			 * op asked to give up in progress (its processor
			 * skipped) from one cancelled while pending, which the
			 * run's counters then check against fscache_ops'.
			 */
			if (test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags))
				atomic_long_inc(&st_skipped);
			else
				atomic_long_inc(&st_cancel_pending);
			/* A lane op starts at its submission: it never pends. */
			CHECK(CK_OUTCOME, !test_bit(FSCACHE_OP_I_LANE, &op->iflags) ||
			      test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags),
			      "OP%x started on the lane, never ran, ended not cancelled",
			      op->debug_id);
		} else if (test_bit(ST_OP_CANCEL_REQ, &sop->bits)) {
			atomic_long_inc(&st_skipped);
			st_count(CK_OUTCOME);
		} else {
			CHECK(CK_OUTCOME, test_bit(ST_OP_CANCEL_PEND, &sop->bits),
			      "OP%x released, never run nor cancelled", op->debug_id);
		}
		spin_lock_irqsave(&o->lock, flags);
		list_del(&sop->link);
		spin_unlock_irqrestore(&o->lock, flags);
		atomic_dec(&o->live_ops);
	}
	atomic_long_inc(&st_released);
	kfree(sop);
}

/* Objects. */

static void st_late_lookup(struct work_struct *work)
{
	struct st_object *o = container_of(work, struct st_object, late_lookup);

	usleep_range(50, 500);
	if (o->id & 1)
		fscache_ops_object_lookup_negative(&o->object);
	fscache_ops_object_available(&o->object);
	fscache_ops_put_object(&o->object);
	atomic_dec(&st_late_lookups);
	wake_up_all(&st_stop_wq);
}

static int st_lookup(struct fscache_object *object)
{
	struct st_object *o = container_of(object, struct st_object, object);

	switch (o->lookup) {
	case ST_LOOKUP_NEGATIVE:
		atomic_long_inc(&st_lookup_negative);
		fscache_ops_object_lookup_negative(object);
		fallthrough;
	case ST_LOOKUP_POSITIVE:
		fscache_ops_object_available(object);
		return 0;
	case ST_LOOKUP_LATE:
		/* Reported later, by a work item holding a reference. */
		atomic_long_inc(&st_lookup_late);
		if (!CHECK(CK_API, fscache_ops_get_object(object),
			   "get of looked-up OBJ%x", object->debug_id))
			return -ENOMEM;
		atomic_inc(&st_late_lookups);
		queue_work(st_wq, &o->late_lookup);
		return 0;
	case ST_LOOKUP_FAILED_REPORT:
		atomic_long_inc(&st_lookup_fail);
		fscache_ops_object_failed(object, -ENOENT);
		return 0;
	default:
		atomic_long_inc(&st_lookup_fail);
		return -EIO;
	}
}

static void st_drop(struct fscache_object *object)
{
	struct st_object *o = container_of(object, struct st_object, object);
	unsigned long flags;
	struct st_op *x;

	CHECK(CK_DROP, atomic_inc_return(&o->drops) == 1,
	      "OBJ%x dropped twice", object->debug_id);
	CHECK(CK_DROP, atomic_read(&o->live_ops) == 0,
	      "OBJ%x dropped with %d ops alive", object->debug_id,
	      atomic_read(&o->live_ops));
	/*
	 * Our list may still hold an op whose submission is under way: it
	 * must be refused (INITIALISED), as the object is dying.
	 */
	spin_lock_irqsave(&o->lock, flags);
	list_for_each_entry(x, &o->live, link)
		CHECK(CK_DROP, READ_ONCE(x->op.state) == FSCACHE_OP_ST_INITIALISED,
		      "OBJ%x dropped while OP%x is in state %d",
		      object->debug_id, x->op.debug_id, READ_ONCE(x->op.state));
	spin_unlock_irqrestore(&o->lock, flags);
	CHECK(CK_DROP, READ_ONCE(object->n_ops) == 0,
	      "OBJ%x dropped with n_ops %u", object->debug_id,
	      READ_ONCE(object->n_ops));
	atomic_long_inc(&st_obj_drop);
}

static void st_put(struct fscache_object *object)
{
	struct st_object *o = container_of(object, struct st_object, object);

	CHECK(CK_PUT, atomic_inc_return(&o->puts) == 1,
	      "OBJ%x put twice", object->debug_id);
	CHECK(CK_PUT, atomic_read(&o->drops) == 1,
	      "OBJ%x put after %d drops", object->debug_id,
	      atomic_read(&o->drops));
	CHECK(CK_PUT, atomic_read(&o->live_ops) == 0,
	      "OBJ%x put with %d ops alive", object->debug_id,
	      atomic_read(&o->live_ops));
	CHECK(CK_PUT, READ_ONCE(object->state) == FSCACHE_OBJECT_DEAD,
	      "OBJ%x put in state %s", object->debug_id,
	      fscache_ops_object_state_name(READ_ONCE(object->state)));
	atomic_long_inc(&st_obj_put);
	kfree(o);
}

static void st_update(struct fscache_object *object)
{
	udelay(1);
}

static const struct fscache_cache_ops st_cache_ops = {
	.name		= "stress",
	.lookup_object	= st_lookup,
	.update_object	= st_update,
	.drop_object	= st_drop,
	.put_object	= st_put,
};

static struct st_cache *st_cache_new(void)
{
	static atomic_t gen = ATOMIC_INIT(0);
	struct st_cache *c = kzalloc(sizeof(*c), GFP_KERNEL);
	char name[24];
	int ret;

	if (!c)
		return NULL;
	atomic_set(&c->users, 0);
	init_waitqueue_head(&c->wq);
	snprintf(name, sizeof(name), "stress%d", atomic_inc_return(&gen));
	ret = fscache_ops_add_cache(&c->cache, &st_cache_ops, name);
	if (!CHECK(CK_API, ret == 0, "add_cache: %d", ret)) {
		kfree(c);
		return NULL;
	}
	atomic_long_inc(&st_cache_add);
	return c;
}

/* Withdraw a cache (after an I/O error, if @io_error) and free it. */
static void st_cache_retire(struct st_cache *c, bool io_error)
{
	if (io_error) {
		fscache_ops_io_error(&c->cache);
		atomic_long_inc(&st_cache_io_error);
		usleep_range(1000, 2000);
	}
	fscache_ops_withdraw_cache(&c->cache);
	atomic_long_inc(&st_cache_withdraw);
	wait_event(c->wq, atomic_read(&c->users) == 0);
	CHECK(CK_WITHDRAW, atomic_read(&c->cache.object_count) == 0,
	      "cache %s withdrawn with %d objects", c->cache.name,
	      atomic_read(&c->cache.object_count));
	kfree(c);
}

/* Fill an empty slot (its lock held) with a new object being looked up. */
static void st_create(struct st_thread *t, struct st_slot *slot,
		      unsigned int id)
{
	struct st_object *o;
	struct st_cache *c;
	u32 r;
	int ret;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return;
	spin_lock_init(&o->lock);
	INIT_LIST_HEAD(&o->live);
	mutex_init(&o->submit_lock);
	INIT_WORK(&o->late_lookup, st_late_lookup);
	o->id = id;
	r = st_rand(t, 100);
	o->lookup = r < 50 ? ST_LOOKUP_POSITIVE : r < 75 ? ST_LOOKUP_NEGATIVE :
		    r < 96 ? ST_LOOKUP_LATE : r < 98 ? ST_LOOKUP_FAIL :
		    ST_LOOKUP_FAILED_REPORT;

	spin_lock(&st_caches_lock);
	c = st_caches[st_rand(t, ST_NR_CACHES)];
	atomic_inc(&c->users);
	spin_unlock(&st_caches_lock);

	ret = fscache_ops_init_object(&o->object, &c->cache);
	if (ret) {
		/* The cache is being withdrawn: the object is inert. */
		CHECK(CK_API, ret == -ENOBUFS, "init_object: %d", ret);
		atomic_long_inc(&st_obj_refused);
		kfree(o);
	} else {
		atomic_long_inc(&st_obj_init);
		slot->obj = o;
		fscache_ops_lookup_object(&o->object);
	}
	if (atomic_dec_and_test(&c->users))
		wake_up_all(&c->wq);
}

/* A reference to the slot's object, created if need be; NULL if none. */
static struct st_object *st_get(struct st_thread *t, unsigned int i)
{
	struct st_slot *slot = &st_slots[i];
	struct st_object *o;

	mutex_lock(&slot->lock);
	if (!slot->obj)
		st_create(t, slot, i);
	o = slot->obj;
	if (o && !CHECK(CK_API, fscache_ops_get_object(&o->object),
			"get of OBJ%x", o->object.debug_id))
		o = NULL;
	mutex_unlock(&slot->lock);
	return o;
}

/* Take the slot's object out (if it is still @o, or any if @o is NULL). */
static struct st_object *st_take(unsigned int i, struct st_object *o)
{
	struct st_slot *slot = &st_slots[i];
	struct st_object *old;

	mutex_lock(&slot->lock);
	old = slot->obj;
	if (o && old != o)
		old = NULL;
	if (old)
		slot->obj = NULL;
	mutex_unlock(&slot->lock);
	return old;
}

/* Kill an object in one of the ways a backend can, and put the slot's ref. */
static void st_kill(struct st_object *o, u32 how)
{
	atomic_long_inc(&st_obj_kills);
	switch (how) {
	case 0:
		fscache_ops_relinquish_object(&o->object, false);
		break;
	case 1:
		fscache_ops_relinquish_object(&o->object, true);
		break;
	case 2:
		fscache_abort_object(&o->object);
		fscache_ops_relinquish_object(&o->object, false);
		break;
	default:
		fscache_ops_object_failed(&o->object, -EIO);
		fscache_ops_relinquish_object(&o->object, true);
		break;
	}
	fscache_ops_put_object(&o->object);
}

/* Puts from softirq (a timer) and hardirq (an hrtimer in HARD mode). */

static void st_soft_put(struct timer_list *timer)
{
	struct st_carrier *c = from_timer(c, timer, timer);

	fscache_put_operation(c->op);
	atomic_set_release(&c->busy, 0);
}

static enum hrtimer_restart st_hard_put(struct hrtimer *timer)
{
	struct st_carrier *c = container_of(timer, struct st_carrier, hrtimer);

	fscache_put_operation(c->op);
	atomic_set_release(&c->busy, 0);
	return HRTIMER_NORESTART;
}

static void st_put_op(struct st_thread *t, struct st_op *sop)
{
	u32 r = st_rand(t, 100);
	struct st_carrier *c;

	if (r < 10) {
		c = &t->soft[t->next_soft++ % ST_CARRIERS];
		if (!atomic_read_acquire(&c->busy)) {
			atomic_set(&c->busy, 1);
			c->op = &sop->op;
			atomic_long_inc(&st_put_soft);
			mod_timer(&c->timer, jiffies + 1);
			return;
		}
	} else if (r < 20) {
		c = &t->hard[t->next_hard++ % ST_CARRIERS];
		if (!atomic_read_acquire(&c->busy)) {
			atomic_set(&c->busy, 1);
			c->op = &sop->op;
			atomic_long_inc(&st_put_hard);
			hrtimer_start(&c->hrtimer, ns_to_ktime((10 + r * 10) * NSEC_PER_USEC),
				      HRTIMER_MODE_REL_HARD);
			return;
		}
	}
	fscache_put_operation(&sop->op);
}

/* Run a MYTHREAD op ourselves, once it is started. */
static void st_mythread(struct st_thread *t, struct st_op *sop)
{
	int ret = fscache_wait_for_operation_activation(&sop->op, false);

	if (ret) {
		/* Without a callback, its state says it was cancelled pending. */
		if (sop->lane && ret == -ENOBUFS &&
		    READ_ONCE(sop->op.state) == FSCACHE_OP_ST_CANCELLED)
			set_bit(ST_OP_CANCEL_PEND, &sop->bits);
		CHECK(CK_API, ret == -ENOBUFS &&
		      test_bit(ST_OP_CANCEL_PEND, &sop->bits),
		      "wait for OP%x: %d", sop->op.debug_id, ret);
		return;
	}
	CHECK(CK_START, atomic_inc_return(&sop->runs) == 1,
	      "MYTHREAD OP%x started twice", sop->op.debug_id);
	st_window_open(sop, true);
	udelay(1);
	st_finish(sop);
}

/* Submit one op to slot @i's object, and see it through. */
static void st_one_op(struct st_thread *t, unsigned int i)
{
	struct st_object *o = st_get(t, i);
	struct st_op *sop;
	unsigned long flags;
	u32 type, r;
	int ret;

	if (!o)
		return;
	sop = kzalloc(sizeof(*sop), GFP_KERNEL);
	if (!sop)
		goto out;
	atomic_long_inc(&st_allocated);
	fscache_operation_init(&sop->op, st_release);
	r = st_rand(t, 100);
	type = r < 45 ? FSCACHE_OP_FAST : r < 80 ? FSCACHE_OP_SLOW :
	       FSCACHE_OP_MYTHREAD;
	if (type == FSCACHE_OP_FAST) {
		fscache_operation_init_fast(&sop->op, st_processor);
	} else if (type == FSCACHE_OP_SLOW) {
		fscache_operation_init_slow(&sop->op, st_processor);
	} else {
		sop->op.flags |= FSCACHE_OP_MYTHREAD;
		set_bit(FSCACHE_OP_WAITING, &sop->op.flags);
	}
	sop->excl = st_rand(t, 100) < 15;
	/*
	 * A shareable op without a cancel callback starts on its object's
	 * lane when that is open; what the callback would have told us of it
	 * is then read from cancel's return and from its object.
	 */
	sop->lane = !sop->excl && st_rand(t, 100) < 40;
	if (!sop->lane)
		sop->op.cancel = st_cancel;
	sop->retype = type != FSCACHE_OP_MYTHREAD && st_rand(t, 100) < 10;
	sop->complete = st_rand(t, 2);
	sop->obj = o;

	mutex_lock(&o->submit_lock);
	spin_lock_irqsave(&o->lock, flags);
	sop->seq = o->next_seq++;
	list_add_tail(&sop->link, &o->live);
	spin_unlock_irqrestore(&o->lock, flags);
	set_bit(ST_OP_SUBMITTED, &sop->bits);
	if (!sop->excl) {
		ret = fscache_submit_op(&o->object, &sop->op);
	} else if (st_rand(t, 2)) {
		ret = fscache_submit_exclusive_op(&o->object, &sop->op);
	} else {
		/* The flag alone makes it exclusive. */
		set_bit(FSCACHE_OP_EXCLUSIVE, &sop->op.flags);
		ret = fscache_submit_op(&o->object, &sop->op);
	}
	if (ret) {
		clear_bit(ST_OP_SUBMITTED, &sop->bits);
		spin_lock_irqsave(&o->lock, flags);
		list_del(&sop->link);
		spin_unlock_irqrestore(&o->lock, flags);
	} else {
		atomic_inc(&o->live_ops);
	}
	mutex_unlock(&o->submit_lock);

	if (ret) {
		/* Dying or dead object, failed or withdrawn cache. */
		CHECK(CK_API, ret == -ENOBUFS, "submission of OP%x: %d",
		      sop->op.debug_id, ret);
		atomic_long_inc(&st_refused);
		fscache_put_operation(&sop->op);
		/* Replace it, if no other thread did. */
		if (st_take(i, o))
			st_kill(o, 0);
		fscache_ops_put_object(&o->object);
		return;
	}
	atomic_long_inc(&st_submitted);
	atomic_long_inc(&st_type_ops[type]);
	if (sop->excl)
		atomic_long_inc(&st_excl_ops);

	r = st_rand(t, 100);
	if (r < 8) {
		/*
		 * 0: it was pending; -EALREADY: cancelled pending, or asked to
		 * give up (its object died) and completed; -EBUSY: started.
		 */
		ret = fscache_cancel_op(&sop->op, false);
		/* Without a callback, 0 is how we learn it was pending. */
		if (sop->lane && ret == 0)
			set_bit(ST_OP_CANCEL_PEND, &sop->bits);
		CHECK(CK_API, ret == -EBUSY ||
		      (ret == 0 && test_bit(ST_OP_CANCEL_PEND, &sop->bits)) ||
		      (ret == -EALREADY &&
		       (test_bit(ST_OP_CANCEL_PEND, &sop->bits) ||
			test_bit(ST_OP_CANCEL_REQ, &sop->bits) ||
			(sop->lane &&
			 fscache_object_is_dying(&o->object)))),
		      "cancel of OP%x: %d", sop->op.debug_id, ret);
	} else if (r < 12) {
		ret = fscache_cancel_op(&sop->op, true);
		/* Without a callback, a request made is known by its return. */
		if (sop->lane && ret == 0)
			set_bit(ST_OP_CANCEL_REQ, &sop->bits);
		CHECK(CK_API, ret == -EBUSY ||
		      (ret == -EALREADY && sop->lane &&
		       fscache_object_is_dying(&o->object)) ||
		      ((ret == 0 || ret == -EALREADY) &&
		       (test_bit(ST_OP_CANCEL_PEND, &sop->bits) ||
			test_bit(ST_OP_CANCEL_REQ, &sop->bits))),
		      "cancel in progress of OP%x: %d", sop->op.debug_id, ret);
	}
	if (type == FSCACHE_OP_MYTHREAD)
		st_mythread(t, sop);
	st_put_op(t, sop);
	fscache_ops_put_object(&o->object);
	return;

out:
	fscache_ops_put_object(&o->object);
}

static bool st_target_reached(void)
{
	return atomic_long_read(&st_submitted) >= ops;
}

static int st_worker(void *data)
{
	struct st_thread *t = data;

	while (!kthread_should_stop()) {
		unsigned int i = st_rand(t, objects);
		u32 r = st_rand(t, 1000);
		struct st_object *o;

		if (READ_ONCE(st_stop)) {
			wait_event_interruptible(st_stop_wq, kthread_should_stop());
			continue;
		}
		if (r < 3) {
			o = st_take(i, NULL);
			if (o)
				st_kill(o, st_rand(t, 4));
		} else if (r < 5) {
			o = st_get(t, i);
			if (o) {
				atomic_long_inc(&st_updates);
				fscache_ops_update_object(&o->object);
				fscache_ops_put_object(&o->object);
			}
		} else {
			st_one_op(t, i);
		}
		cond_resched();
	}
	return 0;
}

/* Fail and withdraw a cache now and then, replacing it by a new one. */
static int st_control(void *data)
{
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed ^ 0x5a5a5a5a);
	while (!kthread_should_stop()) {
		struct st_cache *c, *old;
		unsigned int i;

		wait_event_interruptible_timeout(st_stop_wq,
						 kthread_should_stop() ||
						 READ_ONCE(st_stop),
						 msecs_to_jiffies(cache_period_ms));
		if (kthread_should_stop() || READ_ONCE(st_stop))
			continue;
		c = st_cache_new();
		if (!c)
			continue;
		i = prandom_u32_state(&rnd) % ST_NR_CACHES;
		spin_lock(&st_caches_lock);
		old = st_caches[i];
		st_caches[i] = c;
		spin_unlock(&st_caches_lock);
		st_cache_retire(old, prandom_u32_state(&rnd) & 1);
	}
	return 0;
}

static void st_report(unsigned long ms)
{
	unsigned long sub = atomic_long_read(&st_submitted);
	long total = 0;
	int i;

	pr_info("result label=%s ops=%lu refused=%ld seconds=%lu.%03lu ops_per_s=%lu objects=%u threads=%u cpus=%u\n",
		label, sub, atomic_long_read(&st_refused), ms / 1000, ms % 1000,
		ms ? sub * 1000 / ms : 0, objects, threads, num_online_cpus());
	pr_info("mix fast=%ld slow=%ld mythread=%ld exclusive=%ld retyped=%ld cancel_pending=%ld cancel_req=%ld skipped=%ld put_softirq=%ld put_hardirq=%ld\n",
		atomic_long_read(&st_type_ops[FSCACHE_OP_FAST]),
		atomic_long_read(&st_type_ops[FSCACHE_OP_SLOW]),
		atomic_long_read(&st_type_ops[FSCACHE_OP_MYTHREAD]),
		atomic_long_read(&st_excl_ops), atomic_long_read(&st_retyped),
		atomic_long_read(&st_cancel_pending),
		atomic_long_read(&st_cancel_req), atomic_long_read(&st_skipped),
		atomic_long_read(&st_put_soft), atomic_long_read(&st_put_hard));
	pr_info("objects init=%ld refused=%ld killed=%ld updates=%ld lookup_negative=%ld lookup_late=%ld lookup_failed=%ld drop=%ld put=%ld caches add=%ld io_error=%ld withdraw=%ld\n",
		atomic_long_read(&st_obj_init), atomic_long_read(&st_obj_refused),
		atomic_long_read(&st_obj_kills), atomic_long_read(&st_updates),
		atomic_long_read(&st_lookup_negative),
		atomic_long_read(&st_lookup_late),
		atomic_long_read(&st_lookup_fail),
		atomic_long_read(&st_obj_drop), atomic_long_read(&st_obj_put),
		atomic_long_read(&st_cache_add),
		atomic_long_read(&st_cache_io_error),
		atomic_long_read(&st_cache_withdraw));
	/* For /init's comparison with fscache_ops' statistics. */
	pr_info("counts label=%s op_initialised=%ld op_submit=%ld op_rejected=%ld op_cancel_pending=%ld op_release=%ld obj_init=%ld obj_free=%ld cache_add=%ld cache_io_error=%ld cache_withdraw=%ld\n",
		label, atomic_long_read(&st_allocated),
		atomic_long_read(&st_submitted), atomic_long_read(&st_refused),
		atomic_long_read(&st_cancel_pending),
		atomic_long_read(&st_released), atomic_long_read(&st_obj_init),
		atomic_long_read(&st_obj_put), atomic_long_read(&st_cache_add),
		atomic_long_read(&st_cache_io_error),
		atomic_long_read(&st_cache_withdraw));
	for (i = 0; i < CK__NR; i++) {
		pr_info("check %s checks=%ld violations=%ld\n", st_check_names[i],
			atomic_long_read(&st_checks[i]),
			atomic_long_read(&st_violations[i]));
		total += atomic_long_read(&st_violations[i]);
	}
	if (total)
		pr_err("FAIL label=%s violations=%ld\n", label, total);
	else
		pr_info("PASS label=%s ops=%lu\n", label, sub);
}

/* The final balance, once everything is gone. */
static void st_final_checks(void)
{
	long sub = atomic_long_read(&st_submitted);
	long done = atomic_long_read(&st_started) +
		    atomic_long_read(&st_cancel_pending) +
		    atomic_long_read(&st_skipped);

	CHECK(CK_OUTCOME, atomic_long_read(&st_allocated) ==
	      atomic_long_read(&st_released), "%ld ops allocated, %ld released",
	      atomic_long_read(&st_allocated), atomic_long_read(&st_released));
	CHECK(CK_OUTCOME, sub == done,
	      "%ld ops accepted, %ld run, cancelled or skipped", sub, done);
	CHECK(CK_PUT, atomic_long_read(&st_obj_init) ==
	      atomic_long_read(&st_obj_put), "%ld objects initialised, %ld put",
	      atomic_long_read(&st_obj_init), atomic_long_read(&st_obj_put));
	CHECK(CK_DROP, atomic_long_read(&st_obj_init) ==
	      atomic_long_read(&st_obj_drop), "%ld objects initialised, %ld dropped",
	      atomic_long_read(&st_obj_init), atomic_long_read(&st_obj_drop));
	CHECK(CK_WITHDRAW, atomic_long_read(&st_cache_add) ==
	      atomic_long_read(&st_cache_withdraw), "%ld caches added, %ld withdrawn",
	      atomic_long_read(&st_cache_add), atomic_long_read(&st_cache_withdraw));
}

/* Wait (interruptibly, in steps) for @cond, up to @secs seconds. */
#define ST_WAIT(cond, secs)						\
({									\
	unsigned long __end = jiffies + (secs) * HZ;			\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		msleep_interruptible(20);				\
	__ok;								\
})

static void st_report(unsigned long ms);

static void st_teardown(void)
{
	unsigned int i, j;

	WRITE_ONCE(st_stop, true);
	wake_up_all(&st_stop_wq);
	if (st_controller)
		kthread_stop(st_controller);
	for (i = 0; i < threads; i++)
		if (st_threads[i].task)
			kthread_stop(st_threads[i].task);
	/* The deferred puts come within a few jiffies. */
	for (i = 0; i < threads; i++) {
		struct st_thread *t = &st_threads[i];

		for (j = 0; j < ST_CARRIERS; j++) {
			ST_WAIT(!atomic_read_acquire(&t->soft[j].busy) &&
				!atomic_read_acquire(&t->hard[j].busy), 30);
			del_timer_sync(&t->soft[j].timer);
			hrtimer_cancel(&t->hard[j].hrtimer);
		}
	}
	for (i = 0; i < objects; i++) {
		struct st_object *o = st_take(i, NULL);

		if (o)
			st_kill(o, i & 1);
	}
	/*
	 * Every op is now finished or cancelled with its object: one not
	 * released is lost (and would hang the withdrawal below).
	 */
	if (!CHECK(CK_OUTCOME, ST_WAIT(atomic_long_read(&st_released) ==
				       atomic_long_read(&st_allocated), 120),
		   "%ld ops allocated, %ld released 120 s after the last object died",
		   atomic_long_read(&st_allocated), atomic_long_read(&st_released)))
		st_report(0);
	for (i = 0; i < ST_NR_CACHES; i++) {
		if (st_caches[i])
			st_cache_retire(st_caches[i], false);
		st_caches[i] = NULL;
	}
	/* Late lookups hold a reference on their object. */
	ST_WAIT(atomic_read(&st_late_lookups) == 0, 60);
	destroy_workqueue(st_wq);
	ST_WAIT(atomic_long_read(&st_released) == atomic_long_read(&st_allocated) &&
		atomic_long_read(&st_obj_put) == atomic_long_read(&st_obj_init), 60);
}

static int __init st_init(void)
{
	unsigned long start = jiffies, last = jiffies, ms;
	unsigned int i, j;
	int ret = -ENOMEM;

	if (!objects || objects > ST_MAX_OBJECTS || !threads ||
	    threads > ST_MAX_THREADS || !ops) {
		pr_err("objects must be 1-%d, threads 1-%d, ops > 0\n",
		       ST_MAX_OBJECTS, ST_MAX_THREADS);
		return -EINVAL;
	}
	st_wq = alloc_workqueue("fscache_ops_stress", WQ_UNBOUND, 0);
	st_slots = kvcalloc(objects, sizeof(*st_slots), GFP_KERNEL);
	st_threads = kvcalloc(threads, sizeof(*st_threads), GFP_KERNEL);
	if (!st_wq || !st_slots || !st_threads)
		goto err;
	for (i = 0; i < objects; i++)
		mutex_init(&st_slots[i].lock);
	for (i = 0; i < ST_NR_CACHES; i++) {
		st_caches[i] = st_cache_new();
		if (!st_caches[i])
			goto err_caches;
	}

	pr_info("start label=%s ops=%lu objects=%u threads=%u cpus=%u seed=%u\n",
		label, ops, objects, threads, num_online_cpus(), seed);
	for (i = 0; i < threads; i++) {
		struct st_thread *t = &st_threads[i];

		t->id = i;
		prandom_seed_state(&t->rnd, seed * 7919ULL + i);
		for (j = 0; j < ST_CARRIERS; j++) {
			timer_setup(&t->soft[j].timer, st_soft_put, 0);
			hrtimer_init(&t->hard[j].hrtimer, CLOCK_MONOTONIC,
				     HRTIMER_MODE_REL_HARD);
			t->hard[j].hrtimer.function = st_hard_put;
		}
		t->task = kthread_run(st_worker, t, "fsops_stress/%u", i);
		if (IS_ERR(t->task)) {
			t->task = NULL;
			pr_err("cannot start thread %u\n", i);
			break;
		}
	}
	if (cache_period_ms) {
		st_controller = kthread_run(st_control, NULL, "fsops_stress_ctl");
		if (IS_ERR(st_controller))
			st_controller = NULL;
	}

	while (!st_target_reached() &&
	       time_before(jiffies, start + time_limit * HZ) &&
	       !signal_pending(current)) {
		msleep_interruptible(200);
		if (time_after(jiffies, last + 10 * HZ)) {
			last = jiffies;
			ms = jiffies_to_msecs(jiffies - start);
			pr_info("progress label=%s ops=%ld seconds=%lu ops_per_s=%lu\n",
				label, atomic_long_read(&st_submitted), ms / 1000,
				atomic_long_read(&st_submitted) * 1000 / (ms ?: 1));
		}
	}
	ms = jiffies_to_msecs(jiffies - start);
	if (!st_target_reached())
		pr_warn("stopped at the time limit (%u s) short of %lu ops\n",
			time_limit, ops);
	st_teardown();
	st_final_checks();
	st_report(ms);
	kvfree(st_threads);
	kvfree(st_slots);
	return 0;

err_caches:
	for (i = 0; i < ST_NR_CACHES; i++)
		if (st_caches[i])
			st_cache_retire(st_caches[i], false);
err:
	if (st_wq)
		destroy_workqueue(st_wq);
	kvfree(st_threads);
	kvfree(st_slots);
	return ret;
}

static void __exit st_exit(void)
{
}

module_init(st_init);
module_exit(st_exit);

MODULE_DESCRIPTION("fscache_ops stress: a random workload checking the manager's invariants");
MODULE_LICENSE("GPL");
FSCACHE_OPS_IMPORT_NS();
