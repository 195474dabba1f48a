// Centinela: the network view. Reads the API's network answer (nodes,
// edges) with the page's cookie session and draws it with the vendored
// cytoscape.js; a click on a person opens their page. No text here: the
// messages come from the page's data attributes (translated on the server).
"use strict";

function drawNetwork(box) {
  const status = document.getElementById("network-status");
  const say = (text) => { if (status) status.textContent = text; };
  say(box.dataset.loading || "");
  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
    .then((net) => {
      const elements = [];
      for (const n of net.nodes) {
        elements.push({ data: { id: n.id, label: n.label || n.id, role: n.role, seed: n.seed ? 1 : 0,
          size: 14 + Math.min(30, 3 * Math.sqrt(n.crossings)) } });
      }
      for (const e of net.edges) {
        elements.push({ data: { id: e.source + "-" + e.target, source: e.source, target: e.target,
          width: Math.min(8, 1 + e.weight) } });
      }
      // eslint-disable-next-line no-undef
      const cy = cytoscape({
        container: box,
        elements,
        wheelSensitivity: 0.3,
        style: [
          { selector: "node", style: { "background-color": "#6b7a8f", label: "data(label)", "font-size": 9,
            width: "data(size)", height: "data(size)", "text-valign": "bottom", color: "#1d2733" } },
          { selector: "node[role = 'facilitator']", style: { "background-color": "#b3261e" } },
          { selector: "node[role = 'minor']", style: { "background-color": "#e8a317" } },
          { selector: "node[seed = 1]", style: { "border-width": 3, "border-color": "#1d2733" } },
          { selector: "edge", style: { width: "data(width)", "line-color": "#9aa7b5", "curve-style": "haystack" } },
        ],
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 60 },
      });
      cy.on("tap", "node", (ev) => { window.location.href = "/redes/personas/" + ev.target.id(); });
      box.dataset.nodes = String(cy.nodes().length);
      box.dataset.edges = String(cy.edges().length);
      box.dataset.rendered = "1";
      say(net.truncated > 0 ? (box.dataset.truncated || "").replace("{n}", String(net.truncated)) : "");
    })
    .catch(() => say(box.dataset.failed || ""));
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("network");
  if (box && typeof cytoscape === "function") drawNetwork(box);
});
