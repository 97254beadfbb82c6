// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops_cachefiles: a small file-backed cache backend on fscache_ops,
 * built as a third-party module is: <linux/fscache-ops.h> only, the
 * FSCACHE_OPS namespace imported, linked against fscache_ops'
 * Module.symvers.  Documentation/sample.rst walks through it.
 *
 * A cache is a directory on a backing filesystem (the "dir" module
 * parameter); an object is a file in it, named by its key.  Requests are
 * ops, of the type operations.txt intends for each job:
 *
 *   read a block held in memory     FAST (a copy; never sleeps); on a miss
 *                                   it is re-enqueued as SLOW
 *   read or write the backing file  SLOW (kernel_read(), kernel_write())
 *   truncate the backing file       SLOW, exclusive
 *   check the file's size           MYTHREAD, exclusive: the caller waits
 *                                   (interruptibly) and runs it itself
 *
 * Any failure of the backing file stops the whole cache
 * (fscache_ops_io_error()), as cachefiles does.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include "fsco.h"

/*
 * vfs_unlink() takes the mount's idmap from 6.3 on, its user namespace
 * before; Kbuild tells which this kernel has.
 */
#ifdef FSCO_MNT_IDMAP
#define fsco_mnt_idmap(mnt)	mnt_idmap(mnt)
#else
#define fsco_mnt_idmap(mnt)	mnt_user_ns(mnt)
#endif

#define FSCO_WAIT_TIMEOUT	(120 * HZ)

atomic_long_t fsco_stats[FSCO_STAT__NR];

/* Objects not yet freed, of every cache this module ever registered. */
static atomic_t fsco_live_objects = ATOMIC_INIT(0);

static inline void fsco_stat(enum fsco_stat stat)
{
	atomic_long_inc(&fsco_stats[stat]);
}

static struct fsco_object *fsco_obj(struct fscache_object *fobj)
{
	return container_of(fobj, struct fsco_object, fobj);
}

static struct fsco_req *fsco_req(struct fscache_operation *op)
{
	return container_of(op, struct fsco_req, op);
}

/*
 * Objects
 */

/*
 * Called on the object workqueue, which may sleep: open the file, or report
 * the lookup negative, create it and report it available.  An error
 * returned aborts the object (its pending ops are cancelled).
 */
static int fsco_lookup_object(struct fscache_object *fobj)
{
	struct fsco_object *obj = fsco_obj(fobj);
	struct file *file;

	file = file_open_root(&obj->cache->dir, obj->key,
			      O_RDWR | O_LARGEFILE | O_NOFOLLOW, 0);
	if (file == ERR_PTR(-ENOENT)) {
		/* Ops submitted meanwhile stay deferred until available. */
		fscache_ops_object_lookup_negative(fobj);
		file = file_open_root(&obj->cache->dir, obj->key,
				      O_RDWR | O_LARGEFILE | O_CREAT | O_EXCL,
				      0600);
		if (!IS_ERR(file))
			fsco_stat(FSCO_STAT_LOOKUP_CREATED);
	} else if (!IS_ERR(file)) {
		fsco_stat(FSCO_STAT_LOOKUP_FOUND);
	}
	if (IS_ERR(file)) {
		fsco_stat(FSCO_STAT_LOOKUP_FAILED);
		pr_warn("cannot open or create %s: %ld\n", obj->key, PTR_ERR(file));
		return PTR_ERR(file);
	}
	/* Ops start after this, and only they use the file until drop. */
	obj->file = file;
	fscache_ops_object_available(fobj);
	return 0;
}

/* Unlink the object's file, if the name still refers to it. */
static void fsco_unlink(struct fsco_object *obj)
{
	struct path *dir = &obj->cache->dir;
	struct inode *dinode = d_inode(dir->dentry);
	struct dentry *dentry;
	int ret;

	ret = mnt_want_write(dir->mnt);
	if (ret)
		goto out;
	inode_lock_nested(dinode, I_MUTEX_PARENT);
	dentry = lookup_one_len(obj->key, dir->dentry, strlen(obj->key));
	if (IS_ERR(dentry)) {
		ret = PTR_ERR(dentry);
	} else {
		if (d_inode(dentry) == file_inode(obj->file))
			ret = vfs_unlink(fsco_mnt_idmap(dir->mnt), dinode,
					 dentry, NULL);
		else
			ret = -ESTALE;
		dput(dentry);
	}
	inode_unlock(dinode);
	mnt_drop_write(dir->mnt);
out:
	if (ret)
		pr_warn("cannot unlink %s: %d\n", obj->key, ret);
	else
		fsco_stat(FSCO_STAT_UNLINK);
}

/*
 * The object is dying and no op refers to it any more: free what it holds
 * in memory, close the file, and unlink it if the object was retired.  May
 * sleep; it is called on the object workqueue.
 */
static void fsco_drop_object(struct fscache_object *fobj)
{
	struct fsco_object *obj = fsco_obj(fobj);
	int i;

	for (i = 0; i < FSCO_MEM_SLOTS; i++) {
		kfree(obj->mem[i].data);
		obj->mem[i].data = NULL;
	}
	if (obj->file) {
		if (test_bit(FSCACHE_OBJECT_RETIRE, &fobj->flags))
			fsco_unlink(obj);
		fput(obj->file);
		obj->file = NULL;
	}
	fsco_stat(FSCO_STAT_DROP);
}

/*
 * The last call for an object: it is dead and its last reference is gone.
 * Maybe from the client's last fscache_ops_put_object(), in whatever
 * context that is made, maybe after the cache was withdrawn: free the
 * memory, nothing else (no sleeping, no use of the cache).
 */
static void fsco_put_object(struct fscache_object *fobj)
{
	kfree(fsco_obj(fobj));
	fsco_stat(FSCO_STAT_PUT);
	if (atomic_dec_and_test(&fsco_live_objects))
		wake_up_var(&fsco_live_objects);
}

static const struct fscache_cache_ops fsco_cache_ops = {
	.name		= "cachefiles-sample",
	.lookup_object	= fsco_lookup_object,
	.drop_object	= fsco_drop_object,
	.put_object	= fsco_put_object,
};

/**
 * fsco_object_new - create an object and start its lookup
 * @c: the cache
 * @key: the object's key, the name of its file
 *
 * Context: process context.
 * Return: the object, with the caller's reference on it; ops may be
 * submitted at once (they wait for the lookup).  ERR_PTR(-EINVAL) for a key
 * that is no file name, -ENOMEM, or -ENOBUFS if the cache is being
 * withdrawn.
 */
struct fsco_object *fsco_object_new(struct fsco_cache *c, const char *key)
{
	size_t len = strlen(key);
	struct fsco_object *obj;
	int ret;

	if (!len || len > NAME_MAX || strchr(key, '/') ||
	    !strcmp(key, ".") || !strcmp(key, ".."))
		return ERR_PTR(-EINVAL);
	obj = kzalloc(struct_size(obj, key, len + 1), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	memcpy(obj->key, key, len + 1);
	obj->cache = c;
	spin_lock_init(&obj->mem_lock);

	/* Gives us a reference; on refusal the object is inert, ours to free. */
	ret = fscache_ops_init_object(&obj->fobj, &c->cache);
	if (ret) {
		kfree(obj);
		return ERR_PTR(ret);
	}
	atomic_inc(&fsco_live_objects);
	fscache_ops_lookup_object(&obj->fobj);
	return obj;
}

/**
 * fsco_object_release - give an object up and drop the caller's reference
 * @obj: the object
 * @retire: discard its data (unlink the file)
 *
 * The object dies once its last op is put; its file is closed (and
 * unlinked if @retire) by drop_object(), its memory freed by put_object()
 * once the reference dropped here was the last.  Harmless on an object
 * that already died (of an I/O error, or withdrawal).
 *
 * Context: any.
 */
void fsco_object_release(struct fsco_object *obj, bool retire)
{
	fscache_ops_relinquish_object(&obj->fobj, retire);
	fscache_ops_put_object(&obj->fobj);
}

/**
 * fsco_objects_wait_gone - wait until every object released has been freed
 * @timeout: for how long, in jiffies
 *
 * An object released is dropped and freed by the state machine, on its
 * workqueue, a little later.
 *
 * Context: process context; sleeps.
 * Return: 0, or -ETIMEDOUT if objects remain.
 */
int fsco_objects_wait_gone(long timeout)
{
	if (!wait_var_event_timeout(&fsco_live_objects,
				    !atomic_read(&fsco_live_objects), timeout))
		return -ETIMEDOUT;
	return 0;
}

/*
 * Memory: each object holds the last block written to each of its
 * FSCO_MEM_SLOTS slots (block index modulo the slot count).
 */

/*
 * Keep @data as block @index (or, if @data is NULL, as after a failed
 * allocation, forget what the slot holds of @index, which is stale now).
 */
static void fsco_mem_store(struct fsco_object *obj, pgoff_t index, void *data)
{
	struct fsco_slot *slot = &obj->mem[index % FSCO_MEM_SLOTS];
	void *old = NULL;

	spin_lock(&obj->mem_lock);
	if (data) {
		old = slot->data;
		slot->index = index;
		slot->data = data;
	} else if (slot->data && slot->index == index) {
		old = slot->data;
		slot->data = NULL;
	}
	spin_unlock(&obj->mem_lock);
	kfree(old);
}

/* Forget the blocks at or beyond @size. */
static void fsco_mem_truncate(struct fsco_object *obj, loff_t size)
{
	void *gone[FSCO_MEM_SLOTS];
	int i, n = 0;

	spin_lock(&obj->mem_lock);
	for (i = 0; i < FSCO_MEM_SLOTS; i++) {
		struct fsco_slot *slot = &obj->mem[i];

		if (slot->data && (loff_t)slot->index * FSCO_BLOCK_SIZE >= size) {
			gone[n++] = slot->data;
			slot->data = NULL;
		}
	}
	spin_unlock(&obj->mem_lock);
	while (n)
		kfree(gone[--n]);
}

/*
 * Ops
 */

/* The request is over: tell the client, once, whoever comes first. */
static void fsco_req_finish(struct fsco_req *req, int result)
{
	if (atomic_cmpxchg(&req->finished, 0, 1) != 0)
		return;
	req->result = result;
	complete(&req->done);
}

/*
 * The manager cancelled the op (its object is dying): pending, it will
 * never run; in progress, it is asked to give up.  Either way the client
 * must not wait for it.  This runs under the object's lock: complete()
 * is all it does.
 */
static void fsco_req_cancel(struct fscache_operation *op)
{
	fsco_req_finish(fsco_req(op), -ECANCELED);
}

/* The last reference is gone: free the request. */
static void fsco_req_release(struct fscache_operation *op)
{
	struct fsco_req *req = fsco_req(op);

	kfree(req->buf);
	kfree(req);
}

/* Should the next backing I/O fail?  (The debugfs knob inject_io_error.) */
static bool fsco_inject_now(struct fsco_cache *c)
{
	if (atomic_dec_if_positive(&c->inject) != 0)
		return false;
	fsco_stat(FSCO_STAT_INJECTED);
	pr_err("injecting an I/O error, as asked\n");
	return true;
}

/*
 * The backing file failed us: the request has its error already; stop the
 * cache, as cachefiles does.  Its objects die, pending ops are cancelled,
 * later submissions get -ENOBUFS.  We are in a SLOW op: process context.
 */
static void fsco_io_error(struct fsco_req *req, const char *what, loff_t pos,
			  int err)
{
	struct fsco_cache *c = req->object->cache;

	fsco_stat(FSCO_STAT_IO_ERROR);
	pr_err_ratelimited("%s of %s at %lld failed: %d\n", what,
			   req->object->key, (long long)pos, err);
	WRITE_ONCE(c->failed, true);
	fscache_ops_io_error(&c->cache);
}

/* Read or write one block of the backing file. */
static int fsco_backing_io(struct fsco_req *req, bool write)
{
	struct file *file = req->object->file;
	loff_t pos = (loff_t)req->index * FSCO_BLOCK_SIZE;
	size_t done = 0;
	ssize_t n;

	if (fsco_inject_now(req->object->cache))
		return -EIO;
	while (done < FSCO_BLOCK_SIZE) {
		if (write)
			n = kernel_write(file, req->buf + done,
					 FSCO_BLOCK_SIZE - done, &pos);
		else
			n = kernel_read(file, req->buf + done,
					FSCO_BLOCK_SIZE - done, &pos);
		if (n < 0)
			return n;
		if (n == 0) {
			if (write)
				return -EIO;
			/* Beyond the end of the file: as a hole, zeroes. */
			memset(req->buf + done, 0, FSCO_BLOCK_SIZE - done);
			break;
		}
		done += n;
	}
	return 0;
}

/*
 * SLOW: read the block from the backing file (a FAST read that missed), and
 * keep it in memory for the next read.  No write of the block runs
 * meanwhile (the client's rule for shareable ops), nor any truncation
 * (exclusive), so what we keep is what the file holds.
 */
static void fsco_read_slow(struct fscache_operation *op)
{
	struct fsco_req *req = fsco_req(op);
	loff_t pos = (loff_t)req->index * FSCO_BLOCK_SIZE;
	int ret;

	if (fscache_op_is_cancelled(op))
		return;
	ret = fsco_backing_io(req, false);
	if (ret) {
		fsco_req_finish(req, ret);
		fsco_io_error(req, "read", pos, ret);
		return;
	}
	fsco_mem_store(req->object, req->index,
		       kmemdup(req->buf, FSCO_BLOCK_SIZE, GFP_NOFS));
	fsco_stat(FSCO_STAT_READ_SLOW);
	fsco_req_finish(req, 0);
}

/*
 * FAST: copy the block from memory, under a spinlock, never sleeping.  On a
 * miss the data must come from the file, which may sleep: turn the op into
 * a SLOW one and queue it again.  It stays in progress meanwhile (the queue
 * holds a reference of its own), so nothing exclusive gets in between.
 */
static void fsco_read_fast(struct fscache_operation *op)
{
	struct fsco_req *req = fsco_req(op);
	struct fsco_object *obj = req->object;
	struct fsco_slot *slot = &obj->mem[req->index % FSCO_MEM_SLOTS];
	bool hit = false;
	int ret;

	if (fscache_op_is_cancelled(op))
		return;
	spin_lock(&obj->mem_lock);
	if (slot->data && slot->index == req->index) {
		memcpy(req->buf, slot->data, FSCO_BLOCK_SIZE);
		hit = true;
	}
	spin_unlock(&obj->mem_lock);
	if (hit) {
		req->fast_hit = true;
		fsco_stat(FSCO_STAT_READ_FAST);
		fsco_req_finish(req, 0);
		return;
	}

	req->requeued = true;
	fsco_stat(FSCO_STAT_READ_REQUEUED);
	op->processor = fsco_read_slow;
	op->flags = (op->flags & ~FSCACHE_OP_TYPE) | FSCACHE_OP_SLOW;
	ret = fscache_enqueue_operation(op);
	if (ret)
		fsco_req_finish(req, ret);
}

/*
 * SLOW: write the block to the backing file, then keep it in memory.  A
 * failure leaves the block unknown: memory forgets it.
 */
static void fsco_write(struct fscache_operation *op)
{
	struct fsco_req *req = fsco_req(op);
	struct fsco_object *obj = req->object;
	int ret;

	if (fscache_op_is_cancelled(op))
		return;
	ret = fsco_backing_io(req, true);
	if (ret) {
		/* Whatever memory holds of the block is stale now. */
		fsco_mem_store(obj, req->index, NULL);
		fsco_req_finish(req, ret);
		fsco_io_error(req, "write", (loff_t)req->index * FSCO_BLOCK_SIZE,
			      ret);
		return;
	}
	/* GFP_NOFS: a cache may be written to on the writeback path. */
	fsco_mem_store(obj, req->index,
		       kmemdup(req->buf, FSCO_BLOCK_SIZE, GFP_NOFS));
	fsco_stat(FSCO_STAT_WRITE);
	fsco_req_finish(req, 0);
}

/*
 * SLOW and exclusive: change the file's size.  No other op of the object
 * runs meanwhile, so no read copies a block being cut off and no write
 * extends the file under us.
 */
static void fsco_truncate(struct fscache_operation *op)
{
	struct fsco_req *req = fsco_req(op);
	struct fsco_object *obj = req->object;
	int ret;

	if (fscache_op_is_cancelled(op))
		return;
	if (fsco_inject_now(obj->cache))
		ret = -EIO;
	else
		ret = vfs_truncate(&obj->file->f_path, req->size);
	fsco_mem_truncate(obj, req->size);
	fsco_req_finish(req, ret);
	if (ret)
		fsco_io_error(req, "truncate", req->size, ret);
	else
		fsco_stat(FSCO_STAT_TRUNCATE);
}

/**
 * fsco_req_alloc - allocate a request and initialise its op
 * @obj: the object it is for
 * @type: what it does
 * @gfp: allocation flags
 *
 * Fill in @index (READ, WRITE), @buf's contents (WRITE) or @size (TRUNCATE)
 * before submitting it.
 *
 * Return: the request, holding one reference (fsco_req_put() drops it), or
 * NULL.
 */
struct fsco_req *fsco_req_alloc(struct fsco_object *obj,
				enum fsco_req_type type, gfp_t gfp)
{
	struct fsco_req *req = kzalloc(sizeof(*req), gfp);

	if (!req)
		return NULL;
	if (type == FSCO_READ || type == FSCO_WRITE) {
		req->buf = kmalloc(FSCO_BLOCK_SIZE, gfp);
		if (!req->buf) {
			kfree(req);
			return NULL;
		}
	}
	req->object = obj;
	req->type = type;
	init_completion(&req->done);

	/* From here on the op owns the memory: only a put frees it. */
	fscache_operation_init(&req->op, fsco_req_release);
	req->op.cancel = fsco_req_cancel;
	switch (type) {
	case FSCO_READ:
		fscache_operation_init_fast(&req->op, fsco_read_fast);
		break;
	case FSCO_WRITE:
		fscache_operation_init_slow(&req->op, fsco_write);
		break;
	case FSCO_TRUNCATE:
		fscache_operation_init_slow(&req->op, fsco_truncate);
		break;
	default:
		/* The submitter waits for it to be woken and runs it itself. */
		req->op.flags |= FSCACHE_OP_MYTHREAD;
		set_bit(FSCACHE_OP_WAITING, &req->op.flags);
		break;
	}
	return req;
}

/**
 * fsco_req_submit - submit a request against its object
 * @req: the request, from fsco_req_alloc()
 *
 * Reads and writes are shareable: the client must not have two of them on
 * one block at once.  Truncations and size checks are exclusive: every op
 * submitted before them finishes first, none submitted after starts until
 * they are done.
 *
 * Return: 0; -ENOBUFS if the object or the cache is dead or stopped.  The
 * request is still the caller's to put either way.
 */
int fsco_req_submit(struct fsco_req *req)
{
	struct fscache_object *fobj = &req->object->fobj;

	if (req->type == FSCO_TRUNCATE || req->type == FSCO_CHECK)
		return fscache_submit_exclusive_op(fobj, &req->op);
	return fscache_submit_op(fobj, &req->op);
}

/* MYTHREAD: wait to be let in, then look at the size ourselves. */
static int fsco_check_run(struct fsco_req *req)
{
	struct fscache_operation *op = &req->op;
	int ret;

	/* Interruptible: a signal cancels the op (-ERESTARTSYS). */
	ret = fscache_wait_for_operation_activation(op, true);
	if (ret == -ENOBUFS)
		return -ECANCELED;	/* its object died while it waited */
	if (ret)
		return ret;
	if (fscache_op_is_cancelled(op)) {
		fscache_op_complete(op, true);
		return -ECANCELED;
	}
	req->size = i_size_read(file_inode(req->object->file));
	fsco_stat(FSCO_STAT_CHECK);
	/* Let the ops queued behind us go; our reference stays ours. */
	fscache_op_complete(op, false);
	return 0;
}

/**
 * fsco_req_wait - wait for a submitted request to finish
 * @req: the request
 *
 * A size check is run here, by the caller, once the manager lets it in.
 *
 * Return: 0, -ECANCELED if the manager cancelled it (its object died),
 * -EIO (or another error) if the backing file failed, -ETIMEDOUT if it
 * did not finish in two minutes, -ERESTARTSYS if a signal interrupted the
 * wait for a size check.
 */
int fsco_req_wait(struct fsco_req *req)
{
	if (req->type == FSCO_CHECK)
		return fsco_check_run(req);
	if (!wait_for_completion_timeout(&req->done, FSCO_WAIT_TIMEOUT))
		return -ETIMEDOUT;
	return req->result;
}

/**
 * fsco_req_put - drop the caller's reference to a request
 * @req: the request
 *
 * If it is the last, the request is freed; an op in progress is completed
 * by it.
 */
void fsco_req_put(struct fsco_req *req)
{
	fscache_put_operation(&req->op);
}

/*
 * Caches
 */

/**
 * fsco_cache_start - check the directory and register the cache
 * @c: the cache
 * @dirname: the directory, which must exist and be writable
 *
 * Return: 0, or an error with a message saying what is wrong.
 */
int fsco_cache_start(struct fsco_cache *c, const char *dirname)
{
	int ret;

	if (!dirname || !*dirname) {
		pr_err("no cache directory: load with dir=/path/to/a/directory\n");
		return -EINVAL;
	}
	ret = kern_path(dirname, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &c->dir);
	if (ret) {
		pr_err("cache directory %s %s (%d)\n", dirname,
		       ret == -ENOENT ? "does not exist" :
		       ret == -ENOTDIR ? "is not a directory" :
		       "cannot be looked up", ret);
		return ret;
	}
	ret = path_permission(&c->dir, MAY_WRITE | MAY_EXEC);
	if (!ret) {
		/* A read-only mount passes the permission check. */
		ret = mnt_want_write(c->dir.mnt);
		if (!ret)
			mnt_drop_write(c->dir.mnt);
	}
	if (ret) {
		pr_err("cache directory %s is not writable (%d)\n", dirname, ret);
		goto put;
	}
	ret = fscache_ops_add_cache(&c->cache, &fsco_cache_ops, "cachefiles-sample");
	if (ret)
		goto put;
	pr_info("cache in %s\n", dirname);
	return 0;
put:
	path_put(&c->dir);
	return ret;
}

/**
 * fsco_cache_restart - register the cache anew after an I/O error
 * @c: the cache, which had an I/O error; none of its objects may be held
 *
 * An I/O error stops a cache for good; a cache that is to be used again
 * is withdrawn and registered again.
 *
 * Context: process context, not the object workqueue; sleeps.
 * Return: 0, or the error of fscache_ops_add_cache().
 */
int fsco_cache_restart(struct fsco_cache *c)
{
	int ret;

	fscache_ops_withdraw_cache(&c->cache);
	WRITE_ONCE(c->failed, false);
	ret = fscache_ops_add_cache(&c->cache, &fsco_cache_ops, "cachefiles-sample");
	if (!ret)
		pr_info("cache restarted after its I/O error\n");
	return ret;
}

/**
 * fsco_cache_stop - withdraw the cache
 * @c: the cache
 *
 * Objects still alive die; this waits until they are dead.
 *
 * Context: process context, not the object workqueue; sleeps.
 */
void fsco_cache_stop(struct fsco_cache *c)
{
	fscache_ops_withdraw_cache(&c->cache);
	path_put(&c->dir);
}

static char *dir;
module_param(dir, charp, 0444);
MODULE_PARM_DESC(dir, "The cache: an existing, writable directory (required)");

static struct fsco_cache fsco_cache;

static int __init fsco_init(void)
{
	int ret;

	ret = fsco_cache_start(&fsco_cache, dir);
	if (ret)
		return ret;
	ret = fsco_workload_init(&fsco_cache);
	if (ret)
		fsco_cache_stop(&fsco_cache);
	return ret;
}

static void __exit fsco_exit(void)
{
	fsco_workload_exit();
	fsco_cache_stop(&fsco_cache);
}

module_init(fsco_init);
module_exit(fsco_exit);

MODULE_DESCRIPTION("A file-backed cache backend on fscache_ops, and a workload to drive it");
MODULE_LICENSE("GPL");
FSCACHE_OPS_IMPORT_NS();
