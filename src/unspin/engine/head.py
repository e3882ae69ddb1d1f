"""The LM's output head in numpy: logits only for the rows and tokens a score needs.

llama.cpp multiplies every output position's final hidden state by the whole output matrix
(262,144 x 640 for Gemma 3) and the caller then takes a log-sum-exp over all of it; for a
270M model that is most of the work. :class:`OutputHead` holds the output matrix read from the
GGUF file (Gemma 3 ties it to the token embeddings) and computes

* the logit of any requested (row, token) pair: one dot product;
* the normaliser of a row over a **sub-vocabulary**: the tokens, among the first
  ``SUB_VOCAB_MAX_ID`` ids, whose text is English-script (ASCII, whitespace, Latin-1 letters,
  typographic punctuation), every English-script single character, the end-of-text token,
  and any token requested in that row.
  Tokens outside it (other scripts, rare pieces) carry almost no probability after English
  text; the measured error of the log-probabilities is in ``BENCHMARKS.md``;
* the top-k next tokens of a row over the sub-vocabulary.

To match llama.cpp's own numbers, the hidden state is rounded the way llama.cpp's CPU matmul
rounds activations for the weights' type (Q8_0 blocks of 32 for a Q8_0 matrix) before the
product. Any final logit soft-capping in the GGUF metadata is applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ModelError

SUB_VOCAB_MAX_ID = 65536  # sub-vocabulary: English-script tokens among the first ids
ROW_CHUNK = 256  # rows per normaliser matmul (bounds the temporary to 256 x |sub| floats, 48 MB)
_QK8_0 = 32
_EXTRA_CHARS = frozenset("\n\t\r\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2022\u2026\u2032\u2033")


def _english_script(piece: str) -> bool:
    if not piece:
        return False
    for ch in piece:
        o = ord(ch)
        if 32 <= o < 127 or 0xC0 <= o <= 0xFF or ch in _EXTRA_CHARS or ch == "\u2581":
            continue
        return False
    return True


class OutputHead:
    """The output matrix of a GGUF model with sub-vocabulary normalisation.

    ``rows_full`` logits are never formed: rows of the matrix are dequantised to float32 once
    for the sub-vocabulary and on demand (cached) for any other token.
    """

    def __init__(self, path: Path, n_vocab: int, eos: int, max_id: int = SUB_VOCAB_MAX_ID) -> None:
        meta, tensors = read_gguf(path)
        name = "output.weight" if "output.weight" in tensors else "token_embd.weight"
        if name not in tensors:
            raise ModelError(f"{path.name}: no output matrix (output.weight / token_embd.weight) in the GGUF file")
        qtype, shape, raw = tensors[name]
        self._qtype = qtype
        self._raw = raw  # memory-mapped bytes, one row per token
        if raw.shape[0] != n_vocab:
            raise ModelError(f"{path.name}: output matrix has {raw.shape[0]} rows for {n_vocab} tokens")
        self.n_embd = int(shape[0])
        arch = meta.get("general.architecture") or ""
        cap = meta.get(f"{arch}.final_logit_softcapping")
        self.softcap = float(cap) if cap else 0.0  # type: ignore[arg-type]
        self.q8_activations = qtype == GGML_Q8_0 and self.n_embd % _QK8_0 == 0
        pieces = meta.get("tokenizer.ggml.tokens")
        limit = min(max_id, n_vocab)
        mask = np.zeros(n_vocab, dtype=bool)
        if isinstance(pieces, list) and len(pieces) == n_vocab:
            # English-script pieces among the first ids, plus every English-script piece of at
            # most one character (Gemma keeps single characters, punctuation and digits at the
            # end of its vocabulary).
            for i, p in enumerate(pieces):
                p = p.replace("\u2581", " ")
                if (i < limit or len(p.strip()) <= 1) and _english_script(p):
                    mask[i] = True
        else:  # no token texts: take the first ids as they come
            mask[:limit] = True
        if 0 <= eos < n_vocab:
            mask[eos] = True
        self.sub_ids = np.flatnonzero(mask).astype(np.int64)
        self.in_sub = mask
        self._W_sub = self.dequantize(self.sub_ids)  # (|sub|, n_embd) float32, C-contiguous
        self._extra: dict[int, np.ndarray] = {}

    # -- matrix rows -----------------------------------------------------------------------
    def dequantize(self, ids: np.ndarray) -> np.ndarray:
        """Rows ``ids`` of the output matrix as float32."""
        raw = self._raw[ids]
        if self._qtype == GGML_Q8_0:
            blocks = raw.reshape(len(ids), -1, 2 + _QK8_0)
            d = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
            # one pass, no float32 temporaries of the whole matrix (10x faster at load time)
            w = np.empty((len(ids), blocks.shape[1], _QK8_0), dtype=np.float32)
            np.multiply(blocks[:, :, 2:].view(np.int8), d, out=w)
            return w.reshape(len(ids), -1)
        if self._qtype == GGML_F32:
            return np.ascontiguousarray(raw.view(np.float32).reshape(len(ids), -1))
        if self._qtype == GGML_F16:
            return raw.view(np.float16).astype(np.float32).reshape(len(ids), -1)
        try:
            from gguf.quants import dequantize  # type: ignore[import-not-found]
        except ImportError:
            raise ModelError(f"output matrix of GGML type {self._qtype}: install 'gguf' to read it, or use the exact head") from None
        return np.ascontiguousarray(dequantize(raw, self._qtype).astype(np.float32).reshape(len(ids), -1))

    def _row(self, tok: int) -> np.ndarray:
        w = self._extra.get(tok)
        if w is None:
            w = self.dequantize(np.array([tok]))[0]
            if len(self._extra) > 50_000:
                self._extra.clear()
            self._extra[tok] = w
        return w

    def weights(self, toks: Sequence[int]) -> np.ndarray:
        """Matrix rows for ``toks`` (any ids), float32 (len, n_embd)."""
        toks = np.asarray(toks, dtype=np.int64)
        out = np.empty((len(toks), self.n_embd), dtype=np.float32)
        pos = np.searchsorted(self.sub_ids, toks)
        pos = np.minimum(pos, len(self.sub_ids) - 1)
        hit = self.sub_ids[pos] == toks
        out[hit] = self._W_sub[pos[hit]]
        for i in np.flatnonzero(~hit):
            out[i] = self._row(int(toks[i]))
        return out

    # -- activations ------------------------------------------------------------------------
    def prepare(self, h: np.ndarray) -> np.ndarray:
        """Round hidden states as llama.cpp's matmul does for this matrix's type."""
        h = np.ascontiguousarray(h, dtype=np.float32)
        if not self.q8_activations or len(h) == 0:
            return h
        x = h.reshape(len(h), -1, _QK8_0)
        amax = np.abs(x).max(axis=2, keepdims=True)
        inv = np.divide(127.0, amax, out=np.zeros_like(amax), where=amax > 0)
        q = np.rint(x * inv)
        d = (amax / 127.0).astype(np.float16).astype(np.float32)
        return (q * d).reshape(h.shape).astype(np.float32)

    def _cap(self, z: np.ndarray) -> np.ndarray:
        if self.softcap:
            return np.tanh(z / self.softcap) * self.softcap
        return z

    # -- scores -----------------------------------------------------------------------------
    def pair_logits(self, hp: np.ndarray, rows: np.ndarray, toks: np.ndarray) -> np.ndarray:
        """Logits of (row, token) pairs; ``hp`` from :meth:`prepare`."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float64)
        w = self.weights(toks)
        z = np.einsum("ij,ij->i", hp[rows], w, dtype=np.float32)
        return self._cap(z).astype(np.float64)

    def lse_sub(self, hp: np.ndarray) -> np.ndarray:
        """Log-sum-exp of each row's logits over the sub-vocabulary (float64)."""
        out = np.empty(len(hp), dtype=np.float64)
        for a in range(0, len(hp), ROW_CHUNK):
            z = self._cap(hp[a : a + ROW_CHUNK] @ self._W_sub.T)
            m = z.max(axis=1)
            z -= m[:, None]
            np.exp(z, out=z)
            out[a : a + ROW_CHUNK] = m.astype(np.float64) + np.log(z.sum(axis=1, dtype=np.float64))
        return out

    def topk(self, hp_row: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best sub-vocabulary tokens of one row: (ids, logits) best first."""
        z = self._cap(self._W_sub @ hp_row)
        k = max(1, min(k, len(z)))
        idx = np.argpartition(-z, k - 1)[:k]
        idx = idx[np.argsort(-z[idx], kind="stable")]
        return self.sub_ids[idx], z[idx].astype(np.float64)


GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
_BLOCK = {GGML_F32: (1, 4), GGML_F16: (1, 2), GGML_Q8_0: (32, 34)}  # elements, bytes per block
_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def _block(qtype: int) -> tuple[int, int]:
    if qtype in _BLOCK:
        return _BLOCK[qtype]
    try:
        from gguf.constants import GGML_QUANT_SIZES  # type: ignore[import-not-found]

        return tuple(GGML_QUANT_SIZES[qtype])  # type: ignore[return-value]
    except (ImportError, KeyError, ValueError):
        raise ModelError(f"output matrix of unsupported GGML type {qtype}; use the exact LM head") from None


def read_gguf(path: Path) -> tuple[dict[str, object], dict[str, tuple[int, tuple[int, ...], np.ndarray]]]:
    """Metadata and 2-D tensors (type, shape, memory-mapped rows of bytes) of a GGUF v2/v3 file.

    A small reader of the published format (magic, version, counts, key/value pairs, tensor
    infos, aligned data), enough for the output matrix and the token texts.
    """
    import struct

    buf = np.memmap(path, dtype=np.uint8, mode="r")
    mv = memoryview(buf)
    off = 0

    def take(fmt: str) -> Any:
        nonlocal off
        v = struct.unpack_from(fmt, mv, off)[0]
        off += struct.calcsize(fmt)
        return v

    length = struct.Struct("<Q").unpack_from

    def string() -> str:
        # called once per token text (a quarter of a million): no format parsing, no bytes copy
        nonlocal off
        n = length(mv, off)[0]
        s = str(mv[off + 8 : off + 8 + n], "utf-8", "replace")
        off += 8 + n
        return s

    def value(vt: int) -> object:
        nonlocal off
        if vt == 8:
            return string()
        if vt == 9:
            et, n = take("<I"), take("<Q")
            if et == 8:
                return [string() for _ in range(n)]
            if et in _SCALAR:
                size = struct.calcsize(_SCALAR[et])
                arr = np.frombuffer(mv, dtype=np.dtype(_SCALAR[et]), count=n, offset=off)
                off += size * n
                return arr
            return [value(et) for _ in range(n)]
        if vt in _SCALAR:
            return take(_SCALAR[vt])
        raise ModelError(f"{path.name}: unknown GGUF value type {vt}")

    try:
        if bytes(mv[:4]) != b"GGUF":
            raise ModelError(f"{path.name} is not a GGUF model file")
        off = 4
        version = take("<I")
        if version not in (2, 3):
            raise ModelError(f"{path.name}: GGUF version {version} is not supported")
        n_tensors, n_kv = take("<Q"), take("<Q")
        meta: dict[str, object] = {}
        for _ in range(n_kv):
            key = string()
            meta[key] = value(take("<I"))
        infos = []
        for _ in range(n_tensors):
            name = string()
            dims = tuple(take("<Q") for _ in range(take("<I")))
            qtype, toff = take("<I"), take("<Q")
            infos.append((name, dims, qtype, toff))
        align = int(meta.get("general.alignment", 32))  # type: ignore[call-overload]
        start = (off + align - 1) // align * align
    except struct.error:
        raise ModelError(f"{path.name}: truncated GGUF file") from None
    tensors: dict[str, tuple[int, tuple[int, ...], np.ndarray]] = {}
    for name, dims, qtype, toff in infos:
        if len(dims) != 2 or name not in ("output.weight", "token_embd.weight"):
            continue
        per, nbytes = _block(qtype)
        row = dims[0] // per * nbytes
        a = start + toff
        if dims[0] % per or a + row * dims[1] > len(buf):
            raise ModelError(f"{path.name}: tensor {name} does not fit the file")
        tensors[name] = (qtype, dims, buf[a : a + row * dims[1]].reshape(dims[1], row))
    return meta, tensors
