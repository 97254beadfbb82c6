// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A backend that forgot FSCACHE_OPS_IMPORT_NS(): it calls an export of
 * fscache_ops without importing the FSCACHE_OPS namespace.  modpost fails
 * such a build unless told otherwise (scripts/vm.sh passes
 * CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y to modpost only), and the
 * kernel must refuse to load it:
 *
 *   fscache_ops_noimport: module uses symbol (fscache_ops_object_state_name)
 *   from namespace FSCACHE_OPS, but does not import it.
 *
 * tests/vm/init.sh checks both.  Should it load all the same, it says so.
 */

#include <linux/fscache-ops.h>
#include <linux/module.h>

static int __init noimport_init(void)
{
	pr_err("fscache_ops_noimport: FAIL: loaded without importing FSCACHE_OPS (%s)\n",
	       fscache_ops_object_state_name(FSCACHE_OBJECT_INIT));
	return 0;
}

static void __exit noimport_exit(void)
{
}

module_init(noimport_init);
module_exit(noimport_exit);

MODULE_DESCRIPTION("fscache_ops VM test: a user that does not import the namespace");
MODULE_LICENSE("GPL");
