"""The priorities page's weight tools: the draft, its history, the ranked list and AHP in words.

Everything the weight tools print is built here; the route loads, calls these, renders.

- **The draft.** Unsaved weights travel with every form on the page: each form carries the
  points as ``w_<key>`` fields, the weights as rendered (``draft``) and the earlier drafts
  (``history``, oldest first, at most `HISTORY_MAX`). So switching tools, choosing other AHP
  criteria, undoing and resetting all work without JavaScript; with JavaScript the script
  keeps those hidden fields in step with the sliders.
- **Rank the criteria.** An ordered list (best first) posted as ``order``; "up" and "down"
  buttons post ``move=<key>:up|down`` and the list comes back reordered, each row with the
  rank-order centroid weight its position gives.
- **AHP.** One two-sided verbal scale per pair, "A is much more important than B ... equally
  ... B is much more important than A", never asking the reader to flip a judgement; the
  consistency ratio in words and the one judgement whose change would help most, with the
  answer that would make the judgements consistent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.i18n import format_number
from app.i18n import gettext as _
from app.services.ui import FormErrors, as_points
from criteria.errors import CriteriaError
from scoring.weights import CONSISTENCY_THRESHOLD, ahp, most_inconsistent_pair, rank_order_centroid

HISTORY_MAX = 20
"""Earlier drafts kept for "Undo last change"."""

# --- the draft and its history ---------------------------------------------------------------


def encode(points: Mapping[str, float], keys: Sequence[str]) -> str:
    """Points in the framework's key order, comma-separated.

    >>> encode({"a": 22.1, "b": 0}, ["a", "b"])
    '22.1,0'
    """
    return ",".join(f"{float(points.get(k, 0.0)):g}" for k in keys)


def decode(raw: str, keys: Sequence[str]) -> dict[str, float] | None:
    """The points `encode` wrote, or ``None`` for anything else (never an error).

    >>> decode("22.1,0", ["a", "b"])
    {'a': 22.1, 'b': 0.0}
    >>> decode("1,x", ["a", "b"]) is None, decode("1", ["a", "b"]) is None
    (True, True)
    """
    parts = raw.split(",")
    if len(parts) != len(keys):
        return None
    values: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            return None
        if not math.isfinite(value) or not 0 <= value <= 100:
            return None
        values.append(value)
    if not any(values):
        return None
    return dict(zip(keys, values, strict=True))


def parse_history(raw: object, keys: Sequence[str]) -> list[dict[str, float]]:
    """Earlier drafts from the ``history`` field (``;``-separated); unreadable entries dropped."""
    found = [decode(part, keys) for part in str(raw or "").split(";") if part]
    return [entry for entry in found if entry is not None][-HISTORY_MAX:]


def encode_history(history: Sequence[Mapping[str, float]], keys: Sequence[str]) -> str:
    return ";".join(encode(entry, keys) for entry in history[-HISTORY_MAX:])


def same(a: Mapping[str, float], b: Mapping[str, float], keys: Sequence[str]) -> bool:
    """Equal to the printed precision (0.1 point)."""
    return all(abs(a.get(k, 0.0) - b.get(k, 0.0)) < 0.05 for k in keys)


def push(
    history: Sequence[Mapping[str, float]],
    before: Mapping[str, float],
    after: Mapping[str, float],
    keys: Sequence[str],
) -> list[dict[str, float]]:
    """The history after a change from ``before`` to ``after`` (nothing kept if unchanged).

    >>> push([], {"a": 1}, {"a": 2}, ["a"])
    [{'a': 1}]
    >>> push([], {"a": 1}, {"a": 1}, ["a"])
    []
    """
    out = [dict(entry) for entry in history]
    if not same(before, after, keys) and not (out and same(out[-1], before, keys)):
        out.append(dict(before))
    return out[-HISTORY_MAX:]


# --- rank the criteria (rank-order centroid) -------------------------------------------------


@dataclass(frozen=True)
class RocRow:
    key: str
    title: str
    position: int
    points: float  # the rank-order centroid weight of this position, as points of 100
    first: bool
    last: bool


def order_from(
    form: Mapping[str, Any], keys: Sequence[str], points: Mapping[str, float]
) -> list[str]:
    """The posted ``order`` if it lists every criterion once, else the criteria by points."""
    posted = [k for k in str(form.get("order", "") or "").split(",") if k]
    if sorted(posted) == sorted(keys):
        return posted
    return sorted(keys, key=lambda k: (-points.get(k, 0.0), list(keys).index(k)))


def move(order: Sequence[str], instruction: str) -> list[str]:
    """The order after ``<key>:up`` or ``<key>:down`` (anything else changes nothing).

    >>> move(["a", "b", "c"], "c:up"), move(["a", "b", "c"], "a:up"), move(["a", "b"], "x:down")
    (['a', 'c', 'b'], ['a', 'b', 'c'], ['a', 'b'])
    """
    out = list(order)
    key, _sep, direction = instruction.partition(":")
    if key not in out or direction not in ("up", "down"):
        return out
    i = out.index(key)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(out):
        out[i], out[j] = out[j], out[i]
    return out


def roc_points(order: Sequence[str]) -> dict[str, float]:
    """Rank-order centroid weights of a ranking (best first), as points of 100."""
    return as_points(rank_order_centroid(list(order)))


def roc_rows(order: Sequence[str], titles: Mapping[str, str]) -> list[RocRow]:
    points = roc_points(order)
    last = len(order) - 1
    return [
        RocRow(k, titles.get(k, k), i + 1, points[k], i == 0, i == last)
        for i, k in enumerate(order)
    ]


# --- AHP as a two-sided verbal scale ---------------------------------------------------------

AHP_MAX = 7
AHP_DEFAULT_COUNT = 4
SCALE_VALUES: tuple[str, ...] = ("9", "7", "5", "3", "1", "1/3", "1/5", "1/7", "1/9")
"""Form values from "A is extremely more important" to "B is extremely more important"."""


def _value(raw: str) -> float | None:
    if raw not in SCALE_VALUES:
        return None
    return 1.0 / float(raw[2:]) if raw.startswith("1/") else float(raw)


def _scale_key(value: float) -> str:
    """The form value nearest to a ratio (on a log scale)."""
    return min(SCALE_VALUES, key=lambda s: abs(math.log(_value(s) or 1.0) - math.log(value)))


def intensity_word(raw: str) -> str:
    """The short word under a scale point: "extremely", ..., "equal"."""
    strength = raw[2:] if raw.startswith("1/") else raw
    return {
        "9": _("extremely"),
        "7": _("very strongly"),
        "5": _("strongly"),
        "3": _("moderately"),
        "1": _("equal"),
    }[strength]


def sentence(raw: str, a: str, b: str) -> str:
    """A judgement in words, the more important criterion first (never "less important")."""
    if raw == "1":
        return _("%(a)s and %(b)s are equally important", a=a, b=b)
    more, less = (b, a) if raw.startswith("1/") else (a, b)
    strength = raw[2:] if raw.startswith("1/") else raw
    if strength == "9":
        return _("%(more)s is extremely more important than %(less)s", more=more, less=less)
    if strength == "7":
        return _("%(more)s is very strongly more important than %(less)s", more=more, less=less)
    if strength == "5":
        return _("%(more)s is strongly more important than %(less)s", more=more, less=less)
    return _("%(more)s is moderately more important than %(less)s", more=more, less=less)


@dataclass(frozen=True)
class AhpOption:
    value: str
    id: str
    word: str
    sentence: str
    side: str  # "a", "equal" or "b"
    checked: bool


@dataclass(frozen=True)
class AhpFix:
    """The judgement to revisit: what was said, what would make the answers consistent."""

    name: str
    said: str
    better: str
    ratio_after: str


@dataclass(frozen=True)
class AhpPair:
    name: str
    a: str
    b: str
    title_a: str
    title_b: str
    options: list[AhpOption]
    reads: str
    fix: AhpFix | None


@dataclass(frozen=True)
class AhpOutcome:
    """The result of the comparisons: the new points and the consistency in words."""

    points: dict[str, float]
    ratio: float
    level: str  # "good", "fair" or "poor"
    verdict: str
    fix: AhpFix | None


def chosen_keys(
    form: Mapping[str, Any], keys: Sequence[str], points: Mapping[str, float]
) -> list[str]:
    """The criteria ticked for AHP (``ahp`` fields), else the ones holding the most points."""
    getlist = getattr(form, "getlist", None)
    raw = getlist("ahp") if getlist is not None else form.get("ahp", [])
    ticked = [k for k in (raw if isinstance(raw, list) else [raw]) if k in keys]
    if ticked:
        return list(dict.fromkeys(ticked))[:AHP_MAX]
    by_points = sorted(keys, key=lambda k: (-points.get(k, 0.0), list(keys).index(k)))
    return by_points[:AHP_DEFAULT_COUNT]


def pair_name(a: str, b: str) -> str:
    return f"pair_{a}__{b}"


def ahp_pairs(
    chosen: Sequence[str],
    titles: Mapping[str, str],
    form: Mapping[str, Any],
    fix: AhpFix | None = None,
) -> list[AhpPair]:
    """One two-sided scale per pair of the chosen criteria, with the posted answer checked."""
    pairs = []
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            name = pair_name(a, b)
            current = str(form.get(name, "1") or "1")
            current = current if current in SCALE_VALUES else "1"
            ta, tb = titles.get(a, a), titles.get(b, b)
            options = [
                AhpOption(
                    value=value,
                    id=f"{name}-{n}",
                    word=intensity_word(value),
                    sentence=sentence(value, ta, tb),
                    side="equal" if value == "1" else ("b" if value.startswith("1/") else "a"),
                    checked=value == current,
                )
                for n, value in enumerate(SCALE_VALUES)
            ]
            flagged = fix if fix is not None and fix.name == name else None
            pairs.append(AhpPair(name, a, b, ta, tb, options, sentence(current, ta, tb), flagged))
    return pairs


def _ratio_text(ratio: float) -> str:
    return format_number(ratio, 2)


def ahp_outcome(
    form: Mapping[str, Any],
    compared: Sequence[str],
    current: Mapping[str, float],
    titles: Mapping[str, str],
) -> AhpOutcome:
    """AHP weights for the ``compared`` criteria from the ``pair_<a>__<b>`` answers.

    The compared criteria share the points they hold now, split by their AHP weights; the
    others keep theirs. Raises `FormErrors` for fewer than two criteria or a bad answer.
    """
    if len(compared) < 2:
        raise FormErrors({"ahp": _("Tick at least two criteria to compare.")})
    judgements: dict[tuple[str, str], float] = {}
    errors: dict[str, str] = {}
    for i, a in enumerate(compared):
        for b in compared[i + 1 :]:
            value = _value(str(form.get(pair_name(a, b), "")))
            if value is None:
                errors[pair_name(a, b)] = _(
                    "Choose which of the two matters more, and by how much."
                )
                continue
            judgements[(a, b)] = value
    if errors:
        raise FormErrors(errors, _("Please correct the highlighted fields."))
    try:
        result = ahp(list(compared), judgements)
        found = None if result.consistent else most_inconsistent_pair(list(compared), judgements)
    except CriteriaError as exc:  # not reachable from the scale's values; kept as a guard
        raise FormErrors({}, str(exc)) from exc
    pool = sum(current.get(k, 0.0) for k in compared) or 100.0
    points = dict(current)
    points.update({k: round(w * pool, 1) for k, w in result.weights.items()})
    cr = result.consistency_ratio
    ratio = _ratio_text(cr)
    if result.consistent:
        level = "good"
        verdict = _(
            "Your comparisons agree with each other (consistency ratio %(ratio)s; up to "
            "%(limit)s is fine).",
            ratio=ratio,
            limit=_ratio_text(CONSISTENCY_THRESHOLD),
        )
    elif cr <= 2 * CONSISTENCY_THRESHOLD:
        level = "fair"
        verdict = _(
            "Your comparisons disagree a little with each other (consistency ratio "
            "%(ratio)s, above the %(limit)s usually accepted).",
            ratio=ratio,
            limit=_ratio_text(CONSISTENCY_THRESHOLD),
        )
    else:
        level = "poor"
        verdict = _(
            "Your comparisons contradict each other (consistency ratio %(ratio)s, well above "
            "the %(limit)s usually accepted).",
            ratio=ratio,
            limit=_ratio_text(CONSISTENCY_THRESHOLD),
        )
    fix = None
    if found is not None:
        ta, tb = titles.get(found.a, found.a), titles.get(found.b, found.b)
        fix = AhpFix(
            name=pair_name(found.a, found.b),
            said=sentence(_scale_key(found.given), ta, tb),
            better=sentence(_scale_key(found.suggested), ta, tb),
            ratio_after=_ratio_text(found.ratio_after),
        )
    return AhpOutcome(points, cr, level, verdict, fix)


# --- share out 100 points ---------------------------------------------------------------------


def hundred_defaults(points: Mapping[str, float], keys: Sequence[str]) -> dict[str, int]:
    """The current weights as whole points summing to exactly 100 (largest remainders).

    >>> hundred_defaults({"a": 1, "b": 1, "c": 1}, ["a", "b", "c"])
    {'a': 34, 'b': 33, 'c': 33}
    """
    total = sum(points.get(k, 0.0) for k in keys) or 1.0
    exact = {k: 100 * points.get(k, 0.0) / total for k in keys}
    out = {k: math.floor(v) for k, v in exact.items()}
    order = sorted(keys, key=lambda k: (-(exact[k] - out[k]), list(keys).index(k)))
    for k in order[: 100 - sum(out.values())]:
        out[k] += 1
    return out


def hundred_total(total: float) -> str:
    """How much of the 100 points is shared out, in words."""
    if abs(total - 100) < 0.05:
        return _("All 100 points are shared out.")
    if total < 100:
        return _(
            "%(total)s of 100 points shared out: %(left)s left.",
            total=format_number(total, 1 if total % 1 else 0),
            left=format_number(100 - total, 1 if total % 1 else 0),
        )
    return _(
        "%(total)s points shared out: %(over)s too many.",
        total=format_number(total, 1 if total % 1 else 0),
        over=format_number(total - 100, 1 if total % 1 else 0),
    )


def hundred_points(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, float]:
    """Points from ``hundred_<key>`` fields that must add up to 100; raises `FormErrors`."""
    points: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key in keys:
        name = f"hundred_{key}"
        raw = str(form.get(name, "0") or "0").strip()
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[name] = _("Enter a number of points from 0 to 100.")
            continue
        points[key] = round(value, 1)
    if errors:
        raise FormErrors(errors, _("Please correct the highlighted fields."))
    total = sum(points.values())
    if abs(total - 100) >= 0.05:
        raise FormErrors({"hundred": hundred_total(total)}, hundred_total(total))
    return points


# --- the other tools' checks, in the reader's language ---------------------------------------


def swing_points(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, float]:
    """Swing weights (as points) from ``swing_<key>`` ratings 0-100; raises `FormErrors`."""
    swings: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key in keys:
        name = f"swing_{key}"
        raw = str(form.get(name, "0") or "0").strip()
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[name] = _("Rate the swing from 0 to 100.")
            continue
        swings[key] = value
    if errors:
        raise FormErrors(errors, _("Please correct the highlighted fields."))
    top = max(swings.values(), default=0.0)
    if top != 100:
        raise FormErrors(
            {},
            _("Give 100 points to the swing that matters most, then rate the others against it."),
        )
    total = sum(swings.values())
    return as_points({k: v / total for k, v in swings.items()})
