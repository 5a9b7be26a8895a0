"""Charts drawn on the server as inline SVG (no JavaScript). Each is an image with a text
alternative (role="img", <title>, aria-labelledby); pages also show the numbers as a table."""
from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 40, 40, 16
COLOURS = ("#1d5b8f", "#b3432f")  # contrast ≥ 4.5:1 on white


def bar_chart(chart_id: str, title: str, labels: list, series: list[tuple[str, list]],
              max_value=None) -> Markup:
    """Grouped bars: ``series`` is [(name, values)], one value per label."""
    n, groups = max(len(labels), 1), max(len(series), 1)
    top = max_value or max([v for _name, values in series for v in values] + [1])
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / n
    bar_w = max(slot * 0.8 / groups, 1)
    parts = [f'<svg id="{escape(chart_id)}" class="chart" role="img" '
             f'aria-labelledby="{escape(chart_id)}-title" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
             f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 8}" '
             f'y2="{PAD_TOP + plot_h}" stroke="#333"/>',
             f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end" '
             f'font-size="11">{escape(top)}</text>',
             f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + plot_h}" text-anchor="end" '
             f'font-size="11">0</text>']
    step = max(1, n // 10)
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * slot + slot * 0.1
        for g, (name, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / top if top else 0
            parts.append(f'<rect x="{x0 + g * bar_w:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                         f'width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[g % len(COLOURS)]}"><title>{escape(label)}, '
                         f'{escape(name)}: {escape(value)}</title></rect>')
        if i % step == 0:
            parts.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" '
                         f'text-anchor="middle" font-size="11">{escape(label)}</text>')
    for g, (name, _values) in enumerate(series):
        parts.append(f'<rect x="{PAD_LEFT + g * 150}" y="{HEIGHT - 14}" width="10" '
                     f'height="10" fill="{COLOURS[g % len(COLOURS)]}"/>'
                     f'<text x="{PAD_LEFT + g * 150 + 14}" y="{HEIGHT - 5}" '
                     f'font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    # Bandit B704 (Markup on untrusted data): every interpolated text above went through
    # escape(); the rest are formatted numbers and constants.
    return Markup("".join(parts))  # nosec B704
