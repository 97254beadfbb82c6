/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fscache_ops_cachefiles: what the backend (backend.c) offers its client,
 * the workload driver (workload.c).  The backend is the part a cache author
 * writes; the driver plays the netfs that uses the cache.
 */
#ifndef _FSCO_H
#define _FSCO_H

#include <linux/completion.h>
#include <linux/fscache-ops.h>
#include <linux/path.h>
#include <linux/spinlock.h>

#define FSCO_BLOCK_SIZE		4096
#define FSCO_MEM_SLOTS		16	/* blocks of an object held in memory */

/* The backend's counters, for the driver's report. */
enum fsco_stat {
	FSCO_STAT_LOOKUP_FOUND,		/* lookup found the file */
	FSCO_STAT_LOOKUP_CREATED,	/* lookup was negative: file created */
	FSCO_STAT_LOOKUP_FAILED,
	FSCO_STAT_READ_FAST,		/* FAST reads served from memory */
	FSCO_STAT_READ_REQUEUED,	/* FAST reads that missed: re-enqueued SLOW */
	FSCO_STAT_READ_SLOW,		/* reads of the backing file */
	FSCO_STAT_WRITE,
	FSCO_STAT_TRUNCATE,
	FSCO_STAT_CHECK,		/* MYTHREAD size checks run */
	FSCO_STAT_IO_ERROR,		/* backing I/O that failed (or was made to) */
	FSCO_STAT_INJECTED,		/* ... of which was made to (inject_io_error) */
	FSCO_STAT_DROP,
	FSCO_STAT_UNLINK,
	FSCO_STAT_PUT,
	FSCO_STAT__NR
};

extern atomic_long_t fsco_stats[FSCO_STAT__NR];

/* A cache: a directory on a backing filesystem. */
struct fsco_cache {
	struct fscache_cache	cache;
	struct path		dir;
	atomic_t		inject;	/* backing I/Os to go until a failure; 0: none */
	bool			failed;	/* fscache_ops_io_error() was called */
};

/* One slot of an object's memory: the last block written that maps to it. */
struct fsco_slot {
	pgoff_t			index;
	void			*data;	/* FSCO_BLOCK_SIZE bytes, or NULL */
};

/* An object: a file in the cache's directory, named by its key. */
struct fsco_object {
	struct fscache_object	fobj;
	struct fsco_cache	*cache;
	struct file		*file;	/* set by lookup, cleared by drop */
	spinlock_t		mem_lock; /* guards mem[] */
	struct fsco_slot	mem[FSCO_MEM_SLOTS];
	char			key[];
};

enum fsco_req_type {
	FSCO_READ,		/* FAST, re-enqueued SLOW on a miss */
	FSCO_WRITE,		/* SLOW */
	FSCO_TRUNCATE,		/* SLOW, exclusive */
	FSCO_CHECK,		/* MYTHREAD, exclusive: the file's size */
	FSCO_REQ__NR
};

/* A request of the client: an op of the backend's. */
struct fsco_req {
	struct fscache_operation op;
	struct fsco_object	*object;
	enum fsco_req_type	type;
	pgoff_t			index;	/* READ, WRITE: the block */
	loff_t			size;	/* TRUNCATE: the new size; CHECK: the size */
	void			*buf;	/* READ, WRITE: FSCO_BLOCK_SIZE bytes */
	bool			fast_hit; /* READ: served from memory */
	bool			requeued; /* READ: missed, went round as SLOW */
	atomic_t		finished;
	int			result;
	struct completion	done;
};

int fsco_cache_start(struct fsco_cache *c, const char *dirname);
int fsco_cache_restart(struct fsco_cache *c);
void fsco_cache_stop(struct fsco_cache *c);

struct fsco_object *fsco_object_new(struct fsco_cache *c, const char *key);
void fsco_object_release(struct fsco_object *obj, bool retire);
int fsco_objects_wait_gone(long timeout);

struct fsco_req *fsco_req_alloc(struct fsco_object *obj,
				enum fsco_req_type type, gfp_t gfp);
int fsco_req_submit(struct fsco_req *req);
int fsco_req_wait(struct fsco_req *req);
void fsco_req_put(struct fsco_req *req);

int fsco_workload_init(struct fsco_cache *c);
void fsco_workload_exit(void);

#endif /* _FSCO_H */
