"""Realistic wrong answers for notebook 13 (the DQN network); each must lose its exercise's points."""

_REPLAY_HEAD = (
    "class ReplayBuffer:\n"
    "    def __init__(self, capacity, obs_shape, obs_dtype=np.float32):\n"
    "        self.capacity = capacity\n"
    "        self.obs = np.zeros((capacity, *obs_shape), dtype=obs_dtype)\n"
    "        self.next_obs = np.zeros((capacity, *obs_shape), dtype=obs_dtype)\n"
    "        self.actions = np.zeros(capacity, dtype=np.int64)\n"
    "        self.rewards = np.zeros(capacity, dtype=np.float32)\n"
    "        self.terminated = np.zeros(capacity, dtype=np.float32)\n"
    "        self.position = 0\n"
    "        self.size = 0\n\n"
    "    def __len__(self):\n"
    "        return self.size\n\n"
    "    def _write(self, i, obs, action, reward, next_obs, terminated):\n"
    "        self.obs[i] = obs\n"
    "        self.next_obs[i] = next_obs\n"
    "        self.actions[i] = action\n"
    "        self.rewards[i] = reward\n"
    "        self.terminated[i] = float(terminated)\n\n"
    "    def _batch(self, idx):\n"
    "        return {'obs': self.obs[idx], 'actions': self.actions[idx], 'rewards': self.rewards[idx],\n"
    "                'next_obs': self.next_obs[idx], 'terminated': self.terminated[idx]}\n\n"
)

_UPDATE = (
    "def dqn_update(online, target, optimizer, batch, gamma):\n"
    "    q_taken = online(batch['obs']).gather(1, batch['actions'].unsqueeze(1)){squeeze}\n"
    "    {grad}next_q = {net}(batch['next_obs'])\n"
    "    {indent}y = batch['rewards'] + gamma * {mask}next_q.max(dim=1).values\n"
    "    loss = F.smooth_l1_loss(q_taken, y)\n"
    "    {zero}optimizer.zero_grad()\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
    "    return loss.item()\n"
)


def _update(squeeze=".squeeze(1)", net="target", mask="(1.0 - batch['terminated']) * ", zero=""):
    return _UPDATE.format(squeeze=squeeze, grad="with torch.no_grad():\n        ", net=net, indent="    ", mask=mask,
                          zero=zero)


MISTAKES = {
    "discounted_return": [
        ("discounts the first reward too (gamma**(k+1))",
         "def discounted_return(rewards, gamma):\n"
         "    return float(sum(gamma ** (k + 1) * r for k, r in enumerate(rewards)))\n", "the first reward is not discounted"),
        ("runs the recursion forwards (reverses the order of the rewards)",
         "def discounted_return(rewards, gamma):\n"
         "    G = 0.0\n"
         "    for r in rewards:\n"
         "        G = r + gamma * G\n"
         "    return float(G)\n", "from the LAST reward backwards"),
        ("tests `if not rewards`, which fails for a NumPy array",
         "def discounted_return(rewards, gamma):\n"
         "    if not rewards:\n"
         "        return 0.0\n"
         "    G = 0.0\n"
         "    for r in reversed(rewards):\n"
         "        G = r + gamma * G\n"
         "    return float(G)\n", "NumPy array"),
    ],
    "q_learning_update": [
        ("bootstraps through terminal states", 
         "def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n"
         "    delta = float(r + gamma * np.max(Q[s_next]) - Q[s, a])\n"
         "    Q[s, a] += alpha * delta\n"
         "    return delta\n", "terminal"),
        ("bootstraps from the current state instead of the next one",
         "def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n"
         "    delta = float(r + (0.0 if terminated else gamma * np.max(Q[s])) - Q[s, a])\n"
         "    Q[s, a] += alpha * delta\n"
         "    return delta\n", "NEXT state"),
        ("returns the new table instead of changing Q in place",
         "def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n"
         "    Q = Q.copy()\n"
         "    delta = float(r + (0.0 if terminated else gamma * np.max(Q[s_next])) - Q[s, a])\n"
         "    Q[s, a] += alpha * delta\n"
         "    return delta\n", "in place"),
        ("forgets the learning rate",
         "def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n"
         "    delta = float(r + (0.0 if terminated else gamma * np.max(Q[s_next])) - Q[s, a])\n"
         "    Q[s, a] += delta\n"
         "    return delta\n", "alpha * delta"),
        ("writes the discount 0.9 of the examples into the function",
         "def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n"
         "    delta = float(r + (0.0 if terminated else 0.9 * np.max(Q[s_next])) - Q[s, a])\n"
         "    Q[s, a] += alpha * delta\n"
         "    return delta\n", "the gamma you are given"),
    ],
    "luminance": [
        ("BGR channel order (the weights of red and blue swapped)",
         "def luminance(rgb):\n"
         "    rgb = np.asarray(rgb, dtype=np.float64)\n"
         "    return 0.0722 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.2126 * rgb[..., 2]\n", "BGR"),
        ("the mean of the channels instead of the luminance weights",
         "def luminance(rgb):\n"
         "    return np.asarray(rgb, dtype=np.float64).mean(axis=-1)\n", "red counts 0.2126"),
        ("integer arithmetic with rounded weights",
         "def luminance(rgb):\n"
         "    return (rgb[..., 0] // 5 + rgb[..., 1] // 2 + rgb[..., 1] // 5 + rgb[..., 2] // 14).astype(float)\n", "green 0.7152"),
    ],
    "preprocess": [
        ("uses only the current frame (no max against flicker)",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(luminance(frame)).float()\n"
         "    small = F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', antialias=True, align_corners=False)[0, 0]\n"
         "    return small.round().clamp(0, 255).to(torch.uint8).numpy()\n", "maximum"),
        ("takes the maximum after the luminance instead of over the RGB frames",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(np.maximum(luminance(frame), luminance(previous_frame))).float()\n"
         "    small = F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', antialias=True, align_corners=False)[0, 0]\n"
         "    return small.round().clamp(0, 255).to(torch.uint8).numpy()\n", "luminance of each frame first"),
        ("returns floats instead of uint8",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(luminance(np.maximum(frame, previous_frame))).float()\n"
         "    return F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', antialias=True, align_corners=False)[0, 0].numpy()\n", "uint8"),
        ("converts to uint8 without rounding (truncates)",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(luminance(np.maximum(frame, previous_frame))).float()\n"
         "    small = F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', antialias=True, align_corners=False)[0, 0]\n"
         "    return small.numpy().astype(np.uint8)\n", "NEAREST integer"),
        ("rounds up with np.ceil",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(luminance(np.maximum(frame, previous_frame))).float()\n"
         "    small = F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', antialias=True, align_corners=False)[0, 0]\n"
         "    return np.clip(np.ceil(small.numpy()), 0, 255).astype(np.uint8)\n", "np.ceil"),
        ("bilinear resize without antialiasing",
         "def preprocess(frame, previous_frame):\n"
         "    gray = torch.from_numpy(luminance(np.maximum(frame, previous_frame))).float()\n"
         "    small = F.interpolate(gray[None, None], size=(84, 84), mode='bilinear', align_corners=False)[0, 0]\n"
         "    return small.round().clamp(0, 255).to(torch.uint8).numpy()\n", "antialias=True"),
    ],
    "FrameStack": [
        ("puts the newest frame first",
         "class FrameStack:\n"
         "    def __init__(self, k=4):\n"
         "        self.k = k\n"
         "    def reset(self, frame):\n"
         "        self.frames = [np.array(frame)] * self.k\n"
         "        return np.stack(self.frames)\n"
         "    def step(self, frame):\n"
         "        self.frames = [np.array(frame)] + self.frames[:-1]\n"
         "        return np.stack(self.frames)\n", "newest"),
        ("zero padding at reset instead of repeating the first frame",
         "class FrameStack:\n"
         "    def __init__(self, k=4):\n"
         "        self.k = k\n"
         "    def reset(self, frame):\n"
         "        self.frames = [np.zeros_like(frame)] * (self.k - 1) + [np.array(frame)]\n"
         "        return np.stack(self.frames)\n"
         "    def step(self, frame):\n"
         "        self.frames = self.frames[1:] + [np.array(frame)]\n"
         "        return np.stack(self.frames)\n", "zero padding"),
        ("returns its own buffer, which later steps overwrite",
         "class FrameStack:\n"
         "    def __init__(self, k=4):\n"
         "        self.k = k\n"
         "    def reset(self, frame):\n"
         "        self.buffer = np.stack([frame] * self.k)\n"
         "        return self.buffer\n"
         "    def step(self, frame):\n"
         "        self.buffer[:-1] = self.buffer[1:]\n"
         "        self.buffer[-1] = frame\n"
         "        return self.buffer\n", "new array"),
        ("allocates its stack as uint8 whatever the frames' dtype",
         "class FrameStack:\n"
         "    def __init__(self, k=4):\n"
         "        self.k = k\n"
         "    def reset(self, frame):\n"
         "        self.stack = np.zeros((self.k, *np.shape(frame)), dtype=np.uint8)\n"
         "        self.stack[:] = frame\n"
         "        return self.stack.copy()\n"
         "    def step(self, frame):\n"
         "        self.stack = np.concatenate([self.stack[1:], np.asarray(frame, dtype=np.uint8)[None]])\n"
         "        return self.stack.copy()\n", "keep the frames' dtype"),
    ],
    "NatureDQN": [
        ("delegates to the course library's network",
         "from course_lib.rl.networks import NatureDQN as _LibraryDQN\n\n\n"
         "class NatureDQN(_LibraryDQN):\n"
         "    def __init__(self, n_actions, in_frames=4):\n"
         "        super().__init__(n_actions, in_frames)\n", "build the network from torch.nn layers yourself"),
        ("forgets to divide the frames by 255",
         "class NatureDQN(nn.Module):\n"
         "    def __init__(self, n_actions, in_frames=4):\n"
         "        super().__init__()\n"
         "        self.layers = nn.Sequential(\n"
         "            nn.Conv2d(in_frames, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),\n"
         "            nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, n_actions))\n"
         "    def forward(self, frames):\n"
         "        return self.layers(frames.float())\n", "divide the frames by 255"),
        ("adds max pooling",
         "class NatureDQN(nn.Module):\n"
         "    def __init__(self, n_actions, in_frames=4):\n"
         "        super().__init__()\n"
         "        self.layers = nn.Sequential(\n"
         "            nn.Conv2d(in_frames, 32, 8, 4), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),\n"
         "            nn.Conv2d(64, 64, 3, 1, padding=1), nn.ReLU(), nn.Flatten(), nn.LazyLinear(512), nn.ReLU(), nn.Linear(512, n_actions))\n"
         "    def forward(self, frames):\n"
         "        return self.layers(frames.float() / 255)\n", "pooling"),
        ("a ReLU after the output layer",
         "class NatureDQN(nn.Module):\n"
         "    def __init__(self, n_actions, in_frames=4):\n"
         "        super().__init__()\n"
         "        self.layers = nn.Sequential(\n"
         "            nn.Conv2d(in_frames, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),\n"
         "            nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, n_actions),\n"
         "            nn.ReLU())\n"
         "    def forward(self, frames):\n"
         "        return self.layers(frames.float() / 255)\n", "none after it"),
        ("always reads 4 frames, whatever in_frames says",
         "class NatureDQN(nn.Module):\n"
         "    def __init__(self, n_actions, in_frames=4):\n"
         "        super().__init__()\n"
         "        self.layers = nn.Sequential(\n"
         "            nn.Conv2d(4, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),\n"
         "            nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, n_actions))\n"
         "    def forward(self, frames):\n"
         "        return self.layers(frames.float() / 255)\n", "in_frames"),
    ],
    "epsilon_greedy": [
        ("never explores (ignores epsilon)",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    return int(np.argmax(np.asarray(q_values)))\n", "explore branch"),
        ("never exploits (always random)",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    return int(rng.integers(len(q_values)))\n", "only exploits"),
        ("explores when the random number is above epsilon",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    if rng.random() > epsilon:\n"
         "        return int(rng.integers(len(q_values)))\n"
         "    return int(np.argmax(np.asarray(q_values)))\n", "rng.random() < epsilon"),
        ("a random action never picks the greedy one",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    q = np.asarray(q_values)\n"
         "    best = int(np.argmax(q))\n"
         "    if rng.random() < epsilon and len(q) > 1:\n"
         "        return int(rng.choice([a for a in range(len(q)) if a != best]))\n"
         "    return best\n", "the greedy one included"),
        ("argmin instead of argmax",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    if rng.random() < epsilon:\n"
         "        return int(rng.integers(len(q_values)))\n"
         "    return int(np.argmin(np.asarray(q_values)))\n", "argmax"),
        ("draws from a generator of its own with a fixed seed",
         "_my_rng = np.random.default_rng(0)\n\n\n"
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    if _my_rng.random() < epsilon:\n"
         "        return int(_my_rng.integers(len(q_values)))\n"
         "    return int(np.argmax(np.asarray(q_values)))\n", "generator of your own"),
        ("draws the random action from np.random, not from rng",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    if rng.random() < epsilon:\n"
         "        return int(np.random.randint(len(q_values)))\n"
         "    return int(np.argmax(np.asarray(q_values)))\n", "np.random"),
        ("a fixed number of 4 actions",
         "def epsilon_greedy(q_values, epsilon, rng):\n"
         "    if rng.random() < epsilon:\n"
         "        return int(rng.integers(4))\n"
         "    return int(np.argmax(np.asarray(q_values)))\n", "len(q_values)"),
    ],
    "epsilon_by_episode": [
        ("no floor: decays below end",
         "def epsilon_by_episode(episode, start, end, decay):\n"
         "    return float(start * decay ** episode)\n", "floor"),
        ("linear decay by `decay` per episode",
         "def epsilon_by_episode(episode, start, end, decay):\n"
         "    return float(max(end, start - (1 - decay) * episode))\n", "a power"),
        ("starts from 1 whatever `start` says",
         "def epsilon_by_episode(episode, start, end, decay):\n"
         "    return float(max(end, decay ** episode))\n", "the start you are given"),
    ],
    "td_target": [
        ("bootstraps through terminal states",
         "def td_target(rewards, next_q_target, terminated, gamma):\n"
         "    with torch.no_grad():\n"
         "        return rewards + gamma * next_q_target.max(dim=1).values\n", "terminal"),
        ("masks the reward too",
         "def td_target(rewards, next_q_target, terminated, gamma):\n"
         "    with torch.no_grad():\n"
         "        return (1 - terminated) * (rewards + gamma * next_q_target.max(dim=1).values)\n", "not the reward"),
        ("keeps the gradient of the target network's values",
         "def td_target(rewards, next_q_target, terminated, gamma):\n"
         "    return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values\n", "gradient"),
        ("the mean over the actions instead of the max",
         "def td_target(rewards, next_q_target, terminated, gamma):\n"
         "    with torch.no_grad():\n"
         "        return rewards + gamma * (1 - terminated) * next_q_target.mean(dim=1)\n", "max over the actions"),
        ("a Python loop over the batch",
         "def td_target(rewards, next_q_target, terminated, gamma):\n"
         "    with torch.no_grad():\n"
         "        return torch.stack([rewards[i] + gamma * (1 - terminated[i]) * next_q_target[i].max()\n"
         "                            for i in range(len(rewards))])\n", "loop"),
    ],
    "ReplayBuffer": [
        ("never overwrites: grows past its capacity",
         "class ReplayBuffer:\n"
         "    def __init__(self, capacity, obs_shape, obs_dtype=np.float32):\n"
         "        self.rows, self.dtype = [], obs_dtype\n"
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self.rows.append((np.array(obs, dtype=self.dtype), action, reward, np.array(next_obs, dtype=self.dtype), float(terminated)))\n"
         "    def __len__(self):\n"
         "        return len(self.rows)\n"
         "    def sample(self, batch_size, rng):\n"
         "        idx = rng.integers(0, len(self.rows), size=batch_size)\n"
         "        o, a, r, n, d = zip(*[self.rows[i] for i in idx])\n"
         "        return {'obs': np.stack(o), 'actions': np.array(a, dtype=np.int64), 'rewards': np.array(r, dtype=np.float32),\n"
         "                'next_obs': np.stack(n), 'terminated': np.array(d, dtype=np.float32)}\n", "capacity"),
        ("overwrites the newest transition once full, not the oldest",
         _REPLAY_HEAD +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = min(self.position + 1, self.capacity - 1)\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        return self._batch(rng.integers(0, self.size, size=batch_size))\n", "oldest"),
        ("samples from empty slots of a buffer that is not full",
         _REPLAY_HEAD +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = (self.position + 1) % self.capacity\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        return self._batch(rng.integers(0, self.capacity, size=batch_size))\n", "stored transitions"),
        ("samples the newest transitions only",
         _REPLAY_HEAD +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = (self.position + 1) % self.capacity\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        return self._batch((self.position - 1 - np.arange(batch_size)) % self.size)\n", "not only the newest"),
        ("shuffles obs and next_obs with separate draws",
         _REPLAY_HEAD +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = (self.position + 1) % self.capacity\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        batch = self._batch(rng.integers(0, self.size, size=batch_size))\n"
         "        batch['next_obs'] = self.next_obs[rng.integers(0, self.size, size=batch_size)]\n"
         "        return batch\n", "one array of indices"),
        ("ignores obs_dtype (always float64)",
         _REPLAY_HEAD.replace("dtype=obs_dtype", "dtype=np.float64") +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = (self.position + 1) % self.capacity\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        return self._batch(rng.integers(0, self.size, size=batch_size))\n", "obs_dtype"),
        ("samples with np.random instead of rng",
         _REPLAY_HEAD +
         "    def add(self, obs, action, reward, next_obs, terminated):\n"
         "        self._write(self.position, obs, action, reward, next_obs, terminated)\n"
         "        self.position = (self.position + 1) % self.capacity\n"
         "        self.size = min(self.size + 1, self.capacity)\n\n"
         "    def sample(self, batch_size, rng):\n"
         "        return self._batch(np.random.randint(0, self.size, size=batch_size))\n", "np.random"),
    ],
    "debug_dqn_update": [
        ("keeps the colleague's code unchanged",
         "def dqn_update(online, target, optimizer, batch, gamma):\n"
         "    return broken_dqn_update(online, target, optimizer, batch, gamma)\n", "broadcast"),
        ("bootstraps from the online network (no target network)", _update(net="online"), "target network"),
        ("no terminal mask", _update(mask=""), "(1 - terminated)"),
        ("forgets the squeeze: a (B, 1) against (B,) loss broadcasts", _update(squeeze=""), "broadcast"),
        ("never zeroes the gradients", _update(zero="# "), "zero the gradients"),
        ("the squared error instead of the Huber loss",
         _update().replace("F.smooth_l1_loss(q_taken, y)", "F.mse_loss(q_taken, y)"), "Huber"),
        ("writes gamma = 0.99 into the function", _update().replace("gamma * ", "0.99 * "), "gamma passed in"),
    ],
    "checkpoint_d_layers": [
        ("forgets the biases",
         "def checkpoint_d_layers(n_actions, in_frames=4):\n"
         "    return {'conv1': ((32, 20, 20), in_frames * 64 * 32), 'conv2': ((64, 9, 9), 32 * 16 * 64),\n"
         "            'conv3': ((64, 7, 7), 64 * 9 * 64), 'flatten': ((3136,), 0), 'fc': ((512,), 3136 * 512),\n"
         "            'out': ((n_actions,), 512 * n_actions)}\n", "biases"),
        ("the output-size formula without the + 1",
         "def checkpoint_d_layers(n_actions, in_frames=4):\n"
         "    layers, side, channels = {}, 84, in_frames\n"
         "    for name, filters, k, s in (('conv1', 32, 8, 4), ('conv2', 64, 4, 2), ('conv3', 64, 3, 1)):\n"
         "        side = (side - k) // s\n"
         "        layers[name] = ((filters, side, side), channels * k * k * filters + filters)\n"
         "        channels = filters\n"
         "    layers['flatten'] = ((channels * side * side,), 0)\n"
         "    layers['fc'] = ((512,), channels * side * side * 512 + 512)\n"
         "    layers['out'] = ((n_actions,), 512 * n_actions + n_actions)\n"
         "    return layers\n", "+ 1"),
        ("hard-codes 4 input frames",
         "def checkpoint_d_layers(n_actions, in_frames=4):\n"
         "    return {'conv1': ((32, 20, 20), 8224), 'conv2': ((64, 9, 9), 32832), 'conv3': ((64, 7, 7), 36928),\n"
         "            'flatten': ((3136,), 0), 'fc': ((512,), 1606144), 'out': ((n_actions,), 512 * n_actions + n_actions)}\n", "in_frames"),
        ("measures the course library's network instead of answering",
         "from course_lib.rl.networks import NatureDQN as _LibraryDQN\n\n\n"
         "def checkpoint_d_layers(n_actions, in_frames=4):\n"
         "    net = _LibraryDQN(n_actions, in_frames)\n"
         "    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Flatten, nn.Linear))]\n"
         "    seen = []\n"
         "    hooks = [m.register_forward_hook(lambda m, i, o: seen.append((m, tuple(o.shape[1:])))) for m in layers]\n"
         "    with torch.no_grad():\n"
         "        net(torch.zeros(1, in_frames, 84, 84))\n"
         "    for h in hooks:\n"
         "        h.remove()\n"
         "    names = ['conv1', 'conv2', 'conv3', 'flatten', 'fc', 'out']\n"
         "    return {n: (shape, sum(p.numel() for p in m.parameters())) for n, (m, shape) in zip(names, seen)}\n", "library"),
    ],
    "checkpoint_d_components": [
        ("swaps the replay buffer and the target network",
         "checkpoint_d_components = {\n"
         "    'correlated samples': 'target network', 'moving target': 'replay buffer', 'motion': 'frame stack',\n"
         "    'position': 'no pooling', 'flicker': 'max over two frames', 'never tries other actions': 'epsilon-greedy',\n"
         "    'value after the end': 'terminal masking'}\n", "drawn at random"),
        ("swaps the frame stack and the max over two frames",
         "checkpoint_d_components = {\n"
         "    'correlated samples': 'replay buffer', 'moving target': 'target network', 'motion': 'max over two frames',\n"
         "    'position': 'no pooling', 'flicker': 'frame stack', 'never tries other actions': 'epsilon-greedy',\n"
         "    'value after the end': 'terminal masking'}\n", "consecutive frames at once"),
        ("answers in its own words",
         "checkpoint_d_components = {\n"
         "    'correlated samples': 'experience replay', 'moving target': 'target network', 'motion': 'frame stack',\n"
         "    'position': 'no pooling', 'flicker': 'max over two frames', 'never tries other actions': 'epsilon-greedy',\n"
         "    'value after the end': 'terminal masking'}\n", "spelled exactly"),
    ],
}
