"""JSON API for the shared network catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.db import SessionDep
from app.deps import AdminActor
from app.models import Network
from app.schemas import NetworkCreate, NetworkFactsOut, NetworkOut, NetworkUpdate
from app.services import catalogue
from app.services.common import reject_nulls

router = APIRouter(prefix="/networks", tags=["networks"])


def _out(session: SessionDep, network_id: str) -> NetworkOut:
    network = catalogue.get_network(session, network_id)
    sources = catalogue.sources_of(session, [network_id])[network_id]
    return NetworkOut.model_validate(catalogue.network_dict(network, sources))


@router.get("", response_model=list[NetworkOut])
def list_networks(
    session: SessionDep, q: str = "", theme: str = "", region: str = "", kind: str = ""
) -> list[NetworkOut]:
    rows = catalogue.search_networks(session, q=q, theme=theme, region=region, kind=kind)
    sources = catalogue.sources_of(session, [n.id for n in rows])
    return [NetworkOut.model_validate(catalogue.network_dict(n, sources[n.id])) for n in rows]


@router.get("/{network_id}", response_model=NetworkOut)
def get_network(network_id: str, session: SessionDep) -> NetworkOut:
    return _out(session, network_id)


@router.get("/{network_id}/facts", response_model=NetworkFactsOut)
def get_network_facts(network_id: str, session: SessionDep) -> NetworkFactsOut:
    """The functions the network serves, its family links and its eligibility rules, with sources."""
    catalogue.get_network(session, network_id)  # 404 for an unknown id
    return NetworkFactsOut.model_validate(catalogue.network_facts(session, network_id))


@router.post("", response_model=NetworkOut, status_code=201)
def create_network(body: NetworkCreate, session: SessionDep, actor: AdminActor) -> NetworkOut:
    network = catalogue.create_network(session, body.model_dump(), actor=actor)
    return _out(session, network.id)


@router.patch("/{network_id}", response_model=NetworkOut)
def update_network(
    network_id: str, body: NetworkUpdate, session: SessionDep, actor: AdminActor
) -> NetworkOut:
    changes = body.model_dump(exclude_unset=True)
    reject_nulls(Network, changes)
    catalogue.update_network(session, network_id, changes, actor=actor)
    return _out(session, network_id)


@router.delete("/{network_id}", status_code=204)
def delete_network(network_id: str, session: SessionDep, actor: AdminActor) -> Response:
    catalogue.delete_network(session, network_id, actor=actor)
    return Response(status_code=204)
