/* reportc web edition, one page per chapter: the contents on narrow screens, note pop-ups
   (as on the single page: see report.html.j2) and the search box. Without scripts the
   pages read the same, the contents stay open and the search box stays hidden. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  if (!window.matchMedia("(min-width: 64em)").matches) {
    var toc = document.querySelector(".toc details");
    if (toc) { toc.removeAttribute("open"); }
  }

  /* Note pop-ups: previews for sighted readers (aria-hidden), never Tab stops; Escape hides
     the one under the pointer or focus (WCAG 1.4.13); kept within the window. */
  var notes = document.querySelectorAll(".fn");
  each(document.querySelectorAll(".fn-body a"), function (a) { a.setAttribute("tabindex", "-1"); });
  function place(note) {
    var body = note.querySelector(".fn-body");
    if (!body) { return; }
    var room = document.documentElement.clientWidth - 8;
    body.style.left = "";
    body.style.maxWidth = (room - 8) + "px";
    var box = body.getBoundingClientRect();
    var shift = 0;
    if (box.right > room) { shift = room - box.right; }
    if (box.left + shift < 8) { shift = 8 - box.left; }
    if (shift) { body.style.left = (parseFloat(getComputedStyle(body).left) + shift) + "px"; }
  }
  each(notes, function (note) {
    function show() { note.classList.remove("fn-dismissed"); place(note); }
    note.addEventListener("mouseenter", show);
    note.addEventListener("focusin", show);
  });
  function scrollable() {
    each(document.querySelectorAll("main table"), function (table) {
      if (table.scrollWidth > table.clientWidth + 1) { table.setAttribute("tabindex", "0"); }
      else { table.removeAttribute("tabindex"); }
    });
  }
  scrollable();
  window.addEventListener("resize", scrollable);

  /* Search: lunr over window.reportcSearch (assets/search-index.js, one entry per section).
     Both scripts are loaded when the reader first focuses the box (script elements, which
     work from file:// where fetch does not), so a page that is only read never loads the
     whole report's text. Down arrow moves from the box into the results, Up and Down
     between them, Escape closes the results and returns to the box; Tab works as usual. */
  var box = document.querySelector(".site-search");
  var base = document.currentScript ? document.currentScript.src.replace(/site\.js(\?.*)?$/, "") : "assets/";
  var docs = null;
  var loading = null;
  if (!box) { return; }
  var input = document.getElementById("site-search-input");
  var panel = document.getElementById("site-search-results");
  var status = document.getElementById("site-search-status");
  var list = panel.querySelector(".site-search-list");
  var byId = {};
  var index = null;
  var LIMIT = 20;
  /* The words the search prints: the page's language's (data-words), else English. */
  var WORDS = JSON.parse(box.getAttribute("data-words") || "{}");
  function word(key, english) { return WORDS[key] || english; }
  box.hidden = false;

  function build() {
    docs.forEach(function (doc) { byId[doc.id] = doc; });
    index = lunr(function () {
      this.ref("id");
      this.field("s", { boost: 4 });
      this.field("c", { boost: 2 });
      this.field("t");
      this.metadataWhitelist = ["position"];
      docs.forEach(function (doc) { this.add(doc); }, this);
    });
  }

  /* Every word must match (as typed, stemmed, or as the start of a longer word): one lunr
     query per word, the sections found by all of them, ranked by their summed scores. */
  function find(text) {
    var terms = lunr.tokenizer(text).map(function (t) { return t.toString(); })
      .filter(function (t) { return t.length > 0; });
    var found = null;
    terms.forEach(function (term) {
      var hits = {};
      index.query(function (query) {
        query.term(term, { boost: 10 });
        query.term(term, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
      }).forEach(function (hit) {
        if (found === null || found[hit.ref]) {
          hits[hit.ref] = { ref: hit.ref, score: hit.score + (found ? found[hit.ref].score : 0),
                            matchData: found ? found[hit.ref].matchData : hit.matchData };
        }
      });
      found = hits;
    });
    return Object.keys(found || {}).map(function (ref) { return found[ref]; })
      .sort(function (a, b) { return b.score - a.score || (a.ref < b.ref ? -1 : 1); });
  }

  function snippet(doc, hit) {
    var text = doc.t, start = 0;
    var fields = hit.matchData.metadata;
    Object.keys(fields).some(function (term) {
      var found = fields[term].t && fields[term].t.position;
      if (found && found.length) { start = found[0][0]; return true; }
      return false;
    });
    var from = Math.max(0, start - 60);
    if (from > 0) { from = text.indexOf(" ", from) + 1 || from; }  /* from a word's start */
    var piece = text.slice(from, from + 180);
    return (from > 0 ? "\u2026" : "") + piece + (from + 180 < text.length ? "\u2026" : "");
  }

  function show(hits) {
    list.textContent = "";
    hits.slice(0, LIMIT).forEach(function (hit) {
      var doc = byId[hit.ref];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.ref;
      a.className = "site-search-hit";
      var section = document.createElement("span");
      section.className = "site-search-section";
      section.textContent = doc.s;
      var chapter = document.createElement("span");
      chapter.className = "site-search-chapter";
      chapter.textContent = doc.s === doc.c ? "" : doc.c;
      a.appendChild(section);
      if (chapter.textContent) { a.appendChild(document.createTextNode(" ")); a.appendChild(chapter); }
      var text = document.createElement("p");
      text.className = "site-search-snippet";
      text.textContent = snippet(doc, hit);
      li.appendChild(a);
      li.appendChild(text);
      list.appendChild(li);
    });
    var count = hits.length;
    status.textContent = count === 0 ? word("search-no-results-text", "No results") :
      count + " " + (count === 1 ? word("search-result", "result") : word("search-results", "results")) +
      (count > LIMIT ? ", " + word("search-shown", "the first {count} shown").replace("{count}", LIMIT) : "");
  }

  function load(done) {
    if (docs) { done(); return; }
    if (!loading) {
      loading = [];
      var pending = ["lunr.min.js", "search-index.js"];
      var next = function () {
        var name = pending.shift();
        if (!name) {
          docs = window.reportcSearch || [];
          loading.forEach(function (fn) { fn(); });
          return;
        }
        var script = document.createElement("script");
        script.src = base + name;
        script.onload = next;
        script.onerror = function () { status.textContent = word("search-unavailable", "Search is not available"); panel.hidden = false; };
        document.head.appendChild(script);
      };
      next();
    }
    loading.push(done);
  }

  function update() {
    load(function () {
      var text = input.value.trim();
      if (!text) { close(false); return; }
      if (!index) { build(); }
      panel.hidden = false;
      show(find(text));
    });
  }

  function close(refocus) {
    panel.hidden = true;
    list.textContent = "";
    status.textContent = "";
    if (refocus) { input.focus(); }
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) { event.preventDefault(); links()[0].focus(); }
    if (event.key === "Escape") {
      if (!panel.hidden) { event.preventDefault(); close(true); } else { input.value = ""; }
    }
  });
  list.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : input).focus(); }
    if (event.key === "Escape") { event.preventDefault(); close(true); }
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) { close(false); }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) { close(false); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    each(notes, function (note) {
      if (note.matches(":hover, :focus-within")) { note.classList.add("fn-dismissed"); }
    });
  });
})();
