"""Realistic wrong answers for notebook 11 (convolutional networks).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message (the third element, where given, is a word
the message must contain).
"""

_SIZE = "def conv_output_size(size, kernel, stride=1, padding=0):\n"

_LOOPS_HEAD = '''def conv2d_loops(x, w, b, stride=1, padding=0):
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(np.asarray(x, dtype=float), ((0, 0), (padding, padding), (padding, padding)))
    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    y = np.zeros((c_out, out_h, out_w))
'''

_FAST_HEAD = '''def conv2d_fast(x, w, b, stride=1, padding=0):
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(np.asarray(x, dtype=float), ((0, 0), (padding, padding), (padding, padding)))
'''

_POOL = "def max_pool2d(x, size=2, stride=2):\n"

_COLS_HEAD = '''def im2col(x, kernel_h, kernel_w, stride=1):
    channels, height, width = x.shape
    out_h = (height - kernel_h) // stride + 1
    out_w = (width - kernel_w) // stride + 1
    rows = []
    for i in range(out_h):
        for j in range(out_w):
'''

MISTAKES = {
    "conv_output_size": [
        ("forgets the +1", _SIZE + "    return (size + 2 * padding - kernel) // stride\n", "+1"),
        ("rounds up (ceil) instead of down",
         _SIZE + "    import math\n    return math.ceil((size + 2 * padding - kernel) / stride) + 1\n", "floor"),
        ("pads only one side (padding instead of 2 * padding)",
         _SIZE + "    return (size + padding - kernel) // stride + 1\n", "both sides"),
        ("returns a float (true division, then floor)",
         _SIZE + "    import math\n    return float(math.floor((size + 2 * padding - kernel) / stride) + 1)\n", "int"),
    ],
    "conv2d_loops": [
        ("flips the kernel (a true convolution, not the libraries' cross-correlation)",
         _LOOPS_HEAD + '''    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[o, i, j] = np.sum(window * w[o, :, ::-1, ::-1]) + b[o]
    return y
''', "flip"),
        ("forgets the stride in the window (rows i:i+k instead of i*s:i*s+k)",
         _LOOPS_HEAD + '''    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, i:i + kh, j:j + kw]
                y[o, i, j] = np.sum(window * w[o]) + b[o]
    return y
''', "stride"),
        ("forgets the bias",
         _LOOPS_HEAD + '''    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[o, i, j] = np.sum(window * w[o])
    return y
''', "add the bias"),
        ("uses only the first input channel",
         _LOOPS_HEAD + '''    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[0, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[o, i, j] = np.sum(window * w[o, 0]) + b[o]
    return y
''', "ALL input channels"),
        ("uses padding=1 (same-size output) as the default",
         '''def conv2d_loops(x, w, b, stride=1, padding=1):
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(np.asarray(x, dtype=float), ((0, 0), (padding, padding), (padding, padding)))
    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    y = np.zeros((c_out, out_h, out_w))
    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[o, i, j] = np.sum(window * w[o]) + b[o]
    return y
''', "defaults of the signature"),
        ("ignores the padding",
         '''def conv2d_loops(x, w, b, stride=1, padding=0):
    c_out, c_in, kh, kw = w.shape
    xp = np.asarray(x, dtype=float)
    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    y = np.zeros((c_out, out_h, out_w))
    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[o, i, j] = np.sum(window * w[o]) + b[o]
    return y
''', "2*padding"),
    ],
    "conv2d_fast": [
        ("hands the work to torch.nn.functional.conv2d",
         "import torch\nimport torch.nn.functional as F\n\n\n"
         "def conv2d_fast(x, w, b, stride=1, padding=0):\n"
         "    out = F.conv2d(torch.from_numpy(np.asarray(x, dtype=float))[None], torch.from_numpy(np.asarray(w, dtype=float)),\n"
         "                   torch.from_numpy(np.asarray(b, dtype=float)), stride=stride, padding=padding)\n"
         "    return out[0].numpy()\n",
         "used PyTorch"),
        ("hands the work to conv2d_loops instead of vectorising",
         "def conv2d_fast(x, w, b, stride=1, padding=0):\n    return conv2d_loops(x, w, b, stride, padding)\n",
         "loops over them"),
        ("flattens the windows as (row, column, channel) while the filters are (channel, row, column)",
         _FAST_HEAD + '''    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    out_h, out_w = windows.shape[1], windows.shape[2]
    patches = windows.transpose(1, 2, 3, 4, 0).reshape(out_h * out_w, -1)
    return (patches @ w.reshape(c_out, -1).T + b).T.reshape(c_out, out_h, out_w)
''', "(channel, row, column)"),
        ("forgets the stride: keeps the first windows of the stride-1 view",
         _FAST_HEAD + '''    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    windows = windows[:, :out_h, :out_w]
    patches = windows.transpose(1, 2, 0, 3, 4).reshape(out_h * out_w, -1)
    return (patches @ w.reshape(c_out, -1).T + b).T.reshape(c_out, out_h, out_w)
''', "stride"),
        ("reshapes the product without transposing it (maps come out scrambled)",
         _FAST_HEAD + '''    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    out_h, out_w = windows.shape[1], windows.shape[2]
    patches = windows.transpose(1, 2, 0, 3, 4).reshape(out_h * out_w, -1)
    return (patches @ w.reshape(c_out, -1).T + b).reshape(c_out, out_h, out_w)
''', "transpose the (positions, filters) product"),
        ("pads only the bottom and right",
         '''def conv2d_fast(x, w, b, stride=1, padding=0):
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(np.asarray(x, dtype=float), ((0, 0), (0, 2 * padding), (0, 2 * padding)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    out_h, out_w = windows.shape[1], windows.shape[2]
    patches = windows.transpose(1, 2, 0, 3, 4).reshape(out_h * out_w, -1)
    return (patches @ w.reshape(c_out, -1).T + b).T.reshape(c_out, out_h, out_w)
''', "all four sides"),
        ("loops over the output positions to build the patch matrix (a list comprehension)",
         _FAST_HEAD + '''    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    patches = np.array([xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw].ravel()
                        for i in range(out_h) for j in range(out_w)])
    return (patches @ w.reshape(c_out, -1).T + b).T.reshape(c_out, out_h, out_w)
''', "loops over them"),
        ("loops over the output rows, vectorised along each row",
         _FAST_HEAD + '''    out_h = (xp.shape[1] - kh) // stride + 1
    out_w = (xp.shape[2] - kw) // stride + 1
    y = np.empty((c_out, out_h, out_w))
    for i in range(out_h):
        band = np.lib.stride_tricks.sliding_window_view(xp[:, i * stride:i * stride + kh], (kh, kw), axis=(1, 2))
        y[:, i] = np.einsum("cjuv,ocuv->oj", band[:, 0, ::stride], w) + b[:, None]
    return y
''', "loops over them"),
    ],
    "max_pool2d": [
        ("averages instead of taking the maximum",
         _POOL + '''    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))
    return windows[:, ::stride, ::stride].mean(axis=(3, 4))
''', "largest value"),
        ("starts every window's maximum at 0 (wrong for negative maps)",
         _POOL + '''    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))
    return np.maximum(windows[:, ::stride, ::stride].max(axis=(3, 4)), 0.0)
''', "np.max"),
        ("ignores the stride (moves every window by size)",
         _POOL + '''    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))
    return windows[:, ::size, ::size].max(axis=(3, 4))
''', "(H - size) // stride + 1"),
        ("keeps the leftover rows and columns as partial windows (ceil)",
         _POOL + '''    c, h, w = x.shape
    out_h, out_w = -(-(h - size) // stride) + 1, -(-(w - size) // stride) + 1
    y = np.empty((c, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            y[:, i, j] = x[:, i * stride:i * stride + size, j * stride:j * stride + size].max(axis=(1, 2))
    return y
''', "dropped"),
        ("moves the windows by 1 unless told otherwise (default stride=1)",
         "def max_pool2d(x, size=2, stride=1):\n"
         "    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))\n"
         "    return windows[:, ::stride, ::stride].max(axis=(3, 4))\n", "defaults of the signature"),
        ("takes the maximum over the channels too",
         _POOL + '''    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(1, 2))
    pooled = windows[:, ::stride, ::stride].max(axis=(3, 4))
    return np.broadcast_to(pooled.max(axis=0), pooled.shape).copy()
''', "every channel on its own"),
    ],
    "debug_im2col": [
        ("the colleague's code unchanged (no stride, wrong flattening order)",
         _COLS_HEAD + '''            window = x[:, i:i + kernel_h, j:j + kernel_w]
            rows.append(window.transpose(1, 2, 0).ravel())
    return np.array(rows)
''', "(channel, row, column)"),
        ("fixes the flattening order but still ignores the stride",
         _COLS_HEAD + '''            window = x[:, i:i + kernel_h, j:j + kernel_w]
            rows.append(window.ravel())
    return np.array(rows)
''', "stride*i"),
        ("fixes the stride but still flattens as (row, column, channel)",
         _COLS_HEAD + '''            window = x[:, i * stride:i * stride + kernel_h, j * stride:j * stride + kernel_w]
            rows.append(window.transpose(1, 2, 0).ravel())
    return np.array(rows)
''', "no transpose before it"),
        ("one column per output position (the transpose of the patch matrix)",
         _COLS_HEAD + '''            window = x[:, i * stride:i * stride + kernel_h, j * stride:j * stride + kernel_w]
            rows.append(window.ravel())
    return np.array(rows).T
''', "one row per output position"),
    ],
}
