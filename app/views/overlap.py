"""The overlap page: the heatmap and the most overlapping pairs, with what they share and the
functions the city needs that both serve, in the reader's language. The route calls `build`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import charts
from app.i18n import current_locale, format_share
from app.i18n import gettext as _
from app.models import Workspace
from app.services import analysis as an
from app.services import ui
from app.views import advice
from scoring.analysis import OVERLAP_FLOOR
from scoring.functions import MAINLY, FunctionOverlap, function_overlap
from scoring.overlap import shared_items


@dataclass(frozen=True)
class OverlapPair:
    a: str
    b: str
    overlap: float
    shared_themes: list[str]
    shared_services: list[str]
    functions: str = ""  # "both mainly serve ... for the city", from the needed functions
    penalty: float = 0.0  # what the overlap costs the weaker of the two when both are kept


def function_phrase(key: str) -> str:
    """A network function as a phrase inside a sentence, in the current locale."""
    return {
        "sharing_information": _("information sharing"),
        "showcasing": _("showcasing"),
        "story_telling": _("story-telling"),
        "shaming": _("shaming governments"),
        "seeking_support": _("seeking international support"),
        "standard_setting": _("standard-setting"),
        "advocacy": _("advocacy"),
        "funding_access": _("access to funding"),
        "technical_assistance": _("technical assistance"),
        "data_reporting": _("data and reporting"),
        "training": _("training"),
    }.get(key, key)


def function_sentence(both: FunctionOverlap, a: str, b: str) -> str:
    """`scoring.functions.function_overlap`'s sentence in the current locale (English: the
    core's own words)."""
    if current_locale() == "en":
        return both.explanation
    return shared_functions_sentence(both, a, b)


def shared_functions_sentence(both: FunctionOverlap, a: str, b: str) -> str:
    """Two networks (named ``a`` and ``b``) serving the same needed functions, in the current
    locale; ``both.shared`` is not empty."""
    functions = advice.join_list([function_phrase(k) for k in both.shared])
    if both.share >= MAINLY:
        return _(
            "%(a)s and %(b)s both mainly serve %(functions)s for the city (%(share)s of the "
            "needed function weight either one serves).",
            a=a,
            b=b,
            functions=functions,
            share=format_share(both.share),
        )
    return _(
        "%(a)s and %(b)s both serve %(functions)s for the city, but each also serves needed "
        "functions the other does not (%(share)s in common).",
        a=a,
        b=b,
        functions=functions,
        share=format_share(both.share),
    )


def overlap_view(ctx: an.AnalysisContext) -> dict[str, Any]:
    """The overlap heatmap and the most overlapping pairs with what they share."""
    a = ctx.analysis
    ids = list(a.overlap_ids)
    names = [ctx.networks[i].acronym or ctx.networks[i].name for i in ids]
    needs = ctx.prepared.function_needs if ctx.prepared is not None else None
    served = {n.id: n.functions for n in ctx.prepared.inputs} if ctx.prepared is not None else {}
    penalty, floor = a.settings.overlap_penalty, OVERLAP_FLOOR
    pairs = []
    for i, x in enumerate(ids):
        for j in range(i + 1, len(ids)):
            y = ids[j]
            value = float(a.overlap[i, j])
            if value <= 0:
                continue
            nx, ny = ctx.networks[x], ctx.networks[y]
            shared = shared_items(
                set(nx.themes), set(ny.themes), set(nx.services), set(ny.services)
            )
            functions = ""
            if needs and ctx.prepared is not None:
                both = function_overlap(
                    needs, (x, served[x]), (y, served[y]), names={x: names[i], y: names[j]}
                )
                functions = function_sentence(both, names[i], names[j]) if both.shared else ""
            pairs.append(
                OverlapPair(
                    names[i],
                    names[j],
                    value,
                    list(shared.themes),
                    list(shared.services),
                    functions,
                    value * penalty if value >= floor else 0.0,
                )
            )
    pairs.sort(key=lambda p: (-p.overlap, p.a, p.b))
    return {
        "heatmap": charts.overlap_heatmap(names, [list(row) for row in a.overlap]),
        "pairs": pairs[:15],
        "count": len(ids),
    }


def build(session: Session, workspace: Workspace, scenario_id: int | None) -> dict[str, Any]:
    settings = ui.resolve_settings(session, workspace, scenario_id)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=0
    )
    return {"workspace": workspace, "nav_active": "overlap", "view": overlap_view(ctx)}
