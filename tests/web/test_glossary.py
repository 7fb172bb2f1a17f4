"""The glossary: every term in plain words, open to all, in each language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.glossary import TERMS


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Glossary"), ("es", "Glosario"), ("fr", "Glossaire")]
)
def test_the_glossary_lists_every_term(anon_client: TestClient, lang: str, title: str) -> None:
    page = anon_client.get("/glossary", params={"lang": lang})
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.text
    for term in TERMS:
        assert f'id="{term.key}"' in page.text
    assert len({t.key for t in TERMS}) == len(TERMS)
