"""Accounts: users, passwords, sessions, API tokens, sign-in rate limits, one-time reset links
and workspace members with their roles.

Secrets (session tokens, API tokens, reset tokens) are random; only their SHA-256 is stored,
so a copy of the database does not let anyone sign in. Passwords are hashed with Argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import and_, delete, func
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.i18n import LOCALES
from app.i18n import gettext as _
from app.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    User,
    UserSession,
    Workspace,
    WorkspaceMember,
    utcnow,
)
from app.services.common import as_utc, audit

ROLES: Final = ("viewer", "analyst", "owner")
"""Workspace roles, weakest first: each role may do everything the ones before it may."""
SESSION_LIFETIME: Final = timedelta(days=14)
RESET_LIFETIME: Final = timedelta(hours=24)
LOGIN_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL: Final = 5
MAX_FAILURES_PER_IP: Final = 20
MIN_PASSWORD_LENGTH: Final = 10
API_TOKEN_PREFIX: Final = "nc_"
_TOUCH_EVERY: Final = timedelta(minutes=5)

_hasher = PasswordHash((Argon2Hasher(),))
_DUMMY_HASH: Final = _hasher.hash("not-a-real-password: equalises sign-in timing")


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The signed-in user as the request layer sees it (a plain value, safe after the session)."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    locale: str | None = None
    """The language the user chose for the pages (None: the browser's)."""

    @property
    def label(self) -> str:
        return self.display_name or self.email


def role_rank(role: str) -> int:
    """Position of `role` in `ROLES` (higher may do more).

    >>> role_rank("viewer") < role_rank("analyst") < role_rank("owner")
    True
    """
    return ROLES.index(role)


def role_label(role: str) -> str:
    """A role's name in the reader's language (unknown roles unchanged)."""
    labels = {"viewer": _("viewer"), "analyst": _("analyst"), "owner": _("owner")}
    return labels.get(role, role)


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and lowercased.

    >>> normalise_email("  Ana@Example.ORG ")
    'ana@example.org'
    """
    return email.strip().lower()


def digest(token: str) -> str:
    """SHA-256 hex digest of a secret token: what the database keeps instead of the token.

    >>> len(digest("abc"))
    64
    """
    return hashlib.sha256(token.encode()).hexdigest()


def _current(user: User) -> CurrentUser:
    return CurrentUser(user.id or 0, user.email, user.display_name, user.is_admin, user.locale)


# --- users and passwords --------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str, confirm: str | None = None) -> None:
    """Raise InvalidInput (naming the field) when a new password is too weak or mistyped."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password",
            _("Use at least %(n)s characters for the password.", n=MIN_PASSWORD_LENGTH),
        )
    if confirm is not None and not hmac.compare_digest(password, confirm):
        raise InvalidInput("confirm", _("The two passwords do not match."))


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    session: Session,
    email: str,
    *,
    password: str | None = None,
    display_name: str = "",
    admin: bool = False,
) -> User:
    """A new active user; without a password they sign in first through a reset link."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidInput("email", _("Enter a valid email address."))
    if get_user_by_email(session, email) is not None:
        raise InvalidInput("email", _("An account for %(email)s already exists.", email=email))
    if password is not None:
        check_new_password(password)
    user = User(
        email=email,
        password_hash=hash_password(password) if password else "",
        display_name=display_name,
        is_admin=admin,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Store a new password and sign the user out everywhere else."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    session.add(user)
    revoke_sessions(session, user.id or 0)


def verify_password(user: User | None, password: str) -> bool:
    """True when `password` is the user's; takes the same time whether or not the user exists."""
    if user is None or not user.password_hash:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, user.password_hash)


def set_locale(session: Session, user_id: int, locale: str | None) -> None:
    """Store the user's language for the pages (None or "": follow the browser)."""
    locale = locale or None
    if locale is not None and locale not in LOCALES:
        raise InvalidInput("locale", _("Choose one of the languages offered."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("member", user_id)
    user.locale = locale
    session.add(user)
    session.commit()


def disable_user(session: Session, user: User) -> None:
    """Deactivate a user: their sessions end and their API tokens stop working at once."""
    user.is_active = False
    session.add(user)
    revoke_sessions(session, user.id or 0)
    now = utcnow()
    for token in session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ):
        token.revoked_at = now
        session.add(token)


# --- sign-in rate limit ---------------------------------------------------------------------


def login_blocked_minutes(session: Session, email: str, ip: str) -> int:
    """Minutes until a sign-in for `email` from `ip` is allowed again (0: allowed now).

    Five failures for one address, or twenty from one IP, within fifteen minutes block further
    attempts until the oldest of them leaves the window. A success clears the address's count.
    """
    now = utcnow()
    since = now - LOGIN_WINDOW
    email = normalise_email(email)
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, col(LoginAttempt.succeeded).is_(True)
        )
    ).one()
    email_since = max(since, as_utc(last_success)) if last_success else since
    waits: list[datetime] = []
    for where, start, limit in (
        (LoginAttempt.email == email, email_since, MAX_FAILURES_PER_EMAIL),
        (LoginAttempt.ip == ip, since, MAX_FAILURES_PER_IP),
    ):
        times = session.exec(
            select(LoginAttempt.at)
            .where(where, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at > start)
            .order_by(col(LoginAttempt.at).desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            waits.append(as_utc(times[-1]) + LOGIN_WINDOW)
    if not waits:
        return 0
    return max(1, math.ceil((max(waits) - now).total_seconds() / 60))


def authenticate(session: Session, email: str, password: str, ip: str) -> User | None:
    """The user when `email`/`password` match an active account; records the attempt."""
    email = normalise_email(email)
    user = get_user_by_email(session, email)
    ok = verify_password(user, password) and user is not None and user.is_active
    session.add(LoginAttempt(email=email[:254], ip=ip[:64], at=utcnow(), succeeded=ok))
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < utcnow() - timedelta(days=1)))
    session.commit()
    return user if ok else None


# --- browser sessions -----------------------------------------------------------------------


def start_session(session: Session, user: User) -> tuple[str, UserSession]:
    """A new browser session; returns the secret token for the cookie and the stored row."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        id=digest(token),
        user_id=user.id or 0,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
        csrf_secret=secrets.token_hex(32),
    )
    session.add(row)
    session.commit()
    return token, row


def _with_role(statement: Any, workspace_id: int | None) -> Any:
    """A sign-in query that also reads the user's role in one workspace and that workspace
    (outer joins: None when not a member), so sign-in and scoping cost one round trip."""
    if workspace_id is None:
        return statement
    return (
        statement.add_columns(col(WorkspaceMember.role), Workspace)
        .outerjoin(
            WorkspaceMember,
            and_(
                col(WorkspaceMember.user_id) == col(User.id),
                col(WorkspaceMember.workspace_id) == workspace_id,
            ),
        )
        .outerjoin(Workspace, col(Workspace.id) == col(WorkspaceMember.workspace_id))
    )


def _note_role(found: Any, workspace_id: int | None, roles: dict[int, str | None] | None) -> None:
    if workspace_id is not None and roles is not None:
        roles[workspace_id] = found[2]


def resolve_session(
    session: Session,
    token: str,
    *,
    workspace_id: int | None = None,
    roles: dict[int, str | None] | None = None,
) -> tuple[CurrentUser, UserSession] | None:
    """The active user and session behind a cookie token; None when revoked, expired or
    the user is disabled.

    With ``workspace_id`` the same query reads the user's role there (None: not a member)
    into ``roles`` and loads the workspace into the session (a later ``session.get`` of it
    costs no query).
    """
    statement = _with_role(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(col(UserSession.id) == digest(token)),
        workspace_id,
    )
    found = session.exec(statement).first()
    now = utcnow()
    if found is None:
        return None
    row, user = found[0], found[1]
    if row.revoked_at is not None or as_utc(row.expires_at) <= now:
        return None
    if not user.is_active:
        return None
    _note_role(found, workspace_id, roles)
    if now - as_utc(row.last_seen_at) > _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return _current(user), row


def end_session(session: Session, token: str) -> None:
    row = session.get(UserSession, digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()


def revoke_sessions(session: Session, user_id: int) -> None:
    """End every open session of a user (part of the caller's transaction)."""
    now = utcnow()
    for row in session.exec(
        select(UserSession).where(
            UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now
        session.add(row)


# --- API tokens -----------------------------------------------------------------------------


def create_api_token(session: Session, user_id: int, name: str) -> tuple[str, ApiToken]:
    """A new personal API token; the secret is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", _("Give the token a name of 1 to 100 characters."))
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=name, token_hash=digest(secret))
    session.add(row)
    session.commit()
    return secret, row


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        )
    )


def revoke_api_token(session: Session, user_id: int, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound("API token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()


def resolve_api_token(
    session: Session,
    secret: str,
    *,
    workspace_id: int | None = None,
    roles: dict[int, str | None] | None = None,
) -> CurrentUser | None:
    """The active user behind a bearer token; None when unknown, revoked or the user is off.

    ``workspace_id`` and ``roles``: as for `resolve_session` (one query for both).
    """
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    statement = _with_role(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == digest(secret)),
        workspace_id,
    )
    found = session.exec(statement).first()
    if found is None:
        return None
    row, user = found[0], found[1]
    if row.revoked_at is not None or not user.is_active:
        return None
    _note_role(found, workspace_id, roles)
    now = utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) > _TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return _current(user)


# --- one-time links -------------------------------------------------------------------------


def create_reset(session: Session, user: User) -> str:
    """A one-time token to set the user's password, valid for 24 hours."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordReset(
            token_hash=digest(token),
            user_id=user.id or 0,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.commit()
    return token


def find_reset(session: Session, token: str) -> tuple[PasswordReset, User] | None:
    """The unused, unexpired reset behind `token` and its (active) user."""
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == digest(token))
    ).first()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def use_reset(session: Session, token: str, password: str, confirm: str) -> User:
    """Set a new password from a reset token and spend the token; raises NotFound if spent."""
    found = find_reset(session, token)
    if found is None:
        raise NotFound("link", "reset")
    row, user = found
    check_new_password(password, confirm)
    set_password(session, user, password)
    row.used_at = utcnow()
    session.add(row)
    session.commit()
    return user


# --- workspace members ----------------------------------------------------------------------


def role_in(session: Session, user_id: int, workspace_id: int) -> str | None:
    """The user's role in the workspace, or None when they are not a member."""
    member = session.exec(
        select(WorkspaceMember).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    ).first()
    return member.role if member else None


def workspaces_of(session: Session, user_id: int) -> list[Workspace]:
    """The workspaces the user is a member of, by name."""
    return list(
        session.exec(
            select(Workspace)
            .join(WorkspaceMember, col(WorkspaceMember.workspace_id) == col(Workspace.id))
            .where(WorkspaceMember.user_id == user_id)
            .order_by(col(Workspace.name))
        )
    )


def list_members(session: Session, workspace: Workspace) -> list[tuple[WorkspaceMember, User]]:
    rows = session.exec(
        select(WorkspaceMember, User)
        .join(User, col(User.id) == col(WorkspaceMember.user_id))
        .where(WorkspaceMember.workspace_id == workspace.id)
        .order_by(col(User.email))
    )
    return [(m, u) for m, u in rows]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            "role",
            _(
                "Choose one of the roles: %(roles)s.",
                roles=", ".join(role_label(r) for r in ROLES),
            ),
        )


def _owner_count(session: Session, workspace_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(WorkspaceMember)
        .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.role == "owner")
    ).one()


def _member(session: Session, workspace: Workspace, user_id: int) -> WorkspaceMember:
    member = session.exec(
        select(WorkspaceMember).where(
            WorkspaceMember.workspace_id == workspace.id, WorkspaceMember.user_id == user_id
        )
    ).first()
    if member is None:
        raise NotFound("member", user_id)
    return member


def add_member(
    session: Session, workspace: Workspace, email: str, role: str, *, actor: str
) -> WorkspaceMember:
    """Give an existing account a role in the workspace (audited)."""
    _check_role(role)
    user = get_user_by_email(session, email)
    if user is None:
        raise InvalidInput(
            "email",
            _(
                "No account for %(email)s. A site administrator creates accounts with "
                "`network-compass create-user`.",
                email=normalise_email(email),
            ),
        )
    if role_in(session, user.id or 0, workspace.id or 0) is not None:
        raise InvalidInput(
            "email", _("%(email)s is already a member of this workspace.", email=user.email)
        )
    member = WorkspaceMember(workspace_id=workspace.id or 0, user_id=user.id or 0, role=role)
    session.add(member)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="member",
        entity_key=user.email,
        after={"role": role},
    )
    session.commit()
    return member


def change_role(
    session: Session, workspace: Workspace, user_id: int, role: str, *, actor: str
) -> WorkspaceMember:
    """Change a member's role; the last owner cannot step down."""
    _check_role(role)
    member = _member(session, workspace, user_id)
    if (
        member.role == "owner"
        and role != "owner"
        and _owner_count(session, member.workspace_id) <= 1
    ):
        raise InvalidInput("role", _("A workspace needs at least one owner: add another first."))
    before = member.role
    member.role = role
    session.add(member)
    user = session.get(User, user_id)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="member",
        entity_key=user.email if user else str(user_id),
        before={"role": before},
        after={"role": role},
    )
    session.commit()
    return member


def remove_member(session: Session, workspace: Workspace, user_id: int, *, actor: str) -> None:
    """Take a member out of the workspace; the last owner cannot be removed."""
    member = _member(session, workspace, user_id)
    if member.role == "owner" and _owner_count(session, member.workspace_id) <= 1:
        raise InvalidInput("user_id", _("A workspace needs at least one owner: add another first."))
    user = session.get(User, user_id)
    session.delete(member)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity="member",
        entity_key=user.email if user else str(user_id),
        before={"role": member.role},
    )
    session.commit()


def make_owner(session: Session, workspace_id: int, user_id: int) -> None:
    """Make the user an owner of the workspace (new workspaces, first run); no commit."""
    member = session.exec(
        select(WorkspaceMember).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    ).first()
    if member is None:
        session.add(WorkspaceMember(workspace_id=workspace_id, user_id=user_id, role="owner"))
    else:
        member.role = "owner"
        session.add(member)


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()
