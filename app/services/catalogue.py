"""The shared catalogue of real city networks and their sources.

Besides the networks themselves, the catalogue holds facts loaded from the seed files, each with
its source: the functions a network serves, the family links between networks and structured
eligibility rules. The readers below return them as the core's types (`frozenset` of function
keys, `criteria.FamilyLink`, `criteria.EligibilityRule`) for the analysis, and as plain dicts
for pages and the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models import (
    Membership,
    Network,
    NetworkEligibilityRule,
    NetworkFamilyLink,
    NetworkFunctionTag,
    NetworkSource,
)
from app.services.common import audit, check_version, reject_nulls, snapshot
from criteria import (
    FUNCTION_KEYS,
    RELATION_SENTENCES,
    RULE_SENTENCES,
    EligibilityRule,
    FamilyLink,
    MembershipRule,
    Relation,
    describe_source,
    function_of,
    parse_rule,
)

FUNCTION_ORDER = FUNCTION_KEYS

REGIONS = (
    "Africa",
    "Asia-Pacific",
    "Europe",
    "Latin America",
    "Middle East and West Asia",
    "North America",
)


def get_network(session: Session, network_id: str) -> Network:
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound("network", network_id)
    return network


def sources_of(session: Session, network_ids: Sequence[str]) -> dict[str, list[str]]:
    """Sources per network id, in citation order (one query for many networks)."""
    result: dict[str, list[str]] = {n: [] for n in network_ids}
    if not network_ids:
        return result
    rows = session.exec(
        select(NetworkSource)
        .where(col(NetworkSource.network_id).in_(list(network_ids)))
        .order_by(col(NetworkSource.network_id), col(NetworkSource.position))
    )
    for row in rows:
        result[row.network_id].append(row.url)
    return result


def function_tags(
    session: Session, network_ids: Sequence[str]
) -> dict[str, list[NetworkFunctionTag]]:
    """The function tag rows of each network, in vocabulary order (one query)."""
    result: dict[str, list[NetworkFunctionTag]] = {n: [] for n in network_ids}
    if not network_ids:
        return result
    rows = session.exec(
        select(NetworkFunctionTag).where(col(NetworkFunctionTag.network_id).in_(list(network_ids)))
    )
    for row in rows:
        result[row.network_id].append(row)
    order = {key: i for i, key in enumerate(FUNCTION_ORDER)}
    for tags in result.values():
        tags.sort(key=lambda t: order.get(t.function, len(order)))
    return result


def functions_of(session: Session, network_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """The functions each network serves, as `scoring.functions` takes them (one query)."""
    return {
        network: frozenset(tag.function for tag in tags)
        for network, tags in function_tags(session, network_ids).items()
    }


def family_links(session: Session) -> tuple[FamilyLink, ...]:
    """Every family link of the catalogue as core `FamilyLink`s (a few dozen rows at most)."""
    rows = session.exec(
        select(NetworkFamilyLink).order_by(
            col(NetworkFamilyLink.parent_id), col(NetworkFamilyLink.child_id)
        )
    )
    return tuple(
        FamilyLink(
            parent=row.parent_id,
            child=row.child_id,
            relation=Relation(row.relation),
            rule=MembershipRule(row.rule),
            source=row.source,
            rule_source=row.rule_source,
            note=row.note,
        )
        for row in rows
    )


def eligibility_rules(
    session: Session, network_ids: Sequence[str]
) -> dict[str, tuple[EligibilityRule, ...]]:
    """The catalogue's eligibility rules of each network as core `EligibilityRule`s."""
    result: dict[str, list[EligibilityRule]] = {n: [] for n in network_ids}
    if not network_ids:
        return {}
    rows = session.exec(
        select(NetworkEligibilityRule)
        .where(col(NetworkEligibilityRule.network_id).in_(list(network_ids)))
        .order_by(col(NetworkEligibilityRule.network_id), col(NetworkEligibilityRule.kind))
    )
    for row in rows:
        result[row.network_id].append(
            parse_rule(
                {
                    "network": row.network_id,
                    "kind": row.kind,
                    "minimum": row.minimum,
                    "capital_exempt": row.capital_exempt,
                    "regions": list(row.regions),
                    "status": row.status,
                    "source": row.source,
                    "note": row.note,
                }
            )
        )
    return {n: tuple(rules) for n, rules in result.items()}


def family_rows(session: Session, network_id: str) -> list[dict[str, Any]]:
    """The network's family links as sentences for its pages, parents first."""
    names = {
        n.id: n.acronym or n.name
        for n in session.exec(select(Network))  # the catalogue is small (tens of rows)
    }
    rows = []
    for link in family_links(session):
        if not link.involves(network_id):
            continue
        is_child = link.child == network_id
        who = {
            "child": names.get(link.child, link.child),
            "parent": names.get(link.parent, link.parent),
        }
        rows.append(
            {
                "other_id": link.other(network_id),
                "other_name": names.get(link.other(network_id), link.other(network_id)),
                "is_child": is_child,
                "child_name": who["child"],
                "parent_name": who["parent"],
                "relation": str(link.relation),
                "sentence": RELATION_SENTENCES[link.relation].format(**who),
                "rule": str(link.rule),
                "rule_sentence": RULE_SENTENCES[link.rule].format(**who),
                "source": link.source,
                "source_text": describe_source(link.source),
                "rule_source": link.rule_source,
                "rule_source_text": describe_source(link.rule_source) if link.rule_source else "",
                "note": link.note,
            }
        )
    rows.sort(key=lambda r: (not r["is_child"], r["other_name"]))
    return rows


def network_facts(session: Session, network_id: str) -> dict[str, Any]:
    """Functions, family links and eligibility rules of one network, each with its source."""
    tags = function_tags(session, [network_id])[network_id]
    rules = eligibility_rules(session, [network_id]).get(network_id, ())
    return {
        "network_id": network_id,
        "functions": [
            {
                "function": t.function,
                "title": function_of(t.function).title,
                "source": t.source,
                "source_text": describe_source(t.source),
                "note": t.note,
            }
            for t in tags
        ],
        "family": [
            {
                "parent_id": link.parent,
                "child_id": link.child,
                "relation": str(link.relation),
                "source": link.source,
                "rule": str(link.rule),
                "rule_source": link.rule_source,
                "note": link.note,
            }
            for link in family_links(session)
            if link.involves(network_id)
        ],
        "eligibility_rules": [
            {
                "kind": str(r.kind),
                "title": r.title,
                "minimum": r.minimum,
                "capital_exempt": r.capital_exempt,
                "regions": list(r.regions),
                "status": r.status,
                "source": r.source,
                "source_text": describe_source(r.source),
                "note": r.note,
            }
            for r in rules
        ],
    }


def network_dict(network: Network, sources: list[str]) -> dict[str, Any]:
    data = network.model_dump()
    data["sources"] = sources
    return data


def search_networks(
    session: Session,
    *,
    q: str = "",
    theme: str = "",
    region: str = "",
    kind: str = "",
    include_inactive: bool = True,
) -> list[Network]:
    """Networks matching a free-text query (name, acronym), a theme, a region and a kind."""
    stmt = select(Network)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Network.name).like(like),
                func.lower(Network.acronym).like(like),
                func.lower(Network.id).like(like),
            )
        )
    if region:
        stmt = stmt.where(
            or_(
                func.lower(Network.scope).like(f"%{region.lower()}%"),
                func.lower(Network.scope).like("global%"),
            )
        )
    if kind:
        stmt = stmt.where(Network.membership_kind == kind)
    if not include_inactive:
        stmt = stmt.where(Network.active != "no")
    rows = list(session.exec(stmt.order_by(func.lower(Network.name))))
    if theme:  # JSON arrays: filter in Python, the catalogue is small (tens of rows)
        rows = [n for n in rows if theme in n.themes]
    return rows


def all_themes(session: Session) -> list[str]:
    themes: set[str] = set()
    for network in session.exec(select(Network)):
        themes.update(network.themes)
    return sorted(themes)


def _replace_sources(session: Session, network_id: str, sources: list[str]) -> None:
    for old in session.exec(select(NetworkSource).where(NetworkSource.network_id == network_id)):
        session.delete(old)
    session.flush()
    for position, url in enumerate(sources):
        session.add(NetworkSource(network_id=network_id, position=position, url=url))


def create_network(session: Session, data: dict[str, Any], *, actor: str) -> Network:
    if session.get(Network, data["id"]) is not None:
        raise Conflict(f"A network with id '{data['id']}' already exists.")
    sources = data.pop("sources")
    network = Network(**data)
    session.add(network)
    session.flush()
    _replace_sources(session, network.id, sources)
    audit(
        session,
        workspace_id=None,
        actor=actor,
        action="create",
        entity="network",
        entity_key=network.id,
        after=network_dict(network, sources),
    )
    session.commit()
    session.refresh(network)
    return network


def update_network(
    session: Session, network_id: str, changes: dict[str, Any], *, actor: str
) -> Network:
    network = get_network(session, network_id)
    check_version(network, changes.pop("version", None), "network")
    reject_nulls(Network, changes)
    before = network_dict(network, sources_of(session, [network_id])[network_id])
    sources = changes.pop("sources", None)
    for key, value in changes.items():
        setattr(network, key, value)
    if sources is not None:
        _replace_sources(session, network_id, sources)
    network.version += 1
    after = network_dict(network, sources if sources is not None else before["sources"])
    audit(
        session,
        workspace_id=None,
        actor=actor,
        action="update",
        entity="network",
        entity_key=network_id,
        before=before,
        after=after,
    )
    session.commit()
    session.refresh(network)
    return network


def delete_network(session: Session, network_id: str, *, actor: str) -> None:
    network = get_network(session, network_id)
    used = session.exec(
        select(func.count()).select_from(Membership).where(Membership.network_id == network_id)
    ).one()
    if used:
        raise Conflict(
            f"Network '{network_id}' is used by {used} membership record(s); remove those first."
        )
    before = snapshot(network)
    _replace_sources(session, network_id, [])
    for model in (NetworkFunctionTag, NetworkEligibilityRule):
        for row in session.exec(select(model).where(model.network_id == network_id)):
            session.delete(row)
    for link in session.exec(
        select(NetworkFamilyLink).where(
            or_(
                col(NetworkFamilyLink.parent_id) == network_id,
                col(NetworkFamilyLink.child_id) == network_id,
            )
        )
    ):
        session.delete(link)
    session.flush()
    session.delete(network)
    audit(
        session,
        workspace_id=None,
        actor=actor,
        action="delete",
        entity="network",
        entity_key=network_id,
        before=before,
    )
    session.commit()
