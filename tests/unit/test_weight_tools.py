"""Properties of the priorities page's weight tools: the rank-order centroid of a ranked list,
the AHP judgement to revisit (scoring/weights.py), and the draft history and list moves
(app/views/priorities.py)."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.views import priorities as pv
from scoring.weights import SAATY_SCALE, ahp, most_inconsistent_pair, rank_order_centroid

NAMES = [f"c{i}" for i in range(10)]


@given(st.permutations(NAMES).flatmap(lambda p: st.integers(1, len(p)).map(lambda n: p[:n])))
def test_roc_sums_to_one_and_falls_with_position(order: list[str]) -> None:
    weights = rank_order_centroid(order)
    n = len(order)
    assert math.isclose(sum(weights.values()), 1.0)
    values = [weights[k] for k in order]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert math.isclose(values[0], sum(1 / i for i in range(1, n + 1)) / n)
    assert math.isclose(values[-1], 1 / n**2)
    # the points printed beside the list are these weights, to 0.1 point
    points = pv.roc_points(order)
    assert all(abs(points[k] - 100 * weights[k]) <= 0.05 + 1e-9 for k in order)


@given(st.permutations(NAMES), st.sampled_from(NAMES), st.sampled_from(["up", "down"]))
def test_a_move_swaps_one_neighbour_and_keeps_every_criterion(
    order: list[str], key: str, direction: str
) -> None:
    moved = pv.move(order, f"{key}:{direction}")
    assert sorted(moved) == sorted(order)
    i, j = order.index(key), moved.index(key)
    edge = (i == 0 and direction == "up") or (i == len(order) - 1 and direction == "down")
    assert j == (i if edge else i + (-1 if direction == "up" else 1))
    assert pv.move(moved, f"{key}:{'down' if direction == 'up' else 'up'}") == order or edge


# AHP: judgements that are perfectly consistent on the scale (weights 3^k, so every ratio is
# 1/9, 1/3, 1, 3 or 9), then one of them changed.
consistent_levels = st.lists(st.integers(0, 2), min_size=4, max_size=7)


def _judgements(levels: list[int]) -> dict[tuple[str, str], float]:
    names = NAMES[: len(levels)]
    return {
        (names[i], names[j]): 3.0 ** (levels[i] - levels[j])
        for i in range(len(names))
        for j in range(i + 1, len(names))
    }


@settings(max_examples=60, deadline=None)
@given(consistent_levels)
def test_consistent_judgements_have_nothing_to_revisit(levels: list[int]) -> None:
    names = NAMES[: len(levels)]
    judgements = _judgements(levels)
    assert ahp(names, judgements).consistency_ratio < 1e-9
    assert most_inconsistent_pair(names, judgements) is None


@settings(max_examples=60, deadline=None)
@given(consistent_levels, st.data())
def test_the_one_changed_judgement_is_found_with_its_consistent_value(
    levels: list[int], data: st.DataObject
) -> None:
    names = NAMES[: len(levels)]
    judgements = _judgements(levels)
    pair = data.draw(st.sampled_from(sorted(judgements)))
    original = judgements[pair]
    wrong = data.draw(st.sampled_from([v for v in SAATY_SCALE if not math.isclose(v, original)]))
    judgements[pair] = wrong
    fix = most_inconsistent_pair(names, judgements)
    assert fix is not None
    # with four or more criteria only the changed pair can restore full consistency
    assert (fix.a, fix.b) == pair
    assert math.isclose(fix.suggested, original)
    assert math.isclose(fix.given, wrong)
    assert fix.ratio_after < 1e-9 < fix.ratio_before


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 6).flatmap(
        lambda n: st.lists(
            st.sampled_from(SAATY_SCALE), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2
        ).map(lambda v: (n, v))
    )
)
def test_the_suggested_change_never_makes_things_worse(case: tuple[int, list[float]]) -> None:
    n, values = case
    names = NAMES[:n]
    pairs = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n)]
    judgements = dict(zip(pairs, values, strict=True))
    before = ahp(names, judgements).consistency_ratio
    fix = most_inconsistent_pair(names, judgements)
    if fix is None:
        return
    assert math.isclose(fix.ratio_before, before, abs_tol=1e-9)
    assert fix.suggested in SAATY_SCALE
    changed = judgements | {(fix.a, fix.b): fix.suggested}
    after = ahp(names, changed).consistency_ratio
    assert math.isclose(after, fix.ratio_after, abs_tol=1e-9)
    assert after < before


def test_two_criteria_are_always_consistent() -> None:
    assert most_inconsistent_pair(["a", "b"], {("a", "b"): 9}) is None


draft_points = st.dictionaries(
    st.sampled_from(NAMES[:4]), st.floats(0, 100).map(lambda v: round(v, 1)), min_size=4
).filter(lambda d: any(d.values()))


@given(st.lists(draft_points, max_size=30))
def test_history_round_trips_and_keeps_the_last_twenty(drafts: list[dict[str, float]]) -> None:
    keys = NAMES[:4]
    history: list[dict[str, float]] = []
    for before, after in itertools.pairwise(drafts):
        history = pv.push(history, before, after, keys)
    assert len(history) <= pv.HISTORY_MAX
    decoded = pv.parse_history(pv.encode_history(history, keys), keys)
    assert len(decoded) == len(history)
    assert all(pv.same(a, b, keys) for a, b in zip(decoded, history, strict=True))


@given(st.text(max_size=60))
def test_any_posted_history_is_read_without_error(raw: str) -> None:
    for entry in pv.parse_history(raw, NAMES[:3]):
        assert set(entry) == set(NAMES[:3])
        assert all(0 <= v <= 100 for v in entry.values())
