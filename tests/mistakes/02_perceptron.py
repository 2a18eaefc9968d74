"""Realistic wrong answers for notebook 02 (the perceptron); each must lose its exercise's points."""

_TRAIN = (
    "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
    "    rng = np.random.default_rng(seed)\n"
    "    w, b = np.zeros(X.shape[1]), 0.0\n"
    "    errors_per_epoch = []\n"
    "    for _ in range(epochs):\n"
    "        mistakes = 0\n"
    "        for i in rng.permutation(len(y)):\n"
    "            if perceptron_predict(X[i:i + 1], w, b)[0] != y[i]:\n"
    "                mistakes += 1\n"
    "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
    "        errors_per_epoch.append(mistakes)\n"
    "        if mistakes == 0:\n"
    "            break\n"
    "    return w, b, errors_per_epoch\n"
)

MISTAKES = {
    "perceptron_predict": [
        (
            "uses > 0, so a score of exactly 0 gets class 0",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w + b > 0).astype(int)\n",
        ),
        (
            "returns booleans instead of 0/1 integers",
            "def perceptron_predict(X, w, b):\n"
            "    return X @ w + b >= 0\n",
        ),
        (
            "forgets the bias",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w >= 0).astype(int)\n",
        ),
        (
            "returns the scores instead of the labels",
            "def perceptron_predict(X, w, b):\n"
            "    return X @ w + b\n",
        ),
        (
            "returns a column (m, 1) instead of a flat array",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w.reshape(-1, 1) + b >= 0).astype(int)\n",
        ),
        (
            "np.sign of the score: -1 for class 0, and floats",
            "def perceptron_predict(X, w, b):\n"
            "    return np.sign(X @ w + b)\n",
        ),
        (
            "w @ X: the factors in the wrong order",
            "def perceptron_predict(X, w, b):\n"
            "    return (w @ X + b >= 0).astype(int)\n",
        ),
        (
            "np.heaviside, which returns floats",
            "def perceptron_predict(X, w, b):\n"
            "    return np.heaviside(X @ w + b, 1)\n",
        ),
    ],
    "perceptron_update": [
        (
            "a perceptron update with the wrong sign (error = y_hat - y)",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    error = y_hat - y\n"
            "    return w + lr * error * x, b + lr * error\n",
        ),
        (
            "changes w in place with +=",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    w += lr * (y - y_hat) * x\n"
            "    b = b + lr * (y - y_hat)\n"
            "    return w, b\n",
        ),
        (
            "never updates the bias",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b\n",
        ),
        (
            "updates on every example by lr*y*x, even when it is already correct",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    return w + lr * y * x, b + lr * y\n",
        ),
        (
            "predicts with > 0, so the rule disagrees with perceptron_predict on the line",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b > 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n",
        ),
        (
            "returns only the new weights",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x\n",
        ),
        (
            "forgets the learning rate",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + (y - y_hat) * x, b + (y - y_hat)\n",
        ),
        (
            "multiplies the bias update by x as well",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat) * x\n",
        ),
        (
            "predicts on a batch of one and keeps the (1,) array as y_hat",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = perceptron_predict(x[None, :], w, b)\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n",
        ),
    ],
    "train_perceptron": [
        (
            "never stops early: runs every epoch even after one with no mistakes",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "    return w, b, errors_per_epoch\n",
        ),
        (
            "never resets the mistake count, so the list is cumulative and training never stops",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    mistakes = 0\n"
            "    for _ in range(epochs):\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n",
        ),
        (
            "keeps only the new w from each update, so the bias stays 0",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w = perceptron_update(X[i], y[i], w, b, lr)[0]\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n",
        ),
        (
            "counts mistakes after the update, with the weights the example did not see",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n",
        ),
        (
            "does a single epoch whatever `epochs` says",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    mistakes = 0\n"
            "    for i in rng.permutation(len(y)):\n"
            "        if int(X[i] @ w + b >= 0) != y[i]:\n"
            "            mistakes += 1\n"
            "        w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "    return w, b, [mistakes]\n",
        ),
        (
            "never shuffles: visits the examples in their stored order",
            _TRAIN.replace("rng.permutation(len(y))", "range(len(y))"),
        ),
        (
            "shuffles with np.random's global generator instead of the seeded one",
            _TRAIN.replace("rng.permutation(len(y))", "np.random.permutation(len(y))"),
        ),
        # Not listed: a new generator from the seed in every epoch (the same order each epoch). The
        # tests could only catch it by pinning the random stream, which would also fail valid seeded
        # shuffles (rng.choice without replacement, say): see the self-consistency rule in docs/authoring.md.
        (
            "starts from random weights instead of zeros",
            _TRAIN.replace("w, b = np.zeros(X.shape[1]), 0.0", "w, b = rng.normal(size=X.shape[1]), 0.0"),
        ),
        (
            "returns the three results in another order",
            _TRAIN.replace("return w, b, errors_per_epoch", "return errors_per_epoch, w, b"),
        ),
    ],
    "adaline_step": [
        (
            "learns from the thresholded 0/1 prediction instead of the linear output",
            "def adaline_step(X, y, w, b, lr):\n"
            "    y_hat = (X @ w + b >= 0.5).astype(float)\n"
            "    error = y - y_hat\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n",
        ),
        (
            "uses the perceptron's prediction (threshold at 0) as the output",
            "def adaline_step(X, y, w, b, lr):\n"
            "    y_hat = (X @ w + b >= 0).astype(float)\n"
            "    error = y - y_hat\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n",
        ),
        (
            "steps up the gradient (wrong sign)",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w - lr * (2 / m) * X.T @ error, b - lr * (2 / m) * error.sum()\n",
        ),
        (
            "drops the factor 2 from the derivative of the square",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (1 / m) * X.T @ error, b + lr * (1 / m) * error.sum()\n",
        ),
        (
            "sums over the examples instead of averaging",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    return w + lr * 2 * X.T @ error, b + lr * 2 * error.sum()\n",
        ),
        (
            "changes w in place with +=",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    w += lr * (2 / m) * X.T @ error\n"
            "    return w, b + lr * (2 / m) * error.sum()\n",
        ),
        (
            "never updates the bias",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b\n",
        ),
        (
            "X @ (y - z) instead of X.T @ (y - z)",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X @ error, b + lr * (2 / m) * error.sum()\n",
        ),
        (
            "the error as z - y with the plus sign of the rule",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = (X @ w + b) - y\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n",
        ),
        (
            "drops the factor 2 in the bias update only",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * np.mean(error)\n",
        ),
    ],
    "debug_signed_update": [
        (
            "fixes only the sign; the bias is still never updated",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w + lr * t * x\n"
            "    return w, b\n",
        ),
        (
            "adds the bias update but keeps the wrong sign",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w - lr * t * x\n"
            "        b = b - lr * t\n"
            "    return w, b\n",
        ),
        (
            "tests for a mistake with < 0, so weights that start at zero never move",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) < 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n",
        ),
        (
            "updates on every example, mistake or not",
            "def signed_update(x, t, w, b, lr):\n"
            "    return w + lr * t * x, b + lr * t\n",
        ),
        (
            "fixes both bugs but updates w in place with +=",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w += lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n",
        ),
        (
            "drops the brackets: t * x @ w + b tests the wrong quantity",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * x @ w + b <= 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n",
        ),
        (
            "updates the bias by lr whatever the label",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr\n"
            "    return w, b\n",
        ),
    ],
}
