import { useState } from "preact/hooks";
import { api, download } from "../api.js";
import { Loaded, Message, useLoad } from "../components.jsx";
import { number } from "../format.js";
import { lang, t } from "../i18n.js";

const FIGURES = ["entries", "valid", "invalid", "approved", "published", "disqualified"];
const FIGURE_NAMES = {
  vi: { entries: "Bài", valid: "Hợp lệ", invalid: "Không hợp lệ", approved: "Đã duyệt", published: "Đã đăng", disqualified: "Bị loại", best_weekly_score: "Điểm tuần cao nhất" },
  en: { entries: "Entries", valid: "Valid", invalid: "Invalid", approved: "Approved", published: "Published", disqualified: "Disqualified", best_weekly_score: "Best weekly score" },
};

export function Reports({ campaign, me }) {
  const [trail, setTrail] = useState([me.unit_id]);
  const [message, setMessage] = useState(null);
  const unitId = trail[trail.length - 1];
  const report = useLoad(() => api(`/campaigns/${campaign.id}/reports/units/${encodeURIComponent(unitId)}`), [campaign.id, unitId]);
  const minimum = useLoad(() => (campaign.min_entries_per_unit
    ? api(`/campaigns/${campaign.id}/compliance/minimum-entries?unit_id=${encodeURIComponent(unitId)}`)
    : Promise.resolve(null)), [campaign.id, unitId]);
  const names = FIGURE_NAMES[lang()];
  const get = (path) => download(path).catch((e) => setMessage({ text: e.message, error: true }));
  return (
    <>
      <section class="card" aria-labelledby="exports-title">
        <h2 id="exports-title">{t("exports")}</h2>
        <div class="actions">
          <button type="button" onClick={() => get(`/campaigns/${campaign.id}/submissions?format=xlsx&unit_id=${encodeURIComponent(unitId)}`)}>{t("exportEntries")}</button>
          <button type="button" onClick={() => get(`/campaigns/${campaign.id}/reports/units/${encodeURIComponent(unitId)}?format=xlsx`)}>{t("exportReport")}</button>
          {campaign.min_entries_per_unit > 0 && (
            <button type="button" onClick={() => get(`/campaigns/${campaign.id}/compliance/minimum-entries?format=xlsx&unit_id=${encodeURIComponent(unitId)}`)}>{t("exportCompliance")}</button>
          )}
        </div>
        <Message {...(message || {})} />
      </section>
      <Loaded state={report}>
        {(answer) => (
          <section aria-labelledby="tree-title">
            <h2 id="tree-title">{t("tree")}: {answer.name}</h2>
            {trail.length > 1 && <button type="button" class="link" onClick={() => setTrail(trail.slice(0, -1))}>← {t("up")}</button>}
            <div class="table-wrap">
              <table>
                <thead><tr><th>{t("unit")}</th>{FIGURES.map((f) => <th class="num">{names[f]}</th>)}<th class="num">{names.best_weekly_score}</th></tr></thead>
                <tbody>
                  <tr><th scope="row">{t("totals")}</th>{FIGURES.map((f) => <td class="num">{number(answer.totals[f])}</td>)}<td class="num">{number(answer.totals.best_weekly_score)}</td></tr>
                  {answer.children.map((child) => (
                    <tr>
                      <td>{child.units_in_branch > 1
                        ? <button type="button" class="link" onClick={() => setTrail([...trail, child.unit_id])}>{child.name}</button>
                        : child.name}</td>
                      {FIGURES.map((f) => <td class="num">{number(child[f])}</td>)}
                      <td class="num">{number(child.best_weekly_score)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </Loaded>
      {campaign.min_entries_per_unit > 0 && (
        <Loaded state={minimum}>
          {(answer) => answer && (
            <section aria-labelledby="minimum-title">
              <h2 id="minimum-title">{t("minimumEntries")} ({number(answer.minimum)})</h2>
              <p>{number(answer.units_below)} / {number(answer.units_checked)}</p>
              <ul>
                {answer.branches.flatMap((branch) => branch.below.map((unit) => (
                  <li>{unit.name || unit.unit_id}: {number(unit[answer.counter] ?? unit.count ?? unit.value)}</li>
                )))}
              </ul>
            </section>
          )}
        </Loaded>
      )}
    </>
  );
}
