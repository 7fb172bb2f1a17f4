"""The core's sentences in Spanish and French: every code has a template with the same fields,
and translating any analysis's rows leaves no field unfilled."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from app.i18n import use_locale
from app.views import advice
from scoring.analysis import Problem, analyse
from scoring.recommend import SENTENCES
from tests.unit.test_advice_properties import problems

FIELD = re.compile(r"%\((\w+)\)s")


def test_every_core_sentence_has_a_translatable_template_with_the_same_fields() -> None:
    assert set(advice._SENTENCES) == set(SENTENCES)
    for code, english in SENTENCES.items():
        assert set(FIELD.findall(advice._SENTENCES[code]())) == set(FIELD.findall(english)), code


@pytest.mark.parametrize("locale", ["es", "fr"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_any_analysis_reads_in_spanish_and_french(locale: str, problem: Problem) -> None:
    result = analyse(problem)
    with use_locale(locale):
        for rec in result.recommendations:
            for text in (
                advice.explanation(rec.message),
                advice.robustness_text(rec),
                *(advice.flag_text(f) for f in rec.flags),
            ):
                assert "%(" not in text
                assert text
            if rec.message is not None and rec.message.code.startswith("below"):
                assert "," in advice.explanation(rec.message)  # 0,45 not 0.45


def test_english_is_the_core_text() -> None:
    # With the English locale the translator returns the core's own sentence.
    from scoring.recommend import Message
    from tests.unit.test_advice_properties import CRITERIA, TODAY  # noqa: F401

    message = Message(
        "below_leave_bar",
        "Value 0.30 is below the leave bar (0.45).",
        {"value": "0.30", "bar": "0.45"},
    )
    assert advice.explanation(message) == message.text
    with use_locale("fr"):
        assert (
            advice.explanation(message)
            == "La valeur 0,30 est inférieure au seuil de départ (0,45)."
        )


def test_percentages_follow_the_locale() -> None:
    from app.i18n import use_locale
    from app.views.advice import percent_text

    assert percent_text("69.5%") == "69.5%"
    with use_locale("fr"):
        assert percent_text("69.5%") == "69,5\u00a0%"
        assert percent_text(">99%") == ">99\u00a0%"
    with use_locale("es"):
        assert percent_text("100%") == "100\u00a0%"
