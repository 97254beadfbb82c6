// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops benchmark: what an op costs a backend, against the bare
 * workqueue item (or completion) it would otherwise use.
 *
 * Written as a third-party backend would be: it includes only the public
 * <linux/fscache-ops.h> and links against fscache_ops.ko's exports.  The
 * whole benchmark runs at insmod time and prints one line per run, which
 * scripts/bench.sh aggregates (Documentation/benchmark.rst).
 *
 * Arms come in pairs, an op arm and its floor, run one after the other
 * (alternating which goes first) for every object count, thread count and
 * repetition:
 *
 *   fast	FAST shareable ops	vs  wq_bound: queue_work() on a bound
 *					    WQ_MEM_RECLAIM workqueue
 *   slow	SLOW shareable ops	vs  wq_unbound: an unbound one
 *   fast_excl	FAST exclusive ops,	vs  wq_bound_idle: the same, one item
 *		one at a time per object    at a time per "object"
 *   slow_excl	the same, SLOW		vs  wq_unbound_idle
 *   mythread	MYTHREAD submission to	vs  completion: complete() then
 *		activation, then put	    wait_for_completion()
 *
 * Both arms of a pair do the same work besides the manager's: a kzalloc()
 * of the same record, two clock reads (the submission and the start of the
 * processor, for the latency), the same bookkeeping and a kfree() in the
 * work function or release callback.  The processors are empty.  The
 * submitter puts its reference right after submission.
 *
 * A release callback run by the cache's op GC (current_work() is the GC's
 * work item) is a deferred release; fscache_ops counts the same in its
 * debugfs statistics, which the VM's /init checks against our total.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fscache-ops.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#define BENCH_MAX_CONFIGS	8
#define BENCH_MAX_THREADS	16
#define BENCH_MAX_OBJECTS	4096
#define BENCH_MAX_OPS		1000000
#define BENCH_MAX_SAMPLES	(16 * 1024 * 1024)

static unsigned int nr_ops = 10000;
module_param(nr_ops, uint, 0444);
MODULE_PARM_DESC(nr_ops, "Ops each submitting thread submits in a run (100-1000000)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "Repetitions of every run (1-1000)");

static unsigned int objects[BENCH_MAX_CONFIGS] = { 1, 64, 1024 };
static unsigned int nr_objects_cfg = 3;
module_param_array(objects, uint, &nr_objects_cfg, 0444);
MODULE_PARM_DESC(objects, "Object counts to run over (each 1-4096)");

static unsigned int threads[BENCH_MAX_CONFIGS] = { 1, 2 };
static unsigned int nr_threads_cfg = 2;
module_param_array(threads, uint, &nr_threads_cfg, 0444);
MODULE_PARM_DESC(threads, "Submitting thread counts, bound to CPUs in turn (each 1-16)");

static char *pairs = "fast,slow,fast_excl,slow_excl,mythread";
module_param(pairs, charp, 0444);
MODULE_PARM_DESC(pairs, "Pairs to run: fast,slow,fast_excl,slow_excl,mythread");

enum bench_kind {
	BENCH_BOUND_WQ,
	BENCH_UNBOUND_WQ,
	BENCH_COMPLETION,
	BENCH_FAST,
	BENCH_SLOW,
	BENCH_MYTHREAD,
};

struct bench_arm {
	const char	*name;
	enum bench_kind	kind;
	bool		idle;	/* one op at a time per object: exclusive ops */
};

static const struct bench_pair {
	const char		*name;
	struct bench_arm	floor;
	struct bench_arm	arm;
} bench_pairs[] = {
	{ "fast", { "wq_bound", BENCH_BOUND_WQ, false },
		  { "fast", BENCH_FAST, false } },
	{ "slow", { "wq_unbound", BENCH_UNBOUND_WQ, false },
		  { "slow", BENCH_SLOW, false } },
	{ "fast_excl", { "wq_bound_idle", BENCH_BOUND_WQ, true },
		       { "fast_excl", BENCH_FAST, true } },
	{ "slow_excl", { "wq_unbound_idle", BENCH_UNBOUND_WQ, true },
		       { "slow_excl", BENCH_SLOW, true } },
	{ "mythread", { "completion", BENCH_COMPLETION, false },
		      { "mythread", BENCH_MYTHREAD, false } },
};

static bool bench_selected[ARRAY_SIZE(bench_pairs)];

/* One op, or one bare work item: the same record in every arm. */
struct bench_rec {
	union {
		struct fscache_operation	op;
		struct work_struct		work;
		struct completion		done;
	};
	u64		t_submit;
	atomic_t	*slot;		/* the idle slot it holds, if any */
	u32		idx;		/* its latency sample */
};

/* The run in progress; runs are made one at a time. */
static struct {
	atomic_t		outstanding;	/* records not yet freed */
	atomic_t		deferred;	/* released by the op GC */
	atomic_t		errors;
	u64			t_end;
	struct completion	done;
	u32			*lat;		/* submit->start, ns, per op */
} bench_run;

struct bench_thread {
	struct task_struct	*task;
	const struct bench_arm	*arm;
	unsigned int		id;
	unsigned int		first_obj;
	unsigned int		nobj;
	unsigned int		n;
	u64			cpu_ns;	/* its CPU time in the run */
	unsigned long		csw;	/* its context switches in the run */
};

static struct workqueue_struct *bench_bound_wq, *bench_unbound_wq;
static struct fscache_cache bench_cache;
static struct fscache_object **bench_objects;
static atomic_t *bench_slots;		/* 1 while an idle arm's op is out */
static unsigned int bench_nobjects;	/* created */
static atomic_t bench_object_puts;
static unsigned int bench_cpus[BENCH_MAX_THREADS];
static unsigned int bench_nr_cpus;
static unsigned long bench_deferred_total, bench_op_total;
static unsigned int bench_errors_total;

static int bench_lookup(struct fscache_object *object)
{
	fscache_ops_object_available(object);
	return 0;
}

static void bench_put_object(struct fscache_object *object)
{
	kfree(object);
	atomic_inc(&bench_object_puts);
	wake_up_var(&bench_object_puts);
}

static const struct fscache_cache_ops bench_cache_ops = {
	.name		= "bench",
	.lookup_object	= bench_lookup,
	.put_object	= bench_put_object,
};

/*
 * Where the code that an op or work item passes through lies in its pages
 * matters under TCG, which links translated blocks to each other directly
 * only within a page: with the same fscache_ops.ko, a change elsewhere in
 * this module, that moved these functions by 384 bytes, took the mythread
 * pair's ratio from 1.5 to 1.2 (Documentation/benchmark.rst).  So each
 * function that runs per op, in either arm, starts a page of its own and
 * inlines its helpers: their layout is the same whatever else changes here.
 * Each has a section of its own, which the module loader places at the
 * section's alignment: aligning functions within one section would pad it
 * with code (a jump over the gap) that objtool finds unreachable.
 */

static __always_inline void bench_sample(struct bench_rec *rec)
{
	u64 lat = ktime_get_ns() - rec->t_submit;

	bench_run.lat[rec->idx] = min_t(u64, lat, U32_MAX);
}

/* A record is gone: free its idle slot, count it out of the run. */
static __always_inline void bench_done(atomic_t *slot)
{
	if (slot) {
		atomic_set_release(slot, 0);
		/* Pairs with the barrier in wait_var_event()'s sleep. */
		smp_mb();
		wake_up_var(slot);
	}
	if (atomic_dec_and_test(&bench_run.outstanding)) {
		bench_run.t_end = ktime_get_ns();
		complete(&bench_run.done);
	}
}

/* The end of every record, in every arm. */
static __always_inline void bench_retire(struct bench_rec *rec)
{
	atomic_t *slot = rec->slot;

	if (current_work() == &bench_cache.op_gc)
		atomic_inc(&bench_run.deferred);
	kfree(rec);
	bench_done(slot);
}

static __section(".text.fscache_bench.work_fn") __aligned(PAGE_SIZE)
void bench_work_fn(struct work_struct *work)
{
	struct bench_rec *rec = container_of(work, struct bench_rec, work);

	bench_sample(rec);
	bench_retire(rec);
}

static __section(".text.fscache_bench.processor") __aligned(PAGE_SIZE)
void bench_processor(struct fscache_operation *op)
{
	bench_sample(container_of(op, struct bench_rec, op));
}

static __section(".text.fscache_bench.release") __aligned(PAGE_SIZE)
void bench_release(struct fscache_operation *op)
{
	bench_retire(container_of(op, struct bench_rec, op));
}

/* Submit one op (or work item) of @arm against object @obj. */
static __always_inline void bench_one(const struct bench_arm *arm,
				      unsigned int obj, u32 idx)
{
	struct fscache_object *object = bench_objects[obj];
	atomic_t *slot = arm->idle ? &bench_slots[obj] : NULL;
	struct bench_rec *rec;
	int ret;

	if (slot)
		wait_var_event(slot, atomic_cmpxchg_acquire(slot, 0, 1) == 0);
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec) {
		atomic_inc(&bench_run.errors);
		bench_done(slot);
		return;
	}
	rec->idx = idx;
	rec->slot = slot;

	switch (arm->kind) {
	case BENCH_BOUND_WQ:
	case BENCH_UNBOUND_WQ:
		INIT_WORK(&rec->work, bench_work_fn);
		rec->t_submit = ktime_get_ns();
		queue_work(arm->kind == BENCH_BOUND_WQ ? bench_bound_wq :
			   bench_unbound_wq, &rec->work);
		break;
	case BENCH_COMPLETION:
		init_completion(&rec->done);
		rec->t_submit = ktime_get_ns();
		complete(&rec->done);
		wait_for_completion(&rec->done);
		bench_sample(rec);
		bench_retire(rec);
		break;
	case BENCH_FAST:
	case BENCH_SLOW:
		fscache_operation_init(&rec->op, bench_release);
		if (arm->kind == BENCH_FAST)
			fscache_operation_init_fast(&rec->op, bench_processor);
		else
			fscache_operation_init_slow(&rec->op, bench_processor);
		rec->t_submit = ktime_get_ns();
		if (arm->idle)
			ret = fscache_submit_exclusive_op(object, &rec->op);
		else
			ret = fscache_submit_op(object, &rec->op);
		if (ret)
			atomic_inc(&bench_run.errors);
		fscache_put_operation(&rec->op);
		break;
	case BENCH_MYTHREAD:
		fscache_operation_init(&rec->op, bench_release);
		rec->op.flags |= FSCACHE_OP_MYTHREAD;
		set_bit(FSCACHE_OP_WAITING, &rec->op.flags);
		rec->t_submit = ktime_get_ns();
		ret = fscache_submit_op(object, &rec->op);
		if (!ret)
			ret = fscache_wait_for_operation_activation(&rec->op, false);
		if (ret)
			atomic_inc(&bench_run.errors);
		else
			bench_sample(rec);
		fscache_put_operation(&rec->op);
		break;
	}
}

static __section(".text.fscache_bench.thread_fn") __aligned(PAGE_SIZE)
int bench_thread_fn(void *data)
{
	struct bench_thread *t = data;
	unsigned int i, obj = t->first_obj;

	for (i = 0; i < t->n; i++) {
		bench_one(t->arm, obj, t->id * t->n + i);
		if (++obj == t->nobj)
			obj = 0;
		cond_resched();
	}

	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int bench_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Wait until the objects a run used hold no op, and its work is done. */
static int bench_settle(unsigned int nobj)
{
	unsigned long end = jiffies + 30 * HZ;
	unsigned int i;

	flush_workqueue(bench_bound_wq);
	flush_workqueue(bench_unbound_wq);
	for (i = 0; i < nobj; i++) {
		while (fscache_ops_object_n_ops(bench_objects[i])) {
			if (time_after(jiffies, end)) {
				pr_err("object %u still has ops after a run\n", i);
				return -ETIMEDOUT;
			}
			usleep_range(100, 200);
		}
	}
	return 0;
}

/* One run of @arm; prints its line unless it is a warm-up. */
static int bench_run_arm(const struct bench_arm *arm, unsigned int nobj,
			 unsigned int nthreads, unsigned int n, int rep)
{
	struct bench_thread th[BENCH_MAX_THREADS] = {};
	unsigned int total = nthreads * n, i, p50, p99;
	int deferred, errors, ret;
	u64 t_start, ns, sub_ns;
	unsigned long csw;

	init_completion(&bench_run.done);
	atomic_set(&bench_run.outstanding, total);
	atomic_set(&bench_run.deferred, 0);
	atomic_set(&bench_run.errors, 0);
	memset(bench_run.lat, 0, total * sizeof(*bench_run.lat));

	for (i = 0; i < nthreads; i++) {
		th[i].arm = arm;
		th[i].id = i;
		th[i].nobj = nobj;
		th[i].first_obj = i * nobj / nthreads;
		th[i].n = n;
		th[i].task = kthread_create(bench_thread_fn, &th[i],
					    "fscache_bench/%u", i);
		if (IS_ERR(th[i].task)) {
			ret = PTR_ERR(th[i].task);
			while (i--) {
				kthread_stop(th[i].task);
				put_task_struct(th[i].task);
			}
			pr_err("cannot create a submitting thread: %d\n", ret);
			return ret;
		}
		kthread_bind(th[i].task, bench_cpus[i % bench_nr_cpus]);
		/* Asleep since its creation: its runtime is up to date. */
		get_task_struct(th[i].task);
		th[i].cpu_ns = th[i].task->se.sum_exec_runtime;
		th[i].csw = th[i].task->nvcsw + th[i].task->nivcsw;
	}

	t_start = ktime_get_ns();
	for (i = 0; i < nthreads; i++)
		wake_up_process(th[i].task);
	wait_for_completion(&bench_run.done);
	ns = bench_run.t_end - t_start;
	sub_ns = 0;
	csw = 0;
	for (i = 0; i < nthreads; i++) {
		kthread_stop(th[i].task);
		/* Exited: its runtime is final. */
		sub_ns += th[i].task->se.sum_exec_runtime - th[i].cpu_ns;
		csw += th[i].task->nvcsw + th[i].task->nivcsw - th[i].csw;
		put_task_struct(th[i].task);
	}
	ret = bench_settle(nobj);

	deferred = atomic_read(&bench_run.deferred);
	errors = atomic_read(&bench_run.errors);
	bench_deferred_total += deferred;
	bench_errors_total += errors;
	if (arm->kind >= BENCH_FAST)
		bench_op_total += total;

	sort(bench_run.lat, total, sizeof(*bench_run.lat), bench_cmp_u32, NULL);
	p50 = bench_run.lat[total / 2];
	p99 = bench_run.lat[min(total - 1, total / 100 * 99)];
	if (rep >= 0)
		pr_info("run rep=%d arm=%s objects=%u threads=%u ops=%u ns=%llu sub_ns=%llu csw=%lu p50=%u p99=%u deferred=%d errors=%d\n",
			rep, arm->name, nobj, nthreads, total, ns, sub_ns, csw,
			p50, p99, deferred, errors);
	if (errors)
		pr_err("%d ops of %s failed\n", errors, arm->name);
	return ret;
}

/* Every selected pair once, each arm beside its floor. */
static int bench_round(unsigned int rep, unsigned int nobj, unsigned int nthreads)
{
	unsigned int p, k;
	int ret;

	for (p = 0; p < ARRAY_SIZE(bench_pairs); p++) {
		const struct bench_pair *bp = &bench_pairs[p];

		if (!bench_selected[p])
			continue;
		/* Alternate which arm of a pair goes first. */
		for (k = 0; k < 2; k++) {
			ret = bench_run_arm((k ^ rep) & 1 ? &bp->arm : &bp->floor,
					    nobj, nthreads, nr_ops, rep);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int bench_all(void)
{
	unsigned int r, o, t, p, maxobj = 0;
	int ret;

	for (o = 0; o < nr_objects_cfg; o++)
		maxobj = max(maxobj, objects[o]);

	/* Warm-up: workers, slab caches, the objects' first ops. */
	for (p = 0; p < ARRAY_SIZE(bench_pairs); p++) {
		if (!bench_selected[p])
			continue;
		ret = bench_run_arm(&bench_pairs[p].floor, maxobj, 1,
				    min(nr_ops, 2000U), -1);
		if (!ret)
			ret = bench_run_arm(&bench_pairs[p].arm, maxobj, 1,
					    min(nr_ops, 2000U), -1);
		if (ret)
			return ret;
	}

	for (r = 0; r < reps; r++)
		for (o = 0; o < nr_objects_cfg; o++)
			for (t = 0; t < nr_threads_cfg; t++) {
				ret = bench_round(r, objects[o], threads[t]);
				if (ret)
					return ret;
			}
	return 0;
}

static int bench_check_params(void)
{
	unsigned int i, maxthreads = 0;
	char *list, *s, *name;
	bool any = false;

	if (nr_ops < 100 || nr_ops > BENCH_MAX_OPS) {
		pr_err("nr_ops must be 100-%u, not %u\n", BENCH_MAX_OPS, nr_ops);
		return -EINVAL;
	}
	if (reps < 1 || reps > 1000) {
		pr_err("reps must be 1-1000, not %u\n", reps);
		return -EINVAL;
	}
	for (i = 0; i < nr_objects_cfg; i++) {
		if (objects[i] < 1 || objects[i] > BENCH_MAX_OBJECTS) {
			pr_err("objects must each be 1-%u, not %u\n",
			       BENCH_MAX_OBJECTS, objects[i]);
			return -EINVAL;
		}
	}
	for (i = 0; i < nr_threads_cfg; i++) {
		if (threads[i] < 1 || threads[i] > BENCH_MAX_THREADS) {
			pr_err("threads must each be 1-%u, not %u\n",
			       BENCH_MAX_THREADS, threads[i]);
			return -EINVAL;
		}
		maxthreads = max(maxthreads, threads[i]);
	}
	if (!nr_objects_cfg || !nr_threads_cfg) {
		pr_err("objects and threads need a value each\n");
		return -EINVAL;
	}
	if ((u64)nr_ops * maxthreads > BENCH_MAX_SAMPLES) {
		pr_err("nr_ops * threads must be at most %u\n", BENCH_MAX_SAMPLES);
		return -EINVAL;
	}

	list = kstrdup(pairs ? pairs : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	s = list;
	while ((name = strsep(&s, ","))) {
		for (i = 0; i < ARRAY_SIZE(bench_pairs); i++)
			if (!strcmp(name, bench_pairs[i].name))
				break;
		if (i == ARRAY_SIZE(bench_pairs)) {
			pr_err("pairs: unknown pair '%s' (known: fast,slow,fast_excl,slow_excl,mythread)\n",
			       name);
			kfree(list);
			return -EINVAL;
		}
		bench_selected[i] = true;
		any = true;
	}
	kfree(list);
	if (!any) {
		pr_err("pairs: no pair selected\n");
		return -EINVAL;
	}
	return 0;
}

static void bench_teardown(void)
{
	unsigned int i;

	for (i = 0; i < bench_nobjects; i++) {
		fscache_ops_relinquish_object(bench_objects[i], false);
		fscache_ops_put_object(bench_objects[i]);
	}
	if (bench_cache.ops)
		fscache_ops_withdraw_cache(&bench_cache);
	/* put_object() is ours: it must have run before the module goes. */
	if (!wait_var_event_timeout(&bench_object_puts,
				    atomic_read(&bench_object_puts) == bench_nobjects,
				    60 * HZ))
		pr_err("%u objects never put\n",
		       bench_nobjects - atomic_read(&bench_object_puts));
	if (bench_bound_wq)
		destroy_workqueue(bench_bound_wq);
	if (bench_unbound_wq)
		destroy_workqueue(bench_unbound_wq);
	kfree(bench_objects);
	kfree(bench_slots);
	vfree(bench_run.lat);
}

static int bench_setup(void)
{
	unsigned int i, maxobj = 0, maxthreads = 0, cpu;
	unsigned long end;
	int ret;

	for_each_online_cpu(cpu) {
		if (bench_nr_cpus == BENCH_MAX_THREADS)
			break;
		bench_cpus[bench_nr_cpus++] = cpu;
	}
	for (i = 0; i < nr_objects_cfg; i++)
		maxobj = max(maxobj, objects[i]);
	for (i = 0; i < nr_threads_cfg; i++)
		maxthreads = max(maxthreads, threads[i]);

	bench_run.lat = vmalloc(array_size(nr_ops * maxthreads,
					   sizeof(*bench_run.lat)));
	bench_objects = kcalloc(maxobj, sizeof(*bench_objects), GFP_KERNEL);
	bench_slots = kcalloc(maxobj, sizeof(*bench_slots), GFP_KERNEL);
	/* As fscache_ops' own FAST and SLOW workqueues are made. */
	bench_bound_wq = alloc_workqueue("fscache_bench_bound", WQ_MEM_RECLAIM, 0);
	bench_unbound_wq = alloc_workqueue("fscache_bench_unbound",
					   WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!bench_run.lat || !bench_objects || !bench_slots ||
	    !bench_bound_wq || !bench_unbound_wq)
		return -ENOMEM;

	ret = fscache_ops_add_cache(&bench_cache, &bench_cache_ops, "bench");
	if (ret) {
		bench_cache.ops = NULL;
		return ret;
	}
	for (i = 0; i < maxobj; i++) {
		struct fscache_object *object = kzalloc(sizeof(*object), GFP_KERNEL);

		if (!object)
			return -ENOMEM;
		ret = fscache_ops_init_object(object, &bench_cache);
		if (ret) {
			kfree(object);
			return ret;
		}
		bench_objects[bench_nobjects++] = object;
		fscache_ops_lookup_object(object);
	}
	end = jiffies + 30 * HZ;
	for (i = 0; i < bench_nobjects; i++) {
		while (!fscache_object_is_active(bench_objects[i])) {
			if (time_after(jiffies, end)) {
				pr_err("object %u never became active\n", i);
				return -ETIMEDOUT;
			}
			usleep_range(1000, 2000);
		}
	}
	return 0;
}

static int __init bench_init(void)
{
	int ret;

	ret = bench_check_params();
	if (ret)
		return ret;
	ret = bench_setup();
	if (!ret) {
		pr_info("setup kernel=%s cpus=%u nr_ops=%u reps=%u op_bytes=%zu work_bytes=%zu beyond_work=%zu\n",
			utsname()->release, num_online_cpus(), nr_ops, reps,
			sizeof(struct fscache_operation),
			sizeof(struct work_struct),
			sizeof(struct fscache_operation) -
			sizeof(struct work_struct));
		ret = bench_all();
	}
	bench_teardown();
	if (ret) {
		pr_err("FAIL: %d\n", ret);
		return ret;
	}
	pr_info("end ops=%lu deferred=%lu errors=%u\n", bench_op_total,
		bench_deferred_total, bench_errors_total);
	return 0;
}

static void __exit bench_exit(void)
{
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("fscache_ops benchmark: ops against bare workqueue items");
MODULE_LICENSE("GPL");
/* The namespace of fscache_ops' exports, where the header has one. */
#ifdef FSCACHE_OPS_IMPORT_NS
FSCACHE_OPS_IMPORT_NS();
#endif
