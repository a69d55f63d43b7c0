"""What every ``dawkit`` command shares: exit codes, the error guard (one stderr line, exit 2,
the traceback only with ``--debug``) and the output helpers.

Command modules (``dawkit.cli_git``, ``dawkit.cli_stems`` ...) import from here, not from
:mod:`dawkit.cli`, which imports them to register their commands.
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from dawkit.errors import DawkitError

if TYPE_CHECKING:  # pragma: no cover - types only
    from rich.console import Console

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])

#: Columns a table may use when the output is not a terminal.
_PIPE_WIDTH = 200

# Set by the app callback on every invocation (so repeated in-process runs do not leak it).
_state: dict[str, bool] = {"debug": False}


# --------------------------------------------------------------------------------------------
# error handling


def _passthrough() -> tuple[type[BaseException], ...]:
    """Exceptions typer/click handle themselves (exit requests, usage errors)."""
    kinds: list[type[BaseException]] = [typer.Exit, typer.Abort]
    base = getattr(typer, "TyperException", None)
    if base is None:  # pragma: no cover - older typer re-exports click's exceptions
        import click

        base = click.ClickException
    kinds.append(base)
    return tuple(kinds)


def _stderr(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")
    sys.stderr.flush()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _fail(exc: BaseException, message: str) -> typer.Exit:
    if _state["debug"]:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    _stderr(message)
    return typer.Exit(EXIT_ERROR)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _guard(func: F) -> F:
    """Turn exceptions into one stderr line and exit code 2 (plus the traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _passthrough():
            raise
        except DawkitError as exc:
            raise _fail(exc, f"error: {_one_line(str(exc))}") from None
        except KeyboardInterrupt:
            _stderr("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:  # `dawkit info X | head`: the reader went away; stop quietly
            _silence_stdout()
            raise typer.Exit(EXIT_ERROR) from None
        except Exception as exc:  # a bug: still one line, but say how to see more
            detail = _one_line(str(exc))
            name = type(exc).__name__
            message = f"internal error: {name}: {detail}" if detail else f"internal error: {name}"
            if not _state["debug"]:
                message += " (rerun with --debug for the traceback)"
            raise _fail(exc, message) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# output helpers


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: one record per line even when longer than the terminal.  In a pipe rich would
    # assume 80 columns and squeeze tables to "…"; a log or a file has room for whole cells
    # (COLUMNS, when set, still decides).
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or "COLUMNS" in os.environ else _PIPE_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


@contextmanager
def _status(message: str) -> Iterator[None]:
    """A spinner on stderr while long work runs, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    console = _console(stderr=True)
    with console.status(message, spinner="dots"):
        yield


def _esc(text: object) -> str:
    from rich.markup import escape

    return escape(str(text))




def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"
