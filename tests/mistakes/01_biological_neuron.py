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
                    "    return int(np.sum(inputs[~inhibitory]) > threshold)\n", ">=, not >"),
        ("ignores the inhibitory lines (no veto)",
         _MP_HEAD + "    return int(np.sum(inputs[~inhibitory]) >= threshold)\n", "inhibitory input stops the unit"),
        ("inhibition subtracts from the count instead of vetoing",
         _MP_HEAD + "    count = np.sum(inputs[~inhibitory]) - np.sum(inputs[inhibitory])\n"
                    "    return int(count >= threshold)\n", "not just subtract"),
        ("counts every active line, inhibitory ones included, and never vetoes",
         _MP_HEAD + "    return int(np.sum(inputs) >= threshold)\n", "inhibitory input stops the unit"),
        ("returns True/False instead of the numbers 1 and 0",
         _MP_HEAD + "    return (not np.any(inputs[inhibitory] == 1)) and np.sum(inputs[~inhibitory]) >= threshold\n", "not True or False"),
        ("tests the inhibitory entries with a plain `if`, which an array cannot answer",
         _MP_HEAD + "    if inputs[inhibitory] == 1:\n        return 0\n"
                    "    return int(np.sum(inputs[~inhibitory]) >= threshold)\n", "truth value"),
    ],
    "weighted_sum": [
        ("forgets the bias", "def weighted_sum(x, w, b):\n    return x @ w\n", "add the bias once"),
        ("np.sum without an axis adds up the whole batch",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w) + b\n", "within each row"),
        ("sums over axis 0, the batch axis",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w, axis=0) + b\n", "within each row"),
        ("adds the bias to every product, so n times",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w + b, axis=-1)\n", "add the bias once"),
        ("w @ x: the factors in the wrong order for a batch",
         "def weighted_sum(x, w, b):\n    return w @ x + b\n", "order of the factors"),
        ("sums over axis 1, which a single input does not have",
         "def weighted_sum(x, w, b):\n    return np.sum(x * w, axis=1) + b\n", "axis 1 is out of bounds"),
        ("averages the products instead of adding them",
         "def weighted_sum(x, w, b):\n    return np.mean(x * w, axis=-1) + b\n", "add the products"),
        ("collects a batch's sums in np.zeros_like(x[:, 0]), an integer array for whole-number inputs",
         "def weighted_sum(x, w, b):\n    if x.ndim == 1:\n        return x @ w + b\n"
         "    z = np.zeros_like(x[:, 0])\n    for j in range(len(x)):\n        z[j] = x[j] @ w + b\n    return z\n", "cuts the fractions off"),
    ],
    "step": [
        ("uses > so that step(0) is 0",
         "def step(z):\n    z = np.asarray(z)\n    return (z > 0).astype(float)\n", "z >= 0, not z > 0"),
        ("returns booleans instead of floats",
         "def step(z):\n    z = np.asarray(z)\n    return z >= 0\n", "not booleans"),
        ("uses np.sign (gives -1 for negative z)",
         "def step(z):\n    z = np.asarray(z)\n    return np.sign(z)\n", "never -1"),
        ("np.heaviside with 0.5 at zero",
         "def step(z):\n    z = np.asarray(z)\n    return np.heaviside(z, 0.5)\n", "at exactly z = 0 the neuron fires"),
        ("a Python `if` on a whole array",
         "def step(z):\n    z = np.asarray(z)\n    return 1.0 if z >= 0 else 0.0\n", "element-wise"),
        ("returns the integers 1 and 0 instead of floats",
         "def step(z):\n    z = np.asarray(z)\n    return (z >= 0) * 1\n", "return floats"),
    ],
    "neuron": [
        ("returns z, never applies the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return weighted_sum(X, w, b)\n", "apply the `activation` you are given"),
        ("ignores the activation argument and always uses step",
         "def neuron(X, w, b, activation=None):\n    return step(weighted_sum(X, w, b))\n", "apply the `activation` you are given"),
        ("forgets the bias",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(X @ w)\n", "bias"),
        ("applies the activation to the inputs before the weighted sum",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return weighted_sum(activation(X), w, b)\n", "not to the inputs"),
        ("adds the bias after the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(X @ w) + b\n", "after the weighted sum"),
        ("applies step and then the activation",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(step(weighted_sum(X, w, b)))\n", "returns z = w·x + b itself"),
        ("w @ X: the factors in the wrong order for a batch",
         "def neuron(X, w, b, activation=None):\n    if activation is None:\n        activation = step\n"
         "    return activation(w @ X + b)\n", "order of the factors"),
    ],
    "logic_weights": [
        ("AND line passes through the corner (1, 1): b = -2",
         "w_and = np.array([1.0, 1.0])\nb_and = -2.0\nw_or = np.array([1.0, 1.0])\nb_or = -0.5\n", "too close to a corner"),
        ("OR line passes through (0, 1) and (1, 0): b = -1",
         "w_and = np.array([1.0, 1.0])\nb_and = -1.5\nw_or = np.array([1.0, 1.0])\nb_or = -1.0\n", "too close to a corner"),
        ("OR bias 0, so it fires for (0, 0) too",
         "w_and = np.array([1.0, 1.0])\nb_and = -1.5\nw_or = np.array([1.0, 1.0])\nb_or = 0.0\n", "OR is quiet only for (0, 0)"),
        ("biases of AND and OR swapped",
         "w_and = np.array([1.0, 1.0])\nb_and = -0.5\nw_or = np.array([1.0, 1.0])\nb_or = -1.5\n", "AND fires only for (1, 1)"),
        ("bias set to +threshold instead of -threshold",
         "w_and = np.array([1.0, 1.0])\nb_and = 1.5\nw_or = np.array([1.0, 1.0])\nb_or = 0.5\n", "b < 0"),
        ("biases written as one-element arrays",
         "w_and = np.array([1.0, 1.0])\nb_and = np.array([-1.5])\nw_or = np.array([1.0, 1.0])\nb_or = np.array([-0.5])\n", "a single number"),
        ("a single weight instead of one per input",
         "w_and = 1.0\nb_and = -1.5\nw_or = 1.0\nb_or = -0.5\n", "one weight per input"),
    ],
    "debug_layer": [
        ("adds the bias but keeps the transposed W",
         "def layer(X, W, b):\n    return step(X @ W.T + b)\n", "pairs inputs with rows of W"),
        ("fixes the transpose but still forgets the bias",
         "def layer(X, W, b):\n    return step(X @ W)\n", "b is not added"),
        ("adds the bias to the inputs before the product",
         "def layer(X, W, b):\n    return step((X + b) @ W)\n", "b is not added"),
        ("returns z, forgets the step",
         "def layer(X, W, b):\n    return X @ W + b\n", "apply step"),
        ("W @ X: the factors in the wrong order",
         "def layer(X, W, b):\n    return step(W @ X + b)\n", "order of the factors"),
        ("adds the bias after the step",
         "def layer(X, W, b):\n    return step(X @ W) + b\n", "apply step"),
    ],
}
