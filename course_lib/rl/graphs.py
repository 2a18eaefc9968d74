"""CUDA graphs that fail safely: warm up without host syncs, capture, and clean up after a failed capture.

The learner's updates and the actor's forward pass are captured as CUDA graphs
(:mod:`course_lib.rl.learner`, :mod:`course_lib.rl.acting`). A capture records what the GPU
is asked to do; it fails when the captured code makes the CPU wait for the GPU (``.item()``,
``float(tensor)``, an ``if`` on a tensor, a tensor copied from the CPU, ``torch.cuda.synchronize()``).
Notebook 14 plugs the learner's own functions and network into that code, so a failure is
expected, and training must go on eagerly (slower, still correct). Three lines of defence:

1. :func:`course_lib.rl.hotpath.check_hot_path` runs the update and acting once on PyTorch's
   ``meta`` device before training and reports every value read and every CPU tensor; the
   trainer does not even try to capture a part it flags.
2. :func:`no_host_sync`: the warm-up before a capture runs under
   ``torch.cuda.set_sync_debug_mode("error")``, so a host sync raises *before* it happens
   and the part goes eager at once, without starting a capture that would fail.
3. :func:`capture`: if a capture still fails (something the sync-debug mode does not see,
   e.g. ``torch.cuda.synchronize()``), it puts back what the failed capture left behind.

What a failed capture leaves behind, from the source of torch 2.13 (``torch/cuda/graphs.py``,
``aten/src/ATen/cuda/CUDAGraph.cpp``, ``CUDAGeneratorImpl``):

* ``torch.cuda.graph.__exit__`` calls ``capture_end()`` *before* it leaves the capture
  stream's context, so when ``capture_end()`` raises, the capture stream stays the current
  stream. Here the stream is saved before and set back after.
* ``CUDAGraph::capture_end`` raises at ``cudaStreamEndCapture`` before it calls
  ``endAllocateToPool``: the caching allocator keeps a "capture under way" entry for the
  graph's memory pool and consults it on every later allocation. Here it is ended.
* The default CUDA generator. In torch 2.13 each capture keeps its own generator offsets
  (keyed by the capture's id) and a failed graph removes them when it is destroyed, so the
  generator is left as it was. Before 2.13 the generator had one ``capturing_`` flag, set at
  ``capture_begin`` and cleared only by a *successful* ``capture_end``: after a failed capture
  every eager random op (the replay's sampling) raised "Offset increment outside graph
  capture encountered unexpectedly", and ``set_rng_state`` does not clear the flag. Here a
  tiny capture that succeeds clears it (on 2.13 it touches nothing), then the generator's
  seed and offset are set back to what they were before the failed capture.
"""
from __future__ import annotations

import contextlib
import linecache
import os
import traceback
from dataclasses import dataclass
from typing import Callable

import torch

#: the parts that are captured, as a sentence names them
PARTS = {"updates": "the updates", "acting": "acting"}
_VERBS = {"updates": "run", "acting": "runs"}


@dataclass
class Fallback:
    """Why a part (``"updates"`` or ``"acting"``) runs eagerly instead of as a CUDA graph."""

    part: str
    reason: str            # plain words: what the code did and why a graph cannot hold it
    piece: str | None = None  # the plugged-in piece responsible ("dqn_loss", "the network (NatureDQN)"), None: unknown
    stage: str = "check"   # "check" (found before training), "warm-up" or "capture"

    def message(self, would: bool = False) -> str:
        """``the updates run eagerly (slower, still correct), because ...``; ``would``: as a forecast on a CPU."""
        what = PARTS.get(self.part, self.part)
        because = "because" + (":" if self.reason.startswith("\n") else " ") + self.reason
        if would:
            return f"on a GPU {what} could not be captured as a CUDA graph, {because}"
        return f"{what} {_VERBS.get(self.part, 'runs')} eagerly (slower, still correct), {because}"


@contextlib.contextmanager
def no_host_sync():
    """Inside: a CUDA operation that would make the CPU wait for the GPU raises instead (only used on a GPU)."""
    before = torch.cuda.get_sync_debug_mode()
    torch.cuda.set_sync_debug_mode("error")
    try:
        yield
    finally:
        torch.cuda.set_sync_debug_mode(before)


def capture(fn: Callable[[], None], device: torch.device, pool) -> "torch.cuda.CUDAGraph":
    """Capture ``fn()`` as a CUDA graph on a side stream, sharing memory ``pool``.

    ``fn`` must have been warmed up already (first-call allocations, cuDNN autotuning).
    On failure everything a failed capture leaves behind is put back (see the module's
    docstring) and the exception that caused it is raised again.
    """
    stream_before = torch.cuda.current_stream(device)
    rng_before = torch.cuda.get_rng_state(device)
    side = torch.cuda.Stream(device)
    side.wait_stream(stream_before)
    torch.cuda.synchronize(device)
    graph = torch.cuda.CUDAGraph()
    began = False
    try:
        with torch.cuda.stream(side):
            graph.capture_begin(pool=pool)
            began = True
            try:
                fn()
            except BaseException:
                with contextlib.suppress(Exception):
                    graph.capture_end()  # ends the capture; raises because the capture was invalidated
                raise
            graph.capture_end()
    except BaseException:
        del graph
        _clean_up_after_failed_capture(device, stream_before, rng_before, pool if began else None)
        raise
    stream_before.wait_stream(side)
    return graph


def _clean_up_after_failed_capture(device: torch.device, stream_before, rng_before: torch.Tensor, pool) -> None:
    torch.cuda.set_stream(stream_before)
    if pool is not None:
        end = getattr(torch._C, "_cuda_endAllocateToPool", None)
        if end is not None:
            with contextlib.suppress(Exception):  # raises if capture_end got that far and ended it already
                end(device.index if device.index is not None else torch.cuda.current_device(), pool)
    with contextlib.suppress(Exception):
        torch.cuda.synchronize(device)
    reset_generator_capture_flag(device)
    torch.cuda.set_rng_state(rng_before, device)


def reset_generator_capture_flag(device: torch.device) -> None:
    """Capture one tiny kernel successfully, which clears the default generator's capture flag (torch < 2.13)."""
    scratch = torch.zeros(1, device=device)
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.stream(side):
        graph.capture_begin()
        scratch.add_(1)
        graph.capture_end()
    torch.cuda.current_stream(device).wait_stream(side)
    del graph


# ----------------------------------------------------------------------------- explaining a failure
def explain(exc: BaseException, part: str, pieces: dict | None, stage: str) -> Fallback:
    """A :class:`Fallback` for an exception raised while warming up or capturing ``part``.

    ``pieces`` maps code objects of the plugged-in pieces to their names (see
    :func:`course_lib.rl.hotpath.piece_codes`): the innermost frame of the traceback that
    belongs to one names the piece and the line.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    piece, where = _blame(exc.__traceback__, pieces or {})
    if "synchronizing CUDA operation" in text:
        did = ("makes the CPU wait for the GPU (a value read such as .item(), float(), bool() or .tolist(), "
               "a print of a tensor, or a tensor copied from the CPU)")
    else:
        did = f"raised {type(exc).__name__}: {text}"
    who = piece or "the code"
    reason = (f"{who} {did}{where} while the {stage} of {PARTS.get(part, part)} ran: a CUDA graph cannot record "
              "a moment where the CPU waits for the GPU")
    return Fallback(part, reason, piece, stage)


def _blame(tb, pieces: dict) -> tuple[str | None, str]:
    frames = traceback.extract_tb(tb) if tb is not None else []
    codes = []
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    torch_dir = os.path.dirname(torch.__file__)
    here = os.path.dirname(__file__)
    for code, frame in zip(reversed(codes), reversed(frames)):
        if code in pieces:
            line = frame.lineno - code.co_firstlineno + 1
            source = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
            return pieces[code], f" (line {line} of {code.co_name}: `{source}`)"
    for frame in reversed(frames):
        if not frame.filename.startswith((torch_dir, here)):
            return None, f" ({frame.name}, {os.path.basename(frame.filename)} line {frame.lineno})"
    return None, ""
