import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./styles.css";
import { api, onSession, session, signOut } from "./api.js";
import { lang, setLang, t } from "./i18n.js";
import { SignIn } from "./pages/SignIn.jsx";
import { Overview } from "./pages/Overview.jsx";
import { Review } from "./pages/Review.jsx";
import { Publish } from "./pages/Publish.jsx";
import { Weeks } from "./pages/Weeks.jsx";
import { Final } from "./pages/Final.jsx";
import { Reports } from "./pages/Reports.jsx";
import { Imports } from "./pages/Imports.jsx";
import { Audit } from "./pages/Audit.jsx";
import { Campaigns } from "./pages/Campaigns.jsx";
import { Judges } from "./pages/Judges.jsx";

// Pages and the roles that may open them; the API enforces the same rules on every call.
const PAGES = [
  { path: "overview", label: "overview", roles: ["admin", "organiser"], view: Overview },
  { path: "review", label: "review", roles: ["admin", "organiser"], view: Review },
  { path: "publish", label: "publish", roles: ["admin", "organiser"], view: Publish },
  { path: "weeks", label: "weeks", roles: ["admin", "organiser"], view: Weeks },
  { path: "final", label: "final", roles: ["admin", "organiser", "jury"], view: Final },
  { path: "reports", label: "reports", roles: ["admin", "organiser"], view: Reports },
  { path: "imports", label: "imports", roles: ["admin", "organiser"], view: Imports },
  { path: "campaigns", label: "campaigns", roles: ["admin", "organiser"], view: Campaigns },
  { path: "judges", label: "judges", roles: ["admin", "organiser"], view: Judges },
  { path: "audit", label: "audit", roles: ["admin"], view: Audit },
];
const CAMPAIGN_KEY = "contest-console-campaign";

function currentPath() {
  return location.hash.replace(/^#\/?/, "").split("?")[0];
}

function useHashPath() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return path;
}

function Shell({ me, onLanguage }) {
  const path = useHashPath();
  const [campaigns, setCampaigns] = useState(null);
  const [campaignId, setCampaignId] = useState(localStorage.getItem(CAMPAIGN_KEY) || "");
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    api("/campaigns").then((answer) => {
      setCampaigns(answer.campaigns);
      if (!answer.campaigns.some((c) => c.id === campaignId) && answer.campaigns.length) {
        setCampaignId(answer.campaigns[0].id);
      }
    });
  }, []);
  useEffect(() => {
    if (campaignId) localStorage.setItem(CAMPAIGN_KEY, campaignId);
  }, [campaignId]);
  const allowed = PAGES.filter((page) => page.roles.includes(me.role));
  const page = allowed.find((p) => p.path === path) || allowed[0];
  useEffect(() => {
    document.title = `${t(page.label)} · ${t("appName")}`;
    setMenuOpen(false);
  }, [page, lang()]);
  const campaign = campaigns?.find((c) => c.id === campaignId);
  const View = page.view;
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("skipToContent")}
      </a>
      <header class="top">
        <strong class="brand">{t("appName")}</strong>
        <label class="campaign-pick">
          <span class="visually-hidden">{t("campaign")}</span>
          <select aria-label={t("campaign")} value={campaignId} onChange={(event) => setCampaignId(event.currentTarget.value)}>
            {(campaigns || []).map((c) => (
              <option value={c.id}>{lang() === "en" ? c.name_en || c.name_vi : c.name_vi}</option>
            ))}
          </select>
        </label>
        <button type="button" class="link" lang={lang() === "en" ? "vi" : "en"} onClick={onLanguage}>
          {t("language")}
        </button>
        <span class="who">{me.username}</span>
        <button type="button" class="link" onClick={signOut}>{t("signOut")}</button>
        <button type="button" class="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          ☰ <span class="visually-hidden">{t("nav")}</span>
        </button>
      </header>
      <nav id="nav" aria-label={t("nav")} class={menuOpen ? "open" : ""}>
        {allowed.map((p) => (
          <a href={`#/${p.path}`} onClick={() => setMenuOpen(false)} aria-current={p === page ? "page" : undefined}>{t(p.label)}</a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{t(page.label)}</h1>
        {campaign ? <View key={`${campaign.id}-${lang()}`} campaign={campaign} me={me} /> : <p>{t("loading")}</p>}
      </main>
    </>
  );
}

function App() {
  const [current, setCurrent] = useState(session());
  const [me, setMe] = useState(null);
  const [, setLanguage] = useState(lang());
  useEffect(() => onSession(setCurrent), []);
  useEffect(() => {
    document.documentElement.lang = lang();
    if (!current) {
      setMe(null);
      return;
    }
    api("/auth/me").then(setMe).catch(() => signOut());
  }, [current?.username, current?.id_token && !me]);
  const switchLanguage = () => {
    setLang(lang() === "en" ? "vi" : "en");
    setLanguage(lang());
  };
  if (!current) return <SignIn onLanguage={switchLanguage} />;
  if (!me) return <p class="loading">{t("loading")}</p>;
  return <Shell me={me} onLanguage={switchLanguage} />;
}

render(<App />, document.getElementById("app"));
