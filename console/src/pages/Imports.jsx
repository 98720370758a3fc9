import { t } from "../i18n.js";

export function Imports() {
  return <p>{t("loading")}</p>;
}
