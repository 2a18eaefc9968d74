"""Before anything runs: check a submitted file and rebuild a clean notebook from it.

nbgrader assumes it is given a valid nbformat-4 notebook whose grade cells are all there,
once each, with well-formed metadata; otherwise it stops (and in a batch, later students
are not graded). Here each check either repairs the submission from the source notebook
(and says so in a note) or declares it ungradable with a one-line reason:

  size           empty file, or above the size limit                     -> ungradable
  text           not UTF-8                                               -> ungradable
  JSON           not valid JSON, or not a JSON object                    -> ungradable
  nbformat       3 is converted to 4; anything else                      -> ungradable
  cells          every cell rebuilt from its type and source only; outputs, execution
                 counts, attachments and unknown metadata are dropped; unreadable cells
                 are dropped (noted)
  grade cells    test cells and locked cells replaced by the source's version; missing
                 ones restored after the cell that precedes them in the source; duplicates
                 removed; answer cells keep the learner's code but get the source's
                 metadata back (a newer schema_version, a flipped ``grade`` flag...);
                 a missing answer cell becomes the release stub (no points); grading
                 metadata on cells the source does not know is removed
The result is validated against the nbformat 4 schema.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

import nbformat
from nbformat import v4

ANSWER, TEST, LOCKED = "answer", "test", "locked"


@dataclass
class Repaired:
    nb: nbformat.NotebookNode | None
    reason: str = ""                    # why it is ungradable (nb is None)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    size: int = 0


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    grading = meta.get("nbgrader") if isinstance(meta, dict) else None
    return grading if isinstance(grading, dict) else {}


def role(cell: dict) -> str | None:
    m = _meta(cell)
    if not isinstance(m.get("grade_id"), str):
        return None
    if m.get("solution"):
        return ANSWER
    if m.get("grade"):
        return TEST
    if m.get("locked"):
        return LOCKED
    return None


def structure(source: nbformat.NotebookNode) -> dict[str, tuple[int, str]]:
    """grade_id -> (position in the source, role) for every cell the grader cares about."""
    out: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(source.cells):
        r = role(cell)
        if r is not None and _meta(cell)["grade_id"] not in out:
            out[_meta(cell)["grade_id"]] = (i, r)
    return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


_META_KEYS = ("grade", "solution", "locked", "points", "schema_version", "task", "grade_id")


def _same_meta(a: dict, b: dict) -> bool:
    """Equal in what matters for grading (nbgrader adds a checksum and a cell type on release)."""
    return all(a.get(k) == b.get(k) for k in _META_KEYS)


def _source_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _fresh(cell_type: str, source: str, metadata: dict | None = None) -> nbformat.NotebookNode:
    make = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell, "raw": v4.new_raw_cell}[cell_type]
    cell = make(source=source)
    if metadata:
        cell.metadata.update(copy.deepcopy(metadata))
    return cell


def _clean_copy(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return _fresh(cell.cell_type, cell.source, {"nbgrader": dict(cell.metadata.get("nbgrader", {}))})


def parse(data: bytes, max_bytes: int) -> tuple[dict | None, str, list[str]]:
    """Bytes -> a JSON notebook dict of nbformat 4 (or None and the reason)."""
    notes: list[str] = []
    if len(data) == 0:
        return None, "the file is empty (0 bytes)", notes
    if len(data) > max_bytes:
        return None, f"the file is {_mb(len(data))}, above the {_mb(max_bytes)} limit", notes
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", notes
    text = text.lstrip("\ufeff")
    if not text.strip():
        return None, "the file holds only white space", notes
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", notes
    except RecursionError:
        return None, "the file is not valid JSON (nested too deeply)", notes
    if not isinstance(obj, dict):
        return None, f"the file is JSON but not a notebook (a {type(obj).__name__}, not an object)", notes
    version = obj.get("nbformat")
    if version == 3:
        try:
            node = nbformat.convert(nbformat.from_dict(obj), 4)
            obj = json.loads(json.dumps(node))
        except Exception as exc:
            return None, f"the file is an nbformat 3 notebook that could not be converted to nbformat 4 ({type(exc).__name__})", notes
        notes.append("converted from nbformat 3 to nbformat 4")
    elif version != 4:
        if version is None:
            return None, "the file is JSON but not a Jupyter notebook (no nbformat field)", notes
        return None, f"nbformat {version!r} is not supported (the course's notebooks are nbformat 4)", notes
    if not isinstance(obj.get("cells"), list):
        return None, "the notebook has no list of cells", notes
    return obj, "", notes


def repair(data: bytes, source: nbformat.NotebookNode, release: nbformat.NotebookNode, max_bytes: int) -> Repaired:
    """Turn the submitted bytes into the notebook to grade, repaired from ``source``."""
    out = Repaired(None, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    obj, reason, notes = parse(data, max_bytes)
    out.notes += notes
    if obj is None:
        out.reason = reason
        return out

    known = structure(source)
    source_cells = {_meta(c)["grade_id"]: c for c in source.cells if role(c) is not None}
    release_cells = {_meta(c)["grade_id"]: c for c in release.cells if role(c) is not None}

    cells: list[nbformat.NotebookNode] = []
    placed: dict[str, int] = {}  # grade_id -> index in cells (kept current below)
    dropped = 0
    for number, raw in enumerate(obj["cells"]):
        if not isinstance(raw, dict) or raw.get("cell_type") not in ("code", "markdown", "raw"):
            dropped += 1
            continue
        text = _source_text(raw.get("source", ""))
        if text is None:
            dropped += 1
            continue
        grading = _meta(raw)
        gid = grading.get("grade_id") if isinstance(grading.get("grade_id"), str) else None
        if gid is None or gid not in known:
            if gid is not None or any(grading.get(k) for k in ("grade", "solution", "locked", "task")):
                out.notes.append(f"removed grading metadata from cell {number + 1}"
                                 + (f" (unknown grade id {gid!r})" if gid else ""))
            cells.append(_fresh(raw["cell_type"], text))
            continue
        _, kind = known[gid]
        if gid in placed:
            if kind == ANSWER and _is_stub(cells[placed[gid]], release_cells.get(gid)) and text != release_cells.get(gid, {}).get("source"):
                cells[placed[gid]] = _fresh(source_cells[gid].cell_type, text, {"nbgrader": dict(source_cells[gid].metadata.get("nbgrader", {}))})
                out.notes.append(f"removed a duplicate of answer cell {gid!r} (kept the one with an answer)")
            else:
                out.notes.append(f"removed a duplicate of {'answer' if kind == ANSWER else 'grade'} cell {gid!r}")
            continue
        src_cell = source_cells[gid]
        if kind == ANSWER:
            if raw["cell_type"] != src_cell.cell_type or not _same_meta(grading, dict(src_cell.metadata.get("nbgrader", {}))):
                out.notes.append(f"reset the grading metadata of answer cell {gid!r} from the source")
            cells.append(_fresh(src_cell.cell_type, text, {"nbgrader": dict(src_cell.metadata.get("nbgrader", {}))}))
        else:
            visible = release_cells.get(gid)
            if visible is not None and (text.strip() != visible.source.strip() and text.strip() != src_cell.source.strip()
                                        or not _same_meta(grading, dict(visible.metadata.get("nbgrader", {})))):
                out.notes.append(f"restored {'test' if kind == TEST else 'locked'} cell {gid!r} from the source")
            cells.append(_clean_copy(src_cell))
        placed[gid] = len(cells) - 1
    if dropped:
        out.notes.append(f"dropped {dropped} unreadable cell{'s' if dropped > 1 else ''}")

    # restore what is missing, each right after its predecessor in the source
    order = sorted(known, key=lambda g: known[g][0])
    for n, gid in enumerate(order):
        if gid in placed:
            continue
        kind = known[gid][1]
        if kind == ANSWER:
            stub = release_cells.get(gid) or source_cells[gid]
            new = _fresh(stub.cell_type, stub.source, {"nbgrader": dict(source_cells[gid].metadata.get("nbgrader", {}))})
            out.notes.append(f"answer cell {gid!r} was missing: graded as unanswered")
        else:
            new = _clean_copy(source_cells[gid])
            out.notes.append(f"restored deleted {'test' if kind == TEST else 'locked'} cell {gid!r}")
        before = [g for g in order[:n] if g in placed]
        at = placed[before[-1]] + 1 if before else 0
        cells.insert(at, new)
        for g, i in placed.items():
            if i >= at:
                placed[g] = i + 1
        placed[gid] = at

    nb = v4.new_notebook(cells=cells)
    for key in ("kernelspec", "language_info"):
        if key in source.metadata:
            nb.metadata[key] = copy.deepcopy(source.metadata[key])
    try:
        nbformat.validate(nb)
    except Exception as exc:  # pragma: no cover - built to be valid
        out.reason = f"the notebook could not be repaired into a valid nbformat 4 notebook ({str(exc).splitlines()[0][:200]})"
        return out
    out.nb = nb
    return out


def _is_stub(cell: nbformat.NotebookNode, stub: nbformat.NotebookNode | None) -> bool:
    return stub is not None and cell.source.strip() == stub.source.strip()


def is_unanswered(cell: nbformat.NotebookNode, release: nbformat.NotebookNode) -> bool:
    """True when an answer cell still holds the release stub (nbgrader's "No response.")."""
    gid = _meta(cell).get("grade_id")
    stub = next((c for c in release.cells if _meta(c).get("grade_id") == gid), None)
    return _is_stub(cell, stub)
