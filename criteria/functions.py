"""The vocabulary of network functions: what a city network does for its members.

This module owns the fixed list of functions a city can say it needs from networks, and that
the catalogue tags each network with (one source per tag, in ``seed_data/network_functions.csv``).
Six functions come from a policy brief on 27 European city networks working on migration, which
found that such networks share information, showcase, tell stories, shame governments, seek
international support and set standards; five more come from the services the catalogue already
records (advocacy, funding access, technical assistance, data and reporting) and from training.
Every definition below is the project's own wording; each function cites where it comes from.

`SERVICE_FUNCTIONS` maps the catalogue's ``main_services`` vocabulary onto these functions, so a
service recorded for a network (with that row's sources) supports the matching function tag.
`parse_function_needs` validates a city's weighted needs (function key -> weight 0-100).

>>> function_of("story_telling").phrase
'story-telling'
>>> SERVICE_FUNCTIONS["knowledge exchange"]
'sharing_information'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from criteria.errors import CriteriaError

__all__ = [
    "FUNCTIONS",
    "FUNCTION_KEYS",
    "MAX_NEED_WEIGHT",
    "SERVICE_FUNCTIONS",
    "SOURCE_CATALOGUE_SERVICES",
    "SOURCE_IDEAL_NETWORK",
    "SOURCE_MIGRATION_BRIEF",
    "NetworkFunction",
    "function_of",
    "parse_function_needs",
]

SOURCE_MIGRATION_BRIEF: Final = (
    "Policy brief on 27 European transnational city networks working on migration and their six "
    "functions, c. 2018 (seed document 004_da95ca42d7112c7f.txt)"
)
SOURCE_CATALOGUE_SERVICES: Final = (
    "The services vocabulary (column main_services) of the project's reference table of city "
    "networks, shared/reference/city_networks.csv"
)
SOURCE_IDEAL_NETWORK: Final = (
    "A. Fernández de Losada and E. Zapata Garesché, \"Towards an 'ideal network' of cities\", "
    "CIDOB notes internacionals 274, May 2022 (seed document 000_171eac752c2adbfc.txt)"
)
MAX_NEED_WEIGHT: Final = 100.0


@dataclass(frozen=True, slots=True)
class NetworkFunction:
    """One function: a stable key, a title, a phrase to use inside a sentence, a definition."""

    key: str
    title: str
    phrase: str
    definition: str
    source: str


FUNCTIONS: Final[tuple[NetworkFunction, ...]] = (
    NetworkFunction(
        "sharing_information",
        "Sharing information",
        "information sharing",
        "The network gathers members' practices, policies and lessons and passes them on, so "
        "that each city can learn from what the others tried.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "showcasing",
        "Showcasing",
        "showcasing",
        "The network gives mayors and their cities a stage on which to present achievements and "
        "positions to peers and to influential outsiders.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "story_telling",
        "Story-telling",
        "story-telling",
        "The network offers narratives (human rights, sustainable development, economic gain, a "
        "city's own history) that local leaders can use to win over sceptical audiences at home.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "shaming",
        "Shaming governments",
        "shaming governments",
        "The network publicly holds national governments, and at times European or international "
        "bodies, to account for not acting or for leaving cities without the means to act.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "seeking_support",
        "Seeking support",
        "seeking international support",
        "The network asks European and international institutions to recognise the part cities "
        "play and to direct political backing and money towards them.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "standard_setting",
        "Standard-setting",
        "standard-setting",
        "The network agrees charters, declarations or common standards that members commit to, "
        "often with monitoring, and feeds cities' views into international norms.",
        SOURCE_MIGRATION_BRIEF,
    ),
    NetworkFunction(
        "advocacy",
        "Advocacy",
        "advocacy",
        "The network speaks for local governments in international negotiations and policy "
        "processes, carrying their shared positions to governments and international bodies.",
        SOURCE_CATALOGUE_SERVICES,
    ),
    NetworkFunction(
        "funding_access",
        "Funding access",
        "access to funding",
        "The network helps a member find money for its own projects: grants, funded programmes "
        "or partners willing to pay for the work.",
        SOURCE_CATALOGUE_SERVICES,
    ),
    NetworkFunction(
        "technical_assistance",
        "Technical assistance",
        "technical assistance",
        "Experts of the network, or experts it brings in, help a member city design or carry out "
        "a particular policy or project.",
        SOURCE_CATALOGUE_SERVICES,
    ),
    NetworkFunction(
        "data_reporting",
        "Data and reporting",
        "data and reporting",
        "The network collects, standardises or publishes data on what members do and achieve, "
        "or runs a reporting framework that members fill in.",
        SOURCE_CATALOGUE_SERVICES,
    ),
    NetworkFunction(
        "training",
        "Training",
        "training",
        "The network runs courses, workshops or study programmes that build the skills of "
        "members' staff and elected officials.",
        SOURCE_IDEAL_NETWORK,
    ),
)
"""Every function, in the order forms list them."""

FUNCTION_KEYS: Final = tuple(f.key for f in FUNCTIONS)

SERVICE_FUNCTIONS: Final[Mapping[str, str]] = {
    "knowledge exchange": "sharing_information",
    "showcasing": "showcasing",
    "standard-setting": "standard_setting",
    "advocacy": "advocacy",
    "funding access": "funding_access",
    "technical assistance": "technical_assistance",
    "data/reporting": "data_reporting",
}
"""The catalogue's ``main_services`` vocabulary, each service mapped to the function it is."""

_BY_KEY: Final = {f.key: f for f in FUNCTIONS}


def function_of(key: str) -> NetworkFunction:
    """The function with this key; `CriteriaError` naming the known keys otherwise.

    >>> function_of("nope")
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: 'nope' is not a network function; use one of: \
sharing_information, showcasing, story_telling, shaming, seeking_support, standard_setting, \
advocacy, funding_access, technical_assistance, data_reporting, training
    """
    found = _BY_KEY.get(key)
    if found is None:
        raise CriteriaError(
            f"'{key}' is not a network function; use one of: {', '.join(FUNCTION_KEYS)}",
            fields={"function": f"unknown function '{key}'"},
        )
    return found


def parse_function_needs(needs: Mapping[str, object]) -> dict[str, float]:
    """A city's needed functions as ``{key: weight}``, weights 0-100; zero weights dropped.

    Keys come back in vocabulary order. Raises `CriteriaError` naming each bad entry.

    >>> parse_function_needs({"training": 5, "sharing_information": 30, "advocacy": 0})
    {'sharing_information': 30.0, 'training': 5.0}
    >>> parse_function_needs({"gossip": 5})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: function 'gossip': not a network function
    """
    errors: dict[str, str] = {}
    weights: dict[str, float] = {}
    for key, raw in needs.items():
        if key not in _BY_KEY:
            errors[key] = "not a network function"
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            errors[key] = "the weight must be a number from 0 to 100"
            continue
        value = float(raw)
        if not math.isfinite(value) or not 0.0 <= value <= MAX_NEED_WEIGHT:
            errors[key] = "the weight must be a number from 0 to 100"
            continue
        if value > 0:
            weights[key] = value
    if errors:
        message = "; ".join(f"function '{k}': {v}" for k, v in errors.items())
        raise CriteriaError(message, fields=errors)
    return {k: weights[k] for k in FUNCTION_KEYS if k in weights}
