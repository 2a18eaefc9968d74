"""The notebook's live learning curve: a plot that redraws itself while the agent trains.

:class:`LivePlot` is a :class:`~course_lib.rl.trainer.Callback`. It shows one image in the
cell's output and replaces it (``display_id``) every time the trainer logs, at most every
``every_seconds``. The figure is rendered to PNG here, so it works with any matplotlib
backend and leaves a plain image in the saved notebook. Outside IPython it does nothing.
"""
from __future__ import annotations

import io
import time

from .records import draw_learning_curve, read_csv
from .trainer import Callback


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


class LivePlot(Callback):
    """Redraw the learning curve (training scores and evaluations) in the notebook as training goes."""

    def __init__(self, every_seconds: float = 10.0, title: str | None = None):
        self.every_seconds = every_seconds
        self.title = title
        self.handle = None
        self._last = 0.0

    def _image(self, trainer):
        from IPython.display import Image

        out = trainer.out
        cfg = trainer.config
        title = self.title or (f"DQN on {cfg.game}: step {trainer.env_steps:,}"
                               + (" (CPU smoke run)" if cfg.preset == "smoke" else ""))
        target = None if cfg.preset == "smoke" else cfg.target_score
        fig = draw_learning_curve(read_csv(out / "log.csv"), read_csv(out / "evals.csv"), read_csv(out / "episodes.csv"),
                                  title=title, target=target)
        return Image(data=_png(fig), format="png")

    def _show(self, trainer, force: bool = False) -> None:
        if self.handle is None:
            return
        now = time.perf_counter()
        if force or now - self._last >= self.every_seconds:
            self._last = now
            self.handle.update(self._image(trainer))

    def on_start(self, trainer) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import Markdown, display
        except ImportError:
            return
        if get_ipython() is None:
            return
        self.handle = display(Markdown("*The learning curve appears after the first games end...*"), display_id=True)

    def on_log(self, trainer, row: dict) -> None:
        self._show(trainer)

    def on_eval(self, trainer, result, row: dict) -> None:
        self._show(trainer, force=True)

    def on_end(self, trainer, result) -> None:
        self._show(trainer, force=True)
