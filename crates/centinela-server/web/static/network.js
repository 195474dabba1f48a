// Centinela: the network view. Reads the API's network answer (nodes,
// edges) with the page's cookie session and draws it with the vendored
// cytoscape.js; a click on a person opens their page. A ring's view starts
// with its members only (companions on demand), so a ten-member ring is
// ten readable points, not a hairball; a search marks the persons whose name
// or identifier contains the text; a weight filter hides weak links. No
// text here: the messages come from the page's data attributes (translated
// on the server).
"use strict";

function drawNetwork(box) {
  const status = document.getElementById("network-status");
  const say = (text) => { if (status) status.textContent = text; };
  const companions = document.getElementById("network-companions");
  const search = document.getElementById("network-search");
  const minWeight = document.getElementById("network-min-weight");
  const weightShown = document.getElementById("network-min-weight-value");
  say(box.dataset.loading || "");
  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
    .then((net) => {
      const elements = [];
      for (const n of net.nodes) {
        elements.push({ data: { id: n.id, label: n.label || n.id, role: n.role, seed: n.seed ? 1 : 0,
          size: 14 + Math.min(30, 3 * Math.sqrt(n.crossings)) } });
      }
      let heaviest = 1;
      for (const e of net.edges) {
        heaviest = Math.max(heaviest, e.weight);
        elements.push({ data: { id: e.source + "-" + e.target, source: e.source, target: e.target,
          weight: e.weight, width: Math.min(8, 1 + e.weight) } });
      }
      // eslint-disable-next-line no-undef
      const cy = cytoscape({
        container: box,
        elements,
        wheelSensitivity: 0.3,
        style: [
          // Names only on the seeds and facilitators, or on the persons a
          // search found: dozens of overlapping labels help no one.
          { selector: "node", style: { "background-color": "#6b7a8f", label: "", "font-size": 9,
            width: "data(size)", height: "data(size)", "text-valign": "bottom", color: "#1d2733" } },
          { selector: "node[seed = 1], node[role = 'facilitator'], node.match, node:selected",
            style: { label: "data(label)" } },
          { selector: "node[role = 'facilitator']", style: { "background-color": "#b3261e" } },
          { selector: "node[role = 'minor']", style: { "background-color": "#e8a317" } },
          { selector: "node[seed = 1]", style: { "border-width": 3, "border-color": "#1d2733" } },
          { selector: "node.match", style: { "border-width": 5, "border-color": "#0b5cad", "font-weight": "bold" } },
          { selector: "edge", style: { width: "data(width)", "line-color": "#9aa7b5", "curve-style": "haystack" } },
          { selector: ".hidden", style: { display: "none" } },
        ],
        layout: { name: "preset" },
      });
      cy.on("tap", "node", (ev) => { window.location.href = "/redes/personas/" + ev.target.id(); });
      const companionCount = cy.nodes("[seed = 0]").length;
      if (companions) {
        companions.closest("label").querySelector(".count").textContent = String(companionCount);
        companions.disabled = companionCount === 0;
      }
      if (minWeight) {
        minWeight.max = String(Math.ceil(heaviest));
      }
      // Which persons and links are shown, from the controls; the layout is
      // run again on what is shown.
      const apply = (relayout) => {
        const withCompanions = !companions || companions.checked;
        const floor = minWeight ? Number(minWeight.value) || 0 : 0;
        if (weightShown) weightShown.textContent = String(floor);
        cy.batch(() => {
          cy.nodes().forEach((n) => n.toggleClass("hidden", !withCompanions && n.data("seed") === 0));
          cy.edges().forEach((e) => e.toggleClass("hidden",
            e.data("weight") < floor || e.source().hasClass("hidden") || e.target().hasClass("hidden")));
        });
        const shown = cy.elements().not(".hidden");
        if (relayout) {
          // A handful of persons reads best on a circle (no label over
          // another); more need the force-directed layout.
          const few = shown.nodes().length <= 16;
          shown.layout(few
            ? { name: "circle", animate: false, padding: 40, sort: (a, b) => b.data("size") - a.data("size") }
            : { name: "cose", animate: false, randomize: true, nodeRepulsion: 12000, idealEdgeLength: 80 }).run();
          cy.fit(shown, 20);
        }
        box.dataset.nodes = String(shown.nodes().length);
        box.dataset.edges = String(shown.edges().length);
      };
      const find = () => {
        const q = (search ? search.value : "").trim().toLocaleLowerCase();
        cy.nodes().removeClass("match");
        let found = 0;
        if (q.length > 0) {
          cy.nodes().forEach((n) => {
            const hit = n.id().toLocaleLowerCase().includes(q) || String(n.data("label")).toLocaleLowerCase().includes(q);
            if (hit) { n.addClass("match"); found += 1; }
          });
        }
        box.dataset.matches = String(found);
        if (search) say(q.length > 0 ? (box.dataset.found || "").replace("{n}", String(found)) : "");
      };
      if (companions) {
        companions.checked = box.dataset.companions === "show";
        companions.addEventListener("change", () => apply(true));
      }
      if (minWeight) minWeight.addEventListener("input", () => apply(false));
      if (search) search.addEventListener("input", find);
      apply(true);
      box.dataset.total = String(cy.nodes().length);
      box.dataset.rendered = "1";
      say(net.truncated > 0 ? (box.dataset.truncated || "").replace("{n}", String(net.truncated)) : "");
    })
    .catch(() => say(box.dataset.failed || ""));
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("network");
  if (box && typeof cytoscape === "function") drawNetwork(box);
});
