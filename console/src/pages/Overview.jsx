import { api } from "../api.js";
import { Loaded, optional, useLoad } from "../components.jsx";
import { dateTime, number } from "../format.js";
import { lang, pick, t } from "../i18n.js";

function Counts({ title, period, labels }) {
  if (!period) return null;
  return (
    <section class="card">
      <h2>{title}</h2>
      <p class="figure">{number(period.total)}</p>
      <ul>
        {Object.entries(period.by_status || {}).filter(([, n]) => n > 0).map(([status, n]) => (
          <li>{pick(labels?.[status]) || status}: {number(n)}</li>
        ))}
      </ul>
    </section>
  );
}

export function Overview({ campaign }) {
  const overview = useLoad(() => optional(api(`/campaigns/${campaign.id}/overview`), null), [campaign.id]);
  const stats = useLoad(() => api(`/campaigns/${campaign.id}/stats`), [campaign.id]);
  const en = lang() === "en";
  return (
    <>
      <div class="grid">
        <Loaded state={stats}>
          {(answer) => (
            <section class="card">
              <h2>{t("stats")}</h2>
              <p class="figure">{number(answer.totals.received)}</p>
              <p>{t("valid")}: {number(answer.totals.valid)}</p>
            </section>
          )}
        </Loaded>
        <Loaded state={overview}>
          {(answer) => answer && (
            <>
              <Counts title={en ? "Today" : "Hôm nay"} period={answer.entries.today} labels={answer.status_labels} />
              <Counts title={en ? "This week" : "Tuần này"} period={answer.entries.this_week} labels={answer.status_labels} />
            </>
          )}
        </Loaded>
      </div>
      <Loaded state={overview}>
        {(answer) => answer && (
          <>
            <h2>{t("alerts")}</h2>
            {answer.compliance_alerts.length === 0 ? <p>{t("none")}</p> : (
              <ul>{answer.compliance_alerts.map((a) => <li>{en ? a.message_en : a.message_vi}</li>)}</ul>
            )}
            <h2>{t("ingestion")}</h2>
            {answer.ingestion.last_run ? (
              <p>
                {t("lastRun")}: {dateTime(answer.ingestion.last_run.at)} ({answer.ingestion.last_run.state}) ·{" "}
                {t("deadLettered")}: {number(answer.ingestion.dead_lettered_chunks)}
                {answer.ingestion.runs_with_gaps.length > 0 && <> · <span class="tag">gaps: {number(answer.ingestion.runs_with_gaps.length)}</span></>}
              </p>
            ) : <p>{t("noRuns")}</p>}
            <h2>{t("jobs")}</h2>
            <ul>{answer.next_jobs.map((job) => <li>{dateTime(job.at)}: {en ? job.label_en : job.label_vi}</li>)}</ul>
          </>
        )}
      </Loaded>
    </>
  );
}
