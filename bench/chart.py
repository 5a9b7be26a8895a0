"""A plain SVG bar chart of the bench table: each ratio against its target."""
from html import escape


def svg(rows) -> str:
    rows = [r for r in rows if r["ratio"] is not None]
    width, bar_h, left, scale_w = 900, 18, 330, 520
    top = max([r["ratio"] for r in rows] + [r["target"] or 0 for r in rows] + [1])
    height = 40 + len(rows) * (bar_h + 6)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           '<title>Benchmark ratios to their ceilings</title>',
           f'<text x="{left}" y="16">ratio to the ceiling (scale 0–{top:.2f}×); '
           'line: target</text>']
    for i, r in enumerate(rows):
        y = 28 + i * (bar_h + 6)
        w = scale_w * r["ratio"] / top
        colour = {True: "#2e7d32", False: "#c62828", None: "#757575"}[r["met"]]
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">'
                   f'{escape(r["figure"])}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{r["ratio"]:.3f}×</text>')
        if r["target"] is not None:
            x = left + scale_w * r["target"] / top
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" '
                       'stroke="black" stroke-width="2"/>')
    out.append("</svg>")
    return "\n".join(out)
