"""Request dependencies shared by every router: the workspace in scope and who is acting.

Every route that touches a workspace takes one of `ReadWorkspace`, `EditWorkspace` or
`OwnWorkspace`, so scoping and role checks live here, in one place, and a new route is born
scoped: a workspace the caller is not a member of is 404 (its existence is not revealed), a
role too low is 403, no signed-in user is 401 (API) or a redirect to the sign-in page (pages).
`app.security.guard` runs before all of these on every route and already refuses anonymous
callers and non-members; these add the exact role. A route with `{workspace_id}` that forgets
them still gets the guard's floor: viewer to read, analyst for a state-changing method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from app.db import SessionDep
from app.forms import DbId
from app.i18n import gettext as _
from app.models import Workspace
from app.security import SignInRequired, forbidden, workspace_role
from app.services import workspaces as ws
from app.services.accounts import CurrentUser, role_label, role_rank


def current_user(request: Request) -> CurrentUser:
    """The signed-in user; SignInRequired (401 or a redirect to /login) when there is none."""
    user: CurrentUser | None = getattr(request.state, "user", None)
    if user is None:
        raise SignInRequired
    return user


def _needs(minimum: str) -> Callable[[int, Request, SessionDep], Workspace]:
    def dependency(workspace_id: DbId, request: Request, session: SessionDep) -> Workspace:
        role = workspace_role(request, session, current_user(request), workspace_id)
        request.state.workspace_role = role  # templates show viewers a read-only notice
        if role_rank(role) < role_rank(minimum):
            raise forbidden(
                _(
                    "This needs the %(minimum)s role in this workspace; your role is %(role)s.",
                    minimum=role_label(minimum),
                    role=role_label(role),
                )
            )
        return ws.get_workspace(session, workspace_id)

    dependency.__name__ = f"require_{minimum}"
    dependency.__nc_role__ = minimum  # type: ignore[attr-defined]  # read by app.security
    dependency.__doc__ = (
        f"The workspace in the path, for a caller with the {minimum} role or above."
    )
    return dependency


require_viewer = _needs("viewer")
require_analyst = _needs("analyst")
require_owner = _needs("owner")
current_workspace = require_viewer
REQUIRED_ROLE: dict[Callable[..., Workspace], str] = {
    require_viewer: "viewer",
    require_analyst: "analyst",
    require_owner: "owner",
}
"""Which role each workspace dependency demands (the access-matrix test reads this)."""


def current_actor(request: Request) -> str:
    """Who is acting, for the audit log: the signed-in user's email."""
    return current_user(request).email


def admin_actor(request: Request) -> str:
    """The acting site administrator's email; 403 for everybody else."""
    user = current_user(request)
    if not user.is_admin:
        raise forbidden(_("Only site administrators may change the shared network catalogue."))
    return user.email


ReadWorkspace = Annotated[Workspace, Depends(require_viewer)]
"""A workspace the caller may read (viewer, analyst or owner)."""
EditWorkspace = Annotated[Workspace, Depends(require_analyst)]
"""A workspace the caller may change (analyst or owner)."""
OwnWorkspace = Annotated[Workspace, Depends(require_owner)]
"""A workspace the caller owns (manages members, deletes it)."""
WorkspaceDep = ReadWorkspace
UserDep = Annotated[CurrentUser, Depends(current_user)]
"""The signed-in user."""
ActorDep = Annotated[str, Depends(current_actor)]
"""The signed-in user's email, for the audit log."""
AdminActor = Annotated[str, Depends(admin_actor)]
"""A site administrator's email (catalogue writes)."""
