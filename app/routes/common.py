"""Helpers shared by the page routers: the posted form as a dependency and redirects.

Routes are sync (`def`) and run in the thread pool; reading a form body is async, so
`FormDep` reads it in an async dependency and hands the route a plain multi-dict.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData


async def read_form(request: Request) -> FormData:
    """The request's form fields (url-encoded or multipart)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303 to the page showing the result."""
    return RedirectResponse(url, status_code=303)


def workspace_url(workspace_id: int | None, path: str = "") -> str:
    return f"/workspaces/{workspace_id}{path}"
