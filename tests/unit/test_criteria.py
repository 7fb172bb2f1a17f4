"""Unit tests for criteria models, framework files and workspace extensions."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
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
CONTEXT = ("thematic_fit", "annual_fee", "staff_time")
SEED_ARTICLE = Path("/work/shared/seeds/000_171eac752c2adbfc.txt")

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
    fit, fee, staff = (fw.criterion(k) for k in CONTEXT)
    assert (fit.kind, fit.direction, fit.group) == (
        CriterionKind.COMPUTED,
        Direction.BENEFIT,
        CriterionGroup.CONTEXT,
    )
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


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="the seed article is not on this machine")
def test_framework_wording_copies_no_run_of_six_words_from_the_source() -> None:
    def words(text: str) -> list[str]:
        return re.findall(r"[a-z']+", text.lower())

    n = 6  # words; short shared phrases ("levels of government") are unavoidable
    source = words(SEED_ARTICLE.read_text(encoding="utf-8"))
    source_runs = {tuple(source[i : i + n]) for i in range(len(source) - n + 1)}
    fw = default_framework()
    texts = [fw.title, fw.description, *(g.description for g in fw.gates)]
    for c in fw.criteria:
        texts += [c.title, c.description, *c.questions, *c.anchors.values(), *c.evidence_examples]

    copied = [
        text
        for text in texts
        for i in range(len(words(text)) - n + 1)
        if tuple(words(text)[i : i + n]) in source_runs
    ]

    assert copied == []


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
    path = write_broken(tmp_path, lambda d: d["criteria"][12].update(anchors={1: "Cheap"}))

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
