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
'seed document 004_da95ca42d7112c7f.txt'
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


def describe_source(source: str) -> str:
    """The citation as a reader sees it (URLs and unknown forms are returned unchanged)."""
    seed = SEED_SOURCE.match(source)
    if seed:
        return f"seed document {seed.group('file')}"
    catalogue = CATALOGUE_SOURCE.match(source)
    if catalogue:
        return (
            f"the '{catalogue.group('column')}' entry for {catalogue.group('network')} in the "
            "network catalogue"
        )
    return source
