// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FS-Cache asynchronous operation manager.
 *
 * Operations are submitted against an object.  Each object keeps, under its
 * spinlock, a FIFO of deferred operations, the set of its operations in
 * progress and three counters:
 *
 *   n_ops		submitted and not yet finally put
 *   n_in_progress	started and not yet completed
 *   n_exclusive	exclusive, submitted and not yet completed or cancelled
 *
 * with n_ops >= n_in_progress and n_ops >= n_exclusive at all times.  Each
 * counter has exactly one place that drops it: n_ops the retirement of an
 * op after its final put, n_in_progress the completion of an op (explicit,
 * or implied by the final put), n_exclusive that same completion or the
 * cancellation of a pending exclusive op.  Every state change of an op is a
 * transition of op->state made under the object's lock, and each
 * transition is made once; that is what keeps a cancel racing with a
 * completion from counting twice.
 *
 * An op that can run when it is submitted (the object is active, nothing is
 * queued before it and nothing conflicting runs) is started at once;
 * otherwise it joins the FIFO, which holds a reference on it.  Ops leave the
 * FIFO in order: a shareable op may start while no exclusive op runs, an
 * exclusive op once nothing at all runs, and an op that cannot start holds
 * back everything behind it, so exclusive ops are never starved.
 *
 * References: the submitter holds one; fscache_ops holds its own while an op
 * waits in the FIFO and while its work item is queued or running.  The two
 * kinds are counted apart in op->usage (FSCACHE_REF_OWN), so that a backend's
 * put of a reference it does not hold is refused instead of freeing an op
 * under its own queued work item.  A submission claims the op atomically
 * (FSCACHE_OP_I_SUBMITTED) before anything else, so that two racing
 * submissions of one op cannot both go ahead.
 *
 * The lane.  While an object is active, runs no exclusive op, has none
 * pending and its FIFO is empty, a shareable op without a cancel callback
 * needs nothing the lock guards: it starts at once.  Such ops are counted in
 * the object's lane instead (object->lane: an "open" bit and two counts, of
 * ops in progress and of ops not yet released), with one atomic
 * compare-and-exchange to start, one to complete and one to retire, and
 * the lock is not taken.  Whatever needs the true counters closes the lane
 * under the lock first (an exclusive submission, the object ceasing to be
 * active): the close moves the lane's counts into n_in_progress and n_ops
 * in one atomic exchange, and the lane ops so moved (n_lane_xfer) then
 * complete and retire under the lock, as any other op.  The lane is opened
 * again, under the lock, by the next shareable submission that finds none
 * of them left (and nothing else that needs it closed); so a lane op that
 * finds the lane closed knows its counts were moved, and one that finds it
 * open that they were not.  Lane ops are not in the set of ops in
 * progress: fscache_cancel_all_ops() cannot ask them to give up, so they
 * read that from their object's state (fscache_op_is_cancelled()), and a
 * cancellation racing with their completion is ordered by one atomic step
 * on op->iflags (FSCACHE_OP_I_DONE) instead of by the lock.
 *
 * The final put may come from any context, including with the object's lock
 * held (a cancel callback) or from an interrupt.  Unless it is made in
 * process context holding no spinlock (as preemptible() tells; on kernels
 * where it cannot tell, never), it hands the op to its cache's garbage
 * collector, which finishes the accounting and frees it from process
 * context; otherwise it waits for the object's lock and finishes it.  The op
 * is published on the GC list and the GC queued in one hold of the list's
 * lock, so the cache cannot be withdrawn between the two.  The release
 * callback always runs before the op stops counting in n_ops, so no backend
 * callback for an op can run after the object has been dropped.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>
#include "internal.h"

/*
 * fscache_op_debug_id - source of operation debug ids
 *
 * The counter that debug ids are taken from, a block of them at a time for
 * each CPU (below); exported because operations.txt exported it.  (A plain
 * comment: kernel-doc of 6.12 does not document variables.)
 */
atomic_t fscache_op_debug_id;
EXPORT_SYMBOL_NS_GPL(fscache_op_debug_id, FSCACHE_OPS_NS);

/*
 * Debug ids are handed out from per-CPU blocks of fscache_op_debug_id, so
 * that initialising an op does not bounce one cache line between CPUs.
 * A CPU's block is one word (its next id in the low half, one past its last
 * in the high half), taken a step at a time with a per-CPU cmpxchg: safe
 * against an interrupt that initialises an op in between.  A block is only
 * ever installed on one CPU: a new word is built from the CPU's own word or
 * from a fresh block, which is offered to one cmpxchg (and lost, a gap in
 * the ids, if that fails).  So after a migration between the read and the
 * cmpxchg, the other CPU's word compares equal only if neither was ever
 * used (or, after a wrap, both ended at 0): the fresh block is as good
 * there.  Ids no longer rise in the order ops are initialised.
 */
#define FSCACHE_OP_ID_BLOCK	64

static DEFINE_PER_CPU(u64, fscache_op_ids);

/* Give a new op its debug id: unique until the 32-bit counter wraps. */
static unsigned int fscache_op_new_debug_id(void)
{
	u64 old, new;
	u32 next, end;

	do {
		old = this_cpu_read(fscache_op_ids);
		fscache_ops_test_point(FSCACHE_TP_DEBUG_ID_READ, NULL);
		next = lower_32_bits(old);
		end = upper_32_bits(old);
		if (next == end) {
			/* Used up (or never used): (V - BLOCK, V] is ours. */
			end = (u32)atomic_add_return(FSCACHE_OP_ID_BLOCK,
						     &fscache_op_debug_id) + 1;
			next = end - FSCACHE_OP_ID_BLOCK;
		}
		new = (u64)end << 32 | (u32)(next + 1);
	} while (this_cpu_cmpxchg(fscache_op_ids, old, new) != old);
	return next;
}

static void fscache_op_work_func(struct work_struct *work);
static __always_inline void
fscache_op_done_locked(struct fscache_object *object,
		       struct fscache_operation *op, bool cancelled);
static void fscache_op_unqueue_locked(struct fscache_object *object,
				      struct fscache_operation *op);
static void fscache_lane_done(struct fscache_object *object,
			      struct fscache_operation *op, bool cancelled);
static __always_inline void
fscache_op_stopped_locked(struct fscache_object *object, bool exclusive);
static __always_inline void fscache_op_ended(struct fscache_object *object,
					     struct fscache_operation *op,
					     bool cancelled);

/*
 * Where a final put is made, and so whether it may finish its op there:
 * wait for the object's lock and call the release callback.
 */
enum fscache_put_ctx {
	FSCACHE_PUT_LOCKED,	/* we hold the object's lock: defer */
	FSCACHE_PUT_CLEAN,	/* our own call site, holding no lock */
	FSCACHE_PUT_BACKEND,	/* the backend's: it depends */
};

/*
 * May a backend's final put finish its op here?  Only in process context
 * holding no spinlock.  Otherwise it could run a release callback under a
 * lock of ours (a put made in a cancel callback), take an object's lock
 * from an interrupt, or wait for the object's lock while holding a backend
 * lock that a cancel callback, run under the object's lock, takes (ABBA).
 * Only preemptible() can tell, and only with CONFIG_PREEMPT_COUNT and
 * without PREEMPT_RT (whose spinlocks leave it true): elsewhere every
 * backend's final put goes through the GC.
 */
static bool fscache_op_may_retire_here(void)
{
	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT) || IS_ENABLED(CONFIG_PREEMPT_RT))
		return false;
	return preemptible();
}

#if IS_ENABLED(CONFIG_FSCACHE_OPS_DEBUG)
/*
 * The ops in use, from their submission's claim to their release, by
 * address (divided by their size): fscache_operation_init() of one of
 * them is a backend's mistake that it could not tell from the garbage of
 * a new allocation otherwise.  Entries are added at submission and
 * removed by a refused submission or by retirement, all in process
 * context.
 */
static DEFINE_XARRAY(fscache_ops_in_use);

/*
 * Ops in use do not overlap, so their addresses divided by their size
 * differ: the index is unique to an op, and ops that lie close (in one
 * slab page) share the xarray's nodes instead of allocating one each.
 */
static unsigned long fscache_op_index(const struct fscache_operation *op)
{
	return (unsigned long)op / sizeof(*op);
}

/* The op is claimed by a submission (best effort: no memory, no record). */
static void fscache_op_track(struct fscache_operation *op)
{
	if (xa_is_err(xa_store(&fscache_ops_in_use, fscache_op_index(op),
			       xa_mk_value(0), GFP_NOWAIT | __GFP_NOWARN)))
		pr_warn_once("no memory to track an op in use: a re-init may go unnoticed\n");
}

/* The op is the backend's again: refused, or about to be released. */
static void fscache_op_untrack(struct fscache_operation *op)
{
	xa_erase(&fscache_ops_in_use, fscache_op_index(op));
}

static bool fscache_op_in_use(const struct fscache_operation *op)
{
	return !!xa_load(&fscache_ops_in_use, fscache_op_index(op));
}

/**
 * fscache_op_tracking_exit - forget the ops in use, at module exit
 *
 * None should be left: every backend has gone, and with it its ops.
 */
void fscache_op_tracking_exit(void)
{
	WARN_ONCE(!xa_empty(&fscache_ops_in_use),
		  "fscache_ops: ops still in use at exit\n");
	xa_destroy(&fscache_ops_in_use);
}
#else
static void fscache_op_track(struct fscache_operation *op) {}
static void fscache_op_untrack(struct fscache_operation *op) {}
static bool fscache_op_in_use(const struct fscache_operation *op)
{
	return false;
}
#endif

static void fscache_op_call_cancel(struct fscache_operation *op)
{
	if (op->cancel)
		op->cancel(op);
}

#define ST(x)	BIT(FSCACHE_OP_ST_##x)

static const char *const fscache_op_state_names[] = {
	[FSCACHE_OP_ST_BLANK]		= "BLANK",
	[FSCACHE_OP_ST_INITIALISED]	= "INITIALISED",
	[FSCACHE_OP_ST_PENDING]		= "PENDING",
	[FSCACHE_OP_ST_IN_PROGRESS]	= "IN_PROGRESS",
	[FSCACHE_OP_ST_COMPLETE]	= "COMPLETE",
	[FSCACHE_OP_ST_CANCELLED]	= "CANCELLED",
	[FSCACHE_OP_ST_DEAD]		= "DEAD",
};

/*
 * Move an op to another state.  Every transition names the states it may
 * start from; any other is a bug of ours (a backend's mistakes are caught
 * before they get here), reported once.  Inlined: the hot path has no call
 * to spare.
 */
static __always_inline void fscache_op_set_state(struct fscache_operation *op,
						 unsigned long from,
						 enum fscache_operation_state to)
{
	enum fscache_operation_state cur = op->state;

	WARN_ONCE(cur >= ARRAY_SIZE(fscache_op_state_names) || !(BIT(cur) & from),
		  "fscache_ops: OP%x: transition from state %u to %s\n",
		  op->debug_id, cur, fscache_op_state_names[to]);
	WRITE_ONCE(op->state, to);
}

/* The name of an op state, for debugfs. */
const char *fscache_op_state_name(unsigned int state)
{
	if (state >= ARRAY_SIZE(fscache_op_state_names))
		return "??";
	return fscache_op_state_names[state];
}

static unsigned int fscache_op_type(const struct fscache_operation *op)
{
	return op->flags & FSCACHE_OP_TYPE;
}

static struct workqueue_struct *fscache_op_wq(const struct fscache_operation *op)
{
	switch (fscache_op_type(op)) {
	case FSCACHE_OP_FAST:
		return fscache_ops_fast_wq;
	case FSCACHE_OP_SLOW:
		return fscache_ops_slow_wq;
	default:
		return NULL;
	}
}

/**
 * fscache_operation_init - initialise an operation record
 * @op: the operation, usually embedded in the backend's own record
 * @release: its destructor, or NULL if @op was kmalloc()'d on its own
 *
 * Sets the reference count to one, gives the op a debug id and makes it
 * ready for submission.  The type (%FSCACHE_OP_TYPE bits), exclusivity and
 * %FSCACHE_OP_WAITING flags of @op->flags are left as the caller set them;
 * set them, the processor and the cancel callback before submitting.
 *
 * @op may be new memory, or an op whose release callback has run.  The
 * init of an op still in use (submitted and not yet released) is a mistake
 * that would corrupt its object's lists; with %CONFIG_FSCACHE_OPS_DEBUG it
 * is refused with a warning and leaves @op as it was.
 */
void fscache_operation_init(struct fscache_operation *op,
			    fscache_operation_release_t release)
{
	if (fscache_misuse(fscache_op_in_use(op), "init of OP%x, which is in use",
			   op->debug_id))
		return;
	INIT_WORK(&op->work, fscache_op_work_func);
	INIT_LIST_HEAD(&op->pend_link);
	op->object = NULL;
	op->flags &= ~BIT(FSCACHE_OP_DEAD);
	op->iflags = 0;
	op->release = release;
	op->debug_id = fscache_op_new_debug_id();
	refcount_set(&op->usage, 1);
	WRITE_ONCE(op->state, FSCACHE_OP_ST_INITIALISED);
	fscache_stat(FSCACHE_STAT_OP_INITIALISED);
	trace_fscache_op(op, NULL, fscache_op_trace_init);
}
EXPORT_SYMBOL_NS_GPL(fscache_operation_init, FSCACHE_OPS_NS);

/**
 * fscache_operation_init_fast - make an operation a FAST asynchronous one
 * @op: the operation, already passed to fscache_operation_init()
 * @processor: what to run; it must not sleep
 *
 * The processor will be called on a bound (per-CPU) workqueue.  With
 * CONFIG_DEBUG_ATOMIC_SLEEP it runs with preemption disabled, so that a
 * processor that sleeps is reported.
 */
void fscache_operation_init_fast(struct fscache_operation *op,
				 fscache_operation_processor_t processor)
{
	op->processor = processor;
	op->flags = (op->flags & ~FSCACHE_OP_TYPE) | FSCACHE_OP_FAST;
}
EXPORT_SYMBOL_NS_GPL(fscache_operation_init_fast, FSCACHE_OPS_NS);

/**
 * fscache_operation_init_slow - make an operation a SLOW asynchronous one
 * @op: the operation, already passed to fscache_operation_init()
 * @processor: what to run; it may sleep on I/O
 *
 * The processor will be called on the module's unbound workqueue.
 */
void fscache_operation_init_slow(struct fscache_operation *op,
				 fscache_operation_processor_t processor)
{
	op->processor = processor;
	op->flags = (op->flags & ~FSCACHE_OP_TYPE) | FSCACHE_OP_SLOW;
}
EXPORT_SYMBOL_NS_GPL(fscache_operation_init_slow, FSCACHE_OPS_NS);

/**
 * fscache_lane_close - make an object's counters exact
 * @object: the object, whose lock the caller holds
 *
 * Moves what the lane counts into n_in_progress and n_ops, and keeps the
 * lane closed until the ops so moved are released: from now on they
 * complete and retire under the lock.
 */
void fscache_lane_close(struct fscache_object *object)
{
	s64 v;

	lockdep_assert_held(&object->lock);

	if (!atomic64_read(&object->lane))
		return;
	v = atomic64_xchg(&object->lane, 0);
	object->n_in_progress += fscache_lane_in_progress(v);
	object->n_ops += fscache_lane_alive(v);
	object->n_lane_xfer += fscache_lane_alive(v);
}

/**
 * fscache_lane_try_open - open an object's lane if nothing needs it closed
 * @object: the object, whose lock the caller holds
 *
 * Called when the object becomes active and by each submission that takes
 * the lock (an exclusive one finds itself keeping the lane closed): lazily,
 * so that an object that only ever runs exclusive ops does not open and
 * close its lane around each of them.
 */
void fscache_lane_try_open(struct fscache_object *object)
{
	lockdep_assert_held(&object->lock);

	if (object->n_lane_xfer || object->n_exclusive ||
	    !list_empty(&object->pending_ops) ||
	    !fscache_object_is_active(object) ||
	    atomic64_read(&object->lane))
		return;
	atomic64_set_release(&object->lane, FSCACHE_LANE_OPEN);
}

/* Count a new op on the lane, if the lane is open and has room. */
static __always_inline bool fscache_lane_enter(struct fscache_object *object)
{
	s64 v = atomic64_read(&object->lane);

	do {
		if (!(v & FSCACHE_LANE_OPEN) ||
		    fscache_lane_in_progress(v) >= FSCACHE_LANE_MAX ||
		    fscache_lane_alive(v) >= FSCACHE_LANE_MAX)
			return false;
	} while (!atomic64_try_cmpxchg(&object->lane, &v,
				       v + FSCACHE_LANE_R1 + FSCACHE_LANE_A1));
	return true;
}

/*
 * Take @delta off an open lane.  Returns false, changing nothing, if the
 * lane is closed: a close moved this op's count under the lock.  Once it
 * returns true, the object may be gone.
 */
static __always_inline bool fscache_lane_leave(struct fscache_object *object,
					       s64 delta)
{
	s64 v = atomic64_read(&object->lane);

	do {
		if (!(v & FSCACHE_LANE_OPEN))
			return false;
	} while (!atomic64_try_cmpxchg(&object->lane, &v, v - delta));
	return true;
}

/*
 * Decide how a lane op ends, once and for all: cancelled if the completion
 * says so, if it was asked to give up, or if its object is dying now (what
 * fscache_cancel_all_ops() would have asked of it); else completed.  One
 * atomic step on op->iflags records it (FSCACHE_OP_I_DONE, with
 * FSCACHE_OP_I_CANCEL_REQ for a cancelled end) and orders it against
 * fscache_lane_cancel().  Returns false if its end was decided already.
 */
static bool fscache_lane_decide(struct fscache_object *object,
				struct fscache_operation *op, bool *cancelled)
{
	unsigned long old = READ_ONCE(op->iflags), new;
	bool give_up = *cancelled || fscache_object_is_dying(object);

	do {
		if (old & BIT(FSCACHE_OP_I_DONE))
			return false;
		new = old | BIT(FSCACHE_OP_I_DONE);
		if (give_up)
			new |= BIT(FSCACHE_OP_I_CANCEL_REQ);
	} while (!try_cmpxchg(&op->iflags, &old, new));
	*cancelled = new & BIT(FSCACHE_OP_I_CANCEL_REQ);
	return true;
}

/* Free an op whose last reference is gone. */
static void fscache_op_free(struct fscache_operation *op)
{
	if (op->release)
		op->release(op);
	else
		kfree(op);
}

/* An op stops counting in n_ops, after its release. */
static void fscache_op_uncount_locked(struct fscache_object *object)
{
	lockdep_assert_held(&object->lock);

	if (!WARN_ON_ONCE(object->n_ops == 0) && --object->n_ops == 0) {
		object->n_cleared++;
		fscache_stat(FSCACHE_STAT_EV_CLEARED);
		/*
		 * Only a dying object waits for the event; a live one would
		 * drop it.  One that starts to die later looks at n_ops
		 * itself, under this lock (fscache_kill_object()).
		 */
		if (fscache_object_is_dying(object))
			fscache_raise_event(object, FSCACHE_OBJECT_EV_CLEARED);
	}
}

/*
 * Finish an op whose last reference is gone.  Called with object->lock held;
 * returns with it released.  The op is released while it still counts in
 * n_ops, so the object cannot be dropped under the release callback.
 */
static __always_inline void fscache_op_retire(struct fscache_object *object,
					      struct fscache_operation *op)
	__releases(&object->lock)
{
	lockdep_assert_held(&object->lock);

	switch (op->state) {
	case FSCACHE_OP_ST_IN_PROGRESS:
		/* Operations.txt: putting a started op completes it. */
		fscache_op_done_locked(object, op, false);
		break;
	case FSCACHE_OP_ST_PENDING:
		/*
		 * The FIFO holds a reference of ours, which no backend put can
		 * drop, so this is a bug of ours.  Still leave nothing behind:
		 * a waiter is woken and what the op held back may start.
		 */
		WARN_ONCE(1, "fscache_ops: OP%x retired while pending\n",
			  op->debug_id);
		fscache_op_unqueue_locked(object, op);
		fscache_start_operations(object);
		break;
	default:
		break;
	}
	fscache_op_set_state(op, ST(COMPLETE) | ST(CANCELLED), FSCACHE_OP_ST_DEAD);
	spin_unlock(&object->lock);

	/* Off the GC's list, done with by us: the backend's again. */
	fscache_op_untrack(op);
	trace_fscache_op(op, object, fscache_op_trace_release);
	fscache_op_free(op);

	spin_lock(&object->lock);
	fscache_op_uncount_locked(object);
	spin_unlock(&object->lock);
}

/*
 * Finish a lane op whose last reference is gone, where a final put may: as
 * fscache_op_retire(), but the op leaves the lane in one atomic step, after
 * its release, unless a close moved its counts: then under the lock.  The
 * op is released while it still counts; an op still in progress then
 * stops counting as such only with it, which may hold back a conflicting
 * op for the length of a release callback, never lets one overlap.
 */
static void fscache_lane_retire(struct fscache_object *object,
				struct fscache_operation *op)
{
	bool cancelled = false, in_progress;
	s64 delta = FSCACHE_LANE_A1;

	/*
	 * Claimed atomically even though no reference is left: a completion
	 * a backend makes without one (a mistake) must not count twice.
	 */
	in_progress = fscache_lane_decide(object, op, &cancelled);
	if (in_progress) {
		/* Operations.txt: putting a started op completes it. */
		fscache_op_ended(object, op, cancelled);
		delta += FSCACHE_LANE_R1;
	}
	fscache_op_set_state(op, ST(COMPLETE) | ST(CANCELLED), FSCACHE_OP_ST_DEAD);

	fscache_op_untrack(op);
	trace_fscache_op(op, object, fscache_op_trace_release);
	fscache_op_free(op);

	if (fscache_lane_leave(object, delta))
		return;
	spin_lock(&object->lock);
	if (in_progress)
		fscache_op_stopped_locked(object, false);
	if (!WARN_ON_ONCE(object->n_lane_xfer == 0))
		object->n_lane_xfer--;
	fscache_op_uncount_locked(object);
	spin_unlock(&object->lock);
}

/*
 * Hand an op to its cache's garbage collector.  The op is published and the
 * GC queued under the list lock: the GC takes that lock before it can retire
 * the op, so by the time the op stops counting in n_ops (and the object, and
 * then the cache, may go) the GC is queued, and withdrawal's flush_work()
 * waits for it.  Publishing first and queueing after the unlock would let a
 * GC run queued by another deferral retire the op, the cache be withdrawn
 * and freed, and this CPU then queue a work item inside freed memory.
 */
static void fscache_op_defer_release(struct fscache_object *object,
				     struct fscache_operation *op)
{
	struct fscache_cache *cache = object->cache;
	unsigned long flags;

	fscache_stat(FSCACHE_STAT_OP_DEFERRED_RELEASE);
	trace_fscache_op(op, object, fscache_op_trace_put_defer);
	raw_spin_lock_irqsave(&cache->op_gc_list_lock, flags);
	/* Unqueued for good (each queueing holds a reference): free to use. */
	list_add_tail(&op->work.entry, &cache->op_gc_list);
	fscache_ops_test_point(FSCACHE_TP_DEFER_PUBLISHED, op);
	queue_work(fscache_ops_fast_wq, &cache->op_gc);
	raw_spin_unlock_irqrestore(&cache->op_gc_list_lock, flags);
}

/* The last reference to @op has gone. */
static void fscache_op_final_put(struct fscache_operation *op,
				 enum fscache_put_ctx ctx)
{
	struct fscache_object *object = op->object;

	/* No one else may touch the op now: no need for an atomic. */
	__set_bit(FSCACHE_OP_DEAD, &op->flags);
	fscache_stat(FSCACHE_STAT_OP_RELEASE);
	trace_fscache_op(op, object, fscache_op_trace_put_final);

	if (!object) {
		/* Never submitted, or refused. */
		fscache_op_set_state(op, ST(INITIALISED), FSCACHE_OP_ST_DEAD);
		fscache_op_free(op);
		return;
	}

	/*
	 * We may have been called with the object's lock held, or from a
	 * context where we may not finish the op: then the GC does.
	 */
	if (ctx == FSCACHE_PUT_LOCKED ||
	    (ctx == FSCACHE_PUT_BACKEND && !fscache_op_may_retire_here())) {
		fscache_op_defer_release(object, op);
		return;
	}
	if (test_bit(FSCACHE_OP_I_LANE, &op->iflags)) {
		fscache_lane_retire(object, op);
		return;
	}
	/*
	 * We hold no spinlock, so waiting for the object's lock cannot
	 * deadlock (its holders never sleep nor wait for anything we could
	 * hold), and a busy object does not send every final put to the GC.
	 */
	spin_lock(&object->lock);
	fscache_op_retire(object, op);
}

/**
 * fscache_get_operation - take a reference on an operation
 * @op: the operation, on which the caller already holds a reference
 *
 * The new reference is the caller's, to be dropped with
 * fscache_put_operation().  A get of an op with no reference left, or with
 * %FSCACHE_REF_MASK of the backend's already, is refused with a warning.
 *
 * Context: any.
 */
void fscache_get_operation(struct fscache_operation *op)
{
	fscache_misuse(fscache_get_backend_ref(&op->usage),
		       "get of OP%x refused: no reference left, or too many",
		       op->debug_id);
}
EXPORT_SYMBOL_NS_GPL(fscache_get_operation, FSCACHE_OPS_NS);

/* Take a reference of fscache_ops' own (the FIFO's, a work item's). */
static void fscache_op_get_own(struct fscache_operation *op)
{
	refcount_add(FSCACHE_REF_OWN, &op->usage);
}

/* Drop a reference of fscache_ops' own. */
static void fscache_op_put_own(struct fscache_operation *op,
			       enum fscache_put_ctx ctx)
{
	if (refcount_sub_and_test(FSCACHE_REF_OWN, &op->usage))
		fscache_op_final_put(op, ctx);
}

/**
 * fscache_put_operation - drop a reference to an operation
 * @op: the operation
 *
 * The final put of a started operation completes it, as operations.txt
 * describes, which may start operations waiting behind it.  The final put
 * then releases the op (through its release callback, or kfree() when it
 * has none) and drops its claim on the object; when that makes the object
 * idle, the object is sent %FSCACHE_OBJECT_EV_CLEARED.
 *
 * May be called from any context.  Unless it is made in process context
 * holding no spinlock, the work is handed to the cache's garbage collector.
 * A put of a
 * reference the caller does not hold (when only fscache_ops' own remain:
 * the pending FIFO's, a queued work item's) is refused with a warning.
 */
void fscache_put_operation(struct fscache_operation *op)
{
	int ret;

	if (fscache_misuse(!refcount_read(&op->usage) ||
			   READ_ONCE(op->state) == FSCACHE_OP_ST_DEAD,
			   "put of dead OP%x", op->debug_id))
		return;
	fscache_ops_test_point(FSCACHE_TP_PUT_CHECKED, op);
	ret = fscache_put_backend_ref(&op->usage);
	if (fscache_misuse(ret < 0, "put of OP%x, of which the caller holds no reference",
			   op->debug_id))
		return;
	if (ret)
		fscache_op_final_put(op, FSCACHE_PUT_BACKEND);
}
EXPORT_SYMBOL_NS_GPL(fscache_put_operation, FSCACHE_OPS_NS);

/* Queue a started op on its workqueue.  The caller gives us one reference. */
static void fscache_op_queue(struct fscache_operation *op,
			     struct workqueue_struct *wq,
			     enum fscache_put_ctx ctx)
{
	fscache_stat(FSCACHE_STAT_OP_ENQUEUE);
	trace_fscache_op(op, op->object, fscache_op_trace_enqueue);
	if (queue_work(wq, &op->work))
		return;
	/* Already queued: that queueing holds a reference of its own. */
	fscache_stat(FSCACHE_STAT_OP_ENQUEUE_DUP);
	trace_fscache_op(op, op->object, fscache_op_trace_enqueue_dup);
	fscache_op_put_own(op, ctx);
}

/*
 * Start an op.  If it came off the pending FIFO, the FIFO's reference goes to
 * the workqueue (or is dropped for a MYTHREAD op, whose submitter holds one).
 * An asynchronous op off the FIFO is queued here; one started by its
 * submission is returned with its work item's reference taken, for
 * fscache_submit() to queue once it has dropped the object's lock.
 */
static __always_inline struct workqueue_struct *
fscache_run_op(struct fscache_object *object, struct fscache_operation *op,
	       bool from_fifo)
{
	struct workqueue_struct *wq = fscache_op_wq(op);

	lockdep_assert_held(&object->lock);

	/*
	 * The ops in progress are an unordered set: an hlist, whose add and
	 * delete cost no list validation on the hot path.
	 */
	if (from_fifo)
		list_del(&op->pend_link);
	hlist_add_head(&op->run_link, &object->in_progress_ops);
	fscache_op_set_state(op, from_fifo ? ST(PENDING) : ST(INITIALISED),
			     FSCACHE_OP_ST_IN_PROGRESS);
	object->n_in_progress++;
	if (test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags))
		set_bit(FSCACHE_OBJECT_EXCL_RUNNING, &object->flags);
	fscache_stat(FSCACHE_STAT_OP_RUN);
	trace_fscache_op(op, object, fscache_op_trace_start);

	if (wq) {
		/* Wake first: once queued, the op may be gone at any moment. */
		if (test_bit(FSCACHE_OP_WAITING, &op->flags))
			clear_and_wake_up_bit(FSCACHE_OP_WAITING, &op->flags);
		if (!from_fifo) {
			fscache_op_get_own(op);
			return wq;
		}
		fscache_op_queue(op, wq, FSCACHE_PUT_LOCKED);
	} else {
		fscache_hist_wait(op, fscache_hist_clock());
		/*
		 * The submitter holds a reference of its own; drop the FIFO's
		 * before waking it, so that its put is the final one.
		 */
		if (from_fifo)
			fscache_op_put_own(op, FSCACHE_PUT_LOCKED);
		if (test_bit(FSCACHE_OP_WAITING, &op->flags))
			clear_and_wake_up_bit(FSCACHE_OP_WAITING, &op->flags);
	}
	return NULL;
}

/**
 * fscache_start_operations - start what can start from an object's FIFO
 * @object: the object, whose lock the caller holds
 *
 * Starts ops from the head of the FIFO while they may run: shareable ones
 * while no exclusive op runs, an exclusive one only when nothing runs (and
 * then nothing after it).
 */
void fscache_start_operations(struct fscache_object *object)
{
	struct fscache_operation *op;

	lockdep_assert_held(&object->lock);

	if (!fscache_object_is_active(object))
		return;

	while ((op = list_first_entry_or_null(&object->pending_ops,
					      struct fscache_operation,
					      pend_link))) {
		if (test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags)) {
			if (object->n_in_progress > 0)
				break;
			fscache_run_op(object, op, true);
			break;
		}
		if (test_bit(FSCACHE_OBJECT_EXCL_RUNNING, &object->flags))
			break;
		fscache_run_op(object, op, true);
	}
}

/*
 * A started op of @object's (@exclusive, or not) no longer counts as in
 * progress: what waited for that may start.
 */
static __always_inline void
fscache_op_stopped_locked(struct fscache_object *object, bool exclusive)
{
	lockdep_assert_held(&object->lock);

	object->n_in_progress--;
	if (exclusive) {
		object->n_exclusive--;
		clear_bit(FSCACHE_OBJECT_EXCL_RUNNING, &object->flags);
	}
	/* Usually nothing waits: then save the call. */
	if (object->n_in_progress == 0 && !list_empty(&object->pending_ops))
		fscache_start_operations(object);
}

/* Record how a started op ended. */
static __always_inline void fscache_op_ended(struct fscache_object *object,
					     struct fscache_operation *op,
					     bool cancelled)
{
	fscache_op_set_state(op, ST(IN_PROGRESS),
			     cancelled ? FSCACHE_OP_ST_CANCELLED :
					 FSCACHE_OP_ST_COMPLETE);
	fscache_stat(cancelled ? FSCACHE_STAT_OP_CANCELLED :
				 FSCACHE_STAT_OP_COMPLETE);
	trace_fscache_op(op, object, cancelled ? fscache_op_trace_cancelled :
						 fscache_op_trace_complete);
}

/*
 * Complete a started op; it ends CANCELLED if @cancelled or if cancellation
 * was requested while it was in progress (or, for a lane op, if its object
 * is dying).
 */
static __always_inline void
fscache_op_done_locked(struct fscache_object *object,
		       struct fscache_operation *op, bool cancelled)
{
	lockdep_assert_held(&object->lock);

	cancelled |= test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags);
	/* (A lane op's end was decided by fscache_lane_decide().) */
	if (!test_bit(FSCACHE_OP_I_LANE, &op->iflags))
		hlist_del_init(&op->run_link);
	fscache_op_ended(object, op, cancelled);
	fscache_op_stopped_locked(object,
				  test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags));
}

/* Complete a lane op whose end fscache_lane_decide() has just decided. */
static void fscache_lane_done(struct fscache_object *object,
			      struct fscache_operation *op, bool cancelled)
{
	if (fscache_lane_leave(object, FSCACHE_LANE_R1)) {
		fscache_op_ended(object, op, cancelled);
		return;
	}
	spin_lock(&object->lock);
	fscache_op_done_locked(object, op, cancelled);
	spin_unlock(&object->lock);
}

/* Account for the cancellation of an op that never started. */
static void fscache_op_cancelled_locked(struct fscache_object *object,
					struct fscache_operation *op)
{
	fscache_op_set_state(op, ST(PENDING), FSCACHE_OP_ST_CANCELLED);
	fscache_stat(FSCACHE_STAT_OP_CANCELLED);
	fscache_stat(FSCACHE_STAT_OP_CANCEL_PENDING);
	trace_fscache_op(op, object, fscache_op_trace_cancel_pending);
	if (test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags))
		object->n_exclusive--;
}

/*
 * Ask an op in progress to give up: fscache_op_is_cancelled() says so from
 * now on, its processor is skipped if it has not begun, and it will end
 * CANCELLED.  It keeps its claim on the object until it completes.
 */
static void fscache_request_cancel_locked(struct fscache_operation *op)
{
	trace_fscache_op(op, op->object, fscache_op_trace_cancel_req);
	if (!test_and_set_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags))
		fscache_op_call_cancel(op);
}

/*
 * Take a pending op off the FIFO, cancelled: its cancel callback is called
 * and a submitter waiting for it is woken.  The FIFO's reference is the
 * caller's to drop.
 */
static void fscache_op_unqueue_locked(struct fscache_object *object,
				      struct fscache_operation *op)
{
	list_del_init(&op->pend_link);
	fscache_op_cancelled_locked(object, op);
	fscache_op_call_cancel(op);
	if (test_bit(FSCACHE_OP_WAITING, &op->flags))
		clear_and_wake_up_bit(FSCACHE_OP_WAITING, &op->flags);
}

/* Cancel a pending op; drops the FIFO's reference. */
static void fscache_cancel_pending_locked(struct fscache_object *object,
					  struct fscache_operation *op)
{
	fscache_op_unqueue_locked(object, op);
	fscache_op_put_own(op, FSCACHE_PUT_LOCKED);
}

/*
 * Check that an op may be submitted.  Returns the error to give the backend,
 * or 0.
 */
static int fscache_check_submission(struct fscache_object *object,
				    struct fscache_operation *op)
{
	unsigned int type = fscache_op_type(op);

	if (fscache_misuse(op->state != FSCACHE_OP_ST_INITIALISED ||
			   !refcount_read(&op->usage),
			   "OP%x submitted in state %u", op->debug_id, op->state))
		return -EINVAL;
	if (fscache_misuse(type != FSCACHE_OP_FAST && type != FSCACHE_OP_SLOW &&
			   type != FSCACHE_OP_MYTHREAD,
			   "OP%x has unknown type %#lx", op->debug_id, op->flags))
		return -EINVAL;
	if (fscache_misuse(type != FSCACHE_OP_MYTHREAD && !op->processor,
			   "asynchronous OP%x has no processor", op->debug_id))
		return -EINVAL;
	/*
	 * Its work item is ours: each queueing of it holds a reference, and
	 * once the last is gone its list entry links the op for the GC.
	 */
	if (fscache_misuse(op->work.func != fscache_op_work_func,
			   "OP%x's work item was reused by the backend",
			   op->debug_id))
		return -EINVAL;
	return 0;
}

/*
 * Undo fscache_lane_enter() for an op that will not start, under the lock:
 * off the lane if it is still open, else off the counters a close moved
 * its counts to.
 */
static void fscache_lane_unenter(struct fscache_object *object)
{
	lockdep_assert_held(&object->lock);

	if (fscache_lane_leave(object, FSCACHE_LANE_R1 + FSCACHE_LANE_A1))
		return;
	if (!WARN_ON_ONCE(object->n_lane_xfer == 0))
		object->n_lane_xfer--;
	fscache_op_stopped_locked(object, false);
	fscache_op_uncount_locked(object);
}

/*
 * Start an op that fscache_lane_enter() counted on its object's lane, as
 * fscache_run_op() starts one under the lock.
 */
static __always_inline void fscache_lane_run(struct fscache_object *object,
					     struct fscache_operation *op)
{
	struct workqueue_struct *wq = fscache_op_wq(op);

	/*
	 * From here on a cancellation or completion may find the op: one
	 * that finds it INITIALISED knows it is a lane op on its way in
	 * (fscache_op_path()).
	 */
	WRITE_ONCE(op->object, object);
	fscache_ops_test_point(FSCACHE_TP_LANE_RUN, op);
	/* Whoever sees it on the lane sees its object... */
	smp_mb__before_atomic();
	set_bit(FSCACHE_OP_I_LANE, &op->iflags);
	/* ... and whoever sees it in progress, on the lane (fscache_op_path()). */
	smp_mb__after_atomic();
	fscache_stat(FSCACHE_STAT_OP_SUBMIT);
	trace_fscache_op(op, object, fscache_op_trace_submit_run);
	fscache_op_set_state(op, ST(INITIALISED), FSCACHE_OP_ST_IN_PROGRESS);
	fscache_stat(FSCACHE_STAT_OP_RUN);
	trace_fscache_op(op, object, fscache_op_trace_start);

	if (wq) {
		/* Wake first: once queued, the op may be gone at any moment. */
		if (test_bit(FSCACHE_OP_WAITING, &op->flags))
			clear_and_wake_up_bit(FSCACHE_OP_WAITING, &op->flags);
		fscache_op_get_own(op);
		fscache_ops_test_point(FSCACHE_TP_SUBMIT_STARTED, op);
		fscache_op_queue(op, wq, FSCACHE_PUT_BACKEND);
	} else {
		fscache_hist_wait(op, fscache_hist_clock());
		if (test_bit(FSCACHE_OP_WAITING, &op->flags))
			clear_and_wake_up_bit(FSCACHE_OP_WAITING, &op->flags);
	}
}

static __always_inline int fscache_submit(struct fscache_object *object,
					  struct fscache_operation *op,
					  bool exclusive)
{
	struct workqueue_struct *wq = NULL;
	int ret;

	if (fscache_misuse(!object || !object->cache,
			   "OP%x submitted to an uninitialised object",
			   op->debug_id))
		return -EINVAL;
	/*
	 * The lane takes no lock, so a submission from an interrupt would
	 * mostly work, and deadlock on the object's lock on the day the lane
	 * is closed: refuse it every time, and tell lockdep about the lock
	 * even when it is not taken.
	 */
	if (fscache_misuse(!in_task(), "OP%x submitted from interrupt context",
			   op->debug_id))
		return -EINVAL;
	lockdep_assert_irqs_enabled();
	lockdep_assert_not_held(&object->lock);
	might_lock(&object->lock);
	/*
	 * Claim the op before looking at it: of two racing submissions of one
	 * op, only one may go on to count it in the object and queue it.
	 */
	if (fscache_misuse(test_and_set_bit_lock(FSCACHE_OP_I_SUBMITTED,
						 &op->iflags),
			   "OP%x submitted twice", op->debug_id))
		return -EINVAL;
	fscache_op_track(op);
	ret = fscache_check_submission(object, op);
	if (ret)
		goto unclaim;
	fscache_ops_test_point(FSCACHE_TP_SUBMIT_CLAIMED, op);

	if (exclusive)
		set_bit(FSCACHE_OP_EXCLUSIVE, &op->flags);
	else
		exclusive = test_bit(FSCACHE_OP_EXCLUSIVE, &op->flags);
	/* From here on, what the backend does to op->flags changes nothing. */
	if (test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags) != exclusive)
		assign_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags, exclusive);

	fscache_op_stamp(op);
	/*
	 * Nothing of the object's is looked at before the lane is entered: a
	 * dead object's cache may be gone.  Once entered, the object cannot
	 * die, nor its cache go, before this op leaves: then a cache's I/O
	 * error, which makes its objects inactive without their lock, is
	 * checked, and sends the op back (to be refused under the lock).
	 */
	if (!exclusive && !op->cancel && fscache_lane_enter(object)) {
		if (likely(!test_bit(FSCACHE_IOERROR, &object->cache->flags))) {
			fscache_lane_run(object, op);
			return 0;
		}
		spin_lock(&object->lock);
		fscache_lane_unenter(object);
	} else {
		spin_lock(&object->lock);
	}
	/* An exclusive op must see every op in progress. */
	if (exclusive)
		fscache_lane_close(object);
	WARN_ON_ONCE(object->n_ops < object->n_in_progress ||
		     object->n_ops < object->n_exclusive);

	if (fscache_object_is_active(object)) {
		WRITE_ONCE(op->object, object);
		object->n_ops++;
		fscache_stat(FSCACHE_STAT_OP_SUBMIT);
		if (exclusive)
			object->n_exclusive++;
		if (list_empty(&object->pending_ops) &&
		    (exclusive ? object->n_in_progress == 0 :
		     !test_bit(FSCACHE_OBJECT_EXCL_RUNNING, &object->flags))) {
			trace_fscache_op(op, object, fscache_op_trace_submit_run);
			wq = fscache_run_op(object, op, false);
			goto out;
		}
	} else if (object->state < FSCACHE_OBJECT_ACTIVE &&
		   !test_bit(FSCACHE_IOERROR, &object->cache->flags) &&
		   !test_bit(FSCACHE_CACHE_WITHDRAWN, &object->cache->flags)) {
		/* Being looked up or created: defer. */
		WRITE_ONCE(op->object, object);
		object->n_ops++;
		fscache_stat(FSCACHE_STAT_OP_SUBMIT);
		if (exclusive)
			object->n_exclusive++;
	} else {
		fscache_stat(FSCACHE_STAT_OP_REJECTED);
		trace_fscache_op(op, object, fscache_op_trace_reject);
		ret = -ENOBUFS;
		goto out;
	}

	fscache_op_get_own(op);
	fscache_op_set_state(op, ST(INITIALISED), FSCACHE_OP_ST_PENDING);
	list_add_tail(&op->pend_link, &object->pending_ops);
	fscache_stat(FSCACHE_STAT_OP_PEND);
	trace_fscache_op(op, object, fscache_op_trace_submit_defer);
out:
	fscache_lane_try_open(object);
	spin_unlock(&object->lock);
	/*
	 * Queue a started op only now: a worker woken on another CPU would
	 * otherwise start it at once and, to retire it, wait for the lock we
	 * held.  The op is started and counted already, and its work item's
	 * reference keeps it; a racing fscache_enqueue_operation() merely
	 * queues it first.  Then our reference is dropped here, which is a
	 * final put only if the submitter's own reference went meanwhile (a
	 * backend that let another thread put it): as any backend put, it
	 * retires the op or defers it to the GC, whichever the context allows.
	 */
	if (wq) {
		fscache_ops_test_point(FSCACHE_TP_SUBMIT_STARTED, op);
		fscache_op_queue(op, wq, FSCACHE_PUT_BACKEND);
	}
	if (!ret)
		return 0;
unclaim:
	/* Refused: the op is the caller's again, as it was. */
	fscache_op_untrack(op);
	clear_bit_unlock(FSCACHE_OP_I_SUBMITTED, &op->iflags);
	return ret;
}

/**
 * fscache_submit_op - submit a shareable operation against an object
 * @object: the object
 * @op: the operation, initialised and holding the caller's reference,
 *	which the caller keeps at least until this returns
 *
 * Starts @op at once if the object is active, nothing is queued before it
 * and no exclusive op runs; defers it on the object's FIFO if it must wait
 * or the object is still being looked up or created.  An asynchronous op is
 * given a reference of its own; the caller keeps, and must eventually put,
 * its reference.  An op with %FSCACHE_OP_EXCLUSIVE set is treated as
 * exclusive.
 *
 * Context: process context; takes the object's lock.
 * Return: 0 on success; -ENOBUFS if the object is permanently unavailable
 * (dying, dead, or its cache failed or is being withdrawn); -EINVAL, with a
 * warning, if @op or @object is not fit to be submitted.
 */
int fscache_submit_op(struct fscache_object *object,
		      struct fscache_operation *op)
{
	return fscache_submit(object, op, false);
}
EXPORT_SYMBOL_NS_GPL(fscache_submit_op, FSCACHE_OPS_NS);

/**
 * fscache_submit_exclusive_op - submit an exclusive operation
 * @object: the object
 * @op: the operation, initialised and holding the caller's reference
 *
 * As fscache_submit_op(), but @op runs only when no other op on @object is
 * in progress, and no op queued after it starts until it completes.  Sets
 * %FSCACHE_OP_EXCLUSIVE in @op->flags if the caller has not.
 *
 * Context: process context; takes the object's lock.
 * Return: as fscache_submit_op().
 */
int fscache_submit_exclusive_op(struct fscache_object *object,
				struct fscache_operation *op)
{
	return fscache_submit(object, op, true);
}
EXPORT_SYMBOL_NS_GPL(fscache_submit_exclusive_op, FSCACHE_OPS_NS);

/**
 * fscache_enqueue_operation - queue a started operation for (more) processing
 * @op: the operation, in progress, on which the caller holds a reference
 *
 * Queues @op on the workqueue its type selects (the type may have been
 * changed since submission); the queue takes a reference of its own.  A
 * MYTHREAD op is left for its submitter's attention.  Queueing an op that is
 * already queued is harmless.
 *
 * Context: any.
 * Return: 0, or -EINVAL with a warning if @op is not in progress, has an
 * unknown type or has no processor.  Nothing is queued then.
 */
int fscache_enqueue_operation(struct fscache_operation *op)
{
	struct workqueue_struct *wq;
	unsigned int type = fscache_op_type(op);

	if (fscache_misuse(READ_ONCE(op->state) != FSCACHE_OP_ST_IN_PROGRESS,
			   "enqueue of OP%x in state %u", op->debug_id,
			   READ_ONCE(op->state)))
		return -EINVAL;
	if (type == FSCACHE_OP_MYTHREAD)
		return 0;
	wq = fscache_op_wq(op);
	if (fscache_misuse(!wq, "enqueue of OP%x of unknown type %#lx",
			   op->debug_id, op->flags))
		return -EINVAL;
	if (fscache_misuse(!op->processor, "enqueue of OP%x without processor",
			   op->debug_id))
		return -EINVAL;
	if (fscache_misuse(op->work.func != fscache_op_work_func,
			   "enqueue of OP%x, whose work item the backend reused",
			   op->debug_id))
		return -EINVAL;
	/* Still IN_PROGRESS while a deferred final put awaits the GC. */
	if (fscache_misuse(!refcount_add_not_zero(FSCACHE_REF_OWN, &op->usage),
			   "enqueue of OP%x, which has no reference left",
			   op->debug_id))
		return -EINVAL;

	fscache_op_queue(op, wq, FSCACHE_PUT_BACKEND);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(fscache_enqueue_operation, FSCACHE_OPS_NS);

/*
 * Run an asynchronous op's processor on its workqueue, then drop the
 * reference that the queueing took.
 */
static void fscache_op_work_func(struct work_struct *work)
{
	struct fscache_operation *op =
		container_of(work, struct fscache_operation, work);
	bool fast = fscache_op_type(op) == FSCACHE_OP_FAST;
	u64 start = fscache_hist_clock();

	fscache_stat(FSCACHE_STAT_OP_WORK);
	/*
	 * A cancellation requested before we got here, or (for a lane op,
	 * which fscache_cancel_all_ops() cannot reach) its object's death:
	 * skip the body.
	 */
	if (!test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags) &&
	    !(test_bit(FSCACHE_OP_I_LANE, &op->iflags) &&
	      fscache_object_is_dying(op->object))) {
		fscache_hist_wait(op, start);
		fscache_stat(FSCACHE_STAT_OP_PROCESS);
		trace_fscache_op(op, op->object, fscache_op_trace_process);
		if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP) && fast)
			preempt_disable();
		op->processor(op);
		if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP) && fast)
			preempt_enable();
		fscache_hist_run(fast, start);
	}
	fscache_op_put_own(op, FSCACHE_PUT_CLEAN);
}

/*
 * Is @op a lane op?  For a call that finds @op by its object, which a lane
 * op's submission sets before it marks the op (FSCACHE_OP_I_LANE) and then
 * makes it IN_PROGRESS, all without the object's lock: so the state is
 * read first, into @state, and the mark after it.  An op seen in progress
 * (or beyond) on the lane is then seen marked; read the other way round, it
 * could be seen unmarked and then in progress, and be taken for an op that
 * runs under the lock.  One seen INITIALISED with an object is a lane op
 * on its way in, marked or not yet: only the lane sets the object without
 * the state, and the lock's holder sees no other op so.
 */
static __always_inline bool fscache_op_path(struct fscache_operation *op,
					    enum fscache_operation_state *state)
{
	*state = READ_ONCE(op->state);
	fscache_ops_test_point(FSCACHE_TP_STATE_READ, op);
	/* Pairs with the smp_mb__after_atomic() of fscache_lane_run(). */
	smp_rmb();
	return test_bit(FSCACHE_OP_I_LANE, &op->iflags);
}

/**
 * fscache_op_complete - record that an operation has finished
 * @op: the operation, in progress
 * @cancelled: true if it gave up rather than finished
 *
 * Ends @op's claim on its object (so conflicting ops may start) without
 * dropping a reference.  Optional: the final put of an op still in progress
 * completes it.  If cancellation was requested, @op ends cancelled.
 *
 * Context: process context; takes the object's lock.
 * Return: 0, or -EINVAL with a warning if @op is not in progress (its
 * submission has not returned yet, say) or if called from an interrupt.
 */
int fscache_op_complete(struct fscache_operation *op, bool cancelled)
{
	struct fscache_object *object = READ_ONCE(op->object);
	enum fscache_operation_state state;
	int ret = 0;

	if (fscache_misuse(!object, "completion of unsubmitted OP%x",
			   op->debug_id))
		return -EINVAL;
	if (fscache_misuse(!in_task(), "completion of OP%x from interrupt context",
			   op->debug_id))
		return -EINVAL;

	lockdep_assert_irqs_enabled();
	lockdep_assert_not_held(&object->lock);
	if (fscache_op_path(op, &state)) {
		/* Taken if the lane was closed meanwhile. */
		might_lock(&object->lock);
		if (fscache_misuse(state != FSCACHE_OP_ST_IN_PROGRESS ||
				   !fscache_lane_decide(object, op, &cancelled),
				   "completion of OP%x in state %u", op->debug_id,
				   state))
			return -EINVAL;
		fscache_lane_done(object, op, cancelled);
		return 0;
	}
	/* A lane op on its way in, not marked yet: not started. */
	if (fscache_misuse(state == FSCACHE_OP_ST_INITIALISED,
			   "completion of OP%x in state %u", op->debug_id, state))
		return -EINVAL;

	spin_lock(&object->lock);
	if (fscache_misuse(op->state != FSCACHE_OP_ST_IN_PROGRESS,
			   "completion of OP%x in state %u", op->debug_id,
			   op->state))
		ret = -EINVAL;
	else
		fscache_op_done_locked(object, op, cancelled);
	spin_unlock(&object->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(fscache_op_complete, FSCACHE_OPS_NS);

/*
 * Ask a lane op in progress to give up, unless its end has been decided
 * (fscache_lane_decide()): one atomic step on op->iflags orders the two, so
 * a cancellation that returns 0 is one the op ends by, and -EBUSY means it
 * ends COMPLETE.
 */
static int fscache_lane_cancel(struct fscache_operation *op,
			       bool cancel_in_progress)
{
	unsigned long old = READ_ONCE(op->iflags);

	if (READ_ONCE(op->state) == FSCACHE_OP_ST_CANCELLED)
		return -EALREADY;
	if (!cancel_in_progress)
		return -EBUSY;
	do {
		/*
		 * Not submitted: a cancellation that read the object of the
		 * op's previous life (without a reference) finds it reused.
		 */
		if (!(old & BIT(FSCACHE_OP_I_SUBMITTED)))
			return -EINVAL;
		/* Its end is decided: cancelled already, or not to be. */
		if (old & BIT(FSCACHE_OP_I_DONE))
			return old & BIT(FSCACHE_OP_I_CANCEL_REQ) ? -EALREADY :
								    -EBUSY;
	} while (!try_cmpxchg(&op->iflags, &old,
			      old | BIT(FSCACHE_OP_I_CANCEL_REQ)));
	if (!(old & BIT(FSCACHE_OP_I_CANCEL_REQ)))
		trace_fscache_op(op, op->object, fscache_op_trace_cancel_req);
	/*
	 * A lane op had no cancel callback when it was submitted; one set
	 * since would be called here but never on its object's death, which
	 * cannot find lane ops.  Refuse it rather than half-honour it.
	 */
	fscache_misuse(op->cancel, "OP%x was given a cancel callback after its submission",
		       op->debug_id);
	return 0;
}

/**
 * fscache_cancel_op - cancel an operation
 * @op: the operation, on which the caller holds a reference
 * @cancel_in_progress: also ask an op that has started to give up
 *
 * A pending op is taken off its object's FIFO, its cancel callback is
 * called and a MYTHREAD submitter waiting on it is woken; it ends in state
 * %FSCACHE_OP_ST_CANCELLED.  An op in progress is, if @cancel_in_progress,
 * marked so that fscache_op_is_cancelled() says so, its processor is skipped
 * if it has not begun, and its cancel callback is called; it keeps its
 * claim on the object until it completes, so an exclusive op still never
 * overlaps another.
 *
 * An op whose submission is still starting it counts as started.
 *
 * Context: process context; takes the object's lock.
 * Return: 0 if cancelled (or cancellation requested); -EBUSY if @op has
 * started (and !@cancel_in_progress) or completed; -EALREADY if it was
 * already cancelled; -EINVAL if it was never submitted, or, with a
 * warning, if called from an interrupt.
 */
int fscache_cancel_op(struct fscache_operation *op, bool cancel_in_progress)
{
	struct fscache_object *object = READ_ONCE(op->object);
	enum fscache_operation_state state;
	int ret;

	if (!object)
		return -EINVAL;
	if (fscache_misuse(!in_task(), "cancellation of OP%x from interrupt context",
			   op->debug_id))
		return -EINVAL;

	spin_lock(&object->lock);
	/*
	 * Under the lock, an op that is not on the lane has its object and
	 * its state set together: one with an object that is still
	 * INITIALISED is a lane op on its way in, and is cancelled as one.
	 */
	if (fscache_op_path(op, &state) ||
	    state == FSCACHE_OP_ST_INITIALISED) {
		ret = fscache_lane_cancel(op, cancel_in_progress);
		spin_unlock(&object->lock);
		return ret;
	}
	switch (state) {
	case FSCACHE_OP_ST_PENDING:
		fscache_cancel_pending_locked(object, op);
		/* The op may have been holding back others. */
		fscache_start_operations(object);
		ret = 0;
		break;
	case FSCACHE_OP_ST_IN_PROGRESS:
		ret = -EBUSY;
		if (!cancel_in_progress)
			break;
		fscache_request_cancel_locked(op);
		ret = 0;
		break;
	case FSCACHE_OP_ST_CANCELLED:
		ret = -EALREADY;
		break;
	default:
		ret = -EBUSY;
		break;
	}
	spin_unlock(&object->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(fscache_cancel_op, FSCACHE_OPS_NS);

/**
 * fscache_cancel_all_ops - cancel every op of a dying object
 * @object: the object, whose lock the caller holds
 *
 * Pending ops are cancelled; ops in progress are asked to give up (they
 * still complete, so the object waits for them).
 */
void fscache_cancel_all_ops(struct fscache_object *object)
{
	struct fscache_operation *op, *next;

	lockdep_assert_held(&object->lock);

	list_for_each_entry_safe(op, next, &object->pending_ops, pend_link)
		fscache_cancel_pending_locked(object, op);
	/*
	 * One whose last put awaits the GC is as good as done.  Any other is
	 * held while it is asked to give up: a final put from an interrupt
	 * must not free it under its cancel callback.  It stays in the set
	 * whatever our put does (a final put here is deferred to the GC).
	 */
	hlist_for_each_entry(op, &object->in_progress_ops, run_link) {
		if (!refcount_add_not_zero(FSCACHE_REF_OWN, &op->usage))
			continue;
		fscache_ops_test_point(FSCACHE_TP_CANCEL_ALL, op);
		fscache_request_cancel_locked(op);
		fscache_op_put_own(op, FSCACHE_PUT_LOCKED);
	}
}

/**
 * fscache_wait_for_operation_activation - wait for a MYTHREAD op to start
 * @op: the operation, submitted with %FSCACHE_OP_WAITING set
 * @interruptible: let a signal end the wait
 *
 * Waits until @op may be run by its submitter.  When a signal arrives first,
 * @op is cancelled; if it had started in the meantime, the wait is over and
 * it must be run like any other.
 *
 * Context: process context; sleeps.
 * Return: 0 if the caller must now run @op; -ENOBUFS if it was cancelled
 * (its object died); -ERESTARTSYS if a signal cancelled it; -EINVAL if it
 * was never submitted (or its submission was refused), without waiting.
 * Either way the caller still holds its reference and must put it when
 * done.
 */
int fscache_wait_for_operation_activation(struct fscache_operation *op,
					  bool interruptible)
{
	struct fscache_object *object;

	/* Acquire: pairs with the barrier before a lane op's state is set. */
	switch (smp_load_acquire(&op->state)) {
	case FSCACHE_OP_ST_BLANK:
	case FSCACHE_OP_ST_INITIALISED:
		/*
		 * Not submitted, or refused (-ENOBUFS is ordinary for a dying
		 * object): nothing would ever clear FSCACHE_OP_WAITING.
		 */
		return -EINVAL;
	case FSCACHE_OP_ST_PENDING:
		if (interruptible &&
		    wait_on_bit(&op->flags, FSCACHE_OP_WAITING,
				TASK_INTERRUPTIBLE)) {
			if (fscache_cancel_op(op, false) == 0)
				return -ERESTARTSYS;
			/* Started or cancelled meanwhile: the bit is clear. */
		}
		break;
	default:
		/*
		 * Started (or ended) already: nothing is left to wait for
		 * but the end of what started it, which clears the bit: the
		 * start off the FIFO, or a cancellation (after its callback),
		 * under the object's lock, or the lane's start without it
		 * (after the state, read above with acquire).  So a bit still
		 * set under the lock is one set too late, after the op's
		 * submission, which nothing else would ever clear.  The op,
		 * started and held by the caller, keeps its object.
		 */
		if (!test_bit(FSCACHE_OP_WAITING, &op->flags))
			break;
		object = READ_ONCE(op->object);
		spin_lock(&object->lock);
		if (test_bit(FSCACHE_OP_WAITING, &op->flags))
			clear_bit(FSCACHE_OP_WAITING, &op->flags);
		spin_unlock(&object->lock);
		break;
	}
	wait_on_bit(&op->flags, FSCACHE_OP_WAITING, TASK_UNINTERRUPTIBLE);

	/*
	 * The state was written before FSCACHE_OP_WAITING was cleared with
	 * release ordering (clear_and_wake_up_bit()); wait_on_bit() reads the
	 * bit with acquire ordering (since 6.0, as on 6.1 and 6.12), and that
	 * is what makes the state read here the one that went with it.
	 */
	switch (READ_ONCE(op->state)) {
	case FSCACHE_OP_ST_IN_PROGRESS:
		return 0;
	case FSCACHE_OP_ST_CANCELLED:
		return -ENOBUFS;
	default:
		fscache_misuse(1, "wait for OP%x in state %u", op->debug_id,
			       op->state);
		return -EINVAL;
	}
}
EXPORT_SYMBOL_NS_GPL(fscache_wait_for_operation_activation, FSCACHE_OPS_NS);

/**
 * fscache_operation_gc - finish ops whose final put was deferred
 * @work: the cache's op_gc work item
 */
void fscache_operation_gc(struct work_struct *work)
{
	struct fscache_cache *cache =
		container_of(work, struct fscache_cache, op_gc);
	struct fscache_operation *op;
	LIST_HEAD(batch);

	raw_spin_lock_irq(&cache->op_gc_list_lock);
	list_splice_init(&cache->op_gc_list, &batch);
	raw_spin_unlock_irq(&cache->op_gc_list_lock);

	while ((op = list_first_entry_or_null(&batch, struct fscache_operation,
					      work.entry))) {
		struct fscache_object *object = op->object;

		list_del_init(&op->work.entry);
		fscache_stat(FSCACHE_STAT_OP_GC);
		trace_fscache_op(op, object, fscache_op_trace_gc);
		if (test_bit(FSCACHE_OP_I_LANE, &op->iflags)) {
			fscache_lane_retire(object, op);
		} else {
			spin_lock(&object->lock);
			fscache_op_retire(object, op);
		}
		cond_resched();
	}
}
