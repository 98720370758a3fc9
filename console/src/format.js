import { lang } from "./i18n.js";

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

const locale = () => (lang() === "en" ? "en-GB" : "vi-VN");

export function dateTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(value));
}

export function date(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, day: "2-digit", month: "2-digit", year: "numeric" })
    .format(new Date(value));
}

// Numbers are always shown the Vietnamese way (1.234,5), as the issue asks, whatever the interface language.
export function number(value) {
  if (value === null || value === undefined || value === "") return "–";
  const numeric = typeof value === "string" ? Number(value) : value;
  if (Number.isNaN(numeric)) return String(value);
  return new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 }).format(numeric);
}

export function bytes(value) {
  if (!value && value !== 0) return "–";
  return `${number(value / 1_000_000)} MB`;
}

export function seconds(value) {
  if (!value && value !== 0) return "–";
  return `${number(value)} s`;
}
