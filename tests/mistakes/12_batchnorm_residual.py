"""Realistic wrong answers for notebook 12 (batch norm and residual connections).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message (the third element: words the message must contain).
"""

_BN_HEAD = "def batchnorm_forward(X, gamma, beta, state, training, momentum=0.1, eps=1e-5):\n"

_BN_EVAL = '''    else:
        mean, var = state["mean"], state["var"]
    return gamma * (X - mean) / np.sqrt(var + eps) + beta
'''

_BLOCK_INIT = '''class ResidualBlock(nn.Module):
    def __init__(self, width, normalised=True):
        super().__init__()
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)
        self.norm1 = nn.BatchNorm1d(width) if normalised else nn.Identity()
        self.norm2 = nn.BatchNorm1d(width) if normalised else nn.Identity()

'''

_LAYER_INIT = '''class BatchNormLayer(nn.Module):
    def __init__(self, width, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_var", torch.ones(width))

'''

_LAYER_TAIL = '''        x_hat = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight * x_hat + self.bias
'''

MISTAKES = {
    "batchnorm_forward": [
        (
            "normalises each example over its features (axis=1) instead of each feature over the batch",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean = X.mean(axis=1, keepdims=True)
        var = X.var(axis=1, keepdims=True)
        state["mean"] = (1 - momentum) * state["mean"] + momentum * X.mean(axis=0)
        state["var"] = (1 - momentum) * state["var"] + momentum * X.var(axis=0, ddof=1)
''' + _BN_EVAL,
            "axis=0",
        ),
        (
            "uses the batch statistics in evaluation mode too",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    mean, var = X.mean(axis=0), X.var(axis=0)
    if training:
        state["mean"] = (1 - momentum) * state["mean"] + momentum * mean
        state["var"] = (1 - momentum) * state["var"] + momentum * var * m / (m - 1)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta
''',
        ),
        (
            "feeds the running variance the biased batch variance",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = (1 - momentum) * state["mean"] + momentum * mean
        state["var"] = (1 - momentum) * state["var"] + momentum * var
''' + _BN_EVAL,
            "unbiased",
        ),
        (
            "puts eps outside the square root",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = (1 - momentum) * state["mean"] + momentum * mean
        state["var"] = (1 - momentum) * state["var"] + momentum * var * m / (m - 1)
    else:
        mean, var = state["mean"], state["var"]
    return gamma * (X - mean) / (np.sqrt(var) + eps) + beta
''',
            "inside the square root",
        ),
        (
            "gives the old running value the weight momentum (the Keras convention)",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = momentum * state["mean"] + (1 - momentum) * mean
        state["var"] = momentum * state["var"] + (1 - momentum) * var * m / (m - 1)
''' + _BN_EVAL,
        ),
        (
            "updates the running statistics in evaluation mode too",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    batch_mean, batch_var = X.mean(axis=0), X.var(axis=0)
    if training:
        mean, var = batch_mean, batch_var
    else:
        mean, var = state["mean"], state["var"]
    state["mean"] = (1 - momentum) * state["mean"] + momentum * batch_mean
    state["var"] = (1 - momentum) * state["var"] + momentum * batch_var * m / max(m - 1, 1)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta
''',
        ),
        (
            "rebinds the name state to a new dict, so the caller's dict never changes",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state = {"mean": (1 - momentum) * state["mean"] + momentum * mean,
                 "var": (1 - momentum) * state["var"] + momentum * var * m / (m - 1)}
''' + _BN_EVAL,
            "the dict you were given",
        ),
        (
            "forgets beta",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = (1 - momentum) * state["mean"] + momentum * mean
        state["var"] = (1 - momentum) * state["var"] + momentum * var * m / (m - 1)
    else:
        mean, var = state["mean"], state["var"]
    return gamma * (X - mean) / np.sqrt(var + eps)
''',
        ),
    ],
    "residual_block_forward": [
        (
            "forgets the skip connection",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return np.maximum(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, 0.0)\n",
            "skip",
        ),
        (
            "no ReLU after the sum",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return X + np.maximum(X @ W1 + b1, 0.0) @ W2 + b2\n",
        ),
        (
            "adds the skip after the last ReLU",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return X + np.maximum(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, 0.0)\n",
        ),
        (
            "no ReLU inside the branch",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return np.maximum(X + (X @ W1 + b1) @ W2 + b2, 0.0)\n",
        ),
        (
            "adds the input in place, changing X",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    X += np.maximum(X @ W1 + b1, 0.0) @ W2 + b2\n"
            "    return np.maximum(X, 0.0)\n",
        ),
    ],
    "residual_block": [
        (
            "forgets the skip connection",
            _BLOCK_INIT + '''    def forward(self, x):
        return torch.relu(self.norm2(self.linear2(torch.relu(self.norm1(self.linear1(x))))))
''',
            "skip",
        ),
        (
            "puts the second batch norm after the sum",
            _BLOCK_INIT + '''    def forward(self, x):
        return torch.relu(self.norm2(x + self.linear2(torch.relu(self.norm1(self.linear1(x))))))
''',
        ),
        (
            "always uses batch norm, whatever normalised says",
            '''class ResidualBlock(nn.Module):
    def __init__(self, width, normalised=True):
        super().__init__()
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)
        self.norm1 = nn.BatchNorm1d(width)
        self.norm2 = nn.BatchNorm1d(width)

    def forward(self, x):
        return torch.relu(x + self.norm2(self.linear2(torch.relu(self.norm1(self.linear1(x))))))
''',
            "nn.Identity",
        ),
        (
            "shares one batch-norm layer between the two places",
            '''class ResidualBlock(nn.Module):
    def __init__(self, width, normalised=True):
        super().__init__()
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)
        self.norm1 = nn.BatchNorm1d(width) if normalised else nn.Identity()
        self.norm2 = self.norm1

    def forward(self, x):
        return torch.relu(x + self.norm2(self.linear2(torch.relu(self.norm1(self.linear1(x))))))
''',
            "same layer",
        ),
        (
            "keeps the layers in a plain list, so the module does not see their parameters",
            '''class ResidualBlock(nn.Module):
    def __init__(self, width, normalised=True):
        super().__init__()
        norm = (lambda: nn.BatchNorm1d(width)) if normalised else nn.Identity
        self.layers = [nn.Linear(width, width), norm(), nn.Linear(width, width), norm()]
        self.linear1, self.norm1, self.linear2, self.norm2 = None, None, None, None

    def forward(self, x):
        l1, n1, l2, n2 = self.layers
        return torch.relu(x + n2(l2(torch.relu(n1(l1(x))))))
''',
        ),
    ],
    "debug_batchnorm_layer": [
        (
            "still uses the batch statistics in evaluation mode",
            _LAYER_INIT + '''    def forward(self, x):
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        if self.training:
            m = x.shape[0]
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
''' + _LAYER_TAIL,
            "running",
        ),
        (
            "keeps the momentum the wrong way round",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.running_var.mul_(self.momentum).add_((1 - self.momentum) * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
''' + _LAYER_TAIL,
            "weight of the NEW batch",
        ),
        (
            "keeps the running statistics as plain attributes, not buffers",
            '''class BatchNormLayer(nn.Module):
    def __init__(self, width, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.running_mean = torch.zeros(width)
        self.running_var = torch.ones(width)

    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)
        else:
            mean, var = self.running_mean, self.running_var
''' + _LAYER_TAIL,
            "register_buffer",
        ),
        (
            "updates the running statistics without torch.no_grad, so autograd tracks them",
            '''class BatchNormLayer(nn.Module):
    def __init__(self, width, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_var", torch.ones(width))

    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)
        else:
            mean, var = self.running_mean, self.running_var
''' + _LAYER_TAIL,
            "no_grad",
        ),
        (
            "hands the work to torch's own nn.BatchNorm1d",
            '''class BatchNormLayer(nn.BatchNorm1d):
    def __init__(self, width, momentum=0.1, eps=1e-5):
        super().__init__(width, eps=eps, momentum=momentum)
''',
            "torch's own batch-norm layer",
        ),
        (
            "calls torch.nn.functional.batch_norm",
            _LAYER_INIT + '''    def forward(self, x):
        return torch.nn.functional.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                              self.training, self.momentum, self.eps)
''',
        ),
    ],
}
