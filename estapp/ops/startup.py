"""Refuse to start with one clear line naming the setting, never a traceback.

Exit codes follow sysexits.h, so the systemd units can tell a wrong setting (do not restart
until someone fixes it) from a database that is not there yet (try again).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Mapping
from typing import NoReturn

import click

from estapp.config import ConfigError, Settings, load_settings
from estapp.ops.checks import Problem, first_startup_problem

EXIT_CONFIG = 78  # EX_CONFIG: a setting is wrong
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the database does not answer or is not migrated yet


def exit_code_for(problem: Problem) -> int:
    return EXIT_UNAVAILABLE if problem.transient else EXIT_CONFIG


def refuse(message: str, exit_code: int) -> NoReturn:
    sys.stderr.write(f"Fel: {message}\n")
    sys.stderr.flush()
    raise SystemExit(exit_code)


def start_refused(message: str, exit_code: int) -> click.ClickException:
    """The CLI's one-line error, with the exit code that tells systemd what to do."""
    from estapp.cli import CommandError  # estapp.cli imports the commands that use this

    failure = CommandError(message)
    failure.exit_code = exit_code
    return failure


def settings_for_start(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings, checked as a start needs them; otherwise one line on stderr and exit."""
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        refuse(str(error), EXIT_CONFIG)
    problem = first_startup_problem(settings)
    if problem is not None:
        refuse(problem.message, exit_code_for(problem))
    return settings


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, templates, mappers) out of garbage collection.

    A web worker serves from it for its whole life; without this, each full collection walks
    it again and pauses a request for a tenth of a second or more.
    """
    gc.collect()
    gc.freeze()
