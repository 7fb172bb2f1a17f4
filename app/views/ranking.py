"""The live ranking table (priorities page, workshop phones): rows as ready-made HTML.

The slider preview re-renders up to a few hundred rows on every move. Looping over them in
Jinja costs several milliseconds (an attribute lookup and an escape per cell), so the rows
are assembled here from pieces that do not change between moves (each network's link, short
name and status, escaped once per workspace data revision and memoised with its prepared
inputs) and the four that do (rank, action, value, bar width). The markup is exactly what
the template printed before::

    <tr data-network="ID"><td class="rank">RANK</td><th scope="row"><a href="BASE/ID">SHORT</a>
    <span class="muted small">STATUS</span></th><td><span class="badge badge-ACTION">LABEL</span>
    </td><td><span class="value-bar"><svg ...><rect class="track" .../><rect class="fill"
    width="WIDTH" height="10"/></svg><span class="value-bar-number">VALUE</span></span></td></tr>
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape

from app.services import analysis as an
from app.services.ui import action_label
from scoring.analysis import ACTION_ORDER

NO_RANK = "\u2013"  # an en dash: a network without enough scores to be ranked
_BAR = (
    '<td><span class="value-bar"><svg class="value-bar-track" viewBox="0 0 100 10" '
    'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
    '<rect class="track" width="100" height="10"/><rect class="fill" width="'
)


@dataclass(frozen=True, slots=True)
class RankingRows:
    """The table body of a ranking and what its status line names."""

    html: Markup
    first: str | None  # short name of the first network
    count: int


def _name(network_id: str, short: str, link_base: str | None) -> str:
    if link_base is None:
        return str(escape(short))
    return f'<a href="{escape(link_base)}{escape(network_id)}">{escape(short)}</a>'


def _static(ctx: an.AnalysisContext, link_base: str | None) -> tuple[tuple[str, str, str], ...]:
    """Per alternative: the row start up to the rank, the name cell (both escaped), and the
    short name."""
    alternatives = ctx.analysis.matrix.alternatives
    key = ("ranking-html", alternatives, link_base)
    memo = ctx.prepared.memo if ctx.prepared is not None else {}
    found = memo.get(key)
    if found is None:
        if ctx.prepared is not None:
            static = ctx.prepared.rows(alternatives)
        else:
            static = tuple(
                (i, ctx.networks[i].acronym or ctx.networks[i].name, ctx.memberships[i].status)
                for i in alternatives
            )
        found = tuple(
            (
                f'<tr data-network="{escape(i)}"><td class="rank">',
                f'</td><th scope="row">{_name(i, short, link_base)}'
                f' <span class="muted small">{escape(status)}</span></th>'
                '<td><span class="badge badge-',
                short,
            )
            for i, short, status in static
        )
        memo[key] = found
    return found


def ranking_rows(ctx: an.AnalysisContext, link_base: str | None) -> RankingRows:
    """The networks best first as table rows; ``link_base`` + id links each network (None:
    names without links, for readers who cannot open the network pages)."""
    ranking = ctx.analysis.ranking
    static = _static(ctx, link_base)
    codes = [str(a) for a in ACTION_ORDER]
    badges = [f'{code}">{escape(action_label(code))}</span></td>' for code in codes]
    order = ranking.order.tolist()
    values = ranking.values[order]
    texts = [f"{v:.2f}" for v in values.tolist()]
    widths = [f"{w:.1f}" for w in (np.clip(values, 0.0, 1.0) * 100).tolist()]
    parts = [
        f'{static[i][0]}{rank or NO_RANK}{static[i][1]}{badges[code]}{_BAR}{width}" height="10"/>'
        f'</svg><span class="value-bar-number">{text}</span></span></td></tr>'
        for i, code, rank, text, width in zip(
            order,
            ranking.action_codes[order].tolist(),
            ranking.ranks[order].tolist(),
            texts,
            widths,
            strict=True,
        )
    ]
    first = static[order[0]][2] if order else None
    return RankingRows(Markup("\n".join(parts)), first, len(parts))
