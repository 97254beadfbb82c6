#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Plot scripts/bench.sh's ratios against the object count, as an SVG.

Usage: scripts/bench-plot.py REPORT... > plot.svg

Reads the machine-readable BENCH lines of bench.sh's reports (its output,
or the reports it keeps in $FSCACHE_OPS_CACHE/bench/*.txt) and draws one
panel per CPU count: each op arm's median ratio to its floor against the
object count, a solid line with one submitting thread, dashed with two or
more.  Python's standard library only: the machines this runs on need not
have a plotting package.
"""

import sys
from xml.sax.saxutils import escape

COLOURS = {'fast': '#1f77b4', 'slow': '#d62728', 'fast_excl': '#2ca02c',
           'slow_excl': '#9467bd', 'mythread': '#ff7f0e'}
PANEL_W, PANEL_H, MARGIN, TOP = 360, 260, 50, 40


def read(paths):
    """{cpus: {(arm, threads): {objects: ratio}}} and the kernel's name."""
    runs, kernel = {}, '?'
    for path in paths:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if not line.startswith('BENCH '):
                    continue
                kv = dict(w.split('=', 1) for w in line.split()[1:] if '=' in w)
                if kv.get('floor', '-') == '-' or kv.get('ratio', '-') == '-':
                    continue
                kernel = kv.get('kernel', kernel)
                arms = runs.setdefault(int(kv['cpus']), {})
                key = (kv['arm'], int(kv['threads']))
                arms.setdefault(key, {})[int(kv['objects'])] = float(kv['ratio'])
    return runs, kernel


def plot(runs, kernel):
    cpus = sorted(runs)
    objects = sorted({o for c in cpus for line in runs[c].values() for o in line})
    ratios = [r for c in cpus for line in runs[c].values() for r in line.values()]
    lo = min(0.9, min(ratios) - 0.05)
    hi = max(1.5, max(ratios) + 0.05)
    width = MARGIN + len(cpus) * (PANEL_W + MARGIN) + 130
    height = TOP + PANEL_H + 60
    out = ['<!-- SPDX-License-Identifier: GPL-2.0 -->',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{MARGIN}" y="20" font-size="14">median ratio of each op '
           f'arm to its floor ({escape(kernel)}, QEMU TCG)</text>']

    def x_at(i):
        return (i + 0.5) * PANEL_W / len(objects)

    def y_at(r):
        return TOP + PANEL_H * (hi - r) / (hi - lo)

    for p, c in enumerate(cpus):
        x0 = MARGIN + p * (PANEL_W + MARGIN)
        out.append(f'<rect x="{x0}" y="{TOP}" width="{PANEL_W}" '
                   f'height="{PANEL_H}" fill="none" stroke="black"/>')
        out.append(f'<text x="{x0 + 5}" y="{TOP + 15}">{c} CPU'
                   f'{"s" if c > 1 else ""}</text>')
        tick = round(lo, 1)
        while tick <= hi:
            y = y_at(tick)
            if TOP <= y <= TOP + PANEL_H:
                grey = '#999' if abs(tick - 1.0) < 1e-9 else '#ddd'
                out.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{y:.1f}" '
                           f'y2="{y:.1f}" stroke="{grey}"/>')
                out.append(f'<text x="{x0 - 5}" y="{y + 4:.1f}" '
                           f'text-anchor="end">{tick:.1f}</text>')
            tick = round(tick + 0.1, 1)
        for i, o in enumerate(objects):
            out.append(f'<text x="{x0 + x_at(i):.1f}" y="{TOP + PANEL_H + 18}" '
                       f'text-anchor="middle">{o}</text>')
        out.append(f'<text x="{x0 + PANEL_W / 2}" y="{TOP + PANEL_H + 36}" '
                   f'text-anchor="middle">objects</text>')
        for (arm, threads), line in sorted(runs[c].items()):
            pts = [(x0 + x_at(objects.index(o)), y_at(r))
                   for o, r in sorted(line.items())]
            dash = '' if threads == 1 else ' stroke-dasharray="6,4"'
            colour = COLOURS.get(arm, 'black')
            out.append('<polyline fill="none" stroke-width="2" '
                       f'stroke="{colour}"{dash} points="'
                       + ' '.join(f'{x:.1f},{y:.1f}' for x, y in pts) + '"/>')
            for x, y in pts:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" '
                           f'fill="{colour}"/>')

    lx = MARGIN + len(cpus) * (PANEL_W + MARGIN)
    arms = sorted({a for c in cpus for a, _ in runs[c]},
                  key=lambda a: list(COLOURS).index(a) if a in COLOURS else 99)
    for i, arm in enumerate(arms):
        y = TOP + 10 + 18 * i
        out.append(f'<line x1="{lx}" x2="{lx + 25}" y1="{y}" y2="{y}" '
                   f'stroke="{COLOURS.get(arm, "black")}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 30}" y="{y + 4}">{escape(arm)}</text>')
    more = sorted({t for c in cpus for _, t in runs[c] if t > 1})
    y = TOP + 10 + 18 * len(arms) + 10
    out.append(f'<text x="{lx}" y="{y}">solid: 1 thread</text>')
    if more:
        out.append(f'<text x="{lx}" y="{y + 16}">dashed: '
                   f'{", ".join(map(str, more))} threads</text>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ('-h', '--help'):
        sys.stderr.write(__doc__.split('\n\n')[1] + '\n')
        return 2
    try:
        runs, kernel = read(sys.argv[1:])
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write(f'bench-plot: cannot read the reports: {e}\n')
        return 1
    if not runs:
        sys.stderr.write('bench-plot: no BENCH lines with a ratio in the reports\n')
        return 1
    sys.stdout.write(plot(runs, kernel))
    return 0


if __name__ == '__main__':
    sys.exit(main())
