/*
 * Sending the video: the API client, and the upload straight to the bucket through
 * presigned URLs, a POST for small files or a multipart upload that resumes by asking
 * the API which parts the bucket already holds. Nothing here touches the page: the
 * caller passes hooks for progress, retries and changed instructions.
 * Needs upload-texts.js; upload.js uses it through window.ContestUpload.transfer.
 */
(function (app) {
  "use strict";

  var bilingual = app.texts.bilingual;

  var API = new URL(".", location.href); // "/upload" -> "/", "/api/upload" -> "/api/"
  var PART_CONCURRENCY = 3;
  var PART_ATTEMPTS = 4; // first try + 3 retries
  var POST_ATTEMPTS = 3;
  var BACKOFF_MS = [1000, 2000, 4000, 8000];
  var STALL_MS = 45000; // no upload progress for this long: treat the connection as dropped
  var CONTENT_TYPES = { mp4: "video/mp4", mov: "video/quicktime" };

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

  // Bytes sent so far, across the parts in flight; `onChange(loaded, total)` shows them.
  var progress = {
    total: 0, done: 0, inflight: new Map(), onChange: function () {},
    reset: function (total, done) { this.total = total; this.done = done || 0; this.inflight = new Map(); this.render(); },
    set: function (key, loaded) { this.inflight.set(key, loaded); this.render(); },
    finish: function (key, size) { this.inflight.delete(key); this.done += size; this.render(); },
    drop: function (key) { this.inflight.delete(key); this.render(); },
    loaded: function () { var sum = this.done; this.inflight.forEach(function (v) { sum += v; }); return Math.min(sum, this.total); },
    render: function () { this.onChange(this.loaded(), this.total); }
  };

  function uploadPost(file, upload, hooks) {
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
        hooks.retrying(true);
        return backoff(attempt - 1).then(function () { hooks.retrying(false); return run(); });
      });
    };
    return run();
  }

  function fetchParts(entry) {
    return api(submissionPath(entry.submission_id, "/uploads/current/parts"), { token: entry.access_token });
  }

  // Upload the parts listed in `plan.parts` (a few at a time), each retried with backoff.
  function uploadParts(entry, file, plan, hooks) {
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
        hooks.retrying(true);
        return backoff(attempt).then(function () {
          if (failure) throw err;
          hooks.retrying(false);
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

  function uploadMultipart(entry, file, plan, hooks) {
    return uploadParts(entry, file, plan, hooks).then(function () {
      return api(submissionPath(entry.submission_id, "/uploads/current/complete"), { method: "POST", token: entry.access_token })
        .catch(function (err) {
          if (err.code !== "parts_missing") throw err;
          // A part went missing after all (e.g. a lost response): upload what the bucket lacks, once.
          return fetchParts(entry).then(function (fresh) {
            return uploadParts(entry, file, fresh, hooks);
          }).then(function () {
            return api(submissionPath(entry.submission_id, "/uploads/current/complete"), { method: "POST", token: entry.access_token });
          });
        });
    }).then(function () { progress.reset(file.size, file.size); });
  }

  // Fresh instructions for this entry and this file (replacing a video, or resuming a POST).
  function requestNewUpload(entry, file, hooks) {
    return api(submissionPath(entry.submission_id, "/uploads"), {
      method: "POST",
      token: entry.access_token,
      body: { file_name: file.name, content_type: contentTypeOf(file), size_bytes: file.size }
    }).then(function (answer) {
      entry.method = answer.upload.method;
      entry.file = fileMeta(file);
      hooks.instructionsChanged(entry);
      return answer.upload;
    });
  }

  // Send `file` as `upload` instructs (a POST, or a multipart upload to start or resume).
  // hooks: progress(loaded, total), retrying(waiting), instructionsChanged(entry).
  function transfer(entry, file, upload, hooks) {
    progress.onChange = hooks.progress;
    if (upload.method === "POST") {
      return uploadPost(file, upload, hooks).catch(function (err) {
        if (err.kind !== "expired") throw err;
        return requestNewUpload(entry, file, hooks).then(function (fresh) { return transfer(entry, file, fresh, hooks); });
      });
    }
    var plan = upload.resume
      ? fetchParts(entry)
      : Promise.resolve({ part_size: upload.part_size, part_count: upload.part_count, parts: upload.parts, uploaded: [] });
    return plan.then(function (p) { return uploadMultipart(entry, file, p, hooks); }).catch(function (err) {
      if (err.kind === "gone" || err.code === "no_multipart_upload") {
        return requestNewUpload(entry, file, hooks).then(function (fresh) { return transfer(entry, file, fresh, hooks); });
      }
      throw err;
    });
  }

  app.transfer = {
    CONTENT_TYPES: CONTENT_TYPES,
    ApiError: ApiError,
    api: api,
    submissionPath: submissionPath,
    contentTypeOf: contentTypeOf,
    fileMeta: fileMeta,
    sameFile: sameFile,
    sleep: sleep,
    backoff: backoff,
    POST_ATTEMPTS: POST_ATTEMPTS,
    requestNewUpload: requestNewUpload,
    upload: transfer
  };
})(window.ContestUpload = window.ContestUpload || {});
