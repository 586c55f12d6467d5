// Search on the static site: reads ?q= (and the filters) from the address, fetches the
// parts of /search/index/ the query needs and shows the results as the server's search
// page does. Normalisation, scoring and order are the server's (src/search.rs and
// src/search/normalize.rs): tests/it/search.rs checks both give the same advisories.
"use strict";
(function () {
  // ---- Normalisation (src/search/normalize.rs) ----
  var LETTERS = {
    "ك": "ک", "ک": "ک",
    "ي": "ی", "ى": "ی", "ی": "ی", "ے": "ی", "ې": "ی", "ۍ": "ی", "ئ": "ی", "ۓ": "ی",
    "ه": "ہ", "ہ": "ہ", "ۂ": "ہ", "ۃ": "ہ", "ة": "ہ", "ھ": "ہ", "ە": "ہ",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و"
  };
  var ALNUM = /^[\p{Alphabetic}\p{N}]$/u;

  // One character as search sees it: "" when dropped (a diacritic, a joiner).
  function fold(c) {
    if (Object.prototype.hasOwnProperty.call(LETTERS, c)) return LETTERS[c];
    var cp = c.codePointAt(0);
    if (cp >= 0x6f0 && cp <= 0x6f9) return String(cp - 0x6f0);
    if (cp >= 0x660 && cp <= 0x669) return String(cp - 0x660);
    if ((cp >= 0x64b && cp <= 0x65f) || cp === 0x670 || (cp >= 0x610 && cp <= 0x61a) ||
        (cp >= 0x6d6 && cp <= 0x6ed) || cp === 0x640) return "";
    if ((cp >= 0x200b && cp <= 0x200f) || cp === 0x61c || cp === 0x2060 || cp === 0xfeff) return "";
    return c;
  }

  // The words of text, folded and lower-cased, as [start, end, word] (UTF-16 offsets).
  function words(text) {
    var out = [], current = "", start = 0, i = 0;
    for (var c of text) {
      var f = fold(c);
      if (f === "") {
        // dropped characters do not split a word
      } else if (ALNUM.test(f)) {
        if (current === "") start = i;
        current += f.toLowerCase();
      } else if (current !== "") {
        out.push([start, i, current]);
        current = "";
      }
      i += c.length;
    }
    if (current !== "") out.push([start, text.length, current]);
    return out;
  }

  var STOP = new Set(("a an and are as at be by for from has have i in is it its me my of on or our " +
    "that the their this to was we were with you your").split(" "));

  function term(word) {
    if (STOP.has(word)) return null;
    return /^[a-z]+$/.test(word) ? stem(word) : word;
  }

  function terms(text) {
    return words(text).map(function (w) { return term(w[2]); }).filter(function (t) { return t !== null; });
  }

  function length(s) { return Array.from(s).length; }

  function matches(word, queryTerms) {
    var t = term(word);
    return t !== null && queryTerms.some(function (q) {
      return t === q || (length(q) >= 3 && t.startsWith(q));
    });
  }

  // ---- The Snowball English (Porter2) stemmer, as the rust-stemmers crate has it ----
  function isV(c) { return c !== undefined && "aeiouy".indexOf(c) >= 0; }
  function isVWXY(c) { return isV(c) || c === "w" || c === "x" || c === "Y"; }
  // A short syllable ends at `end`.
  function shortv(w, end) {
    if (end >= 3 && !isVWXY(w[end - 1]) && isV(w[end - 2]) && !isV(w[end - 3])) return true;
    return end === 2 && !isV(w[1]) && isV(w[0]);
  }
  // The end of "a vowel, then a non-vowel" searched from `from`, or -1.
  function region(w, from) {
    var i = from;
    while (i < w.length && !isV(w[i])) i++;
    while (i < w.length && isV(w[i])) i++;
    return i < w.length ? i + 1 : -1;
  }
  // The longest of `suffixes` (longest first) that w ends with.
  function suffix(w, suffixes) {
    for (var i = 0; i < suffixes.length; i++) if (w.endsWith(suffixes[i][0])) return suffixes[i];
    return null;
  }
  var EXCEPTIONS = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl", gently: "gentl",
    ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe",
    atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes"
  };
  var AFTER_1A = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"];
  var STEP_2 = [["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
    ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"], ["entli", "ent"],
    ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"], ["iviti", "ive"], ["fulli", "ful"],
    ["enci", "ence"], ["anci", "ance"], ["abli", "able"], ["izer", "ize"], ["ator", "ate"], ["alli", "al"],
    ["bli", "ble"], ["ogi", "og"], ["li", ""]];
  var STEP_3 = [["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
    ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""]];
  var STEP_4 = ["ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous",
    "ive", "ize", "ion", "al", "er", "ic"].map(function (s) { return [s, ""]; });

  function stem(word) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, word)) return EXCEPTIONS[word];
    if (word.length < 3) return word;
    var w = word.split("");
    if (w[0] === "y") w[0] = "Y";
    for (var i = 0; i + 1 < w.length; i++) if (isV(w[i]) && w[i + 1] === "y") w[i + 1] = "Y";
    w = w.join("");
    var p1 = w.length, p2 = w.length;
    var prefix = ["gener", "commun", "arsen"].find(function (p) { return w.startsWith(p); });
    var r1 = prefix ? prefix.length : region(w, 0);
    if (r1 >= 0) {
      p1 = r1;
      var r2 = region(w, p1);
      if (r2 >= 0) p2 = r2;
    }
    // Step 1a
    if (w.endsWith("sses")) w = w.slice(0, -2);
    else if (w.endsWith("ied") || w.endsWith("ies")) w = w.slice(0, -3) + (w.length - 3 >= 2 ? "i" : "ie");
    else if (w.endsWith("ss") || w.endsWith("us")) { /* unchanged */ }
    else if (w.endsWith("s") && /[aeiouy]/.test(w.slice(0, -2))) w = w.slice(0, -1);
    if (AFTER_1A.indexOf(w) < 0) {
      // Step 1b
      var s1b = suffix(w, [["eedly", 1], ["ingly", 2], ["edly", 2], ["eed", 1], ["ing", 2], ["ed", 2]]);
      if (s1b && s1b[1] === 1) {
        if (w.length - s1b[0].length >= p1) w = w.slice(0, -s1b[0].length) + "ee";
      } else if (s1b && /[aeiouy]/.test(w.slice(0, -s1b[0].length))) {
        w = w.slice(0, -s1b[0].length);
        if (/(at|bl|iz)$/.test(w)) w += "e";
        else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
        else if (p1 === w.length && shortv(w, w.length)) w += "e";
      }
      // Step 1c
      if (/[yY]$/.test(w) && w.length >= 3 && !isV(w[w.length - 2])) w = w.slice(0, -1) + "i";
      // Step 2
      var s2 = suffix(w, STEP_2);
      if (s2 && w.length - s2[0].length >= p1) {
        var before = w[w.length - s2[0].length - 1];
        if (s2[0] === "ogi") { if (before === "l") w = w.slice(0, -3) + "og"; }
        else if (s2[0] === "li") { if (before !== undefined && "cdeghkmnrt".indexOf(before) >= 0) w = w.slice(0, -2); }
        else w = w.slice(0, -s2[0].length) + s2[1];
      }
      // Step 3
      var s3 = suffix(w, STEP_3);
      if (s3 && w.length - s3[0].length >= p1 && (s3[0] !== "ative" || w.length - 5 >= p2)) {
        w = w.slice(0, -s3[0].length) + s3[1];
      }
      // Step 4
      var s4 = suffix(w, STEP_4);
      if (s4 && w.length - s4[0].length >= p2) {
        if (s4[0] !== "ion") w = w.slice(0, -s4[0].length);
        else if (/[st]ion$/.test(w)) w = w.slice(0, -3);
      }
      // Step 5
      var at = w.length - 1;
      if (w[at] === "e" && (at >= p2 || (at >= p1 && !shortv(w, at)))) w = w.slice(0, -1);
      else if (w[at] === "l" && at >= p2 && w[at - 1] === "l") w = w.slice(0, -1);
    }
    return w.replace(/Y/g, "y");
  }

  // ---- The index (src/render/search_index.rs) ----
  function hex(s) {
    return Array.from(new TextEncoder().encode(s), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function key(t) { return Array.from(t).slice(0, 3).join(""); }
  function idFile(upper, files) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(upper).forEach(function (b) { h = Math.imul(h ^ b, 0x01000193) >>> 0; });
    return h % files;
  }

  // Fetches are kept: a query's terms often share a file, a fallback language reuses them.
  function Loader(base) {
    var cache = new Map();
    return function (path) {
      if (!cache.has(path)) {
        cache.set(path, fetch(base + path).then(function (r) {
          if (r.status === 404) return null;
          if (!r.ok) throw new Error(r.status + " " + path);
          return r.json();
        }));
      }
      return cache.get(path);
    };
  }

  function undoGaps(gaps) {
    var out = [], doc = 0;
    for (var i = 0; i < gaps.length; i++) { doc += gaps[i]; out.push(doc); }
    return out;
  }

  // The documents of `lang` matching every term (and the filters), best first: {total, hits}.
  async function searchIn(config, load, lang, queryTerms, filters) {
    var allowed = null;
    for (var f of filters) {
      var docs = new Set(undoGaps((await load("f/" + f[0] + "/" + hex(f[1]) + ".json")) || []));
      allowed = allowed === null ? docs : new Set(Array.from(allowed).filter(function (d) { return docs.has(d); }));
    }
    var scores;
    if (queryTerms.length === 0) {
      scores = new Map();
      for (var n = 0; n < config.docs; n++) scores.set(n, 0);
    } else {
      var files = await Promise.all(queryTerms.map(function (q) {
        return load(lang + "/t/" + hex(key(q)) + ".json");
      }));
      for (var k = 0; k < queryTerms.length; k++) {
        var q = queryTerms[k], file = files[k] || {}, prefix = length(q) >= 3, these = new Map();
        for (var t in file) {
          var exact = t === q;
          if (!exact && !(prefix && t.startsWith(q))) continue;
          var postings = file[t], doc = 0;
          for (var i = 0; i < postings.length; i += 2) {
            doc += postings[i];
            var weight = exact ? postings[i + 1] * 2 : postings[i + 1];
            these.set(doc, Math.max(these.get(doc) || 0, weight));
          }
        }
        if (scores === undefined) scores = these;
        else {
          var both = new Map();
          scores.forEach(function (score, d) { if (these.has(d)) both.set(d, score + these.get(d)); });
          scores = both;
        }
      }
    }
    var hits = [];
    scores.forEach(function (score, d) { if (allowed === null || allowed.has(d)) hits.push([d, score]); });
    hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return { total: hits.length, hits: hits.slice(0, config.page).map(function (h) { return h[0]; }), lang: lang };
  }

  // Like the server: the page's language, else the first other language that finds any.
  async function search(config, load, text, filters) {
    var queryTerms = terms(text).filter(function (t, i, all) { return i === 0 || all[i - 1] !== t; })
      .slice(0, config.max_terms);
    var found = await searchIn(config, load, config.lang, queryTerms, filters);
    if (found.total > 0 || text.trim() === "") return found;
    for (var l of config.languages) {
      if (l[0] === config.lang) continue;
      var other = await searchIn(config, load, l[0], queryTerms, filters);
      if (other.total > 0) return other;
    }
    return found;
  }

  // ---- The page (templates/search.html, served) ----
  // The first sentence of the summary or body holding a term, as [text, marked] runs.
  function snippet(doc, queryTerms) {
    var split = function (s) { return s.match(/[^.!?۔]*[.!?۔]|[^.!?۔]+$/g) || []; };
    var sentences = split(doc.summary);
    doc.body.split("\n\n").forEach(function (p) { sentences = sentences.concat(split(p)); });
    var chosen = null;
    if (queryTerms.length > 0) {
      chosen = sentences.find(function (s) {
        return words(s).some(function (w) { return matches(w[2], queryTerms); });
      });
    }
    var sentence = (chosen === undefined || chosen === null ? doc.summary : chosen).trim();
    if (length(sentence) > 240) sentence = Array.from(sentence).slice(0, 240).join("") + "…";
    var out = [], at = 0;
    words(sentence).forEach(function (w) {
      if (!matches(w[2], queryTerms)) return;
      if (w[0] > at) out.push([sentence.slice(at, w[0]), false]);
      out.push([sentence.slice(w[0], w[1]), true]);
      at = w[1];
    });
    if (at < sentence.length) out.push([sentence.slice(at), false]);
    return out;
  }

  function element(name, attributes, children) {
    var e = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (a) { e.setAttribute(a, attributes[a]); });
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  }

  function fill(template, pairs) {
    return Object.keys(pairs).reduce(function (s, k) { return s.split("{" + k + "}").join(pairs[k]); }, template);
  }

  function href(config, text, chosen) {
    var parts = ["q=" + encodeURIComponent(text)];
    config.filters.forEach(function (g) {
      if (chosen[g.param]) parts.push(g.param + "=" + encodeURIComponent(chosen[g.param]));
    });
    return "?" + parts.join("&");
  }

  function card(config, doc, snippetRuns, wordsLang) {
    var title = element("a", { href: doc.url }, [doc.title]);
    if (doc.title_lang) { title.lang = doc.title_lang; title.dir = doc.title_dir; }
    var text = element("p", {}, snippetRuns.map(function (r) { return r[1] ? element("mark", {}, [r[0]]) : r[0]; }));
    if (wordsLang !== config.lang) {
      text.lang = wordsLang;
      text.dir = (config.languages.find(function (l) { return l[0] === wordsLang; }) || [0, "ltr"])[1];
    }
    var badge = function (cls, label) { return element("span", { class: cls }, [label]); };
    return element("article", { class: "card sev-" + doc.severity }, [
      element("h2", {}, [title]),
      element("p", { class: "badges" }, [badge("badge sev", doc.severity_label), " ",
        badge("badge", doc.status_label), " ", badge("badge kind", doc.kind_label)]),
      text,
      element("p", { class: "meta" }, [element("time", { datetime: doc.date_iso }, [doc.date_text])])
    ]);
  }

  async function run() {
    var config = JSON.parse(document.getElementById("search-config").textContent);
    var out = document.getElementById("search-results");
    var note = document.getElementById("search-static");
    if (note) note.hidden = true;
    var params = new URLSearchParams(location.search);
    var text = Array.from((params.get("q") || "").replace(/\p{Cc}/gu, "")).slice(0, config.max_query).join("").trim();
    var chosen = {};
    var filters = [];
    config.filters.forEach(function (g) {
      var v = params.get(g.param);
      if (v && g.options.some(function (o) { return o[0] === v; })) { chosen[g.param] = v; filters.push([g.param, v]); }
    });
    document.getElementById("q").value = text;
    if (text === "" && filters.length === 0) return;
    var load = Loader(config.index);
    try {
      // An exact advisory id goes to the advisory.
      if (text !== "" && !/\s/.test(text)) {
        var upper = text.replace(/[a-z]/g, function (c) { return c.toUpperCase(); });
        var ids = await load("ids/" + idFile(upper, config.id_files) + ".json");
        if (ids && Object.prototype.hasOwnProperty.call(ids, upper)) {
          location.replace(config.advisory.replace("{id}", ids[upper]));
          return;
        }
      }
      var found = await search(config, load, text, filters);
      var queryTerms = terms(text).filter(function (t, i, all) { return i === 0 || all[i - 1] !== t; })
        .slice(0, config.max_terms);
      var docs = await Promise.all(found.hits.map(function (n) { return load(config.lang + "/d/" + n + ".json"); }));
      var words = found.lang === config.lang ? docs : await Promise.all(found.hits.map(function (n) {
        return load(found.lang + "/d/" + n + ".json");
      }));
      var s = config.strings;
      var n = String(found.total);
      var line = found.total === 0 ? s.none
        : text === "" ? (found.total === 1 ? s.filtered_one : fill(s.filtered, { n: n }))
        : found.total === 1 ? fill(s.one, { q: text }) : fill(s.results, { q: text, n: n });
      var nodes = [element("p", { role: "status" }, [line])];
      nodes.push(element("nav", { class: "filters", "aria-label": s.narrow }, config.filters.map(function (g) {
        var links = [[null, s.any]].concat(g.options).map(function (o) {
          var next = Object.assign({}, chosen);
          next[g.param] = o[0];
          var current = (chosen[g.param] || null) === o[0];
          var a = element("a", { href: href(config, text, next) }, [current ? element("strong", {}, [o[1]]) : o[1]]);
          if (current) a.setAttribute("aria-current", "true");
          return a;
        });
        var p = element("p", {}, [element("strong", {}, [g.label + ":"])]);
        links.forEach(function (a) { p.append(" ", a); });
        return p;
      })));
      docs.forEach(function (doc, i) {
        var source = words[i];
        var wordsLang = found.lang === config.lang ? doc.words : found.lang;
        nodes.push(card(config, doc, snippet(source, queryTerms), wordsLang));
      });
      if (found.total === 0) nodes.push(element("p", {}, [element("a", { href: config.archive }, [s.archive])]));
      out.replaceChildren.apply(out, nodes);
    } catch (e) {
      out.replaceChildren(element("p", { role: "status" }, [config.strings.failed]),
        element("p", {}, [element("a", { href: config.archive }, [config.strings.archive])]));
      if (note) note.hidden = false;
    }
  }

  if (typeof document !== "undefined" && document.getElementById("search-config")) {
    run();
  } else if (typeof globalThis !== "undefined") {
    // For tests/search/stem.mjs: the same functions outside a browser.
    globalThis.bulletinSearch = { terms: terms, stem: stem, words: words, matches: matches, idFile: idFile, hex: hex };
  }
})();
