#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo: boot Debian's 6.12 kernel in QEMU with the distro's netfs and
# cachefiles loaded, load fscache_ops.ko beside them, let the VM test module
# drive it as a backend would, and show what happened (its result and the
# module's statistics from debugfs).
set -euo pipefail
exec "$(dirname "$0")/vm.sh" --demo "${@:-6.12}"
