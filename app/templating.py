"""Jinja2 setup and the one `render` helper every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app import __version__, i18n


def make_environment(directory: Path) -> Environment:
    """The Jinja2 environment: autoescaping, strict undefined, translations and formatters.

    ``_`` / ``gettext`` / ``ngettext`` and ``{% trans %}`` translate into the request's
    locale (`app.i18n`); the filters ``number``, ``money``, ``share`` and ``day`` format for it.
    """
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["app_version"] = __version__
    env.globals["current_locale"] = i18n.current_locale
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    from app.glossary import TERMS  # late: the glossary's labels are lazy translations

    env.globals["glossary_terms"] = {term.key: term for term in TERMS}
    from app.views.advice import action_label, engagement_label

    env.globals["action_label"] = action_label
    env.globals["engagement_label"] = engagement_label
    from criteria import describe_source

    env.globals["describe_source"] = describe_source
    env.filters["number"] = i18n.format_number
    env.filters["money"] = i18n.format_money
    env.filters["share"] = i18n.format_share
    env.filters["day"] = i18n.format_day
    env.filters["moment"] = i18n.format_moment
    from app import catalogue_text

    env.globals["catalogue_text"] = catalogue_text
    return env


def make_templates(directory: Path) -> Jinja2Blocks:
    return Jinja2Blocks(env=make_environment(directory))


def is_htmx(request: Request) -> bool:
    """htmx wants a fragment; boosted links and history restores want the whole page."""
    h = request.headers
    return (
        h.get("HX-Request") == "true"
        and h.get("HX-Boosted") != "true"
        and h.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page, or one named block of it for htmx."""
    templates: Jinja2Blocks = request.app.state.templates
    role = getattr(request.state, "workspace_role", None)
    base = {
        "request": request,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "user": getattr(request.state, "user", None),
        "workspace_role": role,
        # Saving needs analyst or owner; viewers see the controls disabled with a note.
        "readonly_attr": Markup("") if role in (None, "analyst", "owner") else Markup(" disabled"),
    }
    base.setdefault("workspace", None)
    response: Response = templates.TemplateResponse(
        request, template, base | context, status_code=status_code, block_name=block
    )
    response.headers["Vary"] = "HX-Request"
    return response
