# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of fscache_ops' documentation; scripts/docs.sh builds
# it.  The API reference (api.rst) is pulled from the kernel-doc comments
# of the sources by the kernel's own kernel-doc extension and script, from
# the 6.12 source tree that scripts/lib.sh unpacks: scripts/docs.sh passes
# that tree's path in FSCACHE_OPS_KSRC.

import os
import sys

ksrc = os.environ.get('FSCACHE_OPS_KSRC')
if not ksrc or not os.path.isfile(os.path.join(ksrc, 'scripts', 'kernel-doc')):
    sys.exit('conf.py: set FSCACHE_OPS_KSRC to a kernel source tree '
             '(scripts/docs.sh does)')
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'fscache_ops'
author = 'The fscache_ops developers'
copyright = 'The fscache_ops developers'

root_doc = 'index'
extensions = ['kerneldoc']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))

# As the kernel's: literal blocks are shown as they are, not lexed.
highlight_language = 'none'
primary_domain = 'c'

html_theme = 'alabaster'
html_static_path = []
