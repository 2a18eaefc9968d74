"""Realistic wrong answers for notebook 14 (the capstone); each must lose its exercise's points.

Each entry: (what the mistake is, the wrong answer cell, words its failure message must contain: the diagnosis).
"""

MISTAKES = {
    "epsilon_at": [
        (
            "forgets to stop at the floor (keeps decaying past decay_steps)",
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    return start + step / decay_steps * (end - start)\n",
            "clip the fraction",
        ),
        (
            "decays from end to start (start and end swapped)",
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    return end + min(1.0, step / decay_steps) * (start - end)\n",
            "epsilon is `start`",
        ),
        (
            "clips epsilon at 0 instead of clipping the fraction at 1 (decays past the floor)",
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    return max(0.0, start + step / decay_steps * (end - start))\n",
            "clip the fraction step / decay_steps at 1",
        ),
        (
            "integer division: jumps from start straight to end",
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    return start + min(1, step // decay_steps) * (end - start)\n",
            "half way from start to end",
        ),
    ],
    "choose_actions": [
        (
            "explores when the random number is above epsilon (the comparison flipped)",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    b, a = q_values.shape\n"
            "    greedy = q_values.argmax(dim=1)\n"
            "    random = torch.randint(0, a, (b,), generator=generator)\n"
            "    return torch.where(torch.rand(b, generator=generator) > epsilon, random, greedy)\n",
            "*below* epsilon",
        ),
        (
            "argmax over the batch dimension (dim=0)",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    b, a = q_values.shape\n"
            "    greedy = q_values.argmax(dim=0)\n"
            "    random = torch.randint(0, a, greedy.shape, generator=generator)\n"
            "    return torch.where(torch.rand(greedy.shape, generator=generator) < epsilon, random, greedy)\n",
            "dim=1",
        ),
        (
            "a random action never picks the greedy one",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    b, a = q_values.shape\n"
            "    greedy = q_values.argmax(dim=1)\n"
            "    other = (greedy + torch.randint(1, a, (b,), generator=generator)) % a\n"
            "    return torch.where(torch.rand(b, generator=generator) < epsilon, other, greedy)\n",
            "the greedy one included",
        ),
        (
            "one coin for the whole batch instead of one per environment",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    b, a = q_values.shape\n"
            "    if torch.rand(1, generator=generator).item() < epsilon:\n"
            "        return torch.randint(0, a, (b,), generator=generator)\n"
            "    return q_values.argmax(dim=1)\n",
            "each row draws its own random number",
        ),
        (
            "argmin instead of argmax (picks the worst action)",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    b, a = q_values.shape\n"
            "    greedy = q_values.argmin(dim=1)\n"
            "    random = torch.randint(0, a, (b,), generator=generator)\n"
            "    return torch.where(torch.rand(b, generator=generator) < epsilon, random, greedy)\n",
            "the largest Q-value",
        ),
        (
            "returns a NumPy array",
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    q = q_values.numpy()\n"
            "    rng = np.random.default_rng(0)\n"
            "    explore = rng.random(len(q)) < epsilon\n"
            "    return np.where(explore, rng.integers(0, q.shape[1], len(q)), q.argmax(axis=1))\n",
            "not a list or NumPy",
        ),
    ],
    "td_target": [
        (
            "unmasked: ignores `terminated` (adds every reward and always bootstraps)",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * rewards).sum(1) + gamma ** n * best\n",
            "rewards after the terminal step",
        ),
        (
            "one-step target only (ignores the n-step window after the first reward)",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return rewards[:, 0] + gamma * (1.0 - terminated[:, 0]) * best\n",
            "2.75 from the rewards",
        ),
        (
            "plain DQN: max over the target network instead of the online network's choice",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = torch.cumprod(1.0 - terminated, dim=1)\n"
            "    before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    return (g * before * rewards).sum(1) + gamma ** n * alive[:, -1] * next_q_target.max(dim=1).values\n",
            "the online network chooses the action",
        ),
        (
            "the bootstrap term is kept after a terminal step",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = torch.cumprod(1.0 - terminated, dim=1)\n"
            "    before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * before * rewards).sum(1) + gamma ** n * best\n",
            "the bootstrap term disappears",
        ),
        (
            "rewards after the terminal step are still added",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = torch.cumprod(1.0 - terminated, dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * rewards).sum(1) + gamma ** n * alive[:, -1] * best\n",
            "rewards after the terminal step",
        ),
        (
            "the terminal step's own reward is dropped (mask not shifted)",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = torch.cumprod(1.0 - terminated, dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * alive * rewards).sum(1) + gamma ** n * alive[:, -1] * best\n",
            "alive *before* step k",
        ),
        (
            "bootstrap discounted by gamma instead of gamma ** n",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = torch.cumprod(1.0 - terminated, dim=1)\n"
            "    before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * before * rewards).sum(1) + gamma * alive[:, -1] * best\n",
            "discounted by gamma**n",
        ),
        (
            "changes `terminated` in place",
            "def td_target(rewards, terminated, next_q_online, next_q_target, gamma):\n"
            "    n = rewards.shape[1]\n"
            "    alive = terminated.mul_(-1).add_(1).cumprod(dim=1)\n"
            "    before = torch.cat([torch.ones_like(alive[:, :1]), alive[:, :-1]], dim=1)\n"
            "    g = gamma ** torch.arange(n, dtype=rewards.dtype)\n"
            "    best = next_q_target.gather(1, next_q_online.argmax(1, keepdim=True)).squeeze(1)\n"
            "    return (g * before * rewards).sum(1) + gamma ** n * alive[:, -1] * best\n",
            "changed one of its input tensors in place",
        ),
    ],
    "debug_dqn_loss": [
        (
            "the broken version unchanged (max Q and squared error)",
            "def dqn_loss(q_values, actions, targets):\n"
            "    return F.mse_loss(q_values.max(dim=1).values, targets)\n",
            "the action actually taken",
        ),
        (
            "fixes the action but keeps the squared error",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return F.mse_loss(q, targets)\n",
            "the Huber loss grows linearly",
        ),
        (
            "Huber loss but still on the largest Q-value",
            "def dqn_loss(q_values, actions, targets):\n"
            "    return F.huber_loss(q_values.max(dim=1).values, targets, delta=1.0)\n",
            "the action actually taken",
        ),
        (
            "half the squared error (Huber's quadratic part everywhere, no clipping)",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return 0.5 * ((q - targets) ** 2).mean()\n",
            "the Huber loss grows linearly",
        ),
        (
            "mean absolute error (L1) instead of Huber",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return (q - targets).abs().mean()\n",
            "|error| - 1/2",
        ),
        (
            "returns a Python number (.item()): no gradient",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return F.huber_loss(q, targets, delta=1.0).item()\n",
            "no .item()",
        ),
        (
            "sums over the batch instead of averaging",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return F.huber_loss(q, targets, delta=1.0, reduction='sum')\n",
            "not their sum",
        ),
        (
            "returns one loss per row (no reduction)",
            "def dqn_loss(q_values, actions, targets):\n"
            "    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n"
            "    return F.huber_loss(q, targets, delta=1.0, reduction='none')\n",
            "average the per-transition losses",
        ),
    ],
}
