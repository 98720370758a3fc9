// Every console action goes through the same HTTP API as curl; this module only adds the session.
import { lang } from "./i18n.js";

const SESSION_KEY = "contest-console-session";
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, error) {
    super((error && (lang() === "en" ? error.message_en : error.message_vi)) || error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.details = error?.details;
  }
}

export function session() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

function store(value) {
  if (value) localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  else localStorage.removeItem(SESSION_KEY);
  listeners.forEach((listener) => listener(value));
}

export function onSession(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function remember(tokens, username) {
  store({
    username,
    id_token: tokens.id_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + tokens.expires_in * 1000,
  });
}

async function send(path, { method = "GET", body, accept = "application/json", token, headers: extra = {} } = {}) {
  const headers = { ...extra, Accept: accept, "Accept-Language": lang() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let error = null;
    try {
      error = (await response.json()).error;
    } catch {
      /* not the project's error shape: the status says enough */
    }
    throw new ApiError(response.status, error);
  }
  return response;
}

export async function signIn(username, password) {
  const answer = await (await send("/auth/token", { method: "POST", body: { username, password } })).json();
  if (answer.challenge) return answer;
  remember(answer, username);
  return null;
}

export async function setNewPassword(username, sessionId, newPassword) {
  const answer = await (await send("/auth/new-password", {
    method: "POST",
    body: { username, session: sessionId, new_password: newPassword },
  })).json();
  remember(answer, username);
}

export function signOut() {
  store(null);
}

async function refresh(current) {
  if (!refreshing) {
    refreshing = send("/auth/refresh", { method: "POST", body: { refresh_token: current.refresh_token } })
      .then((response) => response.json())
      .then((tokens) => remember({ ...tokens, refresh_token: tokens.refresh_token || current.refresh_token }, current.username))
      .catch((error) => {
        store(null);
        throw error;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  await refreshing;
  return session();
}

async function authorised(path, options) {
  let current = session();
  if (current && current.expires_at - Date.now() < REFRESH_MARGIN_MS) current = await refresh(current);
  try {
    return await send(path, { ...options, token: current?.id_token });
  } catch (error) {
    if (error.status === 401 && current?.refresh_token && error.code === "invalid_token") {
      current = await refresh(current);
      return send(path, { ...options, token: current?.id_token });
    }
    throw error;
  }
}

export async function api(path, options = {}) {
  const response = await authorised(path, options);
  return response.status === 204 ? null : response.json();
}

// The API writes an export into the bucket and answers with a short-lived link to it (as JSON when
// asked): the browser then downloads the file from there, under the name the bucket gives it.
export async function download(path) {
  const response = await authorised(path, { accept: "application/json" });
  const { download_url: url } = await response.json();
  const link = document.createElement("a");
  link.href = url;
  document.body.appendChild(link);
  link.click();
  link.remove();
}
