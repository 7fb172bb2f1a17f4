"""Settings read from `NC_`-prefixed environment variables (and a `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the shell needs to know about its environment."""

    model_config = SettingsConfigDict(env_prefix="NC_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./network-compass.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    secret_key: str = Field(
        default="",
        description="Signs session cookies and CSRF tokens. Empty: a random key per process.",
    )
    metrics_token: str = Field(
        default="",
        description="Bearer token that may read /metrics (site administrators always may).",
    )
    migrate_on_start: bool = Field(
        default=True, description="Run `alembic upgrade head` when the app starts."
    )
    load_demo: bool = Field(default=False, description="Load seed data and the demo on start.")
    first_user_email: str = Field(
        default="owner@example.org",
        description="`serve` creates this site administrator when there is no user yet.",
    )
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    seed_dir: Path = PROJECT_ROOT / "seed_data"
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build `Settings(...)` directly instead)."""
    return Settings()
