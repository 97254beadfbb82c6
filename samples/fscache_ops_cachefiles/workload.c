// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops_cachefiles: the workload driver, which plays the netfs that
 * uses the cache.  Controlled through debugfs, in
 * /sys/kernel/debug/fscache_ops_cachefiles/:
 *
 *   control          "objects=N threads=N blocks=N mix=R:W:T[:C]
 *                    duration=S ops=N" set the workload (each bad value is
 *                    refused with a message, and nothing changes), "start"
 *                    starts it, "stop" stops it; reading shows the state
 *                    and the settings
 *   report           the progress of the running workload, or the final
 *                    report of the last one
 *   inject_io_error  N: the Nth backing-file I/O from now fails, and the
 *                    backend stops the cache (0: disarm); reading shows
 *                    how many are left to go
 *
 * T threads issue reads, writes, truncations and size checks against N
 * objects of a number of blocks each.  A shadow keeps the checksum of every
 * block written and the size every file should have; every block read back
 * and every size checked is verified against it.  The shadow is updated
 * under the object's lock together with each submission, so it holds what
 * the object holds in submission order; fscache_ops keeps that order where
 * it matters (an exclusive op runs after every op submitted before it and
 * before every op submitted after it), and the driver never has two reads
 * or writes of one block in flight.  A failed or cancelled write or
 * truncation makes what it touched unknown: it is not verified again until
 * rewritten.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include "fsco.h"

struct fsco_params {
	unsigned int		objects;
	unsigned int		threads;
	unsigned int		blocks;		/* per object */
	unsigned int		duration;	/* seconds; 0: none */
	unsigned int		ops;		/* 0: no limit */
	unsigned int		mix[FSCO_REQ__NR];
};

/* The driver's view of one object: the shadow of what its file holds. */
struct fsco_wobj {
	struct fsco_object	*obj;
	struct mutex		lock;	/* orders submissions with the shadow */
	u32			*csum;	/* checksum of each block */
	unsigned long		*busy;	/* blocks with a read or write in flight */
	unsigned long		*unknown; /* blocks a failed op left unknown */
	unsigned int		size;	/* the file's size, in blocks */
	bool			size_unknown;
};

struct fsco_counts {
	atomic64_t		done[FSCO_REQ__NR];
	atomic64_t		read_fast;	/* served from memory */
	atomic64_t		read_requeued;	/* missed: re-enqueued as SLOW */
	atomic64_t		bytes;		/* read and written */
	atomic64_t		verified;	/* blocks read back and checked */
	atomic64_t		sizes;		/* sizes checked */
	atomic64_t		mismatches;
	atomic64_t		io_errors;
	atomic64_t		refused;	/* -ENOBUFS at submission */
	atomic64_t		cancelled;
	atomic64_t		timeouts;
	atomic64_t		other;
};

struct fsco_workload {
	struct fsco_params	p;
	struct fsco_cache	*cache;
	struct fsco_wobj	*objs;
	unsigned int		nr_objs;	/* set up */
	unsigned int		leftovers;	/* files found non-empty */
	struct task_struct	**workers;
	atomic_t		live;		/* workers still running */
	wait_queue_head_t	wq;
	bool			stop;
	const char		*why;		/* why it stopped, once known */
	atomic64_t		issued;
	unsigned long		start, end;	/* jiffies */
	u32			zero_csum;
	atomic_t		mismatch_msgs;
	long			stat0[FSCO_STAT__NR];
	struct fsco_counts	c;
};

enum fsco_state { FSCO_IDLE, FSCO_RUNNING, FSCO_DONE };
static const char *const fsco_state_names[] = { "idle", "running", "done" };

/* Everything below is guarded by fsco_ctl_lock. */
static DEFINE_MUTEX(fsco_ctl_lock);
static struct fsco_params fsco_params = {
	.objects	= 16,
	.threads	= 2,
	.blocks		= 64,
	.duration	= 20,
	.ops		= 0,
	.mix		= { 60, 30, 5, 5 },
};

static enum fsco_state fsco_state;
static struct task_struct *fsco_monitor;
static struct fsco_workload *fsco_wl;	/* while running */
static struct fsco_cache *fsco_cache;
static char fsco_progress[200];
static char fsco_report[4096];
static size_t fsco_report_len;
static struct dentry *fsco_debugfs;

#define FSCO_MAX_OBJECTS	1024
#define FSCO_MAX_THREADS	64
#define FSCO_MAX_BLOCKS		4096
#define FSCO_MAX_SHADOW		BIT(20)		/* objects x blocks */
#define FSCO_MAX_DURATION	86400
#define FSCO_MAX_OPS		1000000000U
#define FSCO_MAX_MIX		1000
#define FSCO_MISMATCH_MSGS	10

/* Print a line of the final report and keep it for the report file. */
static __printf(1, 2) void fsco_report_info(const char *fmt, ...)
{
	char line[512];
	va_list args;

	va_start(args, fmt);
	vscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	pr_info("%s\n", line);
	mutex_lock(&fsco_ctl_lock);
	fsco_report_len += scnprintf(fsco_report + fsco_report_len,
				     sizeof(fsco_report) - fsco_report_len,
				     "%s\n", line);
	mutex_unlock(&fsco_ctl_lock);
}

/* A block's checksum: CRC-32 with the usual ~0 start, so zeroes are not 0. */
static u32 fsco_csum(const void *buf)
{
	return crc32_le(~0U, buf, FSCO_BLOCK_SIZE);
}

/* Fill a block with a pseudo-random pattern; return its checksum. */
static u32 fsco_fill(void *buf, u32 seed)
{
	u32 *p = buf, x = seed | 1;
	unsigned int i;

	for (i = 0; i < FSCO_BLOCK_SIZE / sizeof(u32); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
	return fsco_csum(buf);
}

static enum fsco_req_type fsco_pick_type(const struct fsco_params *p)
{
	unsigned int total = 0, r, t;

	for (t = 0; t < FSCO_REQ__NR; t++)
		total += p->mix[t];
	r = get_random_u32_below(total);
	for (t = 0; t < FSCO_REQ__NR; t++) {
		if (r < p->mix[t])
			return t;
		r -= p->mix[t];
	}
	return FSCO_READ;
}

/* The shadow, as the op just submitted will leave the object. */
static void fsco_shadow_submitted(struct fsco_workload *wl,
				  struct fsco_wobj *w, struct fsco_req *req,
				  u32 csum)
{
	unsigned int b, from;

	switch (req->type) {
	case FSCO_WRITE:
		w->csum[req->index] = csum;
		clear_bit(req->index, w->unknown);
		w->size = max_t(unsigned int, w->size, req->index + 1);
		break;
	case FSCO_TRUNCATE:
		from = req->size / FSCO_BLOCK_SIZE;
		for (b = from; b < wl->p.blocks; b++)
			w->csum[b] = wl->zero_csum;
		bitmap_clear(w->unknown, from, wl->p.blocks - from);
		w->size = from;
		w->size_unknown = false;
		break;
	default:
		break;
	}
}

/*
 * A write or truncation failed or was cancelled: it may or may not have
 * done its work.  What it touched is unknown until written again.
 */
static void fsco_shadow_failed(struct fsco_workload *wl, struct fsco_wobj *w,
			       struct fsco_req *req)
{
	unsigned int from;

	mutex_lock(&w->lock);
	if (req->type == FSCO_WRITE) {
		set_bit(req->index, w->unknown);
	} else {
		from = req->size / FSCO_BLOCK_SIZE;
		bitmap_set(w->unknown, from, wl->p.blocks - from);
	}
	w->size_unknown = true;
	mutex_unlock(&w->lock);
}

static void fsco_count_error(struct fsco_workload *wl, int ret)
{
	switch (ret) {
	case -ENOBUFS:
		atomic64_inc(&wl->c.refused);
		break;
	case -ECANCELED:
		atomic64_inc(&wl->c.cancelled);
		break;
	case -ETIMEDOUT:
		atomic64_inc(&wl->c.timeouts);
		break;
	case -EIO:
		atomic64_inc(&wl->c.io_errors);
		break;
	default:
		atomic64_inc(&wl->c.other);
		break;
	}
}

static void fsco_mismatch(struct fsco_workload *wl, struct fsco_wobj *w,
			  const char *what, unsigned long long got,
			  unsigned long long expected)
{
	atomic64_inc(&wl->c.mismatches);
	if (atomic_inc_return(&wl->mismatch_msgs) <= FSCO_MISMATCH_MSGS)
		pr_err("MISMATCH: %s %s: %#llx, expected %#llx\n",
		       w->obj->key, what, got, expected);
}

/* One op of the workload.  -EAGAIN: nothing done; -ENOBUFS: refused. */
static int fsco_one_op(struct fsco_workload *wl)
{
	enum fsco_req_type type = fsco_pick_type(&wl->p);
	struct fsco_wobj *w = &wl->objs[get_random_u32_below(wl->nr_objs)];
	bool rw = type == FSCO_READ || type == FSCO_WRITE;
	u64 expect = 0;
	bool known = false;
	struct fsco_req *req;
	u32 csum = 0;
	char what[32];
	int ret;

	req = fsco_req_alloc(w->obj, type, GFP_KERNEL);
	if (!req) {
		atomic64_inc(&wl->c.other);
		return -ENOMEM;
	}
	if (rw)
		req->index = get_random_u32_below(wl->p.blocks);
	if (type == FSCO_WRITE)
		csum = fsco_fill(req->buf, get_random_u32());
	if (type == FSCO_TRUNCATE)
		req->size = (loff_t)get_random_u32_below(wl->p.blocks + 1) *
			    FSCO_BLOCK_SIZE;

	mutex_lock(&w->lock);
	if (rw && test_and_set_bit_lock(req->index, w->busy)) {
		/* Another thread has this block in flight: pick again. */
		mutex_unlock(&w->lock);
		fsco_req_put(req);
		return -EAGAIN;
	}
	if (type == FSCO_READ) {
		expect = w->csum[req->index];
		known = !test_bit(req->index, w->unknown);
	} else if (type == FSCO_CHECK) {
		expect = (u64)w->size * FSCO_BLOCK_SIZE;
		known = !w->size_unknown;
	}
	ret = fsco_req_submit(req);
	if (!ret)
		fsco_shadow_submitted(wl, w, req, csum);
	mutex_unlock(&w->lock);

	if (!ret)
		ret = fsco_req_wait(req);
	if (!ret) {
		atomic64_inc(&wl->c.done[type]);
		if (rw)
			atomic64_add(FSCO_BLOCK_SIZE, &wl->c.bytes);
	} else {
		fsco_count_error(wl, ret);
		if (ret != -ENOBUFS &&
		    (type == FSCO_WRITE || type == FSCO_TRUNCATE))
			fsco_shadow_failed(wl, w, req);
	}

	if (!ret && type == FSCO_READ) {
		if (req->fast_hit)
			atomic64_inc(&wl->c.read_fast);
		if (req->requeued)
			atomic64_inc(&wl->c.read_requeued);
		if (known) {
			u32 got = fsco_csum(req->buf);

			atomic64_inc(&wl->c.verified);
			if (got != expect) {
				snprintf(what, sizeof(what), "block %lu %s",
					 req->index, req->fast_hit ?
					 "(memory) crc" : "(file) crc");
				fsco_mismatch(wl, w, what, got, expect);
			}
		}
	}
	if (!ret && type == FSCO_CHECK && known) {
		atomic64_inc(&wl->c.sizes);
		if (req->size != expect)
			fsco_mismatch(wl, w, "size", req->size, expect);
	}
	if (rw)
		clear_bit_unlock(req->index, w->busy);
	fsco_req_put(req);
	return ret;
}

static int fsco_worker_fn(void *data)
{
	struct fsco_workload *wl = data;

	while (!READ_ONCE(wl->stop) && !kthread_should_stop()) {
		int ret;

		if (wl->p.ops && atomic64_inc_return(&wl->issued) > wl->p.ops)
			break;
		ret = fsco_one_op(wl);
		if (ret == -EAGAIN && wl->p.ops)
			atomic64_dec(&wl->issued);
		/* Refused: the cache (or its objects) stopped; so do we. */
		if (ret == -ENOBUFS)
			break;
		cond_resched();
	}
	if (atomic_dec_and_test(&wl->live))
		wake_up(&wl->wq);
	return 0;
}

/* Submit one request and wait for it; for the setup. */
static int fsco_sync(struct fsco_wobj *w, enum fsco_req_type type,
		     loff_t *size)
{
	struct fsco_req *req = fsco_req_alloc(w->obj, type, GFP_KERNEL);
	int ret;

	if (!req)
		return -ENOMEM;
	req->size = *size;
	ret = fsco_req_submit(req);
	if (!ret)
		ret = fsco_req_wait(req);
	*size = req->size;
	fsco_req_put(req);
	return ret;
}

/*
 * Create the objects (their lookups run on the object workqueue), then
 * check each one's size: the check waits for its lookup.  Files left over
 * from a run that an I/O error stopped are cut back to nothing.
 */
static int fsco_setup(struct fsco_workload *wl)
{
	unsigned int i, b;
	char key[16];
	loff_t size;
	int ret;

	for (i = 0; i < wl->p.objects; i++) {
		struct fsco_wobj *w = &wl->objs[i];

		mutex_init(&w->lock);
		w->csum = kcalloc(wl->p.blocks, sizeof(u32), GFP_KERNEL);
		w->busy = bitmap_zalloc(wl->p.blocks, GFP_KERNEL);
		w->unknown = bitmap_zalloc(wl->p.blocks, GFP_KERNEL);
		if (!w->csum || !w->busy || !w->unknown)
			return -ENOMEM;
		for (b = 0; b < wl->p.blocks; b++)
			w->csum[b] = wl->zero_csum;
		snprintf(key, sizeof(key), "obj-%04u", i);
		w->obj = fsco_object_new(wl->cache, key);
		if (IS_ERR(w->obj)) {
			ret = PTR_ERR(w->obj);
			w->obj = NULL;
			return ret;
		}
		wl->nr_objs++;
	}
	for (i = 0; i < wl->nr_objs && !kthread_should_stop(); i++) {
		struct fsco_wobj *w = &wl->objs[i];

		size = 0;
		ret = fsco_sync(w, FSCO_CHECK, &size);
		if (!ret && size) {
			wl->leftovers++;
			size = 0;
			ret = fsco_sync(w, FSCO_TRUNCATE, &size);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Release the objects: retired, so that their files go, unless the cache
 * failed, whose files are left for a look (as cachefiles leaves them); its
 * objects are dead already, or dying, and only the put counts.
 */
static void fsco_teardown(struct fsco_workload *wl)
{
	bool retire = !READ_ONCE(wl->cache->failed);
	unsigned int i;

	for (i = 0; i < wl->p.objects; i++) {
		struct fsco_wobj *w = &wl->objs[i];

		if (w->obj)
			fsco_object_release(w->obj, retire);
		kfree(w->csum);
		bitmap_free(w->busy);
		bitmap_free(w->unknown);
	}
}

/* Ask the workers to stop; the first reason given is kept. */
static void fsco_stop(struct fsco_workload *wl, const char *why)
{
	if (why)
		cmpxchg(&wl->why, NULL, why);
	WRITE_ONCE(wl->stop, true);
}

static u64 fsco_ops_done(struct fsco_workload *wl)
{
	u64 n = 0;
	int t;

	for (t = 0; t < FSCO_REQ__NR; t++)
		n += atomic64_read(&wl->c.done[t]);
	return n;
}

static u64 fsco_errors(struct fsco_workload *wl)
{
	return atomic64_read(&wl->c.io_errors) + atomic64_read(&wl->c.refused) +
	       atomic64_read(&wl->c.cancelled) + atomic64_read(&wl->c.timeouts) +
	       atomic64_read(&wl->c.other);
}

/* Tenths, for "12.3". */
static void fsco_tenths(u64 num, u64 den, u64 *whole, u64 *tenth)
{
	u64 t = den ? div64_u64(num * 10, den) : 0;
	u32 rem;

	*whole = div_u64_rem(t, 10, &rem);
	*tenth = rem;
}

/* Run the workers, print the progress once a second, stop them in time. */
static void fsco_watch(struct fsco_workload *wl)
{
	unsigned long next = wl->start + HZ, last = wl->start;
	u64 last_ops = 0, last_bytes = 0;

	for (;;) {
		bool stopping = READ_ONCE(wl->stop);
		long left = (long)(next - jiffies);
		u64 ops, bytes, mbs, mbs10;
		unsigned long now;

		wait_event_idle_timeout(wl->wq, !atomic_read(&wl->live) ||
					(!stopping && kthread_should_stop()),
					max(left, 1L));
		if (!stopping && kthread_should_stop())
			fsco_stop(wl, "stopped: the module is being unloaded");
		if (!atomic_read(&wl->live))
			break;
		now = jiffies;
		if (time_before(now, next))
			continue;
		if (wl->p.duration &&
		    time_after_eq(now, wl->start + wl->p.duration * HZ))
			fsco_stop(wl, "time up");

		ops = fsco_ops_done(wl);
		bytes = atomic64_read(&wl->c.bytes);
		fsco_tenths(bytes - last_bytes, (u64)(now - last) * 1000000 / HZ,
			    &mbs, &mbs10);
		mutex_lock(&fsco_ctl_lock);
		scnprintf(fsco_progress, sizeof(fsco_progress),
			  "progress: %3lu s: %llu ops (%llu/s), %llu.%llu MB/s, %llu blocks verified, %llu errors, %llu mismatches",
			  (now - wl->start) / HZ, ops,
			  div64_u64((ops - last_ops) * HZ, now - last),
			  mbs, mbs10, atomic64_read(&wl->c.verified),
			  fsco_errors(wl), atomic64_read(&wl->c.mismatches));
		mutex_unlock(&fsco_ctl_lock);
		pr_info("%s\n", fsco_progress);
		last_ops = ops;
		last_bytes = bytes;
		last = now;
		next += HZ;
		if (time_before(next, now))
			next = now + HZ;
	}
}

static void fsco_final_report(struct fsco_workload *wl, int setup_ret)
{
	const struct fsco_params *p = &wl->p;
	struct fsco_counts *c = &wl->c;
	unsigned long ms = jiffies_to_msecs(wl->end - wl->start);
	long st[FSCO_STAT__NR];
	u64 ops = fsco_ops_done(wl), bytes = atomic64_read(&c->bytes);
	u64 mb, mb10, rate, rate10, secs, secs10;
	u64 io_real, injected;
	const char *result;
	int i;

	for (i = 0; i < FSCO_STAT__NR; i++)
		st[i] = atomic_long_read(&fsco_stats[i]) - wl->stat0[i];
	injected = st[FSCO_STAT_INJECTED];
	io_real = st[FSCO_STAT_IO_ERROR] - injected;

	fsco_tenths(ms, 1000, &secs, &secs10);
	fsco_report_info("report: %u objects of %u blocks of %u KiB, %u threads, mix read:write:truncate:check %u:%u:%u:%u, for %u %s",
			 p->objects, p->blocks, FSCO_BLOCK_SIZE / 1024,
			 p->threads, p->mix[0], p->mix[1], p->mix[2], p->mix[3],
			 p->ops ? p->ops : p->duration, p->ops ? "ops" : "s");
	if (setup_ret)
		fsco_report_info("report: setup failed: %d", setup_ret);
	fsco_report_info("report: setup: %u lookups (%ld files created, %ld found), %u left-over files emptied",
			 wl->nr_objs, st[FSCO_STAT_LOOKUP_CREATED],
			 st[FSCO_STAT_LOOKUP_FOUND], wl->leftovers);
	fsco_report_info("report: ended after %llu.%llu s: %s", secs, secs10,
			 wl->why);
	fsco_tenths(ops * 1000, ms, &rate, &rate10);
	fsco_report_info("report: ops: %llu (%llu/s): read %lld (%lld from memory by FAST ops, %lld missed and re-enqueued as SLOW), write %lld, truncate %lld, check %lld",
			 ops, rate, atomic64_read(&c->done[FSCO_READ]),
			 atomic64_read(&c->read_fast),
			 atomic64_read(&c->read_requeued),
			 atomic64_read(&c->done[FSCO_WRITE]),
			 atomic64_read(&c->done[FSCO_TRUNCATE]),
			 atomic64_read(&c->done[FSCO_CHECK]));
	fsco_tenths(bytes, 1000000, &mb, &mb10);
	fsco_tenths(bytes * 1000, (u64)ms * 1000000, &rate, &rate10);
	fsco_report_info("report: moved: %llu.%llu MB (%lld blocks read, %lld written), %llu.%llu MB/s",
			 mb, mb10, atomic64_read(&c->done[FSCO_READ]),
			 atomic64_read(&c->done[FSCO_WRITE]), rate, rate10);
	fsco_report_info("report: verified: %lld blocks read back and %lld sizes, against the shadow checksums: %lld mismatches",
			 atomic64_read(&c->verified), atomic64_read(&c->sizes),
			 atomic64_read(&c->mismatches));
	fsco_report_info("report: errors: %lld I/O (%llu injected), %lld submissions refused (-ENOBUFS), %lld cancelled, %lld timed out, %lld other",
			 atomic64_read(&c->io_errors), injected,
			 atomic64_read(&c->refused),
			 atomic64_read(&c->cancelled),
			 atomic64_read(&c->timeouts), atomic64_read(&c->other));
	fsco_report_info("report: objects: %ld dropped, %ld files unlinked, %ld freed",
			 st[FSCO_STAT_DROP], st[FSCO_STAT_UNLINK],
			 st[FSCO_STAT_PUT]);

	if (atomic64_read(&c->mismatches))
		result = "MISMATCH";
	else if (setup_ret || io_real || atomic64_read(&c->timeouts) ||
		 atomic64_read(&c->other))
		result = "ERRORS";
	else
		result = "OK";
	fsco_report_info("summary: result=%s ops=%llu read=%lld read_fast=%lld read_requeued=%lld write=%lld truncate=%lld check=%lld bytes=%llu ms=%lu verified=%lld sizes=%lld mismatches=%lld io_errors=%lld injected=%llu refused=%lld cancelled=%lld timeouts=%lld other=%lld created=%ld found=%ld leftovers=%u unlinked=%ld",
			 result, ops, atomic64_read(&c->done[FSCO_READ]),
			 atomic64_read(&c->read_fast),
			 atomic64_read(&c->read_requeued),
			 atomic64_read(&c->done[FSCO_WRITE]),
			 atomic64_read(&c->done[FSCO_TRUNCATE]),
			 atomic64_read(&c->done[FSCO_CHECK]), bytes, ms,
			 atomic64_read(&c->verified), atomic64_read(&c->sizes),
			 atomic64_read(&c->mismatches),
			 atomic64_read(&c->io_errors), injected,
			 atomic64_read(&c->refused),
			 atomic64_read(&c->cancelled),
			 atomic64_read(&c->timeouts), atomic64_read(&c->other),
			 st[FSCO_STAT_LOOKUP_CREATED], st[FSCO_STAT_LOOKUP_FOUND],
			 wl->leftovers, st[FSCO_STAT_UNLINK]);
}

static void fsco_free(struct fsco_workload *wl)
{
	kfree(wl->objs);
	kfree(wl->workers);
	kfree(wl);
}

static int fsco_monitor_fn(void *data)
{
	struct fsco_workload *wl = data;
	unsigned int i;
	int ret;

	ret = fsco_setup(wl);
	wl->start = jiffies;
	for (i = 0; !ret && i < wl->p.threads; i++) {
		struct task_struct *t;

		atomic_inc(&wl->live);
		t = kthread_run(fsco_worker_fn, wl, "fsco_worker/%u", i);
		if (IS_ERR(t)) {
			atomic_dec(&wl->live);
			ret = PTR_ERR(t);
			break;
		}
		get_task_struct(t);
		wl->workers[i] = t;
	}
	if (!ret)
		fsco_watch(wl);
	fsco_stop(wl, ret ? "could not start" : NULL);
	for (i = 0; i < wl->p.threads && wl->workers[i]; i++) {
		kthread_stop(wl->workers[i]);
		put_task_struct(wl->workers[i]);
	}
	wl->end = jiffies;
	fsco_teardown(wl);
	/* For the report: their drop_object() and put_object() have run. */
	if (fsco_objects_wait_gone(60 * HZ))
		pr_warn("objects still alive a minute after their release\n");

	if (!wl->why) {
		if (READ_ONCE(wl->cache->failed))
			wl->why = "cache stopped by an I/O error, submissions refused";
		else if (wl->p.ops)
			wl->why = "op count reached";
		else
			wl->why = "every thread stopped";
	}
	fsco_final_report(wl, ret);

	mutex_lock(&fsco_ctl_lock);
	fsco_wl = NULL;
	fsco_state = FSCO_DONE;
	fsco_progress[0] = '\0';
	mutex_unlock(&fsco_ctl_lock);
	fsco_free(wl);
	return 0;
}

/* Start a workload with the current settings. */
static int fsco_start_locked(void)
{
	struct fsco_workload *wl;
	struct task_struct *t;
	void *zero;
	int i, ret;

	lockdep_assert_held(&fsco_ctl_lock);
	if (fsco_state == FSCO_RUNNING) {
		pr_warn("control: start refused: a workload is running\n");
		return -EBUSY;
	}
	if (fsco_monitor) {
		/* The last one is done; its monitor is ending, or gone. */
		kthread_stop(fsco_monitor);
		put_task_struct(fsco_monitor);
		fsco_monitor = NULL;
	}
	if (READ_ONCE(fsco_cache->failed)) {
		ret = fsco_cache_restart(fsco_cache);
		if (ret)
			return ret;
	}

	wl = kzalloc(sizeof(*wl), GFP_KERNEL);
	if (!wl)
		return -ENOMEM;
	wl->p = fsco_params;
	wl->cache = fsco_cache;
	wl->objs = kcalloc(wl->p.objects, sizeof(*wl->objs), GFP_KERNEL);
	wl->workers = kcalloc(wl->p.threads, sizeof(*wl->workers), GFP_KERNEL);
	zero = kzalloc(FSCO_BLOCK_SIZE, GFP_KERNEL);
	if (!wl->objs || !wl->workers || !zero) {
		kfree(zero);
		fsco_free(wl);
		return -ENOMEM;
	}
	init_waitqueue_head(&wl->wq);
	wl->zero_csum = fsco_csum(zero);
	kfree(zero);
	for (i = 0; i < FSCO_STAT__NR; i++)
		wl->stat0[i] = atomic_long_read(&fsco_stats[i]);

	t = kthread_create(fsco_monitor_fn, wl, "fsco_monitor");
	if (IS_ERR(t)) {
		fsco_free(wl);
		return PTR_ERR(t);
	}
	get_task_struct(t);
	fsco_monitor = t;
	fsco_wl = wl;
	fsco_state = FSCO_RUNNING;
	fsco_report_len = 0;
	fsco_report[0] = '\0';
	fsco_progress[0] = '\0';
	pr_info("workload: %u objects, %u threads, %u blocks each, mix %u:%u:%u:%u, duration %u s, ops %u\n",
		wl->p.objects, wl->p.threads, wl->p.blocks, wl->p.mix[0],
		wl->p.mix[1], wl->p.mix[2], wl->p.mix[3], wl->p.duration,
		wl->p.ops);
	wake_up_process(t);
	return 0;
}

/*
 * debugfs
 */

static int fsco_parse_uint(const char *key, const char *val, unsigned int min,
			   unsigned int max, unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v < min || v > max) {
		pr_warn("control: %s=%.32s refused: must be %u-%u\n", key, val,
			min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int fsco_parse_mix(const char *val, struct fsco_params *p)
{
	unsigned int mix[FSCO_REQ__NR] = {}, total = 0;
	char buf[48], *s = buf, *tok;
	int n = 0;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		goto bad;
	while ((tok = strsep(&s, ":")) != NULL) {
		if (n == FSCO_REQ__NR || kstrtouint(tok, 10, &mix[n]) ||
		    mix[n] > FSCO_MAX_MIX)
			goto bad;
		total += mix[n++];
	}
	if (n < 3 || !total)
		goto bad;
	memcpy(p->mix, mix, sizeof(mix));
	return 0;
bad:
	pr_warn("control: mix=%.32s refused: must be R:W:T or R:W:T:C (read, write, truncate, check weights, 0-%u each, not all 0)\n",
		val, FSCO_MAX_MIX);
	return -EINVAL;
}

/* Parse one word of a control write into @p; nothing is applied yet. */
static int fsco_parse_word(char *word, struct fsco_params *p, bool *start,
			   bool *stop, bool *set)
{
	char *val = strchr(word, '=');

	if (!val) {
		if (!strcmp(word, "start")) {
			*start = true;
			return 0;
		}
		if (!strcmp(word, "stop")) {
			*stop = true;
			return 0;
		}
		goto unknown;
	}
	*val++ = '\0';
	*set = true;
	if (!strcmp(word, "objects"))
		return fsco_parse_uint(word, val, 1, FSCO_MAX_OBJECTS, &p->objects);
	if (!strcmp(word, "threads"))
		return fsco_parse_uint(word, val, 1, FSCO_MAX_THREADS, &p->threads);
	if (!strcmp(word, "blocks"))
		return fsco_parse_uint(word, val, 1, FSCO_MAX_BLOCKS, &p->blocks);
	if (!strcmp(word, "duration"))
		return fsco_parse_uint(word, val, 0, FSCO_MAX_DURATION, &p->duration);
	if (!strcmp(word, "ops"))
		return fsco_parse_uint(word, val, 0, FSCO_MAX_OPS, &p->ops);
	if (!strcmp(word, "mix"))
		return fsco_parse_mix(val, p);
unknown:
	pr_warn("control: '%.32s' refused: not one of objects= threads= blocks= mix= duration= ops= start stop\n",
		word);
	return -EINVAL;
}

static ssize_t fsco_control_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct fsco_params p;
	bool start = false, stop = false, set = false;
	char buf[256], *s, *word;
	int ret = 0;

	if (len >= sizeof(buf)) {
		pr_warn("control: refused: longer than %zu bytes\n", sizeof(buf) - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	mutex_lock(&fsco_ctl_lock);
	p = fsco_params;
	s = buf;
	while (!ret && (word = strsep(&s, " \t\n")) != NULL)
		if (*word)
			ret = fsco_parse_word(word, &p, &start, &stop, &set);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (p.objects * p.blocks > FSCO_MAX_SHADOW) {
		pr_warn("control: refused: objects x blocks must be at most %lu, not %u x %u\n",
			FSCO_MAX_SHADOW, p.objects, p.blocks);
		goto out;
	}
	if (!p.duration && !p.ops) {
		pr_warn("control: refused: with duration=0 and ops=0 the workload would never end\n");
		goto out;
	}
	if (start && stop) {
		pr_warn("control: refused: start or stop, not both\n");
		goto out;
	}
	ret = -EBUSY;
	if (set && fsco_state == FSCO_RUNNING) {
		pr_warn("control: refused: a workload is running; stop it first\n");
		goto out;
	}
	fsco_params = p;
	ret = 0;
	if (stop && fsco_wl)
		fsco_stop(fsco_wl, "stopped by request");
	if (start)
		ret = fsco_start_locked();
out:
	mutex_unlock(&fsco_ctl_lock);
	return ret ?: len;
}

static int fsco_control_show(struct seq_file *m, void *v)
{
	const struct fsco_params *p = &fsco_params;

	mutex_lock(&fsco_ctl_lock);
	seq_printf(m, "state: %s\n", fsco_state_names[fsco_state]);
	seq_printf(m, "objects=%u threads=%u blocks=%u mix=%u:%u:%u:%u duration=%u ops=%u\n",
		   p->objects, p->threads, p->blocks, p->mix[0], p->mix[1],
		   p->mix[2], p->mix[3], p->duration, p->ops);
	mutex_unlock(&fsco_ctl_lock);
	return 0;
}

static int fsco_control_open(struct inode *inode, struct file *file)
{
	return single_open(file, fsco_control_show, NULL);
}

static const struct file_operations fsco_control_fops = {
	.owner		= THIS_MODULE,
	.open		= fsco_control_open,
	.read		= seq_read,
	.write		= fsco_control_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int fsco_report_show(struct seq_file *m, void *v)
{
	mutex_lock(&fsco_ctl_lock);
	seq_printf(m, "state: %s\n", fsco_state_names[fsco_state]);
	if (fsco_progress[0])
		seq_printf(m, "%s\n", fsco_progress);
	seq_puts(m, fsco_report);
	mutex_unlock(&fsco_ctl_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fsco_report);

static int fsco_inject_get(void *data, u64 *val)
{
	*val = atomic_read(&fsco_cache->inject);
	return 0;
}

static int fsco_inject_set(void *data, u64 val)
{
	if (val > FSCO_MAX_OPS) {
		pr_warn("inject_io_error: %llu refused: must be 0-%u\n", val,
			FSCO_MAX_OPS);
		return -EINVAL;
	}
	atomic_set(&fsco_cache->inject, val);
	if (val)
		pr_info("inject_io_error: backing I/O number %llu from now will fail\n",
			val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fsco_inject_fops, fsco_inject_get, fsco_inject_set,
			 "%llu\n");

/**
 * fsco_workload_init - create the debugfs files that drive the workload
 * @c: the cache to drive
 *
 * Return: 0.  Without debugfs the module works, undriven.
 */
int fsco_workload_init(struct fsco_cache *c)
{
	fsco_cache = c;
	fsco_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("control", 0600, fsco_debugfs, NULL,
			    &fsco_control_fops);
	debugfs_create_file("report", 0400, fsco_debugfs, NULL,
			    &fsco_report_fops);
	debugfs_create_file_unsafe("inject_io_error", 0600, fsco_debugfs, NULL,
				   &fsco_inject_fops);
	return 0;
}

/**
 * fsco_workload_exit - stop the workload and remove the debugfs files
 *
 * A running workload stops, relinquishes its objects and prints its report.
 */
void fsco_workload_exit(void)
{
	struct task_struct *t;

	debugfs_remove_recursive(fsco_debugfs);
	mutex_lock(&fsco_ctl_lock);
	t = fsco_monitor;
	fsco_monitor = NULL;
	mutex_unlock(&fsco_ctl_lock);
	if (t) {
		kthread_stop(t);
		put_task_struct(t);
	}
}
