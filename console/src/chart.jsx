import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { TIME_ZONE, dateTime, number } from "./format.js";

const shortTime = (ms) => new Intl.DateTimeFormat("vi-VN", { timeZone: TIME_ZONE, day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" })
  .format(new Date(ms));

const COLOURS = ["#b3261e", "#0b5cad", "#1a7f37", "#8250df", "#bf8700", "#57606a", "#cf222e", "#0a3069", "#116329", "#953800"];

// Lines of score over time; `marks` are flag evidence: ranges [{from, to}] shaded, points [{at}] ringed.
export function ScoreChart({ series, label, marks = [] }) {
  const holder = useRef(null);
  useEffect(() => {
    const element = holder.current;
    if (!element || !series.length) return undefined;
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.at) / 1000)))].sort((a, b) => a - b);
    const columns = series.map((s) => {
      const byTime = new Map(s.points.map((p) => [Date.parse(p.at) / 1000, Number(p.score)]));
      return times.map((time) => (byTime.has(time) ? byTime.get(time) : null));
    });
    const ranges = marks.filter((m) => m.from && m.to).map((m) => [Date.parse(m.from) / 1000, Date.parse(m.to) / 1000]);
    const points = marks.filter((m) => m.at).map((m) => Date.parse(m.at) / 1000);
    const width = Math.max(280, element.clientWidth - 16);
    const plot = new uPlot({
      width,
      height: 260,
      scales: { x: { time: true } },
      axes: [
        // Snapshots minutes apart give several ticks within one minute: each minute is named once.
        { values: (u, splits) => splits.map((s, i) => {
          const label = shortTime(s * 1000);
          return i > 0 && label === shortTime(splits[i - 1] * 1000) ? "" : label;
        }) },
        { values: (u, splits) => splits.map((s) => number(s)), size: 80 },
      ],
      series: [
        { value: (u, v) => (v == null ? "–" : dateTime(v * 1000)) },
        ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true,
          value: (u, v) => (v == null ? "–" : number(v)) })),
      ],
      hooks: {
        drawClear: [(u) => {
          const { ctx } = u;
          ctx.save();
          ctx.fillStyle = "rgba(191, 135, 0, 0.18)";
          for (const [from, to] of ranges) {
            const left = u.valToPos(from, "x", true);
            const right = u.valToPos(to, "x", true);
            ctx.fillRect(left, u.bbox.top, Math.max(2, right - left), u.bbox.height);
          }
          ctx.restore();
        }],
        draw: [(u) => {
          const { ctx } = u;
          ctx.save();
          ctx.strokeStyle = "#a40e26";
          ctx.lineWidth = 2;
          for (const at of points) {
            const x = u.valToPos(at, "x", true);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        }],
      },
    }, [times, ...columns], element);
    return () => plot.destroy();
  }, [series, marks]);
  return <figure class="chart" data-testid="score-chart"><figcaption>{label}</figcaption><div ref={holder} role="img" aria-label={label} /></figure>;
}
