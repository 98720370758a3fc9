import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Loaded, Message, useLoad } from "../components.jsx";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { UnitFilter } from "./Review.jsx";

// https://www.tiktok.com/@unit/video/7312345678901234567?is_from_webapp=1 -> 7312345678901234567
export function tiktokVideoId(link) {
  const match = /tiktok\.com\/(?:@[^/?#]+\/video|v|embed(?:\/v2)?)\/(\d{6,25})/i.exec(link || "");
  return match ? match[1] : null;
}

// A datetime-local value read as Vietnam time, whatever the device's own zone.
const VIETNAM_OFFSET = "+07:00";

export function vietnamInputValue(instant) {
  const shifted = new Date(instant.getTime() + 7 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
}

export function fromVietnamInput(value) {
  const parsed = new Date(`${value}:00${VIETNAM_OFFSET}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function weekOf(weeks, instant) {
  const at = instant.getTime();
  return weeks.find((w) => Date.parse(w.starts_at) <= at && at < Date.parse(w.ends_at)) || null;
}

function PublishForm({ entry, weeks, onDone }) {
  const [link, setLink] = useState("");
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const [postedAt, setPostedAt] = useState(vietnamInputValue(new Date()));
  const videoId = tiktokVideoId(link);
  const posted = fromVietnamInput(postedAt);
  const week = posted && weekOf(weeks, posted);

  async function downloadVideo() {
    try {
      const links = await api(`/submissions/${entry.submission_id}/video`);
      location.assign(links.download_url);
    } catch (error) {
      setMessage({ text: error.message, error: true });
    }
  }

  async function confirm(event) {
    event.preventDefault();
    setBusy(true);
    try {
      await api(`/submissions/${entry.submission_id}/publication`, {
        method: "POST",
        body: { platform: "tiktok", video_id: videoId, url: link.trim(), published_at: `${postedAt}:00${VIETNAM_OFFSET}` },
      });
      onDone(entry);
    } catch (error) {
      setMessage({ text: error.message, error: true });
    } finally {
      setBusy(false);
    }
  }

  const inputId = `link-${entry.submission_id}`;
  return (
    <form class="card" onSubmit={confirm} aria-label={entry.title}>
      <h2>{entry.title}</h2>
      <p class="muted">{entry.unit_name || entry.unit_id} · {dateTime(entry.created_at)}</p>
      <div class="actions"><button type="button" onClick={downloadVideo}>{t("download")}</button></div>
      <label for={inputId}>{t("tiktokLink")}</label>
      <input id={inputId} type="url" inputMode="url" value={link} class="wide" aria-describedby={`${inputId}-help`}
        onInput={(event) => setLink(event.currentTarget.value)} />
      <p id={`${inputId}-help`} class="muted">{t("tiktokHelp")}</p>
      {link && !videoId && <p class="error" role="alert">{t("notTiktokLink")}</p>}
      <label for={`${inputId}-at`}>{t("postedAt")}</label>
      <input id={`${inputId}-at`} type="datetime-local" value={postedAt} required
        onInput={(event) => setPostedAt(event.currentTarget.value)} />
      {videoId && (
        <p data-testid="publish-week">
          {t("videoId")}: <strong>{videoId}</strong>.{" "}
          {week ? t("competesIn", { week: week.number, from: dateTime(week.starts_at), to: dateTime(week.ends_at) }) : t("noWeek")}
        </p>
      )}
      <button type="submit" class="primary" disabled={!videoId || !posted || busy}>{t("confirmPublish")}</button>
      <Message {...(message || {})} />
    </form>
  );
}

export function Publish({ campaign, me }) {
  const [unit, setUnit] = useState("");
  const [done, setDone] = useState(null);
  const [published, setPublished] = useState(new Set());
  const weeks = useLoad(() => api(`/campaigns/${campaign.id}/weeks`), [campaign.id]);
  const entries = useLoad(() => {
    const query = new URLSearchParams({ status: "approved", limit: "50" });
    if (unit) query.set("unit_id", unit);
    return api(`/campaigns/${campaign.id}/submissions?${query}`);
  }, [campaign.id, unit]);
  return (
    <>
      <div class="toolbar"><UnitFilter me={me} value={unit} onChange={setUnit} /></div>
      <Message text={done} />
      <Loaded state={entries}>
        {(answer) => {
          const waiting = answer.entries.filter((e) => !published.has(e.submission_id));
          if (!waiting.length) return <p>{t("none")}</p>;
          return waiting.map((entry) => (
            <PublishForm key={entry.submission_id} entry={entry} weeks={weeks.data?.weeks || []}
              onDone={(e) => { setPublished(new Set([...published, e.submission_id])); setDone(`${t("published")} ${e.title}`); }} />
          ));
        }}
      </Loaded>
    </>
  );
}
