// Wegwijs: progressive enhancement of the server-rendered pages.
// Search as you type (debounced), keyboard navigation, and answer feedback.
// Document text is untrusted: it is only ever set with textContent, never innerHTML.
"use strict";

(function () {
  const DEBOUNCE_MS = 250;
  const MIN_CHARS = 2;
  const text = JSON.parse(document.getElementById("wegwijs-text").textContent);
  const form = document.getElementById("search-form");
  const box = document.getElementById("q");
  const hitsList = document.getElementById("hits");
  const statusLine = document.getElementById("status");
  const more = document.getElementById("more");
  const lang = document.documentElement.lang;
  let timer = null;
  let inFlight = null;

  function fill(template, values) {
    return Object.keys(values).reduce(
      (out, key) => out.split("{" + key + "}").join(String(values[key])), template);
  }

  function ageText(modifiedAt) {
    const days = Math.max(0, Math.floor((Date.now() - Date.parse(modifiedAt)) / 86400000));
    const units = [[7, 1, "age_yesterday", "age_days"], [30, 7, "age_week", "age_weeks"],
      [365, 30, "age_month", "age_months"], [Infinity, 365, "age_year", "age_years"]];
    const [, size, one, many] = units.find((unit) => days < unit[0]);
    const count = Math.floor(days / size);
    if (count === 0) return text.age_today;
    return count === 1 ? text[one] : fill(text[many], { n: count });
  }

  function documentUrl(hit, query) {
    const path = hit.doc_id.split("/").map(encodeURIComponent).join("/");
    const ordinal = hit.chunk_id.slice(hit.chunk_id.lastIndexOf("#") + 1);
    return "/documents/" + path + "?" + new URLSearchParams({ q: query }) + "#chunk-" + ordinal;
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function highlighted(snippet, spans) {
    // Offsets are code points: index an array of code points, not the UTF-16 string.
    const chars = Array.from(snippet);
    const paragraph = element("p", "passage");
    let position = 0;
    for (const [start, end] of spans) {
      paragraph.append(document.createTextNode(chars.slice(position, start).join("")));
      paragraph.append(element("mark", "", chars.slice(start, end).join("")));
      position = end;
    }
    paragraph.append(document.createTextNode(chars.slice(position).join("")));
    return paragraph;
  }

  function hitItem(hit, query) {
    const item = element("li", "hit");
    item.dataset.docId = hit.doc_id;
    item.dataset.chunkId = hit.chunk_id;
    const heading = element("h2");
    const link = element("a", "hit-link", hit.title);
    link.href = documentUrl(hit, query);
    heading.append(link);
    const badge = hit.superseded_by ? text.superseded : text["state_" + hit.review_state];
    if (badge) heading.append(" ", element("span", "badge state-" + hit.review_state, badge));
    let where = hit.root + "/" + hit.doc_path;
    if (hit.page) where += " · " + text.page + " " + hit.page;
    if (hit.section) where += " · " + hit.section;
    const meta = element("p", "meta");
    const owners = hit.owners.length ? hit.owners.join(", ") : text.no_owner;
    meta.append(element("span", "owners", text.owners + ": " + owners), " · ");
    const age = element("time", "age", text.modified + " " + ageText(hit.modified_at));
    age.dateTime = hit.modified_at;
    age.title = hit.modified_at.slice(0, 10);
    meta.append(age, " · ", element("span", "type", hit.file_type));
    if (hit.language) meta.append(" · ", element("span", "language", hit.language));
    item.append(heading, element("p", "where", where), highlighted(hit.snippet, hit.highlights), meta);
    return item;
  }

  function updateFacets(facets) {
    for (const select of form.querySelectorAll("select[data-facet]")) {
      const chosen = select.value;
      const options = facets[select.dataset.facet] || [];
      const all = new Option(text.all, "");
      select.replaceChildren(all);
      let found = false;
      for (const option of options) {
        select.append(new Option(option.value + " (" + option.count + ")", option.value));
        found = found || option.value === chosen;
      }
      if (chosen && !found) select.append(new Option(chosen + " (0)", chosen));
      select.value = chosen;
    }
  }

  function params(cursor) {
    const values = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {  // a checked box sends "true"
      if (value && key !== "lang") values.set(key, value);
    }
    if (cursor) values.set("cursor", cursor);
    return values;
  }

  function statusText(shown, hasMore, query) {
    if (shown === 0) return fill(text.no_results, { q: query });
    if (shown === 1 && !hasMore) return text.result;
    return fill(text.results, { n: shown + (hasMore ? "+" : "") });
  }

  async function search(cursor) {
    const query = box.value.trim();
    if (query.length < MIN_CHARS) return;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    const values = params(cursor);
    statusLine.textContent = text.loading;
    try {
      const response = await fetch("/api/search?" + values, { signal: inFlight.signal });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      const items = body.hits.map((hit) => hitItem(hit, query));
      if (cursor) hitsList.append(...items); else hitsList.replaceChildren(...items);
      if (!cursor) updateFacets(body.facets);
      const shown = hitsList.children.length;
      statusLine.textContent = statusText(shown, Boolean(body.next_cursor), query);
      more.hidden = !body.next_cursor;
      more.dataset.cursor = body.next_cursor || "";
      values.delete("cursor");
      values.set("lang", lang);
      history.replaceState(null, "", "/?" + values);
    } catch (error) {
      if (error.name !== "AbortError") statusLine.textContent = text.failed;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => search(null), DEBOUNCE_MS);
  }

  function hitLinks() {
    return Array.from(document.querySelectorAll(".hit-link"));
  }

  function onKey(event) {
    const target = event.target;
    const typing = target.matches("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (typing && target !== box) return;
    const links = hitLinks();
    if (!links.length) return;
    const current = links.indexOf(document.activeElement);
    const step = event.key === "ArrowDown" ? 1 : -1;
    if (target === box && step < 0) return;
    event.preventDefault();
    const next = current + step;
    if (next < 0) box.focus(); else links[Math.min(next, links.length - 1)].focus();
  }

  function enableFeedback() {
    const feedback = document.getElementById("feedback");
    if (!feedback) return;
    feedback.hidden = false;
    feedback.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-helpful]");
      if (!button) return;
      const body = { query: feedback.dataset.query, helpful: button.dataset.helpful === "true" };
      const response = await fetch("/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (response.ok) {
        feedback.querySelector(".thanks").textContent = text.thanks;
        feedback.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      }
    });
  }

  document.addEventListener("keydown", onKey);
  enableFeedback();
  if (hitsList && form.getAttribute("action") === "/") {
    box.addEventListener("input", schedule);
    form.addEventListener("change", (event) => { if (event.target !== box) schedule(); });
    more.addEventListener("click", (event) => {
      if (!more.dataset.cursor) return;
      event.preventDefault();
      search(more.dataset.cursor);
    });
  }
})();
