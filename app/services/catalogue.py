"""The shared catalogue of real city networks and their sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models import Membership, Network, NetworkSource
from app.services.common import audit, check_version, reject_nulls, snapshot

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
