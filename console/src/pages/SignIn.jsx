import { useState } from "preact/hooks";
import { setNewPassword, signIn } from "../api.js";
import { lang, t } from "../i18n.js";

export function SignIn({ onLanguage }) {
  const [challenge, setChallenge] = useState(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submitCredentials(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError("");
    try {
      const step = await signIn(String(form.get("username")).trim(), String(form.get("password")));
      if (step) setChallenge(step);
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }

  async function submitNewPassword(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("new_password") !== form.get("repeat_password")) {
      setError(t("passwordsDiffer"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      await setNewPassword(challenge.username, challenge.session, String(form.get("new_password")));
    } catch (failure) {
      setError(failure.message);
      if (failure.code === "challenge_expired") setChallenge(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in" id="main">
      <p class="lang-switch">
        <button type="button" class="link" lang={lang() === "en" ? "vi" : "en"} title={t("languageLabel")} onClick={onLanguage}>{t("language")}</button>
      </p>
      <h1>{challenge ? t("newPasswordTitle") : t("appName")}</h1>
      {challenge ? (
        <form onSubmit={submitNewPassword} class="card">
          <p>{t("newPasswordHelp")}</p>
          <label for="new_password">{t("newPassword")}</label>
          <input id="new_password" name="new_password" type="password" autocomplete="new-password" required />
          <label for="repeat_password">{t("confirmPassword")}</label>
          <input id="repeat_password" name="repeat_password" type="password" autocomplete="new-password" required />
          <button type="submit" class="primary" disabled={busy}>{t("savePassword")}</button>
          {error && <p role="alert" class="error">{error}</p>}
        </form>
      ) : (
        <form onSubmit={submitCredentials} class="card">
          <label for="username">{t("username")}</label>
          <input id="username" name="username" autocomplete="username" autocapitalize="none" required />
          <label for="password">{t("password")}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" class="primary" disabled={busy}>{busy ? t("signingIn") : t("signIn")}</button>
          {error && <p role="alert" class="error">{error}</p>}
        </form>
      )}
    </main>
  );
}
