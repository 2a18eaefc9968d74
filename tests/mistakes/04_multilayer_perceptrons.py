"""Realistic wrong answers for notebook 04 (multi-layer perceptrons).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message that contains the entry's third element (the
words that name the mistake).
"""

_XOR_HIDDEN = "W1 = np.array([[1.0, 1.0], [1.0, 1.0]])\nb1 = np.array([-0.5, -1.5])\n"

MISTAKES = {
    "count_parameters": [
        (
            "forgets the biases",
            "def count_parameters(layer_sizes):\n"
            "    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))\n",
            "biases",
        ),
        (
            "one bias per input instead of one per unit",
            "def count_parameters(layer_sizes):\n"
            "    return sum(a * b + a for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))\n",
            "1 bias",
        ),
        (
            "gives the input layer biases too",
            "def count_parameters(layer_sizes):\n"
            "    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))\n"
            "    return weights + sum(layer_sizes)\n",
            "6 + 3 = 9",
        ),
        (
            "returns the list of per-layer counts instead of their total",
            "def count_parameters(layer_sizes):\n"
            "    return [a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "not a list",
        ),
        (
            "multiplies all the sizes together",
            "def count_parameters(layer_sizes):\n"
            "    return int(np.prod(layer_sizes))\n",
            "2×2 weights",
        ),
        (
            "counts with floats: n_out * (n_in + 1.0)",
            "def count_parameters(layer_sizes):\n"
            "    return sum(b * (a + 1.0) for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))\n",
            "whole number",
        ),
        (
            "counts in 32-bit integers, which overflow past 2**31 (a network of 2.5 billion parameters)",
            "def count_parameters(layer_sizes):\n"
            "    sizes = np.array(layer_sizes, dtype=np.int32)\n"
            "    return int(np.sum(sizes[:-1] * sizes[1:] + sizes[1:]))\n",
            "32 bits",
        ),
    ],
    "xor_weights": [
        (
            "the output unit computes OR of the hidden units (XOR(1, 1) comes out 1)",
            _XOR_HIDDEN + "W2 = np.array([[1.0], [1.0]])\nb2 = np.array([-0.5])\n",
            "unit 1 and not unit 2",
        ),
        (
            "the output unit's weights have the wrong signs",
            _XOR_HIDDEN + "W2 = np.array([[-1.0], [1.0]])\nb2 = np.array([-0.5])\n",
            "unit 1 and not unit 2",
        ),
        (
            "W2 written as a row, shape (1, 2)",
            _XOR_HIDDEN + "W2 = np.array([[1.0, -1.0]])\nb2 = np.array([-0.5])\n",
            "W2 is (hidden units, outputs)",
        ),
        (
            "thresholds exactly at the corners (b1 = [0, -1]): OR fires for (0, 0)",
            "W1 = np.array([[1.0, 1.0], [1.0, 1.0]])\nb1 = np.array([0.0, -1.0])\n"
            "W2 = np.array([[1.0], [-1.0]])\nb2 = np.array([-0.5])\n",
            "on paper",
        ),
        (
            "thresholds right next to the corner sums (no room for noise)",
            "W1 = np.array([[1.0, 1.0], [1.0, 1.0]])\nb1 = np.array([-0.95, -1.95])\n"
            "W2 = np.array([[1.0], [-1.0]])\nb2 = np.array([-0.5])\n",
            "halfway",
        ),
        (
            "each hidden unit's weights written as a row of W1 (W1 transposed)",
            "W1 = np.array([[1.0, 1.0], [-1.0, -1.0]])\nb1 = np.array([-0.5, 1.5])\n"
            "W2 = np.array([[1.0], [1.0]])\nb2 = np.array([-1.5])\n",
            "W1[:, 0] and b1[0] belong to hidden unit 1",
        ),
    ],
    "xavier_uniform": [
        (
            "bound from fan_in only: a = sqrt(6 / fan_in)",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / fan_in)\n"
            "    return rng.uniform(-a, a, size=(fan_in, fan_out))\n",
            "check your a",
        ),
        (
            "uses the variance 2 / (fan_in + fan_out) as the bound",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = 2.0 / (fan_in + fan_out)\n"
            "    return rng.uniform(-a, a, size=(fan_in, fan_out))\n",
            "a²/3",
        ),
        (
            "draws from a normal distribution with the right variance",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))\n",
            "normal distribution has no such limits",
        ),
        (
            "draws from [0, a] instead of [-a, a]",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / (fan_in + fan_out))\n"
            "    return rng.uniform(0.0, a, size=(fan_in, fan_out))\n",
            "not from [0, a]",
        ),
        (
            "PyTorch's layout (fan_out, fan_in)",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / (fan_in + fan_out))\n"
            "    return rng.uniform(-a, a, size=(fan_out, fan_in))\n",
            "transpose",
        ),
        (
            "ignores rng and uses NumPy's global generator",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / (fan_in + fan_out))\n"
            "    return np.random.uniform(-a, a, size=(fan_in, fan_out))\n",
            "global generator",
        ),
        (
            "makes a new generator with a fixed seed inside",
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / (fan_in + fan_out))\n"
            "    return np.random.default_rng(0).uniform(-a, a, size=(fan_in, fan_out))\n",
            "fixed seed",
        ),
    ],
    "he_normal": [
        (
            "divides by fan_out instead of fan_in",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))\n",
            "not by fan_out",
        ),
        (
            "passes the variance 2 / fan_in as the standard deviation",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))\n",
            "standard deviation",
        ),
        (
            "LeCun's variance 1 / fan_in (forgets the factor 2 for ReLU)",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))\n",
            "2 / fan_in",
        ),
        (
            "a uniform distribution with He's variance",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    a = np.sqrt(6.0 / fan_in)\n"
            "    return rng.uniform(-a, a, size=(fan_in, fan_out))\n",
            "1.8 for a uniform",
        ),
        (
            "ignores rng and uses np.random.randn",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)\n",
            "global generator",
        ),
        (
            "PyTorch's layout (fan_out, fan_in)",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))\n",
            "transpose",
        ),
        (
            "makes a new generator with a fixed seed inside",
            "def he_normal(fan_in, fan_out, rng):\n"
            "    return np.random.default_rng(42).normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))\n",
            "fixed seed",
        ),
    ],
    "debug_init_network": [
        (
            "the broken code, unchanged",
            "def init_network(layer_sizes, rng):\n"
            "    params = []\n"
            "    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):\n"
            "        std = np.sqrt(2.0 / fan_out)\n"
            "        W = np.empty((fan_in, fan_out))\n"
            "        w = rng.normal(0.0, std, size=fan_in)\n"
            "        for j in range(fan_out):\n"
            "            W[:, j] = w\n"
            "        params.append((W, np.zeros(fan_out)))\n"
            "    return params\n",
            "own random draw",
        ),
        (
            "moves the draw into the loop but keeps fan_out in the scale",
            "def init_network(layer_sizes, rng):\n"
            "    params = []\n"
            "    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):\n"
            "        W = np.empty((fan_in, fan_out))\n"
            "        for j in range(fan_out):\n"
            "            W[:, j] = rng.normal(0.0, np.sqrt(2.0 / fan_out), size=fan_in)\n"
            "        params.append((W, np.zeros(fan_out)))\n"
            "    return params\n",
            "fan_in is the number of inputs",
        ),
        (
            "fixes the scale but still copies one column to every unit",
            "def init_network(layer_sizes, rng):\n"
            "    params = []\n"
            "    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):\n"
            "        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, 1))\n"
            "        params.append((np.tile(w, (1, fan_out)), np.zeros(fan_out)))\n"
            "    return params\n",
            "own random draw",
        ),
        (
            "starts every weight at zero to be safe",
            "def init_network(layer_sizes, rng):\n"
            "    return [(np.zeros((a, b)), np.zeros(b)) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "own random draw",
        ),
        (
            "Xavier's variance 2 / (fan_in + fan_out) in a ReLU network",
            "def init_network(layer_sizes, rng):\n"
            "    return [(rng.normal(0.0, np.sqrt(2.0 / (a + b)), size=(a, b)), np.zeros(b))\n"
            "            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "2 / fan_in",
        ),
        (
            "weight matrices in PyTorch's layout (fan_out, fan_in)",
            "def init_network(layer_sizes, rng):\n"
            "    return [(rng.normal(0.0, np.sqrt(2.0 / a), size=(b, a)), np.zeros(b))\n"
            "            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "transpose",
        ),
        (
            "random biases as well as random weights",
            "def init_network(layer_sizes, rng):\n"
            "    return [(rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)), rng.normal(0.0, 1.0, size=b))\n"
            "            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "biases start at 0",
        ),
        (
            "uses NumPy's global generator instead of rng",
            "def init_network(layer_sizes, rng):\n"
            "    return [(np.random.randn(a, b) * np.sqrt(2.0 / a), np.zeros(b))\n"
            "            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "from the `rng` argument",
        ),
        (
            "makes its own generator with a fixed seed, so every call gives the same network",
            "def init_network(layer_sizes, rng):\n"
            "    rng = np.random.default_rng(0)\n"
            "    return [(rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)), np.zeros(b))\n"
            "            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]\n",
            "rng` you are given",
        ),
        (
            "draws only the first layer from rng and the others from a generator of its own",
            "def init_network(layer_sizes, rng):\n"
            "    own = np.random.default_rng(1)\n"
            "    params = []\n"
            "    for k, (a, b) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):\n"
            "        source = rng if k == 0 else own\n"
            "        params.append((source.normal(0.0, np.sqrt(2.0 / a), size=(a, b)), np.zeros(b)))\n"
            "    return params\n",
            "rng` you are given",
        ),
    ],
}
