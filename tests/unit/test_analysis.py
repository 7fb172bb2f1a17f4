"""End-to-end tests for scoring.analysis.analyse on a small problem worked out by hand."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from criteria.errors import CriteriaError
from scoring.analysis import CriterionInput, NetworkInput, Problem, analyse
from scoring.methods import Method
from scoring.portfolio import NO_BUDGET_STATUS
from scoring.recommend import Action
from scoring.settings import DecisionSettings

TODAY = date(2026, 3, 1)

CRITERIA = (
    CriterionInput("agenda", "Relevant agenda"),
    CriterionInput("leadership", "Political leadership"),
    CriterionInput("annual_fee", "Annual fee", "cost", "fact"),
    CriterionInput("staff_time", "Staff time", "cost", "fact"),
)
# Points 40/20/20/20 -> weights 0.4, 0.2, 0.2, 0.2.
WEIGHTS = {"agenda": 40, "leadership": 20, "annual_fee": 20, "staff_time": 20}

NETWORKS = (
    NetworkInput(
        "A", "Alpha", "member", fee=4_000_000, hours=100, engagement="passive",
        themes=frozenset({"climate"}), services=frozenset({"advocacy"}),
    ),
    NetworkInput(
        "B", "Beta", "member", fee=2_000_000, hours=200, engagement="active",
        renewal_date=date(2026, 12, 31), notice_days=183,
        themes=frozenset({"culture"}), services=frozenset({"showcasing"}),
    ),
    NetworkInput(
        "C", "Gamma", "candidate", fee=0, hours=50,
        themes=frozenset({"mobility"}), services=frozenset({"technical assistance"}),
    ),
    NetworkInput(
        "D", "Delta", "candidate", fee=2_000_000, hours=100,
        themes=frozenset({"health"}), services=frozenset({"data/reporting"}),
    ),
    NetworkInput(
        "E", "Epsilon", "candidate", fee=0, hours=0, eligible=False,
        eligibility_reasons=("open to capital cities only",),
        themes=frozenset({"peace"}), services=frozenset({"funding access"}),
    ),
    NetworkInput("F", "Former", "former", fee=100, hours=10),
)  # fmt: skip
SCORES = {
    "A": {"agenda": 5, "leadership": 4},
    "B": {"agenda": 2, "leadership": 2},
    "C": {"agenda": 4, "leadership": 5},
    "D": {"agenda": 3, "leadership": None},
    "E": {"agenda": 5, "leadership": 5},
    "F": {"agenda": 1, "leadership": 1},
}


SETTINGS = DecisionSettings(fee_reference=4_000_000, hours_reference=200)
"""Cost references 40,000.00 a year and 200 hours: zero is best, these levels are worst."""


def problem(**changes: object) -> Problem:
    base = Problem(
        NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, settings=SETTINGS, samples=500, seed=7
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_end_to_end_by_hand() -> None:
    # Value functions: scores 1-5 -> 0-1; fee 0 (best) to 40,000.00 (worst); hours 0 to 200.
    # Utilities (agenda, leadership, fee, hours) and value = 0.4 a + 0.2 l + 0.2 f + 0.2 h:
    #   A: 1.00, 0.75, 0.0, 0.50 -> 0.40 + 0.15 + 0.00 + 0.10 = 0.65
    #   B: 0.25, 0.25, 0.5, 0.00 -> 0.10 + 0.05 + 0.10 + 0.00 = 0.25
    #   C: 0.75, 1.00, 1.0, 0.75 -> 0.30 + 0.20 + 0.20 + 0.15 = 0.85
    #   D: 0.50, (missing: midpoint 0.5), 0.5, 0.50 -> 0.20 + 0.10 + 0.10 + 0.10 = 0.50
    #   E: 1.00, 1.00, 1.0, 1.00 -> 1.00
    # Evidence: the assessed criteria weigh 0.6; D has a score on agenda only: 0.4 / 0.6 = 67%,
    # below the 70% threshold: D is not ranked and gets ASSESS FIRST.
    # Ranking of the others: E 1, C 2, A 3, B 4. F is a former membership: not analysed.
    # No budget, bars join 0.60 / leave 0.45, joining costs 0.02:
    #   E not eligible; C 0.85 clears 0.60 by 0.25 > 0.02: JOIN; A 0.65 >= 0.45 STAY (passive,
    #   >= 0.60: re-engage); B 0.25 < 0.45 LEAVE, notice 183 days before 31 Dec 2026 = 1 Jul.
    result = analyse(problem())
    assert result.matrix.alternatives == ("A", "B", "C", "D", "E")
    assert result.excluded == ("F",)
    assert result.weights == pytest.approx(
        {"agenda": 0.4, "leadership": 0.2, "annual_fee": 0.2, "staff_time": 0.2}
    )
    assert result.values == pytest.approx({"A": 0.65, "B": 0.25, "C": 0.85, "D": 0.5, "E": 1.0})
    assert result.coverage["D"] == pytest.approx(2 / 3)
    recs = result.recommendations
    assert [(r.network, r.rank, r.action) for r in recs] == [
        ("E", 1, Action.NOT_ELIGIBLE),
        ("C", 2, Action.JOIN),
        ("A", 3, Action.STAY),
        ("B", 4, Action.LEAVE),
        ("D", None, Action.ASSESS_FIRST),
    ]
    by_id = {r.network: r for r in recs}
    assert [f.code for f in by_id["A"].flags] == ["re-engage"]
    assert [f.code for f in by_id["D"].flags] == ["missing-scores"]
    assert by_id["E"].flags == ()
    assert by_id["B"].notice_by == date(2026, 7, 1)
    assert by_id["B"].explanation == "Value 0.25 is below the leave bar (0.45)."
    assert by_id["C"].explanation == (
        "Value 0.85 clears the join bar (0.60) by 0.25, more than the cost of joining (0.02)."
    )
    assert "capital cities" in by_id["E"].explanation
    assert by_id["D"].explanation.startswith("Only 67% of the weight of the assessed criteria")
    # A against a middling network (utility 0.5 everywhere): agenda +0.5 x 0.4 = +0.20,
    # leadership +0.25 x 0.2 = +0.05, hours 0; its fee (utility 0) is its weakness: -0.10.
    assert [r.criterion for r in by_id["A"].strengths] == ["agenda", "leadership"]
    assert by_id["A"].strengths[0].versus_average == pytest.approx(0.2)
    assert [r.criterion for r in by_id["A"].weaknesses] == ["annual_fee"]
    assert by_id["A"].weaknesses[0].versus_average == pytest.approx(-0.1)
    # 40,000.00 a year for 65 value points.
    assert by_id["A"].cost_per_value_point == pytest.approx(40_000 / 65)
    assert by_id["C"].cost_per_value_point == 0.0

    assert result.portfolio.selected == {"A", "C"}
    assert result.portfolio.status == NO_BUDGET_STATUS
    assert result.budget_use.fee_current == 6_000_000
    assert result.budget_use.fee_selected == 4_000_000
    assert result.budget_use.hours_selected == 150.0
    assert any("former" in w for w in result.warnings)
    assert result.summary.sentence("EUR") == (
        "Keep 1, leave 1 (saves EUR 20,000 and 200 h a year), join 1 (costs EUR 0 and 50 h a "
        "year); assess 1 candidate before deciding."
    )
    assert result.settings is SETTINGS
    assert result.today == TODAY
    assert [f.describe() for f in result.value_functions][2] == (
        "Annual fee: from EUR 40,000 a year or more (worst, value 0) to EUR 0 (best, value 1)."
    )

    robustness = result.robustness
    assert robustness is not None
    assert robustness.samples == 500
    assert robustness.alternatives == ("A", "B", "C", "E")  # the ranked networks
    assert robustness.rank_acceptability.shape == (4, 4)
    np.testing.assert_allclose(robustness.rank_acceptability.sum(axis=1), 1.0)
    # C (0.85 vs its 0.62 effective bar) and B (0.25 vs 0.45) are far from their bars.
    assert (by_id["C"].action_stability or 0.0) > 0.95
    assert (by_id["B"].action_stability or 0.0) > 0.95
    assert by_id["E"].action_stability is None  # eligibility decides, not the weights
    assert by_id["D"].action_stability is None  # not assessed enough to sample
    assert by_id["C"].robustness_sentence.startswith("Stable: the advice holds in")
    assert by_id["C"].robustness_level == "stable"

    assert len(result.method_agreement) == 15  # every pair of the 6 methods
    assert result.method_agreement[(Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT)] == (
        pytest.approx(1.0)  # the same order on this small example
    )
    assert [s.criterion for s in result.stability] == list(result.matrix.criteria)
    assert all(s.target == "E" for s in result.stability)
    assert len(result.stability_sentences) == 4
    assert result.overlap_ids == ("A", "B", "C", "D", "E")
    np.testing.assert_array_equal(result.overlap, 0.0)  # no shared themes
    assert result.recommendation("B").action is Action.LEAVE


def test_values_use_fixed_reference_levels_not_the_list() -> None:
    # Dropping the dearest network (A, 40,000.00) does not change anybody else's value.
    alone = analyse(
        problem(networks=NETWORKS[1:], scores={k: v for k, v in SCORES.items() if k != "A"})
    )
    full = analyse(problem())
    for network in ("B", "C", "D", "E"):
        assert alone.values[network] == pytest.approx(full.values[network])
    # A fee above the reference is simply worst (utility 0), it does not stretch the scale.
    dear = tuple(dataclasses.replace(n, fee=10_000_000) if n.id == "A" else n for n in NETWORKS)
    assert analyse(problem(networks=dear)).values["B"] == pytest.approx(full.values["B"])


def test_a_cost_without_a_reference_is_not_counted_and_says_so() -> None:
    result = analyse(problem(settings=DecisionSettings(hours_reference=200), samples=0))
    assert result.weights["annual_fee"] == 0.0
    assert result.weights["agenda"] == pytest.approx(0.5)
    assert any("'Annual fee' is not counted" in w for w in result.warnings)
    assert result.value_functions[2].kind == "unset"


def test_fee_budget_makes_the_portfolio_decide() -> None:
    # Budget 30,000.00: A (40,000.00) no longer fits, although 0.65 clears its 0.45 bar.
    # C (fee 0) still joins. A becomes LEAVE, explained by the budget with its figures, and its
    # sampled action stability is not reported (the budget, not the bar, decided).
    result = analyse(problem(fee_budget=3_000_000))
    a = result.recommendation("A")
    assert a.action is Action.LEAVE
    assert a.explanation == (
        "Value 0.65 clears the leave bar (0.45), but keeping it needs EUR 40,000 a year where "
        "the fee budget has EUR 30,000 left; leaving frees EUR 40,000 a year."
    )
    assert a.action_stability is None
    assert result.recommendation("C").action is Action.JOIN
    assert result.portfolio.selected == {"C"}
    assert result.portfolio.binding == ["fee"]
    assert result.budget_use.fee_budget == 3_000_000
    assert any("cost more than the fee budget" in w for w in result.warnings)


def test_a_budget_that_fits_everything_changes_nothing() -> None:
    free = analyse(problem(samples=0))
    roomy = analyse(problem(samples=0, fee_budget=10**12, hours_budget=10.0**9))
    assert [(r.network, r.action, r.explanation) for r in roomy.recommendations] == [
        (r.network, r.action, r.explanation) for r in free.recommendations
    ]


def test_locks_carry_through_and_infeasible_locks_raise() -> None:
    networks = tuple(dataclasses.replace(n, lock="keep") if n.id == "B" else n for n in NETWORKS)
    result = analyse(problem(networks=networks, samples=0))
    b = result.recommendation("B")
    assert b.action is Action.STAY
    assert "locked" in b.explanation
    assert result.robustness is None
    assert b.robustness_sentence == "Robustness was not computed for this analysis."
    with pytest.raises(CriteriaError, match="locked to keep"):
        analyse(problem(networks=networks, samples=0, fee_budget=1_000_000))


def test_a_keep_lock_cannot_join_an_unassessed_candidate() -> None:
    networks = tuple(dataclasses.replace(n, lock="keep") if n.id == "D" else n for n in NETWORKS)
    result = analyse(problem(networks=networks, samples=0))
    assert result.recommendation("D").action is Action.ASSESS_FIRST
    assert any("locked to join, but it has too few scores" in w for w in result.warnings)


def test_overlap_penalty_drops_a_duplicate_candidate() -> None:
    # D copies C's themes and services (overlap 1.0) and is now fully scored: value 0.60.
    # With the join bar at 0.5, D clears it by 0.10 (0.08 after the joining cost), but it
    # repeats C, a stronger network that joins, and the penalty 0.9 x 1.0 outweighs that.
    networks = tuple(
        dataclasses.replace(
            n, themes=frozenset({"mobility"}), services=frozenset({"technical assistance"})
        )
        if n.id == "D"
        else n
        for n in NETWORKS
    )
    scores = {**SCORES, "D": {"agenda": 3, "leadership": 5}}
    settings = dataclasses.replace(SETTINGS, join_bar=0.5, overlap_penalty=0.9)
    result = analyse(problem(networks=networks, scores=scores, settings=settings, samples=0))
    assert result.overlap[2, 3] == pytest.approx(1.0)
    why = result.portfolio.reasons["D"]
    assert (why.code, why.partner, why.penalty) == ("overlap", "C", pytest.approx(0.9))
    d = result.recommendation("D")
    assert d.action is Action.NOT_RECOMMENDED
    assert d.explanation == (
        "Value 0.60 clears the join bar (0.50), but it repeats much of Gamma (themes mobility; "
        "services technical assistance). Joining it is worth 0.08 (its margin over the bar less "
        "the cost of joining), less than the overlap penalty (0.90)."
    )


def test_other_methods_rank_but_the_value_decides() -> None:
    result = analyse(problem(method=Method.TOPSIS, samples=200))
    assert result.evaluation.method is Method.TOPSIS
    assert result.robustness is not None
    assert result.robustness.method is Method.TOPSIS
    # Values (and so actions) are still the additive values.
    assert result.values["A"] == pytest.approx(0.65)
    assert result.recommendation("C").action is Action.JOIN
    for rec in result.recommendations:
        if rec.rank is not None and rec.rank != rec.value_rank:
            assert rec.method_note.startswith("TOPSIS ranks it")


def test_assessors_who_disagree_widen_robustness_and_are_flagged() -> None:
    from scoring.evidence import AssessorScore, combine

    # B's leadership: one assessor says 1, another 5 (mean 3); or one low-confidence 3.
    disputed = combine([AssessorScore(1, "high"), AssessorScore(5, "high")])
    unsure = combine([AssessorScore(3, "low")])
    scores = {**SCORES, "B": {"agenda": 2, "leadership": 3}}
    runs = {}
    for name, cell in (("disputed", disputed), ("unsure", unsure)):
        runs[name] = analyse(problem(scores=scores, cells={"B": {"leadership": cell}}))
    b_disputed = runs["disputed"].recommendation("B")
    b_unsure = runs["unsure"].recommendation("B")
    assert b_disputed.value == pytest.approx(b_unsure.value)  # the same mean
    assert [f.code for f in b_disputed.flags if f.code == "disputed"] == ["disputed"]
    assert not any(f.code == "disputed" for f in b_unsure.flags)
    # The robustness run samples 1-5 for the dispute and 2-4 for the unsure score.
    from scoring.analysis import prepare

    j = CRITERIA.index(next(c for c in CRITERIA if c.key == "leadership"))
    i = 1  # B
    for cell, expected in ((disputed, (1.0, 5.0)), (unsure, (2.0, 4.0))):
        basis = prepare(problem(scores=scores, cells={"B": {"leadership": cell}}))
        assert (basis.low[i, j], basis.high[i, j]) == expected
    plain = prepare(problem(scores=scores))
    assert plain.low[i, j] == plain.high[i, j] == 3.0


def test_a_member_that_fails_a_condition_is_at_risk_with_its_notice_date() -> None:
    networks = tuple(
        dataclasses.replace(n, eligible=False, eligibility_reasons=("the yearly review",))
        if n.id == "B"
        else n
        for n in NETWORKS
    )
    b = analyse(problem(networks=networks, samples=0)).recommendation("B")
    assert b.action is Action.AT_RISK
    assert b.notice_by == date(2026, 7, 1)
    assert [f.code for f in b.flags] == ["notice"]


def test_thematic_fit_from_priorities() -> None:
    criteria = (*CRITERIA, CriterionInput("thematic_fit", "Thematic fit", kind="computed"))
    weights = {**WEIGHTS, "thematic_fit": 20}
    result = analyse(
        problem(
            criteria=criteria, weights=weights, priorities={"climate": 3, "mobility": 1}, samples=0
        )
    )
    column = result.matrix.criteria.index("thematic_fit")
    # A covers climate (3/4): 1 + 4 * 0.75 = 4; C covers mobility (1/4): 2; others 1.
    np.testing.assert_allclose(result.matrix.values[:, column], [4.0, 1.0, 2.0, 1.0, 1.0])


def test_user_errors_are_criteria_errors() -> None:
    with pytest.raises(CriteriaError, match="unknown criterion"):
        analyse(problem(scores={**SCORES, "A": {"agenda": 5, "typo": 3}}))
    with pytest.raises(CriteriaError, match="not a network"):
        analyse(problem(scores={**SCORES, "Z": {"agenda": 5}}))
    with pytest.raises(CriteriaError, match="outside"):
        analyse(problem(scores={**SCORES, "A": {"agenda": 6}}))
    with pytest.raises(CriteriaError, match="No weight"):
        analyse(problem(weights={"agenda": 1}))
    with pytest.raises(CriteriaError, match="appears twice"):
        analyse(problem(networks=(*NETWORKS, NETWORKS[0])))
    with pytest.raises(CriteriaError, match="no member or candidate"):
        analyse(problem(networks=(NETWORKS[-1],), scores={"F": SCORES["F"]}))
    with pytest.raises(CriteriaError, match="negative"):
        analyse(problem(samples=-1))


# --- the preview level of detail ------------------------------------------------------------


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("fee_budget", [None, 10_000_000])
def test_preview_ranks_and_acts_like_the_full_analysis(
    method: Method, fee_budget: int | None
) -> None:
    base = Problem(
        NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, method=method, fee_budget=fee_budget,
        samples=200, settings=SETTINGS,
    )  # fmt: skip
    full = analyse(base)
    preview = analyse(dataclasses.replace(base, detail="preview"))
    assert preview.evaluation.scores == pytest.approx(full.evaluation.scores, abs=1e-12)
    assert preview.evaluation.ranks.tolist() == full.evaluation.ranks.tolist()
    assert preview.values == pytest.approx(full.values)
    assert preview.portfolio.selected == full.portfolio.selected
    assert preview.ranking.order.tolist() == full.ranking.order.tolist()
    assert preview.ranking.ranks.tolist() == full.ranking.ranks.tolist()
    assert preview.ranking.values == pytest.approx(full.ranking.values)
    assert preview.ranking.actions() == full.ranking.actions()
    assert preview.warnings == full.warnings
    # The full ranking says what the full recommendations say, in the same order.
    alternatives = full.matrix.alternatives
    assert [alternatives[i] for i in full.ranking.order] == [
        r.network for r in full.recommendations
    ]
    actions = dict(zip(alternatives, full.ranking.actions(), strict=True))
    ranks = dict(zip(alternatives, full.ranking.ranks.tolist(), strict=True))
    for rec in full.recommendations:
        assert (rec.action, rec.rank or 0) == (actions[rec.network], ranks[rec.network])
        assert rec.value == pytest.approx(full.values[rec.network])
    assert full.recommendations
    assert full.recommendations[0].strengths
    assert preview.recommendations == ()
    assert full.robustness is not None
    assert full.stability
    assert full.method_agreement
    assert preview.robustness is None
    assert preview.stability == ()
    assert preview.stability_sentences == ()
    assert preview.method_agreement == {}


def _crowded(n: int) -> tuple[tuple[NetworkInput, ...], dict[str, dict[str, float | None]]]:
    rng = np.random.default_rng(4)
    networks = tuple(
        NetworkInput(
            f"n{k:02d}", f"N{k}", "member" if k % 2 else "candidate",
            fee=int(rng.integers(1, 400)) * 10_000, hours=float(rng.integers(10, 200)),
            themes=frozenset({f"t{k % 4}"}), services=frozenset({f"s{k % 3}"}),
        )
        for k in range(n)
    )  # fmt: skip
    scores: dict[str, dict[str, float | None]] = {
        net.id: {"agenda": int(rng.integers(3, 6)), "leadership": int(rng.integers(3, 6))}
        for net in networks
    }
    return networks, scores


def test_preview_under_a_binding_budget_uses_the_quick_search_and_says_so() -> None:
    networks, scores = _crowded(40)
    base = Problem(
        networks, CRITERIA, scores, WEIGHTS, today=TODAY, fee_budget=10_000_000, settings=SETTINGS
    )
    preview = analyse(dataclasses.replace(base, detail="preview"))
    full = analyse(base)
    assert preview.portfolio.status == "quick search: not proven best"
    assert any(w.startswith("Preview: the budgets or overlaps") for w in preview.warnings)
    assert full.portfolio.status == "optimal"
    assert not any(w.startswith("Preview") for w in full.warnings)
    assert preview.portfolio.fee_used <= 10_000_000
    assert preview.portfolio.objective <= full.portfolio.objective + 1e-9
    assert preview.ranking.ranks.tolist() == full.ranking.ranks.tolist()


def test_an_unknown_level_of_detail_is_refused() -> None:
    problem = Problem(NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, samples=0)
    with pytest.raises(CriteriaError, match="level of detail"):
        analyse(dataclasses.replace(problem, detail="everything"))  # type: ignore[arg-type]


def test_the_overlap_matrix_is_memoised_and_read_only() -> None:
    problem = Problem(NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, samples=0)
    first, second = analyse(problem), analyse(dataclasses.replace(problem, detail="preview"))
    assert first.overlap is second.overlap
    assert not first.overlap.flags.writeable


# --- the app's cache of prepared inputs (a small SQLite database) ---------------------------


def _seeded(tmp_path: object, name: str, fee: int) -> tuple[object, int]:
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.models import Assessment, CityProfile, Membership, Network, Workspace

    engine = make_engine(f"sqlite:///{tmp_path}/{name}.db")
    migrate(engine)
    with Session(engine) as session:
        workspace = Workspace(slug="w", name="W", fictional=True)
        session.add(workspace)
        session.flush()
        wid = workspace.id or 0
        session.add(CityProfile(workspace_id=wid, region="Europe"))
        for k in range(3):
            session.add(Network(id=f"net-{name}-{k}", name=f"Net {k}", scope="Global"))
        session.flush()
        for k in range(3):
            nid = f"net-{name}-{k}"
            session.add(
                Membership(
                    workspace_id=wid, network_id=nid, status="member", annual_fee_minor=fee * k
                )
            )
            session.add(
                Assessment(
                    workspace_id=wid,
                    network_id=nid,
                    criterion="relevant_agenda",
                    assessor="A",
                    score=k + 2,
                )
            )
        session.commit()
    return engine, wid


def test_prepared_inputs_are_cached_until_the_workspace_changes(tmp_path: object) -> None:
    from sqlmodel import Session, select

    from app.models import Assessment
    from app.services import analysis as an
    from app.services import workspaces as ws

    engine, wid = _seeded(tmp_path, "a", 100)
    with Session(engine) as session:  # type: ignore[arg-type]
        workspace = ws.get_workspace(session, wid)
        first = an.prepared_inputs(session, workspace)
        assert an.prepared_inputs(session, workspace) is first
        assert first.problem_scores["net-a-0"]["relevant_agenda"] == 2.0
        ctx = an.run_analysis(
            session, workspace, weights={"relevant_agenda": 1.0}, detail="preview"
        )
        assert ctx.analysis.robustness is None
        assert ctx.networks is first.networks
        row = session.exec(select(Assessment).where(Assessment.network_id == "net-a-0")).one()
        ws.update_assessment(session, workspace, row, {"score": 5}, actor="test")
        session.commit()
        second = an.prepared_inputs(session, workspace)
        assert second is not first
        assert second.problem_scores["net-a-0"]["relevant_agenda"] == 5.0
        ws.update_profile(session, workspace, {"fee_budget": Decimal(1)}, actor="test")
        session.commit()
        third = an.prepared_inputs(session, workspace)
        assert third is not second
        assert third.fee_budget_minor == 100
    # Another database reusing the workspace id never sees these entries.
    other, other_wid = _seeded(tmp_path, "b", 7)
    assert other_wid == wid
    with Session(other) as session:  # type: ignore[arg-type]
        mine = an.prepared_inputs(session, ws.get_workspace(session, other_wid))
        assert set(mine.networks) == {"net-b-0", "net-b-1", "net-b-2"}


def test_unflushed_changes_bypass_the_cache(tmp_path: object) -> None:
    from sqlmodel import Session, select

    from app.models import Assessment
    from app.services import analysis as an
    from app.services import workspaces as ws

    engine, wid = _seeded(tmp_path, "c", 100)
    with Session(engine) as session:  # type: ignore[arg-type]
        workspace = ws.get_workspace(session, wid)
        cached = an.prepared_inputs(session, workspace)
        row = session.exec(select(Assessment).where(Assessment.network_id == "net-c-0")).one()
        row.score = 1
        fresh = an.prepared_inputs(session, workspace)
        assert fresh is not cached
        assert fresh.problem_scores["net-c-0"]["relevant_agenda"] == 1.0
        session.rollback()
        assert an.prepared_inputs(session, workspace) is cached


def test_the_input_cache_forgets_the_least_recently_used() -> None:
    from sqlalchemy import create_engine

    from app.services.analysis import InputCache

    cache = InputCache(size=2)
    engine = create_engine("sqlite://")
    values = [object() for _ in range(3)]
    cache.put(engine, ("a",), values[0])  # type: ignore[arg-type]
    cache.put(engine, ("b",), values[1])  # type: ignore[arg-type]
    assert cache.get(engine, ("a",)) is values[0]  # "a" is now the most recent
    cache.put(engine, ("c",), values[2])  # type: ignore[arg-type]
    assert cache.get(engine, ("b",)) is None
    assert cache.get(engine, ("a",)) is values[0]
    assert cache.get(engine, ("c",)) is values[2]


# --- the weight-independent basis ------------------------------------------------------------


def test_an_analysis_on_a_prepared_basis_equals_one_that_prepares_its_own() -> None:
    from scoring.analysis import prepare

    base = Problem(
        NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, fee_budget=10_000_000, settings=SETTINGS
    )
    basis = prepare(base)
    assert not basis.utilities.flags.writeable
    for detail in ("full", "preview"):
        for weights in (WEIGHTS, {**WEIGHTS, "agenda": 90}):
            problem = dataclasses.replace(base, weights=weights, detail=detail, samples=50)
            mine, theirs = analyse(problem, basis), analyse(problem)
            assert mine.values == theirs.values
            assert mine.ranking.order.tolist() == theirs.ranking.order.tolist()
            assert mine.ranking.actions() == theirs.ranking.actions()
            assert mine.recommendations == theirs.recommendations
            assert mine.warnings == theirs.warnings


def test_a_basis_refuses_a_problem_with_other_data() -> None:
    from scoring.analysis import prepare

    base = Problem(NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, samples=0)
    basis = prepare(base)
    assert basis.fits(dataclasses.replace(base, weights={**WEIGHTS, "agenda": 7}))
    other = dataclasses.replace(base, scores={**SCORES, "A": {**SCORES["A"], "agenda": 1}})
    assert not basis.fits(other)
    with pytest.raises(ValueError, match="basis was prepared"):
        analyse(other, basis)
