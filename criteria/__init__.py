"""What is judged: criteria, frameworks and eligibility gates.

The functional core's vocabulary. Frameworks are data (versioned YAML files under
``criteria/frameworks/``) validated by frozen Pydantic models; eligibility gates are evaluated
by plain functions over frozen dataclasses. Nothing here knows HTTP, SQL or templates, and
nothing here imports `scoring` or `app`.

>>> from criteria import default_framework
>>> default_framework().assessed_keys[:3]
('relevant_agenda', 'sharp_focus', 'perceived_usefulness')
"""

from criteria.citations import (
    CATALOGUE_SOURCE,
    SEED_SOURCE,
    URL_SOURCE,
    describe_source,
    is_source,
)
from criteria.errors import CriteriaError, FrameworkError
from criteria.families import (
    RELATION_SENTENCES,
    RULE_SENTENCES,
    FamilyLink,
    MembershipRule,
    Relation,
    check_requirements,
    family_link,
    implied_memberships,
    parse_family_link,
    relatives,
    required_memberships,
    same_family,
)
from criteria.frameworks import (
    DEFAULT_FRAMEWORK_FILE,
    default_framework,
    extend_framework,
    framework_from_yaml,
    load_framework,
)
from criteria.functions import (
    FUNCTION_KEYS,
    FUNCTIONS,
    SERVICE_FUNCTIONS,
    NetworkFunction,
    function_of,
    parse_function_needs,
)
from criteria.gates import (
    CITY_REGIONS,
    INCOME_GROUPS,
    CityFacts,
    GateResult,
    IncomeGroup,
    NetworkFacts,
    evaluate_gates,
    evaluate_rules,
    is_eligible,
    region_admits,
)
from criteria.model import (
    KEY_PATTERN,
    SCALE,
    SCORE_UNIT,
    Criterion,
    CriterionGroup,
    CriterionKind,
    Direction,
    EligibilityGate,
    EligibilityRule,
    Framework,
    GateRule,
    Guidance,
    RuleKind,
    ScoringRules,
    VersionNote,
)
from criteria.parsing import parse_criterion, parse_framework, parse_gate, parse_rule

__all__ = [
    "CATALOGUE_SOURCE",
    "CITY_REGIONS",
    "DEFAULT_FRAMEWORK_FILE",
    "FUNCTIONS",
    "FUNCTION_KEYS",
    "INCOME_GROUPS",
    "KEY_PATTERN",
    "RELATION_SENTENCES",
    "RULE_SENTENCES",
    "SCALE",
    "SCORE_UNIT",
    "SEED_SOURCE",
    "SERVICE_FUNCTIONS",
    "URL_SOURCE",
    "CityFacts",
    "CriteriaError",
    "Criterion",
    "CriterionGroup",
    "CriterionKind",
    "Direction",
    "EligibilityGate",
    "EligibilityRule",
    "FamilyLink",
    "Framework",
    "FrameworkError",
    "GateResult",
    "GateRule",
    "Guidance",
    "IncomeGroup",
    "MembershipRule",
    "NetworkFacts",
    "NetworkFunction",
    "Relation",
    "RuleKind",
    "ScoringRules",
    "VersionNote",
    "check_requirements",
    "default_framework",
    "describe_source",
    "evaluate_gates",
    "evaluate_rules",
    "extend_framework",
    "family_link",
    "framework_from_yaml",
    "function_of",
    "implied_memberships",
    "is_eligible",
    "is_source",
    "load_framework",
    "parse_criterion",
    "parse_family_link",
    "parse_framework",
    "parse_function_needs",
    "parse_gate",
    "parse_rule",
    "region_admits",
    "relatives",
    "required_memberships",
    "same_family",
]
