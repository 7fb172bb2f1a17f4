"""What the workshop screens print: the facilitator's room view and the phones' room block.

`room_view` reads a round's votes and computes, with the scoring core, everything the
projector shows once the votes are revealed:

- the group's weights by mean, geometric mean and median, with each criterion's spread
  (`scoring.weights.aggregate_group`) and a disagreement level (`scoring.consensus`);
- Goepel's consensus indicator (`scoring.consensus.consensus`);
- the group ranking with actions: the analysis (`app.services.analysis.run_analysis`, preview
  level of detail, the workshop's method and options) under the chosen aggregate;
- each participant's own top choices and the robust core: the same analysis run under every
  participant's own weights (and every stakeholder group's aggregate), on the same prepared
  basis, and `scoring.consensus.robust_core` of their advice.

Analyses are memoised with the workspace's prepared inputs, keyed by the weights, so a new
submission costs one analysis (the submitter's) plus the group's, not one per participant.
Before the votes are revealed the view holds only who has submitted.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from markupsafe import Markup, escape
from sqlmodel import Session

from app import framework_text
from app.i18n import current_locale, format_share, use_locale
from app.i18n import gettext as _
from app.models import Workshop, WorkshopParticipant, WorkshopRound, Workspace
from app.services import analysis as an
from app.services import workshop as wk
from app.services.ui import METHOD_LABELS, action_label, as_points
from criteria.errors import CriteriaError
from scoring.analysis import ACTION_ORDER
from scoring.consensus import Consensus, consensus_table, disagreement, robust_core
from scoring.weights import GroupWeights, aggregate_table, group_table

TOP_CHOICES = 3
RANKING_ROWS = 12
HEAT_STEPS = 6
_ADVICE_MEMO = 4096
_memo_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Advice:
    """The preview analysis under one set of weights, aligned with the matrix alternatives."""

    alternatives: tuple[str, ...]
    order: tuple[int, ...]  # positions best first
    ranks: tuple[int, ...]  # 0: not ranked
    values: tuple[float, ...]
    actions: tuple[str, ...]

    def top(self, count: int) -> tuple[str, ...]:
        """The ids of the first ``count`` ranked networks."""
        return tuple(self.alternatives[i] for i in self.order if self.ranks[i])[:count]

    def by_network(self) -> dict[str, str]:
        return dict(zip(self.alternatives, self.actions, strict=True))


def advice(
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    prepared: an.PreparedInputs,
    weights: Mapping[str, float],
    *,
    setting: str | None = None,
) -> Advice:
    """`run_analysis` (preview) under ``weights``, memoised with the prepared inputs.

    ``setting`` is `analysis_setting` of the workshop, when the caller has it already.
    """
    keys = prepared.framework.keys
    point_key = tuple(round(float(weights.get(k, 0.0)), 9) for k in keys)
    key = (setting or analysis_setting(workshop), point_key)
    with _memo_lock:
        memo: OrderedDict[Any, Advice] = prepared.memo.setdefault("workshop-advice", OrderedDict())
        found = memo.get(key)
        if found is not None:
            memo.move_to_end(key)
            return found
    ctx = an.run_analysis(
        session,
        workspace,
        weights=dict(zip(keys, point_key, strict=True)),
        method=workshop.method,
        options=workshop.options,
        detail="preview",
        prepared=prepared,
    )
    ranking = ctx.analysis.ranking
    codes = [str(a) for a in ACTION_ORDER]
    result = Advice(
        alternatives=ctx.analysis.matrix.alternatives,
        order=tuple(ranking.order.tolist()),
        ranks=tuple(ranking.ranks.tolist()),
        values=tuple(ranking.values.tolist()),
        actions=tuple(codes[c] for c in ranking.action_codes.tolist()),
    )
    with _memo_lock:
        memo[key] = result
        while len(memo) > _ADVICE_MEMO:
            memo.popitem(last=False)
    return result


def analysis_setting(workshop: Workshop) -> str:
    """The method and options the workshop's analyses run with, as a memo key."""
    return f"{workshop.method}|{sorted(workshop.options.items())!r}"


@functools.cache
def _percent_affixes(locale: str) -> tuple[str, str]:
    """What the locale writes around a whole percentage ("50%", "50 %")."""
    with use_locale(locale):
        text = format_share(0.5)
    at = text.index("50")
    return text[:at], text[at + 2 :]


def percent(share: float, affixes: tuple[str, str]) -> str:
    """A share as a whole percentage, fast (the disagreement map prints thousands).

    >>> percent(0.456, ("", "%")), percent(0.125, ("", "\u00a0%"))
    ('46%', '12\xa0%')
    """
    return f"{affixes[0]}{round(share * 100)}{affixes[1]}"


@dataclass(frozen=True, slots=True)
class CriterionRow:
    key: str
    title: str
    mean: float  # shares 0-1
    geometric: float | None
    median: float | None
    chosen: float  # the aggregate the workshop uses
    std: float
    iqr: float
    low: float
    high: float
    level: str  # disagreement: low | medium | high


@dataclass(frozen=True, slots=True)
class VoterRow:
    name: str
    group: str | None
    shares: tuple[float, ...]  # per criterion, in criterion order
    heat: tuple[int, ...]  # 0..HEAT_STEPS-1 per criterion, for the disagreement map
    top: tuple[str, ...]  # short names of their top choices
    count: int


@dataclass(frozen=True, slots=True)
class RankRow:
    network_id: str
    short: str
    rank: int | None
    action: str
    action_label: str
    value: float


@dataclass(frozen=True, slots=True)
class SplitRow:
    network_id: str
    short: str
    counts: tuple[tuple[str, str, int], ...]  # (action, label, voters)


@dataclass(frozen=True, slots=True)
class CoreView:
    """The robust core among some voters (participants, or stakeholder groups)."""

    voters: int
    unanimous: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # action, label, nets
    split: tuple[SplitRow, ...]


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    name: str
    group: str | None
    submitted: bool
    count: int


@dataclass(frozen=True)
class RoomView:
    """Everything the facilitator's live block prints (and the JSON API returns)."""

    workshop: Workshop
    round: WorkshopRound
    rounds: int
    seq: int
    participants: tuple[ParticipantRow, ...]
    submissions: int
    revealed: bool
    aggregation: str
    method_label: str
    criteria: tuple[CriterionRow, ...] = ()
    consensus: Consensus | None = None
    ranking: tuple[RankRow, ...] = ()
    voters: tuple[VoterRow, ...] = ()
    core: CoreView | None = None
    group_core: CoreView | None = None
    chosen_points: dict[str, float] = field(default_factory=dict)
    heat_html: Markup = field(default_factory=Markup)
    message: str = ""

    @property
    def submitted(self) -> int:
        return sum(1 for p in self.participants if p.submitted)


def _aggregate(
    names: Sequence[str], table: npt.NDArray[np.float64], how: str
) -> GroupWeights | None:
    try:
        return aggregate_table(names, table, how)  # type: ignore[arg-type]
    except CriteriaError:  # e.g. a median of zeros
        return None


def _core(
    by_voter: Mapping[str, Advice], networks: Sequence[str], shorts: Mapping[str, str]
) -> CoreView:
    core = robust_core({v: a.by_network() for v, a in by_voter.items()}, networks)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for network, action in core.unanimous.items():
        grouped.setdefault(action, []).append((network, shorts[network]))
    order = [str(a) for a in ACTION_ORDER]
    return CoreView(
        voters=core.voters,
        unanimous=tuple(
            (action, action_label(action), tuple(grouped[action]))
            for action in order
            if action in grouped
        ),
        split=tuple(
            SplitRow(
                network,
                shorts[network],
                tuple((action, action_label(action), n) for action, n in counts),
            )
            for network, counts in core.split.items()
        ),
    )


def room_view(
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    *,
    round_number: int | None = None,
    hidden: bool = False,
) -> RoomView:
    """The live state of a workshop's round (default: the newest). The votes are computed
    only once revealed, or with ``hidden`` (freezing a round the room has not seen)."""
    rounds = wk.rounds_of(session, workshop)
    round_ = next((r for r in rounds if r.number == round_number), rounds[-1])
    people = wk.participants_of(session, workshop)
    votes = wk.votes(session, round_, people)
    voted = {v.participant_id: v.count for v in votes}
    base = RoomView(
        workshop=workshop,
        round=round_,
        rounds=len(rounds),
        seq=workshop.seq,
        participants=tuple(
            ParticipantRow(
                p.display_name, p.stakeholder_group, (p.id or 0) in voted, voted.get(p.id or 0, 0)
            )
            for p in people
        ),
        submissions=wk.submission_count(session, round_),
        revealed=round_.revealed,
        aggregation=workshop.aggregation,
        method_label=METHOD_LABELS.get(workshop.method, workshop.method),
    )
    if not (round_.revealed or hidden) or not votes:
        return base
    prepared = an.prepared_inputs(session, workspace)
    framework = prepared.framework
    keys = wk.criteria_of(workshop, framework.keys)
    titles = framework_text.titles(framework)
    sets = [{k: float(v.weights.get(k, 0.0)) for k in keys} for v in votes]
    usable = [(v, s) for v, s in zip(votes, sets, strict=True) if any(x > 0 for x in s.values())]
    if not usable:
        return base
    votes = [v for v, _s in usable]
    sets = [s for _v, s in usable]
    names, table = group_table(sets)  # checked and normalised once for every measure
    groups = {how: _aggregate(names, table, how) for how in wk.AGGREGATIONS}
    mean = groups["mean"]
    assert mean is not None  # every set has a positive weight
    chosen = groups.get(workshop.aggregation) or mean
    levels = disagreement(mean)
    criteria = tuple(
        CriterionRow(
            key=k,
            title=titles[k],
            mean=mean.weights[k],
            geometric=None if groups["geometric"] is None else groups["geometric"].weights[k],
            median=None if groups["median"] is None else groups["median"].weights[k],
            chosen=chosen.weights[k],
            std=mean.dispersion[k].std,
            iqr=mean.dispersion[k].iqr,
            low=mean.dispersion[k].min,
            high=mean.dispersion[k].max,
            level=levels[k],
        )
        for k in keys
    )
    shorts = {
        i: prepared.networks[i].acronym or prepared.networks[i].name for i in prepared.networks
    }
    setting = analysis_setting(workshop)
    try:
        mine = {
            v.participant_id: advice(session, workspace, workshop, prepared, s, setting=setting)
            for v, s in zip(votes, sets, strict=True)
        }
        group_points = as_points(chosen.weights)
        overall = advice(session, workspace, workshop, prepared, group_points, setting=setting)
    except CriteriaError as exc:
        return replace(base, criteria=criteria, message=str(exc))
    shares = [tuple(row) for row in table.tolist()]
    voters = tuple(
        VoterRow(
            v.name,
            v.group,
            share,
            tuple(min(HEAT_STEPS - 1, int(x * HEAT_STEPS * 2)) for x in share),
            tuple(shorts[n] for n in mine[v.participant_id].top(TOP_CHOICES)),
            v.count,
        )
        for v, share in zip(votes, shares, strict=True)
    )
    ranking = tuple(
        RankRow(
            overall.alternatives[i],
            shorts[overall.alternatives[i]],
            overall.ranks[i] or None,
            overall.actions[i],
            action_label(overall.actions[i]),
            overall.values[i],
        )
        for i in overall.order[:RANKING_ROWS]
    )
    networks = [overall.alternatives[i] for i in overall.order]
    core = _core({str(v.participant_id): mine[v.participant_id] for v in votes}, networks, shorts)
    group_core = None
    by_group: dict[str, list[int]] = {}
    for row, v in enumerate(votes):
        if v.group:
            by_group.setdefault(v.group, []).append(row)
    if len(by_group) >= 2:
        group_advice = {}
        for name, rows in by_group.items():
            members = table[rows]
            aggregate = _aggregate(names, members, workshop.aggregation) or _aggregate(
                names, members, "mean"
            )
            assert aggregate is not None
            group_advice[name] = advice(
                session,
                workspace,
                workshop,
                prepared,
                as_points(aggregate.weights),
                setting=setting,
            )
        group_core = _core(group_advice, networks, shorts)
    return replace(
        base,
        criteria=criteria,
        consensus=consensus_table(table),
        ranking=ranking,
        voters=voters,
        core=core,
        group_core=group_core,
        chosen_points=group_points,
        heat_html=heat_rows(voters),
    )


def heat_rows(voters: Sequence[VoterRow]) -> Markup:
    """The disagreement map's table rows (one per participant), assembled here: a room of
    200 has thousands of cells, too many to loop over in a template on every event."""
    affixes = _percent_affixes(current_locale())
    rows = []
    for voter in voters:
        group = f' <span class="muted small">({escape(voter.group)})</span>' if voter.group else ""
        cells = "".join(
            f'<td class="heat-{step}">{percent(share, affixes)}</td>'
            for share, step in zip(voter.shares, voter.heat, strict=True)
        )
        rows.append(f'<tr><th scope="row">{escape(voter.name)}{group}</th>{cells}</tr>')
    return Markup("\n".join(rows))


def _shares(points: Mapping[str, float], keys: Sequence[str]) -> tuple[float, ...]:
    total = sum(points.values()) or 1.0
    return tuple(points.get(k, 0.0) / total for k in keys)


def room_dict(view: RoomView) -> dict[str, Any]:
    """The room view as JSON (the API; shares are 0-1, values 0-1)."""
    revealed = view.revealed
    return {
        "workshop_id": view.workshop.id,
        "title": view.workshop.title,
        "status": view.workshop.status,
        "seq": view.seq,
        "round": view.round.number,
        "round_status": view.round.status,
        "rounds": view.rounds,
        "revealed": revealed,
        "aggregation": view.aggregation,
        "participants": len(view.participants),
        "submitted": view.submitted,
        "submissions": view.submissions,
        "weights": None
        if not revealed or not view.criteria
        else {
            c.key: {
                "mean": c.mean,
                "geometric": c.geometric,
                "median": c.median,
                "chosen": c.chosen,
                "std": c.std,
                "iqr": c.iqr,
                "min": c.low,
                "max": c.high,
                "disagreement": c.level,
            }
            for c in view.criteria
        },
        "consensus": None
        if view.consensus is None
        else {
            "index": view.consensus.index,
            "homogeneity": view.consensus.homogeneity,
            "word": view.consensus.word,
            "method": "Goepel (AHP-OS) Shannon-entropy consensus S*",
        },
        "ranking": [
            {"network_id": r.network_id, "rank": r.rank, "action": r.action, "value": r.value}
            for r in view.ranking
        ],
        "robust_core": None
        if view.core is None
        else {
            "voters": view.core.voters,
            "unanimous": {
                network: action
                for action, _label, networks in view.core.unanimous
                for network, _short in networks
            },
            "split": {
                row.network_id: {action: n for action, _label, n in row.counts}
                for row in view.core.split
            },
        },
        "participants_top": [
            {"name": v.name, "group": v.group, "top": list(v.top)} for v in view.voters
        ],
        "message": view.message,
    }


PHONE_VOTER_COLUMNS = 30
"""Up to this many participants, the phones show everyone's weights side by side; beyond,
the room's weights with their lowest and highest shares."""


@dataclass(frozen=True)
class PhoneRoom:
    """The phones' shared block: the round, and once revealed, the room's weights."""

    workshop: Workshop
    round: WorkshopRound
    seq: int
    participants: int
    submitted: int
    revealed: bool
    titles: tuple[str, ...] = ()
    group: tuple[float, ...] = ()
    low: tuple[float, ...] = ()
    high: tuple[float, ...] = ()
    voters: tuple[tuple[str, tuple[float, ...]], ...] = ()
    consensus: Consensus | None = None


def phone_room(session: Session, workspace: Workspace, workshop: Workshop) -> PhoneRoom:
    """The block every phone of the workshop shows under its own weights."""
    round_ = wk.current_round(session, workshop)
    people: list[WorkshopParticipant] = wk.participants_of(session, workshop)
    votes = wk.votes(session, round_, people)
    base = PhoneRoom(workshop, round_, workshop.seq, len(people), len(votes), round_.revealed)
    if not round_.revealed or not votes:
        return base
    framework = an.prepared_inputs(session, workspace).framework
    keys = wk.criteria_of(workshop, framework.keys)
    titles = framework_text.titles(framework)
    sets = [{k: float(v.weights.get(k, 0.0)) for k in keys} for v in votes]
    kept = [(v, s) for v, s in zip(votes, sets, strict=True) if any(x > 0 for x in s.values())]
    if not kept:
        return base
    names, table = group_table([s for _v, s in kept])
    chosen = _aggregate(names, table, workshop.aggregation) or _aggregate(names, table, "mean")
    assert chosen is not None
    voters: tuple[tuple[str, tuple[float, ...]], ...] = ()
    if len(kept) <= PHONE_VOTER_COLUMNS:
        voters = tuple(
            (v.name, tuple(row)) for (v, _s), row in zip(kept, table.tolist(), strict=True)
        )
    return PhoneRoom(
        workshop,
        round_,
        workshop.seq,
        len(people),
        len(votes),
        True,
        titles=tuple(titles[k] for k in keys),
        group=tuple(chosen.weights[k] for k in keys),
        low=tuple(table.min(axis=0).tolist()),
        high=tuple(table.max(axis=0).tolist()),
        voters=voters,
        consensus=consensus_table(table),
    )


def explain_consensus(value: Consensus) -> str:
    """One sentence for the room."""
    words = {
        "very low": _("very low"),
        "low": _("low"),
        "moderate": _("moderate"),
        "high": _("high"),
        "very high": _("very high"),
    }
    return _(
        "Consensus %(percent)s (%(word)s): how alike the %(n)s participants' weights are, "
        "from 0 (as different as possible) to 100%% (identical).",
        percent=format_share(value.index),
        word=words[value.word],
        n=value.participants,
    )
