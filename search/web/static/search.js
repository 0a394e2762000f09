/*
 * The search box of `search serve`: plain JavaScript, no build step.
 *
 * Mounts into every element with a `data-jbs` attribute (and into the element named by
 * this script tag's `data-target`), and calls the API next to this file: a script loaded
 * from https://search.example.com/static/search.js asks https://search.example.com/api/,
 * unless the tag says otherwise with `data-api`. That makes the same file serve the page
 * at `/` and a blog that embeds the box (the API then needs `--cors` for the blog).
 *
 * Post text only ever enters the page as text nodes; highlights are <mark> elements built
 * from the API's code-point offsets. Nothing from a post is parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var apiBase = new URL((script && script.dataset.api) || "../", script ? script.src : location.href);
  var DEBOUNCE_MS = 220;
  var PAGE_SIZE = 10;
  var TAGS_SHOWN = 12;
  var MAX_OFFSET = 1000; // the API's caps (search/web/api.py)
  var MAX_QUERY_CHARS = 200;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // The API counts offsets in code points (as Python does); JavaScript strings count UTF-16
  // units, so a character outside the BMP (𠮷, an emoji) would shift every later highlight.
  function highlighted(text, spans) {
    var frag = document.createDocumentFragment();
    var chars = Array.from(text || "");
    var pos = 0;
    (spans || [])
      .slice()
      .sort(function (a, b) { return a[0] - b[0]; })
      .forEach(function (span) {
        var start = Math.max(pos, Math.min(span[0], chars.length));
        var end = Math.max(start, Math.min(span[1], chars.length));
        if (end === start) return;
        if (start > pos) frag.append(chars.slice(pos, start).join(""));
        frag.append(el("mark", "jbs-mark", chars.slice(start, end).join("")));
        pos = end;
      });
    if (pos < chars.length) frag.append(chars.slice(pos).join(""));
    return frag;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|\/(?!\/))/.test(url) ? url : null;
  }

  function mount(root) {
    if (root.dataset.jbsMounted) return;
    root.dataset.jbsMounted = "1";
    root.classList.add("jbs");
    var keepHistory = root.hasAttribute("data-history");
    var inFrame = window.top !== window.self;

    var form = el("form", "jbs-form");
    form.setAttribute("role", "search");
    var input = el("input", "jbs-q");
    input.type = "search";
    input.name = "q";
    input.autocomplete = "off";
    input.maxLength = MAX_QUERY_CHARS;
    input.placeholder = root.dataset.placeholder || "キーワードを入力";
    input.setAttribute("aria-label", "記事を検索");
    input.setAttribute("enterkeyhint", "search");
    form.append(input);
    var active = el("div", "jbs-active");
    var status = el("p", "jbs-status");
    status.setAttribute("aria-live", "polite");
    var body = el("div", "jbs-body");
    var results = el("ol", "jbs-results");
    var facets = el("aside", "jbs-facets");
    facets.setAttribute("aria-label", "絞り込み");
    var pager = el("nav", "jbs-pager");
    pager.setAttribute("aria-label", "ページ");
    body.append(results, facets);
    root.append(form, active, status, body, pager);

    var state = { q: "", tags: [], category: "", year: "", offset: 0 };
    var timer = null;
    var composing = false;
    var inflight = null;
    var seq = 0;

    function readLocation() {
      var p = new URLSearchParams(location.search);
      state.q = p.get("q") || "";
      state.tags = p.getAll("tag");
      state.category = p.get("category") || "";
      state.year = /^\d{4}$/.test(p.get("year") || "") ? p.get("year") : "";
      state.offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
      input.value = state.q;
    }

    function pageParams() {
      var p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      state.tags.forEach(function (t) { p.append("tag", t); });
      if (state.category) p.set("category", state.category);
      if (state.year) p.set("year", state.year);
      if (state.offset) p.set("offset", String(state.offset));
      return p;
    }

    function apiParams() {
      var p = new URLSearchParams();
      p.set("q", state.q);
      state.tags.forEach(function (t) { p.append("tag", t); });
      if (state.category) p.append("category", state.category);
      if (state.year) {
        p.set("since", state.year + "-01-01");
        p.set("until", state.year + "-12-31");
      }
      if (!state.q) p.set("sort", "date"); // filters alone: newest first
      p.set("limit", String(PAGE_SIZE));
      p.set("offset", String(state.offset));
      return p;
    }

    function hasFilters() {
      return state.tags.length > 0 || !!state.category || !!state.year;
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    }

    function clear() {
      results.replaceChildren();
      facets.replaceChildren();
      pager.replaceChildren();
      status.textContent = "";
      root.classList.remove("jbs-has-results");
    }

    function run() {
      clearTimeout(timer);
      if (keepHistory) {
        var qs = pageParams().toString();
        history.replaceState(null, "", qs ? "?" + qs : location.pathname);
      }
      renderActive();
      if (!state.q && !hasFilters()) {
        if (inflight) inflight.abort();
        clear();
        return;
      }
      if (inflight) inflight.abort();
      var controller = new AbortController();
      inflight = controller;
      var mine = ++seq;
      root.classList.add("jbs-loading");
      fetch(new URL("api/search?" + apiParams().toString(), apiBase), { signal: controller.signal })
        .then(function (res) {
          return res.json().then(function (data) { return { ok: res.ok, data: data }; });
        })
        .then(function (answer) {
          if (mine !== seq) return;
          if (!answer.ok) throw new Error(answer.data && answer.data.error ? answer.data.error : "error");
          render(answer.data);
        })
        .catch(function (err) {
          if (err.name === "AbortError" || mine !== seq) return;
          clear();
          status.textContent = "検索できませんでした: " + err.message;
          status.className = "jbs-status jbs-error";
        })
        .finally(function () {
          if (mine === seq) root.classList.remove("jbs-loading");
        });
    }

    function render(data) {
      status.className = "jbs-status";
      results.replaceChildren();
      var label = state.q ? "「" + state.q + "」" : "絞り込み";
      if (!data.total) {
        status.textContent = label + "に一致する記事は見つかりませんでした。";
      } else {
        var first = data.offset + 1;
        var last = data.offset + data.hits.length;
        status.textContent = label + ": " + data.total + "件中 " + first + "–" + last + "件";
        if (data.partial) {
          status.append(el("span", "jbs-partial", "（すべての語を含む記事がないため、一部の語に一致した記事です）"));
        }
      }
      data.hits.forEach(function (hit) { results.append(renderHit(hit)); });
      root.classList.toggle("jbs-has-results", data.hits.length > 0);
      renderFacets(data.facets);
      renderPager(data);
    }

    function renderHit(hit) {
      var li = el("li", "jbs-hit");
      var h = el("h3", "jbs-title");
      var url = safeUrl(hit.url);
      var link = el(url ? "a" : "span", "jbs-link");
      if (url) {
        link.href = url;
        if (inFrame) link.target = "_top";
      }
      link.append(highlighted(hit.title || hit.path, hit.title ? hit.title_highlights : []));
      h.append(link);
      li.append(h);
      var meta = el("p", "jbs-meta");
      if (hit.date) meta.append(el("time", "jbs-date", hit.date.slice(0, 10)));
      (hit.tags || []).forEach(function (tag) {
        var b = el("button", "jbs-tag", "#" + tag);
        b.type = "button";
        b.addEventListener("click", function () { addTag(tag); });
        meta.append(b);
      });
      li.append(meta);
      var snippet = el("p", "jbs-snippet");
      snippet.append(highlighted(hit.snippet, hit.highlights));
      li.append(snippet);
      return li;
    }

    function facetGroup(title, kind, entries, selected, limit) {
      if (!entries.length) return null;
      var section = el("section", "jbs-facet jbs-facet-" + kind);
      section.append(el("h2", "jbs-facet-title", title));
      var list = el("ul", "jbs-facet-list");
      entries.slice(0, limit || entries.length).forEach(function (entry) {
        var li = el("li");
        var b = el("button", "jbs-facet-value");
        b.type = "button";
        b.dataset.kind = kind;
        b.dataset.value = entry[0];
        var on = selected(entry[0]);
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.append(el("span", "jbs-facet-name", entry[0]), el("span", "jbs-count", entry[1]));
        b.addEventListener("click", function () { toggle(kind, entry[0]); });
        li.append(b);
        list.append(li);
      });
      section.append(list);
      return section;
    }

    function byCount(obj) {
      return Object.keys(obj || {})
        .map(function (k) { return [k, obj[k]]; })
        .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); });
    }

    function renderFacets(f) {
      facets.replaceChildren();
      if (!f) return;
      // JSON object keys that look like numbers ("2024") come back in ascending order in
      // JavaScript whatever the server sent, so years are sorted here, newest first.
      var years = Object.keys(f.years || {})
        .sort(function (a, b) { return b - a; })
        .map(function (y) { return [y, f.years[y]]; });
      [
        facetGroup("タグ", "tag", byCount(f.tags), function (v) { return state.tags.indexOf(v) >= 0; }, TAGS_SHOWN),
        facetGroup("年", "year", years, function (v) { return state.year === v; }),
        facetGroup("カテゴリー", "category", byCount(f.categories), function (v) { return state.category === v; }),
      ].forEach(function (g) { if (g) facets.append(g); });
    }

    function renderPager(data) {
      pager.replaceChildren();
      if (data.total <= PAGE_SIZE) return;
      var prev = el("button", "jbs-prev", "前へ");
      var next = el("button", "jbs-next", "次へ");
      prev.type = next.type = "button";
      prev.disabled = data.offset === 0;
      next.disabled =
        data.offset + data.hits.length >= data.total || data.offset + PAGE_SIZE > MAX_OFFSET;
      prev.addEventListener("click", function () { go(Math.max(0, state.offset - PAGE_SIZE)); });
      next.addEventListener("click", function () { go(state.offset + PAGE_SIZE); });
      var page = Math.floor(data.offset / PAGE_SIZE) + 1;
      var pages = Math.ceil(data.total / PAGE_SIZE);
      pager.append(prev, el("span", "jbs-page-no", page + " / " + pages), next);
    }

    function go(offset) {
      state.offset = offset;
      run();
      if (root.getBoundingClientRect().top < 0) root.scrollIntoView({ block: "start" });
    }

    function addTag(tag) {
      if (state.tags.indexOf(tag) < 0) state.tags.push(tag);
      state.offset = 0;
      run();
    }

    function toggle(kind, value) {
      if (kind === "tag") {
        var i = state.tags.indexOf(value);
        if (i >= 0) state.tags.splice(i, 1);
        else state.tags.push(value);
      } else {
        state[kind] = state[kind] === value ? "" : value;
      }
      state.offset = 0;
      run();
    }

    function renderActive() {
      active.replaceChildren();
      var chips = state.tags.map(function (t) { return ["tag", t, "#" + t]; });
      if (state.category) chips.push(["category", state.category, state.category]);
      if (state.year) chips.push(["year", state.year, state.year + "年"]);
      chips.forEach(function (c) {
        var b = el("button", "jbs-chip", c[2]);
        b.type = "button";
        b.setAttribute("aria-label", c[2] + " の絞り込みを外す");
        b.addEventListener("click", function () { toggle(c[0], c[1]); });
        active.append(b);
      });
    }

    // Typing Japanese goes through an input method: the text changes with every key while
    // the reader is still choosing kanji. Searching then would flash results for half a
    // word, so nothing is sent until the composition ends.
    input.addEventListener("compositionstart", function () {
      composing = true;
      clearTimeout(timer);
    });
    input.addEventListener("compositionend", function () {
      composing = false;
      onType();
    });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) return;
      onType();
    });
    function onType() {
      var q = input.value.trim();
      if (q === state.q) return;
      state.q = q;
      state.offset = 0;
      schedule(DEBOUNCE_MS);
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (composing) return;
      state.q = input.value.trim();
      state.offset = 0;
      run();
    });

    if (keepHistory) readLocation();
    if (state.q || hasFilters()) run();
  }

  function mountAll() {
    document.querySelectorAll("[data-jbs]").forEach(mount);
    var target = script && script.dataset.target;
    if (target) {
      var node = document.querySelector(target);
      if (node) mount(node);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
