import { t } from "../i18n.js";

export function Review() {
  return <p>{t("loading")}</p>;
}
