/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A Promela model of fscache_ops' operation manager on one object:
 * submit / start / complete / cancel / put / GC / object death, for NOPS
 * ops (op 0 exclusive, the others shareable).  It follows the code, not
 * only the documentation; each inline names the function of operation.c or
 * object.c it stands for.  What is modelled and what is abstracted is in
 * Documentation/model.rst; run it with scripts/model.sh.
 *
 * Seed defects (spin -DMUT_...), each of which must make the check fail:
 *   MUT_EXCL	an exclusive op may start while others are in progress
 *		(fscache_start_operations without "n_in_progress > 0")
 *   MUT_CLEARED	EV_CLEARED raised only on a live object
 *		(fscache_op_retire's "is_dying" test inverted)
 *   MUT_NOKILLCLEAR fscache_kill_object does not set EV_CLEARED itself
 *		when n_ops is already 0
 *   MUT_EARLYDEC	fscache_op_retire drops n_ops before the release
 *		callback (in the same hold of the lock as the state change)
 *   MUT_NOSPLIT	one reference count: a backend put is refused only
 *		when no reference at all is left, not when only
 *		fscache_ops' own remain
 */

#ifndef NOPS
#define NOPS	3
#endif

/* enum fscache_operation_state */
#define INITIALISED	1
#define PENDING		2
#define IN_PROGRESS	3
#define COMPLETE	4
#define CANCELLED	5
#define DEAD		6

/* enum fscache_object_state, folded: only what the op manager looks at */
#define O_CREATING	0	/* < ACTIVE: submissions deferred */
#define O_ACTIVE	1	/* ACTIVE, UPDATING: ops run */
#define O_DYING		2	/* ABORTING/RELEASING/WITHDRAWING: refused */
#define O_KILLED	3	/* KILLED: waits for EV_CLEARED */
#define O_DROPPING	4	/* DROPPING, DEAD */

#define EXCL(i)		((i) == 0)

/* The object: object->lock, its state, counters and FIFO. */
bit lk;				/* object->lock */
byte ostate = O_CREATING;
byte n_ops, n_in_progress, n_exclusive;
bit excl_running;		/* FSCACHE_OBJECT_EXCL_RUNNING */
bit ev_cleared;			/* FSCACHE_OBJECT_EV_CLEARED in object->events */
bit dropped;			/* drop_object() called */
chan fifo = [NOPS] of { byte };	/* object->pending_ops */
chan gcq = [NOPS] of { byte };	/* cache->op_gc_list (+ the queued GC) */

/* The ops. */
byte st[NOPS];			/* op->state */
byte bref[NOPS];		/* op->usage & FSCACHE_REF_MASK */
byte oref[NOPS];		/* op->usage / FSCACHE_REF_OWN */
bit queued[NOPS];		/* op->work pending on its workqueue */
bit subq[NOPS];			/* started by its submission, not yet queued */
bit cancel_req[NOPS];		/* FSCACHE_OP_I_CANCEL_REQ */
bit accepted[NOPS];		/* op->object set: counted in n_ops */
bit released[NOPS];		/* op->release() called */
bit retired[NOPS];		/* no longer counted in n_ops */
byte nrelease;			/* release() calls, all ops */
byte backends_done;

/*
 * Every use of an op: never after its release; and never, for an op
 * counted in the object, once the object has been dropped.
 */
#define USE(i)		assert(!released[i] && !(accepted[i] && dropped))

/*
 * spin_lock(&object->lock).  The object outlives its drop (the backend
 * holds a reference), so a submission may still take the lock; what may
 * not happen after drop_object() is an op counted in it (asserted where
 * an accepted op is used, in USE).
 */
inline lock() {
	atomic { lk == 0 -> lk = 1 }
}

inline unlock() {
	lk = 0
}

/* fscache_op_defer_release: publish on the GC list, the GC queued. */
inline defer_release(i) {
	gcq ! i
}

/* fscache_op_put_own(op, FSCACHE_PUT_LOCKED): a final put goes to the GC. */
inline put_own_locked(i) {
	USE(i);
	assert(oref[i] > 0);
	oref[i]--;
	if
	:: bref[i] == 0 && oref[i] == 0 -> defer_release(i)
	:: else -> skip
	fi
}

/*
 * fscache_run_op, for an asynchronous op: started, queued on its workqueue
 * with a reference of ours (the FIFO's, or a new one).  A submission queues
 * its op only after the unlock (fscache_submit()).
 */
inline run_op(i, from_fifo) {
	USE(i);
	assert(st[i] == (from_fifo -> PENDING : INITIALISED));
	/* the property: an exclusive op runs alone, a shared one never with it */
	assert(EXCL(i) -> n_in_progress == 0 : !excl_running);
	st[i] = IN_PROGRESS;
	n_in_progress++;
	if
	:: EXCL(i) -> excl_running = 1
	:: else -> skip
	fi;
	if
	:: !from_fifo -> oref[i]++
	:: else ->
		/* fscache_op_queue: a queueing that finds it queued drops its ref */
		if
		:: queued[i] -> put_own_locked(i)
		:: else -> queued[i] = 1
		fi
	fi
}

/* fscache_start_operations: from the FIFO's head, while they may start. */
inline start_operations() {
	if
	:: ostate == O_ACTIVE ->
		do
		:: empty(fifo) -> break
		:: nempty(fifo) ->
			fifo ? <h>;
			if
			:: EXCL(h) ->
#ifdef MUT_EXCL
				if
				:: true ->
#else
				if
				:: n_in_progress > 0 -> break
				:: else ->
#endif
					fifo ? h;
					run_op(h, 1);
					break
				fi
			:: !EXCL(h) && excl_running -> break
			:: !EXCL(h) && !excl_running ->
				fifo ? h;
				run_op(h, 1)
			fi
		od;
		h = 0
	:: else -> skip
	fi
}

/* fscache_op_done_locked */
inline done_locked(i) {
	USE(i);
	assert(st[i] == IN_PROGRESS);
	st[i] = COMPLETE;	/* or CANCELLED: the same to the counters */
	n_in_progress--;
	if
	:: EXCL(i) -> n_exclusive--; excl_running = 0
	:: else -> skip
	fi;
	if
	:: n_in_progress == 0 -> start_operations()
	:: else -> skip
	fi
}

/* fscache_op_unqueue_locked + fscache_op_cancelled_locked */
inline unqueue_locked(i) {
	USE(i);
	fifo ?? eval(i);
	assert(st[i] == PENDING);
	st[i] = CANCELLED;
	if
	:: EXCL(i) -> n_exclusive--
	:: else -> skip
	fi
}

/*
 * fscache_op_retire: called with the lock held, returns with it released.
 * The op is released while it still counts in n_ops; n_ops drops under
 * the lock taken again.
 */
inline retire(i) {
	atomic {
		USE(i);
		if
		:: st[i] == IN_PROGRESS -> done_locked(i)
		:: st[i] == PENDING -> assert(false)	/* the FIFO holds a ref */
		:: else -> skip
		fi;
		assert(st[i] == COMPLETE || st[i] == CANCELLED);
		st[i] = DEAD;
#ifdef MUT_EARLYDEC
		n_ops--; retired[i] = 1;
		if
		:: n_ops == 0 && ostate >= O_DYING -> ev_cleared = 1
		:: else -> skip
		fi;
#endif
		unlock()
	}
	/* trace + fscache_op_free: the release callback, outside the lock */
	atomic {
		USE(i);
		assert(!dropped);
		released[i] = 1;
		nrelease++
	}
#ifndef MUT_EARLYDEC
	lock();
	atomic {
		assert(n_ops > 0);
		n_ops--;
		retired[i] = 1;
		if
#ifdef MUT_CLEARED
		:: n_ops == 0 && ostate < O_DYING -> ev_cleared = 1
#else
		:: n_ops == 0 && ostate >= O_DYING -> ev_cleared = 1
#endif
		:: else -> skip
		fi;
		unlock()
	}
#endif
}

/*
 * fscache_op_final_put with a context that may finish the op (CLEAN, or a
 * BACKEND put where fscache_op_may_retire_here()), or else deferral.
 */
inline final_put(i, may_retire) {
	if
	:: !accepted[i] ->
		/* never submitted, or refused: freed at once */
		atomic { USE(i); released[i] = 1; nrelease++ }
	:: accepted[i] && may_retire -> lock(); retire(i)
	:: accepted[i] && !may_retire -> defer_release(i)
	fi
}

/* fscache_op_put_own(op, FSCACHE_PUT_CLEAN): from our own work function. */
inline put_own_clean(i) {
	atomic {
		USE(i);
		assert(oref[i] > 0);
		oref[i]--;
		fin = (bref[i] == 0 && oref[i] == 0)
	}
	if
	:: fin -> fin = 0; final_put(i, 1)
	:: else -> skip
	fi
}

/*
 * fscache_put_operation: the backend part checked and dropped in one
 * atomic step (fscache_put_backend_ref's cmpxchg loop); refused when the
 * backend holds none.  A BACKEND final put retires here or defers,
 * whichever preemptible() says: both are explored.
 */
inline put_operation(i) {
	atomic {
		USE(i);
#ifdef MUT_NOSPLIT
		if
		:: bref[i] + oref[i] > 0 ->
			if
			:: bref[i] > 0 -> bref[i]--
			:: else -> oref[i]--	/* takes one of ours */
			fi;
			fin = (bref[i] == 0 && oref[i] == 0)
		:: else -> fin = 0
		fi
#else
		if
		:: bref[i] > 0 ->
			bref[i]--;
			fin = (bref[i] == 0 && oref[i] == 0)
		:: else -> fin = 0	/* refused: a warning, nothing dropped */
		fi
#endif
	}
	if
	:: fin -> fin = 0;
		if
		:: final_put(i, 1)
		:: final_put(i, 0)
		fi
	:: else -> skip
	fi
}

/* fscache_submit (op 0 through fscache_submit_exclusive_op). */
inline submit(i) {
	lock();
	atomic {
		USE(i);
		assert(n_ops >= n_in_progress && n_ops >= n_exclusive);
		if
		:: ostate == O_ACTIVE ->
			accepted[i] = 1;
			n_ops++;
			if
			:: EXCL(i) -> n_exclusive++
			:: else -> skip
			fi;
			if
			:: len(fifo) == 0 &&
			   (EXCL(i) -> n_in_progress == 0 : !excl_running) ->
				run_op(i, 0);
				subq[i] = 1
			:: else ->
				oref[i]++;
				st[i] = PENDING;
				fifo ! i
			fi
		:: ostate == O_CREATING ->
			accepted[i] = 1;
			n_ops++;
			if
			:: EXCL(i) -> n_exclusive++
			:: else -> skip
			fi;
			oref[i]++;
			st[i] = PENDING;
			fifo ! i
		:: else -> skip		/* -ENOBUFS */
		fi;
		unlock()
	};
	/* Queued after the unlock, with the reference run_op() took. */
	atomic {
		if
		:: subq[i] ->
			subq[i] = 0;
			assert(!queued[i]);
			queued[i] = 1
		:: else -> skip
		fi
	}
}

/* fscache_cancel_op(op, cip) */
inline cancel_op(i, cip) {
	lock();
	atomic {
		USE(i);
		if
		:: st[i] == PENDING ->
			unqueue_locked(i);
			put_own_locked(i);
			start_operations()
		:: st[i] == IN_PROGRESS && cip -> cancel_req[i] = 1
		:: else -> skip		/* -EBUSY, -EALREADY */
		fi;
		unlock()
	}
}

/* fscache_op_complete(op, false), from the processor. */
inline op_complete(i) {
	lock();
	atomic {
		USE(i);
		if
		:: st[i] == IN_PROGRESS -> done_locked(i)
		:: else -> skip		/* -EINVAL */
		fi;
		unlock()
	}
}

/*
 * A backend: initialises op i (one reference), submits it, may cancel it,
 * may make a stray put (a misuse: a put it does not hold, made while the
 * op is still alive), and puts its reference.
 */
proctype Backend(byte i)
{
	byte h;
	bit fin;

	atomic { st[i] = INITIALISED; bref[i] = 1 }
	submit(i);
	if
	:: cancel_op(i, 0)
	:: cancel_op(i, 1)
	:: skip
	fi;
	put_operation(i);
	/* A second put of the one reference it had: refused, never fatal. */
	if
	:: i == NOPS - 1 ->
		atomic {
			if
			:: !released[i] -> put_operation(i)
			:: else -> skip
			fi
		}
	:: else -> skip
	fi;
	backends_done++
}

/* fscache_op_work_func: run op i's processor (unless cancelled), then put. */
proctype Worker(byte i)
{
	byte h;
	bit fin;

end:
	do
	:: atomic { queued[i] -> USE(i); queued[i] = 0 }
		if
		:: !cancel_req[i] ->
			if
			:: op_complete(i)	/* the processor completes it */
			:: skip			/* or leaves it to the final put */
			fi
		:: else -> skip
		fi;
		put_own_clean(i)
	od
}

/* fscache_operation_gc: retire each deferred op. */
proctype GC()
{
	byte i, h;

end:
	do
	:: gcq ? i ->
		lock();
		retire(i)
	od
}

/*
 * The object's state machine: becomes ACTIVE (or not), then dies:
 * set_object_state(ABORTING..) under the lock, then fscache_kill_object
 * (a work state, run with the lock taken again), then KILLED waits for
 * EV_CLEARED and DROPPING calls drop_object().
 */
proctype Machine()
{
	byte i, h;

	if
	:: lock(); atomic { ostate = O_ACTIVE; start_operations(); unlock() }
	:: skip
	fi;
	lock();
	atomic { ostate = O_DYING; start_operations(); unlock() }

	/* fscache_kill_object + fscache_cancel_all_ops */
	lock();
	atomic {
		do
		:: nempty(fifo) ->
			fifo ? <i>;
			unqueue_locked(i);
			put_own_locked(i)
		:: empty(fifo) -> break
		od;
		i = 0
	}
	do
	:: i < NOPS ->
		/* in_progress_ops: one whose last put awaits the GC is skipped */
		if
		:: st[i] == IN_PROGRESS ->
			atomic {
				if
				:: bref[i] + oref[i] > 0 ->
					oref[i]++;	/* refcount_add_not_zero */
					h = 1
				:: else -> h = 0
				fi
			}
			if
			:: h ->
				cancel_req[i] = 1;
				/* a backend put may make ours the last one */
				atomic { put_own_locked(i) }
			:: else -> skip
			fi
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	atomic {
#ifdef MUT_NOKILLCLEAR
		if
		:: n_ops > 0 -> ev_cleared = 0
		:: else -> skip
		fi;
#else
		if
		:: n_ops == 0 -> ev_cleared = 1
		:: else -> ev_cleared = 0
		fi;
#endif
		ostate = O_KILLED;
		unlock()
	}

	/* KILLED --CLEARED--> DROPPING: drop_object() */
	ev_cleared == 1;	/* the raise queues the machine */
	lock();
	atomic { ostate = O_DROPPING; unlock() }
	atomic {
		assert(n_ops == 0 && n_in_progress == 0 && n_exclusive == 0);
		assert(empty(fifo));
		i = 0;
		do
		:: i < NOPS -> assert(!accepted[i] || released[i]); i++
		:: else -> break
		od;
		dropped = 1;
		i = 0
	}
}

/*
 * Every op ends released exactly once, the object dropped: reached in
 * every run, or spin reports an invalid end state.
 */
proctype Final()
{
	byte i;

	atomic {
		backends_done == NOPS && dropped && empty(gcq) ->
		i = 0;
		do
		:: i < NOPS ->
			assert(released[i] && oref[i] == 0 && bref[i] == 0);
			assert(!queued[i]);
			assert(accepted[i] == retired[i]);
			i++
		:: else -> break
		od;
		assert(nrelease == NOPS)
	}
}

/* Invariants at every step, checked whenever they could fail. */
#define COUNTED	(accepted[0] - retired[0] + accepted[1] - retired[1] + \
		 (NOPS > 2 -> accepted[NOPS - 1] - retired[NOPS - 1] : 0))
#define RUNNING	((st[0] == IN_PROGRESS) + (st[1] == IN_PROGRESS) + \
		 (NOPS > 2 -> (st[NOPS - 1] == IN_PROGRESS) : 0))

active proctype Invariants()
{
end:
	atomic {
		!(n_ops >= n_in_progress && n_ops >= n_exclusive &&
		  n_ops == COUNTED && n_in_progress == RUNNING &&
		  (st[0] != IN_PROGRESS || RUNNING == 1) &&
		  nrelease <= NOPS && (!dropped || n_ops == 0)) ->
		assert(false)
	}
}

init {
	byte i;

	atomic {
		i = 0;
		do
		:: i < NOPS ->
			run Backend(i);
			run Worker(i);
			i++
		:: else -> break
		od;
		run GC();
		run Machine();
		run Final()
	}
}

#ifdef LTL
ltl dropped_eventually { <> dropped }
#endif
