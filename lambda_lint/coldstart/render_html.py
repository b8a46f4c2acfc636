"""`lambda-lint coldstart --output-format html`: one self-contained page (inline CSS and
script, nothing fetched) with an icicle chart per handler. A module's width is its share
of the handler's INIT imports, modules it loads sit below it; hovering shows the module,
its cost and the import chain, clicking zooms into it, clicking the top row zooms out."""

from __future__ import annotations

import html
import json
from typing import Any

from lambda_lint.coldstart.report import VERDICTS

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>INIT imports · lambda-lint coldstart</title>
<style>
:root { --project: #4c78a8; --heavy: #d6604d; --light: #f4a582; --stdlib: #bababa; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 4px; }
.note, .meta { color: #666; }
.over { color: #b2182b; font-weight: 600; }
.within { color: #1b7837; }
.near { color: #8c510a; }
.problem { color: #8c510a; }
.chart { position: relative; margin-top: 8px; border-top: 1px solid #ddd; overflow: hidden; }
.cell { position: absolute; height: 20px; box-sizing: border-box; border: 1px solid #fff;
        overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: 12px;
        line-height: 18px; padding: 0 4px; cursor: pointer; color: #111; }
.cell:hover { filter: brightness(0.9); }
.project { background: var(--project); color: #fff; }
.heavy { background: var(--heavy); color: #fff; }
.light { background: var(--light); }
.stdlib { background: var(--stdlib); }
.legend span { display: inline-block; padding: 0 6px; margin-right: 6px; font-size: 12px; }
#tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 6px 8px;
       border-radius: 4px; font-size: 12px; max-width: 480px; display: none; z-index: 10; }
</style>
</head>
<body>
<h1>INIT imports per handler</h1>
<p class="note">__NOTE__</p>
<p class="legend"><span class="project">project module</span><span class="heavy">heavy (&ge; __HEAVY__ ms)</span><span class="light">third-party</span><span class="stdlib">standard library</span>
Width is the share of the handler's INIT imports; modules a module loads sit below it. Click to zoom in, click the top row to zoom out.</p>
<div id="handlers"></div>
<noscript><p>The charts need JavaScript; <code>lambda-lint coldstart --output-format tree</code> shows the same in a terminal.</p></noscript>
<div id="tip"></div>
<script id="report" type="application/json">__DATA__</script>
<script>
"use strict";
(function () {
  var report = JSON.parse(document.getElementById("report").textContent);
  var heavy = __HEAVY__;
  var ROW = 22;
  var tip = document.getElementById("tip");

  function ms(value) {
    return (value >= 10 ? Math.round(value).toLocaleString("en") : value.toFixed(1)) + " ms";
  }
  function layout(node, x0, depth, chain, out) {
    node.x0 = x0;
    node.x1 = x0 + node.total_ms;
    node.depth = depth;
    node.chain = chain.concat([node.name]);
    out.push(node);
    var x = x0;
    node.children.forEach(function (child) {
      child.parent = node;
      layout(child, x, depth + 1, node.chain, out);
      x += child.total_ms;
    });
    return out;
  }
  function kind(node) {
    if (node.kind === "project") { return "project"; }
    if (node.kind === "stdlib") { return "stdlib"; }
    return node.total_ms >= heavy ? "heavy" : "light";
  }
  function draw(chart, nodes, focus) {
    chart.textContent = "";
    var span = focus.x1 - focus.x0;
    var depth = 0;
    nodes.forEach(function (node) {
      var above = node.depth < focus.depth;
      var inside = node.x0 >= focus.x0 && node.x1 <= focus.x1 && node.depth >= focus.depth;
      var onPath = above && node.x0 <= focus.x0 && node.x1 >= focus.x1;
      if (!inside && !onPath) { return; }
      var left = onPath ? 0 : (node.x0 - focus.x0) / span;
      var width = onPath ? 1 : (node.x1 - node.x0) / span;
      if (span <= 0 || width < 0.002) { return; }
      var cell = document.createElement("div");
      cell.className = "cell " + kind(node);
      cell.style.left = (left * 100) + "%";
      cell.style.width = (width * 100) + "%";
      cell.style.top = (node.depth * ROW) + "px";
      cell.textContent = node.name + " " + ms(node.total_ms);
      cell.addEventListener("mousemove", function (event) { show(event, node); });
      cell.addEventListener("mouseleave", function () { tip.style.display = "none"; });
      cell.addEventListener("click", function () {
        draw(chart, nodes, node === focus && node.parent ? node.parent : node);
      });
      chart.appendChild(cell);
      depth = Math.max(depth, node.depth);
    });
    chart.style.height = ((depth + 1) * ROW) + "px";
  }
  function show(event, node) {
    tip.textContent = "";
    var lines = [
      node.name,
      ms(node.total_ms) + " in all, " + ms(node.self_ms) + " its own (" + node.source + ")",
      node.chain.join(" \\u2192 ")
    ];
    if (node.imported_at) { lines.push("imported at " + node.imported_at.file + ":" + node.imported_at.line); }
    lines.forEach(function (text, index) {
      var line = document.createElement("div");
      line.textContent = text;
      if (index === 0) { line.style.fontWeight = "600"; }
      tip.appendChild(line);
    });
    tip.style.display = "block";
    tip.style.left = Math.min(event.clientX + 12, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = (event.clientY + 14) + "px";
  }

  var container = document.getElementById("handlers");
  if (!report.handlers.length) {
    container.textContent = "No handlers found.";
  }
  report.handlers.forEach(function (item) {
    var section = document.createElement("section");
    var title = document.createElement("h2");
    title.textContent = item.handler;
    var meta = document.createElement("p");
    meta.className = "meta";
    var verdict = document.createElement("span");
    verdict.className = item.verdict;
    verdict.textContent = report.verdicts[item.verdict].replace("{budget}", ms(item.budget_ms));
    meta.appendChild(document.createTextNode(
      item.file + ":" + item.line + " \\u00b7 INIT imports " +
      (item.source === "measured" ? "measured" : "estimated") + ": " + ms(item.total_ms) + " \\u00b7 "));
    meta.appendChild(verdict);
    section.appendChild(title);
    section.appendChild(meta);
    if (item.problem) {
      var problem = document.createElement("p");
      problem.className = "problem";
      problem.textContent = "Measuring failed: " + item.problem;
      section.appendChild(problem);
    }
    var chart = document.createElement("div");
    chart.className = "chart";
    section.appendChild(chart);
    container.appendChild(section);
    var nodes = layout(item.tree, 0, 0, [], []);
    draw(chart, nodes, item.tree);
  });
}());
</script>
</body>
</html>
"""


def render_html(data: dict[str, Any], heavy_ms: float, note: str) -> str:
    """The page for a report (see `report.report_data`)."""
    payload = json.dumps({**data, "verdicts": VERDICTS}, ensure_ascii=False).replace("</", "<\\/")
    return (
        PAGE.replace("__DATA__", payload)
        .replace("__HEAVY__", f"{heavy_ms:g}")
        .replace("__NOTE__", html.escape(note))
    )
