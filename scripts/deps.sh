#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, through apt, everything a fresh Debian 12 machine lacks to build
# and test fscache_ops.  Idempotent: packages already present are skipped and
# apt is not touched at all when nothing is missing.
set -euo pipefail

pkgs=(
	build-essential bc bison flex cpio kmod xz-utils rsync python3 perl git
	libelf-dev libssl-dev dwarves
	sparse
	qemu-system-x86 busybox-static
	linux-source-6.12 linux-headers-amd64
	dkms python3-sphinx
	spin
)

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${pkgs[@]}"; do
	have "$p" || missing+=("$p")
done

export DEBIAN_FRONTEND=noninteractive
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	apt-get update -qq
	updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt_update
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The 6.12 headers: resolve the current ABI name from the source package's
# version rather than hard-coding a point release.
if ! ls -d /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1; then
	apt_update
	h=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9.]*\+deb12-amd64$' |
	    awk '{print $1}' | sort -V | tail -n 1)
	if [ -z "$h" ]; then
		echo "deps: no linux-headers-6.12.*+deb12-amd64 package found" >&2
		exit 1
	fi
	echo "deps: installing $h"
	apt-get install -y -qq --no-install-recommends "$h" >/dev/null
fi
echo "deps: ok"
