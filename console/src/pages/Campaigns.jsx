import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Loaded, Message, useLoad } from "../components.jsx";
import { lang, t } from "../i18n.js";

// The common fields get their own inputs; every other rule travels as JSON in one textarea.
const FORM_FIELDS = ["id", "name_vi", "name_en", "organiser_unit", "hashtag", "opens_at", "closes_at"];
const NOT_RULES = ["id", "name_vi", "name_en", "organiser_unit", "hashtag", "submission_window", "status", "version", "rules_version"];
const TRANSITIONS = { draft: ["open", "delete"], open: ["close"], closed: ["archive"], archived: [] };

function minutes(value) {
  return (value || "").slice(0, 16);
}

function formOf(campaign, copy) {
  const rules = Object.fromEntries(Object.entries(copy || campaign || {}).filter(([key]) => !NOT_RULES.includes(key)));
  const source = campaign || {};
  return {
    id: source.id || "",
    name_vi: source.name_vi || "",
    name_en: source.name_en || "",
    organiser_unit: source.organiser_unit || copy?.organiser_unit || "",
    hashtag: source.hashtag || "",
    opens_at: minutes((source.submission_window || copy?.submission_window)?.opens_at),
    closes_at: minutes((source.submission_window || copy?.submission_window)?.closes_at),
    rules: JSON.stringify(rules, null, 2),
  };
}

function seconds(value) {
  return value && value.length === 16 ? `${value}:00` : value;
}

// Which input a problem of the model belongs next to; the rest are listed under the rules.
function placeOf(field) {
  const path = String(field || "");
  if (path === "submission_window") return "opens_at";
  const [head, tail] = path.split(".");
  if (head === "submission_window" && FORM_FIELDS.includes(tail)) return tail;
  return FORM_FIELDS.includes(head) && !tail ? head : "rules";
}

function problemsByPlace(error) {
  const places = {};
  for (const problem of error?.details?.problems || []) {
    const place = placeOf(problem.field);
    const text = t("fieldProblem", { field: problem.field, message: lang() === "en" ? problem.message_en : problem.message_vi });
    (places[place] ||= []).push(text);
  }
  return places;
}

function Field({ name, label, value, onInput, problems, type = "text", disabled, hint }) {
  const id = `campaign-${name}`;
  const described = [hint ? `${id}-hint` : null, problems?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? <small id={`${id}-hint`} class="muted">{hint}</small> : null}
      <input id={id} name={name} type={type} value={value} disabled={disabled}
        aria-invalid={problems?.length ? "true" : undefined} aria-describedby={described || undefined}
        onInput={(event) => onInput(event.currentTarget.value)} />
      {problems?.length ? <p id={`${id}-error`} class="error field-error">{problems.join(" ")}</p> : null}
    </div>
  );
}

function Versions({ campaignId, round }) {
  const versions = useLoad(() => api(`/campaigns/${encodeURIComponent(campaignId)}/versions`), [campaignId, round]);
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">{t("versions")}</h2>
      <Loaded state={versions}>
        {(answer) => (
          <ol class="versions" data-testid="campaign-versions" reversed>
            {[...answer.versions].reverse().map((v) => (
              <li>
                <strong>v{v.version}</strong> · {v.action} · {v.at_local?.text || v.at} · {v.by}
                {v.changed_fields?.length ? <span class="muted"> · {v.changed_fields.join(", ")}</span> : null}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </section>
  );
}

function Editor({ existing, template, onDone }) {
  const [form, setForm] = useState(formOf(existing, existing ? null : template));
  const [campaign, setCampaign] = useState(existing);
  const [problems, setProblems] = useState({});
  const [message, setMessage] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const set = (name) => (value) => setForm({ ...form, [name]: value });

  const fail = (error) => {
    setProblems(problemsByPlace(error));
    const words = error.status === 409 ? t("versionConflict", { message: error.message }) : error.message;
    setMessage({ text: words, error: true, conflict: error.status === 409 });
  };

  const save = async (event) => {
    event.preventDefault();
    let rules;
    try {
      rules = JSON.parse(form.rules || "{}");
    } catch (error) {
      setProblems({ rules: [t("rulesNotJson", { message: error.message })] });
      setMessage({ text: t("fixFields"), error: true });
      return;
    }
    const body = {
      ...rules,
      id: campaign ? campaign.id : form.id.trim(),
      name_vi: form.name_vi,
      name_en: form.name_en,
      organiser_unit: form.organiser_unit.trim(),
      hashtag: form.hashtag,
      submission_window: { ...(rules.submission_window || {}), opens_at: seconds(form.opens_at), closes_at: seconds(form.closes_at) },
    };
    setBusy(true);
    try {
      const saved = campaign
        ? await api(`/campaigns/${encodeURIComponent(campaign.id)}`, {
          method: "PUT", body: { ...body, version: campaign.version }, headers: { "If-Match": `"${campaign.version}"` },
        })
        : await api("/campaigns", { method: "POST", body });
      setCampaign(saved);
      setForm(formOf(saved));
      setProblems({});
      setMessage({ text: t("campaignSaved", { version: saved.version }) });
      setRound((r) => r + 1);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    const fresh = await api(`/campaigns/${encodeURIComponent(campaign.id)}`);
    setCampaign(fresh);
    setForm(formOf(fresh));
    setProblems({});
    setMessage({ text: t("reloaded", { version: fresh.version }) });
    setRound((r) => r + 1);
  };

  const act = async (action) => {
    setConfirming(null);
    setBusy(true);
    const path = `/campaigns/${encodeURIComponent(campaign.id)}`;
    const headers = { "If-Match": `"${campaign.version}"` };
    try {
      if (action === "delete") {
        await api(path, { method: "DELETE", headers });
        onDone(t("draftDeleted", { id: campaign.id }));
        return;
      }
      const changed = await api(`${path}/${action}`, { method: "POST", headers });
      setCampaign(changed);
      setForm(formOf(changed));
      setMessage({ text: t("campaignNowStatus", { status: t(`status_${changed.status}`) }) });
      setRound((r) => r + 1);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2>{campaign ? t("editCampaign", { id: campaign.id }) : t("newDraft")}</h2>
      {campaign ? (
        <p data-testid="campaign-status">{t("statusLine", { status: t(`status_${campaign.status}`), version: campaign.version })}</p>
      ) : null}
      <form class="campaign-form" onSubmit={save} noValidate>
        <Field name="id" label={t("campaignId")} hint={t("campaignIdHint")} value={form.id} onInput={set("id")} problems={problems.id} disabled={!!campaign} />
        <Field name="name_vi" label={t("nameVi")} value={form.name_vi} onInput={set("name_vi")} problems={problems.name_vi} />
        <Field name="name_en" label={t("nameEn")} value={form.name_en} onInput={set("name_en")} problems={problems.name_en} />
        <Field name="organiser_unit" label={t("organiserUnit")} hint={t("organiserUnitHint")} value={form.organiser_unit} onInput={set("organiser_unit")} problems={problems.organiser_unit} />
        <Field name="hashtag" label={t("hashtag")} value={form.hashtag} onInput={set("hashtag")} problems={problems.hashtag} />
        <Field name="opens_at" type="datetime-local" label={t("opensAt")} value={form.opens_at} onInput={set("opens_at")} problems={problems.opens_at} />
        <Field name="closes_at" type="datetime-local" label={t("closesAt")} value={form.closes_at} onInput={set("closes_at")} problems={problems.closes_at} />
        <div class="field">
          <label for="campaign-rules">{t("rulesJson")}</label>
          <small id="campaign-rules-hint" class="muted">{t("rulesJsonHint")}</small>
          <textarea id="campaign-rules" rows={10} spellcheck={false} value={form.rules}
            aria-invalid={problems.rules?.length ? "true" : undefined}
            aria-describedby={problems.rules?.length ? "campaign-rules-hint campaign-rules-error" : "campaign-rules-hint"}
            onInput={(event) => setForm({ ...form, rules: event.currentTarget.value })} />
          {problems.rules?.length ? (
            <ul id="campaign-rules-error" class="error field-error">{problems.rules.map((p) => <li>{p}</li>)}</ul>
          ) : null}
        </div>
        <Message text={message?.text} error={message?.error} />
        {message?.conflict ? <button type="button" onClick={reload}>{t("reloadCampaign")}</button> : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{campaign ? t("saveChanges") : t("createDraft")}</button>
          <button type="button" class="link" onClick={() => onDone(null)}>{t("backToList")}</button>
        </div>
      </form>
      {campaign ? (
        <section aria-labelledby="lifecycle-title">
          <h2 id="lifecycle-title">{t("lifecycle")}</h2>
          <div class="actions">
            {(TRANSITIONS[campaign.status] || []).map((action) => (
              <button type="button" class={action === "delete" ? "danger" : ""} disabled={busy} onClick={() => setConfirming(action)}>
                {t(`do_${action}`)}
              </button>
            ))}
          </div>
          {confirming ? (
            <div role="alertdialog" aria-labelledby="confirm-text" class="confirm">
              <p id="confirm-text">{t(`confirm_${confirming}`, { id: campaign.id })}</p>
              <button type="button" onClick={() => act(confirming)}>{t("confirm")}</button>{" "}
              <button type="button" class="link" onClick={() => setConfirming(null)}>{t("cancel")}</button>
            </div>
          ) : null}
          <Versions campaignId={campaign.id} round={round} />
        </section>
      ) : null}
    </>
  );
}

export function Campaigns({ campaign: selected }) {
  const [editing, setEditing] = useState(null);
  const [notice, setNotice] = useState(null);
  const list = useLoad(() => api("/campaigns"), [editing]);
  if (editing) {
    const done = (text) => {
      setNotice(text);
      setEditing(null);
    };
    return <Editor key={editing === "new" ? "new" : editing.id} existing={editing === "new" ? null : editing} template={selected} onDone={done} />;
  }
  return (
    <>
      <Message text={notice} />
      <p><button type="button" onClick={() => setEditing("new")}>{t("newDraft")}</button></p>
      <p class="muted">{t("newDraftHint")}</p>
      <Loaded state={list}>
        {(answer) => (
          <div class="table-wrap">
            <table data-testid="campaign-list">
              <thead><tr><th>{t("campaignId")}</th><th>{t("nameVi")}</th><th>{t("status")}</th><th>{t("version")}</th><th><span class="visually-hidden">{t("edit")}</span></th></tr></thead>
              <tbody>
                {answer.campaigns.map((c) => (
                  <tr>
                    <td>{c.id}</td>
                    <td>{c.name_vi}</td>
                    <td>{t(`status_${c.status}`)}</td>
                    <td>{c.version}</td>
                    <td><button type="button" class="link" aria-label={t("editNamed", { id: c.id })} onClick={() => setEditing(c)}>{t("edit")}</button></td>
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
