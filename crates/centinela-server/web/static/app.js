// Centinela: the little JavaScript the pages use. Everything works without
// it except adding travellers and importing a list with progress; no text
// here: every message comes from the page (translated on the server).
"use strict";

// Complete MRZ shapes: lines × length (TD1, TD2/MRV-B, TD3/MRV-A).
const MRZ_SHAPES = [[3, 30], [2, 36], [2, 44]];

function mrzComplete(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return MRZ_SHAPES.some(([n, len]) => lines.length === n && lines.every((l) => l.length === len));
}

function bindMrz(area) {
  // A document reader types the zone like a keyboard and ends with Enter:
  // Enter after a complete zone (or Ctrl+Enter) inspects.
  area.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    if (ev.ctrlKey || mrzComplete(area.value)) {
      ev.preventDefault();
      area.form.requestSubmit();
    }
  });
}

function setupBooth() {
  const form = document.getElementById("inspection-form");
  if (!form) return;
  form.querySelectorAll("textarea.mrz").forEach(bindMrz);
  const add = document.getElementById("add-traveller");
  const tpl = document.getElementById("traveller-template");
  const box = document.getElementById("travellers");
  if (add && tpl && box) {
    add.addEventListener("click", () => {
      const i = box.querySelectorAll("fieldset.traveller").length;
      const html = tpl.innerHTML.replaceAll("__i__", String(i));
      box.insertAdjacentHTML("beforeend", html);
      const area = box.querySelector(`#t${i}-mrz`);
      bindMrz(area);
      area.focus();
    });
  }
  const focus = document.querySelector("[data-focus]");
  if (focus) {
    focus.focus();
  } else {
    const first = form.querySelector("[data-mrz-first]");
    if (first) first.focus();
  }
}

function setupImport() {
  const form = document.getElementById("import-form");
  if (!form) return;
  const bar = document.getElementById("import-bar");
  const status = document.getElementById("import-status");
  const box = document.getElementById("import-progress");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = document.getElementById("imp-file").files[0];
    if (!file) return;
    const q = new URLSearchParams({
      name: form.elements.name.value, kind: form.elements.kind.value,
      format: form.elements.format.value, source: form.elements.source.value, file_name: file.name,
    });
    box.hidden = false;
    bar.value = 0;
    status.textContent = form.dataset.sending;
    const start = document.getElementById("import-start");
    start.disabled = true;
    try {
      const r = await fetch("/listas/importar?" + q, {
        method: "POST", body: file, credentials: "same-origin",
        headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": "application/octet-stream" },
      });
      const body = await r.json();
      if (!r.ok) { status.textContent = body.message; start.disabled = false; return; }
      poll(body.job);
    } catch (e) {
      status.textContent = String(e);
      start.disabled = false;
    }
  });

  async function poll(job) {
    const r = await fetch("/listas/importar/" + encodeURIComponent(job), { credentials: "same-origin" });
    const p = await r.json();
    bar.value = p.fraction || 0;
    status.textContent = p.message;
    if (!p.finished) { setTimeout(() => poll(job), 300); return; }
    document.getElementById("import-start").disabled = false;
    if (!p.failed) setTimeout(() => window.location.reload(), 1200);
  }
}

function setupCrossingLookup() {
  const form = document.getElementById("open-crossing");
  if (!form) return;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = form.elements.id.value.trim();
    if (id) window.location.href = "/cruces/" + encodeURIComponent(id);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupBooth();
  setupImport();
  setupCrossingLookup();
});
