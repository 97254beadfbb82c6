// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FS-Cache object lifecycle: a table-driven state machine.
 *
 * Each object has one work item, queued on the object workqueue when an
 * event it waits for is raised.  Each state is either a work state, which
 * does something (calling into the backend perhaps, which may sleep) and
 * names the next state, or a wait state, which lists the events it acts on
 * and the state each leads to.  Events are bits in object->events, handled
 * lowest bit (highest priority) first.  In a wait state an event is one of:
 *
 *   acted on	it leads to another state;
 *   deferred	it is left raised for a later state (an update asked for
 *		before the object is active);
 *   ignored	dropped quietly (EV_CLEARED while the object lives, anything
 *		the backend reports once the object is dying);
 *   unexpected	the backend reported something impossible in this state (a
 *		second "available", say): it is dropped with a warning.
 *
 *   INIT --LOOKUP--> LOOK_UP --> LOOKING_UP --NEGATIVE--> CREATING
 *                                    |                       |
 *                                    +-------AVAILABLE-------+--> ACTIVE
 *   ACTIVE --UPDATE--> UPDATING --> ACTIVE
 *   any live state --ERROR--> ABORTING, --RELEASE--> RELEASING,
 *                  --WITHDRAW--> WITHDRAWING
 *   ABORTING, RELEASING, WITHDRAWING --> KILLED --CLEARED--> DROPPING --> DEAD
 *
 * The state is written only under the object's lock, so a submission sees
 * a consistent answer: deferred before ACTIVE, run in ACTIVE and UPDATING,
 * refused (-ENOBUFS) from ABORTING on.  Killing an object cancels its
 * pending ops; it then waits for n_ops to reach zero (in-progress ops finish
 * and every op, including any in the cache's GC list, is put) before the
 * backend's drop_object() is called.
 *
 * Objects are reference counted.  The backend gets one reference from
 * fscache_ops_init_object() and may take more; the state machine holds one
 * of its own (FSCACHE_REF_OWN) until the object is dead.  The backend's
 * put_object() is called when the last of them goes, so a backend may keep
 * a pointer to an object across its death and its cache's withdrawal: calls
 * on a dead object are refused (submissions get -ENOBUFS, events are
 * ignored) without touching the cache.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include "internal.h"

#define EV(x)	BIT(FSCACHE_OBJECT_EV_##x)
#define FSCACHE_ALL_EVENTS	(BIT(FSCACHE_OBJECT_NR_EVENTS) - 1)

static atomic_t fscache_object_debug_id;
static atomic_t fscache_cache_debug_id;

/* Return value of a work state after which the object is gone. */
#define FSCACHE_OBJECT_GONE	FSCACHE_OBJECT__NSTATES

struct fscache_transition {
	unsigned int			event;
	enum fscache_object_state	next;
};

/**
 * struct fscache_state - one state of the object state machine
 * @name: printable name
 * @work: for a work state, what it does; returns the next state
 * @transitions: for a wait state, the events it acts on
 * @mortal: a live wait state: also acts on fscache_death_transitions
 * @defer: events a wait state leaves raised for a later state
 * @ignore: events a wait state drops quietly
 */
struct fscache_state {
	const char			*name;
	enum fscache_object_state	(*work)(struct fscache_object *object);
	struct fscache_transition	transitions[2];
	bool				mortal;
	unsigned long			defer;
	unsigned long			ignore;
};

/* What every live wait state does on the events that kill an object. */
static const struct fscache_transition fscache_death_transitions[] = {
	{ FSCACHE_OBJECT_EV_WITHDRAW, FSCACHE_OBJECT_WITHDRAWING },
	{ FSCACHE_OBJECT_EV_ERROR, FSCACHE_OBJECT_ABORTING },
	{ FSCACHE_OBJECT_EV_RELEASE, FSCACHE_OBJECT_RELEASING },
};

static enum fscache_object_state fscache_look_up_object(struct fscache_object *object);
static enum fscache_object_state fscache_update_object(struct fscache_object *object);
static enum fscache_object_state fscache_kill_object(struct fscache_object *object);
static enum fscache_object_state fscache_drop_object(struct fscache_object *object);
static enum fscache_object_state fscache_object_dead(struct fscache_object *object);

static const struct fscache_state fscache_states[FSCACHE_OBJECT__NSTATES] = {
	[FSCACHE_OBJECT_INIT] = {
		.name = "INIT",
		.mortal = true,
		.transitions = {
			{ FSCACHE_OBJECT_EV_LOOKUP, FSCACHE_OBJECT_LOOK_UP },
		},
		.defer = EV(UPDATE),
		.ignore = EV(CLEARED),
	},
	[FSCACHE_OBJECT_LOOK_UP] = {
		.name = "LOOK_UP",
		.work = fscache_look_up_object,
	},
	[FSCACHE_OBJECT_LOOKING_UP] = {
		.name = "LOOKING_UP",
		.mortal = true,
		.transitions = {
			{ FSCACHE_OBJECT_EV_NEGATIVE, FSCACHE_OBJECT_CREATING },
			{ FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_ACTIVE },
		},
		.defer = EV(UPDATE),
		.ignore = EV(CLEARED),
	},
	[FSCACHE_OBJECT_CREATING] = {
		.name = "CREATING",
		.mortal = true,
		.transitions = {
			{ FSCACHE_OBJECT_EV_AVAILABLE, FSCACHE_OBJECT_ACTIVE },
		},
		.defer = EV(UPDATE),
		.ignore = EV(CLEARED),
	},
	[FSCACHE_OBJECT_ACTIVE] = {
		.name = "ACTIVE",
		.mortal = true,
		.transitions = {
			{ FSCACHE_OBJECT_EV_UPDATE, FSCACHE_OBJECT_UPDATING },
		},
		.ignore = EV(CLEARED),
	},
	[FSCACHE_OBJECT_UPDATING] = {
		.name = "UPDATING",
		.work = fscache_update_object,
	},
	[FSCACHE_OBJECT_ABORTING] = {
		.name = "ABORTING",
		.work = fscache_kill_object,
	},
	[FSCACHE_OBJECT_RELEASING] = {
		.name = "RELEASING",
		.work = fscache_kill_object,
	},
	[FSCACHE_OBJECT_WITHDRAWING] = {
		.name = "WITHDRAWING",
		.work = fscache_kill_object,
	},
	[FSCACHE_OBJECT_KILLED] = {
		.name = "KILLED",
		.transitions = {
			{ FSCACHE_OBJECT_EV_CLEARED, FSCACHE_OBJECT_DROPPING },
		},
		/* A dying object hears what the backend says, and ignores it. */
		.ignore = FSCACHE_ALL_EVENTS & ~EV(CLEARED),
	},
	[FSCACHE_OBJECT_DROPPING] = {
		.name = "DROPPING",
		.work = fscache_drop_object,
	},
	[FSCACHE_OBJECT_DEAD] = {
		.name = "DEAD",
		.work = fscache_object_dead,
	},
};

const char *const fscache_object_event_names[FSCACHE_OBJECT_NR_EVENTS] = {
	[FSCACHE_OBJECT_EV_WITHDRAW]	= "WITHDRAW",
	[FSCACHE_OBJECT_EV_ERROR]	= "ERROR",
	[FSCACHE_OBJECT_EV_RELEASE]	= "RELEASE",
	[FSCACHE_OBJECT_EV_LOOKUP]	= "LOOKUP",
	[FSCACHE_OBJECT_EV_NEGATIVE]	= "NEGATIVE",
	[FSCACHE_OBJECT_EV_AVAILABLE]	= "AVAILABLE",
	[FSCACHE_OBJECT_EV_UPDATE]	= "UPDATE",
	[FSCACHE_OBJECT_EV_CLEARED]	= "CLEARED",
};

/**
 * fscache_ops_object_state_name - printable name of an object state
 * @state: the state
 *
 * Return: the state's name, or "??" for a value that is not a state.
 */
const char *fscache_ops_object_state_name(enum fscache_object_state state)
{
	if ((unsigned int)state >= FSCACHE_OBJECT__NSTATES)
		return "??";
	return fscache_states[state].name;
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_object_state_name, FSCACHE_OPS_NS);

/* Events whose raising should run the machine in a wait state. */
static unsigned long fscache_state_wake_mask(const struct fscache_state *st)
{
	return FSCACHE_ALL_EVENTS & ~(st->defer | st->ignore);
}

/**
 * fscache_raise_event - raise an event on an object
 * @object: the object
 * @event: an FSCACHE_OBJECT_EV_* number
 *
 * Usable from any context: the bit is set and, if the object's current state
 * waits for it, the state machine is queued.  Both happen under the event
 * lock, so the machine never misses an event it waits for, and is never
 * queued once it has decided that the object is dead.
 */
void fscache_raise_event(struct fscache_object *object, unsigned int event)
{
	unsigned long flags;

	if (WARN_ON_ONCE(event >= FSCACHE_OBJECT_NR_EVENTS))
		return;
	raw_spin_lock_irqsave(&object->event_lock, flags);
	set_bit(event, &object->events);
	trace_fscache_object_event(object, event, fscache_object_ev_raise);
	if (object->event_mask & BIT(event))
		queue_work(fscache_ops_object_wq, &object->work);
	raw_spin_unlock_irqrestore(&object->event_lock, flags);
}

/* Set the events that queue the state machine; return those raised. */
static unsigned long fscache_set_event_mask(struct fscache_object *object,
					    unsigned long mask)
{
	unsigned long pending;

	raw_spin_lock_irq(&object->event_lock);
	object->event_mask = mask;
	pending = READ_ONCE(object->events) & mask;
	raw_spin_unlock_irq(&object->event_lock);
	return pending;
}

static void fscache_set_object_state(struct fscache_object *object,
				     enum fscache_object_state state)
{
	lockdep_assert_held(&object->lock);

	if (state == FSCACHE_OBJECT_ACTIVE && object->state < state)
		fscache_stat(FSCACHE_STAT_OBJ_ACTIVE);
	trace_fscache_object_state(object, state);
	WRITE_ONCE(object->state, state);
	/* Deferred ops start as the object becomes available. */
	fscache_start_operations(object);
	/*
	 * The lane is open only on an active object: a dying one must count
	 * its ops exactly (fscache_kill_object()).
	 */
	if (fscache_object_is_active(object))
		fscache_lane_try_open(object);
	else
		fscache_lane_close(object);
}

/* The transition a wait state makes on an event, if any. */
static const struct fscache_transition *
fscache_find_transition(const struct fscache_state *st, unsigned int ev)
{
	unsigned int i;

	/* Unused slots are {0, INIT}: no transition leads back to INIT. */
	for (i = 0; i < ARRAY_SIZE(st->transitions); i++)
		if (st->transitions[i].event == ev &&
		    st->transitions[i].next != FSCACHE_OBJECT_INIT)
			return &st->transitions[i];
	if (st->mortal)
		for (i = 0; i < ARRAY_SIZE(fscache_death_transitions); i++)
			if (fscache_death_transitions[i].event == ev)
				return &fscache_death_transitions[i];
	return NULL;
}

/*
 * Handle the raised events in a wait state.  Returns true if the object moved
 * to another state, false if it is to wait (with event_mask published).
 */
static bool fscache_object_dispatch(struct fscache_object *object,
				    const struct fscache_state *st)
{
	unsigned long events, mask = fscache_state_wake_mask(st);
	unsigned int ev;

again:
	events = READ_ONCE(object->events);
	for_each_set_bit(ev, &events, FSCACHE_OBJECT_NR_EVENTS) {
		const struct fscache_transition *t = fscache_find_transition(st, ev);

		if (t) {
			trace_fscache_object_event(object, ev, fscache_object_ev_act);
			clear_bit(ev, &object->events);
			fscache_set_object_state(object, t->next);
			return true;
		}
		if (st->defer & BIT(ev))
			continue;
		fscache_misuse(!(st->ignore & BIT(ev)),
			       "OBJ%x: unexpected event %s in state %s",
			       object->debug_id, fscache_object_event_names[ev],
			       st->name);
		trace_fscache_object_event(object, ev, fscache_object_ev_drop);
		clear_bit(ev, &object->events);
	}

	/* An event raised since we looked must not be missed. */
	if (fscache_set_event_mask(object, mask))
		goto again;
	return false;
}

/* The state machine: run states until one waits or the object is gone. */
static void fscache_object_work_func(struct work_struct *work)
{
	struct fscache_object *object =
		container_of(work, struct fscache_object, work);
	enum fscache_object_state next;
	const struct fscache_state *st;

	spin_lock(&object->lock);
	for (;;) {
		st = &fscache_states[object->state];
		if (!st->work) {
			if (!fscache_object_dispatch(object, st))
				break;
			continue;
		}

		fscache_set_event_mask(object, 0);
		spin_unlock(&object->lock);
		next = st->work(object);
		if (next == FSCACHE_OBJECT_GONE)
			return;
		spin_lock(&object->lock);
		fscache_set_object_state(object, next);
	}
	spin_unlock(&object->lock);
}

static enum fscache_object_state fscache_look_up_object(struct fscache_object *object)
{
	int ret = object->cache->ops->lookup_object(object);

	/* Any non-zero return aborts, as struct fscache_cache_ops says. */
	if (ret) {
		cmpxchg(&object->error, 0, ret < 0 ? ret : -EIO);
		return FSCACHE_OBJECT_ABORTING;
	}
	return FSCACHE_OBJECT_LOOKING_UP;
}

static enum fscache_object_state fscache_update_object(struct fscache_object *object)
{
	if (object->cache->ops->update_object)
		object->cache->ops->update_object(object);
	return FSCACHE_OBJECT_ACTIVE;
}

/*
 * An object starts to die: cancel its pending ops (their submitters are
 * woken), ask those in progress to give up, and wait for n_ops to reach
 * zero.
 */
static enum fscache_object_state fscache_kill_object(struct fscache_object *object)
{
	spin_lock(&object->lock);
	fscache_cancel_all_ops(object);
	/*
	 * EV_CLEARED may be stale from the object's active life; what counts
	 * is n_ops now.  If ops remain, their last put raises it.
	 */
	if (object->n_ops == 0)
		set_bit(FSCACHE_OBJECT_EV_CLEARED, &object->events);
	else
		clear_bit(FSCACHE_OBJECT_EV_CLEARED, &object->events);
	spin_unlock(&object->lock);
	return FSCACHE_OBJECT_KILLED;
}

static enum fscache_object_state fscache_drop_object(struct fscache_object *object)
{
	if (object->cache->ops->drop_object)
		object->cache->ops->drop_object(object);
	return FSCACHE_OBJECT_DEAD;
}

/* The last put of an object, with every reference gone. */
static void fscache_object_free(struct fscache_object *object)
{
	fscache_stat(FSCACHE_STAT_OBJ_FREE);
	trace_fscache_object(object, fscache_object_trace_free);
	object->put_object(object);
}

/* The last state: the object leaves its cache; drop the machine's reference. */
static enum fscache_object_state fscache_object_dead(struct fscache_object *object)
{
	struct fscache_cache *cache = object->cache;

	WARN_ON_ONCE(object->n_ops || object->n_in_progress ||
		     object->n_exclusive || !list_empty(&object->pending_ops) ||
		     !hlist_empty(&object->in_progress_ops) ||
		     object->n_lane_xfer || atomic64_read(&object->lane));

	spin_lock(&cache->object_list_lock);
	list_del_init(&object->cache_link);
	spin_unlock(&cache->object_list_lock);
	fscache_stat(FSCACHE_STAT_OBJ_DEAD);
	trace_fscache_object(object, fscache_object_trace_dead);

	/*
	 * The event mask has been empty, under the event lock, since DROPPING
	 * began, so no one can queue us any more; but an event raised while
	 * we ran from an earlier wait state may have queued us again.  We are
	 * the running instance: drop the pending one before the object goes.
	 */
	cancel_work(&object->work);

	/*
	 * Before the count: once it reaches zero the cache, and the backend's
	 * module, may go, and put_object() is the backend's code.
	 */
	if (refcount_sub_and_test(FSCACHE_REF_OWN, &object->usage))
		fscache_object_free(object);

	/* The cache may be freed as soon as its count reaches zero. */
	if (atomic_dec_and_test(&cache->object_count))
		wake_up_var(&cache->object_count);
	return FSCACHE_OBJECT_GONE;
}

/**
 * fscache_ops_init_object - initialise an object and attach it to a cache
 * @object: the object, usually embedded in the backend's own structure
 * @cache: the cache it belongs to, registered with fscache_ops_add_cache()
 *
 * The object starts in %FSCACHE_OBJECT_INIT: ops submitted to it are
 * deferred.  Its life is driven by the state machine: it dies after
 * fscache_ops_relinquish_object(), an error or the cache's withdrawal.  The
 * caller gets a reference, to put with fscache_ops_put_object() when it is
 * done with the object; the cache's put_object() is called once the object
 * is dead and its last reference gone.
 *
 * Context: process context.
 * Return: 0; -ENOBUFS if @cache is being withdrawn or has had an I/O error;
 * -EINVAL, with a warning, if @cache was never added (is zeroed memory, as
 * the check can tell only that).  Then @object is not
 * attached, the caller holds no reference, put_object() will not be called
 * for it, and every call on it is refused as on a dead object.
 */
int fscache_ops_init_object(struct fscache_object *object,
			    struct fscache_cache *cache)
{
	memset(object, 0, sizeof(*object));
	spin_lock_init(&object->lock);
	raw_spin_lock_init(&object->event_lock);
	INIT_LIST_HEAD(&object->pending_ops);
	INIT_HLIST_HEAD(&object->in_progress_ops);
	INIT_LIST_HEAD(&object->cache_link);
	INIT_WORK(&object->work, fscache_object_work_func);
	/*
	 * Inert unless it joins its cache below: dead, unreferenced, deaf to
	 * events (the mask is empty), so that no later call can drive it and
	 * count it out of a cache it never counted in.
	 */
	object->state = FSCACHE_OBJECT_DEAD;
	if (fscache_misuse(!cache || !cache->ops,
			   "object initialised on a cache that was never added"))
		return -EINVAL;
	object->cache = cache;
	object->put_object = cache->ops->put_object;
	object->cache_debug_id = cache->debug_id;

	fscache_ops_test_point(FSCACHE_TP_OBJECT_JOINING, object);
	spin_lock(&cache->object_list_lock);
	/*
	 * The id is taken where the object joins the list, so that a cache's
	 * list is in the order of its objects' ids: the objects file finds its
	 * place in it again by id.
	 */
	object->debug_id = atomic_inc_return(&fscache_object_debug_id);
	if (test_bit(FSCACHE_CACHE_WITHDRAWN, &cache->flags) ||
	    test_bit(FSCACHE_IOERROR, &cache->flags)) {
		spin_unlock(&cache->object_list_lock);
		trace_fscache_object(object, fscache_object_trace_refused);
		return -ENOBUFS;
	}
	object->state = FSCACHE_OBJECT_INIT;
	object->event_mask =
		fscache_state_wake_mask(&fscache_states[FSCACHE_OBJECT_INIT]);
	/* The caller's reference, and the state machine's until death. */
	refcount_set(&object->usage, FSCACHE_REF_OWN + 1);
	atomic_inc(&cache->object_count);
	list_add_tail(&object->cache_link, &cache->object_list);
	trace_fscache_object(object, fscache_object_trace_new);
	spin_unlock(&cache->object_list_lock);
	fscache_stat(FSCACHE_STAT_OBJ_INIT);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_init_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_lookup_object - start looking an object up
 * @object: an object in %FSCACHE_OBJECT_INIT
 *
 * The state machine calls the cache's lookup_object() from its workqueue.
 *
 * Context: any.
 */
void fscache_ops_lookup_object(struct fscache_object *object)
{
	fscache_raise_event(object, FSCACHE_OBJECT_EV_LOOKUP);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_lookup_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_object_lookup_negative - report that a lookup found nothing
 * @object: the object being looked up
 *
 * The object moves to %FSCACHE_OBJECT_CREATING; ops stay deferred until
 * fscache_ops_object_available() reports the creation done.
 *
 * Context: any.
 */
void fscache_ops_object_lookup_negative(struct fscache_object *object)
{
	fscache_raise_event(object, FSCACHE_OBJECT_EV_NEGATIVE);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_object_lookup_negative, FSCACHE_OPS_NS);

/**
 * fscache_ops_object_available - report that lookup or creation succeeded
 * @object: the object being looked up or created
 *
 * The object becomes active and its deferred ops start, in order.
 *
 * Context: any.
 */
void fscache_ops_object_available(struct fscache_object *object)
{
	fscache_raise_event(object, FSCACHE_OBJECT_EV_AVAILABLE);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_object_available, FSCACHE_OPS_NS);

/**
 * fscache_ops_update_object - ask for the object's metadata to be written
 * @object: the object
 *
 * The cache's update_object() is called from the object workqueue once the
 * object is active; ops keep running meanwhile.
 *
 * Context: any.
 */
void fscache_ops_update_object(struct fscache_object *object)
{
	fscache_raise_event(object, FSCACHE_OBJECT_EV_UPDATE);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_update_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_relinquish_object - give an object up
 * @object: the object
 * @retire: true if the cached data should be discarded
 *
 * The object dies: new submissions get -ENOBUFS, pending ops are cancelled,
 * and once the last op is put the cache's drop_object() and put_object()
 * are called.  With @retire, %FSCACHE_OBJECT_RETIRE is set in
 * @object->flags for drop_object() to see.
 *
 * Context: any.
 */
void fscache_ops_relinquish_object(struct fscache_object *object, bool retire)
{
	if (retire)
		set_bit(FSCACHE_OBJECT_RETIRE, &object->flags);
	fscache_raise_event(object, FSCACHE_OBJECT_EV_RELEASE);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_relinquish_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_get_object - take a reference on an object
 * @object: the object, on which the caller already holds a reference
 *
 * A reference keeps the object's memory, not its life: the object may die
 * (and its cache be withdrawn) meanwhile, after which calls on it are
 * refused.  Put it with fscache_ops_put_object().
 *
 * Context: any.
 * Return: @object, or NULL with a warning if it has no reference left (or
 * %FSCACHE_REF_MASK of the backend's already).
 */
struct fscache_object *fscache_ops_get_object(struct fscache_object *object)
{
	if (fscache_misuse(fscache_get_backend_ref(&object->usage),
			   "get of OBJ%x refused: no reference left, or too many",
			   object->debug_id))
		return NULL;
	return object;
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_get_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_put_object - drop a reference to an object
 * @object: the object
 *
 * If this is the last reference and the object is dead, the cache's
 * put_object() is called, from here.  A put of a reference the caller does
 * not hold (when only the state machine's remains) is refused with a
 * warning.
 *
 * Context: any (put_object() must not sleep).
 */
void fscache_ops_put_object(struct fscache_object *object)
{
	int ret = fscache_put_backend_ref(&object->usage);

	if (fscache_misuse(ret < 0, "put of OBJ%x, of which the caller holds no reference",
			   object->debug_id))
		return;
	if (ret)
		fscache_object_free(object);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_put_object, FSCACHE_OPS_NS);

/**
 * fscache_ops_object_n_ops - how many operations an object has
 * @object: the object, on which the caller holds a reference
 *
 * @object->n_ops leaves out the ops its lane counts while the lane is open
 * (shareable ops started and retired without the object's lock); this
 * counts every op submitted against @object and not yet finally put.
 *
 * Context: process context; takes the object's lock.
 * Return: that number at one moment: 0 stays 0 only while nothing is
 * submitted, as on an object that has begun to die.
 */
unsigned int fscache_ops_object_n_ops(struct fscache_object *object)
{
	unsigned int n;

	spin_lock(&object->lock);
	n = object->n_ops + fscache_lane_alive(atomic64_read(&object->lane));
	spin_unlock(&object->lock);
	return n;
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_object_n_ops, FSCACHE_OPS_NS);

/**
 * fscache_ops_object_failed - report that an object cannot be used
 * @object: the object
 * @error: why (a negative errno), kept in @object->error
 *
 * For a lookup or creation that failed, or an I/O error on the object: it
 * dies as fscache_ops_relinquish_object() describes.  Relinquishing it as
 * well is harmless (the caller's reference keeps it in memory); either way
 * the backend's put_object() is the end.
 *
 * Context: any.
 */
void fscache_ops_object_failed(struct fscache_object *object, int error)
{
	cmpxchg(&object->error, 0, error < 0 ? error : -EIO);
	fscache_raise_event(object, FSCACHE_OBJECT_EV_ERROR);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_object_failed, FSCACHE_OPS_NS);

/**
 * fscache_abort_object - abort an object after an error
 * @object: the object
 *
 * As fscache_ops_object_failed() with -EIO: every later submission gets
 * -ENOBUFS and pending ops are cancelled.
 *
 * Context: any.
 */
void fscache_abort_object(struct fscache_object *object)
{
	fscache_ops_object_failed(object, -EIO);
}
EXPORT_SYMBOL_NS_GPL(fscache_abort_object, FSCACHE_OPS_NS);

static LIST_HEAD(fscache_cache_list);
static DEFINE_MUTEX(fscache_cache_list_lock);

/**
 * fscache_ops_add_cache - register a cache
 * @cache: the cache, usually embedded in the backend's own structure
 * @ops: the backend's operations; lookup_object and put_object are required
 * @name: name for messages (truncated to fit)
 *
 * A cache may be added again once it has been withdrawn.
 *
 * Context: process context.
 * Return: 0, or -EINVAL with a warning if @ops lacks a required operation
 * or @cache is registered already (nothing of it is touched then).
 */
int fscache_ops_add_cache(struct fscache_cache *cache,
			  const struct fscache_cache_ops *ops,
			  const char *name)
{
	struct fscache_cache *c;

	if (fscache_misuse(!ops || !ops->lookup_object || !ops->put_object,
			   "cache %s lacks lookup_object or put_object",
			   name ?: "?"))
		return -EINVAL;

	fscache_ops_test_point(FSCACHE_TP_CACHE_JOINING, cache);
	mutex_lock(&fscache_cache_list_lock);
	/* Reinitialising a registered cache would corrupt the list. */
	list_for_each_entry(c, &fscache_cache_list, link) {
		if (fscache_misuse(c == cache, "cache %s added twice",
				   cache->name)) {
			mutex_unlock(&fscache_cache_list_lock);
			return -EINVAL;
		}
	}
	memset(cache, 0, sizeof(*cache));
	cache->ops = ops;
	strscpy(cache->name, name ?: ops->name ?: "?", sizeof(cache->name));
	/*
	 * The id is taken where the cache joins the list, so that the list is
	 * in the order of the caches' ids: the objects file finds its place
	 * in it again by id.
	 */
	cache->debug_id = atomic_inc_return(&fscache_cache_debug_id);
	spin_lock_init(&cache->object_list_lock);
	INIT_LIST_HEAD(&cache->object_list);
	atomic_set(&cache->object_count, 0);
	raw_spin_lock_init(&cache->op_gc_list_lock);
	INIT_LIST_HEAD(&cache->op_gc_list);
	INIT_WORK(&cache->op_gc, fscache_operation_gc);
	list_add_tail(&cache->link, &fscache_cache_list);
	mutex_unlock(&fscache_cache_list_lock);
	pr_debug("cache %s added\n", cache->name);
	fscache_stat(FSCACHE_STAT_CACHE_ADD);
	trace_fscache_cache(cache, fscache_cache_trace_add);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_add_cache, FSCACHE_OPS_NS);

/* Raise an event on every live object of a cache. */
static void fscache_cache_raise_all(struct fscache_cache *cache,
				    unsigned int event)
{
	struct fscache_object *object;

	spin_lock(&cache->object_list_lock);
	list_for_each_entry(object, &cache->object_list, cache_link)
		fscache_raise_event(object, event);
	spin_unlock(&cache->object_list_lock);
}

/**
 * fscache_ops_io_error - report an I/O error on a cache
 * @cache: the cache
 *
 * The cache stops accepting ops (submissions get -ENOBUFS) and every object
 * of it dies, its pending ops cancelled.
 *
 * Context: process context.
 */
void fscache_ops_io_error(struct fscache_cache *cache)
{
	if (fscache_misuse(!cache->ops, "I/O error on a cache that was never added"))
		return;
	if (test_and_set_bit(FSCACHE_IOERROR, &cache->flags))
		return;
	pr_err("cache %s stopped after an I/O error\n", cache->name);
	fscache_stat(FSCACHE_STAT_CACHE_IO_ERROR);
	trace_fscache_cache(cache, fscache_cache_trace_io_error);
	fscache_cache_raise_all(cache, FSCACHE_OBJECT_EV_ERROR);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_io_error, FSCACHE_OPS_NS);

/**
 * fscache_ops_withdraw_cache - withdraw a cache
 * @cache: the cache
 *
 * Every object of the cache dies (pending ops cancelled, in-progress ops
 * allowed to finish); this waits until each is dead (the put_object() of
 * those the backend holds no reference to has been called) and the cache's
 * garbage collector is idle.  On return nothing in fscache_ops uses @cache,
 * which may be freed; objects the backend still holds are dead, and their
 * put_object() comes with the backend's last put.
 *
 * Context: process context; sleeps.  Not from the object workqueue.
 */
void fscache_ops_withdraw_cache(struct fscache_cache *cache)
{
	if (fscache_misuse(!cache->ops, "withdrawal of a cache that was never added"))
		return;
	set_bit(FSCACHE_CACHE_WITHDRAWN, &cache->flags);
	trace_fscache_cache(cache, fscache_cache_trace_withdraw);
	fscache_cache_raise_all(cache, FSCACHE_OBJECT_EV_WITHDRAW);
	wait_var_event(&cache->object_count,
		       atomic_read(&cache->object_count) == 0);
	flush_work(&cache->op_gc);

	mutex_lock(&fscache_cache_list_lock);
	list_del_init(&cache->link);
	mutex_unlock(&fscache_cache_list_lock);
	pr_debug("cache %s withdrawn\n", cache->name);
	fscache_stat(FSCACHE_STAT_CACHE_WITHDRAW);
	trace_fscache_cache(cache, fscache_cache_trace_withdrawn);
}
EXPORT_SYMBOL_NS_GPL(fscache_ops_withdraw_cache, FSCACHE_OPS_NS);

/* Module exit: every backend is gone, so every cache must be. */
void fscache_ops_object_exit(void)
{
	/*
	 * Only the list's head is read: a backend that went without
	 * withdrawing its cache may have freed it.
	 */
	mutex_lock(&fscache_cache_list_lock);
	if (!list_empty(&fscache_cache_list))
		pr_err("a cache was never withdrawn\n");
	mutex_unlock(&fscache_cache_list_lock);
}

/*
 * debugfs: /sys/kernel/debug/fscache_ops/{objects,caches}.
 *
 * The objects file shows every object on a cache's list, each with the ops
 * on its lists.  The cache list's mutex is held from start() to stop(), so
 * no cache finishes its withdrawal meanwhile (that unlinks it under the
 * mutex, as its last step): every cache on the list, and its backend, stay.
 * Each object shown is held with a reference of our own (FSCACHE_REF_OWN),
 * taken under its cache's list lock while the state machine still holds its
 * own, so the list lock is held only to step through the list, and the
 * object's lock only while that object is printed.  Should our put be the
 * object's last, its put_object() is called from here, its cache and
 * backend being still there.
 *
 * Between reads (and when the object shown died meanwhile) the reader
 * finds its place again by debug id: caches and objects take their ids as
 * they join their lists, under the lists' locks, so the lists are in the
 * order of the ids, and the next object to show is the first one
 * at or after the cursor.  One that joins or dies during a read may or may
 * not be shown, but none that lives throughout is missed.
 */

/* How many ops of each of an object's lists are shown. */
#define FSCACHE_OBJECTS_MAX_OPS		16
/* How far a cache's GC list is counted. */
#define FSCACHE_CACHES_MAX_GC		1000

static struct fscache_object *fscache_objects_hold(struct fscache_objects_iter *it,
						   struct fscache_object *object)
{
	refcount_add(FSCACHE_REF_OWN, &object->usage);
	it->cache_id = object->cache_debug_id;
	it->object_id = object->debug_id;
	return object;
}

static void fscache_objects_release(struct fscache_object *object)
{
	if (refcount_sub_and_test(FSCACHE_REF_OWN, &object->usage))
		fscache_object_free(object);
}

/* The first object at or after the cursor, held; NULL if none. */
static struct fscache_object *fscache_objects_find(struct fscache_objects_iter *it)
{
	struct fscache_cache *cache;
	struct fscache_object *object;

	lockdep_assert_held(&fscache_cache_list_lock);

	list_for_each_entry(cache, &fscache_cache_list, link) {
		if (cache->debug_id < it->cache_id)
			continue;
		spin_lock(&cache->object_list_lock);
		list_for_each_entry(object, &cache->object_list, cache_link) {
			if (cache->debug_id == it->cache_id &&
			    object->debug_id < it->object_id)
				continue;
			fscache_objects_hold(it, object);
			spin_unlock(&cache->object_list_lock);
			return object;
		}
		spin_unlock(&cache->object_list_lock);
	}
	return NULL;
}

static void *fscache_objects_start(struct seq_file *m, loff_t *pos)
{
	struct fscache_objects_iter *it = m->private;

	mutex_lock(&fscache_cache_list_lock);
	if (*pos == 0)
		*it = (struct fscache_objects_iter){};
	return fscache_objects_find(it);
}

static void *fscache_objects_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct fscache_objects_iter *it = m->private;
	struct fscache_object *object = v, *next = NULL;
	/* On the list still, as we hold the mutex. */
	struct fscache_cache *cache = object->cache;

	++*pos;
	spin_lock(&cache->object_list_lock);
	if (!list_empty(&object->cache_link) &&
	    !list_is_last(&object->cache_link, &cache->object_list))
		next = fscache_objects_hold(it, list_next_entry(object, cache_link));
	spin_unlock(&cache->object_list_lock);
	if (!next) {
		/* The last of its cache, or it died meanwhile. */
		it->cache_id = object->cache_debug_id;
		it->object_id = object->debug_id + 1;
		next = fscache_objects_find(it);
	}
	fscache_objects_release(object);
	return next;
}

static void fscache_objects_stop(struct seq_file *m, void *v)
{
	if (v)
		fscache_objects_release(v);
	mutex_unlock(&fscache_cache_list_lock);
}

static const char *const fscache_op_type_names[] = {
	[0]			= "-",
	[FSCACHE_OP_FAST]	= "FAST",
	[FSCACHE_OP_SLOW]	= "SLOW",
	[FSCACHE_OP_MYTHREAD]	= "MYTHREAD",
};

/*
 * One op of an object's, unless @n ops were shown already: then "..." once,
 * and false (show no more).  The caller holds the object's lock.
 */
static bool fscache_objects_show_op(struct seq_file *m,
				    struct fscache_operation *op,
				    unsigned int n, unsigned int now)
{
	unsigned int type;

	if (n >= FSCACHE_OBJECTS_MAX_OPS) {
		seq_puts(m, "  ...\n");
		return false;
	}
	type = op->flags & FSCACHE_OP_TYPE;
	seq_printf(m, "  OP=%08x type=%s state=%s excl=%d cancel=%d",
		   op->debug_id,
		   type < ARRAY_SIZE(fscache_op_type_names) ?
		   fscache_op_type_names[type] : "?",
		   fscache_op_state_name(op->state),
		   test_bit(FSCACHE_OP_I_EXCLUSIVE, &op->iflags),
		   test_bit(FSCACHE_OP_I_CANCEL_REQ, &op->iflags));
	if (IS_ENABLED(CONFIG_FSCACHE_OPS_STATS) &&
	    test_bit(FSCACHE_OP_I_STAMPED, &op->iflags))
		seq_printf(m, " age_us=%u", now - op->submit_time);
	seq_putc(m, '\n');
	return true;
}

/* The first ops of an object's two lists; the caller holds its lock. */
static void fscache_objects_show_ops(struct seq_file *m,
				     struct fscache_object *object,
				     unsigned int now)
{
	struct fscache_operation *op;
	unsigned int n = 0;

	hlist_for_each_entry(op, &object->in_progress_ops, run_link)
		if (!fscache_objects_show_op(m, op, n++, now))
			break;
	n = 0;
	list_for_each_entry(op, &object->pending_ops, pend_link)
		if (!fscache_objects_show_op(m, op, n++, now))
			break;
}

static int fscache_objects_show(struct seq_file *m, void *v)
{
	struct fscache_object *object = v;
	unsigned int now = fscache_now_us(), ev;
	unsigned long events;
	char sep = '=';
	s64 lane;

	spin_lock(&object->lock);
	lane = atomic64_read(&object->lane);
	/* The lane's ops are counted, not listed. */
	seq_printf(m, "OBJ=%08x C=%08x state=%s n_ops=%u n_in_progress=%u n_exclusive=%u n_cleared=%u refs=%u error=%d events",
		   object->debug_id, object->cache_debug_id,
		   fscache_ops_object_state_name(object->state),
		   object->n_ops + fscache_lane_alive(lane),
		   object->n_in_progress + fscache_lane_in_progress(lane),
		   object->n_exclusive,
		   object->n_cleared,
		   refcount_read(&object->usage) & FSCACHE_REF_MASK,
		   object->error);
	events = READ_ONCE(object->events);
	for_each_set_bit(ev, &events, FSCACHE_OBJECT_NR_EVENTS) {
		seq_printf(m, "%c%s", sep, fscache_object_event_names[ev]);
		sep = ',';
	}
	seq_puts(m, sep == '=' ? "=-\n" : "\n");
	fscache_objects_show_ops(m, object, now);
	spin_unlock(&object->lock);
	return 0;
}

/* The objects file's seq_file operations; m->private is the cursor. */
const struct seq_operations fscache_ops_objects_sops = {
	.start	= fscache_objects_start,
	.next	= fscache_objects_next,
	.stop	= fscache_objects_stop,
	.show	= fscache_objects_show,
};

static int fscache_ops_objects_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &fscache_ops_objects_sops,
				sizeof(struct fscache_objects_iter));
}

static const struct file_operations fscache_ops_objects_fops = {
	.owner		= THIS_MODULE,
	.open		= fscache_ops_objects_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

/**
 * fscache_ops_caches_show - show the caches file
 * @m: where to
 * @v: unused
 *
 * One line per registered cache that has not finished its withdrawal.
 *
 * Return: 0.
 */
int fscache_ops_caches_show(struct seq_file *m, void *v)
{
	static const char *const flag_names[] = { "-", "IOERROR", "WITHDRAWN",
						  "IOERROR,WITHDRAWN" };
	struct fscache_cache *cache;
	struct list_head *p;
	unsigned int gc;

	BUILD_BUG_ON(FSCACHE_IOERROR != 0 || FSCACHE_CACHE_WITHDRAWN != 1);
	mutex_lock(&fscache_cache_list_lock);
	list_for_each_entry(cache, &fscache_cache_list, link) {
		gc = 0;
		raw_spin_lock_irq(&cache->op_gc_list_lock);
		list_for_each(p, &cache->op_gc_list)
			if (++gc == FSCACHE_CACHES_MAX_GC)
				break;
		raw_spin_unlock_irq(&cache->op_gc_list_lock);
		seq_printf(m, "C=%08x name=%s flags=%s objects=%d gc_backlog=%u%s\n",
			   cache->debug_id, cache->name,
			   flag_names[READ_ONCE(cache->flags) & 3],
			   atomic_read(&cache->object_count), gc,
			   gc == FSCACHE_CACHES_MAX_GC ? "+" : "");
	}
	mutex_unlock(&fscache_cache_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fscache_ops_caches);

/**
 * fscache_ops_object_debugfs_init - create the objects and caches files
 */
void fscache_ops_object_debugfs_init(void)
{
	debugfs_create_file("objects", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_ops_objects_fops);
	debugfs_create_file("caches", 0444, fscache_ops_debugfs_root, NULL,
			    &fscache_ops_caches_fops);
}
