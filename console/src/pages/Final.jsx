import { useState } from "preact/hooks";
import { api, download } from "../api.js";
import { Loaded, Message, useLoad } from "../components.jsx";
import { number } from "../format.js";
import { lang, t } from "../i18n.js";

const named = (item) => (lang() === "en" ? item.name_en || item.name_vi : item.name_vi);

function ScoreCard({ campaign, finalist, criteria, onSaved }) {
  const existing = finalist.my_scorecard?.points || {};
  const [points, setPoints] = useState(Object.fromEntries(criteria.map((c) => [c.key, existing[c.key] ?? ""])));
  const [message, setMessage] = useState(null);
  const [showVideo, setShowVideo] = useState(false);
  const video = useLoad(() => (showVideo ? api(`/submissions/${finalist.entry_id}/video`) : Promise.resolve(null)),
    [finalist.entry_id, showVideo]);

  async function save(event) {
    event.preventDefault();
    try {
      const body = { points: Object.fromEntries(Object.entries(points).map(([k, v]) => [k, Number(v)])) };
      const card = await api(`/campaigns/${campaign.id}/jury/scores/${finalist.entry_id}`, { method: "PUT", body });
      setMessage({ text: t("scoresSaved", { total: number(card.total) }) });
      onSaved();
    } catch (error) {
      setMessage({ text: error.message, error: true });
    }
  }

  const title = finalist.title || finalist.entry_id;
  return (
    <form class="card" onSubmit={save} aria-label={`${t("scoreForm")}: ${title}`}>
      <h3>{title}</h3>
      {finalist.unit_name && <p class="muted">{finalist.unit_name} · {t("week")} {finalist.week}</p>}
      {!showVideo ? <button type="button" onClick={() => setShowVideo(true)}>▶ Video</button> : (
        video.data ? <video controls preload="metadata" src={video.data.stream_url}><track kind="captions" /></video>
          : video.error ? <p class="error">{video.error.message}</p> : <p>{t("loading")}</p>
      )}
      {criteria.map((criterion) => {
        const id = `score-${finalist.entry_id}-${criterion.key}`;
        return (
          <div>
            <label for={id}>{named(criterion)} ({t("maximum", { max: number(criterion.max_points) })})</label>
            <input id={id} type="number" inputMode="decimal" min="0" max={criterion.max_points} step="0.5" required
              value={points[criterion.key]} onInput={(e) => setPoints({ ...points, [criterion.key]: e.currentTarget.value })} />
          </div>
        );
      })}
      <div class="actions"><button type="submit" class="primary">{t("saveScores")}</button></div>
      <Message {...(message || {})} />
    </form>
  );
}

function Results({ campaign, titles }) {
  const results = useLoad(() => api(`/campaigns/${campaign.id}/results`), [campaign.id]);
  const awards = useLoad(() => api(`/campaigns/${campaign.id}/awards`), [campaign.id]);
  const prizeName = Object.fromEntries((campaign.prizes || []).map((p) => [p.key, named(p)]));
  const [message, setMessage] = useState(null);
  return (
    <>
      <h2>{t("results")}</h2>
      <button type="button" onClick={() => download(`/campaigns/${campaign.id}/results?format=xlsx`)
        .catch((e) => setMessage({ text: e.message, error: true }))}>{t("downloadResults")}</button>
      <Message {...(message || {})} />
      <Loaded state={results}>
        {(answer) => {
          const tied = new Set((answer.tie_flags || []).flatMap((f) => f.entry_ids || []));
          return (
            <>
              <p>{t("progress")}: {answer.complete ? "✓" : `${number((answer.missing_scorecards || []).length)} ${lang() === "en" ? "score cards missing" : "phiếu chấm còn thiếu"}`}</p>
              <div class="table-wrap">
                <table>
                  <thead><tr><th class="num">{t("rank")}</th><th>{t("title")}</th><th class="num">{t("score")}</th><th>{t("prize")}</th></tr></thead>
                  <tbody>
                    {(answer.standings || []).map((s) => (
                      <tr>
                        <td class="num">{s.rank}</td>
                        <td>{titles[s.entry_id] || s.entry_id}</td>
                        <td class="num">{number(s.average)}</td>
                        <td>{prizeName[s.prize] || s.prize || ""}{tied.has(s.entry_id) && <> <span class="tag">{t("tie")}</span></>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Loaded>
      <h2>{t("awards")}</h2>
      <Loaded state={awards}>
        {(answer) => (
          <ul>
            {(answer.awards || []).map((award) => (
              <li><strong>{lang() === "en" ? award.name_en || award.name_vi : award.name_vi}</strong>:{" "}
                {(award.winner_details || []).map((w) => w.title || w.name || w.unit_name || w.entry_id || w.unit_id).join(", ")
                  || (award.winners || []).join(", ") || "–"}
                {award.tied && <> <span class="tag">{t("tie")}</span></>}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </>
  );
}

export function Final({ campaign, me }) {
  const pool = useLoad(() => api(`/campaigns/${campaign.id}/finalists`), [campaign.id]);
  return (
    <Loaded state={pool}>
      {(answer) => {
        const criteria = answer.criteria || campaign.jury_criteria || [];
        const titles = Object.fromEntries(answer.finalists.map((f) => [f.entry_id, f.title]));
        const judging = me.role === "jury";
        return (
          <>
            <h2>{t("finalists")} ({number(answer.finalists.length)})</h2>
            {answer.finalists.length === 0 && <p>{t("none")}</p>}
            {judging
              ? answer.finalists.filter((f) => f.can_score !== false).map((finalist) => (
                <ScoreCard key={finalist.entry_id} campaign={campaign} finalist={finalist} criteria={criteria} onSaved={() => {}} />
              ))
              : (
                <ul>
                  {answer.finalists.map((f) => (
                    <li>{t("week")} {f.week} · #{f.position}: {f.url ? <a href={f.url} rel="noopener noreferrer" target="_blank">{f.title}</a> : f.title} ({f.unit_name})</li>
                  ))}
                </ul>
              )}
            {!judging && <Results campaign={campaign} titles={titles} />}
          </>
        );
      }}
    </Loaded>
  );
}
