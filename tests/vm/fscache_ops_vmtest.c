// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops VM test: a module that drives the exported API of
 * fscache_ops.ko from outside, as a backend would, on a distro kernel.
 *
 * Everything runs at insmod time; the result is one line,
 * "fscache_ops_vmtest: PASS <n> checks" or "... FAIL <k> of <n> checks", and
 * the module refuses to load (-EINVAL) on failure so that the VM script
 * notices either way.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fscache-ops.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>

static unsigned int nr_ops = 2000;
module_param(nr_ops, uint, 0444);
MODULE_PARM_DESC(nr_ops, "Ops submitted in the concurrency check (1-100000)");

static int checks, failures;

#define CHECK(cond)							\
do {									\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		pr_err("check failed at line %d: %s\n", __LINE__, #cond); \
	}								\
} while (0)

#define WAIT_FOR(cond)							\
({									\
	unsigned long __end = jiffies + 30 * HZ;			\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(1000, 2000);				\
	__ok;								\
})

struct vt_object {
	struct fscache_object	object;
	bool			create;		/* lookup is negative */
	bool			manual;		/* the test reports the lookup */
};

struct vt_op {
	struct fscache_operation op;
	int			sleep_ms;
};

static struct fscache_cache vt_cache;
static struct fscache_cache vt_busy_cache;	/* still busy at rmmod */
static struct fscache_object *vt_busy_object;
#define VT_BUSY_OPS	30
static atomic_t vt_running, vt_running_excl, vt_overlaps, vt_ran;
static atomic_t vt_released, vt_cancelled, vt_drops, vt_puts;

static int vt_lookup(struct fscache_object *object)
{
	struct vt_object *vo = container_of(object, struct vt_object, object);

	if (vo->manual)
		return 0;
	if (vo->create)
		fscache_ops_object_lookup_negative(object);
	fscache_ops_object_available(object);
	return 0;
}

static void vt_drop(struct fscache_object *object)
{
	atomic_inc(&vt_drops);
}

static void vt_put(struct fscache_object *object)
{
	kfree(container_of(object, struct vt_object, object));
	atomic_inc(&vt_puts);
}

static const struct fscache_cache_ops vt_cache_ops = {
	.name		= "vmtest",
	.lookup_object	= vt_lookup,
	.drop_object	= vt_drop,
	.put_object	= vt_put,
};

static void vt_processor(struct fscache_operation *op)
{
	struct vt_op *vop = container_of(op, struct vt_op, op);
	bool excl = test_bit(FSCACHE_OP_EXCLUSIVE, &op->flags);
	int n = atomic_inc_return(&vt_running);

	if (excl) {
		atomic_inc(&vt_running_excl);
		if (n != 1)
			atomic_inc(&vt_overlaps);
	} else if (atomic_read(&vt_running_excl)) {
		atomic_inc(&vt_overlaps);
	}
	if (vop->sleep_ms)
		msleep(vop->sleep_ms);
	else
		udelay(5);
	if (excl)
		atomic_dec(&vt_running_excl);
	atomic_dec(&vt_running);
	atomic_inc(&vt_ran);
}

static void vt_release(struct fscache_operation *op)
{
	kfree(container_of(op, struct vt_op, op));
	atomic_inc(&vt_released);
}

static void vt_cancel(struct fscache_operation *op)
{
	atomic_inc(&vt_cancelled);
}

static struct vt_op *vt_new_op(unsigned int type, bool excl)
{
	struct vt_op *vop = kzalloc(sizeof(*vop), GFP_KERNEL);

	if (!vop)
		return NULL;
	fscache_operation_init(&vop->op, vt_release);
	vop->op.cancel = vt_cancel;
	if (type == FSCACHE_OP_FAST)
		fscache_operation_init_fast(&vop->op, vt_processor);
	else if (type == FSCACHE_OP_SLOW)
		fscache_operation_init_slow(&vop->op, vt_processor);
	else
		vop->op.flags |= FSCACHE_OP_MYTHREAD;
	if (excl)
		__set_bit(FSCACHE_OP_EXCLUSIVE, &vop->op.flags);
	return vop;
}

static int vt_submit(struct fscache_object *object, struct vt_op *vop)
{
	if (test_bit(FSCACHE_OP_EXCLUSIVE, &vop->op.flags))
		return fscache_submit_exclusive_op(object, &vop->op);
	return fscache_submit_op(object, &vop->op);
}

static struct fscache_object *vt_new_object_in(struct fscache_cache *cache,
					       bool create, bool manual)
{
	struct vt_object *vo = kzalloc(sizeof(*vo), GFP_KERNEL);

	if (!vo)
		return NULL;
	vo->create = create;
	vo->manual = manual;
	if (fscache_ops_init_object(&vo->object, cache)) {
		kfree(vo);
		return NULL;
	}
	fscache_ops_lookup_object(&vo->object);
	return &vo->object;
}

static struct fscache_object *vt_new_object(bool create, bool manual)
{
	return vt_new_object_in(&vt_cache, create, manual);
}

/*
 * Relinquish an object, put our reference and wait for its put_object():
 * each check leaves nothing behind, so that the next one's counts are its
 * own.
 */
static void vt_relinquish(struct fscache_object *object, bool retire)
{
	int puts = atomic_read(&vt_puts);

	fscache_ops_relinquish_object(object, retire);
	fscache_ops_put_object(object);
	CHECK(WAIT_FOR(atomic_read(&vt_puts) == puts + 1));
}

/* Shareable and exclusive ops of all types on an active object. */
static void vt_check_concurrency(void)
{
	struct fscache_object *object = vt_new_object(true, false);
	unsigned int i, submitted = 0;

	CHECK(object);
	if (!object)
		return;
	CHECK(WAIT_FOR(fscache_object_is_active(object)));
	for (i = 0; i < nr_ops; i++) {
		struct vt_op *vop = vt_new_op(i & 1 ? FSCACHE_OP_FAST :
					      FSCACHE_OP_SLOW, i % 9 == 0);

		if (!vop)
			break;
		/* Without a cancel callback, a shareable op may take the lane. */
		if (i % 3 == 1)
			vop->op.cancel = NULL;
		if (vt_submit(object, vop) == 0)
			submitted++;
		fscache_put_operation(&vop->op);
	}
	CHECK(submitted == nr_ops);
	CHECK(WAIT_FOR(fscache_ops_object_n_ops(object) == 0));
	CHECK(atomic_read(&vt_ran) == nr_ops);
	CHECK(atomic_read(&vt_overlaps) == 0);
	CHECK(atomic_read(&vt_released) == nr_ops);
	vt_relinquish(object, false);
}

/* MYTHREAD ops deferred during lookup, run by us once it is available. */
static void vt_check_mythread_and_deferral(void)
{
	struct fscache_object *object = vt_new_object(false, true);
	struct vt_op *vop = vt_new_op(FSCACHE_OP_MYTHREAD, false);
	int ret;

	CHECK(object && vop);
	if (!object || !vop) {
		kfree(vop);
		if (object)
			vt_relinquish(object, false);
		return;
	}
	CHECK(WAIT_FOR(READ_ONCE(object->state) == FSCACHE_OBJECT_LOOKING_UP));
	set_bit(FSCACHE_OP_WAITING, &vop->op.flags);
	CHECK(fscache_submit_op(object, &vop->op) == 0);
	CHECK(vop->op.state == FSCACHE_OP_ST_PENDING);
	fscache_ops_object_available(object);
	ret = fscache_wait_for_operation_activation(&vop->op, true);
	CHECK(ret == 0);
	CHECK(vop->op.state == FSCACHE_OP_ST_IN_PROGRESS);
	CHECK(fscache_op_complete(&vop->op, false) == 0);
	fscache_put_operation(&vop->op);
	CHECK(WAIT_FOR(fscache_ops_object_n_ops(object) == 0));
	vt_relinquish(object, true);
}

/* Death: pending ops cancelled, later submissions refused. */
static void vt_check_death(void)
{
	struct fscache_object *object = vt_new_object(false, true);
	int cancelled = atomic_read(&vt_cancelled);
	int puts = atomic_read(&vt_puts);
	struct vt_op *vop;
	int i;

	CHECK(object);
	if (!object)
		return;
	for (i = 0; i < 10; i++) {
		vop = vt_new_op(FSCACHE_OP_SLOW, i == 4);
		if (!vop)
			continue;
		CHECK(vt_submit(object, vop) == 0);
		fscache_put_operation(&vop->op);
	}
	/* One cancelled by hand first: its callback runs, it ends CANCELLED. */
	vop = vt_new_op(FSCACHE_OP_FAST, false);
	if (vop) {
		CHECK(vt_submit(object, vop) == 0);
		CHECK(fscache_cancel_op(&vop->op, false) == 0);
		CHECK(vop->op.state == FSCACHE_OP_ST_CANCELLED);
		CHECK(fscache_cancel_op(&vop->op, false) == -EALREADY);
		fscache_put_operation(&vop->op);
	}
	fscache_abort_object(object);
	/* Dead, but ours until we put it. */
	CHECK(WAIT_FOR(READ_ONCE(object->state) == FSCACHE_OBJECT_DEAD));
	CHECK(atomic_read(&vt_puts) == puts);
	fscache_ops_put_object(object);
	CHECK(WAIT_FOR(atomic_read(&vt_puts) == puts + 1));
	CHECK(atomic_read(&vt_cancelled) == cancelled + 11);
}

/* A dying object (kept from dying by an op in progress) refuses ops. */
static void vt_check_refusal(void)
{
	struct fscache_object *object = vt_new_object(false, false);
	struct vt_op *holder = vt_new_op(FSCACHE_OP_MYTHREAD, false);
	struct vt_op *vop = vt_new_op(FSCACHE_OP_FAST, true);
	int puts;

	CHECK(object && holder && vop);
	if (!object || !holder || !vop) {
		kfree(holder);
		kfree(vop);
		if (object)
			vt_relinquish(object, false);
		return;
	}
	CHECK(WAIT_FOR(fscache_object_is_active(object)));
	CHECK(fscache_submit_op(object, &holder->op) == 0);
	fscache_ops_relinquish_object(object, false);
	CHECK(WAIT_FOR(READ_ONCE(object->state) == FSCACHE_OBJECT_KILLED));
	/* The op in progress was asked to give up, and ends cancelled. */
	CHECK(fscache_op_is_cancelled(&holder->op));
	CHECK(fscache_submit_exclusive_op(object, &vop->op) == -ENOBUFS);
	fscache_put_operation(&vop->op);
	puts = atomic_read(&vt_puts);
	fscache_put_operation(&holder->op);
	fscache_ops_put_object(object);
	CHECK(WAIT_FOR(atomic_read(&vt_puts) == puts + 1));
}

static void vt_leave_busy(void);

static int __init vt_init(void)
{
	struct fscache_object *held[2];
	struct vt_op *vop;
	int objects, i;

	if (!nr_ops || nr_ops > 100000) {
		pr_err("nr_ops must be 1-100000, not %u\n", nr_ops);
		return -EINVAL;
	}

	CHECK(fscache_ops_add_cache(&vt_cache, &vt_cache_ops, "vmtest") == 0);
	vt_check_concurrency();
	vt_check_mythread_and_deferral();
	vt_check_death();

	objects = atomic_read(&vt_puts);
	vt_check_refusal();
	/*
	 * A busy cache withdrawn with objects alive: they die, but we hold
	 * them, so their put_object() waits for our puts, and calls on them
	 * are refused meanwhile.
	 */
	held[0] = vt_new_object(false, true);
	held[1] = vt_new_object(true, false);
	CHECK(held[0] && held[1]);
	fscache_ops_withdraw_cache(&vt_cache);
	CHECK(atomic_read(&vt_cache.object_count) == 0);
	CHECK(atomic_read(&vt_puts) == objects + 1);
	CHECK(atomic_read(&vt_drops) == objects + 3);
	for (i = 0; i < 2; i++) {
		if (!held[i])
			continue;
		CHECK(READ_ONCE(held[i]->state) == FSCACHE_OBJECT_DEAD);
		vop = vt_new_op(FSCACHE_OP_SLOW, false);
		if (vop) {
			CHECK(fscache_submit_op(held[i], &vop->op) == -ENOBUFS);
			fscache_put_operation(&vop->op);
		}
		fscache_ops_relinquish_object(held[i], false);
		fscache_ops_put_object(held[i]);
	}
	CHECK(atomic_read(&vt_puts) == objects + 3);
	CHECK(atomic_read(&vt_drops) == atomic_read(&vt_puts));
	CHECK(atomic_read(&vt_released) == nr_ops + 16);

	if (failures) {
		pr_err("FAIL %d of %d checks\n", failures, checks);
		return -EINVAL;
	}
	pr_info("PASS %d checks\n", checks);
	vt_leave_busy();
	return 0;
}

/*
 * Leave a second cache with SLOW ops queued and sleeping, so that module
 * unload happens with work in flight: vt_exit() must withdraw it cleanly.
 */
static void vt_leave_busy(void)
{
	struct fscache_object *object;
	int i;

	if (fscache_ops_add_cache(&vt_busy_cache, &vt_cache_ops, "vmbusy"))
		return;
	object = vt_new_object_in(&vt_busy_cache, false, false);
	if (!object)
		return;
	vt_busy_object = object;
	for (i = 0; i < VT_BUSY_OPS; i++) {
		struct vt_op *vop = vt_new_op(FSCACHE_OP_SLOW, i % 10 == 9);

		if (!vop)
			continue;
		vop->sleep_ms = 20;
		if (vt_submit(object, vop))
			failures++;
		fscache_put_operation(&vop->op);
	}
}

static void __exit vt_exit(void)
{
	int released = atomic_read(&vt_released);

	fscache_ops_withdraw_cache(&vt_busy_cache);
	if (vt_busy_object)
		fscache_ops_put_object(vt_busy_object);
	released = atomic_read(&vt_released) - released;
	if (failures || atomic_read(&vt_busy_cache.object_count) ||
	    atomic_read(&vt_running))
		pr_err("FAIL at unload: %d ops released\n", released);
	else
		pr_info("unloaded clean, %d ops were in flight\n", released);
}

module_init(vt_init);
module_exit(vt_exit);

MODULE_DESCRIPTION("fscache_ops VM test: drives the exported API from another module");
MODULE_LICENSE("GPL");
FSCACHE_OPS_IMPORT_NS();
