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

function partyMode() {
  const box = document.getElementById("party-mode");
  return Boolean(box && box.checked);
}

// The MRZ boxes holding a zone.
function readCount(form) {
  return [...form.querySelectorAll("textarea.mrz")].filter((a) => a.value.trim() !== "").length;
}

function showPartyStatus(form) {
  const status = document.getElementById("party-status");
  if (!status) return;
  const n = readCount(form);
  status.textContent = partyMode() && n > 0 ? status.dataset.template.replace("{n}", String(n)) : "";
}

// Party mode: the next traveller's empty box (a new one when there is none).
function nextTraveller(area) {
  const form = area.form;
  const empty = [...form.querySelectorAll("textarea.mrz")].find((a) => a !== area && a.value.trim() === "");
  if (empty) {
    empty.focus();
  } else {
    document.getElementById("add-traveller").click();
  }
  showPartyStatus(form);
}

function bindMrz(area) {
  // A document reader types the zone like a keyboard and ends with Enter:
  // Enter after a complete zone (or Ctrl+Enter) inspects. In party mode a
  // complete zone adds the next traveller instead, and Enter in an empty
  // box (or Ctrl+Enter) closes the party and inspects it.
  area.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    if (ev.ctrlKey) {
      ev.preventDefault();
      area.form.requestSubmit();
    } else if (partyMode()) {
      if (mrzComplete(area.value)) {
        ev.preventDefault();
        nextTraveller(area);
      } else if (area.value.trim() === "" && readCount(area.form) > 0) {
        ev.preventDefault();
        area.form.requestSubmit();
      }
    } else if (mrzComplete(area.value)) {
      ev.preventDefault();
      area.form.requestSubmit();
    }
  });
}

function isTextField(el) {
  if (!el) return false;
  if (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
  return el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "reset"].includes(el.type);
}

// The admit of a traveller with a hit or an indicator is a second step: the
// "Admitir…" button opens the confirm step (its own reason, its own button).
function reveal(button) {
  const box = document.getElementById(button.dataset.reveal);
  if (!box) return;
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
  const input = box.querySelector("input[name=confirm_reason]");
  if (input) input.focus();
}

// Decision forms: Enter in a field never submits (the form's default
// button is disabled too, for pages without this script).
function setupDecisions() {
  document.querySelectorAll("form.decide").forEach((form) => {
    form.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && isTextField(ev.target)) ev.preventDefault();
    });
    form.querySelectorAll("button[data-reveal]").forEach((b) => b.addEventListener("click", () => reveal(b)));
    form.querySelectorAll("fieldset.confirm-admit").forEach((box) => {
      if (!box.hasAttribute("data-open")) box.hidden = true;
    });
  });
}

// Keyboard: 1–4 (outside text fields) or Alt+1–4 (anywhere) press the
// decision shown with that key, for the traveller holding the focus (else
// the first undecided one). Outside text fields, a letter or '<' — a
// document reader starting a new zone — goes to the first traveller's MRZ
// box, so a scan never lands on a decision button.
function setupShortcuts() {
  const mrz = document.querySelector("[data-mrz-first]");
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.isComposing) return;
    const inText = isTextField(ev.target);
    const digit = /^[1-4]$/.test(ev.key) ? ev.key : (ev.altKey && /^Digit[1-4]$/.test(ev.code) ? ev.code.slice(5) : null);
    if (digit && (ev.altKey || !inText)) {
      const here = ev.target.closest && ev.target.closest("form.decide");
      const form = here || document.querySelector("form.decide[data-undecided]") || document.querySelector("form.decide");
      const button = form && form.querySelector(`[data-key="${digit}"]`);
      if (button) {
        ev.preventDefault();
        button.click();
      }
      return;
    }
    if (!inText && !ev.altKey && mrz && /^[A-Za-z<]$/.test(ev.key)) {
      ev.preventDefault();
      mrz.focus();
      mrz.setRangeText(ev.key.toUpperCase(), mrz.selectionStart, mrz.selectionEnd, "end");
    }
  });
}

// The result, announced: the live region is filled after the page loads
// (a region filled from the start is not read out).
function announce() {
  const box = document.getElementById("announce");
  if (!box || !box.dataset.text) return;
  setTimeout(() => { box.textContent = box.dataset.text; }, 150);
}

// An optional sound when the result holds a hit: off by default, the
// officer's setting kept in this browser (localStorage), never sent.
const HIT_SOUND = "centinela.hitSound";
function setupHitSound() {
  const box = document.getElementById("hit-sound");
  if (!box) return;
  let on = false;
  try { on = localStorage.getItem(HIT_SOUND) === "1"; } catch (e) { on = false; }
  box.checked = on;
  box.addEventListener("change", () => {
    try { localStorage.setItem(HIT_SOUND, box.checked ? "1" : "0"); } catch (e) { /* private mode: not kept */ }
  });
  const banner = document.getElementById("party-banner");
  if (!on || !banner || !banner.classList.contains("banner-hit")) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  // Two short tones, distinct from a scanner's beep.
  [0, 0.25].forEach((at, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = i === 0 ? 880 : 660;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + at);
    osc.stop(ctx.currentTime + at + 0.18);
  });
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
  document.body.dataset.hitSound = "played";
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
  // Switching party mode goes back to the first empty MRZ box.
  const party = document.getElementById("party-mode");
  if (party) {
    party.addEventListener("change", () => {
      const empty = [...form.querySelectorAll("textarea.mrz")].find((a) => a.value.trim() === "");
      if (empty) empty.focus();
      showPartyStatus(form);
    });
  }
  setupDecisions();
  setupShortcuts();
  setupHitSound();
  announce();
  // Focus: a decision error, else the first field in error, else the
  // suggested decision (the default button), else the MRZ box.
  const focus = document.querySelector("[data-focus]")
    || form.querySelector("[aria-invalid=true]")
    || document.querySelector("[data-default]")
    || form.querySelector("[data-mrz-first]");
  if (focus) {
    const details = focus.closest("details");
    if (details) details.open = true;
    focus.focus();
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

function setupRules() {
  // The rule editor: as the analyst types (after a short pause), the text
  // goes to POST /api/rules/check; errors are listed with their line and
  // column, and the buttons stay disabled while any remains.
  const form = document.getElementById("rule-form");
  if (!form) return;
  const area = document.getElementById("rule-text");
  const box = document.getElementById("rule-check");
  const buttons = ["rule-save", "rule-backtest"].map((id) => document.getElementById(id)).filter((b) => b);
  let timer = null;
  let seq = 0;
  function show(body) {
    box.replaceChildren();
    if (body.ok) {
      const p = document.createElement("p");
      p.className = "ok";
      p.id = "rule-ok";
      p.textContent = form.dataset.ok;
      box.append(p);
    } else {
      const ul = document.createElement("ul");
      ul.className = "rule-errors";
      ul.id = "rule-errors";
      for (const e of body.errors) {
        const li = document.createElement("li");
        li.className = "rule-error";
        li.dataset.line = e.line;
        li.dataset.column = e.column;
        const where = document.createElement("strong");
        where.textContent = `${form.dataset.line} ${e.line}, ${form.dataset.column} ${e.column}`;
        li.append(where, ` (${e.line}:${e.column}): ${e.message}`);
        if (e.hint) {
          const hint = document.createElement("em");
          hint.textContent = e.hint;
          li.append(" — ", hint);
        }
        li.tabIndex = 0;
        li.addEventListener("click", () => jump(e.line, e.column));
        li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") jump(e.line, e.column); });
        ul.append(li);
      }
      box.append(ul);
    }
    buttons.forEach((b) => { b.disabled = !body.ok; });
  }
  function jump(line, column) {
    const lines = area.value.split("\n");
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(0, column - 1);
    area.focus();
    area.setSelectionRange(at, at);
  }
  async function check() {
    const mine = ++seq;
    if (area.value.trim() === "") { box.replaceChildren(); return; }
    try {
      const r = await fetch("/api/rules/check", {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": "application/json",
                   "Accept-Language": document.documentElement.lang || "es" },
        body: JSON.stringify({ text: area.value }),
      });
      const body = await r.json();
      if (mine !== seq) return;
      if (!r.ok) { box.textContent = body.message; return; }
      show(body);
    } catch (e) {
      if (mine === seq) box.textContent = String(e);
    }
  }
  area.addEventListener("input", () => {
    buttons.forEach((b) => { b.disabled = true; });
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  // Tab inserts two spaces in the editor; Escape leaves it for the keyboard.
  area.addEventListener("keydown", (ev) => {
    if (ev.key === "Tab" && !ev.shiftKey && !area.dataset.tabOut) {
      ev.preventDefault();
      area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input"));
    } else if (ev.key === "Escape") {
      area.dataset.tabOut = "1";
    }
  });
  area.addEventListener("blur", () => { delete area.dataset.tabOut; });
  document.querySelectorAll("button.edit-rule").forEach((b) => {
    b.addEventListener("click", () => {
      const tpl = document.getElementById("text-" + b.dataset.rule);
      if (!tpl) return;
      area.value = tpl.content.textContent;
      area.dispatchEvent(new Event("input"));
      area.focus();
      area.scrollIntoView({ block: "center" });
    });
  });
  if (area.value.trim() !== "") check();
}

/** The duty supervisor's live lookout hits (server-sent events): a banner
 * and, when ticked, a short tone; no reload. */
function setupLiveLookouts() {
  const box = document.querySelector("[data-live-lookouts]");
  if (!box || !window.EventSource) return;
  const banner = box.querySelector("[data-testid=lookout-live-banner]");
  const source = new EventSource("/api/lookouts/hits/stream");
  source.addEventListener("lookout_hit", (ev) => {
    let hit;
    try { hit = JSON.parse(ev.data); } catch (_) { return; }
    const line = document.createElement("p");
    line.dataset.lookout = hit.lookout_uid;
    line.textContent = box.dataset.text.replace("{post}", hit.post).replace("{reason}", hit.reason);
    banner.prepend(line);
    banner.hidden = false;
    const sound = document.getElementById("lookout-sound");
    if (sound && sound.checked && window.AudioContext) {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupLiveLookouts();
  setupBooth();
  setupImport();
  setupCrossingLookup();
  setupRules();
});

// The chip's files at the booth: each chosen file is read into base64 for
// its hidden field (reader middleware may fill the hidden fields itself).
function setupChipFiles(root) {
  root.querySelectorAll("input.chip-file").forEach((input) => {
    if (input.dataset.bound) return;
    input.dataset.bound = "1";
    input.addEventListener("change", () => {
      const file = input.files[0];
      const target = document.getElementById(input.dataset.target);
      if (!file || !target) return;
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        target.value = url.slice(url.indexOf(",") + 1);
      };
      reader.readAsDataURL(file);
    });
  });
}

// The live capture: the camera starts only after the officer confirms the
// traveller was told and agrees; one frame is kept as a JPEG for the form,
// and the camera stops at once.
function setupCapture(root) {
  root.querySelectorAll("details.capture").forEach((box) => {
    if (box.dataset.bound) return;
    box.dataset.bound = "1";
    const q = (c) => box.querySelector(c);
    const consent = q(".capture-consent"), start = q(".capture-start"), take = q(".capture-take");
    const clear = q(".capture-clear"), video = q(".capture-video"), preview = q(".capture-preview");
    const status = q(".capture-status"), field = q("input[type=hidden]");
    let stream = null;
    const stop = () => {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      take.hidden = true;
    };
    consent.addEventListener("change", () => {
      start.disabled = !consent.checked;
      if (!consent.checked) stop();
    });
    start.addEventListener("click", async () => {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = status.dataset.unavailable;
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
        video.srcObject = stream;
        video.hidden = false;
        take.hidden = false;
        status.textContent = "";
      } catch (e) {
        status.textContent = status.dataset.denied;
      }
    });
    take.addEventListener("click", () => {
      if (!stream || !video.videoWidth) return;
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      const url = canvas.toDataURL("image/jpeg", 0.85);
      field.value = url;
      preview.src = url;
      preview.hidden = false;
      clear.hidden = false;
      status.textContent = status.dataset.taken;
      stop();
    });
    clear.addEventListener("click", () => {
      field.value = "";
      preview.removeAttribute("src");
      preview.hidden = true;
      clear.hidden = true;
    });
  });
}

// The trust-anchor page: the chosen file goes to POST /api/pki as the body.
function setupPkiImport() {
  const form = document.getElementById("pki-import");
  if (!form) return;
  const status = document.getElementById("pki-status");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = document.getElementById("pki-file").files[0];
    if (!file) return;
    const button = document.getElementById("pki-start");
    button.disabled = true;
    status.textContent = form.dataset.sending;
    try {
      const r = await fetch("/api/pki?" + new URLSearchParams({ file_name: file.name }), {
        method: "POST", body: file, credentials: "same-origin",
        headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": "application/octet-stream",
                   "Accept-Language": document.documentElement.lang || "es" },
      });
      const body = await r.json();
      if (!r.ok) { status.textContent = body.message; button.disabled = false; return; }
      status.textContent = form.dataset.done.replace("{version}", body.version)
        .replace("{added}", body.added).replace("{already}", body.already);
      setTimeout(() => window.location.reload(), 1200);
    } catch (e) {
      status.textContent = String(e);
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupChipFiles(document);
  setupCapture(document);
  setupPkiImport();
  // A companion added to the party gets the same controls.
  const box = document.getElementById("travellers");
  if (box) {
    new MutationObserver(() => { setupChipFiles(box); setupCapture(box); }).observe(box, { childList: true });
  }
});
