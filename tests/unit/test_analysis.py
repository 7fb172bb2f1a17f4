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


def problem(**changes: object) -> Problem:
    base = Problem(NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, samples=500, seed=7)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_end_to_end_by_hand() -> None:
    # Bounds: scores 1-5; fee 0-40,000.00 (largest fee among ranked networks); hours 0-200.
    # Utilities (agenda, leadership, fee, hours) and value = 0.4 a + 0.2 l + 0.2 f + 0.2 h:
    #   A: 1.00, 0.75, 0.0, 0.50 -> 0.40 + 0.15 + 0.00 + 0.10 = 0.65
    #   B: 0.25, 0.25, 0.5, 0.00 -> 0.10 + 0.05 + 0.10 + 0.00 = 0.25
    #   C: 0.75, 1.00, 1.0, 0.75 -> 0.30 + 0.20 + 0.20 + 0.15 = 0.85
    #   D: 0.50, (missing: midpoint 0.5), 0.5, 0.50 -> 0.20 + 0.10 + 0.10 + 0.10 = 0.50
    #   E: 1.00, 1.00, 1.0, 1.00 -> 1.00
    # Ranking: E 1, C 2, A 3, D 4, B 5. F is a former membership: not ranked.
    # No budget, bars join 0.60 / leave 0.45:
    #   E not eligible; C 0.85 >= 0.60 JOIN; A 0.65 >= 0.45 STAY (passive, >= 0.60: re-engage);
    #   D 0.50 < 0.60 NOT_RECOMMENDED; B 0.25 < 0.45 LEAVE, notice 183 days before
    #   31 Dec 2026 = 1 Jul 2026.
    result = analyse(problem())
    assert result.matrix.alternatives == ("A", "B", "C", "D", "E")
    assert result.excluded == ("F",)
    assert result.weights == pytest.approx(
        {"agenda": 0.4, "leadership": 0.2, "annual_fee": 0.2, "staff_time": 0.2}
    )
    assert result.values == pytest.approx({"A": 0.65, "B": 0.25, "C": 0.85, "D": 0.5, "E": 1.0})
    recs = result.recommendations
    assert [(r.network, r.rank, r.action) for r in recs] == [
        ("E", 1, Action.NOT_ELIGIBLE),
        ("C", 2, Action.JOIN),
        ("A", 3, Action.STAY),
        ("D", 4, Action.NOT_RECOMMENDED),
        ("B", 5, Action.LEAVE),
    ]
    by_id = {r.network: r for r in recs}
    assert [f.code for f in by_id["A"].flags] == ["re-engage"]
    assert [f.code for f in by_id["D"].flags] == ["missing-scores"]
    assert [f.code for f in by_id["E"].flags] == ["not-eligible"]
    assert by_id["B"].notice_by == date(2026, 7, 1)
    assert "capital cities" in by_id["E"].explanation
    # A's strengths versus the average network: agenda u=1.0 vs mean 0.70 -> +0.12;
    # leadership 0.75 vs 0.70 -> +0.01; its fee (u=0 vs 0.60) is its weakness: -0.12.
    assert [r.criterion for r in by_id["A"].strengths] == ["agenda", "leadership"]
    assert by_id["A"].strengths[0].versus_average == pytest.approx(0.12)
    assert by_id["A"].weaknesses[0].criterion == "annual_fee"
    # 40,000.00 a year for 65 value points.
    assert by_id["A"].cost_per_value_point == pytest.approx(40_000 / 65)
    assert by_id["C"].cost_per_value_point == 0.0

    assert result.portfolio.selected == {"A", "C"}
    assert result.portfolio.status == NO_BUDGET_STATUS
    assert result.budget_use.fee_current == 6_000_000
    assert result.budget_use.fee_selected == 4_000_000
    assert result.budget_use.hours_selected == 150.0
    assert any("former" in w for w in result.warnings)
    assert any("missing" in w for w in result.warnings)

    robustness = result.robustness
    assert robustness is not None
    assert robustness.samples == 500
    assert robustness.rank_acceptability.shape == (5, 5)
    np.testing.assert_allclose(robustness.rank_acceptability.sum(axis=1), 1.0)
    # C (0.85 vs its 0.60 bar) and B (0.25 vs 0.45) are far from their bars.
    assert (by_id["C"].action_stability or 0.0) > 0.95
    assert (by_id["B"].action_stability or 0.0) > 0.95
    assert by_id["E"].action_stability is None  # eligibility decides, not the weights
    assert by_id["C"].robustness_sentence.startswith("Holds in")
    assert "of 500 weight samples" in by_id["C"].robustness_sentence

    assert len(result.method_agreement) == 15  # every pair of the 6 methods
    assert result.method_agreement[(Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT)] <= 1.0
    assert [s.criterion for s in result.stability] == list(result.matrix.criteria)
    assert all(s.target == "E" for s in result.stability)
    assert len(result.stability_sentences) == 4
    assert result.overlap_ids == ("A", "B", "C", "D", "E")
    np.testing.assert_array_equal(result.overlap, 0.0)  # no shared themes or services
    assert result.recommendation("B").action is Action.LEAVE


def test_fee_budget_makes_the_portfolio_decide() -> None:
    # Budget 30,000.00: A (40,000.00) no longer fits, although 0.65 clears its 0.45 bar.
    # C (fee 0) still joins. A becomes LEAVE, explained by the budget, and its sampled
    # action stability is not reported (the budget, not the bar, decided).
    result = analyse(problem(fee_budget=3_000_000))
    a = result.recommendation("A")
    assert a.action is Action.LEAVE
    assert "fee budget is better spent" in a.explanation
    assert a.action_stability is None
    assert result.recommendation("C").action is Action.JOIN
    assert result.portfolio.selected == {"C"}
    assert result.portfolio.binding == ["fee"]
    assert result.budget_use.fee_budget == 3_000_000
    assert any("exceed the fee budget" in w for w in result.warnings)


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


def test_overlap_penalty_drops_a_duplicate_candidate() -> None:
    # D copies C's themes and services (overlap 1.0); with a penalty of 0.9 the pair costs
    # more than D adds, even with the join bar lowered to 0.5 so that D passes it. Overlap
    # only arbitrates under a budget: a generous one (1,000,000.00) that fits everybody.
    from scoring.recommend import Thresholds

    networks = tuple(
        dataclasses.replace(
            n, themes=frozenset({"mobility"}), services=frozenset({"technical assistance"})
        )
        if n.id == "D"
        else n
        for n in NETWORKS
    )
    result = analyse(
        problem(
            networks=networks,
            overlap_penalty=0.9,
            thresholds=Thresholds(0.5, 0.45),
            samples=0,
            fee_budget=100_000_000,
        )
    )
    assert result.overlap[2, 3] == pytest.approx(1.0)
    assert result.portfolio.reasons["D"] == "overlaps with C"
    d = result.recommendation("D")
    assert d.action is Action.NOT_RECOMMENDED
    assert "duplicates much of C" in d.explanation


def test_other_methods_rank_but_the_value_decides() -> None:
    result = analyse(problem(method=Method.TOPSIS, samples=200))
    assert result.evaluation.method is Method.TOPSIS
    assert result.robustness is not None
    assert result.robustness.method is Method.TOPSIS
    # Values (and so actions) are still the weighted-sum values.
    assert result.values["A"] == pytest.approx(0.65)
    assert result.recommendation("C").action is Action.JOIN


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
        samples=200,
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
    by_rank = sorted(full.recommendations, key=lambda r: (r.rank, -r.value, r.network))
    assert [alternatives[i] for i in full.ranking.order] == [r.network for r in by_rank]
    actions = dict(zip(alternatives, full.ranking.actions(), strict=True))
    ranks = dict(zip(alternatives, full.ranking.ranks.tolist(), strict=True))
    for rec in full.recommendations:
        assert (rec.action, rec.rank) == (actions[rec.network], ranks[rec.network])
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
    base = Problem(networks, CRITERIA, scores, WEIGHTS, today=TODAY, fee_budget=10_000_000)
    preview = analyse(dataclasses.replace(base, detail="preview"))
    full = analyse(base)
    assert preview.portfolio.status == "quick search: not proven best"
    assert any(w.startswith("Preview: the budgets force a choice") for w in preview.warnings)
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

    base = Problem(NETWORKS, CRITERIA, SCORES, WEIGHTS, today=TODAY, fee_budget=10_000_000)
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
