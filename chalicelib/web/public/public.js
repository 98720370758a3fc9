// The public campaign page and its embeddable counter: no sign-in, data from the public API only.
(function () {
  "use strict";

  var TEXTS = {
    vi: {
      counterHeading: "Số tác phẩm dự thi", received: "tác phẩm đã gửi", valid: "tác phẩm hợp lệ",
      chartCaption: "Số tác phẩm nhận được mỗi ngày (giờ Việt Nam)", boardHeading: "Bảng xếp hạng",
      boardEmpty: "Chưa có bài dự thi nào được chấm điểm trong tuần này.", embedHeading: "Gắn bộ đếm lên trang của bạn",
      embedHelp: "Sao chép đoạn mã này vào trang tin của đơn vị:", updated: "Cập nhật lúc", seeMore: "Xem bảng xếp hạng",
      week: "Tuần {n}: {from} – {to}", watch: "Xem trên TikTok", points: "điểm", loading: "Đang tải…",
      failed: "Không tải được dữ liệu. Vui lòng thử lại sau.", notFound: "Không tìm thấy cuộc thi.",
      chartLabel: "Biểu đồ số tác phẩm nhận được theo ngày, {days} ngày, cao nhất {max} tác phẩm một ngày.",
      noDays: "Chưa có tác phẩm nào.", widgetTitle: "Bộ đếm tác phẩm dự thi", language: "Ngôn ngữ"
    },
    en: {
      counterHeading: "Entries received", received: "entries sent", valid: "valid entries",
      chartCaption: "Entries received per day (Vietnam time)", boardHeading: "Leaderboard",
      boardEmpty: "No entry has a score this week yet.", embedHeading: "Put the counter on your site",
      embedHelp: "Copy this code into your unit's page:", updated: "Updated at", seeMore: "See the leaderboard",
      week: "Week {n}: {from} – {to}", watch: "Watch on TikTok", points: "points", loading: "Loading…",
      failed: "The figures could not be loaded. Please try again later.", notFound: "Campaign not found.",
      chartLabel: "Chart of entries received per day, {days} days, at most {max} entries a day.",
      noDays: "No entries yet.", widgetTitle: "Entry counter", language: "Language"
    }
  };
  var ZONE = "Asia/Ho_Chi_Minh";
  var SVG = "http://www.w3.org/2000/svg";
  var page = document.body.getAttribute("data-page");
  var parts = location.pathname.split("/").filter(Boolean);
  var campaignId = decodeURIComponent(parts[1] || "");
  var query = new URLSearchParams(location.search);
  var lang = query.get("lang") === "en" ? "en" : (query.get("lang") === "vi" ? "vi" : storedLanguage());
  var board = null;
  var stats = null;

  function storedLanguage() {
    try { return localStorage.getItem("public-lang") === "en" ? "en" : "vi"; } catch (e) { return "vi"; }
  }
  function t(key, values) {
    var text = TEXTS[lang][key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function locale() { return lang === "en" ? "en-GB" : "vi-VN"; }
  function number(n) { return new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(n); }
  function day(iso) {
    return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric" })
      .format(new Date(iso));
  }
  function moment(iso) {
    return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, dateStyle: "short", timeStyle: "short" })
      .format(new Date(iso));
  }
  function byId(id) { return document.getElementById(id); }
  function setText(id, text) { var el = byId(id); if (el) { el.textContent = text; } }

  function getJson(path) {
    return fetch(path, { headers: { Accept: "application/json", "Accept-Language": lang } }).then(function (r) {
      if (!r.ok) { var error = new Error("HTTP " + r.status); error.status = r.status; throw error; }
      return r.json();
    });
  }

  function drawChart(days) {
    var holder = byId("daily-chart");
    if (!holder) { return; }
    holder.textContent = "";
    var shown = days.slice(-30);
    if (!shown.length) { holder.textContent = t("noDays"); return; }
    var max = Math.max.apply(null, shown.map(function (d) { return d.received; }).concat([1]));
    var compact = page === "widget";
    var width = 300, height = compact ? 64 : 110, bottom = compact ? 0 : 16, gap = 2;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("chartLabel", { days: shown.length, max: number(max) }));
    var barWidth = width / shown.length;
    shown.forEach(function (d, i) {
      var h = Math.round((height - bottom - 4) * d.received / max);
      var rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("class", "bar");
      rect.setAttribute("x", String(i * barWidth + gap / 2));
      rect.setAttribute("y", String(height - bottom - h));
      rect.setAttribute("width", String(Math.max(1, barWidth - gap)));
      rect.setAttribute("height", String(h));
      var title = document.createElementNS(SVG, "title");
      title.textContent = day(d.day + "T05:00:00Z") + ": " + number(d.received);
      rect.appendChild(title);
      svg.appendChild(rect);
    });
    (compact ? [] : [0, shown.length - 1]).forEach(function (i, n) {
      var label = document.createElementNS(SVG, "text");
      label.setAttribute("class", "axis");
      label.setAttribute("x", String(n ? width : 0));
      label.setAttribute("y", String(height - 3));
      label.setAttribute("text-anchor", n ? "end" : "start");
      label.textContent = day(shown[i].day + "T05:00:00Z");
      svg.appendChild(label);
    });
    holder.appendChild(svg);
  }

  function drawBoard() {
    var list = byId("board");
    if (!list || !board) { return; }
    list.textContent = "";
    if (board.week && board.week_window) {
      setText("board-week", t("week", { n: board.week, from: day(board.week_window.starts_at),
                                        to: day(new Date(Date.parse(board.week_window.ends_at) - 1).toISOString()) }));
    }
    byId("board-empty").hidden = board.rows.length > 0;
    board.rows.forEach(function (row) {
      var item = document.createElement("li");
      var rank = document.createElement("span");
      rank.className = "rank";
      rank.textContent = row.rank;
      var what = document.createElement("span");
      var title = document.createElement("span");
      title.className = "entry-title";
      title.textContent = row.title;
      var unit = document.createElement("span");
      unit.className = "unit";
      unit.textContent = row.unit_name || "";
      what.appendChild(title);
      what.appendChild(unit);
      if (row.url) {
        var link = document.createElement("a");
        link.href = row.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = t("watch");
        link.setAttribute("aria-label", t("watch") + ": " + row.title);
        what.appendChild(link);
      }
      var score = document.createElement("span");
      score.className = "score";
      score.textContent = number(Number(row.score)) + " " + t("points");
      item.appendChild(rank);
      item.appendChild(what);
      item.appendChild(score);
      list.appendChild(item);
    });
  }

  function render() {
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (el) {
      el.textContent = t(el.getAttribute("data-text"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
    var name = board ? (lang === "en" ? board.name_en : board.name_vi) : "";
    if (name) {
      setText("campaign-name", name);
      document.title = page === "widget" ? t("widgetTitle") + " – " + name : name;
    }
    if (stats) {
      setText("total-received", number(stats.totals.received));
      setText("total-valid", number(stats.totals.valid));
      drawChart(stats.days);
    }
    drawBoard();
    var updated = byId("updated-at");
    if (board && updated) {
      updated.textContent = moment(board.as_of);
      updated.setAttribute("datetime", board.as_of);
    }
    var link = byId("campaign-link");
    if (link) { link.href = "/c/" + encodeURIComponent(campaignId) + (lang === "en" ? "?lang=en" : ""); }
    var code = byId("embed-code");
    if (code) {
      var src = location.origin + "/c/" + encodeURIComponent(campaignId) + "/widget" + (lang === "en" ? "?lang=en" : "");
      code.value = '<iframe src="' + src + '" title="' + t("widgetTitle") + '" width="320" height="240" loading="lazy"></iframe>';
    }
  }

  function load() {
    setText("status", t("loading"));
    var id = encodeURIComponent(campaignId);
    Promise.all([getJson("/campaigns/" + id + "/public-board"), getJson("/campaigns/" + id + "/stats")])
      .then(function (results) {
        board = results[0];
        stats = results[1];
        setText("status", "");
        render();
      })
      .catch(function (error) { setText("status", error.status === 404 ? t("notFound") : t("failed")); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
    button.addEventListener("click", function () {
      lang = button.getAttribute("data-lang");
      try { localStorage.setItem("public-lang", lang); } catch (e) { /* private mode: the choice lasts this visit */ }
      render();
    });
  });
  render();
  load();
  setInterval(load, 5 * 60 * 1000);
}());
