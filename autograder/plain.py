"""Values as plain JSON: what a grading kernel exports and what the trusted side accepts.

The learner's kernel turns each checked value into JSON made of dicts, lists, strings,
numbers and booleans (never pickle); the trusted side rebuilds it with :func:`decode`,
which accepts only the shapes written here and raises :class:`DecodeError` on anything
else. So whatever object a learner's function returns (one whose ``==`` is always true,
an ``__array_function__`` duck array, an ndarray subclass with its own ``tolist``), what
reaches the verdict is plain NumPy data of a whitelisted dtype, or a marker that says
"not data".

Forms (``t`` is the tag):
  ``{"t": "none"}`` · ``{"t": "bool", "v": true}`` · ``{"t": "int", "v": 3}`` (or a decimal
  string when huge) · ``{"t": "float", "v": 0.5}`` (``"nan"``, ``"inf"``, ``"-inf"`` spelled
  out) · ``{"t": "complex", "v": [re, im]}`` · ``{"t": "str", "v": "..."}`` ·
  ``{"t": "np", "dtype": "<f8", "v": ...}`` (a NumPy scalar) ·
  ``{"t": "nd", "dtype": "<f8", "shape": [2, 3], "data": [...]}`` (flat, C order) ·
  ``{"t": "list" | "tuple", "items": [...]}`` · ``{"t": "dict", "items": [[key, value], ...]}`` ·
  ``{"t": "opaque", "type": "module.Class"}`` (anything that is not data).
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

#: Most numbers one exported value may hold, and how deep containers may nest.
MAX_ITEMS = 2_000_000
MAX_DEPTH = 32
MAX_STR = 20_000

_DTYPES = {"|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"}
_UNICODE = re.compile(r"^<U([1-9][0-9]{0,3})$")
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class DecodeError(ValueError):
    """An export that is not in the plain form above (forged, truncated or hostile)."""


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def take(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _dtype_name(dtype: np.dtype) -> str | None:
    if dtype.kind in "biufc" and dtype.byteorder == ">":
        return None
    name = dtype.str.replace("=", "<")
    if name in _DTYPES or _UNICODE.match(name):
        return name
    return None


def _encode_array(arr: np.ndarray, budget: _Budget, via: str | None = None) -> dict:
    if arr.dtype.kind in "biufc" and arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    name = _dtype_name(arr.dtype)
    if name is None:
        return {"t": "opaque", "type": f"numpy.ndarray[{arr.dtype.str}]"}
    if not budget.take(int(arr.size)):
        return {"t": "opaque", "type": "too-large"}
    flat = arr.ravel().tolist()
    kind = arr.dtype.kind
    if kind == "f":
        flat = [_float(v) for v in flat]
    elif kind == "c":
        flat = [[_float(v.real), _float(v.imag)] for v in flat]
    elif kind == "U":
        flat = [v[:MAX_STR] for v in flat]
    out = {"t": "nd", "dtype": name, "shape": [int(n) for n in arr.shape], "data": flat}
    if via:
        out["via"] = via[:200]
    return out


def encode(value: Any, _budget: _Budget | None = None, _depth: int = 0) -> dict:
    """Plain JSON for ``value``; never raises for ordinary objects, never pickles."""
    budget = _budget or _Budget(MAX_ITEMS)
    if _depth > MAX_DEPTH:
        return {"t": "opaque", "type": "too-deep"}
    if value is None:
        return {"t": "none"}
    # exact built-in types first: a subclass of int/float/str could override anything
    kind = type(value)
    if kind is bool:
        return {"t": "bool", "v": value}
    if kind is int:
        return {"t": "int", "v": value if abs(value) < 2**53 else str(value)}
    if kind is float:
        return {"t": "float", "v": _float(value)}
    if kind is complex:
        return {"t": "complex", "v": [_float(value.real), _float(value.imag)]}
    if kind is str:
        return {"t": "str", "v": value[:MAX_STR]}
    if isinstance(value, np.generic):
        arr = np.asarray(value)
        name = _dtype_name(arr.dtype)
        if name is None:
            return {"t": "opaque", "type": f"numpy.{type(value).__name__}"}
        item = _encode_array(arr.reshape(1), budget)
        return {"t": "np", "dtype": name, "v": item["data"][0]}
    if isinstance(value, np.ndarray):
        # np.asarray drops any ndarray subclass without calling its overrides
        return _encode_array(np.asarray(value), budget)
    if isinstance(value, (list, tuple)):
        tag = "tuple" if isinstance(value, tuple) else "list"
        if not budget.take(len(value)):
            return {"t": "opaque", "type": "too-large"}
        return {"t": tag, "items": [encode(v, budget, _depth + 1) for v in list(value)]}
    if isinstance(value, dict):
        if not budget.take(len(value)):
            return {"t": "opaque", "type": "too-large"}
        items = []
        for k, v in list(dict.items(value)):
            if type(k) not in (str, int):
                return {"t": "opaque", "type": "dict with non-string keys"}
            items.append([encode(k, budget, _depth + 1), encode(v, budget, _depth + 1)])
        return {"t": "dict", "items": items}
    type_name = f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"[:200]
    # other array-likes (a torch tensor, a number subclass): what np.asarray makes of them
    if isinstance(value, (int, float, complex)) or hasattr(kind, "__array__"):
        try:
            arr = np.asarray(value)
        except Exception:
            return {"t": "opaque", "type": type_name}
        if type(arr) is np.ndarray and arr.dtype.kind in "biufc":
            return _encode_array(arr, budget, via=type_name)
    return {"t": "opaque", "type": type_name}


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise DecodeError(what)


def _scalar(kind: str, v: Any) -> Any:
    if kind == "b":
        _need(type(v) is bool, "boolean entry expected")
        return v
    if kind in "iu":
        _need(type(v) is int, "integer entry expected")
        return v
    if kind == "f":
        if type(v) is str:
            _need(v in _SPECIAL, "unknown float spelling")
            return _SPECIAL[v]
        _need(type(v) in (int, float), "float entry expected")
        return float(v)
    if kind == "c":
        _need(type(v) is list and len(v) == 2, "complex entry expected")
        return complex(_scalar("f", v[0]), _scalar("f", v[1]))
    if kind == "U":
        _need(type(v) is str and len(v) <= MAX_STR, "string entry expected")
        return v
    raise DecodeError("unknown kind")


def _dtype(name: Any) -> np.dtype:
    _need(type(name) is str and (name in _DTYPES or bool(_UNICODE.match(name))), f"dtype {name!r} not allowed")
    return np.dtype(name)


def decode(obj: Any, _budget: _Budget | None = None, _depth: int = 0) -> Any:
    """Rebuild a value exported by :func:`encode`; raise :class:`DecodeError` on anything else."""
    budget = _budget or _Budget(MAX_ITEMS)
    _need(_depth <= MAX_DEPTH, "nested too deeply")
    _need(type(obj) is dict and type(obj.get("t")) is str, "not an exported value")
    tag = obj["t"]
    if tag == "none":
        return None
    if tag == "bool":
        return _scalar("b", obj.get("v"))
    if tag == "int":
        v = obj.get("v")
        if type(v) is str:
            _need(re.fullmatch(r"-?[0-9]{1,400}", v) is not None, "bad integer")
            return int(v)
        return _scalar("i", v)
    if tag == "float":
        return _scalar("f", obj.get("v"))
    if tag == "complex":
        return _scalar("c", obj.get("v"))
    if tag == "str":
        return _scalar("U", obj.get("v"))
    if tag == "np":
        dtype = _dtype(obj.get("dtype"))
        return dtype.type(_scalar(dtype.kind, obj.get("v")))
    if tag == "nd":
        dtype = _dtype(obj.get("dtype"))
        shape, data = obj.get("shape"), obj.get("data")
        _need(type(shape) is list and len(shape) <= 32 and all(type(n) is int and n >= 0 for n in shape), "bad shape")
        _need(type(data) is list, "bad data")
        size = 1
        for n in shape:
            size *= n
        _need(size == len(data), "shape and data disagree")
        _need(budget.take(size), "too many numbers")
        values = [_scalar(dtype.kind, v) for v in data]
        return np.array(values, dtype=dtype).reshape(shape)
    if tag in ("list", "tuple"):
        items = obj.get("items")
        _need(type(items) is list, "bad items")
        _need(budget.take(len(items)), "too many items")
        out = [decode(v, budget, _depth + 1) for v in items]
        return tuple(out) if tag == "tuple" else out
    if tag == "dict":
        items = obj.get("items")
        _need(type(items) is list, "bad items")
        _need(budget.take(len(items)), "too many items")
        out = {}
        for pair in items:
            _need(type(pair) is list and len(pair) == 2, "bad dict item")
            key = decode(pair[0], budget, _depth + 1)
            _need(type(key) in (str, int), "bad dict key")
            out[key] = decode(pair[1], budget, _depth + 1)
        return out
    if tag == "opaque":
        raise DecodeError(f"not plain data (a {str(obj.get('type', '?'))[:80]})")
    raise DecodeError(f"unknown tag {tag[:20]!r}")


def describe(obj: Any) -> str:
    """A short name for an exported value's type, for messages ("a str", "an object of type Foo")."""
    if type(obj) is not dict:
        return "something unreadable"
    tag = obj.get("t")
    if tag == "opaque":
        return f"an object of type {str(obj.get('type', '?'))[:80]}"
    return {"none": "None", "bool": "a bool", "int": "an int", "float": "a float", "str": "a str",
            "complex": "a complex number", "np": "a NumPy scalar", "nd": "an array", "list": "a list",
            "tuple": "a tuple", "dict": "a dict"}.get(tag, "something unreadable")
