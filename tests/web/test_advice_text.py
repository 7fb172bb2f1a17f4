"""The demo's advice reads as clean sentences in every scenario: one full stop at the end of
each, no doubled punctuation where the core joins clauses (eligibility reasons, budgets)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.models import Workspace

DOUBLED = re.compile(r"\.\.(?!\.)|\s[.,;:](?!\d)|;\s*\.")


def test_every_demo_sentence_ends_once(client: TestClient, demo: Workspace) -> None:
    scenarios = client.get(f"/api/v1/workspaces/{demo.id}/scenarios").json()
    assert len(scenarios) >= 3
    checked = 0
    for scenario in scenarios:
        body = client.get(
            f"/api/v1/workspaces/{demo.id}/scenarios/{scenario['id']}/analysis"
        ).json()
        for rec in body["recommendations"]:
            for text in (rec["explanation"], rec["robustness"] or ""):
                assert not DOUBLED.search(text), (scenario["name"], rec["network_id"], text)
                checked += 1
    assert checked > 40


def test_eligibility_reasons_are_joined_into_one_sentence(
    client: TestClient, demo: Workspace
) -> None:
    scenarios = client.get(f"/api/v1/workspaces/{demo.id}/scenarios").json()
    body = client.get(
        f"/api/v1/workspaces/{demo.id}/scenarios/{scenarios[0]['id']}/analysis"
    ).json()
    gated = [r for r in body["recommendations"] if r["action"] in ("not_eligible", "at_risk")]
    assert gated, "the demo has a network the city may not join"
    for rec in gated:
        assert rec["explanation"].endswith(".")
        assert not rec["explanation"].endswith(")..")
        assert ".;" not in rec["explanation"]


def test_the_fictional_data_notice_speaks_the_readers_language(
    client: TestClient, demo: Workspace
) -> None:
    english = client.get(f"/workspaces/{demo.id}").text
    assert "Example City is a fictional city" in english  # the owner's own text
    for lang, words in (("es", "cifras inventadas"), ("fr", "chiffres inventés")):
        page = client.get(f"/workspaces/{demo.id}", params={"lang": lang}).text
        assert "Example City is a fictional city" not in page
        assert words in page
