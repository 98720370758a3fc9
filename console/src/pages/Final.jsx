import { t } from "../i18n.js";

export function Final() {
  return <p>{t("loading")}</p>;
}
