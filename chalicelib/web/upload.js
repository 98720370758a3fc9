/*
 * The participant upload page: create an entry, upload the video straight to the
 * bucket through presigned URLs, then follow the automatic check until its verdict.
 *
 * Plain scripts, no build step, no third-party code (the page's CSP allows scripts
 * from this API only), loaded in order by upload.html: upload-texts.js (every text,
 * in Vietnamese (default) and English), upload-transfer.js (the API client and the
 * upload itself), then this one (the page: forms, panels, polling, the verdict).
 *
 * What survives a reload or a dropped connection lives in localStorage:
 *   contest.upload.pending  the entry whose upload has not finished
 *                           {submission_id, access_token, campaign_id, title, file, method}
 *   contest.upload.tokens   {submission_id: access_token}, so a kept link still opens
 *   contest.upload.lang     "vi" | "en"
 * Multipart uploads resume by asking the API which parts the bucket already holds;
 * presigned POST uploads (small files) resume by asking for fresh instructions.
 */
(function (app) {
  "use strict";

  // --- settings ------------------------------------------------------------------------

  var STORE_PENDING = "contest.upload.pending";
  var STORE_TOKENS = "contest.upload.tokens";
  var STORE_LANG = "contest.upload.lang";
  var POLL_EVERY_MS = 1500;
  var POLL_GIVE_UP_MS = 2 * 60 * 1000;
  var UNIT_DEBOUNCE_MS = 250;
  var MAX_AUTHORS = 20;

  var texts = app.texts;
  var TEXT = texts.TEXT;
  var CODEC_NAMES = texts.CODEC_NAMES;
  var bilingual = texts.bilingual;
  var decimal = texts.decimal;
  var sizeText = texts.sizeText;
  var joinOr = texts.joinOr;
  var measuredDuration = texts.measuredDuration;
  var localDate = texts.localDate;
  var rulesText = texts.rulesText;

  var transport = app.transfer;
  var CONTENT_TYPES = transport.CONTENT_TYPES;
  var ApiError = transport.ApiError;
  var api = transport.api;
  var submissionPath = transport.submissionPath;
  var contentTypeOf = transport.contentTypeOf;
  var fileMeta = transport.fileMeta;
  var sameFile = transport.sameFile;
  var sleep = transport.sleep;
  var backoff = transport.backoff;
  var POST_ATTEMPTS = transport.POST_ATTEMPTS;

  // --- state ---------------------------------------------------------------------------

  var state = {
    lang: "vi",
    campaigns: [],
    entry: null,        // {submission_id, access_token, campaign_id, title, file, method}
    file: null,         // the File being uploaded (kept in memory for an in-session resume)
    view: null,         // the last GET /submissions/{id}
    uploading: false,
    pollRun: 0,
    unitResults: [],
    unitActive: -1,
    unitChosen: null,
    authorSeq: 0,
    createFor: null,    // the request the current Idempotency-Key belongs to
    createKey: null
  };

  var $ = function (id) { return document.getElementById(id); };

  // A message is {k: key, p: params} (a page text) or {vi, en} (a server text).
  function txt(m) {
    if (!m) return "";
    if (typeof m === "string") m = { k: m };
    if (m.vi !== undefined || m.en !== undefined) return (state.lang === "en" ? m.en : m.vi) || m.vi || m.en || "";
    var entry = TEXT[state.lang][m.k];
    if (entry === undefined) entry = TEXT.vi[m.k];
    return typeof entry === "function" ? entry(m.p || {}) : entry || "";
  }

  // Elements whose text is a message, re-rendered when the language changes.
  var localized = new Set();
  function say(el, m) {
    el._msg = m || null;
    el.textContent = txt(m);
    if (m) localized.add(el); else localized.delete(el);
    return el;
  }
  function sayShown(el, m) { say(el, m); el.hidden = !m; }

  // --- storage -------------------------------------------------------------------------

  function load(key, fallback) {
    try { var raw = localStorage.getItem(key); return raw ? JSON.parse(raw) : fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: resume only within this session */ }
  }
  function savePending(entry) { store(STORE_PENDING, entry); }
  function clearPending() { store(STORE_PENDING, null); }
  function saveToken(id, token) {
    var tokens = load(STORE_TOKENS, {});
    tokens[id] = token;
    store(STORE_TOKENS, tokens);
  }
  function tokenFor(id) {
    var pending = load(STORE_PENDING, null);
    if (pending && pending.submission_id === id) return pending.access_token;
    return load(STORE_TOKENS, {})[id] || null;
  }

  // --- language ------------------------------------------------------------------------

  function setLang(lang) {
    state.lang = lang === "en" ? "en" : "vi";
    store(STORE_LANG, state.lang);
    document.documentElement.lang = state.lang;
    document.title = txt("page_title");
    $("lang-vi").setAttribute("aria-pressed", String(state.lang === "vi"));
    $("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = txt(el.getAttribute("data-i18n")); });
    localized.forEach(function (el) {
      if (!el.isConnected) { localized.delete(el); return; }
      el.textContent = txt(el._msg);
    });
    renderCampaignOptions();
    renderRules();
    renderTerms(false);
    renderAuthorLabels();
    renderUnitOptions();
    renderUnitChosen();
    if (state.view) renderView(state.view);
  }

  // --- campaigns -----------------------------------------------------------------------

  function tzOffsetMs(ts, timeZone) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit"
      }).formatToParts(new Date(ts)).forEach(function (p) { parts[p.type] = p.value; });
      var asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
      return asUtc - Math.floor(ts / 1000) * 1000;
    } catch (e) {
      return 7 * 3600 * 1000; // Vietnam
    }
  }

  function wallClockToUtc(iso, timeZone) {
    if (/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return Date.parse(iso);
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso || "");
    if (!m) return NaN;
    var guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    var utc = guess - tzOffsetMs(guess, timeZone);
    return guess - tzOffsetMs(utc, timeZone);
  }

  function openState(campaign) {
    var w = campaign.submission_window;
    if (!w) return "open";
    var tz = campaign.timezone || "Asia/Ho_Chi_Minh";
    var now = Date.now();
    if (now < wallClockToUtc(w.opens_at, tz)) return "not_open";
    if (now >= wallClockToUtc(w.closes_at, tz)) return "closed";
    return "open";
  }

  function campaignById(id) {
    for (var i = 0; i < state.campaigns.length; i++) if (state.campaigns[i].id === id) return state.campaigns[i];
    return null;
  }

  function campaignName(c) { return (state.lang === "en" ? c.name_en : c.name_vi) || c.name_vi || c.id; }

  function renderCampaignOptions() {
    var select = $("campaign");
    var chosen = select.value;
    select.textContent = "";
    state.campaigns.forEach(function (c) {
      var option = document.createElement("option");
      var st = openState(c);
      option.value = c.id;
      option.textContent = campaignName(c) + (st === "open" ? "" : " (" + txt(st === "closed" ? "campaign_closed" : "campaign_not_open") + ")");
      option.disabled = st !== "open";
      select.appendChild(option);
    });
    if (chosen && campaignById(chosen)) select.value = chosen;
  }

  function renderRules() {
    var box = $("campaign-rules");
    box.textContent = "";
    var c = campaignById($("campaign").value);
    if (!c) return;
    var rules = document.createElement("p");
    rules.className = "rules__text";
    var label = document.createElement("strong");
    label.textContent = txt("campaign_rules_prefix");
    rules.appendChild(label);
    rules.appendChild(document.createTextNode(rulesText(c, state.lang)));
    box.appendChild(rules);
    if (c.submission_window && c.submission_window.closes_at) {
      var deadline = document.createElement("p");
      deadline.className = "rules__deadline";
      deadline.textContent = txt({ k: "campaign_deadline", p: { when: localDate(c.submission_window.closes_at, state.lang) } });
      box.appendChild(deadline);
    }
  }

  // The chosen campaign's terms in the page's language; `reset` unticks the box (another text).
  function renderTerms(reset) {
    var c = campaignById($("campaign").value);
    var terms = c && c.terms;
    $("terms-field").hidden = !terms;
    if (reset) { $("accept-terms").checked = false; fieldError("terms", null); }
    if (!terms) return;
    $("terms-text").textContent = state.lang === "en" ? terms.text_en : terms.text_vi;
    $("terms-version").textContent = txt({ k: "terms_version", p: { version: terms.version } });
  }

  function loadCampaigns() {
    return api("campaigns").then(function (data) {
      state.campaigns = (data && data.campaigns || []).filter(function (c) { return !c.entry_kind || c.entry_kind === "upload"; });
      renderCampaignOptions();
      var wanted = new URLSearchParams(location.search).get("campaign");
      var select = $("campaign");
      if (wanted && campaignById(wanted) && openState(campaignById(wanted)) === "open") {
        select.value = wanted;
      } else {
        var firstOpen = state.campaigns.filter(function (c) { return openState(c) === "open"; })[0];
        if (firstOpen) select.value = firstOpen.id;
      }
      renderRules();
      renderTerms(true);
      if (!state.campaigns.some(function (c) { return openState(c) === "open"; })) fieldError("campaign", { k: "campaign_none" });
    }, function (err) {
      fieldError("campaign", err.code === "network" ? { k: "campaigns_failed" } : err.message);
    });
  }

  // --- field errors --------------------------------------------------------------------

  var FIELD_INPUT = { campaign: "campaign", title: "title", description: "description", category: "category", unit: "unit", authors: null, file: "file", terms: "accept-terms" };

  function fieldError(field, m) {
    var el = $("error-" + field);
    if (!el) return;
    sayShown(el, m);
    var input = FIELD_INPUT[field] && $(FIELD_INPUT[field]);
    if (input) { if (m) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid"); }
  }

  function authorRows() { return Array.prototype.slice.call(document.querySelectorAll("#author-rows .author")); }

  function authorError(index, m, inputName) {
    var row = authorRows()[index];
    if (!row) { fieldError("authors", m); return; }
    sayShown(row.querySelector(".field__error"), m);
    row.querySelectorAll("input").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    if (m && inputName) row.querySelector("[data-field=" + inputName + "]").setAttribute("aria-invalid", "true");
  }

  function clearErrors() {
    ["campaign", "title", "description", "category", "unit", "authors", "file", "terms"].forEach(function (f) { fieldError(f, null); });
    authorRows().forEach(function (_, i) { authorError(i, null); });
    sayShown($("form-error"), null);
  }

  // Server errors go next to the field they name.
  function showServerError(err) {
    var problems = err.details && err.details.problems;
    var placed = false;
    if (Array.isArray(problems)) {
      problems.forEach(function (p) {
        var path = String(p.field || "").split(".");
        var labelsVi = TEXT.vi.field_labels, labelsEn = TEXT.en.field_labels;
        var leaf = path[path.length - 1];
        var message = bilingual(
          (labelsVi[leaf] || p.field) + ": " + (p.message_vi || ""),
          (labelsEn[leaf] || p.field) + ": " + (p.message_en || "")
        );
        if (path[0] === "authors" && path.length >= 2 && /^\d+$/.test(path[1])) {
          authorError(Number(path[1]), path.length > 2 ? message : bilingual(p.message_vi, p.message_en), path[2]);
          placed = true;
        } else if (path[0] === "unit_id") { fieldError("unit", message); placed = true; }
        else if (["file_name", "content_type", "size_bytes"].indexOf(path[0]) >= 0) { fieldError("file", message); placed = true; }
        else if ($("error-" + path[0])) { fieldError(path[0], message); placed = true; }
      });
    }
    var byCode = {
      content_type_not_allowed: "file", file_too_large: "file", unknown_unit: "unit", unit_not_eligible: "unit",
      campaign_closed: "campaign", campaign_not_found: "campaign", terms_not_accepted: "terms"
    };
    if (byCode[err.code]) { fieldError(byCode[err.code], err.message); placed = true; }
    if (err.code === "terms_version_outdated") {
      // The organisers changed the text since the page loaded: show the new one, to be accepted again.
      loadCampaigns().then(function () { fieldError("terms", { k: "terms_changed" }); $("terms-details").open = true; });
      placed = true;
    }
    sayShown($("form-error"), placed ? { k: "form_has_errors" } : err.message);
    focusFirstError();
  }

  function focusFirstError() {
    var first = document.querySelector("#entry-form [aria-invalid=true]");
    if (first) first.focus();
  }

  // --- unit type-ahead -----------------------------------------------------------------

  var unitTimer = null;
  var unitSeq = 0; // only the newest search's answer is shown

  function unitParents(unit) {
    var parents = unit.parents || [];
    // The root ("Trung ương Đoàn") is everyone's ancestor: it says nothing unless it is the only one.
    return (parents.length > 1 ? parents.slice(0, -1) : parents).join(" · ");
  }

  function searchUnits(query) {
    var seq = ++unitSeq;
    var campaign = $("campaign").value;
    var only = campaign ? "&campaign=" + encodeURIComponent(campaign) : "";  // only units that may enter it
    api("units?q=" + encodeURIComponent(query) + "&limit=20" + only).then(function (data) {
      if (seq !== unitSeq) return;
      state.unitResults = data && data.units || [];
      state.unitActive = state.unitResults.length ? 0 : -1;
      fieldError("unit", null);
      renderUnitOptions(true);
    }, function () {
      if (seq !== unitSeq) return;
      state.unitResults = [];
      renderUnitOptions(false);
      fieldError("unit", { k: "unit_search_failed" });
    });
  }

  function renderUnitOptions(open) {
    var list = $("unit-options");
    var input = $("unit");
    if (open === undefined) open = !list.hidden;
    list.textContent = "";
    if (!open) { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); return; }
    if (!state.unitResults.length) {
      var none = document.createElement("li");
      none.className = "combo__empty";
      none.textContent = txt("unit_none");
      list.appendChild(none);
    }
    state.unitResults.forEach(function (unit, i) {
      var li = document.createElement("li");
      li.id = "unit-option-" + i;
      li.className = "combo__option";
      li.setAttribute("role", "option");
      li.setAttribute("data-testid", "unit-option");
      li.setAttribute("data-unit-id", unit.unit_id);
      li.setAttribute("aria-selected", String(i === state.unitActive));
      var name = document.createElement("span");
      name.className = "combo__name";
      name.textContent = unit.name;
      li.appendChild(name);
      var parents = unitParents(unit);
      if (parents) {
        var small = document.createElement("span");
        small.className = "combo__parents";
        small.textContent = parents;
        li.appendChild(small);
      }
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { chooseUnit(unit); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (state.unitActive >= 0) {
      input.setAttribute("aria-activedescendant", "unit-option-" + state.unitActive);
      var active = $("unit-option-" + state.unitActive);
      if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function chooseUnit(unit) {
    state.unitChosen = unit;
    $("unit-id").value = unit.unit_id;
    $("unit").value = unit.name;
    fieldError("unit", null);
    renderUnitOptions(false);
    renderUnitChosen();
  }

  function renderUnitChosen() {
    var el = $("unit-chosen");
    var unit = state.unitChosen;
    el.hidden = !unit;
    el.textContent = unit ? txt({ k: "unit_chosen", p: { name: unit.name, parents: (unit.parents || []).join(" · ") } }) : "";
  }

  function setupUnitSearch() {
    var input = $("unit");
    input.addEventListener("input", function () {
      if (state.unitChosen && input.value !== state.unitChosen.name) {
        state.unitChosen = null;
        $("unit-id").value = "";
        renderUnitChosen();
      }
      clearTimeout(unitTimer);
      unitTimer = setTimeout(function () { searchUnits(input.value.trim()); }, UNIT_DEBOUNCE_MS);
    });
    input.addEventListener("focus", function () {
      if (!state.unitChosen) searchUnits(input.value.trim());
    });
    input.addEventListener("keydown", function (e) {
      var list = $("unit-options");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (list.hidden) { searchUnits(input.value.trim()); return; }
        var n = state.unitResults.length;
        if (!n) return;
        state.unitActive = (state.unitActive + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        renderUnitOptions(true);
      } else if (e.key === "Enter") {
        if (!list.hidden && state.unitActive >= 0 && state.unitResults[state.unitActive]) {
          e.preventDefault();
          chooseUnit(state.unitResults[state.unitActive]);
        }
      } else if (e.key === "Escape") {
        renderUnitOptions(false);
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { renderUnitOptions(false); }, 150); });
  }

  // --- authors -------------------------------------------------------------------------

  function authorInput(row, uid, field, type, autocomplete, inputmode) {
    var wrap = document.createElement("div");
    wrap.className = "field field--compact";
    var label = document.createElement("label");
    label.htmlFor = "author-" + uid + "-" + field;
    label.setAttribute("data-i18n", "author_" + field);
    label.textContent = txt("author_" + field);
    var input = document.createElement("input");
    input.type = type;
    input.id = "author-" + uid + "-" + field;
    input.setAttribute("data-testid", "author-" + field);
    input.setAttribute("data-field", field);
    input.autocomplete = autocomplete;
    if (inputmode) input.inputMode = inputmode;
    input.maxLength = field === "email" ? 254 : field === "phone" ? 20 : 120;
    input.setAttribute("aria-describedby", "author-" + uid + "-error");
    wrap.appendChild(label);
    wrap.appendChild(input);
    row.appendChild(wrap);
    return input;
  }

  function addAuthor(values) {
    if (authorRows().length >= MAX_AUTHORS) return;
    var uid = state.authorSeq++;
    var row = document.createElement("fieldset");
    row.className = "author";
    row.setAttribute("data-testid", "author-row");
    var legend = document.createElement("legend");
    legend.className = "author__legend";
    row.appendChild(legend);
    var name = authorInput(row, uid, "name", "text", "name");
    var email = authorInput(row, uid, "email", "email", "email", "email");
    var phone = authorInput(row, uid, "phone", "tel", "tel", "tel");
    if (values) { name.value = values.name || ""; email.value = values.email || ""; phone.value = values.phone || ""; }
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn--link author__remove";
    remove.setAttribute("data-testid", "remove-author");
    remove.addEventListener("click", function () { row.remove(); renderAuthorLabels(); });
    row.appendChild(remove);
    var error = document.createElement("p");
    error.className = "field__error";
    error.id = "author-" + uid + "-error";
    error.hidden = true;
    row.appendChild(error);
    $("author-rows").appendChild(row);
    renderAuthorLabels();
    return row;
  }

  function renderAuthorLabels() {
    var rows = authorRows();
    rows.forEach(function (row, i) {
      row.querySelector(".author__legend").textContent = txt({ k: "author_legend", p: { n: i + 1 } });
      var remove = row.querySelector(".author__remove");
      remove.textContent = txt("author_remove");
      remove.setAttribute("aria-label", txt({ k: "author_remove_label", p: { n: i + 1 } }));
      remove.hidden = rows.length === 1;
    });
    $("add-author").hidden = rows.length >= MAX_AUTHORS;
  }

  // --- files ---------------------------------------------------------------------------

  // A courtesy before anything is sent: the server checks the same and has the last word.
  function fileProblem(file, campaign) {
    if (!file) return { k: "need_file" };
    if (file.size === 0) return { k: "file_empty" };
    if (!campaign) return null;
    var media = campaign.media || {};
    var allowedTypes = (media.containers || []).map(function (c) { return CONTENT_TYPES[c]; });
    if (allowedTypes.indexOf(contentTypeOf(file)) < 0) {
      return { k: "file_type", p: { allowed: joinOr((media.containers || []).map(function (c) { return c.toUpperCase(); }), state.lang) } };
    }
    if (media.max_file_size_bytes && file.size > media.max_file_size_bytes) {
      return { k: "file_too_large", p: { size: file.size, max: media.max_file_size_bytes } };
    }
    return null;
  }

  function onFileChosen() {
    var file = $("file").files[0];
    var info = $("file-info");
    if (!file) { say(info, null); fieldError("file", null); return; }
    say(info, { k: "file_info", p: { name: file.name, size: file.size } });
    fieldError("file", fileProblem(file, campaignById($("campaign").value)));
  }

  // --- the form ------------------------------------------------------------------------

  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var PHONE_RE = /^\+?[0-9 .-]{8,20}$/;

  function collectForm() {
    clearErrors();
    var ok = true;
    var campaign = campaignById($("campaign").value);
    if (!campaign) { fieldError("campaign", { k: "need_campaign" }); ok = false; }
    var title = $("title").value.trim();
    if (!title) { fieldError("title", { k: "need_title" }); ok = false; }
    var unitId = $("unit-id").value;
    if (!unitId) { fieldError("unit", { k: "need_unit" }); ok = false; }
    var authors = [];
    authorRows().forEach(function (row, i) {
      var get = function (f) { return row.querySelector("[data-field=" + f + "]").value.trim(); };
      var a = { name: get("name"), email: get("email"), phone: get("phone") };
      var problem = null, where = null;
      if (!a.name) { problem = "need_author_name"; where = "name"; }
      else if (!a.email && !a.phone) { problem = "need_author_contact"; where = "email"; }
      else if (a.email && !EMAIL_RE.test(a.email)) { problem = "bad_email"; where = "email"; }
      else if (a.phone && !PHONE_RE.test(a.phone)) { problem = "bad_phone"; where = "phone"; }
      if (problem) { authorError(i, { k: problem }, where); ok = false; }
      var author = { name: a.name };
      if (a.email) author.email = a.email;
      if (a.phone) author.phone = a.phone;
      authors.push(author);
    });
    var file = $("file").files[0];
    var problem = fileProblem(file, campaign);
    if (problem) { fieldError("file", problem); ok = false; }
    var terms = campaign && campaign.terms;
    if (terms && !$("accept-terms").checked) { fieldError("terms", { k: "need_terms" }); ok = false; }
    if (!ok) {
      sayShown($("form-error"), { k: "form_has_errors" });
      focusFirstError();
      return null;
    }
    var body = { title: title, unit_id: unitId, authors: authors, file_name: file.name, content_type: contentTypeOf(file), size_bytes: file.size };
    var description = $("description").value.trim();
    var category = $("category").value.trim();
    if (description) body.description = description;
    if (category) body.category = category;
    if (terms) body.accepted_terms_version = terms.version;
    return { campaign: campaign, body: body, file: file };
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // Create the entry. A lost answer is retried with the same Idempotency-Key, so the
  // server hands back the entry it already made instead of a second one; pressing the
  // button again with the same details reuses the key too.
  function createEntry(campaignId, body) {
    var request = campaignId + "\n" + JSON.stringify(body);
    if (state.createFor !== request) { state.createFor = request; state.createKey = newKey(); }
    var key = state.createKey;
    var attempt = 0;
    var go = function () {
      return api("campaigns/" + encodeURIComponent(campaignId) + "/submissions", { method: "POST", body: body, idempotencyKey: key })
        .catch(function (err) {
          attempt += 1;
          var transient = err.code === "network" || err.code === "request_in_progress" || err.status >= 500;
          if (!transient || attempt >= POST_ATTEMPTS) throw err;
          return backoff(attempt - 1).then(go);
        });
    };
    return go().then(function (created) { state.createFor = null; return created; });
  }

  function onSubmit(e) {
    e.preventDefault();
    if (state.uploading) return;
    var form = collectForm();
    if (!form) return;
    var button = $("submit");
    button.disabled = true;
    say(button, { k: "submitting" });
    createEntry(form.campaign.id, form.body)
      .then(function (created) {
        var entry = {
          submission_id: created.submission_id,
          access_token: created.access_token,
          campaign_id: form.campaign.id,
          title: form.body.title,
          file: fileMeta(form.file),
          method: created.upload.method,
          created_at: new Date().toISOString()
        };
        savePending(entry);
        saveToken(entry.submission_id, entry.access_token);
        showEntry(entry, { token: created.access_token });
        state.view = null;
        runTransfer(entry, form.file, function () { return Promise.resolve(created.upload); });
      }, function (err) { showServerError(err); })
      .then(function () {
        button.disabled = false;
        say(button, { k: "submit" });
      });
  }

  // --- panels --------------------------------------------------------------------------

  function showOnly(id) {
    ["resume-panel", "lookup-panel", "recover-panel", "entry-form", "entry-panel"].forEach(function (p) { $(p).hidden = p !== id; });
    $("loading").hidden = true;
  }

  function entryLink(id) {
    var url = new URL(location.pathname, location.origin);
    url.searchParams.set("submission", id);
    return url.toString();
  }

  function setAddress(id) {
    var url = new URL(location.href);
    url.searchParams.delete("campaign");
    if (id) url.searchParams.set("submission", id); else url.searchParams.delete("submission");
    history.replaceState(null, "", url.toString());
  }

  function showEntry(entry, options) {
    options = options || {};
    state.entry = entry;
    showOnly("entry-panel");
    setAddress(entry.submission_id);
    $("entry-heading").textContent = entry.title || "";
    $("submission-id").textContent = entry.submission_id;
    var link = entryLink(entry.submission_id);
    $("entry-link").href = link;
    $("entry-link").textContent = link;
    var tokenBox = $("token-box");
    tokenBox.hidden = !options.token;
    $("access-token").value = options.token || ""; // shown once: never rendered again after a reload
    say($("copy-feedback"), null);
    $("upload-box").hidden = true;
    $("verdict").hidden = true;
    $("replace-box").hidden = true;
    $("check-again").hidden = true;
    $("new-entry").hidden = false;
    hideWithdraw();
    say($("status"), null);
  }

  function newEntry() {
    state.pollRun++;
    state.entry = null;
    state.view = null;
    state.file = null;
    setAddress(null);
    ["title", "description", "category", "file"].forEach(function (id) { $(id).value = ""; });
    say($("file-info"), null);
    clearErrors();
    showOnly("entry-form");
    $("title").focus();
  }

  // --- uploads -------------------------------------------------------------------------

  function renderProgress(loaded, total) {
    var pct = total ? Math.floor(loaded / total * 100) : 0;
    if (pct === 100 && loaded < total) pct = 99;
    $("progress").setAttribute("aria-valuenow", String(pct));
    $("progress-fill").style.width = pct + "%";
    $("progress-text").textContent = pct + " %";
    say($("upload-bytes"), { k: "upload_bytes", p: { loaded: loaded, total: total } });
  }

  // How the transfer reports back to the page.
  var transferHooks = {
    progress: renderProgress,
    retrying: function (waiting) { say($("upload-label"), { k: waiting ? "uploading_retry" : "uploading" }); },
    instructionsChanged: savePending
  };

  function requestNewUpload(entry, file) { return transport.requestNewUpload(entry, file, transferHooks); }

  function setUploading(on) {
    state.uploading = on;
    $("resume-upload").disabled = on;
    $("replace-upload").disabled = on;
    $("new-entry").disabled = on;
    if (on) hideWithdraw();
  }

  // Run an upload end to end: instructions, bytes, then the automatic check.
  function runTransfer(entry, file, getInstructions) {
    state.file = file;
    state.pollRun++;
    setUploading(true);
    $("upload-box").hidden = false;
    $("verdict").hidden = true;
    $("replace-box").hidden = true;
    $("check-again").hidden = true;
    $("resume-upload").hidden = true;
    sayShown($("upload-error"), null);
    say($("upload-label"), { k: "uploading" });
    say($("status"), null);
    renderProgress(0, file.size);
    return getInstructions().then(function (upload) {
      if (upload.landed) return null;
      return transport.upload(entry, file, upload, transferHooks);
    }).then(function () {
      setUploading(false);
      clearPending();
      say($("upload-label"), { k: "uploaded" });
      return poll(entry, true);
    }, function (err) {
      setUploading(false);
      onTransferFailed(entry, err);
    });
  }

  function onTransferFailed(entry, err) {
    var message;
    if (err instanceof ApiError) {
      message = err.message;
    } else if (err.kind === "refused") {
      message = { k: "upload_refused", p: { code: err.detail } };
    } else {
      message = { k: entry.method === "MULTIPART" ? "upload_interrupted_parts" : "upload_interrupted" };
    }
    sayShown($("upload-error"), message);
    var retryable = err instanceof ApiError ? err.code === "network" || err.status >= 500 : err.kind !== "refused";
    $("resume-upload").hidden = !retryable;
    $("replace-box").hidden = retryable;
    if (retryable) $("resume-upload").focus();
  }

  // Resume: the bucket may already have the file (the answer was lost), or some of its parts.
  function resumeInstructions(entry, file) {
    return api(submissionPath(entry.submission_id), { token: entry.access_token }).then(function (view) {
      if (view.status !== "awaiting_upload") return { landed: true };
      if (entry.method === "MULTIPART" && sameFile(file, entry.file)) return { method: "MULTIPART", resume: true };
      return requestNewUpload(entry, file);
    });
  }

  function resume(entry, file) {
    savePending(entry);
    if ($("entry-panel").hidden) showEntry(entry); // from the resume panel; in the entry panel the token stays shown
    return runTransfer(entry, file, function () { return resumeInstructions(entry, file); });
  }

  // --- status and verdict --------------------------------------------------------------

  function poll(entry, justUploaded) {
    var run = ++state.pollRun;
    var started = Date.now();
    say($("status"), { k: "checking" });
    $("status").className = "status status--busy";
    $("check-again").hidden = true;
    var step = function () {
      if (run !== state.pollRun) return null;
      return api(submissionPath(entry.submission_id), { token: entry.access_token }).then(function (view) {
        if (run !== state.pollRun) return null;
        var busy = view.status === "validating" || (justUploaded && view.status === "awaiting_upload");
        if (!busy) {
          renderView(view);
          // On a phone the verdict is below the fold: bring it into view.
          var box = $("verdict");
          if (!box.hidden && box.scrollIntoView) box.scrollIntoView({ block: "start", behavior: "smooth" });
          return view;
        }
        return next();
      }, function (err) {
        if (run !== state.pollRun) return null;
        if (err.status === 404 || err.status === 401) {
          say($("status"), err.message);
          $("status").className = "status status--error";
          return null;
        }
        return next(); // a dropped connection: keep trying until the deadline
      });
    };
    var next = function () {
      if (Date.now() - started > POLL_GIVE_UP_MS) {
        say($("status"), { k: "checking_slow" });
        $("status").className = "status";
        $("check-again").hidden = false;
        return null;
      }
      return sleep(POLL_EVERY_MS).then(step);
    };
    return step();
  }

  function checkList(checks, outcome, testid) {
    var ul = document.createElement("ul");
    ul.className = "checks checks--" + outcome;
    ul.setAttribute("data-testid", testid);
    checks.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "check check--" + outcome;
      li.setAttribute("data-code", c.code);
      li.textContent = txt(bilingual(c.message_vi, c.message_en));
      ul.appendChild(li);
    });
    return ul;
  }

  // Vietnam wall-clock time as the API wrote it (with its offset): the browser's own zone must not shift it.
  function wallClock(local) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local && local.iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] + " " + m[4] + ":" + m[5] : "";
  }

  function line(text, testId) {
    var p = document.createElement("p");
    p.textContent = text;
    if (testId) p.setAttribute("data-testid", testId);
    return p;
  }

  function breakdownList(parts) {
    var names = TEXT[state.lang].metric_names || TEXT.vi.metric_names;
    var list = document.createElement("ul");
    list.className = "breakdown";
    (parts || []).forEach(function (part) {
      var item = document.createElement("li");
      item.textContent = (names[part.metric] || part.metric) + ": " + (part.value === null ? "–" : part.value) +
        " × " + part.weight + " = " + part.points + " " + txt("points");
      list.appendChild(item);
    });
    return list;
  }

  function progressBox(view) {
    if (!view.voting_week) return null;
    var section = document.createElement("div");
    section.className = "progress-box";
    section.setAttribute("data-testid", "voting");
    section.appendChild(heading("h3", "progress_heading"));
    var url = view.publication && view.publication.url;
    if (url && /^https:\/\//.test(url)) {
      var p = line(txt("published_video"));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.setAttribute("data-testid", "video-link");
      p.appendChild(link);
      section.appendChild(p);
    }
    var week = view.voting_week;
    section.appendChild(line(txt({ k: "voting_week", p: { n: week.number, start: wallClock(week.starts_at_local), end: wallClock(week.ends_at_local) } }), "voting-week"));
    if (view.week_result) {
      var r = view.week_result;
      section.appendChild(line(txt({ k: "week_result", p: { n: week.number, rank: r.rank, of: r.of, score: r.score } }), "week-result"));
      if (r.winner) section.appendChild(line(txt("weekly_winner")));
      if (r.finalist) section.appendChild(line(txt("finalist")));
      section.appendChild(breakdownList(r.breakdown));
    } else if (view.live_score) {
      section.appendChild(line(txt({ k: "live_score", p: { score: view.live_score.score } }), "live-score"));
      section.appendChild(breakdownList(view.live_score.breakdown));
    }
    return section;
  }

  function heading(tag, key) {
    var h = document.createElement(tag);
    h.textContent = txt(key);
    return h;
  }

  function factsList(facts) {
    var lang = state.lang;
    var rows = [];
    if (facts.display_width && facts.display_height) rows.push(["fact_resolution", facts.display_width + " × " + facts.display_height]);
    if (facts.duration_seconds != null) rows.push(["fact_duration", measuredDuration(facts.duration_seconds, lang)]);
    if (facts.video_codec) rows.push(["fact_codec", CODEC_NAMES[facts.video_codec] || facts.video_codec.toUpperCase()]);
    if (facts.container) rows.push(["fact_container", facts.container.toUpperCase()]);
    if (facts.frame_rate) {
      var fps = facts.frame_rate % 1 === 0 ? String(facts.frame_rate) : decimal(facts.frame_rate, 2, lang);
      rows.push(["fact_fps", txt({ k: "fact_fps_value", p: { fps: fps } })]);
    }
    if (facts.has_audio != null) rows.push(["fact_audio", txt(facts.has_audio ? "yes" : "no")]);
    if (facts.size_bytes) rows.push(["fact_size", sizeText(facts.size_bytes, lang)]);
    if (!rows.length) return null;
    var dl = document.createElement("dl");
    dl.className = "facts";
    dl.setAttribute("data-testid", "verdict-facts");
    rows.forEach(function (r) {
      var dt = document.createElement("dt");
      dt.textContent = txt(r[0]);
      var dd = document.createElement("dd");
      dd.setAttribute("data-fact", r[0].replace("fact_", ""));
      dd.textContent = r[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    return dl;
  }

  var TONE = {
    valid: "good", approved: "good", published: "good",
    invalid: "bad", rejected: "bad", disqualified: "bad",
    validation_error: "warn", withdrawn: "neutral"
  };

  function renderView(view) {
    state.view = view;
    if (view.title) $("entry-heading").textContent = view.title;
    var status = $("status");
    var box = $("verdict");
    var label = view.status_label ? bilingual(view.status_label.vi, view.status_label.en) : bilingual(view.status, view.status);
    box.textContent = "";
    // The API says whether a new video is still accepted; while the check runs, the page waits for its verdict.
    $("replace-box").hidden = !view.can_replace_video || view.status === "validating" || state.uploading;
    $("withdraw-box").hidden = !view.can_withdraw || state.uploading;

    if (view.status === "awaiting_upload" || view.status === "validating") {
      box.hidden = true;
      say(status, view.status === "validating" ? { k: "checking" } : { k: "no_video_yet" });
      status.className = "status" + (view.status === "validating" ? " status--busy" : "");
      return;
    }
    say(status, null);
    status.className = "status";
    var tone = TONE[view.status] || "neutral";
    box.className = "verdict verdict--" + tone;
    box.setAttribute("data-status", view.status);

    var badge = document.createElement("p");
    badge.className = "verdict__label";
    badge.setAttribute("data-testid", "verdict-label");
    badge.textContent = txt(label);
    box.appendChild(badge);

    var verdict = view.verdict;
    var note = { valid: "verdict_valid_note", invalid: "verdict_invalid_note", validation_error: "verdict_error_note",
      withdrawn: "withdrawn_note" }[view.status];
    if (note) {
      var p = document.createElement("p");
      p.className = "verdict__note";
      p.textContent = txt(note);
      box.appendChild(p);
    }
    if (view.rejection_reason) {
      var reason = document.createElement("p");
      reason.className = "verdict__note";
      var text = typeof view.rejection_reason === "string" ? view.rejection_reason : txt(bilingual(view.rejection_reason.vi, view.rejection_reason.en));
      reason.textContent = txt("rejection_reason") + text;
      box.appendChild(reason);
    }
    var progress = progressBox(view);
    if (progress) box.appendChild(progress);
    if (verdict && Array.isArray(verdict.checks)) {
      var failed = verdict.checks.filter(function (c) { return c.outcome === "fail"; });
      var warned = verdict.checks.filter(function (c) { return c.outcome === "warn"; });
      var passed = verdict.checks.filter(function (c) { return c.outcome === "pass"; });
      if (failed.length) {
        box.appendChild(heading("h3", "failed_heading"));
        box.appendChild(checkList(failed, "fail", "verdict-failures"));
      }
      if (warned.length) {
        var warnBox = document.createElement("div");
        warnBox.className = "verdict__warnings";
        warnBox.appendChild(heading("h3", "warnings_heading"));
        warnBox.appendChild(checkList(warned, "warn", "verdict-warnings"));
        box.appendChild(warnBox);
      }
      var facts = factsList(verdict.facts || {});
      if (facts) {
        box.appendChild(heading("h3", "facts_heading"));
        box.appendChild(facts);
      }
      if (passed.length) {
        var details = document.createElement("details");
        details.className = "verdict__passed";
        var summary = document.createElement("summary");
        summary.textContent = txt({ k: "passed_heading", p: { n: passed.length } });
        details.appendChild(summary);
        details.appendChild(checkList(passed, "pass", "verdict-passes"));
        box.appendChild(details);
      }
    }
    box.hidden = false;
  }

  // --- withdrawal ----------------------------------------------------------------------

  function hideWithdraw() {
    $("withdraw-box").hidden = true;
    $("withdraw-confirm").hidden = true;
    $("withdraw").setAttribute("aria-expanded", "false");
    sayShown($("withdraw-error"), null);
  }

  function askWithdraw(open) {
    $("withdraw-confirm").hidden = !open;
    $("withdraw").setAttribute("aria-expanded", String(open));
    (open ? $("withdraw-no") : $("withdraw")).focus();
  }

  function withdraw() {
    var entry = state.entry;
    if (!entry || state.uploading) return;
    var yes = $("withdraw-yes");
    yes.disabled = true;
    say(yes, { k: "withdrawing" });
    api(submissionPath(entry.submission_id, "/withdraw"), { method: "POST", token: entry.access_token })
      .then(function (view) {
        state.pollRun++;
        var pending = load(STORE_PENDING, null);
        if (pending && pending.submission_id === entry.submission_id) clearPending();
        hideWithdraw();
        $("upload-box").hidden = true;
        renderView(view);
      }, function (err) { sayShown($("withdraw-error"), err.message); })
      .then(function () { yes.disabled = false; say(yes, { k: "withdraw_yes" }); });
  }

  // --- copy ----------------------------------------------------------------------------

  function copyText(text, input) {
    var feedback = $("copy-feedback");
    var fallback = function () {
      try {
        var field = input;
        if (!field) {
          field = document.createElement("textarea");
          field.value = text;
          field.setAttribute("readonly", "");
          field.className = "offscreen";
          document.body.appendChild(field);
        }
        field.select();
        var ok = document.execCommand("copy");
        if (!input) field.remove();
        say(feedback, { k: ok ? "copied" : "copy_failed" });
      } catch (e) {
        say(feedback, { k: "copy_failed" });
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(feedback, { k: "copied" }); }, fallback);
    } else {
      fallback();
    }
  }

  // --- start ---------------------------------------------------------------------------

  function showResumePanel(entry) {
    state.entry = entry;
    showOnly("resume-panel");
    $("resume-title").textContent = entry.title || entry.submission_id;
    say($("resume-file-hint"), entry.file ? { k: "resume_file_hint", p: { name: entry.file.name, size: entry.file.size } } : null);
    sayShown($("error-resume-file"), null);
  }

  function showLookup(id) {
    showOnly("lookup-panel");
    $("lookup-id").textContent = id;
    $("lookup-token").focus();
  }

  function openEntry(id, token) {
    var pending = load(STORE_PENDING, null);
    var entry = pending && pending.submission_id === id ? pending : { submission_id: id, access_token: token, title: "" };
    return api(submissionPath(id), { token: token }).then(function (view) {
      entry.title = view.title || entry.title;
      entry.campaign_id = view.campaign_id;
      if (view.status === "awaiting_upload" && pending && pending.submission_id === id) {
        showResumePanel(entry);
        return;
      }
      if (pending && pending.submission_id === id) clearPending();
      showEntry(entry);
      renderView(view);
      if (view.status === "validating") poll(entry, false);
    });
  }

  // --- recovering access ----------------------------------------------------------------

  function showRecover() {
    state.openedRecover = true;
    showOnly("recover-panel");
    $("recover-form").hidden = false;
    sayShown($("recover-status"), null);
    $("recovered").hidden = true;
    $("recover-contact").focus();
  }

  function requestLink(e) {
    e.preventDefault();
    var contact = $("recover-contact").value.trim();
    if (!contact) { sayShown($("error-recover-contact"), { k: "recover_need_contact" }); return; }
    sayShown($("error-recover-contact"), null);
    $("recover-send").disabled = true;
    api("access-links?lang=" + state.lang, { method: "POST", body: { contact: contact } }).then(function () {
      sayShown($("recover-status"), { k: "recover_sent" });
    }, function (err) {
      sayShown($("error-recover-contact"), err.message);
    }).then(function () { $("recover-send").disabled = false; });
  }

  function showRecovered(entries) {
    showOnly("recover-panel");
    $("recover-form").hidden = true;
    var list = $("recovered");
    list.textContent = "";
    entries.forEach(function (entry) {
      saveToken(entry.submission_id, entry.access_token);
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entryLink(entry.submission_id);
      link.textContent = entry.title;
      link.setAttribute("data-testid", "recovered-entry");
      item.appendChild(link);
      var label = entry.status_label ? bilingual(entry.status_label.vi, entry.status_label.en) : null;
      if (label) item.appendChild(document.createTextNode(" – " + txt(label)));
      list.appendChild(item);
    });
    list.hidden = false;
    sayShown($("recover-status"), entries.length ? { k: "recover_found", p: { n: entries.length } } : { k: "recover_none" });
  }

  function redeemLink(token) {
    // Off the address bar at once: the link works once, and must not stay in the history.
    history.replaceState(null, "", location.pathname + location.search);
    return api("access-links/redeem", { method: "POST", body: { token: token } }).then(function (found) {
      showRecovered(found.entries || []);
    }, function (err) {
      showRecover();
      sayShown($("recover-status"), err.message);
    });
  }

  function route() {
    var params = new URLSearchParams(location.search);
    var id = params.get("submission");
    var pending = load(STORE_PENDING, null);
    var fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("recover")) return redeemLink(fragment.get("recover"));
    var linked = fragment.get("token");
    if (id && linked) {
      // The code came in the participant's own message: keep it here, and off the address bar.
      saveToken(id, linked);
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (id) {
      var token = tokenFor(id);
      if (!token) { showLookup(id); return Promise.resolve(); }
      return openEntry(id, token).catch(function (err) {
        showLookup(id);
        sayShown($("error-lookup-token"), err.message);
      });
    }
    if (pending && pending.submission_id && pending.access_token) {
      return openEntry(pending.submission_id, pending.access_token).catch(function (err) {
        if (err.status === 404 || err.status === 401) { clearPending(); showOnly("entry-form"); return; }
        showResumePanel(pending); // offline: offer the resume anyway; it reports its own errors
      });
    }
    // On a slow phone the participant may open "Tra cứu" before the campaigns have loaded: keep it open.
    if (!state.openedRecover) showOnly("entry-form");
    return Promise.resolve();
  }

  function bind() {
    $("lang-vi").addEventListener("click", function () { setLang("vi"); });
    $("lang-en").addEventListener("click", function () { setLang("en"); });
    $("entry-form").addEventListener("submit", onSubmit);
    $("campaign").addEventListener("change", function () { renderRules(); renderTerms(true); fieldError("campaign", null); onFileChosen(); });
    $("file").addEventListener("change", onFileChosen);
    $("add-author").addEventListener("click", function () {
      var row = addAuthor();
      if (row) row.querySelector("input").focus();
    });
    $("title").addEventListener("input", function () { fieldError("title", null); });
    setupUnitSearch();

    $("resume").addEventListener("click", function () {
      var entry = state.entry;
      var file = $("resume-file").files[0];
      if (!file) { sayShown($("error-resume-file"), { k: "resume_need_file" }); $("resume-file").focus(); return; }
      var problem = fileProblem(file, campaignById(entry.campaign_id));
      if (problem) { sayShown($("error-resume-file"), problem); return; }
      resume(entry, file);
    });
    $("resume-file").addEventListener("change", function () {
      var file = $("resume-file").files[0];
      var entry = state.entry;
      sayShown($("error-resume-file"), file && entry && entry.file && !sameFile(file, entry.file) ? { k: "resume_other_file" } : null);
    });
    $("discard-pending").addEventListener("click", function () { clearPending(); newEntry(); });
    $("resume-upload").addEventListener("click", function () {
      if (state.entry && state.file && !state.uploading) resume(state.entry, state.file);
    });
    $("replace-upload").addEventListener("click", function () {
      var entry = state.entry;
      var file = $("replace-file").files[0];
      var problem = file ? fileProblem(file, campaignById(entry.campaign_id)) : { k: "replace_need_file" };
      sayShown($("error-replace-file"), problem);
      if (problem || state.uploading) return;
      savePending(entry);
      runTransfer(entry, file, function () { return requestNewUpload(entry, file); });
    });
    $("check-again").addEventListener("click", function () { if (state.entry) poll(state.entry, false); });
    $("withdraw").addEventListener("click", function () { askWithdraw($("withdraw-confirm").hidden); });
    $("withdraw-no").addEventListener("click", function () { askWithdraw(false); });
    $("withdraw-yes").addEventListener("click", withdraw);
    $("accept-terms").addEventListener("change", function () { if ($("accept-terms").checked) fieldError("terms", null); });
    $("new-entry").addEventListener("click", newEntry);
    $("lookup-new").addEventListener("click", newEntry);
    $("open-recover").addEventListener("click", showRecover);
    $("recover-form").addEventListener("submit", requestLink);
    $("recover-back").addEventListener("click", newEntry);
    $("lookup").addEventListener("click", function () {
      var id = new URLSearchParams(location.search).get("submission");
      var token = $("lookup-token").value.trim();
      if (!token) { sayShown($("error-lookup-token"), { k: "lookup_need_token" }); return; }
      openEntry(id, token).then(function () { saveToken(id, token); }, function (err) { sayShown($("error-lookup-token"), err.message); });
    });
    $("copy-token").addEventListener("click", function () { copyText($("access-token").value, $("access-token")); });
    $("copy-link").addEventListener("click", function () { copyText($("entry-link").href); });
    window.addEventListener("beforeunload", function (e) {
      if (!state.uploading) return undefined;
      e.preventDefault();
      e.returnValue = txt("leave_warning");
      return e.returnValue;
    });
  }

  function start() {
    var params = new URLSearchParams(location.search);
    var lang = params.get("lang") || load(STORE_LANG, null) || "vi";
    bind();
    addAuthor();
    setLang(lang);
    loadCampaigns().then(route).then(function () { setLang(state.lang); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.ContestUpload = window.ContestUpload || {});
