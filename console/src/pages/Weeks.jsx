import { t } from "../i18n.js";

export function Weeks() {
  return <p>{t("loading")}</p>;
}
