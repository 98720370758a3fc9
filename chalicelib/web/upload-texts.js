/*
 * The upload page's texts: every message in Vietnamese (default) and English, and how
 * sizes, durations, dates and a campaign's rules read in each language.
 * Loaded first; upload-transfer.js and upload.js use it through window.ContestUpload.
 */
(function (app) {
  "use strict";

  var CODEC_NAMES = { h264: "H.264", hevc: "H.265 (HEVC)", vp9: "VP9", av1: "AV1" };

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
      terms_show: "Đọc thể lệ và điều khoản của cuộc thi",
      terms_accept: "Tôi đã đọc và đồng ý với thể lệ, điều khoản của cuộc thi",
      terms_version: function (p) { return "Phiên bản điều khoản: " + p.version; },
      need_terms: "Vui lòng đọc và đánh dấu đồng ý với điều khoản của cuộc thi.",
      terms_changed: "Điều khoản vừa được cập nhật. Vui lòng đọc lại bản mới và đánh dấu đồng ý.",
      withdraw_button: "Rút bài dự thi",
      withdraw_question: "Rút bài khỏi cuộc thi? Bài sẽ không được thẩm định, không được tính và không thể khôi phục.",
      withdraw_yes: "Rút bài",
      withdraw_no: "Không, giữ bài",
      withdrawing: "Đang rút bài…",
      withdrawn_note: "Bài dự thi đã được rút khỏi cuộc thi theo yêu cầu của bạn.",
      recover_heading: "Tra cứu bài dự thi",
      recover_contact_label: "Email hoặc số điện thoại đã dùng khi gửi bài",
      recover_hint: "Chúng tôi sẽ gửi tới đó một đường dẫn dùng một lần, trong 30 phút, để mở lại các bài dự thi của bạn.",
      recover_send: "Gửi đường dẫn tra cứu",
      recover_need_contact: "Hãy nhập email hoặc số điện thoại.",
      recover_sent: "Nếu địa chỉ này đã dùng để gửi bài, đường dẫn tra cứu sẽ tới đó trong ít phút.",
      recover_found: function (p) { return "Các bài dự thi của bạn (" + p.n + "). Mã truy cập mới đã được lưu trên thiết bị này; mã cũ hết hiệu lực."; },
      recover_none: "Không còn bài dự thi nào gắn với địa chỉ này.",
      progress_heading: "Bình chọn",
      published_video: "Video đã đăng (hãy chia sẻ để nhận bình chọn): ",
      voting_week: function (p) { return "Tuần bình chọn " + p.n + ": từ " + p.start + " đến " + p.end + " (giờ Việt Nam)"; },
      live_score: function (p) { return "Điểm hiện tại: " + p.score; },
      score_updated: function (p) { return "cập nhật lúc " + p.at; },
      week_result: function (p) { return "Kết quả tuần " + p.n + ": hạng " + p.rank + "/" + p.of + " với " + p.score + " điểm"; },
      weekly_winner: "Bài dự thi đạt giải tuần!",
      finalist: "Bài dự thi vào vòng chung khảo.",
      metric_names: { likes: "Lượt thích", saves: "Lượt lưu", shares: "Lượt chia sẻ", reposts: "Lượt đăng lại", comments: "Bình luận", views: "Lượt xem" },
      points: "điểm",
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
      terms_show: "Read the campaign's rules and terms",
      terms_accept: "I have read and accept the campaign's rules and terms",
      terms_version: function (p) { return "Terms version: " + p.version; },
      need_terms: "Please read the campaign's terms and tick that you accept them.",
      terms_changed: "The terms have just been updated. Please read the new version and tick that you accept it.",
      withdraw_button: "Withdraw this entry",
      withdraw_question: "Withdraw the entry from the contest? It will not be reviewed or counted, and it cannot be restored.",
      withdraw_yes: "Withdraw",
      withdraw_no: "No, keep it",
      withdrawing: "Withdrawing…",
      withdrawn_note: "The entry has been withdrawn from the contest at your request.",
      recover_heading: "Find my entries",
      recover_contact_label: "The email or phone number you entered with",
      recover_hint: "We will send it a link that works once, within 30 minutes, to open your entries again.",
      recover_send: "Send me the link",
      recover_need_contact: "Enter an email or a phone number.",
      recover_sent: "If this address was used to enter, the link is on its way to it.",
      recover_found: function (p) { return "Your entries (" + p.n + "). New access codes are saved on this device; the old ones no longer work."; },
      recover_none: "No entry is linked to this address any more.",
      progress_heading: "Voting",
      published_video: "Published video (share it to earn votes): ",
      voting_week: function (p) { return "Voting week " + p.n + ": " + p.start + " to " + p.end + " (Vietnam time)"; },
      live_score: function (p) { return "Score now: " + p.score; },
      score_updated: function (p) { return "updated " + p.at; },
      week_result: function (p) { return "Week " + p.n + " result: rank " + p.rank + " of " + p.of + " with " + p.score + " points"; },
      weekly_winner: "This entry wins the weekly prize!",
      finalist: "This entry goes to the final round.",
      metric_names: { likes: "Likes", saves: "Saves", shares: "Shares", reposts: "Reposts", comments: "Comments", views: "Views" },
      points: "points",
      field_labels: { title: "Title", description: "Short description", category: "Category", unit_id: "Unit", authors: "Authors",
        file_name: "File name", content_type: "File type", size_bytes: "File size", name: "Full name", email: "Email", phone: "Phone number" }
    }
  };

  // A server message: the API sends both languages.
  function bilingual(vi, en) { return { vi: vi, en: en }; }

  app.texts = {
    TEXT: TEXT,
    CODEC_NAMES: CODEC_NAMES,
    bilingual: bilingual,
    decimal: decimal,
    sizeText: sizeText,
    joinOr: joinOr,
    measuredDuration: measuredDuration,
    localDate: localDate,
    rulesText: rulesText
  };
})(window.ContestUpload = window.ContestUpload || {});
