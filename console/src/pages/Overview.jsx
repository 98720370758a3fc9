import { t } from "../i18n.js";

export function Overview() {
  return <p>{t("loading")}</p>;
}
