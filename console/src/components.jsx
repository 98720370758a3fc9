import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n.js";

// Loads once per change of `deps`; `reload` asks again. A failure is shown, never thrown away.
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

export function Loaded({ state, children }) {
  if (state.error) {
    return (
      <p role="alert" class="error">
        {state.error.message} <button type="button" class="link" onClick={state.reload}>{t("retry")}</button>
      </p>
    );
  }
  if (state.loading && !state.data) return <p aria-live="polite">{t("loading")}</p>;
  return children(state.data);
}

export function Message({ text, error }) {
  if (!text) return null;
  return <p role={error ? "alert" : "status"} class={error ? "error" : "notice"}>{text}</p>;
}

// A route another part of the team has not deployed yet answers route_not_found: the page shows what it can.
export async function optional(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (error.code === "route_not_found") return fallback;
    throw error;
  }
}
