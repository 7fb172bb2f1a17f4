"""The `network-compass` command line (also `python -m app`)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.config import Settings
from app.db import make_engine, migrate
from app.errors import Conflict, InvalidInput
from app.models import Assessment, Membership, Network, Scenario, Workspace


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    return Settings(**overrides)


@contextmanager
def _engine(args: argparse.Namespace, *, migrated: bool = True) -> Iterator[Engine]:
    """An engine for the command's database, disposed (connections closed) afterwards."""
    engine = make_engine(_settings(args).database_url)
    try:
        if migrated:
            migrate(engine)
        yield engine
    finally:
        engine.dispose()


def cmd_init_db(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        print(f"Database ready (schema at the newest migration): {engine.url.render_as_string()}")
    return 0


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__name__.lower() + "s": session.exec(select(func.count()).select_from(model)).one()
        for model in (Network, Workspace, Membership, Assessment, Scenario)
    }


def cmd_seed(args: argparse.Namespace) -> int:
    from app.seed import seed

    with _engine(args) as engine, Session(engine) as session:
        report = seed(session, _settings(args).seed_dir, demo=not args.no_demo)
        counts = _counts(session)
    print(
        f"Catalogue: {report.networks_added} networks added, {report.networks_updated} updated; "
        f"{report.facts_changed} function tags, family links and eligibility rules changed. "
        f"Demo workspace: {'created' if report.workspace_created else 'already present or skipped'}."
    )
    print("Rows: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _base_url(args: argparse.Namespace) -> str:
    host = getattr(args, "host", "127.0.0.1")
    host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    return f"http://{host}:{getattr(args, 'port', 8000)}"


def _link(args: argparse.Namespace, token: str) -> str:
    return f"{_base_url(args)}/reset/{token}"


def bootstrap_first_user(session: Session, email: str) -> str | None:
    """On an empty user table: create `email` as site administrator and owner of the demo
    workspace (when loaded); returns a one-time sign-in token, or None when users exist."""
    from app.services import accounts
    from app.services.workspaces import get_workspace_by_slug

    if accounts.user_count(session) > 0:
        return None
    user = accounts.create_user(session, email, admin=True)
    demo = get_workspace_by_slug(session, "example-city")
    if demo is not None:
        accounts.make_owner(session, demo.id or 0, user.id or 0)
    session.commit()
    return accounts.create_reset(session, user)


WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's parent process waits for a worker to answer before replacing it."""


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = _settings(args)
    demo = args.demo or settings.load_demo
    with _engine(args) as engine, Session(engine) as session:
        if demo:
            from app.seed import seed

            seed(session, settings.seed_dir, demo=True)
        token = bootstrap_first_user(session, settings.first_user_email)
    if token:
        print(
            f"First run: created {settings.first_user_email} (site administrator"
            f"{', owner of the demo workspace' if demo else ''}).\n"
            f"Sign in within 24 hours with this one-time link to set a password:\n"
            f"    {_link(args, token)}"
        )
    settings = settings.model_copy(update={"load_demo": False, "migrate_on_start": False})
    workers = max(1, int(getattr(args, "workers", 1) or 1))
    print(
        f"Network Compass on {_base_url(args)}  (database: {settings.database_url}, "
        f"{workers} worker{'s' if workers > 1 else ''})"
    )
    # Open workshop event streams would hold a shutdown for up to two minutes: give them
    # five seconds (browsers reconnect to the next process).
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level="info",
            access_log=False,  # the app logs one JSON line per request (app/ops.py)
            timeout_graceful_shutdown=5,
        )
        return 0
    # Worker processes build their own app from the environment: hand them this command's
    # settings (seeding and migrations are done above, once), and one secret key for all of
    # them, or a session cookie signed by one worker would not open on another.
    os.environ.update(worker_environment(settings))
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
        # A worker imports the whole app (PDF, solver, charts) before it answers the parent's
        # health check: uvicorn's 5 s default killed and restarted workers in a loop on a
        # busy two-core machine.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    return 0


def worker_environment(settings: Settings) -> dict[str, str]:
    """The `NC_` variables that make a worker's `create_app()` use ``settings``.

    Migrations and demo loading are off (the parent did them); an empty secret key becomes
    one random key shared by every worker.

    >>> env = worker_environment(Settings(database_url="sqlite:///x.db", secret_key="k"))
    >>> env["NC_DATABASE_URL"], env["NC_LOAD_DEMO"], env["NC_MIGRATE_ON_START"], env["NC_SECRET_KEY"]
    ('sqlite:///x.db', 'false', 'false', 'k')
    """
    return {
        "NC_DATABASE_URL": settings.database_url,
        "NC_LOAD_DEMO": "false",
        "NC_MIGRATE_ON_START": "false",
        "NC_SECRET_KEY": settings.secret_key or secrets.token_urlsafe(32),
    }


def cmd_create_user(args: argparse.Namespace) -> int:
    from app.services import accounts
    from app.services.workspaces import get_workspace_by_slug

    with _engine(args) as engine, Session(engine) as session:
        workspace = None
        if args.workspace:
            workspace = get_workspace_by_slug(session, args.workspace)
            if workspace is None:
                print(f"error: no workspace with slug '{args.workspace}'", file=sys.stderr)
                return 2
        try:
            user = accounts.create_user(
                session, args.email, display_name=args.name or "", admin=args.admin
            )
        except InvalidInput as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if workspace is not None:
            accounts.make_owner(session, workspace.id or 0, user.id or 0)
            session.flush()
            if args.role != "owner":
                from app.models import WorkspaceMember

                member = session.exec(
                    select(WorkspaceMember).where(
                        WorkspaceMember.workspace_id == workspace.id,
                        WorkspaceMember.user_id == user.id,
                    )
                ).one()
                member.role = args.role
                session.add(member)
        session.commit()
        token = accounts.create_reset(session, user)
        where = f", {args.role} of '{workspace.slug}'" if workspace is not None else ""
        print(f"Created {user.email}{' (site administrator)' if user.is_admin else ''}{where}.")
    print(f"One-time sign-in link (valid 24 hours): {_link(args, token)}")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    from app.services import accounts

    with _engine(args) as engine, Session(engine) as session:
        user = accounts.get_user_by_email(session, args.email)
        if user is None or not user.is_active:
            print(f"error: no active account for {args.email}", file=sys.stderr)
            return 2
        token = accounts.create_reset(session, user)
    print(f"One-time link to set a new password (valid 24 hours): {_link(args, token)}")
    return 0


def cmd_disable_user(args: argparse.Namespace) -> int:
    from app.services import accounts

    with _engine(args) as engine, Session(engine) as session:
        user = accounts.get_user_by_email(session, args.email)
        if user is None:
            print(f"error: no account for {args.email}", file=sys.stderr)
            return 2
        accounts.disable_user(session, user)
        session.commit()
    print(f"Disabled {accounts.normalise_email(args.email)}: sessions and API tokens revoked.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.services.transfer import dumps, export_workspace
    from app.services.workspaces import get_workspace_by_slug

    with _engine(args, migrated=False) as engine, Session(engine) as session:
        workspace = get_workspace_by_slug(session, args.slug)
        if workspace is None:
            print(f"error: no workspace with slug '{args.slug}'", file=sys.stderr)
            return 2
        text = dumps(export_workspace(session, workspace))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Exported '{args.slug}' to {args.output}")
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    """Print the analysis a report shows, with the fingerprint of its inputs, as JSON."""
    from datetime import date

    from app.services.workspaces import get_workspace_by_slug, list_scenarios
    from app.views.report import reproducible_analysis

    with _engine(args) as engine, Session(engine) as session:
        workspace = get_workspace_by_slug(session, args.slug)
        if workspace is None:
            print(f"No workspace '{args.slug}'.", file=sys.stderr)
            return 1
        scenario_id = None
        if args.scenario:
            found = [s for s in list_scenarios(session, workspace) if s.name == args.scenario]
            if not found:
                print(f"No scenario named '{args.scenario}' in '{args.slug}'.", file=sys.stderr)
                return 1
            scenario_id = found[0].id
        try:
            today = date.fromisoformat(args.as_of) if args.as_of else date.today()
        except ValueError:
            print(f"'{args.as_of}' is not a date (YYYY-MM-DD).", file=sys.stderr)
            return 2
        data = reproducible_analysis(session, workspace, scenario_id=scenario_id, today=today)
    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app.services.transfer import import_workspace

    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    with _engine(args) as engine, Session(engine) as session:
        try:
            workspace = import_workspace(session, data, actor="cli")
        except (Conflict, InvalidInput) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"Imported workspace '{workspace.slug}' (id {workspace.id}).")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """The whole database to one file (JSON lines with the schema revision)."""
    from app.services.backup import BackupError, backup_to_file

    path = Path(args.file)
    with _engine(args, migrated=False) as engine:
        try:
            summary = backup_to_file(engine, path)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(
        f"Backed up {summary.rows} rows in {len(summary.tables)} tables "
        f"(schema revision {summary.revision}) to {path}"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup file into the database: empty, or replaced whole with --force."""
    from app.services.backup import BackupError, restore_from_file

    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return 2
    with _engine(args, migrated=False) as engine:
        try:
            summary = restore_from_file(engine, path, force=args.force)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(
        f"Restored {summary.rows} rows in {len(summary.tables)} tables from {path} "
        f"(schema revision {summary.revision}, now upgraded to the newest)."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="network-compass", description=__doc__)
    parser.add_argument(
        "--database-url", help="overrides NC_DATABASE_URL (default: sqlite:///./network-compass.db)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create or upgrade the schema").set_defaults(func=cmd_init_db)
    p = sub.add_parser("seed", help="load the network catalogue and the demo workspace")
    p.add_argument("--no-demo", action="store_true", help="catalogue only")
    p.set_defaults(func=cmd_seed)
    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--demo", action="store_true", help="load the catalogue and demo first")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (default 1; one per CPU core to serve more users)",
    )
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("create-user", help="create an account and print a one-time sign-in link")
    p.add_argument("email")
    p.add_argument("--name", help="display name")
    p.add_argument("--admin", action="store_true", help="site administrator (edits catalogue)")
    p.add_argument("--workspace", metavar="SLUG", help="give the user a role in this workspace")
    p.add_argument("--role", choices=["owner", "analyst", "viewer"], default="owner")
    p.set_defaults(func=cmd_create_user, host="127.0.0.1", port=8000)
    p = sub.add_parser("reset-password", help="print a one-time link to set a new password")
    p.add_argument("email")
    p.set_defaults(func=cmd_reset_password, host="127.0.0.1", port=8000)
    p = sub.add_parser("disable-user", help="disable an account; its sessions and tokens end")
    p.add_argument("email")
    p.set_defaults(func=cmd_disable_user)
    p = sub.add_parser("export-workspace", help="write a workspace as JSON")
    p.add_argument("slug")
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser(
        "analyse", help="print a scenario's analysis as a report shows it, with its fingerprint"
    )
    p.add_argument("slug")
    p.add_argument("--scenario", help="scenario name (default: the newest)")
    p.add_argument("--as-of", dest="as_of", help="date the analysis counts from (YYYY-MM-DD)")
    p.set_defaults(func=cmd_analyse)
    p = sub.add_parser("backup", help="write the whole database to one file")
    p.add_argument("file", help="file to write (JSON lines; replaced when complete)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup file into an empty database")
    p.add_argument("file")
    p.add_argument(
        "--force", action="store_true", help="replace everything in a non-empty database"
    )
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("import-workspace", help="create a workspace from an export")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
