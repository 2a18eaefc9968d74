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
            "running statistics",
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
            "(1 - momentum) * old",
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
            "only reads the running statistics",
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
            "add beta",
        ),
        (
            "ignores the momentum argument (always 0.1)",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = 0.9 * state["mean"] + 0.1 * mean
        state["var"] = 0.9 * state["var"] + 0.1 * var * m / (m - 1)
''' + _BN_EVAL,
            "momentum argument",
        ),
        (
            "ignores the eps argument (always 1e-5)",
            _BN_HEAD + '''    X = np.asarray(X, dtype=float)
    if training:
        m = X.shape[0]
        mean, var = X.mean(axis=0), X.var(axis=0)
        state["mean"] = (1 - momentum) * state["mean"] + momentum * mean
        state["var"] = (1 - momentum) * state["var"] + momentum * var * m / (m - 1)
    else:
        mean, var = state["mean"], state["var"]
    return gamma * (X - mean) / np.sqrt(var + 1e-5) + beta
''',
            "eps argument",
        ),
        (
            "hands the exercise to torch.nn.functional.batch_norm",
            _BN_HEAD + '''    t = torch.as_tensor(np.asarray(X, dtype=float))
    mean, var = torch.as_tensor(state["mean"]).clone(), torch.as_tensor(state["var"]).clone()
    y = torch.nn.functional.batch_norm(t, mean, var, torch.as_tensor(gamma), torch.as_tensor(beta), training,
                                       momentum, eps)
    state["mean"], state["var"] = mean.numpy(), var.numpy()
    return y.numpy()
''',
            "this exercise is written in NumPy",
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
            "last ReLU on the sum",
        ),
        (
            "adds the skip after the last ReLU",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return X + np.maximum(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, 0.0)\n",
            "last ReLU on the sum",
        ),
        (
            "no ReLU inside the branch",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    return np.maximum(X + (X @ W1 + b1) @ W2 + b2, 0.0)\n",
            "ReLU inside the branch",
        ),
        (
            "adds the input in place, changing X",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    X += np.maximum(X @ W1 + b1, 0.0) @ W2 + b2\n"
            "    return np.maximum(X, 0.0)\n",
            "in place",
        ),
        (
            "writes the NumPy block with torch operations",
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    t = [torch.as_tensor(a) for a in (X, W1, b1, W2, b2)]\n"
            "    hidden = torch.relu(t[0] @ t[1] + t[2])\n"
            "    return torch.relu(t[0] + hidden @ t[3] + t[4]).numpy()\n",
            "this exercise is written in NumPy",
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
            "before the sum",
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
            "self.linear1 = nn.Linear",
        ),
        (
            "defaults to no batch norm (normalised=False)",
            '''class ResidualBlock(nn.Module):
    def __init__(self, width, normalised=False):
        super().__init__()
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)
        self.norm1 = nn.BatchNorm1d(width) if normalised else nn.Identity()
        self.norm2 = nn.BatchNorm1d(width) if normalised else nn.Identity()

    def forward(self, x):
        return torch.relu(x + self.norm2(self.linear2(torch.relu(self.norm1(self.linear1(x))))))
''',
            "default to True",
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
            "torch's own normalisation layers",
        ),
        (
            "calls torch.nn.functional.batch_norm",
            _LAYER_INIT + '''    def forward(self, x):
        return torch.nn.functional.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                              self.training, self.momentum, self.eps)
''',
            "ran torch's own batch_norm",
        ),
        (
            "calls batch_norm imported under another name",
            "from torch.nn.functional import batch_norm as normalise\n\n\n" + _LAYER_INIT + '''    def forward(self, x):
        return normalise(x, self.running_mean, self.running_var, self.weight, self.bias, self.training,
                         self.momentum, self.eps)
''',
            "ran torch's own batch_norm",
        ),
        (
            "keeps the running statistics by hand and normalises with layer_norm on the transpose",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(dim=0))
            x_hat = torch.nn.functional.layer_norm(x.T, (m,), eps=self.eps).T
        else:
            x_hat = (x - self.running_mean) / torch.sqrt(self.running_var + self.eps)
        return self.weight * x_hat + self.bias
''',
            "ran torch's own layer_norm",
        ),
        (
            "normalises with instance_norm (one instance, the features as channels)",
            _LAYER_INIT + '''    def forward(self, x):
        return torch.nn.functional.instance_norm(x.T[None], self.running_mean, self.running_var, self.weight,
                                                 self.bias, self.training, self.momentum, self.eps)[0].T
''',
            "ran torch's own instance_norm",
        ),
        (
            "centres by hand and scales with rms_norm on the transpose",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean = x.mean(dim=0)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(dim=0))
            x_hat = torch.nn.functional.rms_norm((x - mean).T, (m,), eps=self.eps).T
        else:
            x_hat = (x - self.running_mean) / torch.sqrt(self.running_var + self.eps)
        return self.weight * x_hat + self.bias
''',
            "ran torch's own rms_norm",
        ),
        (
            "divides by the norm of the centred columns (F.normalize)",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean = x.mean(dim=0)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(dim=0))
            x_hat = torch.nn.functional.normalize(x - mean, dim=0) * m ** 0.5
        else:
            x_hat = (x - self.running_mean) / torch.sqrt(self.running_var + self.eps)
        return self.weight * x_hat + self.bias
''',
            "ran torch's own normalize",
        ),
        (
            "holds an nn.LayerNorm and applies it to the transpose",
            '''class BatchNormLayer(nn.Module):
    def __init__(self, width, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_var", torch.ones(width))
        self.scale = nn.LayerNorm(8, elementwise_affine=False)

    def forward(self, x):
        return self.weight * self.scale(x.T).T + self.bias
''',
            "torch's own normalisation layers",
        ),
        (
            "ignores the eps given to __init__ (always 1e-5)",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean) / torch.sqrt(var + 1e-5)
        return self.weight * x_hat + self.bias
''',
            "self.eps",
        ),
        (
            "ignores the momentum given to __init__ (always 0.1)",
            _LAYER_INIT + '''    def forward(self, x):
        if self.training:
            m = x.shape[0]
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(0.9).add_(0.1 * mean)
                self.running_var.mul_(0.9).add_(0.1 * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
''' + _LAYER_TAIL,
            "momentum given to __init__",
        ),
    ],
}
