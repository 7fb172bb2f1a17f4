"""Citations of catalogue facts: the three forms a source may take, and how to print them.

Every fact the catalogue adds beyond the reference table's columns (a function tag, a family
link, an eligibility rule, a fee rule) cites one source, written in one of three forms:

- a URL (``https://...``): a page, normally one of the network's own sources in
  ``seed_data/networks.csv``;
- ``seed:<file>``: one of the project's seed documents;
- ``catalogue:<network id>/<column>``: a column of that network's row in
  ``seed_data/networks.csv`` (copied unchanged from the reference table), which carries its
  own list of sources.

>>> describe_source("catalogue:eurocities/eligibility")
"the 'eligibility' entry for eurocities in the network catalogue"
>>> describe_source("seed:004_da95ca42d7112c7f.txt")
'a policy brief on 27 European city networks working on migration and their six functions (seed document 004)'
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CATALOGUE_SOURCE", "SEED_SOURCE", "URL_SOURCE", "describe_source", "is_source"]

URL_SOURCE: Final = re.compile(r"^https?://\S+$")
SEED_SOURCE: Final = re.compile(r"^seed:(?P<file>[0-9]{3}_[0-9a-f]{16}\.txt)$")
CATALOGUE_SOURCE: Final = re.compile(
    r"^catalogue:(?P<network>[a-z0-9][a-z0-9-]{0,63})/(?P<column>[a-z_]{2,40})$"
)


def is_source(text: str) -> bool:
    """True when ``text`` has one of the three citation forms.

    >>> is_source("https://www.ovpm.org/members/rights-and-privileges/"), is_source("a blog")
    (True, False)
    """
    return any(p.match(text) for p in (URL_SOURCE, SEED_SOURCE, CATALOGUE_SOURCE))


SEED_DOCUMENTS: Final = {
    "000_171eac752c2adbfc.txt": (
        "A. Fernández de Losada and E. Zapata Garesché, \"Towards an 'ideal network' of "
        'cities", CIDOB notes internacionals 274, May 2022'
    ),
    "001_2e7c0428eac2611c.txt": (
        'L. Ortega-Boronat, "The Steady Rise of City Networks in the Urban Age" (essay)'
    ),
    "002_c3e4e63d17843677.txt": (
        "an essay on city networks drawing on UCL City Leadership Laboratory and WHO Healthy "
        "Cities Network research (abstract and summary)"
    ),
    "003_786770c18b96cccf.txt": (
        'A. Kesarkar Gavankar, "Network cities: Urban multilateralism for sustainable '
        'development", Observer Research Foundation, June 2024'
    ),
    "004_da95ca42d7112c7f.txt": (
        "a policy brief on 27 European city networks working on migration and their six functions"
    ),
}
"""What each seed document is, in a few words (the project's source documents)."""


def describe_source(source: str) -> str:
    """The citation as a reader sees it (URLs and unknown forms are returned unchanged)."""
    seed = SEED_SOURCE.match(source)
    if seed:
        file = seed.group("file")
        what = SEED_DOCUMENTS.get(file)
        number = file.split("_", 1)[0]
        return f"{what} (seed document {number})" if what else f"seed document {file}"
    catalogue = CATALOGUE_SOURCE.match(source)
    if catalogue:
        return (
            f"the '{catalogue.group('column')}' entry for {catalogue.group('network')} in the "
            "network catalogue"
        )
    return source
