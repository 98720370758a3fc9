import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Message } from "../components.jsx";
import { number } from "../format.js";
import { t } from "../i18n.js";

function base64(buffer) {
  let binary = "";
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function Imports({ campaign }) {
  const [file, setFile] = useState(null);
  const [measuredAt, setMeasuredAt] = useState("");
  const [preview, setPreview] = useState(null);
  const [applied, setApplied] = useState(null);
  const [message, setMessage] = useState(null);

  async function body() {
    const content = { file_name: file.name, content_base64: base64(await file.arrayBuffer()) };
    if (measuredAt) content.measured_at = measuredAt;
    return content;
  }
  async function run(path, then) {
    setMessage(null);
    try {
      then(await api(path, { method: "POST", body: await body() }));
    } catch (error) {
      setMessage({ text: error.message, error: true });
    }
  }

  return (
    <>
      <form class="card" onSubmit={(e) => { e.preventDefault(); run(`/campaigns/${campaign.id}/metrics/imports/preview`, setPreview); }}>
        <label for="import-file">{t("pickFile")}</label>
        <input id="import-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => { setFile(e.currentTarget.files[0] || null); setPreview(null); setApplied(null); }} />
        <label for="measured-at">{t("measuredAt")}</label>
        <input id="measured-at" placeholder="30/11/2026 10:00" value={measuredAt} onInput={(e) => setMeasuredAt(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit" disabled={!file}>{t("preview")}</button>
          <button type="button" class="primary" disabled={!file || !preview}
            onClick={() => run(`/campaigns/${campaign.id}/metrics/imports`, setApplied)}>{t("apply")}</button>
        </div>
        <Message {...(message || {})} />
      </form>
      {preview && (
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">{t("preview")}</h2>
          <p>{t("rows")}: {number(preview.rows)} · {t("matched")}: {number(preview.matched)} · {t("unchanged")}: {number(preview.unchanged)}</p>
          {preview.unknown_video_ids?.length > 0 && <p class="error">{t("unknownIds")}: {preview.unknown_video_ids.join(", ")}</p>}
          <div class="table-wrap">
            <table>
              <thead><tr><th>#</th><th>{t("videoId")}</th><th>{t("title")}</th><th>{t("week")}</th><th>{t("breakdown")}</th></tr></thead>
              <tbody>
                {(preview.matched_rows || []).map((row) => (
                  <tr><td>{row.line}</td><td>{row.video_id}</td><td>{row.title}</td><td>{row.week}</td>
                    <td>{Object.entries(row.values || {}).map(([k, v]) => `${k}: ${number(v)}`).join(", ")}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {applied && <p role="status" class="notice">{t("written")}: {number(applied.written)} · {t("unchanged")}: {number(applied.unchanged)}</p>}
    </>
  );
}
