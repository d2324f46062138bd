// The report's time slider: picks the embedded entry for a date and redraws
// the stance map, its counts and headline. Every text goes in as textContent.
(function () {
  "use strict";
  var source = document.getElementById("map-data");
  var slider = document.getElementById("map-slider");
  if (!source || !slider) { return; }
  var data = JSON.parse(source.textContent);
  var runsOf = {};
  data.runs.forEach(function (run) {
    (runsOf[run.ally] = runsOf[run.ally] || []).push(run);
  });
  var tiles = Array.prototype.slice.call(document.querySelectorAll("#map-tiles .tile"));
  var panel = document.getElementById("map-evidence");
  var selected = null;

  function day() { return data.stops[Number(slider.value)].on; }

  function runAt(ally, on) {
    var runs = runsOf[ally] || [];
    for (var i = 0; i < runs.length; i++) {
      if (runs[i].from <= on && on <= runs[i].to) { return runs[i]; }
    }
    return null;
  }

  function stanceAt(ally, on) {
    var run = runAt(ally, on);
    return run ? run.stance : "unknown";
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) { node.textContent = text; }
  }

  function add(parent, tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    parent.appendChild(node);
    return node;
  }

  function row(list, term, value) {
    if (value === undefined || value === null || value === "") { return null; }
    add(list, "dt", term);
    return add(list, "dd", value);
  }

  function showEvidence(ally) {
    selected = ally;
    tiles.forEach(function (tile) {
      tile.classList.toggle("selected", tile.getAttribute("data-ally") === ally);
    });
    var on = day();
    var run = runAt(ally, on);
    var name = data.names[ally] || ally;
    panel.replaceChildren();
    panel.hidden = false;
    var stance = run ? run.stance : "unknown";
    add(panel, "h3", name + " (" + ally + "): " + stance + " on " + on);
    if (!run || !run.evidence) {
      add(panel, "p", "No evidence of a stance by this date.", "dek");
      return;
    }
    var d = run.detail || {};
    var meta = add(panel, "p", null, "dek");
    meta.textContent = (d.occurred_on || "") + " · " + (d.type || "") + " · " + run.evidence;
    if (d.quote) { add(panel, "blockquote", "“" + d.quote + "”", "quote"); }
    if (d.summary && !d.quote) { add(panel, "p", d.summary, "summary"); }
    var list = add(panel, "dl");
    row(list, "Since", run.since);
    row(list, "Conditions", run.conditions);
    row(list, "Speaker", d.speaker ? d.speaker + (d.role ? ", " + d.role : "") : null);
    var outlet = row(list, "Outlet", d.outlet);
    if (outlet && d.published_on) { outlet.textContent += ", published " + d.published_on; }
    if (d.url) {
      add(list, "dt", "Source");
      var cell = add(list, "dd", null, "source");
      if (d.href) {
        var link = add(cell, "a", d.url);
        link.setAttribute("href", d.href);
        link.setAttribute("rel", "noopener noreferrer nofollow");
      } else {
        cell.textContent = d.url;
      }
    }
    row(list, "Reliability", d.reliability || "reported");
  }

  function draw() {
    var index = Number(slider.value);
    var stop = data.stops[index];
    tiles.forEach(function (tile) {
      var ally = tile.getAttribute("data-ally");
      var stance = stanceAt(ally, stop.on);
      tile.setAttribute("data-stance", stance);
      tile.style.backgroundColor = data.colours[stance] || data.colours.unknown;
      tile.classList.toggle("marked", stance === data.marked);
      tile.setAttribute("aria-label", (data.names[ally] || ally) + " (" + ally + "): " + stance + " on " + stop.on);
    });
    Object.keys(stop.counts).forEach(function (stance) {
      setText("map-count-" + stance, String(stop.counts[stance]));
    });
    setText("map-supports", String(stop.counts.supports));
    setText("map-parties", String(stop.parties));
    setText("map-when", "On " + stop.on);
    setText("map-reached", stop.reached_on ? ": consensus reached on " + stop.reached_on : "");
    setText("map-date", stop.on);
    slider.setAttribute("aria-valuetext", stop.on);
    if (selected) { showEvidence(selected); }
  }

  tiles.forEach(function (tile) {
    var ally = tile.getAttribute("data-ally");
    tile.addEventListener("click", function () { showEvidence(ally); });
    tile.addEventListener("focus", function () { showEvidence(ally); });
  });
  slider.addEventListener("input", draw);
  slider.addEventListener("change", draw);
  document.getElementById("map-controls").hidden = false;
  document.getElementById("map-help").hidden = false;
  draw();
})();
