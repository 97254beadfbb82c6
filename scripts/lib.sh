# SPDX-License-Identifier: GPL-2.0
#
# Shared by the scripts (sourced): where the cache lives, the 6.12 source
# tree, and how a console log is scanned for splats.

cache=${FSCACHE_OPS_CACHE:-$HOME/.cache/fscache-ops}
src=$cache/linux-6.12

# Unpack Debian's linux-source-6.12 into $src, once.
unpack_kernel_source() {
	[ -e "$src/.fscache-ops-unpacked" ] && return 0
	echo "unpacking linux-source-6.12 into $src"
	mkdir -p "$cache"
	rm -rf "$src" "$cache/linux-source-6.12"
	tar -C "$cache" -xJf /usr/src/linux-source-6.12.tar.xz
	mv "$cache/linux-source-6.12" "$src"
	touch "$src/.fscache-ops-unpacked"
}

splat_re='WARNING:|BUG:|Call Trace:|KASAN|lockdep|ODEBUG|unreferenced object|Kernel panic|Oops|general protection|INFO: task .* blocked|possible recursive locking|inconsistent lock state'
# Lines that match but are no splat: the command line, a boot banner.
benign_re='kasan.fault=panic|RCU lockdep checking is enabled'

# Print the splats of a console log, numbered; nothing if it is clean.
find_splats() {
	grep -nE "$splat_re" "$1" | grep -vE "$benign_re" || true
}
