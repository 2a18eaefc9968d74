"""ale-py's AtariVectorEnv as the trainer uses it: shapes, dtypes, raw scores, resets, and the
replay buffer rebuilding exactly the observations the real emulators showed."""
from __future__ import annotations

import numpy as np
import torch

from course_lib.rl.config import DQNConfig
from course_lib.rl.envs import VectorAtari, clip_reward, n_actions_of
from course_lib.rl.replay import ReplayBuffer


def play(config, steps, seed=3):
    envs = VectorAtari(config, seed=seed)
    rng = np.random.default_rng(seed)
    obs = envs.reset()
    results = []
    observations = [obs]
    try:
        for _ in range(steps):
            actions = rng.integers(0, envs.n_actions, config.num_envs)
            envs.send(actions)
            result = envs.recv()
            result.actions = actions
            results.append(result)
            observations.append(result.obs)
    finally:
        envs.close()
    return envs, np.stack(observations), results


def test_preprocessed_observations_shapes_and_dtypes():
    config = DQNConfig.smoke("pong", num_envs=3)
    envs, observations, results = play(config, 5)
    assert envs.n_actions == 6 and n_actions_of("breakout") == 4
    assert observations.shape == (6, 3, 4, 84, 84) and observations.dtype == np.uint8
    first = observations[0]
    assert (first[:, :3] == 0).all() and (first[:, 3] > 0).any(), "after a reset ale-py pads the stack with zeros"
    r = results[-1]
    assert r.reward.dtype == np.float32 and r.reward.shape == (3,)
    for flags in (r.terminated, r.truncated, r.game_over, r.dummy):
        assert flags.dtype == bool and flags.shape == (3,)
    # consecutive observations share 3 of their 4 frames
    np.testing.assert_array_equal(observations[2][:, :3], observations[1][:, 1:])


def test_reward_clipping_keeps_the_sign():
    np.testing.assert_array_equal(clip_reward(np.array([-3.0, 0.0, 1.0, 7.0])), [-1, 0, 1, 1])
    assert clip_reward(np.array([4.0])).dtype == np.float32


def _check_game_overs(results):
    """The predicted game over is followed by a reset step whose observation starts a new game."""
    for k, r in enumerate(results[:-1]):
        nxt = results[k + 1]
        for e in np.flatnonzero(r.game_over):
            assert nxt.dummy[e]
            assert nxt.episode_frame[e] < r.episode_frame[e], "the environment should have reset"
            assert (nxt.obs[e, :3] == 0).all()
        resets = np.flatnonzero(nxt.episode_frame < r.episode_frame)
        assert set(resets) <= set(np.flatnonzero(r.game_over)), "a reset that the trainer did not predict"


def _check_replay(config, observations, results, n_step=3):
    N = config.num_envs
    replay = ReplayBuffer(N * (len(results) + 20), N, n_step=n_step)
    replay.start(torch.from_numpy(observations[0]))
    for k, r in enumerate(results):
        replay.add(torch.from_numpy(r.actions).to(torch.uint8), clip_reward(r.reward), r.terminated, r.truncated,
                   r.game_over, torch.from_numpy(observations[k + 1]), r.dummy)
    gen = torch.Generator().manual_seed(0)
    obs, actions, rewards, terminated, next_obs, t, env = replay.sample(400, gen, return_index=True)
    for i in range(len(t)):
        ti, ei = int(t[i]), int(env[i])
        assert not results[ti].dummy[ei]
        np.testing.assert_array_equal(obs[i].numpy(), observations[ti, ei])
        np.testing.assert_array_equal(next_obs[i].numpy(), observations[ti + n_step, ei])
        assert int(actions[i]) == results[ti].actions[ei]
        assert rewards[i].tolist() == [float(np.sign(results[ti + j].reward[ei])) for j in range(n_step)]


def test_pong_resets_and_replay_match_the_emulator():
    # episodes cut after 200 frames (50 decisions): many time limits and resets
    config = DQNConfig.smoke("pong", num_envs=2, max_episode_frames=200)
    _, observations, results = play(config, 240)
    assert sum(r.game_over.sum() for r in results) >= 6
    assert all(not r.terminated.any() or r.game_over[r.terminated].all() for r in results)
    _check_game_overs(results)
    _check_replay(config, observations, results)


def test_breakout_life_losses_end_learning_episodes_but_not_games():
    config = DQNConfig.smoke("breakout", num_envs=2, max_episode_frames=108_000)
    assert config.life_loss_terminal is True
    _, observations, results = play(config, 700, seed=1)
    lost_life = [(k, e) for k, r in enumerate(results) for e in np.flatnonzero(r.terminated & ~r.game_over)]
    assert lost_life, "random play should lose a life within 700 steps"
    k, e = lost_life[0]
    assert not results[k + 1].dummy[e], "after a lost life the game goes on (no reset)"
    assert any(r.game_over.any() for r in results), "random play should lose a whole game within 700 steps"
    _check_game_overs(results)
    _check_replay(config, observations, results)


class StubAle:
    """Stands in for ale-py's AtariVectorEnv: replays scripted steps (reward, terminated, lives) of one environment."""

    def __init__(self, script, lives=3):
        self.script, self.lives = list(script), lives

    def reset(self, seed=None):
        return np.zeros((1, 4, 84, 84), np.uint8), {"lives": np.array([self.lives], np.int32)}

    def send(self, actions):
        pass

    def recv(self):
        reward, terminated, lives = self.script.pop(0)
        info = {"lives": np.array([lives], np.int32), "episode_frame_number": np.array([0], np.int32)}
        return np.zeros((1, 4, 84, 84), np.uint8), np.array([reward], np.float32), np.array([terminated]), np.array([False]), info

    def close(self):
        pass


def test_a_game_that_ends_with_lives_left_is_a_game_over():
    """Issue 15: Space Invaders ends when the invaders land, with lives left. ale-py then resets on the next
    step; counting that `terminated` as a lost life stored the reset as a real transition and added the two
    games' scores together."""
    from course_lib.rl.envs import ScoreKeeper

    config = DQNConfig.smoke("space_invaders", num_envs=1, env_threads=1)
    assert config.life_loss_terminal is True
    envs = VectorAtari(config, seed=0)
    envs.env.close()
    envs.env = StubAle([(5, False, 3), (10, True, 3),   # the invaders land: game over with 3 lives
                        (0, False, 3),                   # ale-py's reset step (action ignored)
                        (7, False, 3), (0, True, 2),     # a lost life: the game goes on
                        (1, False, 2), (2, True, 0)])    # the last life: game over
    envs.reset()
    keeper = ScoreKeeper(1)
    steps, scores = [], []
    for _ in range(7):
        envs.send(np.zeros(1, np.int64))
        steps.append(envs.recv())
        scores += keeper.update(steps[-1])
    game_over = [bool(s.game_over[0]) for s in steps]
    dummy = [bool(s.dummy[0]) for s in steps]
    assert game_over == [False, True, False, False, False, False, True]
    assert dummy == [False, False, True, False, False, False, False]
    assert bool(steps[4].terminated[0]) and not steps[5].dummy[0], "a lost life ends a learning episode, not the game"
    assert scores == [(15.0, 2), (10.0, 4)], "each game's own score and length"


def test_environment_seeds_fit_ale_for_any_seed_and_session():
    """Issue 15: seed * 1_000_003 + session * 10_007 left ale-py's signed 32-bit range from seed 2148 on."""
    from course_lib.rl.envs import ALE_MAX_SEED, env_seed

    values = {env_seed(seed, session, 64) for seed in (0, 1, 2, 2147, 2148, 10**6, 2**31, 2**63, -5)
              for session in (0, 1, 2, 1000)}
    assert len(values) == 36, "every (seed, session) gets its own environment seed"
    assert all(0 <= v and v + 63 <= ALE_MAX_SEED for v in values)
    assert env_seed(7, 0, 4) == env_seed(7, 0, 4), "deterministic"
    big = env_seed(2**31 - 1, 3, 4)
    envs = VectorAtari(DQNConfig.smoke("pong", num_envs=4, env_threads=2), seed=big)
    try:
        assert envs.reset().shape == (4, 4, 84, 84)
    finally:
        envs.close()
