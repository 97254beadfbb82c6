// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fscache_ops tracepoints: include/trace/events/fscache_ops.h, instantiated
 * here.  Built with CONFIG_FSCACHE_OPS_TRACEPOINTS.
 */

#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/fscache_ops.h>
