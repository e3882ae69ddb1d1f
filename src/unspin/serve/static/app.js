// unspin web page: plain JavaScript over the server's own JSON API (POST /v1/review).
// Offsets in the API are Unicode code points; Array.from(text) indexes code points, so the
// page never mixes them up with JavaScript's UTF-16 string indices.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { input: "", cps: [], items: [], review: null };
  let hideTimer = null;

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    const key = $("apikey").value.trim();
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  async function api(path, options) {
    let resp;
    try {
      resp = await fetch(path, options);
    } catch (e) {
      throw new Error("cannot reach the server (" + e.message + ")");
    }
    let body = null;
    try { body = await resp.json(); } catch (e) { /* not JSON */ }
    if (!resp.ok) {
      const msg = body && body.error ? body.error.message : "HTTP " + resp.status;
      throw new Error(msg);
    }
    return body;
  }

  function showError(msg) {
    $("error").textContent = msg;
    $("error").hidden = !msg;
  }

  function confClass(c) {
    return c >= 0.8 ? "conf-high" : c >= 0.6 ? "conf-mid" : "conf-low";
  }

  // Build one item per flagged span from the report's matches and the restoration's edits.
  function buildItems(review) {
    const edits = new Map();
    for (const e of review.restore.edits) edits.set(e.offset + ":" + e.length, e);
    const items = [];
    for (const m of review.check.matches) {
      const key = m.offset + ":" + m.length;
      const edit = edits.get(key);
      edits.delete(key);
      items.push({
        start: m.offset, end: m.offset + m.length, confidence: m.confidence, message: m.message,
        options: m.replacements.map((r) => r.value).filter((v) => v !== ""),
        suggested: edit ? edit.new : null, choice: null, rejected: false,
      });
    }
    for (const e of edits.values()) {
      items.push({ start: e.offset, end: e.offset + e.length, confidence: e.confidence, message: e.evidence,
        options: [e.new], suggested: e.new, choice: null, rejected: false });
    }
    items.sort((a, b) => a.start - b.start);
    const kept = [];
    let last = -1;
    for (const it of items) { if (it.start >= last) { kept.push(it); last = it.end; } }
    kept.forEach((it, i) => { it.id = i; it.old = state.cps.slice(it.start, it.end).join(""); });
    return kept;
  }

  function restoredText() {
    const out = [];
    let pos = 0;
    for (const it of state.items) {
      out.push(state.cps.slice(pos, it.start).join(""));
      out.push(it.choice !== null ? it.choice : it.old);
      pos = it.end;
    }
    out.push(state.cps.slice(pos).join(""));
    return out.join("");
  }

  function renderDoc() {
    const doc = $("doc");
    doc.textContent = "";
    let pos = 0;
    for (const it of state.items) {
      doc.appendChild(document.createTextNode(state.cps.slice(pos, it.start).join("")));
      const mark = document.createElement("mark");
      mark.className = "spun " + (it.choice !== null ? "accepted" : it.rejected ? "rejected" : confClass(it.confidence));
      mark.tabIndex = 0;
      mark.dataset.i = String(it.id);
      mark.textContent = it.choice !== null ? it.choice : it.old;
      const label = it.choice !== null ? "restored to '" + it.choice + "' (was '" + it.old + "')"
        : "possibly spun: '" + it.old + "'" + (it.options.length ? ", likely original '" + it.options[0] + "'" : "");
      mark.setAttribute("aria-label", label);
      mark.setAttribute("aria-describedby", "tip");
      doc.appendChild(mark);
      pos = it.end;
    }
    doc.appendChild(document.createTextNode(state.cps.slice(pos).join("")));
    $("restored").value = restoredText();
  }

  function renderSummary(review) {
    const spin = review.check.spin;
    $("score").textContent = (spin.score * 100).toFixed(0) + "%";
    $("risk").textContent = spin.risk;
    $("risk").className = "risk risk-" + spin.risk;
    $("flagged").textContent = state.items.length + (state.items.length === 1 ? " span" : " spans");
    $("words").textContent = String(spin.words);
    $("mode").textContent = spin.mode + " (" + spin.model + ")";
    const inc = $("incomplete");
    inc.hidden = !spin.incomplete;
    inc.textContent = spin.incomplete ? "Incomplete: " + spin.reason : "";
  }

  function decide(it, choice, rejected) {
    it.choice = choice;
    it.rejected = rejected;
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.i : null;
    renderDoc();
    hideTip(true);
    const again = focused !== null && focused !== undefined ? document.querySelector('mark[data-i="' + focused + '"]') : null;
    if (again) again.focus();
  }

  function button(text, onClick, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  function showTip(mark) {
    const it = state.items[Number(mark.dataset.i)];
    if (!it) return;
    clearTimeout(hideTimer);
    const tip = $("tip");
    tip.textContent = "";
    const head = document.createElement("div");
    head.textContent = "Possibly spun (confidence " + Math.round(it.confidence * 100) + "%): \u201c" + it.old + "\u201d";
    tip.appendChild(head);
    if (it.options.length) {
      const orig = document.createElement("div");
      orig.className = "orig";
      const best = it.suggested !== null ? it.suggested : it.options[0];
      orig.append("Likely original: ");
      const strong = document.createElement("strong");
      strong.textContent = best;
      orig.appendChild(strong);
      tip.appendChild(orig);
      if (it.suggested === null) {
        const note = document.createElement("div");
        note.className = "why";
        note.textContent = "No single original is clearly better than the text here; accept only if it reads right.";
        tip.appendChild(note);
      }
      const alts = it.options.filter((v) => v !== best);
      if (alts.length) {
        const box = document.createElement("div");
        box.className = "alts";
        box.append("Alternatives: ");
        for (const v of alts.slice(0, 6)) box.appendChild(button(v, () => decide(it, v, false), "alt"));
        tip.appendChild(box);
      }
      const actions = document.createElement("div");
      actions.className = "actions";
      actions.appendChild(button("Accept \u201c" + best + "\u201d", () => decide(it, best, false), "accept primary"));
      actions.appendChild(button("Reject", () => decide(it, null, true), "reject"));
      if (it.choice !== null || it.rejected) actions.appendChild(button("Undo", () => decide(it, null, false), "undo"));
      tip.appendChild(actions);
    }
    if (it.message) {
      const why = document.createElement("p");
      why.className = "why";
      why.textContent = it.message;
      tip.appendChild(why);
    }
    tip.hidden = false;
    const r = mark.getBoundingClientRect();
    tip.style.left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8)) + "px";
    tip.style.top = (window.scrollY + r.bottom + 6) + "px";
  }

  function hideTip(now) {
    clearTimeout(hideTimer);
    const go = () => { $("tip").hidden = true; };
    if (now) go(); else hideTimer = setTimeout(go, 350);
  }

  async function runCheck() {
    const text = $("input").value;
    showError("");
    if (!text.trim()) { showError("Paste some English text (or upload a file) first."); return; }
    $("check").disabled = true;
    $("busy").hidden = false;
    try {
      const review = await api("/v1/review", {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ text: text, mode: $("fast").checked ? "fast" : undefined }),
      });
      state.review = review;
      state.input = review.input;
      state.cps = Array.from(review.input);
      state.items = buildItems(review);
      renderSummary(review);
      renderDoc();
      $("result").hidden = false;
    } catch (e) {
      showError(e.message);
    } finally {
      $("check").disabled = false;
      $("busy").hidden = true;
    }
  }

  async function loadFile(file) {
    showError("");
    const lower = file.name.toLowerCase();
    try {
      if (lower.endsWith(".txt") || lower.endsWith(".text") || !lower.includes(".")) {
        const buf = await file.arrayBuffer();
        $("input").value = new TextDecoder("utf-8", { fatal: true }).decode(buf);
      } else {
        // Other formats (PDF, Word, HTML, Markdown) go through the server's readers.
        const form = new FormData();
        form.append("file", file, file.name);
        const got = await api("/v1/extract", { method: "POST", headers: headers(), body: form });
        $("input").value = got.text;
        if (got.incomplete) showError("Only part of the file was read: " + got.reason);
      }
    } catch (e) {
      showError(e instanceof TypeError ? file.name + " is not UTF-8 text" : e.message);
    }
  }

  async function init() {
    try {
      const h = await api("/v1/health", {});
      $("server-status").textContent = "server " + h.software.version + ", " + h.mode + " mode" + (h.status !== "ok" ? " (" + h.status + ")" : "");
      if (h.mode === "fast") { $("fast").checked = true; $("fast").disabled = true; }
      if (h.uploadFormats && h.uploadFormats.length) $("file").accept = h.uploadFormats.join(",");
      $("key-box").hidden = !h.auth;
    } catch (e) {
      $("server-status").textContent = "server unreachable";
    }
    $("check").addEventListener("click", runCheck);
    $("input").addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) runCheck(); });
    $("file").addEventListener("change", () => { if ($("file").files[0]) loadFile($("file").files[0]); });
    $("accept-all").addEventListener("click", () => {
      for (const it of state.items) if (it.suggested !== null) { it.choice = it.suggested; it.rejected = false; }
      renderDoc();
    });
    $("reject-all").addEventListener("click", () => {
      for (const it of state.items) { it.choice = null; it.rejected = true; }
      renderDoc();
    });
    $("copy").addEventListener("click", async () => {
      const text = $("restored").value;
      try { await navigator.clipboard.writeText(text); }
      catch (e) { $("restored").select(); document.execCommand("copy"); }
      $("copied").textContent = "Copied.";
      setTimeout(() => { $("copied").textContent = ""; }, 2000);
    });
    $("download").addEventListener("click", () => {
      const blob = new Blob([$("restored").value], { type: "text/plain;charset=utf-8" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "restored.txt";
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
    const doc = $("doc");
    doc.addEventListener("mouseover", (ev) => { const m = ev.target.closest("mark.spun"); if (m) showTip(m); });
    doc.addEventListener("mouseout", (ev) => { if (ev.target.closest("mark.spun")) hideTip(false); });
    doc.addEventListener("focusin", (ev) => { const m = ev.target.closest("mark.spun"); if (m) showTip(m); });
    doc.addEventListener("focusout", (ev) => {
      if (!ev.relatedTarget || !$("tip").contains(ev.relatedTarget)) hideTip(false);
    });
    doc.addEventListener("keydown", (ev) => {
      const m = ev.target.closest("mark.spun");
      if (!m) return;
      const it = state.items[Number(m.dataset.i)];
      if (ev.key === "a" || ev.key === "Enter") {
        const best = it.suggested !== null ? it.suggested : it.options[0];
        if (best !== undefined) decide(it, best, false);
      } else if (ev.key === "r") decide(it, null, true);
      else if (ev.key === "u") decide(it, null, false);
      else if (ev.key === "Escape") hideTip(true);
    });
    const tip = $("tip");
    tip.addEventListener("mouseover", () => clearTimeout(hideTimer));
    tip.addEventListener("mouseout", () => hideTip(false));
    tip.addEventListener("focusout", (ev) => {
      if (!ev.relatedTarget || (!tip.contains(ev.relatedTarget) && !doc.contains(ev.relatedTarget))) hideTip(false);
    });
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") hideTip(true); });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
