import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { Loaded, Message, optional, useLoad } from "../components.jsx";
import { bytes, dateTime, number, seconds } from "../format.js";
import { lang, pick, t } from "../i18n.js";

const STATUSES = ["valid", "approved", "rejected", "published", "invalid", "validating", "disqualified"];
const PAGE_SIZE = 50;

function useUnits(me) {
  return useLoad(() => optional(api(`/organisation/units/${encodeURIComponent(me.unit_id)}`), null), [me.unit_id]);
}

export function UnitFilter({ me, value, onChange }) {
  const units = useUnits(me);
  const own = units.data;
  return (
    <label>
      <span>{t("unit")}</span>
      <select aria-label={t("unit")} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{t("allUnits")}</option>
        {own && <option value={own.unit_id}>{own.name}</option>}
        {(own?.children || []).map((child) => <option value={child.unit_id}>— {child.name}</option>)}
      </select>
    </label>
  );
}

const FACT_NAMES = {
  vi: { duration_seconds: "Thời lượng", width: "Chiều rộng", height: "Chiều cao", size_bytes: "Dung lượng",
    video_codec: "Mã hóa hình", audio_codec: "Mã hóa tiếng", container: "Định dạng", frame_rate: "Số khung hình/giây",
    orientation: "Hướng", bitrate: "Tốc độ bit" },
  en: { duration_seconds: "Duration", width: "Width", height: "Height", size_bytes: "Size", video_codec: "Video codec",
    audio_codec: "Audio codec", container: "Container", frame_rate: "Frame rate", orientation: "Orientation", bitrate: "Bit rate" },
};

function showFact(key, value) {
  if (value === null || value === undefined) return "–";
  if (key === "duration_seconds") return seconds(value);
  if (key === "size_bytes") return bytes(value);
  if (key === "width" || key === "height") return `${number(value)} px`;
  if (key === "frame_rate") return `${number(value)} fps`;
  if (typeof value === "number") return number(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function Facts({ entry }) {
  const facts = entry.facts || entry.verdict?.facts;
  if (!facts || !Object.keys(facts).length) return null;
  const names = FACT_NAMES[lang()];
  return (
    <section aria-labelledby="facts-title">
      <h3 id="facts-title">{t("facts")}</h3>
      <dl class="facts">
        {Object.entries(facts).map(([key, value]) => [<dt>{names[key] || key}</dt>, <dd>{showFact(key, value)}</dd>])}
      </dl>
    </section>
  );
}

function Player({ entryId }) {
  const video = useLoad(() => api(`/submissions/${entryId}/video`), [entryId]);
  if (video.error) return <p class="muted">{video.error.code === "video_not_available" ? t("videoUnavailable") : video.error.message}</p>;
  if (!video.data) return <p>{t("loading")}</p>;
  return (
    <video controls preload="metadata" src={video.data.stream_url} data-testid="review-video">
      <track kind="captions" />
    </video>
  );
}

function Decision({ entry, templates, onDone }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef(null);

  async function decide(decision) {
    if (decision === "reject" && !reason.trim()) {
      setMessage({ text: t("reasonRequired"), error: true });
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = decision === "approve" ? { decision } : { decision, reason: reason.trim() };
      await api(`/submissions/${entry.submission_id}/review`, { method: "POST", body });
      onDone(entry, decision);
    } catch (error) {
      setMessage({ text: error.message, error: true });
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    const onKey = (event) => {
      if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "d" || event.key === "D") decide("approve");
      if (event.key === "t" || event.key === "T") {
        event.preventDefault();
        setRejecting(true);
        setTimeout(() => reasonRef.current?.focus(), 0);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  });

  if (entry.status !== "valid") return null;
  return (
    <div>
      <div class="actions">
        <button type="button" class="good" disabled={busy} onClick={() => decide("approve")} aria-keyshortcuts="D">{t("approve")}</button>
        <button type="button" class="primary" disabled={busy} aria-keyshortcuts="T"
          onClick={() => (rejecting ? decide("reject") : setRejecting(true))}>{t("reject")}</button>
      </div>
      {rejecting && (
        <div class="card">
          {templates.length > 0 && (
            <label>
              {t("reasonTemplates")}
              <select onChange={(event) => setReason(event.currentTarget.value)}>
                <option value="">—</option>
                {templates.map((template) => (
                  <option value={lang() === "en" ? template.text_en || template.text_vi : template.text_vi}>
                    {lang() === "en" ? template.text_en || template.text_vi : template.text_vi}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label for="reject-reason">{t("reason")}</label>
          <textarea id="reject-reason" ref={reasonRef} value={reason} maxLength={1000}
            onInput={(event) => setReason(event.currentTarget.value)} />
        </div>
      )}
      <Message {...(message || {})} />
    </div>
  );
}

function EntryDetail({ entry, templates, onDone }) {
  return (
    <article class="card" aria-labelledby="entry-title">
      <h2 id="entry-title">{entry.title}</h2>
      <Player entryId={entry.submission_id} />
      <dl class="facts">
        <dt>{t("unit")}</dt><dd>{entry.unit_name || entry.unit_id}</dd>
        <dt>{t("authors")}</dt><dd>{(entry.authors || []).join(", ")}</dd>
        {entry.category && [<dt>{t("category")}</dt>, <dd>{entry.category}</dd>]}
        <dt>{t("status")}</dt><dd>{pick(entry.status_label) || entry.status}</dd>
        <dt>{t("createdAt")}</dt><dd>{dateTime(entry.created_at)}</dd>
      </dl>
      {entry.description && (<><h3>{t("description")}</h3><p>{entry.description}</p></>)}
      <Facts entry={entry} />
      <Decision key={entry.submission_id} entry={entry} templates={templates} onDone={onDone} />
    </article>
  );
}

export function Review({ campaign, me }) {
  const [unit, setUnit] = useState("");
  const [status, setStatus] = useState("valid");
  const [entries, setEntries] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [openId, setOpenId] = useState(null);
  const [selected, setSelected] = useState(new Set());
  const [message, setMessage] = useState(null);
  const templates = useLoad(() => optional(api(`/campaigns/${campaign.id}/reason-templates`), { templates: [] }), [campaign.id]);

  async function loadPage(after) {
    setLoading(true);
    setError(null);
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), status });
    if (unit) query.set("unit_id", unit);
    if (after) query.set("cursor", after);
    try {
      const answer = await api(`/campaigns/${campaign.id}/submissions?${query}`);
      setEntries((previous) => (after ? [...previous, ...answer.entries] : answer.entries));
      setCursor(answer.next_cursor);
      if (!after) setOpenId(answer.entries[0]?.submission_id ?? null);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    setSelected(new Set());
    loadPage(null);
  }, [campaign.id, unit, status]);

  const openIndex = entries.findIndex((e) => e.submission_id === openId);
  const open = entries[openIndex];

  useEffect(() => {
    const onKey = (event) => {
      if (event.target.closest("input, textarea, select")) return;
      if (event.key === "j" && openIndex < entries.length - 1) setOpenId(entries[openIndex + 1].submission_id);
      if (event.key === "k" && openIndex > 0) setOpenId(entries[openIndex - 1].submission_id);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  });

  function decided(entry, decision) {
    const index = entries.findIndex((e) => e.submission_id === entry.submission_id);
    const rest = entries.filter((e) => e.submission_id !== entry.submission_id);
    setEntries(rest);
    setOpenId(rest[Math.min(index, rest.length - 1)]?.submission_id ?? null);
    setMessage({ text: decision === "approve" ? t("approved") : t("rejected") });
  }

  async function bulkApprove() {
    const ids = [...selected];
    try {
      const answer = await api(`/campaigns/${campaign.id}/bulk-approvals`, { method: "POST", body: { submission_ids: ids } });
      const approved = new Set(answer.results.filter((r) => r.ok).map((r) => r.submission_id));
      setEntries(entries.filter((e) => !approved.has(e.submission_id)));
      setSelected(new Set());
      setMessage({ text: t("bulkDone", { ok: approved.size, failed: ids.length - approved.size }) });
    } catch (failure) {
      setMessage({ text: failure.message, error: true });
    }
  }

  function toggle(id) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  return (
    <>
      <div class="toolbar">
        <UnitFilter me={me} value={unit} onChange={setUnit} />
        <label>
          <span>{t("status")}</span>
          <select aria-label={t("status")} value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            {STATUSES.map((s) => <option value={s}>{t(`status_${s}`)}</option>)}
          </select>
        </label>
        {status === "valid" && selected.size > 0 && (
          <button type="button" class="good" onClick={bulkApprove}>{t("bulkApprove")} ({number(selected.size)})</button>
        )}
      </div>
      <p class="muted">{t("shortcuts")}</p>
      <Message {...(message || {})} />
      {error && <p role="alert" class="error">{error.message}</p>}
      <div class="split">
        <section aria-label={t("entries")}>
          {status === "valid" && entries.length > 0 && (
            <label class="inline">
              <input type="checkbox" checked={selected.size === entries.length}
                onChange={(event) => setSelected(event.currentTarget.checked ? new Set(entries.map((e) => e.submission_id)) : new Set())} />
              {t("selectAll")}
            </label>
          )}
          <ul class="queue">
            {entries.map((entry) => (
              <li aria-current={entry.submission_id === openId ? "true" : undefined}>
                {status === "valid" && (
                  <input type="checkbox" aria-label={`${t("select")}: ${entry.title}`} checked={selected.has(entry.submission_id)}
                    onChange={() => toggle(entry.submission_id)} />
                )}
                <button type="button" class="entry" onClick={() => setOpenId(entry.submission_id)}>
                  <strong>{entry.title}</strong><br />
                  <span class="muted">{entry.unit_name || entry.unit_id} · {dateTime(entry.created_at)}</span>
                </button>
              </li>
            ))}
          </ul>
          {!loading && entries.length === 0 && <p>{status === "valid" ? t("queueEmpty") : t("none")}</p>}
          {loading && <p aria-live="polite">{t("loading")}</p>}
          {cursor && !loading && <button type="button" onClick={() => loadPage(cursor)}>{t("loadMore")}</button>}
        </section>
        <div>
          {open && <EntryDetail entry={open} templates={templates.data?.templates || []} onDone={decided} />}
        </div>
      </div>
    </>
  );
}
