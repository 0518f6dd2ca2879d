/* Full-text search over search-index.js, which sets window.PROCEEDINGS_SEARCH_INDEX.
 *
 * A plain script, not a module, and no fetch: pages opened from disk (file://) may
 * not fetch files, but may run scripts. Text is folded like generator.formats.fold
 * (đ -> d, NFD, combining marks removed, lower case, non-alphanumerics -> spaces), so
 * "tre em" finds "trẻ em". Every term must start a word; results are ranked by how
 * often the terms and the whole phrase occur. Results are built with DOM methods and
 * textContent only: indexed text is never parsed as HTML.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 100;
  var SNIPPET_RADIUS = 90;

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var notice = document.getElementById("search-nojs");
  var index = window.PROCEEDINGS_SEARCH_INDEX;
  if (!form || !input || !status || !list || !index || !index.docs) {
    return; // leave the notice that explains search needs JavaScript
  }

  function foldText(text) {
    return text
      .replace(/[đĐ]/g, "d")
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  }

  // Fold text character by character, remembering where each folded character came
  // from, so a match in the folded text can be highlighted in the original.
  function foldWithMap(text) {
    var folded = "";
    var starts = [];
    var ends = [];
    var lastSpace = true;
    for (var i = 0; i < text.length; ) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      var piece = ch
        .replace(/[đĐ]/g, "d")
        .normalize("NFD")
        .replace(/\p{M}/gu, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, " ");
      for (var j = 0; j < piece.length; j++) {
        var c = piece[j];
        if (c === " " && lastSpace) continue;
        folded += c;
        starts.push(i);
        ends.push(i + ch.length);
        lastSpace = c === " ";
      }
      i += ch.length;
    }
    return { text: folded, starts: starts, ends: ends };
  }

  function countWordStarts(haystack, term) {
    var padded = " " + haystack;
    var needle = " " + term;
    var count = 0;
    var at = padded.indexOf(needle);
    while (at !== -1 && count < 20) {
      count += 1;
      at = padded.indexOf(needle, at + needle.length);
    }
    return count;
  }

  function search(query) {
    var phrase = foldText(query);
    var terms = phrase.split(" ").filter(Boolean);
    if (!terms.length) return [];
    var hits = [];
    index.docs.forEach(function (doc, order) {
      var score = 0;
      for (var k = 0; k < terms.length; k++) {
        var n = countWordStarts(doc.f, terms[k]);
        if (!n) return;
        score += n;
      }
      if (terms.length > 1) score += 5 * countWordStarts(doc.f, phrase);
      if (countWordStarts(foldText(doc.s), terms[0])) score += 3;
      hits.push({ doc: doc, score: score, order: order });
    });
    hits.sort(function (a, b) {
      return b.score - a.score || a.order - b.order;
    });
    return hits;
  }

  // Every place a term starts a word, as [start, end) offsets in the original text.
  function matchRanges(mapped, terms) {
    var padded = " " + mapped.text;
    var ranges = [];
    terms.forEach(function (term) {
      var at = padded.indexOf(" " + term);
      while (at !== -1) {
        ranges.push([mapped.starts[at], mapped.ends[at + term.length - 1]]);
        at = padded.indexOf(" " + term, at + term.length + 1);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  // The snippet as [text, highlighted] pieces: a window around the first place the
  // whole phrase occurs (or else the first term), with every term marked.
  function snippet(text, phrase, terms) {
    var mapped = foldWithMap(text);
    var first = matchRanges(mapped, [phrase])[0] || matchRanges(mapped, terms)[0];
    if (!first) return [[text.slice(0, 2 * SNIPPET_RADIUS) + (text.length > 2 * SNIPPET_RADIUS ? " …" : ""), false]];
    var left = Math.max(0, first[0] - SNIPPET_RADIUS);
    var right = Math.min(text.length, first[1] + SNIPPET_RADIUS);
    if (left > 0) left = text.indexOf(" ", left) + 1 || left;
    if (right < text.length) {
      var space = text.lastIndexOf(" ", right);
      if (space > first[1]) right = space;
    }
    var pieces = [];
    var at = left;
    matchRanges(mapped, terms.concat([phrase])).forEach(function (r) {
      if (r[1] <= left || r[0] >= right) return;
      var from = Math.max(r[0], at);
      var to = Math.min(r[1], right);
      if (from > at) pieces.push([text.slice(at, from), false]);
      if (to > from) pieces.push([text.slice(from, to), true]);
      at = Math.max(at, to);
    });
    if (at < right) pieces.push([text.slice(at, right), false]);
    if (left > 0) pieces.unshift(["… ", false]);
    if (right < text.length) pieces.push([" …", false]);
    return pieces;
  }

  function message(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function render(query) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var trimmed = query.trim();
    if (!trimmed) {
      status.textContent = message("empty", {});
      return;
    }
    var phrase = foldText(trimmed);
    var terms = phrase.split(" ").filter(Boolean);
    var hits = search(trimmed);
    var name = hits.length === 0 ? "none" : hits.length === 1 ? "one" : "many";
    status.textContent = message(name, { n: hits.length, q: trimmed });
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var doc = hit.doc;
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = doc.u;
      link.textContent = doc.s || doc.p;
      heading.appendChild(link);
      item.appendChild(heading);
      if (doc.s) {
        var page = document.createElement("p");
        page.className = "search-page";
        page.textContent = doc.p;
        item.appendChild(page);
      }
      var text = document.createElement("p");
      text.className = "search-snippet";
      snippet(doc.x, phrase, terms).forEach(function (part) {
        if (!part[0]) return;
        var node = part[1] ? document.createElement("mark") : document.createTextNode(part[0]);
        if (part[1]) node.textContent = part[0];
        text.appendChild(node);
      });
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  function remember(query) {
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("q", query);
      window.history.replaceState(null, "", url.toString());
    } catch (err) {
      // Some browsers refuse history changes for file:// pages; search still works.
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      render(input.value);
    }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    render(input.value);
    remember(input.value);
  });

  if (notice) notice.hidden = true;
  form.hidden = false;
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  render(initial);
})();
