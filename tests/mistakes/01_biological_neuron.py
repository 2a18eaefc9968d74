"""Realistic wrong answers for notebook 01 (biological neuron); each must lose its points."""

_MP_HEAD = '''def mcculloch_pitts(inputs, threshold, inhibitory=None):
    inputs = np.asarray(inputs)
    if inhibitory is None:
        inhibitory = np.zeros(inputs.shape, dtype=bool)
    inhibitory = np.asarray(inhibitory, dtype=bool)
'''

MISTAKES = {
    "mcculloch_pitts": [
        ("strict > instead of >= against the threshold",
         _MP_HEAD + "    if np.any(inputs[inhibitory] == 1):\n        return 0\n"
                    "    return int(np.sum(inputs[~inhibitory]) > threshold)\n"),
        ("ignores the inhibitory lines (no veto)",
         _MP_HEAD + "    return int(np.sum(inputs[~inhibitory]) >= threshold)\n"),
        ("inhibition subtracts from the count instead of vetoing",
         _MP_HEAD + "    count = np.sum(inputs[~inhibitory]) - np.sum(inputs[inhibitory])\n"
                    "    return int(count >= threshold)\n"),
        ("counts every active line, inhibitory ones included, and never vetoes",
         _MP_HEAD + "    return int(np.sum(inputs) >= threshold)\n"),
        ("returns True/False instead of the numbers 1 and 0",
         _MP_HEAD + "    return (not np.any(inputs[inhibitory] == 1)) and np.sum(inputs[~inhibitory]) >= threshold\n"),
        ("tests the inhibitory entries with a plain `if`, which an array cannot answer",
         _MP_HEAD + "    if inputs[inhibitory] == 1:\n        return 0\n"
                    "    return int(np.sum(inputs[~inhibitory]) >= threshold)\n"),
    ],
    "weighted_sum": [
        ("forgets the bias", "def weighted_sum(x, w, b):\n    return x @ w\n"),
        ("np.sum without an axis adds up the whole batch",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w) + b\n"),
        ("sums over axis 0, the batch axis",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w, axis=0) + b\n"),
        ("adds the bias to every product, so n times",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w + b, axis=-1)\n"),
        ("w @ x: the factors in the wrong order for a batch",
         "def weighted_sum(x, w, b):\n    return w @ x + b\n"),
        ("sums over axis 1, which a single input does not have",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w, axis=1) + b\n"),
        ("averages the products instead of adding them",
         "def weighted_sum(x, w, b):\n    return np.mean(x * w, axis=-1) + b\n"),
    ],
    "step": [
        ("uses > so that step(0) is 0",
         "def step(z):\n    z = np.asarray(z)\n    return (z > 0).astype(float)\n"),
        ("returns booleans instead of floats",
         "def step(z):\n    z = np.asarray(z)\n    return z >= 0\n"),
        ("uses np.sign (gives -1 for negative z)",
         "def step(z):\n    z = np.asarray(z)\n    return np.sign(z)\n"),
        ("np.heaviside with 0.5 at zero",
         "def step(z):\n    z = np.asarray(z)\n    return np.heaviside(z, 0.5)\n"),
        ("a Python `if` on a whole array",
         "def step(z):\n    z = np.asarray(z)\n    return 1.0 if z >= 0 else 0.0\n"),
        ("returns the integers 1 and 0 instead of floats",
         "def step(z):\n    z = np.asarray(z)\n    return (z >= 0) * 1\n"),
    ],
    "neuron": [
        ("returns z, never applies the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return weighted_sum(X, w, b)\n"),
        ("ignores the activation argument and always uses step",
         "def neuron(X, w, b, activation=None):\n    return step(weighted_sum(X, w, b))\n"),
        ("forgets the bias",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(X @ w)\n"),
        ("applies the activation to the inputs before the weighted sum",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return weighted_sum(activation(X), w, b)\n"),
        ("adds the bias after the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(X @ w) + b\n"),
        ("applies step and then the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(step(weighted_sum(X, w, b)))\n"),
        ("w @ X: the factors in the wrong order for a batch",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(w @ X + b)\n"),
    ],
    "logic_weights": [
        ("AND line passes through the corner (1, 1): b = -2",
         "w_and = np.array([1.0, 1.0])\nb_and = -2.0\nw_or = np.array([1.0, 1.0])\nb_or = -0.5\n"),
        ("OR line passes through (0, 1) and (1, 0): b = -1",
         "w_and = np.array([1.0, 1.0])\nb_and = -1.5\nw_or = np.array([1.0, 1.0])\nb_or = -1.0\n"),
        ("OR bias 0, so it fires for (0, 0) too",
         "w_and = np.array([1.0, 1.0])\nb_and = -1.5\nw_or = np.array([1.0, 1.0])\nb_or = 0.0\n"),
        ("biases of AND and OR swapped",
         "w_and = np.array([1.0, 1.0])\nb_and = -0.5\nw_or = np.array([1.0, 1.0])\nb_or = -1.5\n"),
        ("bias set to +threshold instead of -threshold",
         "w_and = np.array([1.0, 1.0])\nb_and = 1.5\nw_or = np.array([1.0, 1.0])\nb_or = 0.5\n"),
        ("biases written as one-element arrays",
         "w_and = np.array([1.0, 1.0])\nb_and = np.array([-1.5])\nw_or = np.array([1.0, 1.0])\nb_or = np.array([-0.5])\n"),
        ("a single weight instead of one per input",
         "w_and = 1.0\nb_and = -1.5\nw_or = 1.0\nb_or = -0.5\n"),
    ],
    "debug_layer": [
        ("adds the bias but keeps the transposed W",
         "def layer(X, W, b):\n    return step(X @ W.T + b)\n"),
        ("fixes the transpose but still forgets the bias",
         "def layer(X, W, b):\n    return step(X @ W)\n"),
        ("adds the bias to the inputs before the product",
         "def layer(X, W, b):\n    return step((X + b) @ W)\n"),
        ("returns z, forgets the step",
         "def layer(X, W, b):\n    return X @ W + b\n"),
        ("W @ X: the factors in the wrong order",
         "def layer(X, W, b):\n    return step(W @ X + b)\n"),
        ("adds the bias after the step",
         "def layer(X, W, b):\n    return step(X @ W) + b\n"),
    ],
}
