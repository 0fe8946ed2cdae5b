"""`python -m core workspaces prune [--days N]`: remove workspaces nobody opened for N days."""

from __future__ import annotations

import os
import sys

from core.storage.store import home_folder

PRUNE_DAYS_ENV = "ATTENTION_LAB_PRUNE_DAYS"
DEFAULT_PRUNE_DAYS = 30


def default_days() -> float:
    try:
        days = float(os.environ.get(PRUNE_DAYS_ENV, DEFAULT_PRUNE_DAYS))
    except ValueError:
        return DEFAULT_PRUNE_DAYS
    return days if days >= 0 else DEFAULT_PRUNE_DAYS


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("workspaces", help="manage the app's saved workspaces (data folder: $ATTENTION_LAB_HOME)")
    actions = p.add_subparsers(metavar="ACTION", required=True)
    prune = actions.add_parser("prune", help="remove workspaces unused for N days")
    prune.add_argument("--days", type=float, default=default_days(),
                       help=f"days unused (default ${PRUNE_DAYS_ENV} or {DEFAULT_PRUNE_DAYS})")
    prune.set_defaults(func=run_prune)


def run_prune(args) -> int:
    from core.errors import AttentionLabError
    from core.storage.workspace import prune

    if args.days < 0:
        raise AttentionLabError("--days must be 0 or more.")
    removed = prune(args.days)
    print(f"removed {removed} workspace(s) unused for {args.days:g} days from {home_folder()}", file=sys.stderr)
    return 0
