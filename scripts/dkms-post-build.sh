#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS POST_BUILD (dkms.conf): run in the build directory once
# fscache_ops.ko is built for a kernel; keeps what a third-party backend
# builds against beside DKMS's copy of the module:
#
#   DIR/include/linux/fscache-ops.h   the public header
#   DIR/Module.symvers                the exports, for KBUILD_EXTRA_SYMBOLS
#
# Usage: scripts/dkms-post-build.sh DIR
set -euo pipefail

dir=${1:?usage: dkms-post-build.sh DIR}
install -D -m 0644 include/linux/fscache-ops.h "$dir/include/linux/fscache-ops.h"
install -D -m 0644 Module.symvers "$dir/Module.symvers"
echo "fscache_ops: header and Module.symvers for backends in $dir"
