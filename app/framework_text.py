"""The criteria framework's text in the reader's language.

Frameworks are YAML data in `criteria/frameworks/` (written in English). Their titles,
descriptions, questions, anchors, guidance and evidence examples are translatable like any
other string: `extract_framework` is a Babel extraction method (see babel.cfg) that feeds every
text of the YAML files into the catalogues, and `localized` returns a framework whose texts are
those translations in the current locale. A workspace's own criteria are the city's words: they
are not in the catalogues and stay as written.

The scoring core keeps the English framework (its sentences are translated by code in
`app.views.advice`); pages and reports show `localized(framework)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from app.i18n import current_locale, gettext
from criteria import Framework
from criteria.model import Criterion, EligibilityGate, Guidance

__all__ = ["extract_framework", "localized", "titles"]

_TEXT_KEYS = {
    "title",
    "description",
    "questions",
    "anchors",
    "evidence_examples",
    "member",
    "candidate",
    "candidate_evidence",
    "distinct_from",
    "partial_match",
    "candidates",
    "missing",
    "changes",
}
"""YAML keys whose values (strings, lists or mappings of strings) are shown to people."""


def _strings(node: Any, key: str | None) -> Iterator[str]:
    if isinstance(node, str):
        if key in _TEXT_KEYS:
            yield node.strip()
        return
    if isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
        return
    if isinstance(node, dict):
        for child_key, value in node.items():
            if key in _TEXT_KEYS and isinstance(value, str):  # anchors, distinct_from
                yield value.strip()
            else:
                yield from _strings(value, str(child_key))


def extract_framework(
    fileobj: IO[bytes],
    keywords: Any,
    comment_tags: Any,
    options: Any,
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for framework YAML files: every text a person reads.

    Babel passes keywords, comment tags and options; YAML has no function calls or comments to
    use them for. Line numbers are not tracked (the catalogues are written without locations).
    """
    del keywords, comment_tags, options
    data = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    seen: set[str] = set()
    for text in _strings(data, None):
        if text and text not in seen:
            seen.add(text)
            yield 0, "_", " ".join(text.split()), []


def _t(text: str) -> str:
    if not text:
        return text
    message = " ".join(text.split())
    return gettext(message)


def _criterion(criterion: Criterion) -> Criterion:
    guidance = criterion.guidance
    if guidance is not None:
        guidance = Guidance(
            member=_t(guidance.member),
            candidate=_t(guidance.candidate),
            candidate_evidence=tuple(_t(x) for x in guidance.candidate_evidence),
        )
    return criterion.model_copy(
        update={
            "title": _t(criterion.title),
            "description": _t(criterion.description),
            "questions": tuple(_t(q) for q in criterion.questions),
            "anchors": {k: _t(v) for k, v in criterion.anchors.items()},
            "evidence_examples": tuple(_t(x) for x in criterion.evidence_examples),
            "guidance": guidance,
            "distinct_from": {k: _t(v) for k, v in criterion.distinct_from.items()},
        }
    )


def _gate(gate: EligibilityGate) -> EligibilityGate:
    return gate.model_copy(update={"title": _t(gate.title), "description": _t(gate.description)})


def localized(framework: Framework) -> Framework:
    """The framework with every text in the current locale (English: the framework itself)."""
    if current_locale() == "en":
        return framework
    rules = framework.scoring_rules
    if rules is not None:
        rules = rules.model_copy(
            update={
                "partial_match": _t(rules.partial_match),
                "candidates": _t(rules.candidates),
                "missing": _t(rules.missing),
            }
        )
    return framework.model_copy(
        update={
            "title": _t(framework.title),
            "description": _t(framework.description),
            "scoring_rules": rules,
            "criteria": tuple(_criterion(c) for c in framework.criteria),
            "gates": tuple(_gate(g) for g in framework.gates),
        }
    )


def titles(framework: Framework) -> dict[str, str]:
    """Each criterion's title in the current locale, by key (the workspace's own as written)."""
    if current_locale() == "en":
        return {c.key: c.title for c in framework.criteria}
    return {c.key: _t(c.title) for c in framework.criteria}
