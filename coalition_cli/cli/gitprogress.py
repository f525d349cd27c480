"""GitPython's clone/fetch/push progress drawn through rich, on a terminal only."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def remote_progress(label: str) -> Any:
    """A ``git.RemoteProgress`` drawing a rich bar on stderr, or None when stderr is not a
    terminal (then git is asked for no progress at all). Call ``.finish()`` when done."""
    if sys.stderr is None or not sys.stderr.isatty():
        return None
    import git as gitpython
    from rich.progress import BarColumn, Progress, TextColumn

    from ._common import terminal_console

    stages = {
        gitpython.RemoteProgress.COUNTING: "counting objects",
        gitpython.RemoteProgress.COMPRESSING: "compressing objects",
        gitpython.RemoteProgress.RECEIVING: "receiving objects",
        gitpython.RemoteProgress.RESOLVING: "resolving deltas",
        gitpython.RemoteProgress.WRITING: "writing objects",
        gitpython.RemoteProgress.FINDING_SOURCES: "finding sources",
        gitpython.RemoteProgress.CHECKING_OUT: "checking out files",
    }

    class RichProgress(gitpython.RemoteProgress):
        def __init__(self) -> None:
            super().__init__()
            self.bar: Progress | None = None
            self.tasks: dict[int, Any] = {}

        def update(self, op_code: int, cur_count: Any, max_count: Any = None,
                   message: str = "") -> None:
            stage = op_code & self.OP_MASK
            if self.bar is None:
                self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                    TextColumn("{task.completed:.0f}/{task.total:.0f}"),
                                    console=terminal_console(stderr=True), transient=True)
                self.bar.start()
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(
                    f"{label}: {stages.get(stage, 'working')}", total=float(max_count or 0) or None)
            self.bar.update(self.tasks[stage], completed=float(cur_count or 0),
                            total=float(max_count or 0) or None)

        def finish(self) -> None:
            if self.bar is not None:
                self.bar.stop()
                self.bar = None

    return RichProgress()
