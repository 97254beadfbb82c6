// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops module: workqueues, tunables and debugfs.
 *
 * Three workqueues, all WQ_MEM_RECLAIM: caches sit on the writeback path
 * (a netfs writes dirty data to its cache, and a page may wait on a cache op
 * before it can be released), so an op must be able to make progress when
 * memory is short and no new worker can be forked; the rescuer thread each
 * of these gets is what guarantees that.
 *
 *   fscache_ops_fast	bound (per-CPU): FAST ops and the per-cache op GC.
 *   fscache_ops_slow	WQ_UNBOUND: SLOW ops, which may sleep on I/O; its
 *			max_active is the slow_max_active parameter.
 *   fscache_ops_object	WQ_UNBOUND: the object state machines, which call
 *			into the backend (lookup, drop) and may sleep; kept
 *			apart so that a slow-op backlog cannot stall lifecycle
 *			events, and the reverse.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "internal.h"

struct workqueue_struct *fscache_ops_fast_wq;
struct workqueue_struct *fscache_ops_slow_wq;
struct workqueue_struct *fscache_ops_object_wq;
struct dentry *fscache_ops_debugfs_root;

static unsigned int fscache_slow_max_active;	/* 0: the workqueue default */

/*
 * For testing init's error path (tests/vm/init.sh): make init fail as if
 * the allocation of one of its steps had.
 */
enum {
	FSCACHE_INJECT_NONE,
	FSCACHE_INJECT_STATS,		/* the counters */
	FSCACHE_INJECT_WQ,		/* a workqueue */
	FSCACHE_INJECT__NR
};

static unsigned int fscache_inject_init_failure;
module_param_named(inject_init_failure, fscache_inject_init_failure, uint, 0444);
MODULE_PARM_DESC(inject_init_failure,
		 "Testing only: fail init at step 1 (counters) or 2 (workqueues)");

static bool fscache_ops_inject(unsigned int step)
{
	return fscache_inject_init_failure == step;
}

static DEFINE_MUTEX(fscache_param_lock);

/**
 * fscache_ops_set_slow_max_active - set how many SLOW ops may run at once
 * @val: the number, as text (1 to WQ_MAX_ACTIVE)
 *
 * Return: 0, or -EINVAL (with a message) for anything else, which changes
 * nothing.
 */
int fscache_ops_set_slow_max_active(const char *val)
{
	char buf[16];
	unsigned int n;
	int ret;

	strscpy(buf, val, sizeof(buf));
	ret = kstrtouint(val, 0, &n);
	if (ret || n < 1 || n > WQ_MAX_ACTIVE) {
		pr_err("slow_max_active: '%s' is not a number from 1 to %d\n",
		       strim(buf), WQ_MAX_ACTIVE);
		return -EINVAL;
	}

	mutex_lock(&fscache_param_lock);
	fscache_slow_max_active = n;
	if (fscache_ops_slow_wq)
		workqueue_set_max_active(fscache_ops_slow_wq, n);
	mutex_unlock(&fscache_param_lock);
	return 0;
}

/**
 * fscache_ops_slow_max_active - the slow_max_active parameter's value
 *
 * Return: the value, 0 meaning the workqueue default.
 */
unsigned int fscache_ops_slow_max_active(void)
{
	return READ_ONCE(fscache_slow_max_active);
}

static int fscache_set_slow_max_active(const char *val,
				       const struct kernel_param *kp)
{
	return fscache_ops_set_slow_max_active(val);
}

static const struct kernel_param_ops fscache_slow_max_active_ops = {
	.set = fscache_set_slow_max_active,
	.get = param_get_uint,
};
module_param_cb(slow_max_active, &fscache_slow_max_active_ops,
		&fscache_slow_max_active, 0644);
MODULE_PARM_DESC(slow_max_active,
		 "How many SLOW ops may run at once (1-512; default: the workqueue default)");

#if IS_ENABLED(CONFIG_FSCACHE_OPS_KUNIT_TEST)
fscache_ops_test_hook_t fscache_ops_test_hook;
static atomic_t fscache_misuse_allowance = ATOMIC_INIT(0);

/**
 * fscache_ops_expect_misuse - announce provoked backend mistakes
 * @n: how many are coming (or 0 to cancel an allowance left over)
 */
void fscache_ops_expect_misuse(int n)
{
	atomic_set(&fscache_misuse_allowance, n);
}

bool fscache_ops_misuse_expected(void)
{
	return atomic_dec_if_positive(&fscache_misuse_allowance) >= 0;
}
#else
bool fscache_ops_misuse_expected(void)
{
	return false;
}
#endif

/**
 * fscache_report_misuse - report a backend's mistake
 * @warned: the call site's once-only flag
 * @fmt: what went wrong
 *
 * Counts it, and warns with a backtrace the first time at each call site
 * (or just logs it when a KUnit case announced it).
 */
void fscache_report_misuse(bool *warned, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	fscache_stat(FSCACHE_STAT_MISUSE);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (fscache_ops_misuse_expected()) {
		pr_info("expected misuse: %pV\n", &vaf);
	} else if (!*warned) {
		*warned = true;
		WARN(1, "fscache_ops: %pV\n", &vaf);
	}
	va_end(args);
}

/**
 * fscache_ops_destroy_slow_wq - destroy the SLOW workqueue
 *
 * The slow_max_active file outlives module_exit(): a write to it may come
 * while the module goes.  The queue is unpublished under the parameter lock
 * before it is destroyed, so such a write only records the value.
 */
void fscache_ops_destroy_slow_wq(void)
{
	struct workqueue_struct *wq;

	mutex_lock(&fscache_param_lock);
	wq = fscache_ops_slow_wq;
	fscache_ops_slow_wq = NULL;
	mutex_unlock(&fscache_param_lock);
	if (wq)
		destroy_workqueue(wq);
	fscache_ops_test_point(FSCACHE_TP_SLOW_WQ_DESTROYED, wq);
}

static void fscache_ops_destroy_wqs(void)
{
	if (fscache_ops_object_wq)
		destroy_workqueue(fscache_ops_object_wq);
	fscache_ops_destroy_slow_wq();
	if (fscache_ops_fast_wq)
		destroy_workqueue(fscache_ops_fast_wq);
	fscache_ops_object_wq = NULL;
	fscache_ops_fast_wq = NULL;
}

/*
 * Undo what init did, for both its error path and module exit, in one order:
 * the workqueues drain (nothing of ours runs after), then the debugfs files
 * go before the counters they read.
 */
static void fscache_ops_teardown(void)
{
	fscache_ops_destroy_wqs();
	debugfs_remove(fscache_ops_debugfs_root);
	fscache_ops_debugfs_root = NULL;
	fscache_ops_stats_exit();
}

static int __init fscache_ops_init(void)
{
	int ret;

	if (fscache_inject_init_failure >= FSCACHE_INJECT__NR) {
		pr_err("inject_init_failure: %u is not a step from 0 to %d\n",
		       fscache_inject_init_failure, FSCACHE_INJECT__NR - 1);
		return -EINVAL;
	}

	fscache_ops_debugfs_root = debugfs_create_dir("fscache_ops", NULL);

	ret = fscache_ops_inject(FSCACHE_INJECT_STATS) ? -ENOMEM :
	      fscache_ops_stats_init();
	if (ret)
		goto err;
	fscache_ops_object_debugfs_init();

	ret = -ENOMEM;
	fscache_ops_fast_wq = alloc_workqueue("fscache_ops_fast",
					      WQ_MEM_RECLAIM, 0);
	mutex_lock(&fscache_param_lock);
	fscache_ops_slow_wq = alloc_workqueue("fscache_ops_slow",
					      WQ_UNBOUND | WQ_MEM_RECLAIM,
					      fscache_slow_max_active);
	mutex_unlock(&fscache_param_lock);
	if (!fscache_ops_inject(FSCACHE_INJECT_WQ))
		fscache_ops_object_wq = alloc_workqueue("fscache_ops_object",
							WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!fscache_ops_fast_wq || !fscache_ops_slow_wq ||
	    !fscache_ops_object_wq)
		goto err;

	pr_debug("loaded\n");
	return 0;

err:
	fscache_ops_teardown();
	return ret;
}

static void __exit fscache_ops_exit(void)
{
	fscache_ops_object_exit();
	fscache_ops_teardown();
	fscache_op_tracking_exit();
	pr_debug("unloaded\n");
}

module_init(fscache_ops_init);
module_exit(fscache_ops_exit);

MODULE_DESCRIPTION("FS-Cache asynchronous operation manager for cache backends");
MODULE_AUTHOR("The fscache_ops developers");
MODULE_LICENSE("GPL");
