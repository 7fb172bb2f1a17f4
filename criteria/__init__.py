"""What is judged: criteria, frameworks and eligibility gates.

The functional core's vocabulary. Frameworks are data (versioned YAML files under
``criteria/frameworks/``) validated by frozen Pydantic models; eligibility gates are evaluated
by plain functions over frozen dataclasses. Nothing here knows HTTP, SQL or templates, and
nothing here imports `scoring` or `app`.

>>> from criteria import default_framework
>>> default_framework().assessed_keys[:3]
('relevant_agenda', 'sharp_focus', 'perceived_usefulness')
"""

from criteria.errors import CriteriaError, FrameworkError
from criteria.frameworks import (
    DEFAULT_FRAMEWORK_FILE,
    default_framework,
    extend_framework,
    framework_from_yaml,
    load_framework,
)
from criteria.gates import (
    CITY_REGIONS,
    CityFacts,
    GateResult,
    NetworkFacts,
    evaluate_gates,
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
    Framework,
    GateRule,
)
from criteria.parsing import parse_criterion, parse_framework, parse_gate

__all__ = [
    "CITY_REGIONS",
    "DEFAULT_FRAMEWORK_FILE",
    "KEY_PATTERN",
    "SCALE",
    "SCORE_UNIT",
    "CityFacts",
    "CriteriaError",
    "Criterion",
    "CriterionGroup",
    "CriterionKind",
    "Direction",
    "EligibilityGate",
    "Framework",
    "FrameworkError",
    "GateResult",
    "GateRule",
    "NetworkFacts",
    "default_framework",
    "evaluate_gates",
    "extend_framework",
    "framework_from_yaml",
    "is_eligible",
    "load_framework",
    "parse_criterion",
    "parse_framework",
    "parse_gate",
    "region_admits",
]
