/*
 * The participant upload page: create an entry, upload the video straight to the
 * bucket through presigned URLs, then follow the automatic check until its verdict.
 *
 * Plain script, no build step, no third-party code (the page's CSP allows scripts
 * from this API only). Every text exists in Vietnamese (default) and English.
 *
 * What survives a reload or a dropped connection lives in localStorage:
 *   contest.upload.pending  the entry whose upload has not finished
 *                           {submission_id, access_token, campaign_id, title, file, method}
 *   contest.upload.tokens   {submission_id: access_token}, so a kept link still opens
 *   contest.upload.lang     "vi" | "en"
 * Multipart uploads resume by asking the API which parts the bucket already holds;
 * presigned POST uploads (small files) resume by asking for fresh instructions.
 */
(function () {
  "use strict";

  // --- settings ------------------------------------------------------------------------

  var API = new URL(".", location.href); // "/upload" -> "/", "/api/upload" -> "/api/"
  var STORE_PENDING = "contest.upload.pending";
  var STORE_TOKENS = "contest.upload.tokens";
  var STORE_LANG = "contest.upload.lang";
  var POLL_EVERY_MS = 1500;
  var POLL_GIVE_UP_MS = 2 * 60 * 1000;
  var PART_CONCURRENCY = 3;
  var PART_ATTEMPTS = 4; // first try + 3 retries
  var POST_ATTEMPTS = 3;
  var BACKOFF_MS = [1000, 2000, 4000, 8000];
  var STALL_MS = 45000; // no upload progress for this long: treat the connection as dropped
  var UNIT_DEBOUNCE_MS = 250;
  var MAX_AUTHORS = 20;
  var CONTENT_TYPES = { mp4: "video/mp4", mov: "video/quicktime" };
  // The API allows a new video until approval; the page offers it once the check has spoken.
  var REPLACE_OFFERED = ["awaiting_upload", "valid", "invalid", "validation_error"];
  var CODEC_NAMES = { h264: "H.264", hevc: "H.265 (HEVC)", vp9: "VP9", av1: "AV1" };

  // --- texts ---------------------------------------------------------------------------

  function decimal(value, digits, lang) {
    var text = Number(value).toFixed(digits);
    return lang === "vi" ? text.replace(".", ",") : text;
  }

  function sizeText(bytes, lang) {
    var units = [["GB", 1073741824], ["MB", 1048576], ["KB", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1]) {
        var text = (bytes / units[i][1]).toFixed(1).replace(/\.0$/, "");
        return (lang === "vi" ? text.replace(".", ",") : text) + " " + units[i][0];
      }
    }
    return bytes + (lang === "vi" ? " byte" : " bytes");
  }

  function joinOr(items, lang) {
    if (items.length <= 1) return items.join("");
    return items.slice(0, -1).join(", ") + (lang === "vi" ? " hoặc " : " or ") + items[items.length - 1];
  }

  function durationText(seconds, lang) {
    var s = Number(seconds);
    if (s < 60 || s % 60 !== 0 && s < 120) {
      var whole = s % 1 === 0 ? String(s) : decimal(s, 1, lang);
      return lang === "vi" ? whole + " giây" : whole + (s === 1 ? " second" : " seconds");
    }
    var minutes = Math.floor(s / 60);
    var rest = Math.round(s - minutes * 60);
    if (lang === "vi") return minutes + " phút" + (rest ? " " + rest + " giây" : "");
    return minutes + (minutes === 1 ? " minute" : " minutes") + (rest ? " " + rest + " s" : "");
  }

  function measuredDuration(seconds, lang) {
    var s = Number(seconds);
    if (s < 60) return decimal(s, 1, lang) + (lang === "vi" ? " giây" : " s");
    var minutes = Math.floor(s / 60);
    var rest = s - minutes * 60;
    return lang === "vi"
      ? minutes + " phút " + decimal(rest, 1, lang) + " giây"
      : minutes + " min " + decimal(rest, 1, lang) + " s";
  }

  function localDate(iso, lang) {
    // "2027-03-19T00:00:00" (campaign wall-clock): closes at midnight = open "until the end of" the day before.
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
    if (!m) return "";
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    var midnight = m[4] === "00" && m[5] === "00";
    if (midnight) d = new Date(d.getTime() - 86400000);
    var day = String(d.getUTCDate()).padStart(2, "0") + "/" + String(d.getUTCMonth() + 1).padStart(2, "0") + "/" + d.getUTCFullYear();
    if (lang === "vi") return midnight ? "hết ngày " + day : m[4] + ":" + m[5] + " ngày " + day;
    return midnight ? "the end of " + day : m[4] + ":" + m[5] + " on " + day;
  }

  function rulesText(campaign, lang) {
    var media = campaign.media || {};
    var vi = lang === "vi";
    var parts = [joinOr((media.containers || []).map(function (c) { return c.toUpperCase(); }), lang)];
    var codecs = joinOr((media.video_codecs || []).map(function (c) { return CODEC_NAMES[c] || c.toUpperCase(); }), lang);
    parts.push((vi ? "mã hóa " : "encoded in ") + codecs);
    var r = media.resolution;
    if (r) {
      var dims = r.width + " x " + r.height;
      var shape = r.height > r.width ? (vi ? " (video dọc)" : " (portrait)") : r.width > r.height ? (vi ? " (video ngang)" : " (landscape)") : "";
      parts.push((r.match === "minimum" ? (vi ? "tối thiểu " : "at least ") : "") + dims + shape);
    }
    if (media.duration) {
      var span = durationText(media.duration.min_seconds, lang) + " – " + durationText(media.duration.max_seconds, lang);
      parts.push(vi ? "dài " + span : span + " long");
    }
    if (media.max_file_size_bytes) parts.push((vi ? "tối đa " : "up to ") + sizeText(media.max_file_size_bytes, lang));
    return parts.join(", ");
  }

  var TEXT = {
    vi: {
      page_title: "Gửi tác phẩm dự thi",
      loading: "Đang tải…",
      resume_heading: "Bạn có một bài dự thi chưa tải xong",
      resume_entry: "Tác phẩm:",
      resume_pick: "Chọn lại đúng tệp video đó",
      resume_button: "Tiếp tục tải lên",
      resume_discard: "Bỏ qua, gửi bài mới",
      resume_file_hint: function (p) { return "Tệp đã chọn trước đó: " + p.name + " (" + sizeText(p.size, "vi") + "). Phần đã tải lên sẽ không phải tải lại."; },
      resume_need_file: "Vui lòng chọn lại tệp video.",
      resume_other_file: "Tệp này khác tệp đã chọn trước đó, nên video sẽ được tải lên lại từ đầu.",
      lookup_heading: "Xem kết quả bài dự thi",
      submission_id_label: "Mã bài dự thi:",
      lookup_token_label: "Mã truy cập",
      lookup_token_hint: "Mã truy cập được hiển thị một lần khi bạn gửi bài.",
      lookup_button: "Xem kết quả",
      lookup_need_token: "Vui lòng nhập mã truy cập.",
      new_entry: "Gửi bài dự thi khác",
      form_intro: "Điền thông tin tác phẩm rồi chọn tệp video. Video được tải thẳng lên kho lưu trữ của cuộc thi.",
      campaign_label: "Cuộc thi",
      campaign_rules_prefix: "Yêu cầu video: ",
      campaign_deadline: function (p) { return "Nhận bài đến " + p.when + "."; },
      campaign_not_open: "chưa mở nhận bài",
      campaign_closed: "đã hết hạn nhận bài",
      campaign_none: "Hiện không có cuộc thi nào nhận bài qua trang này.",
      campaigns_failed: "Không tải được danh sách cuộc thi. Kiểm tra kết nối mạng rồi tải lại trang.",
      title_label: "Tên tác phẩm",
      description_label: "Mô tả ngắn",
      category_label: "Thể loại",
      optional: "(không bắt buộc)",
      unit_label: "Đơn vị (cơ sở Đoàn)",
      unit_hint: "Gõ tên đơn vị, có dấu hoặc không dấu (ví dụ: ba dinh).",
      unit_chosen: function (p) { return "Đã chọn: " + p.name + (p.parents ? " — " + p.parents : ""); },
      unit_none: "Không tìm thấy đơn vị phù hợp.",
      unit_search_failed: "Không tìm được đơn vị. Kiểm tra kết nối mạng rồi thử lại.",
      authors_label: "Tác giả",
      authors_hint: "Mỗi tác giả cần họ tên và email hoặc số điện thoại.",
      add_author: "+ Thêm tác giả",
      author_legend: function (p) { return "Tác giả " + p.n; },
      author_name: "Họ và tên",
      author_email: "Email",
      author_phone: "Số điện thoại",
      author_remove: "Xóa",
      author_remove_label: function (p) { return "Xóa tác giả " + p.n; },
      file_label: "Tệp video",
      file_info: function (p) { return p.name + " — " + sizeText(p.size, "vi"); },
      submit: "Gửi bài và tải video lên",
      submitting: "Đang tạo bài dự thi…",
      keep_link: "Hãy lưu lại đường dẫn trang này để xem kết quả sau:",
      copy: "Sao chép",
      copied: "Đã sao chép.",
      copy_failed: "Không sao chép được; hãy chọn và sao chép thủ công.",
      token_label: "Mã truy cập (chỉ hiển thị một lần)",
      token_hint: "Cần mã này để xem kết quả hoặc thay video trên thiết bị khác. Hãy lưu lại; ban tổ chức không thể xem lại mã này.",
      check_again: "Kiểm tra lại",
      replace_heading: "Thay video khác",
      replace_pick: "Chọn tệp video mới",
      replace_button: "Tải video mới lên",
      replace_need_file: "Vui lòng chọn tệp video mới.",
      // validation (a courtesy: the server decides)
      need_campaign: "Vui lòng chọn cuộc thi.",
      need_title: "Vui lòng nhập tên tác phẩm.",
      need_unit: "Vui lòng gõ tên và chọn đơn vị trong danh sách gợi ý.",
      need_author_name: "Nhập họ và tên tác giả.",
      need_author_contact: "Nhập email hoặc số điện thoại của tác giả.",
      bad_email: "Email chưa đúng định dạng.",
      bad_phone: "Số điện thoại chưa đúng (8–20 chữ số).",
      need_file: "Vui lòng chọn tệp video.",
      file_empty: "Tệp bạn chọn bị trống (0 byte).",
      file_type: function (p) { return "Cuộc thi chỉ nhận video " + p.allowed + ". Hãy chọn đúng tệp video."; },
      file_too_large: function (p) { return "Tệp quá lớn (" + sizeText(p.size, "vi") + "). Dung lượng tối đa là " + sizeText(p.max, "vi") + "."; },
      form_has_errors: "Vui lòng kiểm tra lại các mục được đánh dấu.",
      network_error: "Không kết nối được tới máy chủ. Kiểm tra kết nối mạng rồi thử lại.",
      server_error: function (p) { return "Máy chủ đang gặp sự cố (mã " + p.status + "). Vui lòng thử lại sau ít phút."; },
      // upload
      uploading: "Đang tải video lên…",
      uploading_retry: "Kết nối chập chờn, đang thử lại…",
      uploaded: "Đã tải video lên.",
      upload_bytes: function (p) { return sizeText(p.loaded, "vi") + " / " + sizeText(p.total, "vi"); },
      upload_interrupted: "Tải lên bị gián đoạn. Kiểm tra kết nối mạng rồi bấm «Tiếp tục tải lên».",
      upload_interrupted_parts: "Tải lên bị gián đoạn. Kiểm tra kết nối mạng rồi bấm «Tiếp tục tải lên»: những phần đã tải xong sẽ không phải tải lại.",
      upload_refused: function (p) { return "Kho lưu trữ từ chối tệp (" + p.code + "). Hãy thử tải lên lại hoặc chọn tệp khác."; },
      leave_warning: "Video đang được tải lên. Rời trang lúc này sẽ làm gián đoạn việc tải lên.",
      // status and verdict
      checking: "Đang kiểm tra video…",
      checking_slow: "Việc kiểm tra đang lâu hơn bình thường. Hãy giữ đường dẫn trang này và quay lại sau, hoặc bấm «Kiểm tra lại».",
      no_video_yet: "Bài dự thi chưa có video. Hãy chọn tệp video và tải lên.",
      status_prefix: "Trạng thái: ",
      verdict_valid_note: "Video đáp ứng yêu cầu của cuộc thi. Ban tổ chức sẽ xem xét và thông báo kết quả.",
      verdict_invalid_note: "Video chưa đáp ứng yêu cầu. Hãy sửa theo hướng dẫn dưới đây rồi tải lên video khác.",
      verdict_error_note: "Hệ thống chưa kiểm tra được video này. Ban tổ chức sẽ xử lý; bạn cũng có thể tải lên lại.",
      failed_heading: "Lý do",
      warnings_heading: "Lưu ý",
      passed_heading: function (p) { return "Các mục đạt yêu cầu (" + p.n + ")"; },
      facts_heading: "Thông tin video đã đo",
      fact_resolution: "Kích thước khung hình",
      fact_duration: "Thời lượng",
      fact_codec: "Mã hóa video",
      fact_container: "Định dạng tệp",
      fact_fps: "Tốc độ khung hình",
      fact_fps_value: function (p) { return p.fps + " khung hình/giây"; },
      fact_audio: "Âm thanh",
      fact_size: "Dung lượng",
      yes: "Có",
      no: "Không",
      rejection_reason: "Ý kiến của ban tổ chức: ",
      field_labels: { title: "Tên tác phẩm", description: "Mô tả ngắn", category: "Thể loại", unit_id: "Đơn vị", authors: "Tác giả",
        file_name: "Tên tệp", content_type: "Định dạng tệp", size_bytes: "Dung lượng tệp", name: "Họ và tên", email: "Email", phone: "Số điện thoại" }
    },
    en: {
      page_title: "Submit your contest entry",
      loading: "Loading…",
      resume_heading: "You have an entry whose upload did not finish",
      resume_entry: "Entry:",
      resume_pick: "Choose the same video file again",
      resume_button: "Resume upload",
      resume_discard: "Skip it and submit a new entry",
      resume_file_hint: function (p) { return "The file chosen before: " + p.name + " (" + sizeText(p.size, "en") + "). Parts already uploaded will not be sent again."; },
      resume_need_file: "Please choose the video file again.",
      resume_other_file: "This is not the file chosen before, so the video will be uploaded from the start.",
      lookup_heading: "See your entry's result",
      submission_id_label: "Entry ID:",
      lookup_token_label: "Access code",
      lookup_token_hint: "The access code was shown once, when you submitted the entry.",
      lookup_button: "See the result",
      lookup_need_token: "Please enter the access code.",
      new_entry: "Submit another entry",
      form_intro: "Fill in your entry's details, then choose the video file. The video goes straight to the contest's storage.",
      campaign_label: "Contest",
      campaign_rules_prefix: "Video requirements: ",
      campaign_deadline: function (p) { return "Entries accepted until " + p.when + "."; },
      campaign_not_open: "not open yet",
      campaign_closed: "closed",
      campaign_none: "No contest is accepting entries through this page right now.",
      campaigns_failed: "The list of contests could not be loaded. Check your connection and reload the page.",
      title_label: "Title",
      description_label: "Short description",
      category_label: "Category",
      optional: "(optional)",
      unit_label: "Unit (Youth Union branch)",
      unit_hint: "Type the unit's name, with or without Vietnamese accents (e.g. ba dinh).",
      unit_chosen: function (p) { return "Chosen: " + p.name + (p.parents ? " — " + p.parents : ""); },
      unit_none: "No matching unit.",
      unit_search_failed: "Units could not be searched. Check your connection and try again.",
      authors_label: "Authors",
      authors_hint: "Each author needs a name and an email or a phone number.",
      add_author: "+ Add an author",
      author_legend: function (p) { return "Author " + p.n; },
      author_name: "Full name",
      author_email: "Email",
      author_phone: "Phone number",
      author_remove: "Remove",
      author_remove_label: function (p) { return "Remove author " + p.n; },
      file_label: "Video file",
      file_info: function (p) { return p.name + " — " + sizeText(p.size, "en"); },
      submit: "Submit and upload the video",
      submitting: "Creating your entry…",
      keep_link: "Keep this page's link to see the result later:",
      copy: "Copy",
      copied: "Copied.",
      copy_failed: "Could not copy; select the text and copy it by hand.",
      token_label: "Access code (shown only once)",
      token_hint: "You need this code to see the result or replace the video on another device. Keep it; the organisers cannot show it again.",
      check_again: "Check again",
      replace_heading: "Replace the video",
      replace_pick: "Choose the new video file",
      replace_button: "Upload the new video",
      replace_need_file: "Please choose the new video file.",
      need_campaign: "Please choose a contest.",
      need_title: "Please enter a title.",
      need_unit: "Type the unit's name and choose it from the suggestions.",
      need_author_name: "Enter the author's full name.",
      need_author_contact: "Enter the author's email or phone number.",
      bad_email: "This email address does not look right.",
      bad_phone: "This phone number does not look right (8–20 digits).",
      need_file: "Please choose the video file.",
      file_empty: "The chosen file is empty (0 bytes).",
      file_type: function (p) { return "This contest accepts " + p.allowed + " videos only. Choose the video file."; },
      file_too_large: function (p) { return "The file is too large (" + sizeText(p.size, "en") + "). The maximum is " + sizeText(p.max, "en") + "."; },
      form_has_errors: "Please check the highlighted fields.",
      network_error: "The server could not be reached. Check your connection and try again.",
      server_error: function (p) { return "The server has a problem (code " + p.status + "). Please try again in a few minutes."; },
      uploading: "Uploading the video…",
      uploading_retry: "The connection is unstable; retrying…",
      uploaded: "Video uploaded.",
      upload_bytes: function (p) { return sizeText(p.loaded, "en") + " / " + sizeText(p.total, "en"); },
      upload_interrupted: "The upload was interrupted. Check your connection, then press “Resume upload”.",
      upload_interrupted_parts: "The upload was interrupted. Check your connection, then press “Resume upload”: the parts already uploaded will not be sent again.",
      upload_refused: function (p) { return "The storage refused the file (" + p.code + "). Try uploading again or choose another file."; },
      leave_warning: "The video is being uploaded. Leaving now interrupts the upload.",
      checking: "Checking the video…",
      checking_slow: "The check is taking longer than usual. Keep this page's link and come back later, or press “Check again”.",
      no_video_yet: "This entry has no video yet. Choose the video file and upload it.",
      status_prefix: "Status: ",
      verdict_valid_note: "The video meets the contest's requirements. The organisers will review it and announce the results.",
      verdict_invalid_note: "The video does not meet the requirements yet. Fix what is listed below, then upload another video.",
      verdict_error_note: "The video could not be checked yet. The organisers will look into it; you may also upload it again.",
      failed_heading: "Why",
      warnings_heading: "Please note",
      passed_heading: function (p) { return "Requirements met (" + p.n + ")"; },
      facts_heading: "What we measured",
      fact_resolution: "Frame size",
      fact_duration: "Duration",
      fact_codec: "Video codec",
      fact_container: "File format",
      fact_fps: "Frame rate",
      fact_fps_value: function (p) { return p.fps + " frames per second"; },
      fact_audio: "Sound",
      fact_size: "File size",
      yes: "Yes",
      no: "No",
      rejection_reason: "The organisers' note: ",
      field_labels: { title: "Title", description: "Short description", category: "Category", unit_id: "Unit", authors: "Authors",
        file_name: "File name", content_type: "File type", size_bytes: "File size", name: "Full name", email: "Email", phone: "Phone number" }
    }
  };

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

  function bilingual(vi, en) { return { vi: vi, en: en }; }

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

  // --- API -----------------------------------------------------------------------------

  function ApiError(status, code, message, details) {
    this.status = status;
    this.code = code;
    this.message = message; // a message object
    this.details = details || {};
  }

  function api(path, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.token) headers["X-Participant-Token"] = options.token;
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    return fetch(new URL(path, API), {
      method: options.method || "GET",
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: "no-store",
      credentials: "omit"
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (response.ok) return data;
        var err = data && data.error;
        if (err) {
          throw new ApiError(response.status, err.code, bilingual(err.message_vi || err.message, err.message_en || err.message), err.details);
        }
        throw new ApiError(response.status, "http_" + response.status, { k: "server_error", p: { status: response.status } });
      });
    }, function () {
      throw new ApiError(0, "network", { k: "network_error" });
    });
  }

  function submissionPath(id, rest) { return "submissions/" + encodeURIComponent(id) + (rest || ""); }

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
      if (!state.campaigns.some(function (c) { return openState(c) === "open"; })) fieldError("campaign", { k: "campaign_none" });
    }, function (err) {
      fieldError("campaign", err.code === "network" ? { k: "campaigns_failed" } : err.message);
    });
  }

  // --- field errors --------------------------------------------------------------------

  var FIELD_INPUT = { campaign: "campaign", title: "title", description: "description", category: "category", unit: "unit", authors: null, file: "file" };

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
    ["campaign", "title", "description", "category", "unit", "authors", "file"].forEach(function (f) { fieldError(f, null); });
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
      content_type_not_allowed: "file", file_too_large: "file", unknown_unit: "unit",
      campaign_closed: "campaign", campaign_not_found: "campaign"
    };
    if (byCode[err.code]) { fieldError(byCode[err.code], err.message); placed = true; }
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
    api("units?q=" + encodeURIComponent(query) + "&limit=20").then(function (data) {
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

  function contentTypeOf(file) {
    if (file.type === "video/mp4" || file.type === "video/quicktime") return file.type;
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    if (ext === "mp4" || ext === "m4v") return "video/mp4";
    if (ext === "mov" || ext === "qt") return "video/quicktime";
    return file.type || "application/octet-stream";
  }

  function fileMeta(file) {
    return { name: file.name, size: file.size, type: contentTypeOf(file), last_modified: file.lastModified };
  }

  function sameFile(file, meta) {
    return !!meta && file.name === meta.name && file.size === meta.size &&
      (!meta.last_modified || !file.lastModified || file.lastModified === meta.last_modified);
  }

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
    ["resume-panel", "lookup-panel", "entry-form", "entry-panel"].forEach(function (p) { $(p).hidden = p !== id; });
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

  function UploadError(kind, detail) {
    this.kind = kind;     // "network" | "expired" | "refused" | "gone"
    this.detail = detail || "";
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function waitOnline(limitMs) {
    if (navigator.onLine !== false) return Promise.resolve();
    return new Promise(function (resolve) {
      var done = function () { window.removeEventListener("online", done); resolve(); };
      window.addEventListener("online", done);
      setTimeout(done, limitMs);
    });
  }

  function backoff(attempt) {
    var base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    return waitOnline(60000).then(function () { return sleep(base + Math.random() * base * 0.25); });
  }

  function s3Code(text) {
    var m = /<Code>([^<]+)<\/Code>/.exec(text || "");
    return m ? m[1] : "";
  }

  // One request with upload progress; a connection that stops moving is abandoned.
  function send(method, url, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      var last = Date.now();
      var watchdog = setInterval(function () {
        if (Date.now() - last > STALL_MS) { x.abort(); }
      }, 5000);
      var finish = function () { clearInterval(watchdog); };
      x.open(method, url);
      if (x.upload) {
        x.upload.onprogress = function (e) {
          last = Date.now();
          if (onProgress && e.lengthComputable) onProgress(e.loaded);
        };
      }
      x.onload = function () { finish(); resolve({ status: x.status, text: x.responseText }); };
      x.onerror = function () { finish(); reject(new UploadError("network")); };
      x.onabort = function () { finish(); reject(new UploadError("network", "stalled")); };
      x.send(body);
    });
  }

  function classify(response) {
    if (response.status >= 200 && response.status < 300) return null;
    var code = s3Code(response.text);
    if (response.status === 403 && /expired|AccessDenied|SignatureDoesNotMatch/i.test(code + response.text)) return new UploadError("expired", code);
    if (response.status === 404 && code === "NoSuchUpload") return new UploadError("gone", code);
    if (response.status >= 500 || response.status === 408 || response.status === 429) return new UploadError("network", code || String(response.status));
    return new UploadError("refused", code || String(response.status));
  }

  var progress = {
    total: 0, done: 0, inflight: new Map(),
    reset: function (total, done) { this.total = total; this.done = done || 0; this.inflight = new Map(); this.render(); },
    set: function (key, loaded) { this.inflight.set(key, loaded); this.render(); },
    finish: function (key, size) { this.inflight.delete(key); this.done += size; this.render(); },
    drop: function (key) { this.inflight.delete(key); this.render(); },
    loaded: function () { var sum = this.done; this.inflight.forEach(function (v) { sum += v; }); return Math.min(sum, this.total); },
    render: function () {
      var loaded = this.loaded();
      var pct = this.total ? Math.floor(loaded / this.total * 100) : 0;
      if (pct === 100 && loaded < this.total) pct = 99;
      $("progress").setAttribute("aria-valuenow", String(pct));
      $("progress-fill").style.width = pct + "%";
      $("progress-text").textContent = pct + " %";
      say($("upload-bytes"), { k: "upload_bytes", p: { loaded: loaded, total: this.total } });
    }
  };

  function uploadPost(file, upload) {
    var attempt = 0;
    var run = function () {
      progress.reset(file.size, 0);
      var form = new FormData();
      Object.keys(upload.fields || {}).forEach(function (k) { form.append(k, upload.fields[k]); });
      form.append("file", file); // last: S3 ignores every field after the file
      return send("POST", upload.url, form, function (loaded) {
        progress.set("post", loaded); // includes the few bytes of the fields; capped at the file size
      }).then(function (response) {
        var failure = classify(response);
        if (failure) throw failure;
        progress.reset(file.size, file.size);
      }).catch(function (err) {
        progress.drop("post");
        attempt += 1;
        if (err.kind !== "network" || attempt >= POST_ATTEMPTS) throw err;
        say($("upload-label"), { k: "uploading_retry" });
        return backoff(attempt - 1).then(function () { say($("upload-label"), { k: "uploading" }); return run(); });
      });
    };
    return run();
  }

  function fetchParts(entry) {
    return api(submissionPath(entry.submission_id, "/uploads/current/parts"), { token: entry.access_token });
  }

  // Upload the parts listed in `plan.parts` (a few at a time), each retried with backoff.
  function uploadParts(entry, file, plan) {
    var partSize = plan.part_size;
    var done = 0;
    (plan.uploaded || []).forEach(function (p) { done += p.size; });
    progress.reset(file.size, Math.min(done, file.size));
    var queue = plan.parts.slice().sort(function (a, b) { return a.part_number - b.part_number; });
    var urls = {};
    queue.forEach(function (p) { urls[p.part_number] = p.url; });
    var failure = null;
    var refreshing = null;

    var refreshUrls = function () {
      if (!refreshing) {
        refreshing = fetchParts(entry).then(function (fresh) {
          fresh.parts.forEach(function (p) { urls[p.part_number] = p.url; });
        }).then(function () { refreshing = null; }, function (err) { refreshing = null; throw err; });
      }
      return refreshing;
    };

    var uploadOne = function (n, attempt) {
      var blob = file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
      return send("PUT", urls[n], blob, function (loaded) { progress.set(n, loaded); }).then(function (response) {
        var problem = classify(response);
        if (problem) throw problem;
        progress.finish(n, blob.size);
      }).catch(function (err) {
        progress.drop(n);
        if (failure || attempt + 1 >= PART_ATTEMPTS) throw err;
        if (err.kind === "expired") return refreshUrls().then(function () { return uploadOne(n, attempt + 1); });
        if (err.kind !== "network") throw err;
        say($("upload-label"), { k: "uploading_retry" });
        return backoff(attempt).then(function () {
          if (failure) throw err;
          say($("upload-label"), { k: "uploading" });
          return uploadOne(n, attempt + 1);
        });
      });
    };

    var worker = function () {
      if (failure || !queue.length) return Promise.resolve();
      var part = queue.shift();
      return uploadOne(part.part_number, 0).then(worker, function (err) { failure = failure || err; });
    };
    var workers = [];
    for (var i = 0; i < Math.min(PART_CONCURRENCY, queue.length); i++) workers.push(worker());
    return Promise.all(workers).then(function () { if (failure) throw failure; });
  }

  function uploadMultipart(entry, file, plan) {
    return uploadParts(entry, file, plan).then(function () {
      return api(submissionPath(entry.submission_id, "/uploads/current/complete"), { method: "POST", token: entry.access_token })
        .catch(function (err) {
          if (err.code !== "parts_missing") throw err;
          // A part went missing after all (e.g. a lost response): upload what the bucket lacks, once.
          return fetchParts(entry).then(function (fresh) {
            return uploadParts(entry, file, fresh);
          }).then(function () {
            return api(submissionPath(entry.submission_id, "/uploads/current/complete"), { method: "POST", token: entry.access_token });
          });
        });
    }).then(function () { progress.reset(file.size, file.size); });
  }

  // Fresh instructions for this entry and this file (replacing a video, or resuming a POST).
  function requestNewUpload(entry, file) {
    return api(submissionPath(entry.submission_id, "/uploads"), {
      method: "POST",
      token: entry.access_token,
      body: { file_name: file.name, content_type: contentTypeOf(file), size_bytes: file.size }
    }).then(function (answer) {
      entry.method = answer.upload.method;
      entry.file = fileMeta(file);
      savePending(entry);
      return answer.upload;
    });
  }

  function transfer(entry, file, upload) {
    if (upload.method === "POST") {
      return uploadPost(file, upload).catch(function (err) {
        if (err.kind !== "expired") throw err;
        return requestNewUpload(entry, file).then(function (fresh) { return transfer(entry, file, fresh); });
      });
    }
    var plan = upload.resume
      ? fetchParts(entry)
      : Promise.resolve({ part_size: upload.part_size, part_count: upload.part_count, parts: upload.parts, uploaded: [] });
    return plan.then(function (p) { return uploadMultipart(entry, file, p); }).catch(function (err) {
      if (err.kind === "gone" || err.code === "no_multipart_upload") {
        return requestNewUpload(entry, file).then(function (fresh) { return transfer(entry, file, fresh); });
      }
      throw err;
    });
  }

  function setUploading(on) {
    state.uploading = on;
    $("resume-upload").disabled = on;
    $("replace-upload").disabled = on;
    $("new-entry").disabled = on;
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
    progress.reset(file.size, 0);
    return getInstructions().then(function (upload) {
      if (upload.landed) return null;
      return transfer(entry, file, upload);
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
    validation_error: "warn"
  };

  function renderView(view) {
    state.view = view;
    if (view.title) $("entry-heading").textContent = view.title;
    var status = $("status");
    var box = $("verdict");
    var label = view.status_label ? bilingual(view.status_label.vi, view.status_label.en) : bilingual(view.status, view.status);
    box.textContent = "";
    $("replace-box").hidden = REPLACE_OFFERED.indexOf(view.status) < 0 || state.uploading;

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
    var note = { valid: "verdict_valid_note", invalid: "verdict_invalid_note", validation_error: "verdict_error_note" }[view.status];
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

  function route() {
    var params = new URLSearchParams(location.search);
    var id = params.get("submission");
    var pending = load(STORE_PENDING, null);
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
    showOnly("entry-form");
    return Promise.resolve();
  }

  function bind() {
    $("lang-vi").addEventListener("click", function () { setLang("vi"); });
    $("lang-en").addEventListener("click", function () { setLang("en"); });
    $("entry-form").addEventListener("submit", onSubmit);
    $("campaign").addEventListener("change", function () { renderRules(); fieldError("campaign", null); onFileChosen(); });
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
    $("new-entry").addEventListener("click", newEntry);
    $("lookup-new").addEventListener("click", newEntry);
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
})();
