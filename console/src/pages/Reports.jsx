import { t } from "../i18n.js";

export function Reports() {
  return <p>{t("loading")}</p>;
}
