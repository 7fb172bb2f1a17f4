"""The `network-compass` command line (also `python -m app`)."""

from __future__ import annotations

import argparse
import json
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
        f"Catalogue: {report.networks_added} networks added, {report.networks_updated} updated. "
        f"Demo workspace: {'created' if report.workspace_created else 'already present or skipped'}."
    )
    print("Rows: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = _settings(args).model_copy(update={"load_demo": args.demo})
    print(f"Network Compass on http://{args.host}:{args.port}  (database: {settings.database_url})")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
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
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("export-workspace", help="write a workspace as JSON")
    p.add_argument("slug")
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
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
