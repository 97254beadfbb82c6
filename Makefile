# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree wrapper around Kbuild.
#
#   make                      build fscache_ops.ko (and the VM test module)
#   make KDIR=/path/to/build  against another kernel
#   make W=1 C=2              extra warnings, sparse on every file
#   make clean

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(wildcard /usr/src/linux-headers-6.1.*-amd64))

# The test modules are built out of tree only.
export CONFIG_FSCACHE_OPS := m
export CONFIG_FSCACHE_OPS_VMTEST := m
# Statistics and tracepoints (Kconfig's defaults); make ... CONFIG_...=n
# builds without them.
export CONFIG_FSCACHE_OPS_STATS := y
export CONFIG_FSCACHE_OPS_TRACEPOINTS := y

all: modules

modules clean:
	@test -n "$(KDIR)" || { echo "no kernel build dir: set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $@

.PHONY: all modules clean
