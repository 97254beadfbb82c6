/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fscache_ops tracepoints: the life of every op, object and cache.
 *
 * Every event carries the debug ids of what it concerns, as OP=, OBJ= and
 * C= (0 where there is none yet: an op not submitted), so that one op's or
 * one object's life can be picked out of a trace with grep.  The enum
 * tables below are printed with their symbolic names, in the style of
 * include/trace/events/netfs.h.  See Documentation/admin.rst.
 *
 * Built with CONFIG_FSCACHE_OPS_TRACEPOINTS; without it the trace_*()
 * calls are empty inline functions.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fscache_ops

#if !defined(_TRACE_FSCACHE_OPS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_FSCACHE_OPS_H

#include <linux/fscache-ops.h>
#include <linux/tracepoint.h>

/*
 * Define enums for tracing information.
 */
#define fscache_op_traces						\
	EM(fscache_op_trace_init,		"INIT      ")		\
	EM(fscache_op_trace_submit_run,		"SUBMIT-RUN")		\
	EM(fscache_op_trace_submit_defer,	"SUBMIT-DEF")		\
	EM(fscache_op_trace_reject,		"REJECT    ")		\
	EM(fscache_op_trace_start,		"START     ")		\
	EM(fscache_op_trace_enqueue,		"ENQUEUE   ")		\
	EM(fscache_op_trace_enqueue_dup,	"ENQUEUED  ")		\
	EM(fscache_op_trace_process,		"PROCESS   ")		\
	EM(fscache_op_trace_complete,		"COMPLETE  ")		\
	EM(fscache_op_trace_cancelled,		"CANCELLED ")		\
	EM(fscache_op_trace_cancel_pending,	"CANCEL-PND")		\
	EM(fscache_op_trace_cancel_req,		"CANCEL-REQ")		\
	EM(fscache_op_trace_put_final,		"PUT-FINAL ")		\
	EM(fscache_op_trace_put_defer,		"PUT-DEFER ")		\
	EM(fscache_op_trace_gc,			"GC        ")		\
	E_(fscache_op_trace_release,		"RELEASE   ")

#define fscache_object_traces						\
	EM(fscache_object_trace_new,		"NEW    ")		\
	EM(fscache_object_trace_refused,	"REFUSED")		\
	EM(fscache_object_trace_dead,		"DEAD   ")		\
	E_(fscache_object_trace_free,		"FREE   ")

#define fscache_object_ev_traces					\
	EM(fscache_object_ev_raise,		"RAISE")		\
	EM(fscache_object_ev_act,		"ACT  ")		\
	E_(fscache_object_ev_drop,		"DROP ")

#define fscache_cache_traces						\
	EM(fscache_cache_trace_add,		"ADD      ")		\
	EM(fscache_cache_trace_io_error,	"IO-ERROR ")		\
	EM(fscache_cache_trace_withdraw,	"WITHDRAW ")		\
	E_(fscache_cache_trace_withdrawn,	"WITHDRAWN")

/* Enums of include/linux/fscache-ops.h, and the op types (plain numbers). */
#define fscache_op_states						\
	EM(FSCACHE_OP_ST_BLANK,			"BLANK")		\
	EM(FSCACHE_OP_ST_INITIALISED,		"INITIALISED")		\
	EM(FSCACHE_OP_ST_PENDING,		"PENDING")		\
	EM(FSCACHE_OP_ST_IN_PROGRESS,		"IN_PROGRESS")		\
	EM(FSCACHE_OP_ST_COMPLETE,		"COMPLETE")		\
	EM(FSCACHE_OP_ST_CANCELLED,		"CANCELLED")		\
	E_(FSCACHE_OP_ST_DEAD,			"DEAD")

#define fscache_object_states						\
	EM(FSCACHE_OBJECT_INIT,			"INIT")			\
	EM(FSCACHE_OBJECT_LOOK_UP,		"LOOK_UP")		\
	EM(FSCACHE_OBJECT_LOOKING_UP,		"LOOKING_UP")		\
	EM(FSCACHE_OBJECT_CREATING,		"CREATING")		\
	EM(FSCACHE_OBJECT_ACTIVE,		"ACTIVE")		\
	EM(FSCACHE_OBJECT_UPDATING,		"UPDATING")		\
	EM(FSCACHE_OBJECT_ABORTING,		"ABORTING")		\
	EM(FSCACHE_OBJECT_RELEASING,		"RELEASING")		\
	EM(FSCACHE_OBJECT_WITHDRAWING,		"WITHDRAWING")		\
	EM(FSCACHE_OBJECT_KILLED,		"KILLED")		\
	EM(FSCACHE_OBJECT_DROPPING,		"DROPPING")		\
	E_(FSCACHE_OBJECT_DEAD,			"DEAD")

#define fscache_object_events						\
	EM(FSCACHE_OBJECT_EV_WITHDRAW,		"WITHDRAW")		\
	EM(FSCACHE_OBJECT_EV_ERROR,		"ERROR")		\
	EM(FSCACHE_OBJECT_EV_RELEASE,		"RELEASE")		\
	EM(FSCACHE_OBJECT_EV_LOOKUP,		"LOOKUP")		\
	EM(FSCACHE_OBJECT_EV_NEGATIVE,		"NEGATIVE")		\
	EM(FSCACHE_OBJECT_EV_AVAILABLE,		"AVAILABLE")		\
	EM(FSCACHE_OBJECT_EV_UPDATE,		"UPDATE")		\
	E_(FSCACHE_OBJECT_EV_CLEARED,		"CLEARED")

#define fscache_op_types						\
	EM(0,					"----")			\
	EM(FSCACHE_OP_FAST,			"FAST")			\
	EM(FSCACHE_OP_SLOW,			"SLOW")			\
	E_(FSCACHE_OP_MYTHREAD,			"MYTHREAD")

#ifndef __FSCACHE_OPS_DECLARE_TRACE_ENUMS_ONCE_ONLY
#define __FSCACHE_OPS_DECLARE_TRACE_ENUMS_ONCE_ONLY

#undef EM
#undef E_
#define EM(a, b) a,
#define E_(a, b) a

enum fscache_op_trace { fscache_op_traces } __mode(byte);
enum fscache_object_trace { fscache_object_traces } __mode(byte);
enum fscache_object_ev_trace { fscache_object_ev_traces } __mode(byte);
enum fscache_cache_trace { fscache_cache_traces } __mode(byte);

#endif

#if IS_ENABLED(CONFIG_FSCACHE_OPS_TRACEPOINTS)

/*
 * Export enum symbols via userspace.
 */
#undef EM
#undef E_
#define EM(a, b) TRACE_DEFINE_ENUM(a);
#define E_(a, b) TRACE_DEFINE_ENUM(a);

fscache_op_traces;
fscache_object_traces;
fscache_object_ev_traces;
fscache_cache_traces;
fscache_op_states;
fscache_object_states;
fscache_object_events;

/*
 * Now redefine the EM() and E_() macros to map the enums to the strings that
 * will be printed in the output.
 */
#undef EM
#undef E_
#define EM(a, b)	{ a, b },
#define E_(a, b)	{ a, b }

/*
 * An op event.  @object is the op's object, or the one a refused
 * submission was meant for; NULL before submission.
 */
TRACE_EVENT(fscache_op,
	    TP_PROTO(const struct fscache_operation *op,
		     const struct fscache_object *object,
		     enum fscache_op_trace what),

	    TP_ARGS(op, object, what),

	    TP_STRUCT__entry(
		    __field(unsigned int,		op)
		    __field(unsigned int,		object)
		    __field(unsigned int,		cache)
		    __field(unsigned int,		ref)
		    __field(unsigned long,		flags)
		    __field(unsigned long,		iflags)
		    __field(enum fscache_op_trace,	what)
		    __field(u8,				type)
		    __field(u8,				state)
			     ),

	    TP_fast_assign(
		    __entry->op		= op->debug_id;
		    __entry->object	= object ? object->debug_id : 0;
		    __entry->cache	= object ? object->cache_debug_id : 0;
		    __entry->ref	= refcount_read(&op->usage);
		    __entry->flags	= READ_ONCE(op->flags);
		    __entry->iflags	= READ_ONCE(op->iflags);
		    __entry->what	= what;
		    __entry->type	= __entry->flags & FSCACHE_OP_TYPE;
		    __entry->state	= READ_ONCE(op->state);
			   ),

	    TP_printk("OP=%08x OBJ=%08x C=%08x %s %s %s f=%lx if=%lx r=%x",
		      __entry->op, __entry->object, __entry->cache,
		      __print_symbolic(__entry->what, fscache_op_traces),
		      __print_symbolic(__entry->type, fscache_op_types),
		      __print_symbolic(__entry->state, fscache_op_states),
		      __entry->flags, __entry->iflags, __entry->ref)
	    );

/* An object's state machine moves it to another state. */
TRACE_EVENT(fscache_object_state,
	    TP_PROTO(const struct fscache_object *object,
		     enum fscache_object_state to),

	    TP_ARGS(object, to),

	    TP_STRUCT__entry(
		    __field(unsigned int,		object)
		    __field(unsigned int,		cache)
		    __field(unsigned int,		n_ops)
		    __field(unsigned long,		events)
		    __field(u8,				from)
		    __field(u8,				to)
			     ),

	    TP_fast_assign(
		    __entry->object	= object->debug_id;
		    __entry->cache	= object->cache_debug_id;
		    /* With the ops the lane counts (its top half). */
		    __entry->n_ops	= object->n_ops +
			(u32)((u64)atomic64_read(&object->lane) >> 32);
		    __entry->events	= READ_ONCE(object->events);
		    __entry->from	= READ_ONCE(object->state);
		    __entry->to		= to;
			   ),

	    TP_printk("OBJ=%08x C=%08x %s -> %s n_ops=%u ev=%lx",
		      __entry->object, __entry->cache,
		      __print_symbolic(__entry->from, fscache_object_states),
		      __print_symbolic(__entry->to, fscache_object_states),
		      __entry->n_ops, __entry->events)
	    );

/*
 * An object event is raised, or a wait state acts on it or drops it.
 * ev= is the object's raised events after a RAISE; mask= the events its
 * state waits for (a RAISE whose bit is in it queues the state machine).
 */
TRACE_EVENT(fscache_object_event,
	    TP_PROTO(const struct fscache_object *object, unsigned int event,
		     enum fscache_object_ev_trace what),

	    TP_ARGS(object, event, what),

	    TP_STRUCT__entry(
		    __field(unsigned int,		object)
		    __field(unsigned int,		cache)
		    __field(unsigned long,		events)
		    __field(unsigned long,		mask)
		    __field(enum fscache_object_ev_trace, what)
		    __field(u8,				event)
		    __field(u8,				state)
			     ),

	    TP_fast_assign(
		    __entry->object	= object->debug_id;
		    __entry->cache	= object->cache_debug_id;
		    __entry->events	= READ_ONCE(object->events);
		    __entry->mask	= READ_ONCE(object->event_mask);
		    __entry->what	= what;
		    __entry->event	= event;
		    __entry->state	= READ_ONCE(object->state);
			   ),

	    TP_printk("OBJ=%08x C=%08x %s %s in %s ev=%lx mask=%lx",
		      __entry->object, __entry->cache,
		      __print_symbolic(__entry->what, fscache_object_ev_traces),
		      __print_symbolic(__entry->event, fscache_object_events),
		      __print_symbolic(__entry->state, fscache_object_states),
		      __entry->events, __entry->mask)
	    );

/* An object is attached to its cache, leaves it, or is freed. */
TRACE_EVENT(fscache_object,
	    TP_PROTO(const struct fscache_object *object,
		     enum fscache_object_trace what),

	    TP_ARGS(object, what),

	    TP_STRUCT__entry(
		    __field(unsigned int,		object)
		    __field(unsigned int,		cache)
		    __field(unsigned int,		ref)
		    __field(enum fscache_object_trace,	what)
		    __field(u8,				state)
			     ),

	    TP_fast_assign(
		    __entry->object	= object->debug_id;
		    __entry->cache	= object->cache_debug_id;
		    __entry->ref	= refcount_read(&object->usage);
		    __entry->what	= what;
		    __entry->state	= READ_ONCE(object->state);
			   ),

	    TP_printk("OBJ=%08x C=%08x %s %s r=%x",
		      __entry->object, __entry->cache,
		      __print_symbolic(__entry->what, fscache_object_traces),
		      __print_symbolic(__entry->state, fscache_object_states),
		      __entry->ref)
	    );

/* A cache is registered, has an I/O error, or is withdrawn. */
TRACE_EVENT(fscache_cache,
	    TP_PROTO(const struct fscache_cache *cache,
		     enum fscache_cache_trace what),

	    TP_ARGS(cache, what),

	    TP_STRUCT__entry(
		    __field(unsigned int,		cache)
		    __field(int,			objects)
		    __field(unsigned long,		flags)
		    __field(enum fscache_cache_trace,	what)
		    __array(char,			name, 32)
			     ),

	    TP_fast_assign(
		    __entry->cache	= cache->debug_id;
		    __entry->objects	= atomic_read(&cache->object_count);
		    __entry->flags	= READ_ONCE(cache->flags);
		    __entry->what	= what;
		    strscpy(__entry->name, cache->name, sizeof(__entry->name));
			   ),

	    TP_printk("C=%08x %s objects=%d f=%lx name=%s",
		      __entry->cache,
		      __print_symbolic(__entry->what, fscache_cache_traces),
		      __entry->objects, __entry->flags, __entry->name)
	    );

#else /* !CONFIG_FSCACHE_OPS_TRACEPOINTS */

static inline void trace_fscache_op(const struct fscache_operation *op,
				    const struct fscache_object *object,
				    enum fscache_op_trace what)
{
}

static inline void trace_fscache_object_state(const struct fscache_object *object,
					      enum fscache_object_state to)
{
}

static inline void trace_fscache_object_event(const struct fscache_object *object,
					      unsigned int event,
					      enum fscache_object_ev_trace what)
{
}

static inline void trace_fscache_object(const struct fscache_object *object,
					enum fscache_object_trace what)
{
}

static inline void trace_fscache_cache(const struct fscache_cache *cache,
				       enum fscache_cache_trace what)
{
}

#endif /* CONFIG_FSCACHE_OPS_TRACEPOINTS */

#undef EM
#undef E_
#endif /* _TRACE_FSCACHE_OPS_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
