import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Loaded, useLoad } from "../components.jsx";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";

function vietnamToday() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function Change({ value }) {
  if (value === null || value === undefined) return <span class="muted">–</span>;
  // A long change scrolls inside its cell; keyboard users must be able to reach and scroll it too.
  return <pre class="change" tabIndex={0}>{JSON.stringify(value, null, 1)}</pre>;
}

export function Audit() {
  const [day, setDay] = useState(vietnamToday());
  const [actor, setActor] = useState("");
  const [applied, setApplied] = useState({ day: vietnamToday(), actor: "" });
  const log = useLoad(() => {
    const query = new URLSearchParams(applied.actor ? { actor: applied.actor } : { day: applied.day });
    return api(`/audit?${query}`);
  }, [applied.day, applied.actor]);
  return (
    <>
      <form class="toolbar" onSubmit={(event) => { event.preventDefault(); setApplied({ day, actor: actor.trim() }); }}>
        <label><span>{t("auditDay")}</span>
          <input type="date" aria-label={t("auditDay")} value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        </label>
        <label><span>{t("auditActor")}</span>
          <input aria-label={t("auditActor")} value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
        </label>
        <button type="submit">{t("show")}</button>
      </form>
      <Loaded state={log}>
        {(answer) => answer.entries.length === 0 ? <p>{t("none")}</p> : (
          <div class="table-wrap">
            <table data-testid="audit-log">
              <thead><tr><th>{t("auditWhen")}</th><th>{t("auditActor")}</th><th>{t("auditAction")}</th><th>{t("auditEntity")}</th><th>{t("auditBefore")}</th><th>{t("auditAfter")}</th></tr></thead>
              <tbody>
                {answer.entries.map((entry) => (
                  <tr>
                    <td>{dateTime(entry.at)}</td>
                    <td>{entry.actor}{entry.actor_role ? ` (${entry.actor_role})` : ""}</td>
                    <td>{entry.action}{entry.reason ? `: ${entry.reason}` : ""}</td>
                    <td>{entry.entity_type} {entry.entity_id}</td>
                    <td><Change value={entry.before} /></td>
                    <td><Change value={entry.after} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </>
  );
}
