import { useState } from "preact/hooks";
import { api, download } from "../api.js";
import { ScoreChart } from "../chart.jsx";
import { Loaded, Message, optional, useLoad } from "../components.jsx";
import { dateTime, number } from "../format.js";
import { lang, t } from "../i18n.js";

const METRIC_NAMES = {
  vi: { likes: "Lượt thích", saves: "Lượt lưu", shares: "Lượt chia sẻ", reposts: "Lượt đăng lại", comments: "Bình luận", views: "Lượt xem" },
  en: { likes: "Likes", saves: "Saves", shares: "Shares", reposts: "Reposts", comments: "Comments", views: "Views" },
};
export const metricName = (metric) => METRIC_NAMES[lang()][metric] || metric;

function defaultWeek(weeks) {
  const now = Date.now();
  const ended = weeks.filter((w) => Date.parse(w.ends_at) <= now && w.state !== "closed");
  const open = weeks.find((w) => w.state === "open");
  return (ended[0] || open || weeks.filter((w) => Date.parse(w.starts_at) <= now).pop() || weeks[0])?.number;
}

function Breakdown({ row }) {
  const parts = Array.isArray(row.breakdown) ? row.breakdown : [];
  const unmeasured = new Set(row.unmeasured_metrics || []);
  return (
    <ul class="plain">
      {parts.filter((p) => Number(p.weight) !== 0).map((part) => (
        <li>
          {metricName(part.metric)}: {unmeasured.has(part.metric) || part.measured === false
            ? <span class="tag">{t("unmeasured")}</span>
            : <>{number(part.value)} × {number(part.weight)} = {number(part.points)}</>}
          {(row.estimated_metrics || []).includes(part.metric) && <> <span class="tag">{t("estimated")}</span></>}
        </li>
      ))}
    </ul>
  );
}

function Disqualify({ entryId, title, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  if (!open) return <button type="button" onClick={() => setOpen(true)}>{t("disqualify")}</button>;
  async function submit(event) {
    event.preventDefault();
    try {
      await api(`/submissions/${entryId}/disqualification`, { method: "POST", body: { reason: reason.trim() } });
      onDone();
    } catch (failure) {
      setError(failure.message);
    }
  }
  return (
    <form onSubmit={submit}>
      <label for={`dq-${entryId}`}>{t("disqualifyReason")}: {title}</label>
      <textarea id={`dq-${entryId}`} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <div class="actions">
        <button type="submit" class="primary" disabled={!reason.trim()}>{t("disqualify")}</button>
        <button type="button" onClick={() => setOpen(false)}>{t("cancel")}</button>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

function Leaderboard({ campaign, week, onChanged }) {
  const board = useLoad(() => api(`/campaigns/${campaign.id}/weeks/${week.number}/leaderboard?limit=100`), [campaign.id, week.number]);
  const history = useLoad(() => optional(api(`/campaigns/${campaign.id}/weeks/${week.number}/score-history?top=5`), null),
    [campaign.id, week.number]);
  const [message, setMessage] = useState(null);
  return (
    <>
      <Loaded state={history}>
        {(answer) => answer && answer.entries?.some((e) => e.series?.length) ? (
          <ScoreChart label={t("chartTitle")}
            series={answer.entries.filter((e) => e.series?.length).map((e) => ({ label: `${e.rank}. ${e.title}`, points: e.series }))} />
        ) : null}
      </Loaded>
      <Message {...(message || {})} />
      <Loaded state={board}>
        {(answer) => answer.rows.length === 0 ? <p>{t("none")}</p> : (
          <div class="table-wrap">
            <table data-testid="leaderboard">
              <caption class="visually-hidden">{t("weeks")} · {t("week")} {week.number}</caption>
              <thead><tr><th class="num">{t("rank")}</th><th>{t("title")}</th><th>{t("unit")}</th><th class="num">{t("score")}</th><th>{t("breakdown")}</th><th>{t("flags")}</th></tr></thead>
              <tbody>
                {answer.rows.map((row) => (
                  <tr>
                    <td class="num">{row.rank}</td>
                    <td>{row.url ? <a href={row.url} rel="noopener noreferrer" target="_blank">{row.title}</a> : row.title}</td>
                    <td>{row.unit_name || row.unit_id}</td>
                    <td class="num">{number(row.score)}</td>
                    <td><Breakdown row={row} /></td>
                    <td>
                      {(row.flags || []).map((flag) => <span class="tag">{typeof flag === "string" ? flag : flag.kind}</span>)}
                      {week.state !== "closed" && <Disqualify entryId={row.entry_id} title={row.title}
                        onDone={() => { setMessage({ text: t("disqualified") }); board.reload(); onChanged(); }} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      <CloseWeek campaign={campaign} week={week} rows={board.data?.rows || []} onClosed={onChanged} />
    </>
  );
}

function CloseWeek({ campaign, week, rows, onClosed }) {
  const [asking, setAsking] = useState(false);
  const [unmeasured, setUnmeasured] = useState(null);
  const [message, setMessage] = useState(null);
  const ended = Date.parse(week.ends_at) <= Date.now();
  if (!ended || week.state === "closed") return null;
  const known = unmeasured || [...new Set(rows.flatMap((r) => r.unmeasured_metrics || []))];

  async function close() {
    try {
      const answer = await api(`/campaigns/${campaign.id}/weeks/${week.number}/close`, {
        method: "POST", body: { confirm_unmeasured: known.length > 0 },
      });
      setAsking(false);
      setMessage({ text: t("closed", { week: week.number, version: answer.version }) });
      onClosed();
    } catch (error) {
      if (error.code === "unmeasured_confirmation_required") setUnmeasured(error.details?.unmeasured || []);
      else setMessage({ text: error.message, error: true });
    }
  }

  return (
    <section class="card" aria-labelledby="close-title">
      <h2 id="close-title">{t("closeWeek")}</h2>
      {!asking ? (
        <button type="button" class="primary" onClick={() => setAsking(true)}>{t("closeWeek")}</button>
      ) : (
        <div role="group" aria-label={t("confirm")}>
          <p>{t("closeConfirm", { week: week.number })}</p>
          {known.length > 0 && <p class="error">{t("closeUnmeasured", { metrics: known.map(metricName).join(", ") })}</p>}
          <div class="actions">
            <button type="button" class="primary" onClick={close}>{t("confirm")}</button>
            <button type="button" onClick={() => setAsking(false)}>{t("cancel")}</button>
          </div>
        </div>
      )}
      <Message {...(message || {})} />
    </section>
  );
}

function FrozenWeek({ campaign, week }) {
  const [version, setVersion] = useState(week.latest_version);
  const [message, setMessage] = useState(null);
  const ranking = useLoad(() => api(`/campaigns/${campaign.id}/weeks/${week.number}/ranking?version=${version}`), [campaign.id, week.number, version]);
  const versions = Array.from({ length: week.latest_version || 0 }, (_, i) => i + 1);
  async function workbook() {
    try {
      await download(`/campaigns/${campaign.id}/weeks/${week.number}/ranking?format=xlsx&version=${version}`);
    } catch (error) {
      setMessage({ text: error.message, error: true });
    }
  }
  return (
    <section aria-labelledby="frozen-title">
      <h2 id="frozen-title">{t("versions")}</h2>
      <div class="toolbar">
        <label><span>{t("version")}</span>
          <select aria-label={t("version")} value={version} onChange={(e) => setVersion(Number(e.currentTarget.value))}>
            {versions.map((v) => <option value={v}>{v}</option>)}
          </select>
        </label>
        <button type="button" class="primary" onClick={workbook}>{t("downloadRanking")}</button>
      </div>
      <Message {...(message || {})} />
      <Loaded state={ranking}>
        {(answer) => (
          <>
            <p>{t("hash")}: <span class="hash" data-testid="week-hash">{answer.hash}</span></p>
            <p class="muted">{dateTime(answer.closed_at)} · {answer.created_by}</p>
            <div class="table-wrap">
              <table>
                <thead><tr><th class="num">{t("rank")}</th><th>{t("title")}</th><th>{t("unit")}</th><th class="num">{t("score")}</th></tr></thead>
                <tbody>
                  {answer.rows.map((row) => (
                    <tr><td class="num">{row.rank ?? row.position}</td><td>{row.title}</td><td>{row.unit_name}</td><td class="num">{number(row.score)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Loaded>
    </section>
  );
}

function EntryChart({ entryId, title }) {
  const chart = useLoad(() => optional(api(`/submissions/${entryId}/chart`), null), [entryId]);
  return (
    <Loaded state={chart}>
      {(answer) => answer && answer.series?.length ? (
        <ScoreChart label={`${t("evidence")}: ${title}`} series={[{ label: title, points: answer.series }]}
          marks={(answer.flags || []).flatMap((f) => f.marks || [])} />
      ) : null}
    </Loaded>
  );
}

function Flags({ campaign, week }) {
  const flags = useLoad(() => api(`/campaigns/${campaign.id}/weeks/${week.number}/flags`), [campaign.id, week.number]);
  const [shown, setShown] = useState(null);
  return (
    <section aria-labelledby="flags-title">
      <h2 id="flags-title">{t("flags")}</h2>
      <Loaded state={flags}>
        {(answer) => answer.flags.length === 0 ? <p>{t("none")}</p> : (
          <ul>
            {answer.flags.map((flag) => (
              <li>
                <strong>{flag.title}</strong> ({flag.unit_name}): {lang() === "en" ? flag.message_en : flag.message_vi}{" "}
                <button type="button" class="link" onClick={() => setShown(flag)}>{t("evidence")}</button>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {shown && <EntryChart entryId={shown.entry_id} title={shown.title} />}
    </section>
  );
}

export function Weeks({ campaign }) {
  const weeks = useLoad(() => api(`/campaigns/${campaign.id}/weeks`), [campaign.id]);
  // No effect fills in the default: a choice made before an effect ran would be overwritten by it.
  const [picked, setChosen] = useState(null);
  return (
    <Loaded state={weeks}>
      {(answer) => {
        const chosen = picked ?? defaultWeek(answer.weeks);
        const week = answer.weeks.find((w) => w.number === chosen);
        return (
          <>
            <div class="toolbar">
              <label><span>{t("week")}</span>
                <select aria-label={t("week")} value={chosen ?? ""} onChange={(e) => setChosen(Number(e.currentTarget.value))}>
                  {answer.weeks.map((w) => (
                    <option value={w.number}>{t("week")} {w.number}: {dateTime(w.starts_at)} – {dateTime(w.ends_at)} ({t(`week_${w.state}`)})</option>
                  ))}
                </select>
              </label>
            </div>
            {week && (week.state === "closed"
              ? <FrozenWeek key={`${week.number}-${week.latest_version}`} campaign={campaign} week={week} />
              : <Leaderboard key={week.number} campaign={campaign} week={week} onChanged={weeks.reload} />)}
            {week && week.state !== "upcoming" && <Flags campaign={campaign} week={week} />}
          </>
        );
      }}
    </Loaded>
  );
}
