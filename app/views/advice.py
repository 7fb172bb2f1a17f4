"""The scoring core's sentences in the reader's language.

The core writes every explanation, flag and robustness sentence in English from a stable
code and the printed fields it used (`scoring.recommend.SENTENCES`, `Message`, `Flag`). This
module prints the same codes with the same fields in the current locale: English returns the
core's own text (one source of truth), Spanish and French fill translated templates, with the
numbers' decimal mark, money and dates as the locale writes them. Reports, the dashboard and
the network page all print advice through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale

from app.i18n import current_locale, format_day, format_money, format_number, format_share
from app.i18n import gettext as _
from scoring.recommend import LEVEL_WORDS, Flag, Message, Reason, Recommendation
from scoring.robustness import StabilityInterval, describe_interval

__all__ = ["action_label", "explanation", "flag_text", "join_list", "number", "robustness_text"]


def number(text: str) -> str:
    """A number printed by the core ("0.45") with the current locale's decimal mark.

    >>> number("0.45")
    '0.45'
    """
    locale = current_locale()
    if locale == "en" or locale not in ("es", "fr"):
        return text
    mark = Locale.parse(locale).number_symbols["latn"]["decimal"]
    return text.replace(".", mark)


def percent_text(text: str) -> str:
    """A percentage printed by the core ("69.5%", ">99%", "<1%") in the current locale's
    way: its decimal mark and, in Spanish and French, a no-break space before the sign.

    >>> percent_text("69.5%")
    '69.5%'
    """
    locale = current_locale()
    if locale == "en" or locale not in ("es", "fr") or not text.endswith("%"):
        return text
    return number(text[:-1]) + "\u00a0%"


def join_list(items: Sequence[str]) -> str:
    """Items joined the way the current language lists them ("a, b and c").

    >>> join_list(["a", "b", "c"])
    'a, b and c'
    """
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])


def _day(value: Any) -> str:
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _amount(kind: str, amount: Any, currency: str) -> str:
    if kind == "hours":
        return _("%(hours)s h", hours=format_number(float(amount)))
    return format_money(Decimal(int(amount)) / 100, currency)


# Translatable templates, one per core code, with the core's field names. The English
# originals are `scoring.recommend.SENTENCES`; these are their translations' source strings.
_SENTENCES: dict[str, Callable[[], str]] = {
    "at_risk": lambda: _(
        "The city no longer meets a condition of this network (%(reasons)s). Unless that "
        "changes, plan to leave: give notice by %(notice_by)s to leave on %(exit_on)s."
    ),
    "at_risk_undated": lambda: _(
        "The city no longer meets a condition of this network (%(reasons)s). Unless that "
        "changes, plan to leave; check the notice period."
    ),
    "not_eligible": lambda: _("The city is not eligible to join this network: %(reasons)s."),
    "assess_first": lambda: _(
        "Only %(coverage)s%% of the weight of the assessed criteria has scores, below the "
        "evidence threshold of %(threshold)s%%: score it before deciding whether to join "
        "(provisional value %(value)s)."
    ),
    "held": lambda: _(
        "Only %(coverage)s%% of the weight of the assessed criteria has scores, below the "
        "evidence threshold of %(threshold)s%%: kept as a member until it is scored "
        "(provisional value %(value)s)."
    ),
    "locked_in_member": lambda: _("Value %(value)s; kept because it is locked to keep."),
    "locked_in_candidate": lambda: _("Value %(value)s; joined because it is locked to keep."),
    "locked_out_member": lambda: _("Value %(value)s; left because it is locked out."),
    "locked_out_candidate": lambda: _("Value %(value)s; not joined because it is locked out."),
    "below_leave_bar": lambda: _("Value %(value)s is below the leave bar (%(bar)s)."),
    "below_join_bar": lambda: _("Value %(value)s is below the join bar (%(bar)s)."),
    "switch_cost": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s) by %(margin)s, which does not cover "
        "the cost of joining (%(cost)s)."
    ),
    "over_budget_member": lambda: _(
        "Value %(value)s clears the leave bar (%(bar)s), but keeping it needs %(needs)s; "
        "leaving frees %(freed)s a year%(joins)s."
    ),
    "over_budget_candidate": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s), but joining needs %(needs)s."
    ),
    "member_priority": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s), but joining would mean leaving "
        "%(partner)s (%(partner_value)s), a member of at least the same value."
    ),
    "unconfirmed": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s), but the city's eligibility is not "
        "confirmed, and joining would mean leaving %(partner)s (%(partner_value)s), a current "
        "member."
    ),
    "overlap_member": lambda: _(
        "Value %(value)s clears the leave bar (%(bar)s), but it repeats much of %(partner)s "
        "(%(shared)s). Keeping it is worth %(gain)s (its margin over the bar plus the cost of "
        "leaving it avoids), less than the overlap penalty (%(penalty)s)."
    ),
    "overlap_candidate": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s), but it repeats much of %(partner)s "
        "(%(shared)s). Joining it is worth %(gain)s (its margin over the bar less the cost of "
        "joining), less than the overlap penalty (%(penalty)s)."
    ),
    "not_chosen_member": lambda: _(
        "Value %(value)s clears the leave bar (%(bar)s), but a better combination of networks "
        "fits the budgets without it."
    ),
    "not_chosen_candidate": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s), but a better combination of networks "
        "fits the budgets without it."
    ),
    "join": lambda: _(
        "Value %(value)s clears the join bar (%(bar)s) by %(margin)s, more than the cost of "
        "joining (%(cost)s)."
    ),
    "stay_strong": lambda: _(
        "Value %(value)s is at or above the join bar (%(bar)s): worth keeping."
    ),
    "stay": lambda: _(
        "Value %(value)s is at or above the leave bar (%(leave)s) but below the join bar "
        "(%(join)s): not strong enough to join today, but worth keeping."
    ),
}

_NEEDS: dict[str, Callable[[], str]] = {
    "fee": lambda: _("%(amount)s a year where the fee budget has %(left)s left"),
    "travel": lambda: _("%(amount)s of travel a year where the travel budget has %(left)s left"),
    "hours": lambda: _("%(amount)s of staff time a year where %(left)s are left"),
}
_FREED: dict[str, Callable[[], str]] = {
    "fee": lambda: "%(amount)s",
    "travel": lambda: _("%(amount)s of travel"),
    "hours": lambda: "%(amount)s",
}
_NUMBERS = ("value", "bar", "margin", "cost", "partner_value", "gain", "penalty", "leave", "join")


def explanation(message: Message | None, fallback: str = "") -> str:
    """A row's explanation in the current locale (English: the core's own sentence)."""
    if message is None:
        return fallback
    if current_locale() == "en" or message.code not in _SENTENCES:
        return message.text
    p = message.params
    fields: dict[str, str] = {k: v for k, v in p.items() if isinstance(v, str)}
    for key in _NUMBERS:
        if key in fields:
            fields[key] = number(fields[key])
    for key in ("coverage", "threshold"):
        if key in fields:
            fields[key] = number(fields[key])
    for key in ("notice_by", "exit_on"):
        if key in fields:
            fields[key] = _day(fields[key])
    if "reason_list" in p:
        fields["reasons"] = "; ".join(r.rstrip(". ") for r in p["reason_list"]) or _(
            "a condition of the network is not met"
        )
    if message.code.startswith("over_budget"):
        currency = str(p.get("currency", "EUR"))
        fields["needs"] = join_list(
            [
                _NEEDS[kind]()
                % {"amount": _amount(kind, n, currency), "left": _amount(kind, left, currency)}
                for kind, n, left in p.get("need_list", [])
            ]
        )
        fields["freed"] = join_list(
            [
                _FREED[kind]() % {"amount": _amount(kind, n, currency)}
                for kind, n in p.get("freed_list", [])
            ]
        )
        joins = [f"{name} ({number(value)})" for name, value in p.get("join_list", [])]
        fields["joins"] = (
            _(", used instead to join %(networks)s", networks=join_list(joins)) if joins else ""
        )
    return _SENTENCES[message.code]() % fields


def flag_text(flag: Flag, titles: Mapping[str, str] | None = None) -> str:
    """A flag's message in the current locale (English: the core's own words)."""
    if current_locale() == "en":
        return flag.message
    p = flag.params
    titles = titles or {}
    code = flag.code
    if code == "re-engage" and "value" in p:
        return _(
            "passive membership with a value (%(value)s) at or above the join bar (%(bar)s): "
            "re-engage",
            value=number(p["value"]),
            bar=number(p["bar"]),
        )
    if code == "uncertain" and "share" in p:
        return _(
            "uncertain: the advice holds in only %(share)s of plausible weightings (fewer than "
            "%(limit)s)",
            share=percent_text(p["share"]),
            limit=percent_text(p["limit"]),
        )
    if code == "assess-first" and "coverage" in p:
        return _(
            "assess first: only %(coverage)s%% of the assessed weight has scores (threshold "
            "%(threshold)s%%)",
            coverage=p["coverage"],
            threshold=p["threshold"],
        )
    if code == "eligibility-unknown":
        if p.get("member"):
            return _("a condition of this network is not confirmed for the city: check it")
        return _("eligibility not confirmed: check before joining")
    if code == "disputed" and "disputes" in p:
        listed = ", ".join(
            _(
                "%(criterion)s (%(low)s to %(high)s)",
                criterion=titles.get(key, key),
                low=f"{low:g}",
                high=f"{high:g}",
            )
            for key, low, high in p["disputes"]
        )
        return _("assessors differ by 2 points or more on %(criteria)s", criteria=listed)
    if code == "missing-scores" and "count" in p:
        from app.i18n import ngettext

        return ngettext(
            "%(num)s missing score: counted at the scale midpoint and sampled over the whole "
            "scale in the robustness check",
            "%(num)s missing scores: counted at the scale midpoint and sampled over the whole "
            "scale in the robustness check",
            int(p["count"]),
        )
    if code == "notice":
        if "renews_on" in p:
            return _(
                "renews on %(date)s; notice period unknown: check the statutes",
                date=_day(p["renews_on"]),
            )
        if p.get("missed"):
            return _(
                "the notice deadline for the renewal on %(renewal)s (%(deadline)s) has passed, "
                "so the fee year from %(renewal)s is committed; give notice by %(notice_by)s to "
                "leave on %(exit_on)s",
                renewal=_day(p["committed_from"]),
                deadline=_day(p["missed_deadline"]),
                notice_by=_day(p["notice_by"]),
                exit_on=_day(p["exit_on"]),
            )
        if "notice_by" in p:
            return _(
                "give notice by %(notice_by)s to leave at the renewal on %(exit_on)s",
                notice_by=_day(p["notice_by"]),
                exit_on=_day(p["exit_on"]),
            )
    return flag.message


def robustness_text(rec: Recommendation) -> str:
    """The row's robustness in plain words, in the current locale."""
    if current_locale() == "en":
        return rec.robustness_sentence
    if rec.robustness_level is None or rec.action_stability is None:
        if rec.robustness_sentence.startswith("Not sampled"):
            return _("Not sampled: there are too few scores to judge this network yet.")
        return _("The advice does not depend on the weights.")
    words = {
        "stable": _("Stable"),
        "fairly_stable": _("Fairly stable"),
        "uncertain": _("Uncertain"),
    }
    assert set(words) == set(LEVEL_WORDS)
    from scoring.recommend import percent

    return _(
        "%(level)s: the advice holds in %(share)s of plausible weightings.",
        level=words[rec.robustness_level],
        share=percent_text(percent(rec.action_stability)),
    )


def action_label(action: str | None) -> str:
    """The recommended or decided action in words (current locale)."""
    labels = {
        "join": _("Join"),
        "stay": _("Stay"),
        "leave": _("Leave"),
        "at_risk": _("At risk"),
        "assess_first": _("Assess first"),
        "not_recommended": _("Not recommended"),
        "not_eligible": _("Not eligible"),
        "not_join": _("Do not join"),
        "defer": _("Defer"),
    }
    if action is None:
        return _("None")
    return labels.get(action, action)


def reason_text(reason: Reason, titles: Mapping[str, str]) -> str:
    """A strength or weakness in the current locale, naming the criterion by ``titles``.

    The same figures as the core's sentence: the criterion's value points and how far they
    are above or below a middling network (a score of 3), one decimal each.
    """
    title = titles.get(reason.criterion, reason.criterion)
    points = number(f"{reason.contribution * 100:.1f}")
    gap = number(f"{abs(reason.versus_average) * 100:.1f}")
    if reason.versus_average > 0:
        return _(
            "%(criterion)s: %(points)s value points, %(gap)s more than a middling network",
            criterion=title,
            points=points,
            gap=gap,
        )
    return _(
        "%(criterion)s: %(points)s value points, %(gap)s less than a middling network",
        criterion=title,
        points=points,
        gap=gap,
    )


def interval_text(
    interval: StabilityInterval, criterion_title: str, names: Mapping[str, str] | None = None
) -> str:
    """`scoring.robustness.describe_interval` in the current locale (English: the core's)."""
    if current_locale() == "en":
        return describe_interval(interval, criterion_title, names)
    names = names or {}

    def who(value: str) -> str:
        action = value.lower()
        if action in _ACTION_CODES:
            return action_label(action).upper()
        return names.get(value, value)

    target = who(interval.target)
    changes_to = who(interval.changes_to)
    now = format_share(interval.current)
    low = interval.low > 0 and bool(interval.changes_to_low)
    high = interval.high < 1 and bool(interval.changes_to_high)
    if interval.holds == "top":
        subject = _("The top network stays %(network)s", network=target)
    elif interval.holds == "rank":
        subject = _("%(network)s keeps its place in the ranking", network=target)
    else:
        subject = _("%(action)s %(network)s holds", action=who(interval.holds), network=target)
    if not (low or high):
        return _(
            "%(subject)s whatever weight %(criterion)s gets (now %(now)s).",
            subject=subject,
            criterion=criterion_title,
            now=now,
        )
    if low and high:
        limits = _(
            "less than %(low)s or more than %(high)s",
            low=format_share(interval.low),
            high=format_share(interval.high),
        )
    elif low:
        limits = _("less than %(low)s", low=format_share(interval.low))
    else:
        limits = _("more than %(high)s", high=format_share(interval.high))
    sentence = _(
        "%(subject)s unless %(criterion)s weighs %(limits)s (now %(now)s)",
        subject=subject,
        criterion=criterion_title,
        limits=limits,
        now=now,
    )
    if interval.changes_to:
        if interval.holds == "top":
            then = _("then %(network)s would lead", network=changes_to)
        elif interval.holds == "rank":
            then = _("then %(network)s would overtake or fall behind it", network=changes_to)
        else:
            then = _("then the action would become %(action)s", action=changes_to)
        sentence = _("%(sentence)s; %(then)s", sentence=sentence, then=then)
    return _("%(sentence)s.", sentence=sentence)


_ACTION_CODES = frozenset(
    {"join", "stay", "leave", "at_risk", "assess_first", "not_recommended", "not_eligible"}
)


def engagement_label(engagement: str | None) -> str:
    """How actively the city takes part in a network, in words (empty when not recorded)."""
    if not engagement:
        return ""
    return {"active": _("active"), "passive": _("passive")}.get(engagement, engagement)
