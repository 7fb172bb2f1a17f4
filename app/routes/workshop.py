"""Workshop screens: the facilitator's pages under /workspaces/{id}/workshops, and the
participants' phone pages under /w/{code} (public: scoped by the join code and the phone's
device token, never by an account).

Live updates are Server-Sent Events (`text/event-stream`, swapped by the vendored htmx SSE
extension): each event carries a whole block (the room on the projector, the room block on
the phones), named by the workshop's sequence number. A screen that connects, or reconnects,
gets the current block at once unless its ``Last-Event-ID`` says it already has it; a client
that does not ask for an event stream gets the current block as one event and the response
ends. Streams end after `STREAM_SECONDS` (the browser reconnects), so restarts and load
balancers never wait long on them.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Final

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import NotFound
from app.forms import INT32_MAX, DbId, parse_id, parse_whole
from app.i18n import gettext as _
from app.models import Workshop, WorkshopParticipant, Workspace
from app.routes.common import FormDep, see_other
from app.security import public
from app.services import analysis as an
from app.services import events as ev
from app.services import workshop as wk
from app.services import workspaces as ws
from app.services.ui import METHOD_LABELS, as_points, weight_rows
from app.templating import is_htmx, render
from app.views import workshop as views
from app.views.ranking import ranking_rows
from criteria.errors import CriteriaError

router = APIRouter(include_in_schema=False)
BASE: Final = "/workspaces/{workspace_id}/workshops"
INDEX: Final = "workshop/index.html"
SCREEN: Final = "workshop/screen.html"
PHONE: Final = "workshop/phone.html"
ENTER: Final = "workshop/enter.html"
ROOM: Final = "workshop/_room.html"
PHONE_ROOM: Final = "workshop/_phone_room.html"
DEVICE_COOKIE: Final = "nc_wp"
STREAM_SECONDS: Final = 120.0
KEEPALIVE_SECONDS: Final = 15.0
SCREEN_GAP_SECONDS: Final = 0.25
PHONE_GAP_SECONDS: Final = 1.0
"""The least time between two events of one stream: changes arriving meanwhile are sent
together, so a burst of submissions costs a few renders, not one per submission."""
RETRY_MS: Final = 1500


def _screen_url(workshop: Workshop) -> str:
    return f"/workspaces/{workshop.workspace_id}/workshops/{workshop.id}"


def join_url(request: Request, workshop: Workshop) -> str:
    return str(request.base_url).rstrip("/") + f"/w/{workshop.code}"


# --- facilitator ----------------------------------------------------------------------------


def _index_context(
    session: Session,
    workspace: Workspace,
    *,
    errors: dict[str, str] | None = None,
    message: str = "",
    form: Any = None,
) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "nav_active": "workshops",
        "workshops": wk.list_workshops(session, workspace),
        "scenarios": ws.list_scenarios(session, workspace),
        "errors": errors or {},
        "message": message,
        "form": form or {},
    }


@router.get(BASE, name="workshops")
def list_workshops(request: Request, workspace: ReadWorkspace, session: SessionDep) -> Response:
    return render(request, INDEX, _index_context(session, workspace))


@router.post(BASE, name="workshop_create")
def create_workshop(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    """Open a workshop on a scenario; then show its projector screen."""
    raw = str(form.get("scenario_id", "")).strip()
    try:
        workshop = wk.create_workshop(
            session,
            workspace,
            title=str(form.get("title", "")),
            scenario_id=parse_id(raw),
            groups=wk.parse_groups(str(form.get("groups", ""))),
            actor=actor,
        )
    except wk.WorkshopFormErrors as exc:
        context = _index_context(
            session, workspace, errors=exc.errors, message=exc.message, form=form
        )
        return render(request, INDEX, context, status_code=422)
    return see_other(_screen_url(workshop))


def _screen_context(
    request: Request, session: Session, workspace: Workspace, workshop: Workshop
) -> dict[str, Any]:
    view = views.room_view(session, workspace, workshop)
    return {
        "workspace": workspace,
        "nav_active": "workshops",
        "workshop": workshop,
        "view": view,
        "room_html": screen_room(request.app.state.templates, session, workspace, workshop, view),
        "join_url": join_url(request, workshop),
        "scenarios": ws.list_scenarios(session, workspace),
        "aggregations": wk.AGGREGATIONS,
        "errors": {},
        "message": "",
    }


def screen_room(
    templates: Any,
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    view: views.RoomView | None = None,
) -> Markup:
    """The projector's room block, rendered once per change, language and data revision."""
    key = (
        "screen",
        workshop.id,
        workshop.seq,
        i18n.current_locale(),
        an.data_revision(session, workspace),
    )

    def build() -> str:
        room = view if view is not None else views.room_view(session, workspace, workshop)
        return str(
            templates.env.get_template(ROOM).render(
                v=room, workshop=workshop, explain=views.explain_consensus
            )
        )

    return Markup(SNAPSHOTS.get(session, key, build))


def phone_room(
    templates: Any, session: Session, workspace: Workspace, workshop: Workshop
) -> Markup:
    """The phones' room block, rendered once per change and language."""
    key = ("phone", workshop.id, workshop.seq, i18n.current_locale())

    def build() -> str:
        room = views.phone_room(session, workspace, workshop)
        return str(templates.env.get_template(PHONE_ROOM).render(room=room))

    return Markup(SNAPSHOTS.get(session, key, build))


@router.get(BASE + "/{workshop_id}", name="workshop_screen")
def screen(
    workshop_id: DbId, request: Request, workspace: ReadWorkspace, session: SessionDep
) -> Response:
    """The projector screen: join code and QR code, controls, and the live room block."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    context = _screen_context(request, session, workspace, workshop)
    return render(request, SCREEN, context, block="room" if is_htmx(request) else None)


@router.get(BASE + "/{workshop_id}/qr.svg", name="workshop_qr")
def qr_code(
    workshop_id: DbId, request: Request, workspace: ReadWorkspace, session: SessionDep
) -> Response:
    """The join URL as a QR code (SVG, drawn on the server with segno)."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    buffer = io.BytesIO()
    segno.make(join_url(request, workshop), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, title=_("Join code")
    )
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=3600"},
    )


def _control(
    request: Request, session: Session, workspace: Workspace, workshop: Workshop
) -> Response:
    if is_htmx(request):
        context = _screen_context(request, session, workspace, workshop)
        return render(request, SCREEN, context, block="controls")
    return see_other(_screen_url(workshop))


@router.post(BASE + "/{workshop_id}/reveal", name="workshop_reveal")
def reveal(
    workshop_id: DbId, request: Request, workspace: EditWorkspace, session: SessionDep
) -> Response:
    """Show the current round's votes to the room."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    wk.set_revealed(session, workshop, True, ev.bus_of(request.app))
    return _control(request, session, workspace, workshop)


@router.post(BASE + "/{workshop_id}/hide", name="workshop_hide")
def hide(
    workshop_id: DbId, request: Request, workspace: EditWorkspace, session: SessionDep
) -> Response:
    """Hide the current round's votes again."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    wk.set_revealed(session, workshop, False, ev.bus_of(request.app))
    return _control(request, session, workspace, workshop)


@router.post(BASE + "/{workshop_id}/rounds", name="workshop_next_round")
def next_round(
    workshop_id: DbId, request: Request, workspace: EditWorkspace, session: SessionDep
) -> Response:
    """Close the current round and open the next one."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    try:
        wk.next_round(session, workshop, ev.bus_of(request.app))
    except wk.Closed:
        return _refused(request, session, workspace, workshop, _("This workshop has ended."))
    return _control(request, session, workspace, workshop)


@router.post(BASE + "/{workshop_id}/rounds/close", name="workshop_close_round")
def close_round(
    workshop_id: DbId, request: Request, workspace: EditWorkspace, session: SessionDep
) -> Response:
    """Stop taking submissions in the current round."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    wk.close_round(session, workshop, ev.bus_of(request.app))
    return _control(request, session, workspace, workshop)


@router.post(BASE + "/{workshop_id}/aggregation", name="workshop_aggregation")
def aggregation(
    workshop_id: DbId,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    form: FormDep,
) -> Response:
    """Choose how the room's weights are combined: mean, geometric mean or median."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    try:
        wk.set_aggregation(
            session, workshop, str(form.get("aggregation", "")), ev.bus_of(request.app)
        )
    except wk.WorkshopFormErrors as exc:
        return _refused(request, session, workspace, workshop, exc.message, exc.errors)
    return _control(request, session, workspace, workshop)


@router.post(BASE + "/{workshop_id}/freeze", name="workshop_freeze")
def freeze(
    workshop_id: DbId,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    """Save a round's aggregate as a scenario, then compare it with the workshop's scenario."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    raw = str(form.get("round", "")).strip()
    rounds = {r.number: r for r in wk.rounds_of(session, workshop)}
    number = parse_whole(raw, 1) or max(rounds)
    if number not in rounds:
        return _refused(
            request, session, workspace, workshop, "", {"round": _("Choose one of the rounds.")}
        )
    view = views.room_view(session, workspace, workshop, round_number=number, hidden=True)
    if not view.chosen_points:
        message = _("Round %(n)s has no votes to freeze yet.", n=number)
        return _refused(request, session, workspace, workshop, message)
    name = " ".join(str(form.get("name", "")).split()) or _(
        "%(title)s, round %(n)s", title=workshop.title, n=number
    )
    try:
        scenario = wk.freeze_round(
            session,
            workspace,
            workshop,
            rounds[number],
            view.chosen_points,
            name=name[:120],
            actor=actor,
            bus=ev.bus_of(request.app),
        )
    except wk.WorkshopFormErrors as exc:
        return _refused(request, session, workspace, workshop, exc.message, exc.errors)
    # Compare with the workshop's scenario, or else with the newest other one.
    base = workshop.scenario_id
    if base is None:
        others = [s.id for s in ws.list_scenarios(session, workspace) if s.id != scenario.id]
        base = others[-1] if others else None
    compare = [i for i in (base, scenario.id) if i is not None]
    if len(compare) < 2:
        return see_other(f"/workspaces/{workspace.id}?scenario={scenario.id}")
    query = "&".join(f"ids={i}" for i in compare)
    return see_other(f"/workspaces/{workspace.id}/scenarios/compare?{query}")


@router.post(BASE + "/{workshop_id}/close", name="workshop_close")
def close(
    workshop_id: DbId,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    """End the workshop: its join code stops working."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    wk.close_workshop(session, workshop, ev.bus_of(request.app), actor=actor)
    return _control(request, session, workspace, workshop)


def _refused(
    request: Request,
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    message: str,
    errors: dict[str, str] | None = None,
) -> Response:
    context = _screen_context(request, session, workspace, workshop)
    context["errors"] = errors or {}
    context["message"] = message or _("Please correct the highlighted fields.")
    return render(
        request,
        SCREEN,
        context,
        status_code=422,
        block="controls" if is_htmx(request) else None,
    )


@router.get(BASE + "/{workshop_id}/events", name="workshop_events")
async def screen_events(
    workshop_id: DbId, request: Request, workspace: ReadWorkspace, session: SessionDep
) -> Response:
    """The projector's live room block as Server-Sent Events (event name ``room``)."""
    await run_in_threadpool(wk.get_workshop, session, workspace, workshop_id)  # else 404
    templates = request.app.state.templates
    engine = request.app.state.engine
    workspace_id = workspace.id or 0
    session.close()  # the stream must not hold this request's database connection
    locale = i18n.current_locale()

    def snapshot() -> tuple[int, str] | None:
        with Session(engine) as db, i18n.use_locale(locale):
            current = db.get(Workshop, workshop_id)
            place = db.get(Workspace, workspace_id)
            if current is None or place is None:
                return None
            return current.seq, screen_room(templates, db, place, current)

    return _event_response(request, workshop_id, "room", snapshot, gap=SCREEN_GAP_SECONDS)


class SnapshotCache:
    """Rendered room blocks by workshop, sequence number and language (and, for the
    projector, the workspace's data revision), per database engine: every screen of a
    workshop shares one render per change instead of rendering it once per connection."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], str]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, session: Session, key: tuple[Any, ...], build: Callable[[], str]) -> str:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        with self._lock:
            entries = self._entries.setdefault(engine, OrderedDict())
            found = entries.get(key)
            if found is not None:
                entries.move_to_end(key)
                return found
        html = build()
        with self._lock:
            entries[key] = html
            while len(entries) > self.size:
                entries.popitem(last=False)
        return html


SNAPSHOTS = SnapshotCache()


def _sse(event: str, seq: int, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"id: {seq}\nevent: {event}\nretry: {RETRY_MS}\n{data}\n\n"


def _event_response(
    request: Request,
    workshop_id: DbId,
    event: str,
    snapshot: Callable[[], tuple[int, str] | None],
    *,
    gap: float,
) -> Response:
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    streaming = "text/event-stream" in request.headers.get("accept", "")
    bus = ev.bus_of(request.app)
    raw_last = request.headers.get("last-event-id", "").strip()
    last = parse_whole(raw_last, 0, INT32_MAX)

    async def once() -> AsyncIterator[str]:
        state = await run_in_threadpool(snapshot)
        if state is not None:
            yield _sse(event, *state)

    async def stream() -> AsyncIterator[str]:
        started = time.monotonic()
        sent = last
        async with bus.subscribe(workshop_id) as subscription:
            while True:
                state = await run_in_threadpool(snapshot)
                if state is None:
                    yield f"event: gone\nretry: {RETRY_MS}\ndata: \n\n"
                    return
                seq, html = state
                if seq != sent:
                    yield _sse(event, seq, html)
                    sent = seq
                    await asyncio.sleep(gap)
                while True:
                    left = STREAM_SECONDS - (time.monotonic() - started)
                    if left <= 0:
                        return
                    got = await subscription.wait(min(KEEPALIVE_SECONDS, left))
                    if got is None:
                        yield ": keep-alive\n\n"
                    elif got == ev.RESYNC or sent is None or got > sent:
                        break

    return StreamingResponse(
        stream() if streaming else once(), media_type="text/event-stream", headers=headers
    )


# --- participants ---------------------------------------------------------------------------


def _device(request: Request, code: str) -> str | None:
    """The phone's device token for a workshop (a cookie named after its join code)."""
    return request.cookies.get(f"{DEVICE_COOKIE}_{wk.normalise_code(code)}")


def _phone_context(
    templates: Any,
    session: Session,
    workshop: Workshop,
    participant: WorkshopParticipant | None,
    *,
    points: dict[str, float] | None = None,
    allocation: bool = False,
    errors: dict[str, str] | None = None,
    message: str = "",
    notice: str = "",
    form: Any = None,
    with_room: bool = True,
) -> dict[str, Any]:
    """The phone page's context; ``with_room=False`` when only the vote block is rendered
    (the room block reaches the phone through its event stream). Before joining, the page
    is the join form and the room: nothing else is read."""
    workspace = ws.get_workspace(session, workshop.workspace_id)
    if participant is None:
        return {
            "workspace": None,
            "workshop": workshop,
            "participant": None,
            "room_html": phone_room(templates, session, workspace, workshop),
            "errors": errors or {},
            "message": message,
            "form": form or {},
        }
    prepared = an.prepared_inputs(session, workspace)
    keys = wk.criteria_of(workshop, prepared.framework.keys)
    round_ = wk.current_round(session, workshop)
    mine = wk.votes(session, round_, [participant])
    if points is None:
        points = _last_points(session, workshop, participant, keys)
    if points is None:
        start = an.scenario_settings(
            ws.get_scenario(session, workspace, workshop.scenario_id)
            if workshop.scenario_id is not None
            else None,
            prepared.framework,
        )["weights"]
        points = {k: float(start.get(k, 0.0)) for k in keys}
    if allocation:
        points = as_points({k: v / (sum(points.values()) or 1.0) for k, v in points.items()})
    rows = _preview_rows(session, workspace, workshop, prepared, points)
    return {
        "workspace": None,
        "workshop": workshop,
        "round": round_,
        "participant": participant,
        "submitted_count": mine[0].count if mine else None,
        "weights": [r for r in weight_rows(prepared.framework, points) if r.key in keys],
        "allocation": allocation,
        "total": sum(points.values()),
        "rows": rows,
        "room_html": phone_room(templates, session, workspace, workshop) if with_room else None,
        "errors": errors or {},
        "message": message,
        "notice": notice,
        "form": form or {},
        "submission_key": secrets.token_urlsafe(16),
        "method_label": METHOD_LABELS.get(workshop.method, workshop.method),
    }


def _last_points(
    session: Session, workshop: Workshop, participant: WorkshopParticipant, keys: Sequence[str]
) -> dict[str, float] | None:
    """The participant's newest weights in any round (a new round starts from them)."""
    for round_ in reversed(wk.rounds_of(session, workshop)):
        found = wk.votes(session, round_, [participant])
        if found:
            return {k: float(found[0].weights.get(k, 0.0)) for k in keys}
    return None


def _preview_rows(
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    prepared: an.PreparedInputs,
    points: dict[str, float],
) -> Any:
    try:
        ctx = an.run_analysis(
            session,
            workspace,
            weights=points,
            method=workshop.method,
            options=workshop.options,
            detail="preview",
            prepared=prepared,
        )
    except CriteriaError:
        return None
    return ranking_rows(ctx, None)


def _closed_page(request: Request, code: str) -> Response:
    context: dict[str, Any] = {"workspace": None, "code": code, "errors": {}, "unknown": True}
    return render(request, ENTER, context, status_code=404)


def _open(session: Session, code: str) -> Workshop | None:
    try:
        return wk.open_workshop_by_code(session, code)
    except NotFound:
        return None


@router.get("/w", name="workshop_enter")
@public
def enter(request: Request, code: str = "") -> Response:
    """Type a join code (or follow /w?code=...)."""
    if code.strip():
        return RedirectResponse(f"/w/{wk.normalise_code(code)}", status_code=303)
    return render(request, ENTER, {"workspace": None, "code": "", "errors": {}, "unknown": False})


@router.get("/w/{code}", name="workshop_phone")
@public
def phone(code: str, request: Request, session: SessionDep, mode: str = "") -> Response:
    """The participant's page: join, then set weights, watch the own ranking, submit."""
    canonical = wk.normalise_code(code)
    if canonical != code:
        return RedirectResponse(f"/w/{canonical}", status_code=303)
    workshop = _open(session, code)
    if workshop is None:
        return _closed_page(request, code)
    participant = wk.participant_by_token(session, workshop, _device(request, workshop.code))
    context = _phone_context(
        request.app.state.templates, session, workshop, participant, allocation=mode == "allocation"
    )
    return render(request, PHONE, context)


@router.post("/w/{code}/join", name="workshop_join")
@public
def join(code: str, request: Request, session: SessionDep, form: FormDep) -> Response:
    workshop = _open(session, code)
    if workshop is None:
        return _closed_page(request, code)
    try:
        _participant, token = wk.join(
            session,
            workshop,
            name=str(form.get("display_name", "")),
            group=str(form.get("group", "")) or None,
            bus=ev.bus_of(request.app),
        )
    except wk.WorkshopFormErrors as exc:
        context = _phone_context(
            request.app.state.templates,
            session,
            workshop,
            None,
            errors=exc.errors,
            message=exc.message,
            form=form,
        )
        return render(request, PHONE, context, status_code=422)
    response = see_other(f"/w/{workshop.code}")
    response.set_cookie(
        f"{DEVICE_COOKIE}_{workshop.code}",
        token,
        max_age=12 * 3600,
        path=f"/w/{workshop.code}",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _participant_or_404(
    request: Request, session: Session, code: str
) -> tuple[Workshop, WorkshopParticipant] | Response:
    """The open workshop and the phone's participant (one query); the page that asks the
    code again (404), or a redirect to the join form for a phone that has not joined."""
    try:
        workshop, participant = wk.open_workshop_for(session, code, _device(request, code))
    except NotFound:
        return _closed_page(request, code)
    if participant is None:
        return see_other(f"/w/{workshop.code}")
    return workshop, participant


@router.post("/w/{code}/preview", name="workshop_preview")
@public
def preview(code: str, request: Request, session: SessionDep, form: FormDep) -> Response:
    """The participant's own ranking under the posted weights (nothing is saved)."""
    found = _participant_or_404(request, session, code)
    if isinstance(found, Response):
        return found
    workshop, participant = found
    try:
        wk.PREVIEWS.take(participant.token_hash)
    except wk.TooSoon as exc:
        return Response(
            _("Slow down a little."),
            status_code=429,
            headers={"Retry-After": str(max(1, round(exc.retry_after)))},
        )
    workspace = ws.get_workspace(session, workshop.workspace_id)
    prepared = an.prepared_inputs(session, workspace)
    allocation = form.get("mode") == "allocation"
    status = 200
    try:
        keys = wk.criteria_of(workshop, prepared.framework.keys)
        points = wk.parse_weights(form, keys, allocation=False)
        rows = _preview_rows(session, workspace, workshop, prepared, points)
        errors: dict[str, str] = {}
        message = ""
    except wk.WorkshopFormErrors as exc:
        rows, errors, message, status = None, exc.errors, exc.message, 422
    context = {
        "workspace": None,
        "workshop": workshop,
        "rows": rows,
        "errors": errors,
        "message": message,
        "allocation": allocation,
    }
    return render(request, PHONE, context, block="mine", status_code=status)


@router.post("/w/{code}/submit", name="workshop_submit")
@public
def submit(code: str, request: Request, session: SessionDep, form: FormDep) -> Response:
    """Store the participant's weights for the open round (they may submit again)."""
    found = _participant_or_404(request, session, code)
    if isinstance(found, Response):
        return found
    workshop, participant = found
    keys = workshop.criteria or _framework_keys(session, workshop)
    allocation = form.get("mode") == "allocation"
    htmx = is_htmx(request)
    block = "vote" if htmx else None
    # A refused submission shows the whole vote block again (the button targets the status).
    refused = {"HX-Retarget": "#vote", "HX-Reswap": "outerHTML"} if htmx else {}
    try:
        points = wk.parse_weights(form, keys, allocation=allocation)
        stored = wk.submit(
            session,
            workshop,
            participant,
            points,
            key=str(form.get("submission_key", "")),
            bus=ev.bus_of(request.app),
        )
    except wk.WorkshopFormErrors as exc:
        context = _phone_context(
            request.app.state.templates,
            session,
            workshop,
            participant,
            points=_posted(form, keys),
            allocation=allocation,
            errors=exc.errors,
            message=exc.message,
            form=form,
            with_room=block is None,
        )
        response = render(request, PHONE, context, block=block, status_code=422)
        response.headers.update(refused)
        return response
    except wk.Closed:
        context = _phone_context(
            request.app.state.templates,
            session,
            workshop,
            participant,
            points=_posted(form, keys),
            allocation=allocation,
            message=_("This round is closed: your weights were not saved."),
            with_room=block is None,
        )
        response = render(request, PHONE, context, block=block, status_code=422)
        response.headers.update(refused)
        return response
    except wk.TooSoon as exc:
        return Response(
            _("You submitted a moment ago. Wait a second and try again."),
            status_code=429,
            headers={"Retry-After": str(max(1, round(exc.retry_after)))},
        )
    notice = _("Your weights are in. You can change them until the facilitator closes the round.")
    if htmx:  # the status line and the form's next submission key; the rest stays as it is
        context = {
            "notice": notice,
            "message": "",
            "errors": {},
            "submitted_count": stored.count,
            "submission_key": secrets.token_urlsafe(16),
            "refresh_key": True,
        }
        response = render(request, PHONE, context, block="vote_status")
    else:
        context = _phone_context(
            request.app.state.templates,
            session,
            workshop,
            participant,
            points=stored.weights,
            allocation=allocation,
            notice=notice,
        )
        response = render(request, PHONE, context)
    response.headers["X-Workshop-Seq"] = str(stored.seq)
    return response


def _framework_keys(session: Session, workshop: Workshop) -> list[str]:
    workspace = ws.get_workspace(session, workshop.workspace_id)
    return list(an.prepared_inputs(session, workspace).framework.keys)


def _posted(form: Any, keys: Sequence[str]) -> dict[str, float]:
    """The posted points where readable (to show the form again), 0 elsewhere."""
    points: dict[str, float] = {}
    for key in keys:
        try:
            value = float(str(form.get(f"w_{key}", "0") or "0").replace(",", "."))
        except ValueError:
            value = 0.0
        points[key] = min(max(value, 0.0), 100.0) if value == value else 0.0
    return points


@router.get("/w/{code}/events", name="workshop_phone_events")
@public
async def phone_events(code: str, request: Request, session: SessionDep) -> Response:
    """The phones' room block as Server-Sent Events (event name ``room``)."""
    workshop = await run_in_threadpool(_open, session, code)
    if workshop is None:
        session.close()
        return Response(status_code=404)
    workshop_id = workshop.id or 0
    templates = request.app.state.templates
    engine = request.app.state.engine
    session.close()

    locale = i18n.current_locale()

    def snapshot() -> tuple[int, str] | None:
        with Session(engine) as db, i18n.use_locale(locale):
            current = db.get(Workshop, workshop_id)
            if current is None:
                return None
            workspace = db.get(Workspace, current.workspace_id)
            if workspace is None:
                return None
            return current.seq, phone_room(templates, db, workspace, current)

    return _event_response(request, workshop_id, "room", snapshot, gap=PHONE_GAP_SECONDS)
