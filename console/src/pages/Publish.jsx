import { t } from "../i18n.js";

export function Publish() {
  return <p>{t("loading")}</p>;
}
