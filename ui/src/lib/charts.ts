// The dashboard's charts on Chart.js, loaded when the dashboard first opens
// (so launching the app does not pay for it), coloured from the theme.
import type { Chart as ChartType, ChartConfiguration } from "chart.js";

let loaded: Promise<typeof import("chart.js")> | null = null;

async function chartJs() {
  loaded ??= import("chart.js").then((m) => {
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.LineController,
      m.LineElement,
      m.PointElement,
      m.CategoryScale,
      m.LinearScale,
      m.Legend,
      m.Tooltip,
    );
    return m;
  });
  return loaded;
}

/** The theme's colour `name` (a CSS variable). */
export function themeColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** A palette of `n` distinct colours that reads on both themes. */
export function palette(n: number): string[] {
  const base = ["#4f7a2c", "#3b6fd1", "#c28a1a", "#a33a2a", "#7a4fb0", "#2a8f8f", "#c0568f", "#6f6a5f"];
  return Array.from({ length: n }, (_, i) => base[i % base.length]);
}

/** Draw `config` on `canvas`, themed; the chart (destroy it when done). */
export async function draw(canvas: HTMLCanvasElement, config: ChartConfiguration): Promise<ChartType> {
  const { Chart } = await chartJs();
  const text = themeColour("--text");
  const line = themeColour("--line");
  Chart.defaults.color = text;
  Chart.defaults.borderColor = line;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  return new Chart(canvas, {
    ...config,
    options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
  });
}
