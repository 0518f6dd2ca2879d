/* Full-text search over the sharded index in search/ (generator/site/search_index.py).
 *
 * A plain script, not a module, and no fetch: pages opened from disk (file://) may
 * not fetch files, but may run scripts. search/manifest.js (loaded by the page) lists
 * the shard keys; for a query this script adds a <script> for each shard its words
 * need (search/t-<key>.js), and then for the chunks of pages that hold the results
 * on screen (search/p-<part>-<chunk>.js, for links and snippets). Each calls
 * PROCEEDINGS_SEARCH.shard or .part, defined below. Text is folded like
 * generator.formats.fold (đ -> d, NFD, combining marks removed, lower case,
 * non-alphanumerics -> spaces), so "tre em" finds "trẻ em". Every term must start a
 * word; results are ranked by how often the terms and the whole phrase occur,
 * computed from word positions. Results are built with DOM methods and textContent
 * only: indexed text is never parsed as HTML.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10; // results shown at once: each may need its page's texts
  var COUNT_CAP = 20; // occurrences counted per term and for the phrase
  var SNIPPET_RADIUS = 90;

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var notice = document.getElementById("search-nojs");
  var manifestScript = document.getElementById("search-manifest");
  var manifest = window.PROCEEDINGS_SEARCH_MANIFEST;
  if (!form || !input || !status || !list || !more || !manifestScript || !manifest ||
      manifest.version !== 2) {
    return; // leave the notice that explains search needs JavaScript
  }
  var base = manifestScript.src.replace(/manifest\.js(\?.*)?$/, "");

  // --- loading shards and parts ----------------------------------------------------

  var shards = {};
  var parts = {};
  var loading = {};
  window.PROCEEDINGS_SEARCH = {
    shard: function (key, words) { shards[key] = words; },
    part: function (part, chunk, docs) { parts[part + "-" + chunk] = docs; }
  };

  function load(name) {
    if (!loading[name]) {
      loading[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = base + name;
        script.async = true;
        script.onload = function () { resolve(); };
        script.onerror = function () {
          delete loading[name];
          script.remove();
          reject(new Error("cannot load " + name));
        };
        document.head.appendChild(script);
      });
    }
    return loading[name];
  }

  // The shards that may hold words starting with term: the longest key that term
  // starts with (which holds term's own word), and every longer key under term.
  function shardsFor(term) {
    var found = [];
    var best = null;
    manifest.shards.forEach(function (key) {
      if (term.lastIndexOf(key, 0) === 0) {
        if (best === null || key.length > best.length) best = key;
      } else if (key.lastIndexOf(term, 0) === 0) {
        found.push(key);
      }
    });
    if (best !== null) found.push(best);
    return found;
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

  // What one term finds, by section ("part:section"): its occurrences, whether it is
  // in the heading, and the positions the phrase needs: with exact true, of words
  // equal to the term (the phrase goes on after it); false, of words starting with
  // it (the phrase's last term); null, none (a one-word query).
  function postings(term, keys, exact) {
    var found = {};
    keys.forEach(function (key) {
      var words = shards[key];
      Object.keys(words).forEach(function (word) {
        if (word.lastIndexOf(term, 0) !== 0) return;
        var keep = exact === false || (exact === true && word === term);
        decode(words[word], function (part, doc, count, heading, positions) {
          var id = part + ":" + doc;
          var hit = found[id] || (found[id] = { part: part, doc: doc, n: 0, head: 0, pos: [] });
          hit.n += count;
          hit.head |= heading;
          if (keep) Array.prototype.push.apply(hit.pos, positions);
        });
      });
    });
    return found;
  }

  // Walk a word's postings (generator/site/search_index.py): numbers in base 32,
  // low digits first, DIGITS[32:] meaning "more follow". Part delta, length of the
  // part's string, then per section: section delta, 2 × count + heading, positions
  // (delta-coded).
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VALUE = [];
  for (var d = 0; d < DIGITS.length; d++) VALUE[DIGITS.charCodeAt(d)] = d;

  function decode(text, visit) {
    var i = 0;
    function read() {
      var number = 0;
      var scale = 1;
      var value;
      while ((value = VALUE[text.charCodeAt(i++)]) >= 32) {
        number += (value - 32) * scale;
        scale *= 32;
      }
      return number + value * scale;
    }
    var part = 0;
    while (i < text.length) {
      part += read();
      var length = read();
      var end = i + length;
      var doc = 0;
      while (i < end) {
        doc += read();
        var flags = read();
        var count = flags >> 1;
        var positions = new Array(count);
        var at = 0;
        for (var k = 0; k < count; k++) {
          at += read();
          positions[k] = at;
        }
        visit(part, doc, count, flags & 1, positions);
      }
    }
  }

  // How often the whole phrase occurs, without overlaps: the words of every term but
  // the last, in order, then a word starting with the last.
  function phraseCount(hits) {
    var sets = hits.map(function (hit) {
      var set = {};
      hit.pos.forEach(function (p) { set[p] = true; });
      return set;
    });
    var starts = hits[0].pos.slice().sort(function (a, b) { return a - b; });
    var count = 0;
    var next = -1;
    for (var i = 0; i < starts.length && count < COUNT_CAP; i++) {
      var p = starts[i];
      if (p < next) continue;
      var all = true;
      for (var k = 1; k < sets.length && all; k++) all = sets[k][p + k] === true;
      if (all) {
        count += 1;
        next = p + sets.length;
      }
    }
    return count;
  }

  function search(terms) {
    var needed = {};
    terms.forEach(function (term) {
      shardsFor(term).forEach(function (key) { needed[key] = true; });
    });
    return Promise.all(Object.keys(needed).sort().map(function (key) {
      return load("t-" + key + ".js");
    })).then(function () { return rank(terms); });
  }

  function rank(terms) {
    var phrase = terms.length > 1;
    var found = terms.map(function (term, k) {
      return postings(term, shardsFor(term), phrase ? k < terms.length - 1 : null);
    });
    var hits = [];
    Object.keys(found[0]).forEach(function (id) {
      var per = found.map(function (f) { return f[id]; });
      if (per.some(function (hit) { return !hit; })) return;
      var score = 0;
      per.forEach(function (hit) { score += Math.min(hit.n, COUNT_CAP); });
      if (phrase) score += 5 * phraseCount(per);
      if (per[0].head) score += 3;
      hits.push({ part: per[0].part, doc: per[0].doc, score: score });
    });
    hits.sort(function (a, b) {
      return b.score - a.score || a.part - b.part || a.doc - b.doc;
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

  // Load the chunks of parts that hold hits (for their texts), then show them.
  function show(hits, phrase, terms, token, focus) {
    var wanted = {};
    hits.forEach(function (hit) {
      hit.chunk = hit.part + "-" + Math.floor(hit.doc / manifest.chunk);
      wanted[hit.chunk] = true;
    });
    return Promise.all(Object.keys(wanted).sort().map(function (chunk) {
      return load("p-" + chunk + ".js");
    })).then(function () {
      if (token !== current) return;
      hits.forEach(function (hit, k) {
        var item = result(parts[hit.chunk][hit.doc % manifest.chunk], phrase, terms);
        list.appendChild(item);
        if (focus && k === 0) item.querySelector("a").focus();
      });
    });
  }

  function result(doc, phrase, terms) {
    var url = doc[0], page = doc[1], section = doc[2], text = doc[3];
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = section || page;
    heading.appendChild(link);
    item.appendChild(heading);
    if (section) {
      var where = document.createElement("p");
      where.className = "search-page";
      where.textContent = page;
      item.appendChild(where);
    }
    var snip = document.createElement("p");
    snip.className = "search-snippet";
    snippet(text, phrase, terms).forEach(function (piece) {
      if (!piece[0]) return;
      var node = piece[1] ? document.createElement("mark") : document.createTextNode(piece[0]);
      if (piece[1]) node.textContent = piece[0];
      snip.appendChild(node);
    });
    item.appendChild(snip);
    return item;
  }

  var current = 0; // the render in progress; older ones stop when it starts
  var pending = null; // hits not shown yet, with what showing them needs

  function render(query) {
    var token = ++current;
    while (list.firstChild) list.removeChild(list.firstChild);
    more.hidden = true;
    pending = null;
    var trimmed = query.trim();
    var phrase = foldText(trimmed);
    var terms = phrase.split(" ").filter(Boolean);
    if (!terms.length) {
      list.removeAttribute("aria-busy");
      status.textContent = message("empty", {});
      return Promise.resolve();
    }
    // Busy until the first results are on screen (bench/search_bytes.py waits so).
    list.setAttribute("aria-busy", "true");
    status.textContent = message("loading", {});
    return search(terms).then(function (hits) {
      if (token !== current) return;
      var name = hits.length === 0 ? "none" : hits.length === 1 ? "one" : "many";
      pending = { hits: hits, shown: 0, phrase: phrase, terms: terms, token: token };
      return next(false).then(function () {
        if (token !== current) return;
        status.textContent = message(name, { n: hits.length, q: trimmed });
        list.removeAttribute("aria-busy");
      });
    }).catch(function () {
      if (token !== current) return;
      status.textContent = message("failed", {});
      list.removeAttribute("aria-busy");
    });
  }

  // Show the next PAGE_SIZE hits; the "more" button stays while hits remain.
  function next(focus) {
    var p = pending;
    var batch = p.hits.slice(p.shown, p.shown + PAGE_SIZE);
    p.shown += batch.length;
    return show(batch, p.phrase, p.terms, p.token, focus).then(function () {
      if (p.token === current) more.hidden = p.shown >= p.hits.length;
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
  more.addEventListener("click", function () {
    if (!pending) return;
    more.disabled = true;
    next(true).catch(function () {
      status.textContent = message("failed", {});
    }).then(function () { more.disabled = false; });
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
