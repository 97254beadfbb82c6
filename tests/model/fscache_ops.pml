/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A Promela model of fscache_ops' operation manager on one object:
 * submit / start / complete / cancel / put / GC / object death, for NOPS
 * ops (op 0 exclusive, the others shareable), with the object's lane
 * (issue 6: shareable ops started and retired by a cmpxchg on a word of
 * the object, without its lock).  It follows the code, not only the
 * documentation; each inline names the function of operation.c or
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
 *
 * and for the object's lane (shareable ops started and retired without
 * the object's lock, with a cmpxchg on object->lane):
 *   MUT_LANE_NOCLOSE	an exclusive submission does not close the lane
 *   MUT_LANE_NOXFER	a close drops the lane's counts instead of moving
 *			them into n_in_progress/n_ops/n_lane_xfer
 *   MUT_LANE_REOPEN_XFER fscache_lane_try_open() does not wait for
 *			n_lane_xfer == 0
 *   MUT_LANE_EARLYDEC	a lane release drops its count (A, or n_ops)
 *			before the release callback
 *   MUT_LANE_DYINGCLOSE setting a dying state does not close the lane
 *   MUT_LANE_NODONE	a cancel of a lane op ignores FSCACHE_OP_I_DONE
 *   MUT_LANE_NOREOPEN	a submission that takes the lock does not call
 *			fscache_lane_try_open() at its end
 *
 * Other switches: LANE_ALL makes every shareable op lane-eligible (no
 * cancel callback) instead of choosing; NO_LANE_INV leaves out the
 * assertions of the lane's invariant (to see what a lane seed defect
 * breaks downstream, the assertion right after a reopen included);
 * NO_UPDATE leaves out the object's update (ACTIVE set again);
 * LANE_DEATH_LATE decides a lane op's outcome as the C at 2882d43 does
 * (fscache_lane_decide() sets DONE alone, the object's death is read
 * afterwards, by the locked completion branch or the final put, and a
 * cancel finding DONE returns -EBUSY unless the op already reads
 * CANCELLED): the cancel's promise then fails (see model.rst).
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
 * The lane: object->lane, bit 0 OPEN, R = lane ops started and not
 * completed (unit 2, 3 bits here), A = lane ops started and not released
 * (unit 16).  A closed lane is 0.  n_lane_xfer: under object->lock.
 */
#define OPEN		1
#define R1		2
#define A1		16
#define LR(w)		(((w) >> 1) & 7)
#define LA(w)		((w) >> 4)
byte lane;			/* object->lane */
byte n_lane_xfer;		/* object->n_lane_xfer */
bit onlane[NOPS];		/* FSCACHE_OP_I_LANE */
bit done[NOPS];			/* FSCACHE_OP_I_DONE */
bit ip[NOPS];			/* counted as in progress (n_in_progress or R) */
/*
 * What a cancel of the lane op returned: C_NONE, C_OK (0), C_BUSY
 * (-EBUSY, with cancel_in_progress), C_ALREADY (-EALREADY).
 */
#define C_NONE		0
#define C_OK		1
#define C_BUSY		2
#define C_ALREADY	3
byte cres[NOPS];

/* The lane's invariant, under object->lock: OPEN implies LANE_MAY_OPEN. */
#define LANE_MAY_OPEN	(ostate == O_ACTIVE && len(fifo) == 0 && \
			 n_exclusive == 0 && n_lane_xfer == 0)
#define LANE_INV	(!(lane & OPEN) || LANE_MAY_OPEN)

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
#ifndef NO_LANE_INV
	assert(LANE_INV);
#endif
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
	assert(EXCL(i) -> n_in_progress + LR(lane) == 0 : !excl_running);
	st[i] = IN_PROGRESS;
	n_in_progress++;
	ip[i] = 1;
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
	ip[i] = 0;
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
 * The lane's close, under the lock: xchg(lane, 0), and an open lane's
 * counts move into the object's (one step: a closed lane is 0, and only a
 * lock holder opens it, so nothing else changes it under our lock).
 */
inline lane_close() {
	if
	:: lane & OPEN ->
#ifndef MUT_LANE_NOXFER
		n_in_progress = n_in_progress + LR(lane);
		n_ops = n_ops + LA(lane);
		n_lane_xfer = n_lane_xfer + LA(lane);
#endif
		lane = 0
	:: else -> assert(lane == 0)
	fi
}

/*
 * fscache_lane_try_open, under the lock: set(lane, OPEN) if it may be.
 * Called only where the C calls it, lazily: when the object's state is
 * set to an active one (ACTIVE; UPDATING and ACTIVE again, the update)
 * and at the end of each submission that takes the lock.
 * LANE_TRIED: right after it, the lane is OPEN iff it may be.
 */
inline lane_reopen() {
	if
	:: lane == 0 && ostate == O_ACTIVE && len(fifo) == 0 &&
#ifndef MUT_LANE_REOPEN_XFER
	   n_lane_xfer == 0 &&
#endif
	   n_exclusive == 0 -> lane = OPEN
	:: else -> skip
	fi
}

#ifdef NO_LANE_INV
#define LANE_TRIED	skip
#else
#define LANE_TRIED	assert((lane & OPEN) == LANE_MAY_OPEN)
#endif

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
 * fscache_lane_decide: how a lane op ends, decided once against cancel.
 * The caller has read the object's dying state into dy (the C reads it
 * once, before its cmpxchg loop); then one atomic step on op->iflags: if
 * DONE is set already, nothing (ok = 0: an explicit completion is a
 * misuse, -EINVAL; an implied one is skipped); else DONE, and CANCEL_REQ
 * too if the completion is explicitly cancelled (ex), CANCEL_REQ was set
 * or the object was dying at the read.  canc: the outcome, CANCELLED iff
 * CANCEL_REQ is now set.  Leaves dy and ex 0.
 *
 * LANE_DEATH_LATE, the C at 2882d43: DONE alone, canc = ex || CANCEL_REQ;
 * death is looked at later (the locked completion branch, lane_retire).
 */
inline lane_decide(i) {
	atomic {
		USE(i);
		assert(onlane[i]);
		if
		:: done[i] -> ok = 0
		:: else ->
			assert(st[i] == IN_PROGRESS);
			done[i] = 1;
#ifdef LANE_DEATH_LATE
			canc = ex || cancel_req[i];
#else
			if
			:: ex || dy -> cancel_req[i] = 1
			:: else -> skip
			fi;
			canc = cancel_req[i];
#endif
			ok = 1
		fi;
		dy = 0;
		ex = 0
	}
}

/*
 * fscache_op_complete(op, ex) of a lane op: the death read, the decide,
 * then fscache_lane_done: read the lane, then cmpxchg R-- while it is
 * OPEN (the op's final state written with it: no one reads it in
 * between, the completer holds a reference and cancel looks at
 * op->iflags); if closed, the locked branch (fscache_op_done_locked:
 * CANCELLED iff CANCEL_REQ; no reopen).  Leaves ok == 0.
 */
inline lane_complete(i) {
	lane_decide(i);
	if
	:: ok ->
		v = lane;
		do
		:: v & OPEN ->
			atomic {
				if
				:: lane == v ->
					USE(i);
					assert(LR(lane) > 0 && st[i] == IN_PROGRESS);
					lane = lane - R1;
					ip[i] = 0;
					st[i] = (canc -> CANCELLED : COMPLETE);
					v = 0; ok = 0
				:: else -> v = lane	/* cmpxchg failed */
				fi
			}
		:: !(v & OPEN) && ok ->
			/* closed: then it was transferred */
			lock();
			atomic {
				USE(i);
				assert(st[i] == IN_PROGRESS);
				assert(n_in_progress > 0 && n_lane_xfer > 0);
#ifdef LANE_DEATH_LATE
				canc = canc || cancel_req[i] || ostate >= O_DYING;
#else
				/* the outcome is CANCEL_REQ, set by the decide */
				assert(canc == cancel_req[i]);
#endif
				st[i] = (canc -> CANCELLED : COMPLETE);
				n_in_progress--;
				ip[i] = 0;
				if
				:: n_in_progress == 0 && len(fifo) > 0 ->
					start_operations()
				:: else -> skip
				fi;
				unlock();
				ok = 0
			}
		:: !(v & OPEN) && !ok -> break
		od;
		canc = 0
	:: else -> skip
	fi
}

/*
 * fscache_lane_leave(object, A1 (+ R1 if inp)) at a lane op's final put,
 * after its release: read the lane, then cmpxchg while it is OPEN; if
 * closed, the locked branch of fscache_lane_retire.  Leaves inp == 0.
 */
inline lane_leave(i) {
	v = lane;
	ok = 1;
	do
	:: v & OPEN ->
		atomic {
			if
			:: lane == v ->
				if
				:: inp ->
					assert(LR(lane) > 0 && LA(lane) > 0);
					lane = lane - A1 - R1;
					ip[i] = 0
				:: else ->
					assert(LA(lane) > LR(lane));
					lane = lane - A1
				fi;
				retired[i] = 1;
				v = 0; ok = 0
			:: else -> v = lane	/* cmpxchg failed */
			fi
		}
	:: !(v & OPEN) && ok ->
		/* closed: then it was transferred */
		lock();
		atomic {
			assert(n_ops > 0 && n_lane_xfer > 0);
			if
			:: inp ->
				/* fscache_op_stopped_locked */
				assert(n_in_progress > 0);
				n_in_progress--;
				ip[i] = 0;
				if
				:: n_in_progress == 0 && len(fifo) > 0 ->
					start_operations()
				:: else -> skip
				fi
			:: else -> skip
			fi;
			n_lane_xfer--;
			n_ops--;
			retired[i] = 1;
			if
			:: n_ops == 0 && ostate >= O_DYING -> ev_cleared = 1
			:: else -> skip
			fi;
			unlock();
			ok = 0
		}
	:: !(v & OPEN) && !ok -> break
	od;
	inp = 0
}

/*
 * fscache_lane_retire: the final put of a lane op that may finish it here
 * (or the GC's).  The implied completion's decide (claimed atomically,
 * as a completion made without a reference may race it) and final state,
 * and state DEAD, in one step:
 * no reference is left, so no cancel or completion reads them in between;
 * the release callback; and only then the op leaves the lane, its
 * R (if this put completed it) and A in one cmpxchg while the lane is
 * OPEN (the object not touched after), else under the lock:
 * n_in_progress-- (and the FIFO started) if it completed it here,
 * n_lane_xfer--, n_ops--, EV_CLEARED on a dying object at 0; no reopen.
 */
inline lane_retire(i) {
	atomic {
#ifndef LANE_DEATH_LATE
		dy = (ostate >= O_DYING);
#endif
		lane_decide(i);
		inp = ok;
		ok = 0;
		if
		:: inp ->
#ifdef LANE_DEATH_LATE
			canc = canc || ostate >= O_DYING;
#endif
			st[i] = (canc -> CANCELLED : COMPLETE)
		:: else -> skip
		fi;
		canc = 0;
		assert(st[i] == COMPLETE || st[i] == CANCELLED);
		/* what its cancel returned, kept */
		assert(cres[i] != C_OK || st[i] == CANCELLED);
		assert(cres[i] != C_ALREADY || st[i] == CANCELLED);
		assert(cres[i] != C_BUSY || st[i] == COMPLETE);
		st[i] = DEAD
	}
#ifdef MUT_LANE_EARLYDEC
	lane_leave(i);
#endif
	atomic {
		USE(i);
		assert(!dropped);
		released[i] = 1;
		nrelease++
	}
#ifndef MUT_LANE_EARLYDEC
	lane_leave(i)
#endif
}

/*
 * fscache_op_final_put: it finishes the op (CLEAN, or a BACKEND put where
 * fscache_op_may_retire_here()), or a BACKEND put that may not defers it
 * to the GC: both are explored for a BACKEND put.
 */
inline final_put(i, backend) {
	if
	:: !accepted[i] ->
		/* never submitted, or refused: freed at once */
		atomic { USE(i); released[i] = 1; nrelease++ }
	:: accepted[i] && onlane[i] -> lane_retire(i)
	:: accepted[i] && !onlane[i] -> lock(); retire(i)
	:: accepted[i] && backend -> defer_release(i)
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
	:: fin -> fin = 0; final_put(i, 0)
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
	:: fin -> fin = 0; final_put(i, 1)
	:: else -> skip
	fi
}

/*
 * Lane start (fscache_submit, before the lock): read the lane, then
 * cmpxchg it to v + R1 + A1 while it is OPEN; a failed cmpxchg returns the
 * lane as it is now.  On success the op is started without the lock (its
 * fields and state written with the cmpxchg: only its submitter sees them
 * until it is queued), with its work item's reference; it is queued in a
 * step of its own.  Sets ok on success.
 */
inline lane_start(i) {
	v = lane;
	do
	:: v & OPEN ->
		atomic {
			if
			:: lane == v ->
				/* no exclusive op, nothing pending before it */
				assert(!excl_running && n_exclusive == 0 &&
				       len(fifo) == 0);
				lane = lane + R1 + A1;
				accepted[i] = 1;
				onlane[i] = 1;
				assert(st[i] == INITIALISED);
				st[i] = IN_PROGRESS;
				ip[i] = 1;
				oref[i]++;
				subq[i] = 1;
				v = 0; ok = 1
			:: else -> v = lane	/* cmpxchg failed */
			fi
		}
	:: !(v & OPEN) -> break		/* the locked path */
	od
}

/*
 * fscache_submit (op 0 through fscache_submit_exclusive_op).  A shareable
 * op tries the lane unless it has a cancel callback: both are explored.
 */
inline submit(i) {
	ok = 0;
	if
	:: !EXCL(i) -> lane_start(i)
#ifdef LANE_ALL
	:: EXCL(i) -> skip	/* no shareable op has a cancel callback */
#else
	:: true -> skip		/* exclusive, or it has a cancel callback */
#endif
	fi;
	if
	:: ok -> ok = 0
	:: !ok ->
	lock();
	atomic {
		USE(i);
		/* every exclusive submission closes the lane first */
#ifndef MUT_LANE_NOCLOSE
		if
		:: EXCL(i) -> lane_close()
		:: else -> skip
		fi;
#endif
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
		/* out: every submission that took the lock tries to open it */
#ifndef MUT_LANE_NOREOPEN
		lane_reopen();
#endif
		LANE_TRIED;
		unlock()
	}
	fi;
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

/*
 * fscache_cancel_op(op, cip), under the lock.  A lane op (never pending):
 * fscache_lane_cancel, one atomic step on op->iflags: if DONE is set, its
 * outcome is decided: -EALREADY if CANCEL_REQ is set (it ends CANCELLED),
 * else -EBUSY (it ends COMPLETE); if not, with cip, CANCEL_REQ and 0;
 * without, -EBUSY.  What it returned is kept in cres (-EBUSY only with
 * cip: without, it does not say how the op ends).
 */
inline cancel_op(i, cip) {
	lock();
	atomic {
		USE(i);
		if
		:: onlane[i] ->
			if
#ifdef MUT_LANE_NODONE
			:: cip -> cancel_req[i] = 1; cres[i] = C_OK
#else
#ifdef LANE_DEATH_LATE
			:: st[i] == CANCELLED -> cres[i] = C_ALREADY
			:: st[i] != CANCELLED && cip && done[i] -> cres[i] = C_BUSY
#else
			:: done[i] && cancel_req[i] -> cres[i] = C_ALREADY
			:: done[i] && !cancel_req[i] && cip -> cres[i] = C_BUSY
#endif
			:: !done[i] && cip -> cancel_req[i] = 1; cres[i] = C_OK
#endif
			:: else -> skip		/* -EBUSY, without cip */
			fi
		:: !onlane[i] && st[i] == PENDING ->
			unqueue_locked(i);
			put_own_locked(i);
			start_operations()
		:: !onlane[i] && st[i] == IN_PROGRESS && cip ->
			cancel_req[i] = 1
		:: else -> skip		/* -EBUSY, -EALREADY */
		fi;
		unlock()
	}
}

/*
 * fscache_op_complete(op, ex), from the processor; a lane op may be
 * completed as cancelled (for an op on the locked path it is the same to
 * the counters and its outcome is not checked).
 */
inline op_complete(i) {
	if
	:: onlane[i] ->
		atomic {
			if
			:: ex = 0
			:: ex = 1	/* fscache_op_complete(op, true) */
			fi;
#ifndef LANE_DEATH_LATE
			dy = (ostate >= O_DYING)
#endif
		}
		lane_complete(i)
	:: !onlane[i] ->
	lock();
	atomic {
		USE(i);
		if
		:: st[i] == IN_PROGRESS -> done_locked(i)
		:: else -> skip		/* -EINVAL */
		fi;
		unlock()
	}
	fi
}

/*
 * A backend: initialises op i (one reference), submits it, may cancel it,
 * may make a stray put (a misuse: a put it does not hold, made while the
 * op is still alive), and puts its reference.
 */
proctype Backend(byte i)
{
	byte h, v;
	bit fin, ok, canc, dy, inp, ex;

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

/*
 * fscache_op_work_func: run op i's processor (unless cancelled, or a lane
 * op whose object is dying), then put.
 */
proctype Worker(byte i)
{
	byte h, v;
	bit fin, ok, canc, dy, inp, ex;

end:
	do
	:: atomic { queued[i] -> USE(i); queued[i] = 0 }
		if
		:: !cancel_req[i] && !(onlane[i] && ostate >= O_DYING) ->
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
	byte i, h, v;
	bit fin, ok, canc, dy, inp, ex;

end:
	do
	:: gcq ? i ->
		if
		:: onlane[i] -> lane_retire(i)
		:: else -> lock(); retire(i)
		fi
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
	:: lock();
		atomic {
			ostate = O_ACTIVE;
			start_operations();
			lane_reopen();
			LANE_TRIED;
			unlock()
		};
		/*
		 * ACTIVE --UPDATE--> UPDATING --> ACTIVE, maybe: each is set
		 * as ACTIVE is (both are active: the FIFO started, the lane
		 * tried), the same step to the model.
		 */
#ifndef NO_UPDATE
		if
		:: true ->
			lock();
			atomic {
				start_operations();
				lane_reopen();
				LANE_TRIED;
				unlock()
			}
		:: skip
		fi
#else
		skip
#endif
	:: skip
	fi;
	/* a dying state closes the lane: kill_object sees exact n_ops */
	lock();
	atomic {
		ostate = O_DYING;
#ifndef MUT_LANE_DYINGCLOSE
		lane_close();
#endif
		start_operations();
		unlock()
	}

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
		/*
		 * in_progress_ops: one whose last put awaits the GC is
		 * skipped; lane ops are not in it.
		 */
		if
		:: st[i] == IN_PROGRESS && !onlane[i] ->
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
		/* n_ops + A == 0: the lane closed and empty */
		assert(lane == 0 && n_lane_xfer == 0);
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
		assert(nrelease == NOPS);
		/* the lane balances: 0, or OPEN with R = A = 0 */
		assert(lane == 0 || lane == OPEN);
		assert(n_lane_xfer == 0)
	}
}

/* Invariants at every step, checked whenever they could fail. */
#define COUNTED	(accepted[0] - retired[0] + accepted[1] - retired[1] + \
		 (NOPS > 2 -> accepted[NOPS - 1] - retired[NOPS - 1] : 0))
#define RUNNING	(ip[0] + ip[1] + (NOPS > 2 -> ip[NOPS - 1] : 0))

/*
 * The true counts are n_ops + A and n_in_progress + R (a lane op's final
 * put that completes it takes it off R only after its release: RUNNING
 * counts the ops started and not yet taken off, ip).  A closed lane is 0;
 * R <= A; n_lane_xfer <= n_ops; while the lock is free, the lane's
 * invariant.  (Its converse, "open whenever it may be", holds only right
 * after a reopen: LANE_TRIED.  The C reopens lazily.)
 */
active proctype Invariants()
{
end:
	atomic {
		!(n_ops >= n_in_progress && n_ops >= n_exclusive &&
		  n_ops + LA(lane) == COUNTED &&
		  n_in_progress + LR(lane) == RUNNING &&
		  (!ip[0] || RUNNING == 1) &&
		  ((lane & OPEN) || lane == 0) && LR(lane) <= LA(lane) &&
		  n_lane_xfer <= n_ops &&
#ifndef NO_LANE_INV
		  (lk || LANE_INV) &&
#endif
		  nrelease <= NOPS && (!dropped || n_ops + LA(lane) == 0)) ->
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
