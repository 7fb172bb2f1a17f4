"""Unit tests for criteria models, framework files and workspace extensions."""

from __future__ import annotations

import copy
import hashlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import (
    SCALE,
    CriteriaError,
    Criterion,
    CriterionGroup,
    CriterionKind,
    Direction,
    EligibilityGate,
    Framework,
    FrameworkError,
    GateRule,
    default_framework,
    extend_framework,
    load_framework,
    parse_criterion,
    parse_framework,
    parse_gate,
)

CHECKLIST = (
    "relevant_agenda",
    "sharp_focus",
    "perceived_usefulness",
    "cross_learning",
    "light_governance",
    "complementarity",
    "political_leadership",
    "professional_secretariat",
    "openness_inclusion",
    "sustainability",
    "accountability_impact",
)
CONTEXT = ("thematic_fit", "function_fit", "annual_fee", "staff_time")
SEED_DIR = Path(os.environ.get("NC_SEED_DIR", "/work/shared/seeds"))
SEED_ARTICLE = SEED_DIR / "000_171eac752c2adbfc.txt"
SEED_RUNS = Path(__file__).parent / "data" / "seed_six_word_runs.bin"
"""A fingerprint of the seed documents shipped with the tests (they are not ours to ship): the
sorted 5-byte BLAKE2b digests of every run of six words in them, so the no-copying test runs
everywhere. Rebuild it with `python tests/unit/test_criteria.py` where the seeds are."""
RUN_WORDS = 6  # words; short shared phrases ("levels of government") are unavoidable
DIGEST = 5

Data = dict[str, Any]


def default_data() -> Data:
    text = resources.files("criteria.frameworks").joinpath("ideal-network.yaml").read_text("utf-8")
    data: Data = yaml.safe_load(text)
    return data


def eu_funding(**changes: Any) -> Data:
    data: Data = {
        "key": "eu_funding",
        "title": "Access to EU funding",
        "description": "Whether the membership helps the city reach EU programmes.",
        "questions": ["Did the network help a funding bid?", "Does it run EU-funded projects?"],
        "anchors": {1: "Never", 2: "Once", 3: "Some bids", 4: "Several bids", 5: "Decisive"},
    }
    data.update(changes)
    return data


def write_broken(tmp_path: Path, change: Callable[[Data], object]) -> Path:
    data = default_data()
    change(data)
    path = tmp_path / "ideal-network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def framework_error(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    return info.value


# ---- The default framework ----------------------------------------------------------------


def test_default_framework_has_the_checklist_then_context_in_order() -> None:
    fw = default_framework()

    assert fw.key == "ideal-network"
    assert re.fullmatch(r"\d+\.\d+\.\d+", fw.version)
    assert fw.keys == CHECKLIST + CONTEXT
    assert fw.assessed_keys == CHECKLIST


def test_default_framework_kinds_directions_groups_and_units() -> None:
    fw = default_framework()

    for key in CHECKLIST:
        c = fw.criterion(key)
        assert (c.kind, c.direction, c.group, c.unit) == (
            CriterionKind.ASSESSED,
            Direction.BENEFIT,
            CriterionGroup.CHECKLIST,
            "score 1-5",
        )
    fit, functions, fee, staff = (fw.criterion(k) for k in CONTEXT)
    for computed in (fit, functions):
        assert (computed.kind, computed.direction, computed.group) == (
            CriterionKind.COMPUTED,
            Direction.BENEFIT,
            CriterionGroup.CONTEXT,
        )
    assert fw.keys_of(CriterionKind.COMPUTED) == ("thematic_fit", "function_fit")
    assert (fee.kind, fee.direction, fee.unit) == (
        CriterionKind.FACT,
        Direction.COST,
        "currency/year",
    )
    assert (staff.kind, staff.direction, staff.unit) == (
        CriterionKind.FACT,
        Direction.COST,
        "hours/year",
    )
    assert fw.keys_of(CriterionKind.FACT) == ("annual_fee", "staff_time")


def test_every_scored_criterion_has_five_one_line_anchors_and_two_to_four_questions() -> None:
    for c in default_framework().criteria:
        assert 2 <= len(c.questions) <= 4, c.key
        assert 2 <= len(c.evidence_examples) <= 4, c.key
        assert c.title, c.key
        assert c.description, c.key
        if c.kind is CriterionKind.FACT:
            assert c.anchors == {}, c.key
        else:
            assert tuple(c.anchors) == SCALE, c.key
            assert all(a and "\n" not in a for a in c.anchors.values()), c.key
            assert len(set(c.anchors.values())) == 5, c.key  # each point says something new


def test_complementarity_anchors_refer_to_the_citys_other_memberships() -> None:
    c = default_framework().criterion("complementarity")

    assert all("membership" in c.anchors[p] for p in (1, 2, 3, 4, 5))
    assert "Jaccard" in c.description


def test_default_framework_cites_its_source_and_has_the_two_gates() -> None:
    fw = default_framework()

    assert "Fernández de Losada" in fw.source
    assert "CIDOB" in fw.source
    assert "2022" in fw.source
    assert "own wording" in fw.source
    assert [(g.key, g.rule) for g in fw.gates] == [
        ("active_network", GateRule.ACTIVE_NETWORK),
        ("region_match", GateRule.REGION_MATCH),
    ]


def test_default_framework_is_cached_and_frozen() -> None:
    fw = default_framework()

    assert default_framework() is fw
    with pytest.raises(ValueError, match="frozen"):
        fw.version = "9.9.9"  # type: ignore[misc]


def framework_texts() -> list[str]:
    """Every sentence of the default framework a person reads (not the citation itself)."""
    fw = default_framework()
    texts = [fw.title, fw.description, *(g.description for g in fw.gates)]
    assert fw.scoring_rules is not None
    rules = fw.scoring_rules
    texts += [rules.partial_match, rules.candidates, rules.missing]
    texts += [change for note in fw.history for change in note.changes]
    for c in fw.criteria:
        texts += [c.title, c.description, *c.questions, *c.anchors.values(), *c.evidence_examples]
        texts += list(c.distinct_from.values())
        if c.guidance is not None:
            texts += [c.guidance.member, c.guidance.candidate, *c.guidance.candidate_evidence]
    return texts


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _digest(run: Sequence[str]) -> bytes:
    return hashlib.blake2b(" ".join(run).encode(), digest_size=DIGEST).digest()


def _runs(words: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + RUN_WORDS]) for i in range(len(words) - RUN_WORDS + 1)]


def seed_fingerprint(seed_dir: Path) -> bytes:
    """The fingerprint of the seed documents in `seed_dir` (see `SEED_RUNS`)."""
    source: list[str] = []
    for document in sorted(seed_dir.glob("0*.txt")):  # the article, the other seeds
        source += ["|", *_words(document.read_text(encoding="utf-8"))]
    return b"".join(sorted({_digest(run) for run in _runs(source)}))


def _shipped_runs() -> set[bytes]:
    data = SEED_RUNS.read_bytes()
    assert data, f"{SEED_RUNS} is empty"
    assert len(data) % DIGEST == 0, f"{SEED_RUNS} is damaged"
    return {data[i : i + DIGEST] for i in range(0, len(data), DIGEST)}


def test_framework_wording_copies_no_run_of_six_words_from_the_source() -> None:
    """Runs everywhere (CI too) against the shipped fingerprint of the seed documents."""
    source_runs = _shipped_runs()
    assert len(source_runs) > 10_000  # every seed document, not an empty or partial file
    copied = [
        " ".join(run)
        for text in framework_texts()
        for run in _runs(_words(text))
        if _digest(run) in source_runs
    ]
    assert copied == []


def test_the_fingerprint_finds_a_copied_sentence() -> None:
    """The check can fail: the article's first sentence, copied into a text, is found, and a
    sentence of our own is not."""
    source_runs = _shipped_runs()
    copied = "As the article says, cities today as legitimate actors of the international system."
    own = "A network's secretariat answers the city's questions within a week."
    assert [r for r in _runs(_words(copied)) if _digest(r) in source_runs] != []
    assert [r for r in _runs(_words(own)) if _digest(r) in source_runs] == []


@pytest.mark.skipif(
    not SEED_ARTICLE.exists(),
    reason="the seed documents are not on this machine: the shipped fingerprint (which the "
    "no-copying test uses everywhere) is not re-checked against them",
)
def test_the_shipped_fingerprint_matches_the_seed_documents() -> None:
    assert SEED_RUNS.read_bytes() == seed_fingerprint(SEED_DIR), "rebuild the fingerprint"


# ---- Version 1.1.0: members and candidates, partial matches, distinctions, function fit ------

MEMBERSHIP_PRESUMED = re.compile(
    r"\bthe city (has|had|runs|obtained|cannot|relies|is paired)\b|\bthe membership\b"
    r"|\bsince joining\b|\bknows the city\b|\bthe city's needs\b",
    re.IGNORECASE,
)


def test_version_is_1_1_0_and_the_history_says_what_changed() -> None:
    fw = default_framework()

    assert fw.version == "1.1.0"
    assert [note.version for note in fw.history] == ["1.1.0", "1.0.0"]
    changes = " ".join(fw.history[0].changes)
    for words in ("candidate", "only part of an anchor", "Thematic fit", "Function fit"):
        assert words.lower() in changes.lower(), words


def test_no_anchor_presumes_that_the_city_is_already_a_member() -> None:
    for c in default_framework().criteria:
        for point, anchor in c.anchors.items():
            assert not MEMBERSHIP_PRESUMED.search(anchor), f"{c.key} {point}: {anchor}"


def test_the_membership_pattern_does_catch_the_old_wording() -> None:
    old = "The city cannot name a single result of the membership from the last two years."
    assert MEMBERSHIP_PRESUMED.search(old)


def test_every_checklist_criterion_guides_members_and_candidates() -> None:
    fw = default_framework()
    for key in CHECKLIST:
        g = fw.criterion(key).guidance
        assert g is not None, key
        assert g.member != g.candidate, key
        assert 1 <= len(g.candidate_evidence) <= 6, key
        assert g.for_status("member") == g.member
        assert g.for_status("candidate") == g.candidate
        assert g.for_status("former") == g.candidate
    # Taken together, candidates are sent to the three kinds of evidence the issue names.
    candidate_text = " ".join(
        f"{fw.criterion(k).guidance.candidate} {' '.join(fw.criterion(k).guidance.candidate_evidence)}"  # type: ignore[union-attr]
        for k in CHECKLIST
    ).lower()
    for kind in ("peer cit", "report", "statutes", "minutes", "accounts"):
        assert kind in candidate_text, kind
    assert all(fw.criterion(k).guidance is None for k in CONTEXT)


def test_scoring_rules_cover_partial_matches_candidates_and_missing_scores() -> None:
    rules = default_framework().scoring_rules

    assert rules is not None
    assert "highest point" in rules.partial_match
    assert "point below" in rules.partial_match
    assert "same anchors" in rules.candidates
    assert "missing" in rules.missing


def test_relevant_agenda_and_thematic_fit_say_how_they_differ() -> None:
    fw = default_framework()
    agenda, fit, functions = (
        fw.criterion(k) for k in ("relevant_agenda", "thematic_fit", "function_fit")
    )

    assert agenda.kind is CriterionKind.ASSESSED
    assert fit.kind is CriterionKind.COMPUTED
    assert "Thematic fit" in agenda.distinct_from["thematic_fit"]
    assert "Relevant agenda" in fit.distinct_from["relevant_agenda"]
    assert set(functions.distinct_from) == {"thematic_fit", "perceived_usefulness"}


def test_function_fit_follows_thematic_fit_with_share_anchors() -> None:
    fw = default_framework()
    c = fw.criterion("function_fit")

    assert fw.keys.index("function_fit") == fw.keys.index("thematic_fit") + 1
    assert "1 + 4 x the share" in c.description
    assert "0%" in c.anchors[1]
    assert "100%" in c.anchors[5]


def test_checklist_criterion_without_guidance_is_rejected(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][2].pop("guidance"))

    assert "criterion 'perceived_usefulness', field 'guidance': every checklist criterion" in str(
        framework_error(path)
    )


def test_guidance_on_a_computed_criterion_is_rejected(tmp_path: Path) -> None:
    guidance = default_data()["criteria"][0]["guidance"]
    path = write_broken(tmp_path, lambda d: d["criteria"][11].update(guidance=guidance))

    assert "criterion 'thematic_fit', field 'guidance': guidance tells assessors" in str(
        framework_error(path)
    )


def test_guidance_needs_both_texts_and_some_evidence(tmp_path: Path) -> None:
    def change(d: Data) -> None:
        d["criteria"][0]["guidance"].pop("candidate")
        d["criteria"][1]["guidance"]["candidate_evidence"] = []

    message = str(framework_error(write_broken(tmp_path, change)))

    assert "criterion 'relevant_agenda', field 'guidance.candidate': is required" in message
    assert "criterion 'sharp_focus', field 'guidance.candidate_evidence': lists 0 places" in message


def test_distinct_from_must_name_another_criterion(tmp_path: Path) -> None:
    unknown = write_broken(
        tmp_path, lambda d: d["criteria"][0]["distinct_from"].update(thematic_fitt="typo")
    )
    assert "'thematic_fitt' is not a criterion of this framework" in str(framework_error(unknown))

    itself = write_broken(
        tmp_path, lambda d: d["criteria"][0]["distinct_from"].update(relevant_agenda="me")
    )
    assert "cannot be told apart from itself" in str(framework_error(itself))


def test_history_must_start_with_the_current_version(tmp_path: Path) -> None:
    stale = write_broken(tmp_path, lambda d: d.update(version="1.2.0"))
    assert "the newest entry (1.1.0) must be the framework's version (1.2.0)" in str(
        framework_error(stale)
    )

    twice = write_broken(tmp_path, lambda d: d["history"].append(d["history"][0]))
    assert "'1.1.0' is used by more than one version note" in str(framework_error(twice))

    empty = write_broken(tmp_path, lambda d: d["history"][1].update(changes=[]))
    assert "field 'history', item 2" in str(framework_error(empty))


def test_scoring_rules_reject_unknown_and_missing_fields(tmp_path: Path) -> None:
    def change(d: Data) -> None:
        d["scoring_rules"].pop("missing")
        d["scoring_rules"]["rounding"] = "up"

    message = str(framework_error(write_broken(tmp_path, change)))

    assert "field 'scoring_rules.missing': is required but missing" in message
    assert "field 'scoring_rules.rounding': is not a known field" in message


def test_framework_without_the_new_fields_still_loads(tmp_path: Path) -> None:
    """Older or third-party files without guidance, rules or history stay valid."""

    def strip(d: Data) -> None:
        for key in ("scoring_rules", "history"):
            d.pop(key)
        d["criteria"] = [
            {k: v for k, v in c.items() if k not in ("guidance", "distinct_from")}
            | ({"group": "custom"} if c["group"] == "checklist" else {})
            for c in d["criteria"]
        ]

    fw = load_framework(write_broken(tmp_path, strip))

    assert fw.scoring_rules is None
    assert fw.history == ()
    assert fw.criterion("relevant_agenda").guidance is None


def test_lookup_of_an_unknown_criterion_names_it() -> None:
    with pytest.raises(CriteriaError, match="no criterion 'nope'"):
        default_framework().criterion("nope")
    with pytest.raises(CriteriaError, match="no eligibility gate 'nope'"):
        default_framework().gate("nope")


# ---- Broken framework files ---------------------------------------------------------------


def test_missing_anchor_names_file_criterion_field_and_point(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][1]["anchors"].pop(4))

    err = framework_error(path)

    assert str(err) == (
        "ideal-network.yaml: criterion 'sharp_focus', field 'anchors': scale point 4 has no anchor"
    )
    assert err.fields == {"criteria.sharp_focus.anchors": "scale point 4 has no anchor"}


def test_anchor_outside_the_scale_is_rejected(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][0]["anchors"].update({6: "Beyond"}))

    assert "criterion 'relevant_agenda', field 'anchors': scale point 6 is outside" in str(
        framework_error(path)
    )


def test_fact_criterion_with_anchors_is_rejected(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][13].update(anchors={1: "Cheap"}))

    assert "criterion 'annual_fee', field 'anchors': a fact criterion" in str(framework_error(path))


def test_duplicate_criterion_key_names_both_positions(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][2].update(key="sharp_focus"))

    message = str(framework_error(path))

    assert "criterion 'sharp_focus', field 'key'" in message
    assert "used by more than one criterion (positions 2 and 3)" in message


def test_duplicate_gate_key_is_rejected(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["gates"].append(dict(d["gates"][1])))

    assert "gate 'region_match', field 'key': key 'region_match' is used by more than one gate" in (
        str(framework_error(path))
    )


@pytest.mark.parametrize(
    ("questions", "found"),
    [(["Only one?"], 1), (["a?", "b?", "c?", "d?", "e?"], 5), ([], 0)],
)
def test_wrong_number_of_questions(tmp_path: Path, questions: list[str], found: int) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][3].update(questions=questions))

    assert str(framework_error(path)) == (
        "ideal-network.yaml: criterion 'cross_learning', field 'questions': "
        f"needs 2 to 4 guiding questions, found {found}"
    )


def test_bad_direction_lists_the_allowed_values(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][4].update(direction="higher"))

    assert str(framework_error(path)) == (
        "ideal-network.yaml: criterion 'light_governance', field 'direction': "
        "'higher' is not allowed; use 'benefit' or 'cost'"
    )


def test_unknown_field_is_named_with_the_allowed_fields(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][5].update(weight=10))

    message = str(framework_error(path))

    assert message.startswith("ideal-network.yaml: criterion 'complementarity', field 'weight'")
    assert "is not a known field (allowed fields: key, title, description" in message


def test_bad_key_is_reported_by_position(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d["criteria"][6].update(key="Political Leadership"))

    assert str(framework_error(path)) == (
        "ideal-network.yaml: criterion #7, field 'key': 'Political Leadership' is not a valid "
        "key: use 2 to 48 lowercase letters, digits or underscores, starting with a letter"
    )


def test_missing_field_and_several_problems_are_all_reported(tmp_path: Path) -> None:
    def change(d: Data) -> None:
        del d["criteria"][0]["description"]
        d["criteria"][10]["anchors"][2] = ""
        d["version"] = "one"

    lines = str(framework_error(write_broken(tmp_path, change))).splitlines()

    assert lines == [
        "ideal-network.yaml: field 'version': 'one' is not a version number like 1.0.0",
        "ideal-network.yaml: criterion 'relevant_agenda', field 'description': is required but missing",
        "ideal-network.yaml: criterion 'accountability_impact', field 'anchors', scale point 2: "
        "must not be empty",
    ]


def test_yaml_syntax_error_gives_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("key: x1\nversion: 1.0.0\ncriteria:\n  - key: [oops\n", encoding="utf-8")

    message = str(framework_error(path))

    assert message.startswith("broken.yaml: YAML syntax error at line 5")


def test_key_written_twice_in_one_mapping_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("key: a1\ntitle: First\ntitle: Second\n", encoding="utf-8")

    assert str(framework_error(path)) == (
        "twice.yaml: YAML syntax error at line 3, column 1: the key 'title' appears twice"
    )


def test_file_that_is_not_a_mapping_or_missing(tmp_path: Path) -> None:
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")

    assert "list.yaml: a framework file must hold a mapping" in str(framework_error(listing))
    assert "cannot read the file" in str(framework_error(tmp_path / "absent.yaml"))


def test_valid_file_round_trips_through_load_framework(tmp_path: Path) -> None:
    path = write_broken(tmp_path, lambda d: d.update(version="1.1.0"))

    fw = load_framework(path)

    assert fw.version == "1.1.0"
    assert fw.criteria == default_framework().criteria


# ---- User input: parse_criterion / parse_gate ---------------------------------------------


def test_parse_criterion_defaults_to_custom_assessed_benefit() -> None:
    c = parse_criterion(eu_funding())

    assert (c.group, c.kind, c.direction, c.unit) == (
        CriterionGroup.CUSTOM,
        CriterionKind.ASSESSED,
        Direction.BENEFIT,
        "score 1-5",
    )
    assert c.anchors[5] == "Decisive"


def test_parse_criterion_accepts_anchor_keys_written_as_text() -> None:
    data = eu_funding(anchors={"1": "a", "2": "b", "3": "c", "4": "d", "5": "e"})

    assert tuple(parse_criterion(data).anchors) == SCALE


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "x" * 81}, "title", "is longer than 80 characters"),
        ({"questions": ["Why?"]}, "questions", "needs 2 to 4 guiding questions, found 1"),
        ({"kind": "fact", "direction": "cost", "anchors": {}}, "unit", "must state its unit"),
        ({"unit": "EUR"}, "unit", "its unit is 'score 1-5', not 'EUR'"),
        ({"anchors": {1: "a", 2: "b", 3: "c", 5: "e"}}, "anchors", "scale point 4 has no anchor"),
        ({"anchors": {1: "a", 2: "b\nc", 3: "c", 4: "d", 5: "e"}}, "anchors", "single line"),
        ({"evidence_examples": ["e"] * 7}, "evidence_examples", "at most 6 are allowed"),
        ({"colour": "blue"}, "colour", "is not a known field"),
    ],
)
def test_parse_criterion_names_the_bad_field(changes: Data, field: str, message: str) -> None:
    with pytest.raises(CriteriaError) as info:
        parse_criterion(eu_funding(**changes))

    assert not isinstance(info.value, FrameworkError)
    assert str(info.value).startswith(f"criterion 'eu_funding', field '{field}': ")
    assert message in info.value.fields[field]


def test_parse_criterion_without_a_valid_key() -> None:
    with pytest.raises(CriteriaError) as info:
        parse_criterion(eu_funding(key="EU funding!"))

    assert str(info.value).startswith(
        "the criterion, field 'key': 'EU funding!' is not a valid key"
    )
    assert set(info.value.fields) == {"key"}


def test_parse_criterion_rejects_a_non_mapping() -> None:
    with pytest.raises(CriteriaError, match="must be a mapping of fields, found a list"):
        parse_criterion(["eu_funding"])  # type: ignore[arg-type]


def test_parse_gate_manual_by_default_and_bad_rule() -> None:
    gate = parse_gate(
        {
            "key": "eurocities_size",
            "title": "European city over 250,000 inhabitants",
            "description": "Eurocities admits only European cities over 250,000 inhabitants.",
            "applies_to": ["eurocities"],
        }
    )
    assert (gate.rule, gate.applies_to) == (GateRule.MANUAL, ("eurocities",))

    with pytest.raises(CriteriaError) as info:
        parse_gate({"key": "size", "title": "Size", "description": "d", "rule": "vote"})
    assert info.value.fields == {
        "rule": "'vote' is not allowed; use 'manual', 'active_network' or 'region_match'"
    }


def test_parse_framework_from_a_mapping_matches_the_default() -> None:
    assert parse_framework(default_data()) == default_framework()


# ---- Workspace extensions -----------------------------------------------------------------


def test_extend_framework_appends_custom_criteria_and_gates() -> None:
    gate = {"key": "eurocities_size", "title": "Size rule", "description": "Over 250,000."}

    fw = extend_framework(default_framework(), [eu_funding()], [gate])

    assert fw.keys == (*CHECKLIST, *CONTEXT, "eu_funding")
    assert fw.gate_keys == ("active_network", "region_match", "eurocities_size")
    assert (fw.key, fw.version) == ("ideal-network", default_framework().version)
    assert fw.assessed_keys[-1] == "eu_funding"
    assert default_framework().keys == CHECKLIST + CONTEXT  # the original is untouched


def test_extend_framework_accepts_models_and_fact_criteria() -> None:
    travel = Criterion(
        key="travel_cost",
        title="Travel cost",
        description="Travel to network meetings.",
        kind=CriterionKind.FACT,
        direction=Direction.COST,
        unit="currency/year",
        group=CriterionGroup.CONTEXT,
        questions=("How many trips?", "At what cost?"),
    )
    gate = EligibilityGate(key="invited", title="Invitation", description="Members by invitation")

    fw = extend_framework(default_framework(), [travel], [gate])

    assert fw.criterion("travel_cost") is travel
    assert fw.gate("invited") is gate


@pytest.mark.parametrize(
    ("criteria", "gates", "message"),
    [
        ([eu_funding(key="sharp_focus")], [], "custom criterion 'sharp_focus' clashes"),
        ([eu_funding(), eu_funding()], [], "custom criterion 'eu_funding' is given twice"),
        (
            [],
            [{"key": "region_match", "title": "R", "description": "d"}],
            "custom gate 'region_match' clashes",
        ),
        ([eu_funding(kind="computed")], [], "field 'kind': computed criteria are derived"),
        ([eu_funding(group="checklist")], [], "field 'group': the checklist belongs to"),
        ([eu_funding(questions=[])], [], "custom criterion 'eu_funding', field 'questions'"),
        ([], [{"key": "g1", "title": "G"}], "custom gate 'g1', field 'description': is required"),
    ],
)
def test_extend_framework_rejects_clashes_and_bad_items(
    criteria: list[Data], gates: list[Data], message: str
) -> None:
    with pytest.raises(FrameworkError, match=re.escape(message)):
        extend_framework(default_framework(), criteria, gates)


def test_framework_model_rejects_empty_criteria_directly() -> None:
    data = copy.deepcopy(default_data())
    data["criteria"] = []

    with pytest.raises(FrameworkError, match="field 'criteria': a framework needs at least one"):
        parse_framework(data, source="x.yaml")
    assert Framework.model_validate(default_data()).keys == CHECKLIST + CONTEXT


if __name__ == "__main__":  # rebuild the shipped fingerprint from the seed documents
    SEED_RUNS.parent.mkdir(exist_ok=True)
    SEED_RUNS.write_bytes(seed_fingerprint(SEED_DIR))
    sys.stdout.write(f"{SEED_RUNS}: {len(SEED_RUNS.read_bytes()) // DIGEST} runs\n")
