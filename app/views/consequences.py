"""What a saved score did to the advice: networks whose rank or action changed.

The assessment editor runs the workspace's default scenario before and after a save (through
`app.services.ui.analyse`, the same decision logic as the dashboard) and compares the two with
`app.views.dashboard.changes`. The changes travel to the page after the redirect as compact
``network:rank:rank:action:action`` tokens in the query string (post/redirect/get without a
server-side flash store); `parse` reads them back strictly, ignoring anything malformed, and
`sentences` words them in the reader's language with the networks' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from app.i18n import gettext as _
from app.i18n import ngettext
from app.models import Workspace
from app.services import analysis as an
from app.services import ui
from app.services import workspaces as ws
from app.views import dashboard as dashboard_view
from app.views.advice import action_label
from scoring.recommend import Action

ACTIONS = frozenset(str(a) for a in Action)
MAX_CHANGES = 40
SAMPLES = 200
"""Weight samples per run: ranks and actions do not depend on the sampling, so a save stays
quick; the dashboard samples with the scenario's own count."""


@dataclass(frozen=True, slots=True)
class Moved:
    """One network whose rank or action changed (ranks are None when not ranked)."""

    network_id: str
    before_rank: int | None
    after_rank: int | None
    before_action: str
    after_action: str

    def token(self) -> str:
        """The compact form carried in the query string.

        >>> Moved("icorn", 14, 10, "not_recommended", "join").token()
        'icorn:14:10:not_recommended:join'
        """
        ranks = ("" if r is None else str(r) for r in (self.before_rank, self.after_rank))
        return ":".join((self.network_id, *ranks, self.before_action, self.after_action))


def default_analysis(session: Session, workspace: Workspace) -> an.AnalysisContext | None:
    """The workspace's default scenario analysed now (None when it cannot be analysed)."""
    settings = ui.resolve_settings(session, workspace, None)
    try:
        return ui.analyse(
            session,
            workspace,
            settings.weights,
            settings.method,
            settings.options,
            samples=SAMPLES,
        )
    except ui.FormErrors:
        return None


def compare(before: an.AnalysisContext | None, after: an.AnalysisContext | None) -> list[Moved]:
    """The networks whose rank or action differs, action changes first (`app.views.dashboard.changes`)."""
    if before is None or after is None:
        return []
    return [
        Moved(
            c.network_id, c.before_rank, c.after_rank, c.before_action or "", c.after_action or ""
        )
        for c in dashboard_view.changes(before, after)
    ][:MAX_CHANGES]


def _rank(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or len(text) > 4:
        raise ValueError(text)
    return int(text)


def parse(tokens: Iterable[str], known: Iterable[str]) -> list[Moved]:
    """Tokens back into changes; a token naming an unknown network or action is dropped.

    >>> parse(["icorn:14:10:not_recommended:join", "x:1:2:stay:stay", "bad"], ["icorn"])
    [Moved(network_id='icorn', before_rank=14, after_rank=10, before_action='not_recommended', after_action='join')]
    """
    ids = set(known)
    out = []
    for token in list(tokens)[:MAX_CHANGES]:
        parts = token.split(":")
        if len(parts) != 5 or parts[0] not in ids:
            continue
        network_id, before, after, was, now = parts
        if was not in ACTIONS or now not in ACTIONS:
            continue
        try:
            out.append(Moved(network_id, _rank(before), _rank(after), was, now))
        except ValueError:
            continue
    return out


def sentence(change: Moved, name: str) -> str:
    """One change in words, e.g. "ICORN moved from rank 14 to rank 10 and is now Join"."""
    action_changed = change.before_action != change.after_action
    now = action_label(change.after_action)
    was = action_label(change.before_action)
    b, a = change.before_rank, change.after_rank
    if b != a and b is not None and a is not None:
        if action_changed:
            return _(
                "%(name)s moved from rank %(before)s to rank %(after)s and is now %(action)s "
                "(was %(previous)s).",
                name=name,
                before=b,
                after=a,
                action=now,
                previous=was,
            )
        return _(
            "%(name)s moved from rank %(before)s to rank %(after)s.", name=name, before=b, after=a
        )
    if b != a and a is None:
        return _(
            "%(name)s is no longer ranked (too few scores) and is now %(action)s.",
            name=name,
            action=now,
        )
    if b != a and b is None:
        if action_changed:
            return _(
                "%(name)s is now ranked %(after)s and is now %(action)s (was %(previous)s).",
                name=name,
                after=a,
                action=now,
                previous=was,
            )
        return _("%(name)s is now ranked %(after)s.", name=name, after=a)
    return _("%(name)s is now %(action)s (was %(previous)s).", name=name, action=now, previous=was)


def _minor(change: Moved) -> bool:
    """A move of one place with the same action (the knock-on of another network's move)."""
    b, a = change.before_rank, change.after_rank
    return (
        change.before_action == change.after_action
        and b is not None
        and a is not None
        and abs(b - a) == 1
    )


def sentences(changes: Iterable[Moved], names: Mapping[str, str]) -> list[str]:
    """The changes in words, naming networks by ``names`` (id -> short name): every change of
    action and every move of two places or more; moves of one place are counted in a line."""
    changes = list(changes)
    lines = [sentence(c, names.get(c.network_id, c.network_id)) for c in changes if not _minor(c)]
    minor = [names.get(c.network_id, c.network_id) for c in changes if _minor(c)]
    if minor:
        lines.append(
            ngettext(
                "%(num)s other network moved by one place: %(names)s.",
                "%(num)s other networks moved by one place: %(names)s.",
                len(minor),
                names=", ".join(minor),
            )
        )
    return lines


def network_names(session: Session, workspace: Workspace) -> dict[str, str]:
    """Short names (acronym, else name) of the workspace's networks, by id."""
    return {n.id: n.acronym or n.name for _m, n in ws.list_memberships(session, workspace)}
