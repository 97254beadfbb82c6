/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FS-Cache asynchronous operation manager: the contract with cache backends.
 *
 * A backend registers a struct fscache_cache, initialises a struct
 * fscache_object for each thing it caches and embeds struct
 * fscache_operation in its own operation records.  Operations are submitted
 * against an object and run when the object is active and no conflicting
 * operation is in progress.  See Documentation/fscache-ops.rst.
 *
 * The names of the 2009 FS-Cache operations API (operations.txt) are kept so
 * that code written against that document compiles and behaves as it
 * describes; everything added since is named fscache_ops_* or fscache_op_*.
 */
#ifndef _LINUX_FSCACHE_OPS_H
#define _LINUX_FSCACHE_OPS_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

struct fscache_cache;
struct fscache_object;
struct fscache_operation;

/**
 * typedef fscache_operation_release_t - destructor of an operation
 * @op: the operation whose last reference has gone
 *
 * Called once, by the final put (usually fscache_put_operation(); the
 * put of a duplicate queueing in fscache_enqueue_operation() or
 * fscache_submit_op() if the backend's references went meanwhile) or by the
 * cache's operation garbage collector, never under a lock of fscache_ops.
 * It owns the memory: it must free the structure @op is embedded in.  It
 * must not sleep.
 */
typedef void (*fscache_operation_release_t)(struct fscache_operation *op);

/**
 * typedef fscache_operation_processor_t - body of an asynchronous operation
 * @op: the operation to run
 *
 * Called from a workqueue with a reference held for it; that reference is
 * dropped when the processor returns.  FAST processors must not sleep.
 */
typedef void (*fscache_operation_processor_t)(struct fscache_operation *op);

/**
 * typedef fscache_operation_cancel_t - notification that an op is cancelled
 * @op: the operation being cancelled
 *
 * Called when a pending operation is cancelled, or when cancellation of an
 * operation in progress is requested (by fscache_cancel_op() or because its
 * object dies), at most once per operation and state.  It runs with the
 * object's lock held: it must not sleep or call back into fscache_ops for
 * that object, except to drop references (a final put made here is handed
 * to the cache's garbage collector).
 */
typedef void (*fscache_operation_cancel_t)(struct fscache_operation *op);

/**
 * enum fscache_operation_state - where an operation is in its life
 * @FSCACHE_OP_ST_BLANK: never initialised (all-zero memory)
 * @FSCACHE_OP_ST_INITIALISED: initialised, may be submitted
 * @FSCACHE_OP_ST_PENDING: submitted, deferred on the object's pending FIFO
 * @FSCACHE_OP_ST_IN_PROGRESS: started: queued, running or being run by its
 *	submitter
 * @FSCACHE_OP_ST_COMPLETE: finished; holds no claim on the object any more
 * @FSCACHE_OP_ST_CANCELLED: cancelled before or while running
 * @FSCACHE_OP_ST_DEAD: the last reference is gone
 */
enum fscache_operation_state {
	FSCACHE_OP_ST_BLANK,
	FSCACHE_OP_ST_INITIALISED,
	FSCACHE_OP_ST_PENDING,
	FSCACHE_OP_ST_IN_PROGRESS,
	FSCACHE_OP_ST_COMPLETE,
	FSCACHE_OP_ST_CANCELLED,
	FSCACHE_OP_ST_DEAD,
};

/**
 * struct fscache_operation - an asynchronous operation on a cache object
 * @fast_work: work item of a FAST operation (the seed's name)
 * @slow_work: work item of a SLOW operation (the seed's name)
 * @work: the same work item, by its neutral name.  Once the last reference
 *	is gone, no instance of it is queued any more, and fscache_ops uses its
 *	list entry to link the op into its cache's deferred-release list
 * @pend_link: link in the object's pending FIFO; owned by fscache_ops: a
 *	backend must not look at it (its contents say nothing once the op has
 *	started)
 * @run_link: the same memory, as the link in the object's set of ops in
 *	progress once it has started; owned by fscache_ops
 * @object: the object the operation was submitted against
 * @flags: %FSCACHE_OP_TYPE bits and the FSCACHE_OP_* flag bits; the
 *	backend's to set (but see fscache_enqueue_operation())
 * @iflags: FSCACHE_OP_I_* bits, owned by fscache_ops: what it must know of
 *	the op even if the backend rewrites @flags
 * @state: an &enum fscache_operation_state, changed under the object's lock
 *	(an op started on its object's lane: by whoever completes it)
 * @usage: reference count: the backend's references in the bits of
 *	%FSCACHE_REF_MASK, each reference fscache_ops holds itself (the pending
 *	FIFO's, a queued work item's) as %FSCACHE_REF_OWN; so a put of a
 *	reference the caller does not hold is told apart and refused
 * @debug_id: unique number, for traces and debugfs
 * @submit_time: when it was submitted, in microseconds of local_clock()
 *	(the low 32 bits); kept, for the histograms and the age shown in
 *	debugfs, only while ops are timed (the timing parameter of a build
 *	with statistics)
 * @processor: body of a FAST or SLOW operation
 * @cancel: optional cancellation notification
 * @release: destructor, or NULL for an operation allocated by kmalloc()
 *	on its own (it is then kfree()'d)
 *
 * Embed this in the backend's own operation record and initialise it with
 * fscache_operation_init() and then fscache_operation_init_fast() or
 * fscache_operation_init_slow() (or set %FSCACHE_OP_MYTHREAD).
 */
struct fscache_operation {
	union {
		struct work_struct	fast_work;
		struct work_struct	slow_work;
		struct work_struct	work;
	};
	union {
		struct list_head	pend_link;
		struct hlist_node	run_link;
	};
	struct fscache_object		*object;
	unsigned long			flags;
#define FSCACHE_OP_TYPE		0x000f	/* how CPU time is provided: */
#define  FSCACHE_OP_FAST	0x0001	/* - on a bound workqueue, may not sleep */
#define  FSCACHE_OP_SLOW	0x0002	/* - on an unbound workqueue, may sleep */
#define  FSCACHE_OP_MYTHREAD	0x0003	/* - by the submitter itself */
#define FSCACHE_OP_WAITING	4	/* set by the submitter, cleared when it may run */
#define FSCACHE_OP_EXCLUSIVE	5	/* no other op may run on the object meanwhile */
#define FSCACHE_OP_DEAD		6	/* the last reference is gone */
	unsigned long			iflags;
#define FSCACHE_OP_I_EXCLUSIVE	0	/* submitted as exclusive */
#define FSCACHE_OP_I_CANCEL_REQ	1	/* cancellation was requested while in progress */
#define FSCACHE_OP_I_SUBMITTED	2	/* claimed by a submission */
#define FSCACHE_OP_I_WAIT_TIMED	3	/* its wait for a processor was counted */
#define FSCACHE_OP_I_STAMPED	4	/* submit_time was set at its submission */
#define FSCACHE_OP_I_LANE	5	/* started on its object's lane */
#define FSCACHE_OP_I_DONE	6	/* a lane op's completion is decided */
	enum fscache_operation_state	state;
	refcount_t			usage;
	unsigned int			debug_id;
	unsigned int			submit_time;
	fscache_operation_processor_t	processor;
	fscache_operation_cancel_t	cancel;
	fscache_operation_release_t	release;
};

extern atomic_t fscache_op_debug_id;

/*
 * The reference counts of operations and objects hold two kinds of
 * reference: the backend's, one each in the low bits, and fscache_ops' own,
 * FSCACHE_REF_OWN each.  A backend may hold at most FSCACHE_REF_MASK
 * references to one op or object at once.
 */
#define FSCACHE_REF_OWN		0x10000
#define FSCACHE_REF_MASK	(FSCACHE_REF_OWN - 1)

/**
 * enum fscache_object_state - the lifecycle of a cache object
 * @FSCACHE_OBJECT_INIT: initialised; operations are deferred
 * @FSCACHE_OBJECT_LOOK_UP: the backend's lookup_object() is being called
 * @FSCACHE_OBJECT_LOOKING_UP: waiting for the backend to report the lookup
 * @FSCACHE_OBJECT_CREATING: lookup was negative, the backend is creating it
 * @FSCACHE_OBJECT_ACTIVE: available: operations run
 * @FSCACHE_OBJECT_UPDATING: the backend's update_object() is being called;
 *	operations still run
 * @FSCACHE_OBJECT_ABORTING: dying because of an error
 * @FSCACHE_OBJECT_RELEASING: dying because it was relinquished
 * @FSCACHE_OBJECT_WITHDRAWING: dying because its cache is being withdrawn
 * @FSCACHE_OBJECT_KILLED: dying: waiting for its last operation to go
 * @FSCACHE_OBJECT_DROPPING: the backend's drop_object() is being called
 * @FSCACHE_OBJECT_DEAD: gone; the backend's put_object() has been called
 * @FSCACHE_OBJECT__NSTATES: number of states
 *
 * The order matters: states before %FSCACHE_OBJECT_ACTIVE defer
 * submissions, states after %FSCACHE_OBJECT_UPDATING refuse them.
 */
enum fscache_object_state {
	FSCACHE_OBJECT_INIT,
	FSCACHE_OBJECT_LOOK_UP,
	FSCACHE_OBJECT_LOOKING_UP,
	FSCACHE_OBJECT_CREATING,
	FSCACHE_OBJECT_ACTIVE,
	FSCACHE_OBJECT_UPDATING,
	FSCACHE_OBJECT_ABORTING,
	FSCACHE_OBJECT_RELEASING,
	FSCACHE_OBJECT_WITHDRAWING,
	FSCACHE_OBJECT_KILLED,
	FSCACHE_OBJECT_DROPPING,
	FSCACHE_OBJECT_DEAD,
	FSCACHE_OBJECT__NSTATES
};

/*
 * Object events, in priority order (lowest number first).  They are bits in
 * object->events, raised by the API below and by the operation manager.
 */
enum {
	FSCACHE_OBJECT_EV_WITHDRAW,	/* the cache is being withdrawn */
	FSCACHE_OBJECT_EV_ERROR,	/* an I/O error or a failed lookup/create */
	FSCACHE_OBJECT_EV_RELEASE,	/* the object was relinquished */
	FSCACHE_OBJECT_EV_LOOKUP,	/* start looking the object up */
	FSCACHE_OBJECT_EV_NEGATIVE,	/* lookup found nothing: being created */
	FSCACHE_OBJECT_EV_AVAILABLE,	/* lookup or creation succeeded */
	FSCACHE_OBJECT_EV_UPDATE,	/* the backend should update the object */
	FSCACHE_OBJECT_EV_CLEARED,	/* n_ops dropped to zero */
	FSCACHE_OBJECT_NR_EVENTS
};

/**
 * struct fscache_cache_ops - what a backend provides for its objects
 * @name: the backend's name
 * @lookup_object: start looking @object up (may sleep, runs on the object
 *	workqueue).  Report the outcome, now or later, with
 *	fscache_ops_object_lookup_negative(), fscache_ops_object_available()
 *	or fscache_abort_object().  A non-zero return aborts the object.
 * @update_object: optional; write the object's metadata (may sleep)
 * @drop_object: optional; the object is dying and no operation refers to it
 *	any more: drop its backing resources (may sleep)
 * @put_object: the last call for an object, once it is dead and its last
 *	reference is put: free it.  It must not sleep: when the backend's own
 *	put is the last, it is called from fscache_ops_put_object(), in
 *	whatever context that is made, perhaps after the cache was withdrawn
 *	(it must not use the cache then).  Sleeping work belongs in
 *	@drop_object.
 */
struct fscache_cache_ops {
	const char *name;
	int (*lookup_object)(struct fscache_object *object);
	void (*update_object)(struct fscache_object *object);
	void (*drop_object)(struct fscache_object *object);
	void (*put_object)(struct fscache_object *object);
};

/**
 * struct fscache_cache - a cache, as registered by its backend
 * @ops: the backend's operations
 * @name: name for messages and debugfs
 * @flags: %FSCACHE_IOERROR, %FSCACHE_CACHE_WITHDRAWN
 * @debug_id: unique number
 * @object_list_lock: guards @object_list
 * @object_list: the cache's live objects
 * @object_count: how many objects are not yet dead (withdrawal waits on it
 *	with wait_var_event())
 * @op_gc_list_lock: guards @op_gc_list (a raw lock taken with interrupts
 *	off: final puts come from any context)
 * @op_gc_list: operations whose final put could not take the object lock
 * @op_gc: the work item that finishes them
 * @link: link in the list of all caches
 */
struct fscache_cache {
	const struct fscache_cache_ops	*ops;
	char				name[32];
	unsigned long			flags;
#define FSCACHE_IOERROR			0	/* an I/O error occurred */
#define FSCACHE_CACHE_WITHDRAWN		1	/* withdrawal has begun */
	unsigned int			debug_id;
	spinlock_t			object_list_lock; /* guards object_list */
	struct list_head		object_list;
	atomic_t			object_count;
	raw_spinlock_t			op_gc_list_lock; /* guards op_gc_list */
	struct list_head		op_gc_list;
	struct work_struct		op_gc;
	struct list_head		link;
};

/**
 * struct fscache_object - a thing a cache holds, against which operations run
 * @state: an &enum fscache_object_state; changed under @lock
 * @lock: guards the counters, @pending_ops, @in_progress_ops and @state
 * @n_ops: operations submitted and not yet finally put
 * @n_in_progress: operations started and not yet completed
 * @n_exclusive: exclusive operations submitted and not yet completed or
 *	cancelled
 * @n_cleared: how many times @n_ops has dropped to zero under @lock
 * @n_lane_xfer: ops started on the lane whose counts a closing of the lane
 *	moved into @n_ops and @n_in_progress, not yet released; the lane stays
 *	closed while there are any
 * @usage: reference count: the backend's references (fscache_ops_init_object()
 *	gives one, fscache_ops_get_object() more) in the bits of
 *	%FSCACHE_REF_MASK, and %FSCACHE_REF_OWN for the state machine's, held
 *	until the object is dead
 * @debug_id: unique number
 * @flags: FSCACHE_OBJECT_* flag bits
 * @event_lock: guards @event_mask, and makes raising an event (setting the
 *	bit and queueing the state machine) atomic against the object's death;
 *	a raw lock taken with interrupts off, as events come from any context
 * @cache_debug_id: @cache's debug id, for traces, which must not touch a
 *	cache that may be gone
 * @events: raised events (FSCACHE_OBJECT_EV_* bits)
 * @event_mask: events that make the state machine run in the current state
 * @pending_ops: FIFO of deferred operations
 * @in_progress_ops: operations started and not yet completed: an unordered
 *	set, newest first (an hlist, so that starting and completing an op
 *	cost no list validation)
 * @cache: the owning cache; not used by fscache_ops once the object is dead
 * @put_object: the cache's put_object(), kept for the last put, which may
 *	come after the cache (and the table of its operations) was freed
 * @cache_link: link in the cache's object list
 * @lane: the shareable ops started and retired without @lock, while the
 *	object is active, idle of exclusive ops and its FIFO empty: whether the
 *	lane is open and how many of them are in progress and not released
 *	(operation.c); changed only by atomic operations.  @n_ops and
 *	@n_in_progress leave out the ops the open lane counts;
 *	fscache_ops_object_n_ops() does not.  It starts a cache line, shared
 *	only with @work and @error, which ops do not touch: every lane op
 *	writes it twice, and ops on other CPUs would otherwise miss on each
 *	read of @state.
 * @work: the state machine's work item
 * @error: why the object died, when it did so because of an error
 *
 * Initialise with fscache_ops_init_object(); the backend may embed it in its
 * own structure and frees it from its put_object() callback, which is called
 * once the object is dead and its last reference is put.  The structure is
 * cache-line aligned (@lane): a backend that allocates it from a slab cache
 * of its own should create that cache with %SLAB_HWCACHE_ALIGN, as
 * KMEM_CACHE() does, or @lane may share a line with other fields (slower,
 * not wrong: every field stays naturally aligned).
 */
struct fscache_object {
	enum fscache_object_state	state;
	spinlock_t			lock;	/* guards ops, counters, state */
	unsigned int			n_ops;
	unsigned int			n_in_progress;
	unsigned int			n_exclusive;
	unsigned int			n_cleared;
	unsigned int			n_lane_xfer;
	refcount_t			usage;
	unsigned int			debug_id;
	unsigned long			flags;
#define FSCACHE_OBJECT_EXCL_RUNNING	0	/* an exclusive op is in progress */
#define FSCACHE_OBJECT_RETIRE		1	/* relinquished: discard the data */
	raw_spinlock_t			event_lock; /* see above */
	unsigned int			cache_debug_id;
	unsigned long			events;
	unsigned long			event_mask;
	struct list_head		pending_ops;
	struct hlist_head		in_progress_ops;
	struct fscache_cache		*cache;
	void				(*put_object)(struct fscache_object *object);
	struct list_head		cache_link;
	atomic64_t			lane ____cacheline_aligned_in_smp;
	struct work_struct		work;
	int				error;
};

/**
 * fscache_object_is_active - may operations run on this object now?
 * @object: the object to test
 *
 * Context: with @object->lock held, or an op of @object's in progress: it
 * reads the object's cache, which a dead object's backend may have freed
 * once the cache was withdrawn.
 * Return: true if the object is available and its cache has had no I/O error.
 * The answer is stable only under @object->lock.
 */
static inline bool fscache_object_is_active(struct fscache_object *object)
{
	enum fscache_object_state state = READ_ONCE(object->state);

	return state >= FSCACHE_OBJECT_ACTIVE &&
	       state <= FSCACHE_OBJECT_UPDATING &&
	       !test_bit(FSCACHE_IOERROR, &object->cache->flags);
}

/**
 * fscache_object_is_dying - has the object begun to die?
 * @object: the object to test
 *
 * Return: true once the object will never become (or be again) active.
 */
static inline bool fscache_object_is_dying(struct fscache_object *object)
{
	return READ_ONCE(object->state) > FSCACHE_OBJECT_UPDATING;
}

/**
 * fscache_op_is_cancelled - should an in-progress operation give up early?
 * @op: the operation
 *
 * Return: true if cancellation of @op was requested, or if its object has
 * begun to die (which asks every op in progress to give up).
 */
static inline bool fscache_op_is_cancelled(struct fscache_operation *op)
{
	struct fscache_object *object;

	if (test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags) ||
	    READ_ONCE(op->state) == FSCACHE_OP_ST_CANCELLED)
		return true;
	/* A lane op in progress: its object's death asks it to give up. */
	if (!test_bit(FSCACHE_OP_I_LANE, &op->iflags) ||
	    READ_ONCE(op->state) != FSCACHE_OP_ST_IN_PROGRESS)
		return false;
	object = READ_ONCE(op->object);
	return object && fscache_object_is_dying(object);
}

/* Operations (operation.c) */
void fscache_operation_init(struct fscache_operation *op,
			    fscache_operation_release_t release);
void fscache_operation_init_fast(struct fscache_operation *op,
				 fscache_operation_processor_t processor);
void fscache_operation_init_slow(struct fscache_operation *op,
				 fscache_operation_processor_t processor);
void fscache_get_operation(struct fscache_operation *op);
int fscache_submit_op(struct fscache_object *object,
		      struct fscache_operation *op);
int fscache_submit_exclusive_op(struct fscache_object *object,
				struct fscache_operation *op);
int fscache_enqueue_operation(struct fscache_operation *op);
void fscache_put_operation(struct fscache_operation *op);
int fscache_op_complete(struct fscache_operation *op, bool cancelled);
int fscache_cancel_op(struct fscache_operation *op, bool cancel_in_progress);
int fscache_wait_for_operation_activation(struct fscache_operation *op,
					  bool interruptible);

/* Caches and objects (object.c) */
int fscache_ops_add_cache(struct fscache_cache *cache,
			  const struct fscache_cache_ops *ops,
			  const char *name);
void fscache_ops_withdraw_cache(struct fscache_cache *cache);
void fscache_ops_io_error(struct fscache_cache *cache);
int fscache_ops_init_object(struct fscache_object *object,
			    struct fscache_cache *cache);
void fscache_ops_lookup_object(struct fscache_object *object);
void fscache_ops_object_lookup_negative(struct fscache_object *object);
void fscache_ops_object_available(struct fscache_object *object);
void fscache_ops_update_object(struct fscache_object *object);
void fscache_ops_relinquish_object(struct fscache_object *object, bool retire);
struct fscache_object *fscache_ops_get_object(struct fscache_object *object);
void fscache_ops_put_object(struct fscache_object *object);
unsigned int fscache_ops_object_n_ops(struct fscache_object *object);
void fscache_abort_object(struct fscache_object *object);
void fscache_ops_object_failed(struct fscache_object *object, int error);
const char *fscache_ops_object_state_name(enum fscache_object_state state);

/*
 * The symbol namespace.  Every export of fscache_ops is in the namespace
 * FSCACHE_OPS: a module that calls fscache_ops must import it, or modpost
 * fails its build and the kernel refuses to load it ("module uses symbol
 * (...) from namespace FSCACHE_OPS, but does not import it").  Kernels
 * from 6.13 on take the namespace of EXPORT_SYMBOL_NS_GPL() and
 * MODULE_IMPORT_NS() as a string literal, earlier ones as a bare word that
 * they stringify; FSCACHE_OPS_NS is whichever the kernel wants.
 */
#include <linux/version.h>

#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define FSCACHE_OPS_NS		"FSCACHE_OPS"
#else
#define FSCACHE_OPS_NS		FSCACHE_OPS
#endif

/**
 * FSCACHE_OPS_IMPORT_NS - import the namespace of fscache_ops' exports
 *
 * Write ``FSCACHE_OPS_IMPORT_NS();`` once, at file scope, in every module
 * that calls fscache_ops (beside its MODULE_LICENSE()).  It is
 * ``MODULE_IMPORT_NS(FSCACHE_OPS_NS)``, which compiles on 6.1, 6.12 and
 * kernels after 6.13 alike.
 */
#define FSCACHE_OPS_IMPORT_NS()	MODULE_IMPORT_NS(FSCACHE_OPS_NS)

#endif /* _LINUX_FSCACHE_OPS_H */
