"""A failed CUDA-graph capture falls back to eager execution safely (issue 24, item 1), tested on the CPU.

No GPU here, so ``torch.cuda`` is replaced by a small fake (``FakeCuda``) that keeps the state
a real capture changes, with the failure behaviour read from torch's source
(course_lib/rl/graphs.py's docstring): a capture begins only on a side stream; a host sync or
``torch.cuda.synchronize()`` during a capture raises and invalidates it; ``capture_end`` then
raises, and ``torch.cuda.graph.__exit__`` leaves the capture stream current; the default
generator is marked as capturing at ``capture_begin`` and unmarked only by a capture that
succeeds (torch before 2.13, as on the lent GPU machine's torch 2.11); sync-debug mode "error"
makes a host sync raise. The learner runs for real on the CPU, with Adam and clipping on their
GPU code paths. tests/test_rl_cuda.py checks the same on a real GPU.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from course_lib.rl.config import DQNConfig
from course_lib.rl.learner import DQNLearner
from course_lib.rl.replay import ReplayBuffer

HOST_SYNCS = {"_local_scalar_dense", "nonzero", "masked_select", "is_nonzero", "equal"}


class FakeStream:
    def __init__(self, name):
        self.name = name

    def wait_stream(self, other):
        pass

    def __repr__(self):
        return f"<stream {self.name}>"


class _Raise(TorchDispatchMode):
    """A host sync raises, as CUDA makes it raise (sync-debug "error", or during a capture)."""

    def __init__(self, message, on_raise=None):
        super().__init__()
        self.message, self.on_raise = message, on_raise

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.overloadpacket.__name__ in HOST_SYNCS:
            if self.on_raise:
                self.on_raise()
            raise RuntimeError(self.message)
        return func(*args, **(kwargs or {}))


class FakeCuda:
    """The parts of torch.cuda that capture code touches, on the CPU."""

    def __init__(self):
        self.default = self.current = FakeStream("default")
        self.streams = itertools.count(1)
        self.capturing = None          # the FakeGraph now capturing, and its stream
        self.capture_stream = None
        self.invalidated = False
        self.generator_capturing = False  # torch < 2.13: CUDAGeneratorState::capturing_
        self.rng = torch.arange(16, dtype=torch.uint8)
        self.sync_debug = 0
        self._debug_mode = None
        self.captures_begun = 0
        self.pools_ended = []
        fake = self

        class FakeGraph:
            def __init__(self, keep_graph=False):
                self.captured = False

            def capture_begin(self, pool=None, capture_error_mode="global", check_input_liveness=False):
                if fake.current is fake.default:
                    raise RuntimeError("CUDA graphs must be captured on a non-default stream.")
                fake.captures_begun += 1
                fake.capturing, fake.capture_stream, fake.invalidated = self, fake.current, False
                fake.generator_capturing = True
                self._mode = _Raise("CUDA error: operation not permitted when stream is capturing", fake.invalidate)
                self._mode.__enter__()

            def capture_end(self):
                if fake.current is not fake.capture_stream:
                    raise RuntimeError("Capture must end on the same stream it began on.")
                self._mode.__exit__(None, None, None)
                fake.capturing = fake.capture_stream = None
                if fake.invalidated:
                    fake.invalidated = False
                    raise RuntimeError("CUDA error: operation failed due to a previous error during capture")
                fake.generator_capturing = False
                self.captured = True

            def replay(self):
                assert self.captured

            def pool(self):
                return (1, 0)

        self.CUDAGraph = FakeGraph

    def invalidate(self):
        self.invalidated = True

    # ---- streams
    def Stream(self, device=None, priority=0):
        return FakeStream(f"side {next(self.streams)}")

    def current_stream(self, device=None):
        return self.current

    def set_stream(self, stream):
        self.current = stream

    def stream(self, stream):
        """Like torch.cuda.StreamContext: the stream before is put back by __exit__ only (not when collected)."""
        fake = self

        class StreamContext:
            def __enter__(self):
                self.before, fake.current = fake.current, stream

            def __exit__(self, *exc):
                fake.current = self.before

        return StreamContext()

    def synchronize(self, device=None):
        if self.capturing is not None:
            self.invalidate()
            raise RuntimeError("CUDA error: operation not permitted when stream is capturing")

    def is_current_stream_capturing(self):
        return self.capturing is not None and self.current is self.capture_stream

    # ---- generator, sync debug, memory
    def get_rng_state(self, device="cuda"):
        return self.rng.clone()

    def set_rng_state(self, state, device="cuda"):
        self.rng = state.clone()  # like torch < 2.13: the capturing flag stays as it is

    def get_sync_debug_mode(self):
        return self.sync_debug

    def set_sync_debug_mode(self, mode):
        mode = {"default": 0, "warn": 1, "error": 2}.get(mode, mode)
        if mode == 2 and self._debug_mode is None:
            self._debug_mode = _Raise("called a synchronizing CUDA operation")
            self._debug_mode.__enter__()
        elif mode != 2 and self._debug_mode is not None:
            self._debug_mode.__exit__(None, None, None)
            self._debug_mode = None
        self.sync_debug = mode

    def graph_pool_handle(self):
        return (0, 7)

    def current_device(self):
        return 0

    def empty_cache(self):
        pass


@pytest.fixture
def fake_cuda(monkeypatch):
    fake = FakeCuda()
    for name in ("Stream", "current_stream", "set_stream", "stream", "synchronize", "is_current_stream_capturing",
                 "get_rng_state", "set_rng_state", "get_sync_debug_mode", "set_sync_debug_mode", "graph_pool_handle",
                 "current_device", "empty_cache", "CUDAGraph"):
        monkeypatch.setattr(torch.cuda, name, getattr(fake, name))
    monkeypatch.setattr(torch.cuda.graph, "default_capture_stream", None)  # torch.cuda.graph caches a real stream
    monkeypatch.setattr(torch._C, "_host_emptyCache", lambda: None, raising=False)
    monkeypatch.setattr(torch._C, "_cuda_endAllocateToPool", lambda device, pool: fake.pools_ended.append(pool), raising=False)
    # Adam (fused, capturable) and clipping (foreach) on their GPU code paths, on the CPU
    import torch.optim.adam as adam
    import torch.optim.optimizer as optimizer
    import torch.utils._foreach_utils as foreach

    for module, name in ((adam, "_get_capturable_supported_devices"), (optimizer, "_get_fused_kernels_supported_devices"),
                         (optimizer, "_get_foreach_kernels_supported_devices"), (foreach, "_get_foreach_kernels_supported_devices")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, (lambda o: lambda *a, **k: list(o(*a, **k)) + ["cpu"])(original))
    yield fake
    fake.set_sync_debug_mode(0)


SIZE = 12  # small frames and a small network: the capture logic does not depend on their size


class TinyQ(torch.nn.Module):
    """A Q-network with the Nature DQN's interface (uint8 frame stacks in, Q-values out), small enough to be quick."""

    def __init__(self, n_actions, in_frames=4):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Conv2d(in_frames, 4, 4, stride=4), torch.nn.ReLU(), torch.nn.Flatten(),
                                        torch.nn.Linear(4 * (SIZE // 4) ** 2, n_actions))

    def forward(self, frames):
        return self.body(frames.float() / 255.0)


def _replay(num_envs=2, steps=40, n_actions=3):
    replay = ReplayBuffer(num_envs * 64, num_envs, n_step=3, screen_size=SIZE)
    gen = torch.Generator().manual_seed(0)
    replay.start(torch.randint(0, 255, (num_envs, 4, SIZE, SIZE), dtype=torch.uint8, generator=gen))
    z = np.zeros(num_envs, dtype=bool)
    for _ in range(steps):
        replay.add(torch.randint(0, n_actions, (num_envs,), generator=gen).to(torch.uint8), np.ones(num_envs, np.float32),
                   z, z, z, torch.randint(0, 255, (num_envs, 4, SIZE, SIZE), dtype=torch.uint8, generator=gen), z)
    return replay


def _graphed_learner(fake, **pieces):
    """A CPU learner that takes the CUDA-graph path, with the GPU run's Adam (fused, capturable) and clipping."""
    torch.manual_seed(0)
    learner = DQNLearner(TinyQ(3), DQNConfig.smoke(batch_size=8, screen_size=SIZE), torch.device("cpu"), **pieces)
    learner.optimizer = torch.optim.Adam(learner.online.parameters(), lr=1e-3, capturable=True, fused=True)
    learner._clip_foreach = True
    learner.use_graphs = True
    learner._pool = fake.graph_pool_handle()
    return learner


def td_target_that_synchronizes(rewards, terminated, next_q_online, next_q_target, gamma):
    """Times itself: harmless when eager, illegal while a capture records (the sync-debug mode does not see it)."""
    torch.cuda.synchronize()
    bootstrap = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)
    return rewards[:, 0] + gamma * (1 - terminated[:, 0]) * bootstrap


def dqn_loss(q_values, actions, targets):
    loss = torch.nn.functional.huber_loss(q_values.gather(1, actions[:, None]).squeeze(1), targets)
    if float(loss) > 1e6:  # a host sync: the warm-up catches it
        print("huge loss")
    return loss


def test_a_capture_that_fails_leaves_the_stream_and_the_generator_as_they_were(fake_cuda):
    fake = fake_cuda
    learner = _graphed_learner(fake, td_target=td_target_that_synchronizes)
    replay = _replay()
    rng_before = fake.get_rng_state()
    before = [p.detach().clone() for p in learner.online.parameters()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        learner.update(replay, 2)
    assert fake.captures_begun >= 1, "the capture was never tried: this test proves nothing"
    # torch.cuda.graph.__exit__ leaves the capture stream current when capture_end raises
    assert fake.current is fake.default, f"after the failed capture the current stream is {fake.current}, not the default"
    # torch < 2.13: only a capture that succeeds unmarks the generator; every eager random op would raise after
    assert not fake.generator_capturing, "the default CUDA generator is still marked as capturing"
    assert torch.equal(fake.get_rng_state(), rng_before), "the generator's seed and offset were not put back"
    assert fake.pools_ended == [learner._pool], "the allocator still routes allocations to the failed capture's pool"
    assert fake.get_sync_debug_mode() == 0, "sync-debug mode was left on"
    assert not learner.use_graphs and learner.fallback is not None and learner.fallback.stage == "capture"
    assert learner.fallback.piece == "td_target_that_synchronizes", learner.fallback
    assert "line 3 of td_target_that_synchronizes" in learner.graph_error and "eagerly" in learner.graph_error
    assert any("CUDA graphs: the updates run eagerly" in str(w.message) for w in caught), "no warning said so"
    # ...and training goes on, eagerly
    learner.update(replay, 2)
    assert learner.updates == 3 + 2 + 2 and learner.read_stats()["loss"] > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, learner.online.parameters()))


def test_a_host_sync_in_the_warm_up_goes_eager_without_starting_a_capture(fake_cuda):
    fake = fake_cuda
    learner = _graphed_learner(fake, loss_fn=dqn_loss)
    replay = _replay()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        learner.update(replay, 2)
    assert fake.captures_begun == 0, "a capture was started although the warm-up had shown it would fail"
    assert fake.current is fake.default and fake.get_sync_debug_mode() == 0
    assert not learner.use_graphs and learner.fallback.stage == "warm-up" and learner.fallback.piece == "dqn_loss"
    message = learner.graph_error
    assert "dqn_loss" in message and "waits for the GPU" in message and "line 3 of dqn_loss" in message, message
    assert any("CUDA graphs: the updates run eagerly" in str(w.message) for w in caught), "no warning said so"
    learner.update(replay, 1)
    assert learner.updates == 2 + 1, "the eager updates after the fallback are counted (the failed warm-up's are not)"


def test_the_library_pieces_capture_in_the_fake(fake_cuda):
    """The control: with the library's own target and loss the warm-up and the capture succeed."""
    fake = fake_cuda
    learner = _graphed_learner(fake)
    learner.update(_replay(), 2)
    assert learner.use_graphs and learner.fallback is None and 2 in learner._graphs
    assert fake.current is fake.default and not fake.generator_capturing and fake.get_sync_debug_mode() == 0


def test_acting_falls_back_and_names_the_network(fake_cuda):
    from course_lib.rl.acting import Actor
    from course_lib.rl.hotpath import piece_codes

    class Checked(TinyQ):
        def forward(self, frames):
            q = super().forward(frames)
            assert torch.isfinite(q).all()  # a host sync
            return q

    fake = fake_cuda
    net = Checked(4)
    actor = Actor(net, 3, 4, (4, SIZE, SIZE), torch.device("cpu"), use_graph=False, pieces=piece_codes(net))
    actor.use_graph = True
    actor._pool = fake.graph_pool_handle()
    actor.load(np.zeros((3, 4, SIZE, SIZE), dtype=np.uint8))
    with pytest.warns(UserWarning, match="CUDA graphs: acting runs eagerly"):
        actions = actor.act(0.05)
    assert actions.shape == (3,) and fake.captures_begun == 0 and fake.current is fake.default
    assert actor.fallback.piece == "the network (Checked)" and "acting" in actor.graph_error
    assert "line 3 of forward" in actor.graph_error, actor.graph_error
