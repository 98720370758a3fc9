import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Loaded, Message, useLoad } from "../components.jsx";
import { dateTime } from "../format.js";
import { lang, t } from "../i18n.js";

// One call brings the whole panel with the names of the units each judge declared.
export function Judges({ campaign }) {
  const path = `/campaigns/${encodeURIComponent(campaign.id)}/judges`;
  const panel = useLoad(() => api(path), [campaign.id]);
  const [username, setUsername] = useState("");
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);

  const replace = async (judges) => {
    setBusy(true);
    try {
      const answer = await api(path, { method: "PUT", body: { judges } });
      setMessage({ text: t("judgesSaved", { count: answer.judges.length }) });
      setUsername("");
      panel.reload();
    } catch (error) {
      const problems = (error.details?.problems || []).map((p) => `${p.field}: ${lang() === "en" ? p.message_en : p.message_vi}`);
      setMessage({ text: [error.message, ...problems].join(" "), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Loaded state={panel}>
      {(answer) => {
        const current = answer.judges.map((j) => j.judge_id);
        return (
          <>
            <h2>{t("judgePanel")}</h2>
            {answer.blind ? <p>{t("judgeBlind")}</p> : null}
            {answer.judges.length === 0 ? <p>{t("none")}</p> : (
              <div class="table-wrap">
                <table data-testid="judge-panel">
                  <thead><tr><th>{t("username")}</th><th>{t("judgeAssigned")}</th><th>{t("judgeConflicts")}</th><th><span class="visually-hidden">{t("remove")}</span></th></tr></thead>
                  <tbody>
                    {answer.judges.map((judge) => (
                      <tr>
                        <td>{judge.judge_id}</td>
                        <td>{dateTime(judge.assigned_at)} · {judge.assigned_by}</td>
                        <td>
                          {!judge.declared_at ? <span class="muted">{t("notDeclared")}</span>
                            : judge.conflict_units.length === 0 ? t("noConflicts")
                              : judge.conflict_units.map((unit) => judge.conflict_unit_names?.[unit] || unit).join(", ")}
                        </td>
                        <td>
                          <button type="button" class="link" disabled={busy} aria-label={t("removeJudge", { id: judge.judge_id })}
                            onClick={() => replace(current.filter((id) => id !== judge.judge_id))}>{t("remove")}</button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <form class="toolbar" onSubmit={(event) => {
              event.preventDefault();
              const wanted = username.trim();
              if (wanted) replace([...current.filter((id) => id !== wanted), wanted]);
            }}>
              <label for="judge-username"><span>{t("judgeUsername")}</span></label>
              <input id="judge-username" autocomplete="off" autocapitalize="none" value={username}
                onInput={(event) => setUsername(event.currentTarget.value)} />
              <button type="submit" disabled={busy}>{t("addJudge")}</button>
            </form>
            <Message text={message?.text} error={message?.error} />
            <p class="muted">{t("accountsHow")}</p>
          </>
        );
      }}
    </Loaded>
  );
}
