"""Realistic wrong answers for notebook 06 (loss functions and Checkpoint B).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message that contains the entry's third element (the
words that name the mistake).
"""

_MSE = '''def mse(pred, target):
    return float(np.mean((np.asarray(pred, dtype=float) - target) ** 2))

'''

_MSE_GRAD = '''

def mse_grad(pred, target):
    pred = np.asarray(pred, dtype=float)
    return 2.0 * (pred - target) / pred.size
'''

_BCE = '''def bce_with_logits(logits, labels):
    z = np.asarray(logits, dtype=float)
    return float(np.mean(np.maximum(z, 0.0) - labels * z + np.log1p(np.exp(-np.abs(z)))))

'''

_BCE_GRAD = '''

def bce_with_logits_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    return (0.5 * (1.0 + np.tanh(0.5 * z)) - labels) / len(z)
'''

_CE = '''def cross_entropy_with_logits(logits, labels):
    z = np.asarray(logits, dtype=float)
    m = len(z)
    top = z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(lse - z[np.arange(m), labels]))

'''

_CE_GRAD = '''

def cross_entropy_with_logits_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    m = len(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    g = e / e.sum(axis=1, keepdims=True)
    g[np.arange(m), labels] -= 1.0
    return g / m
'''

_HUBER = '''def huber(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - target
    a = np.abs(r)
    return float(np.mean(np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))))

'''

_HUBER_GRAD = '''

def huber_grad(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - target
    return np.clip(r, -delta, delta) / r.size
'''

_DQN_HEAD = "def checkpoint_b_dqn_loss(q_forward, states, actions, rewards, next_states, dones, gamma, delta=1.0):\n"

_PG_HEAD = "def policy_gradient_loss(logits, actions, advantages):\n"

MISTAKES = {
    "mse": [
        (
            "hands the loss to PyTorch (F.mse_loss) instead of writing it",
            "import torch\nimport torch.nn.functional as F\n\n\n"
            "def mse(pred, target):\n"
            "    return F.mse_loss(torch.as_tensor(np.asarray(pred, dtype=float)), torch.as_tensor(np.asarray(target, dtype=float))).item()\n\n\n"
            "def mse_grad(pred, target):\n"
            "    pred = np.asarray(pred, dtype=float)\n"
            "    return 2.0 * (pred - np.asarray(target, dtype=float)) / pred.size\n",
            "used PyTorch",
        ),
        (
            "sums the squared errors instead of averaging them",
            "def mse(pred, target):\n    return float(np.sum((pred - target) ** 2))\n" + _MSE_GRAD,
            "average them",
        ),
        (
            "averages over the rows only (axis=0), returning one number per column",
            "def mse(pred, target):\n    return np.mean((pred - target) ** 2, axis=0)\n" + _MSE_GRAD,
            "np.mean without an axis",
        ),
        (
            "mse_grad forgets the factor 2",
            _MSE + "def mse_grad(pred, target):\n    return (pred - target) / pred.size\n",
            "keep the 2",
        ),
        (
            "mse_grad divides by the number of rows instead of the number of entries",
            _MSE + "def mse_grad(pred, target):\n    return 2.0 * (pred - target) / len(pred)\n",
            "not by the number of rows",
        ),
        (
            "mse_grad returns the gradient of each example's own loss (no 1/N)",
            _MSE + "def mse_grad(pred, target):\n    return 2.0 * (pred - target)\n",
            "divide by the number of entries",
        ),
    ],
    "bce_with_logits": [
        (
            "naive formula: log of the sigmoid, nan and inf for confident logits",
            "def bce_with_logits(logits, labels):\n"
            "    p = 1.0 / (1.0 + np.exp(-logits))\n"
            "    return float(np.mean(-(labels * np.log(p) + (1 - labels) * np.log(1 - p))))\n" + _BCE_GRAD,
            "never take the log of σ(z)",
        ),
        (
            "softplus written as log(1 + exp(z)), which overflows for z = 1000",
            "def bce_with_logits(logits, labels):\n"
            "    return float(np.mean(np.log(1.0 + np.exp(logits)) - labels * logits))\n" + _BCE_GRAD,
            "overflows",
        ),
        (
            "sums over the batch instead of averaging",
            "def bce_with_logits(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    return float(np.sum(np.maximum(z, 0.0) - labels * z + np.log1p(np.exp(-np.abs(z)))))\n" + _BCE_GRAD,
            "mean over the batch",
        ),
        (
            "gradient with the wrong sign, labels - sigmoid(z)",
            _BCE + "def bce_with_logits_grad(logits, labels):\n"
            "    return (labels - 0.5 * (1.0 + np.tanh(0.5 * logits))) / len(logits)\n",
            "wrong sign",
        ),
        (
            "gradient not divided by the batch size",
            _BCE + "def bce_with_logits_grad(logits, labels):\n"
            "    return 0.5 * (1.0 + np.tanh(0.5 * logits)) - labels\n",
            "(sigmoid(z) − y) / m",
        ),
        (
            "gradient uses the naive sigmoid, which overflows for z = -1000",
            _BCE + "def bce_with_logits_grad(logits, labels):\n"
            "    return (1.0 / (1.0 + np.exp(-logits)) - labels) / len(logits)\n",
            "overflows",
        ),
    ],
    "cross_entropy_with_logits": [
        (
            "no max subtraction: exp(1000) overflows",
            "def cross_entropy_with_logits(logits, labels):\n"
            "    m = len(logits)\n"
            "    return float(np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(m), labels]))\n" + _CE_GRAD,
            "overflows",
        ),
        (
            "takes the log of a stable softmax, log(0) for an unlikely label",
            "def cross_entropy_with_logits(logits, labels):\n"
            "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    p = e / e.sum(axis=1, keepdims=True)\n"
            "    return float(-np.mean(np.log(p[np.arange(len(logits)), labels])))\n" + _CE_GRAD,
            "never take the log of a probability",
        ),
        (
            "picks the labels' logits with logits[:, labels], an m x m block",
            "def cross_entropy_with_logits(logits, labels):\n"
            "    top = logits.max(axis=1, keepdims=True)\n"
            "    lse = top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))\n"
            "    return float(np.mean(lse - logits[:, labels]))\n" + _CE_GRAD,
            "m×m block",
        ),
        (
            "sums over the batch instead of averaging",
            "def cross_entropy_with_logits(logits, labels):\n"
            "    top = logits.max(axis=1, keepdims=True)\n"
            "    lse = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))\n"
            "    return float(np.sum(lse - logits[np.arange(len(logits)), labels]))\n" + _CE_GRAD,
            "mean over the rows",
        ),
        (
            "gradient forgets to subtract the one-hot labels",
            _CE + "def cross_entropy_with_logits_grad(logits, labels):\n"
            "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True) / len(logits)\n",
            "subtract 1 at each row's label",
        ),
        (
            "gradient normalises softmax down the columns (axis=0)",
            _CE + "def cross_entropy_with_logits_grad(logits, labels):\n"
            "    e = np.exp(logits - logits.max(axis=0, keepdims=True))\n"
            "    g = e / e.sum(axis=0, keepdims=True)\n"
            "    g[np.arange(len(logits)), labels] -= 1.0\n"
            "    return g / len(logits)\n",
            "softmax along each row",
        ),
        (
            "gradient subtracts 1 in place from the caller's logits array",
            _CE + "def cross_entropy_with_logits_grad(logits, labels):\n"
            "    logits -= logits.max(axis=1, keepdims=True)\n"
            "    g = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
            "    g[np.arange(len(logits)), labels] -= 1.0\n"
            "    return g / len(logits)\n",
            "changed its argument `logits` in place",
        ),
        (
            "log-sum-exp shifted by the largest logit of the whole batch instead of each row's own",
            "def cross_entropy_with_logits(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    top = np.max(z)\n"
            "    lse = top + np.log(np.exp(z - top).sum(axis=1))\n"
            "    return float(np.mean(lse - z[np.arange(len(z)), labels]))\n" + _CE_GRAD,
            "each row's own maximum",
        ),
        (
            "gradient's softmax shifted by the largest logit of the whole batch instead of each row's own",
            _CE + "def cross_entropy_with_logits_grad(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    e = np.exp(z - np.max(z))\n"
            "    g = e / e.sum(axis=1, keepdims=True)\n"
            "    g[np.arange(len(z)), labels] -= 1.0\n"
            "    return g / len(z)\n",
            "each row's own maximum",
        ),
    ],
    "huber": [
        (
            "the two pieces swapped (linear for small errors, quadratic for large)",
            "def huber(pred, target, delta=1.0):\n"
            "    r = pred - target\n"
            "    a = np.abs(r)\n"
            "    return float(np.mean(np.where(a <= delta, delta * (a - 0.5 * delta), 0.5 * r ** 2)))\n" + _HUBER_GRAD,
            "which piece goes with which side",
        ),
        (
            "linear piece |r| - delta/2 without the factor delta",
            "def huber(pred, target, delta=1.0):\n"
            "    r = pred - target\n"
            "    a = np.abs(r)\n"
            "    return float(np.mean(np.where(a <= delta, 0.5 * r ** 2, a - 0.5 * delta)))\n" + _HUBER_GRAD,
            "Use delta in the test |r| ≤ δ and in the linear piece",
        ),
        (
            "linear piece delta*|r| without the -delta/2, so the pieces do not meet",
            "def huber(pred, target, delta=1.0):\n"
            "    r = pred - target\n"
            "    a = np.abs(r)\n"
            "    return float(np.mean(np.where(a <= delta, 0.5 * r ** 2, delta * a)))\n" + _HUBER_GRAD,
            "δ·(|r| − δ/2)",
        ),
        (
            "ignores delta (always 1)",
            "def huber(pred, target, delta=1.0):\n"
            "    r = pred - target\n"
            "    a = np.abs(r)\n"
            "    return float(np.mean(np.where(a <= 1.0, 0.5 * r ** 2, a - 0.5)))\n"
            "\n\ndef huber_grad(pred, target, delta=1.0):\n"
            "    return np.clip(pred - target, -1.0, 1.0) / np.size(pred)\n",
            "not a fixed 1",
        ),
        (
            "huber_grad returns delta * sign(r) everywhere (the gradient of the linear piece only)",
            _HUBER + "def huber_grad(pred, target, delta=1.0):\n"
            "    return delta * np.sign(pred - target) / np.size(pred)\n",
            "np.clip(r, -delta, delta)",
        ),
        (
            "huber_grad not divided by the number of entries",
            _HUBER + "def huber_grad(pred, target, delta=1.0):\n"
            "    return np.clip(pred - target, -delta, delta)\n",
            "divided by pred.size",
        ),
    ],
    "checkpoint_b_classifier_loss": [
        (
            "applies ReLU to the last layer too, so no logit can be negative",
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    h = X\n"
            "    for W, b in layers:\n"
            "        h = np.maximum(h @ W + b, 0.0)\n"
            "    return cross_entropy_with_logits(h, labels)\n",
            "with no ReLU",
        ),
        (
            "no ReLU at all: the network collapses into one linear layer",
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    h = X\n"
            "    for W, b in layers:\n"
            "        h = h @ W + b\n"
            "    return cross_entropy_with_logits(h, labels)\n",
            "h = relu(h @ W + b) for every layer but the last",
        ),
        (
            "passes softmax probabilities instead of logits to the cross-entropy",
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    h = X\n"
            "    for W, b in layers[:-1]:\n"
            "        h = np.maximum(h @ W + b, 0.0)\n"
            "    z = h @ layers[-1][0] + layers[-1][1]\n"
            "    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
            "    return cross_entropy_with_logits(e / e.sum(axis=1, keepdims=True), labels)\n",
            "pass the logits, not probabilities",
        ),
        (
            "forgets the biases",
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    h = X\n"
            "    for W, b in layers[:-1]:\n"
            "        h = np.maximum(h @ W, 0.0)\n"
            "    return cross_entropy_with_logits(h @ layers[-1][0], labels)\n",
            "h @ W + b",
        ),
        (
            "takes the last layer off the caller's list with layers.pop()",
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    W_out, b_out = layers.pop()\n"
            "    h = X\n"
            "    for W, b in layers:\n"
            "        h = np.maximum(h @ W + b, 0.0)\n"
            "    return cross_entropy_with_logits(h @ W_out + b_out, labels)\n",
            "changed its argument `layers` in place",
        ),
    ],
    "checkpoint_b_dqn_loss": [
        (
            "forgets (1 - done): bootstraps past the end of an episode",
            _DQN_HEAD
            + "    targets = rewards + gamma * np.max(q_forward(next_states), axis=1)\n"
            "    q = q_forward(states)\n"
            "    return huber(q[np.arange(len(actions)), actions], targets, delta)\n",
            "(1 − done)",
        ),
        (
            "picks Q[:, actions], an m x m block, instead of one Q-value per row",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.max(q_forward(next_states), axis=1)\n"
            "    return huber(q_forward(states)[:, actions], targets, delta)\n",
            "Q[np.arange(m), actions]",
        ),
        (
            "uses the largest Q(s, a) instead of the action taken",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.max(q_forward(next_states), axis=1)\n"
            "    return huber(np.max(q_forward(states), axis=1), targets, delta)\n",
            "the action taken in each row",
        ),
        (
            "takes the max over the batch (axis 0) instead of over the actions",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.max(q_forward(next_states), axis=0)\n"
            "    q = q_forward(states)\n"
            "    return huber(q[np.arange(len(actions)), actions], targets, delta)\n",
            "axis=1",
        ),
        (
            "squared TD error instead of Huber",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.max(q_forward(next_states), axis=1)\n"
            "    q = q_forward(states)\n"
            "    return mse(q[np.arange(len(actions)), actions], targets)\n",
            "not the squared error",
        ),
        (
            "does not pass delta on to huber",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.max(q_forward(next_states), axis=1)\n"
            "    q = q_forward(states)\n"
            "    return huber(q[np.arange(len(actions)), actions], targets)\n",
            "pass delta on to your huber",
        ),
        (
            "the target uses the argmax (an action index) instead of the max (a value)",
            _DQN_HEAD
            + "    targets = rewards + gamma * (1.0 - dones) * np.argmax(q_forward(next_states), axis=1)\n"
            "    q = q_forward(states)\n"
            "    return huber(q[np.arange(len(actions)), actions], targets, delta)\n",
            "not the index of the best action",
        ),
    ],
    "debug_policy_gradient_loss": [
        (
            "the broken code unchanged",
            _PG_HEAD
            + "    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
            "    taken = np.log(probs[:, actions])\n"
            "    return np.mean(taken * advantages)\n",
            "wrong sign",
        ),
        (
            "stable and correctly indexed, but the minus sign is still missing",
            _PG_HEAD
            + "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
            "    log_pi = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
            "    return float(np.mean(advantages * log_pi[np.arange(len(logits)), actions]))\n",
            "wrong sign",
        ),
        (
            "log of a max-shifted softmax: no overflow, but log(0) for an unlikely action",
            _PG_HEAD
            + "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    probs = e / e.sum(axis=1, keepdims=True)\n"
            "    return float(-np.mean(advantages * np.log(probs[np.arange(len(logits)), actions])))\n",
            "never take the log of a softmax probability",
        ),
        (
            "sign and stability fixed, but still probs[:, actions]",
            _PG_HEAD
            + "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
            "    log_pi = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
            "    return float(-np.mean(advantages * log_pi[:, actions]))\n",
            "m×m block",
        ),
        (
            "sums over the batch instead of averaging",
            _PG_HEAD
            + "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
            "    log_pi = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
            "    return float(-np.sum(advantages * log_pi[np.arange(len(logits)), actions]))\n",
            "np.mean, not np.sum",
        ),
        (
            "stable, signed and indexed, but shifted by the largest logit of the whole batch instead of each row's own",
            _PG_HEAD
            + "    shifted = logits - np.max(logits)\n"
            "    log_pi = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
            "    return float(-np.mean(advantages * log_pi[np.arange(len(logits)), actions]))\n",
            "each row's own maximum",
        ),
    ],
}
