"""The GPU hot path, checked on a CPU: no value read, no CPU tensor, and how many kernels one update launches.

On a GPU the trainer captures one update (replay sampling, both networks, the TD target,
the loss, backward, gradient clipping, Adam) and acting (the network and epsilon-greedy) as
CUDA graphs (:mod:`course_lib.rl.graphs`). A graph can hold neither a moment where the CPU
waits for the GPU nor a tensor that lives on the CPU. This module finds both without a GPU:
it builds the learner, a small replay buffer and the actor on PyTorch's ``meta`` device
(tensors with a shape and no data, standing in for the GPU), runs sampling, the update and
acting once, and watches every operation:

* a **value read** of a device tensor: ``.item()``, ``float()``, ``int()``, ``bool()`` (an
  ``if`` on a tensor), ``.tolist()``, ``.numpy()``, ``.cpu()``, ``print()``, ``torch.equal``;
  on a GPU each one makes the CPU wait for the GPU;
* a **CPU tensor** (one or more dimensions) used together with device tensors, e.g.
  ``q[torch.arange(B), actions]`` with ``torch.arange(B)`` made on the CPU (indexing copies it to
  the GPU and waits; any other operation stops with an error on a GPU);
* a **copy from the CPU** to the device: ``torch.tensor([...], device=...)``, ``.to(device)``;
* an operation whose **output size depends on the values** (boolean-mask indexing,
  ``nonzero``, ``unique``).

Each finding names the piece responsible (the learner's ``td_target``, ``dqn_loss`` or
network, or the library's own code) with its line. The test suite runs it on the library's
own hot path (it must find nothing); the trainer runs it on the learner's pieces before
training and says in words which piece keeps a part from being captured, and why.

:func:`count_kernels` counts the operations one update dispatches that launch GPU kernels
(views and allocations left out), on the CPU, with the same optimiser and clipping code
paths as on a GPU: the figure ``benchmarks/atari_dqn.py --kernels`` records.
"""
from __future__ import annotations

import contextlib
import copy
import linecache
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves, tree_map

#: Tensor methods and torch functions that hand a device tensor's value to Python (a host sync on a GPU)
VALUE_READS = {
    "item": ".item()", "tolist": ".tolist()", "numpy": ".numpy()", "cpu": ".cpu()", "__float__": "float()",
    "__int__": "int()", "__bool__": "bool() (an `if`, `and`/`or` or `assert` on a tensor)", "__index__": "a tensor used as a Python index",
    "__complex__": "complex()", "__array__": "NumPy (np.asarray or a NumPy function)", "__repr__": "print() or repr()",
    "__str__": "print() or str()", "__format__": "an f-string", "equal": "torch.equal", "allclose": "torch.allclose",
}
#: torch functions that build a tensor from Python or NumPy data: with ``device=`` the device, a copy from the CPU
FROM_HOST_DATA = {"tensor", "as_tensor", "asarray", "new_tensor"}
#: operations whose output size depends on the values (on a GPU: a sync to learn the size)
SIZE_FROM_VALUES = {"nonzero", "masked_select", "unique", "_unique", "_unique2", "unique_dim", "unique_consecutive",
                    "unique_dim_consecutive", "argwhere", "bincount", "repeat_interleave", "nonzero_static"}
#: operations that accept CPU index tensors for a GPU tensor (copying them over, a host sync)
INDEXING = {"index", "index_put", "index_put_", "_index_put_impl_", "_unsafe_index", "_unsafe_index_put"}
#: operations that launch no kernel: allocation and metadata only (views are recognised by their schema)
NO_KERNEL = {"empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided", "lift_fresh", "lift_fresh_copy",
             "_local_scalar_dense", "set_", "resize_", "_unsafe_view", "detach", "alias", "_reshape_alias",
             "is_nonzero", "sym_size", "sym_stride", "sym_numel", "sym_storage_offset", "_has_compatible_shallow_copy_type",
             "_record_function_enter", "_record_function_enter_new", "_record_function_exit"}  # profiler marks, host only

_HERE = os.path.abspath(__file__)
_TORCH_DIR = os.path.dirname(torch.__file__)
_LIBRARY_DIR = os.path.dirname(_HERE)


@dataclass
class Problem:
    """One operation of the hot path that a CUDA graph cannot hold."""

    kind: str                 # "value read", "CPU tensor", "copy from the CPU", "size from values"
    what: str                 # the operation, in words
    piece: str | None         # the plugged-in piece responsible, None: the library's own code
    function: str = "?"       # the Python function it happened in
    line: int | None = None   # line within that function (its `def` is line 1)
    code: str = ""            # the source line
    filename: str = ""
    lineno: int = 0

    def where(self) -> str:
        place = f"line {self.line} of {self.function}" if self.line else self.function
        return f"{place}: `{self.code}`" if self.code else place

    def sentence(self) -> str:
        who = f"`{self.piece}`" if self.piece and not self.piece.startswith("the ") else (self.piece or "the library's own code")
        did = {
            "value read": f"reads a tensor's value on the CPU with {self.what}",
            "CPU tensor": f"uses a tensor made on the CPU together with tensors on the training device ({self.what})",
            "device mismatch": f"uses a tensor made on the CPU together with tensors on the training device ({self.what}), "
                               "which on a GPU stops with an error (all tensors must be on one device)",
            "copy from the CPU": f"copies data from the CPU to the training device ({self.what})",
            "size from values": f"uses an operation whose output size depends on the values ({self.what})",
        }.get(self.kind, self.what)
        return f"{who} {did} ({self.where()})"

    def fix(self) -> str:
        return {
            "value read": "keep values as tensors inside it: no .item(), float(), int(), bool() or `if` on a tensor, "
                          ".tolist(), .cpu(), .numpy() or print() of a tensor",
            "CPU tensor": "create every tensor on the device of the inputs, e.g. torch.arange(n, device=q_values.device)",
            "device mismatch": "create every tensor on the device of the inputs, e.g. torch.arange(n, device=q_values.device)",
            "copy from the CPU": "create tensors on the device directly (torch.zeros(..., device=x.device)) or compute "
                                 "them from the inputs",
            "size from values": "use torch.where(mask, a, b) instead of indexing with a mask",
        }.get(self.kind, "")


@dataclass
class HotPathReport:
    """What :func:`check_hot_path` found, per part: ``"updates"`` (sampling + update + Adam) and ``"acting"``."""

    problems: dict = field(default_factory=lambda: {"updates": [], "acting": []})
    unfinished: dict = field(default_factory=dict)  # part -> why the check could not run to its end

    def clean(self, part: str | None = None) -> bool:
        parts = [part] if part else list(self.problems)
        return all(not self.problems.get(p) and p not in self.unfinished for p in parts)

    def blocks(self, part: str) -> bool:
        """Whether a CUDA graph of ``part`` is known to fail (an unfinished check is not proof)."""
        return bool(self.problems.get(part))

    def pieces(self, part: str) -> list[str]:
        return sorted({p.piece or "the library's own code" for p in self.problems.get(part, [])})

    def reason(self, part: str) -> str:
        """Why ``part`` cannot be a CUDA graph, in words, with what to change ('' if nothing was found)."""
        found = self.problems.get(part, [])
        if not found:
            return ""
        lines = [p.sentence() for p in found[:4]]
        if len(found) > 4:
            lines.append(f"and {len(found) - 4} more")
        fixes = []
        for p in found:
            if p.fix() not in fixes:
                fixes.append(p.fix())
        return ("\n  - " + "\n  - ".join(lines) + "\nA CUDA graph can hold neither a moment where the CPU waits for the GPU "
                "nor a tensor on the CPU; a part that cannot be captured runs eagerly (slower, still correct). "
                "To fix it: " + "; ".join(fixes) + ".")

    def summary(self) -> str:
        lines = []
        for part, found in self.problems.items():
            for p in found:
                lines.append(f"{part}: {p.sentence()}")
        for part, why in self.unfinished.items():
            lines.append(f"{part}: the check stopped early: {why}")
        return "\n".join(lines) or "no value read, no CPU tensor"


class _Stop(Exception):
    """The checked code cannot go on past this operation on the meta device."""


def piece_codes(network=None, td_target: Callable | None = None, loss_fn: Callable | None = None,
                names: dict | None = None) -> dict:
    """Code objects of the plugged-in pieces -> their names, for naming the piece behind a finding.

    ``names`` may rename them: ``{"td_target": ..., "loss_fn": ..., "network": ...}``; by default a
    function is named after itself (``dqn_loss``) and a network "the network (ClassName)".
    """
    names = names or {}
    codes = {}
    for key, fn in (("td_target", td_target), ("loss_fn", loss_fn)):
        if fn is None:
            continue
        code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__call__", None), "__code__", None)
        if code is not None:
            codes[code] = names.get(key) or getattr(fn, "__name__", key)
    if network is not None:
        label = names.get("network") or f"the network ({type(network).__name__})"
        for module in network.modules():
            cls = type(module)
            if cls.__module__.startswith("torch."):
                continue
            for name in ("forward", "__call__"):
                code = getattr(getattr(cls, name, None), "__code__", None)
                if code is not None and not code.co_filename.startswith(_TORCH_DIR):
                    codes[code] = label
    return codes


def _locate(pieces: dict) -> dict:
    """Where the operation being watched was called from: the innermost frame outside torch and this module."""
    frame = sys._getframe(1)
    culprit = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if culprit is None and not (filename.startswith(_TORCH_DIR) or os.path.abspath(filename) == _HERE):
            culprit = frame
        if culprit is not None and frame.f_code in pieces:
            code = frame.f_code
            line = culprit.f_lineno if culprit is frame else frame.f_lineno
            return {"piece": pieces[code], "function": code.co_name, "line": line - code.co_firstlineno + 1,
                    "code": linecache.getline(code.co_filename, line).strip(), "filename": code.co_filename, "lineno": line}
        frame = frame.f_back
    if culprit is None:
        return {"piece": None}
    code = culprit.f_code
    return {"piece": None, "function": code.co_name, "line": culprit.f_lineno - code.co_firstlineno + 1,
            "code": linecache.getline(code.co_filename, culprit.f_lineno).strip(), "filename": code.co_filename,
            "lineno": culprit.f_lineno}


def _on(value, device_type: str) -> bool:
    return isinstance(value, torch.Tensor) and value.device.type == device_type


def _device_of(value) -> str | None:
    if isinstance(value, torch.device):
        return value.type
    if isinstance(value, str):
        try:
            return torch.device(value).type
        except RuntimeError:
            return None
    if isinstance(value, int) and not isinstance(value, bool):
        return "cuda"
    return None


class DeviceWatch:
    """Watches the code run inside it on ``device`` (``meta`` standing in for the GPU) and records :class:`Problem` s.

    Recorded problems do not stop the code where it can go on (a value read gets a zero, a CPU
    tensor is moved to the device), so one run finds them all; an operation whose output size
    depends on the values stops it (:attr:`stopped`).
    """

    def __init__(self, device: str = "meta", pieces: dict | None = None):
        self.device = device
        self.pieces = pieces or {}
        self.problems: list[Problem] = []
        self._seen: set = set()
        watch = self

        class Functions(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                handled, result = watch._function(func, args, kwargs)
                if handled:
                    return result
                return func(*args, **kwargs)

        class Dispatch(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                return watch._dispatch(func, args, kwargs or {})

        self._modes = (Functions(), Dispatch())
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        for mode in self._modes:
            self._stack.enter_context(mode)
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    # ------------------------------------------------------------------ recording
    def _record(self, kind: str, what: str) -> None:
        where = _locate(self.pieces)
        key = (kind, where.get("filename"), where.get("lineno"), what)
        if key in self._seen:
            return
        self._seen.add(key)
        self.problems.append(Problem(kind, what, where.pop("piece"), **where))

    # ------------------------------------------------------------------ torch functions and Tensor methods
    def _function(self, func, args, kwargs):
        name = getattr(func, "__name__", "")
        dev = self.device
        if name in VALUE_READS and any(_on(a, dev) for a in tree_leaves((args, kwargs))):
            self._record("value read", VALUE_READS[name])
            return True, _stand_in(name, args, kwargs)
        if name == "to" and args and _on(args[0], dev):
            target = kwargs.get("device")
            if target is None:
                target = next((a for a in args[1:] if isinstance(a, (torch.device, str))), None)
            if _device_of(target) == "cpu":
                self._record("value read", ".to('cpu')")
                return True, torch.zeros(args[0].shape, dtype=kwargs.get("dtype") or args[0].dtype)
        if name in FROM_HOST_DATA:
            target = kwargs.get("device")
            if name == "new_tensor" and args and _on(args[0], dev) and target is None:
                target = dev
            if _device_of(target) == dev:
                self._record("copy from the CPU", f"torch.{name}(...) of Python or NumPy data")
        return False, None

    # ------------------------------------------------------------------ aten operations
    def _dispatch(self, func, args, kwargs):
        dev = self.device
        name = func.overloadpacket.__name__
        leaves = [a for a in tree_leaves((args, kwargs)) if isinstance(a, torch.Tensor)]
        on_device = [a for a in leaves if a.device.type == dev]
        if name in ("_to_copy", "copy_"):
            if name == "_to_copy":
                source, target = args[0], _device_of(kwargs.get("device")) or args[0].device.type
            else:
                source, target = args[1], args[0].device.type
            if source.device.type == "cpu" and target == dev:
                self._record("copy from the CPU", "a CPU tensor copied to the device (.to(device) or copy_)")
            elif source.device.type == dev and target == "cpu":
                self._record("value read", "a device tensor copied to the CPU")
                return args[0] if name == "copy_" else torch.zeros(source.shape, dtype=kwargs.get("dtype") or source.dtype)
            return func(*args, **kwargs)
        if not on_device:
            return func(*args, **kwargs)
        if name in ("_local_scalar_dense", "is_nonzero", "equal"):
            self._record("value read", {"equal": "torch.equal"}.get(name, ".item()"))
            return _zero_of(on_device[0].dtype) if name == "_local_scalar_dense" else False
        if name in SIZE_FROM_VALUES or (name == "index" and any(
                isinstance(i, torch.Tensor) and i.dtype in (torch.bool, torch.uint8) for i in (args[1] if len(args) > 1 else []))):
            self._record("size from values", "boolean-mask indexing" if name == "index" else f"torch.{name.strip('_')}")
            raise _Stop(f"{name} needs the values to know its output size")
        host = [a for a in leaves if a.device.type == "cpu" and a.dim() > 0]
        if host:
            if _graph_task_id() == -1:  # in backward it repeats what the forward pass did
                shapes = ", ".join(str(tuple(a.shape)) for a in host[:2])
                # indexing copies CPU indices to the GPU (and waits for the copy); other operations refuse them
                kind = "CPU tensor" if name in INDEXING else "device mismatch"
                self._record(kind, f"{_op_words(name)}, CPU tensor of shape {shapes}")
            args, kwargs = tree_map(lambda a: a.to(dev) if isinstance(a, torch.Tensor) and a.device.type == "cpu" else a,
                                    (args, kwargs))
        return func(*args, **kwargs)


def _graph_task_id() -> int:
    """-1 outside autograd's backward pass (older torch without the query: always -1)."""
    query = getattr(torch._C, "_current_graph_task_id", None)
    return query() if query is not None else -1


def _op_words(name: str) -> str:
    words = {"index": "indexing", "index_put_": "indexed assignment", "gather": "gather", "mul": "a multiplication",
             "add": "an addition", "sub": "a subtraction", "div": "a division", "where": "torch.where", "cat": "torch.cat",
             "stack": "torch.stack", "pow": "a power", "mm": "a matrix product", "addmm": "a matrix product"}
    return words.get(name, f"torch.{name}")


def _zero_of(dtype: torch.dtype):
    if dtype == torch.bool:
        return False
    return 0.0 if dtype.is_floating_point or dtype.is_complex else 0


def _stand_in(name: str, args, kwargs):
    """What a value read returns on the meta device, so that the checked code can go on."""
    tensor = next(a for a in tree_leaves((args, kwargs)) if isinstance(a, torch.Tensor))
    with torch._C.DisableTorchFunction():
        if name in ("item", "__float__", "__int__", "__index__", "__complex__"):
            zero = _zero_of(tensor.dtype)
            return {"__float__": 0.0, "__int__": 0, "__index__": 0, "__complex__": 0j}.get(name, zero)
        if name == "__bool__":
            return False
        if name in ("equal", "allclose"):
            return False
        if name == "tolist":
            return torch.zeros(tensor.shape, dtype=tensor.dtype).tolist()
        if name in ("numpy", "__array__"):
            return np.zeros(tuple(tensor.shape), dtype=torch.zeros((), dtype=tensor.dtype).numpy().dtype)
        if name == "cpu":
            return torch.zeros(tensor.shape, dtype=tensor.dtype)
        if name == "__format__":
            spec = args[1] if len(args) > 1 else ""
            try:
                return format(_zero_of(tensor.dtype), spec)
            except (TypeError, ValueError):
                return "0"
        return f"tensor(shape={tuple(tensor.shape)}, device={tensor.device})"  # __repr__, __str__


@contextlib.contextmanager
def gpu_code_paths(device_type: str):
    """Make torch take its GPU code paths on ``device_type`` (``meta``, or ``cpu`` for counting kernels).

    Adam refuses ``capturable=True`` and ``fused=True``, and gradient clipping ``foreach=True``,
    on devices that do not list them as supported; the operations themselves run on the CPU
    and on the meta device. This widens the three lists while inside, so that the check and
    the kernel count see exactly the optimiser and clipping operations a GPU run dispatches.
    """
    import torch.optim.adam as adam
    import torch.optim.optimizer as optimizer
    import torch.utils._foreach_utils as foreach

    patched = [(adam, "_get_capturable_supported_devices"), (optimizer, "_get_fused_kernels_supported_devices"),
               (optimizer, "_get_foreach_kernels_supported_devices"), (foreach, "_get_foreach_kernels_supported_devices"),
               (foreach, "_get_fused_kernels_supported_devices")]
    saved = [(module, name, getattr(module, name)) for module, name in patched if hasattr(module, name)]
    for module, name, original in saved:
        setattr(module, name, (lambda original: lambda *a, **k: list(original(*a, **k)) + [device_type])(original))
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _meta_rig(network, config, n_actions: int, td_target=None, loss_fn=None, device: str = "meta",
              batch_size: int | None = None):
    """A learner, a filled replay buffer and an actor on ``device``, with the GPU run's settings."""
    from .acting import Actor
    from .learner import DQNLearner
    from .replay import ReplayBuffer, min_steps_per_env

    dev = torch.device(device)
    cfg = config.replace(batch_size=batch_size or config.batch_size, device=device, compile=False)
    net = copy.deepcopy(network).to(dev)
    learner = DQNLearner(net, cfg, dev, td_target=td_target, loss_fn=loss_fn, gpu_paths=True)
    num_envs, S, size = 2, cfg.frame_stack, cfg.screen_size
    steps = min_steps_per_env(S, cfg.n_step) + 4
    replay = ReplayBuffer(num_envs * (steps + 2), num_envs, frame_stack=S, screen_size=size, n_step=cfg.n_step, device=dev)
    gen = torch.Generator().manual_seed(0)
    frames = torch.randint(0, 256, (num_envs, S, size, size), dtype=torch.uint8, generator=gen)
    replay.start(frames.to(dev))
    rng = np.random.default_rng(0)
    for _ in range(steps):
        ends = rng.random(num_envs) < 0.2
        replay.add(torch.randint(0, n_actions, (num_envs,), generator=gen).to(torch.uint8).to(dev),
                   rng.integers(-1, 2, num_envs).astype(np.float32), ends, np.zeros(num_envs, bool), ends, frames.to(dev),
                   np.zeros(num_envs, bool))
    actor = Actor(net, num_envs, n_actions, (S, size, size), dev, use_graph=False)
    actor.epsilon.fill_(0.1)
    return learner, replay, actor


def check_hot_path(network, config, *, n_actions: int, td_target: Callable | None = None, loss_fn: Callable | None = None,
                   pieces: dict | None = None, parts=("updates", "acting")) -> HotPathReport:
    """Run sampling + one update (Adam included) and acting on the meta device under a :class:`DeviceWatch`.

    ``network`` is copied (the original is not touched), ``n_actions`` its number of outputs;
    ``td_target`` and ``loss_fn`` are the
    plugged-in pieces (``None``: the library's built-in ones). ``pieces`` names them (see
    :func:`piece_codes`; by default they are named after themselves).
    """
    if pieces is None:
        pieces = piece_codes(None, td_target, loss_fn)
    report = HotPathReport()
    with gpu_code_paths("meta"):
        try:
            learner, replay, actor = _meta_rig(network, config, n_actions, td_target, loss_fn)
        except Exception as exc:
            for part in parts:
                report.unfinished[part] = f"the rig could not be built on the meta device: {type(exc).__name__}: {exc}"
            return report
        jobs = {"updates": lambda: learner._k_updates(replay, 1), "acting": actor._compute}
        for part in parts:
            watch = DeviceWatch("meta", pieces)
            try:
                with watch:
                    jobs[part]()
            except _Stop as stop:
                report.unfinished[part] = str(stop)
            except Exception as exc:  # an operation with no meta kernel, or a plain error in a piece
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                report.unfinished[part] = f"{type(exc).__name__}: {first[:200]}"
            report.problems[part] = watch.problems
    return report


# ----------------------------------------------------------------------------- kernels per update
class _OpCounter(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.ops: Counter = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if not (func.is_view or name in NO_KERNEL):
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))


def count_kernels(network, config, *, n_actions: int, device: str = "cpu", batch_size: int | None = None) -> dict:
    """Operations that launch GPU kernels in one update (sampling, loss, backward, clipping, Adam) and in acting.

    Counted on ``device`` (the CPU by default) with the optimiser and clipping code paths of
    a GPU run (:func:`gpu_code_paths`). Each dispatched aten operation that is not a view or
    an allocation counts once; on a GPU most launch one kernel, a cuDNN convolution or its
    backward a few, and a foreach or fused optimiser operation one per group of tensors.
    Returns ``{"sampling", "update" (sampling included), "acting": total, "ops": {...}}``.
    """
    with gpu_code_paths(device):
        learner, replay, actor = _meta_rig(network, config, n_actions, device=device, batch_size=batch_size)
        learner._k_updates(replay, 1)  # first call: Adam's state, gradient buffers
        counts = {}
        for part, job in (("sampling", lambda: replay.sample(learner.config.batch_size)),
                          ("update", lambda: learner._k_updates(replay, 1)), ("acting", actor._compute)):
            counter = _OpCounter()
            with counter:
                job()
            counts[part] = sum(counter.ops.values())
            counts[f"{part}_ops"] = dict(sorted(counter.ops.items()))
    return counts
