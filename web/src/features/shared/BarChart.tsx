// A bar chart drawn by ECharts, loaded only when a page shows one (its own chunk: the agent's queue never loads it).
import { useEffect, useRef } from 'react';

export interface BarSeries {
  name: string;
  values: number[];
}

export default function BarChart({
  categories,
  series,
  label,
  percent = false,
}: {
  categories: string[];
  series: BarSeries[];
  /** What the chart shows, for screen readers (the figures are also in the table beside it). */
  label: string;
  percent?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void (async () => {
      const [core, charts, components, renderers] = await Promise.all([
        import('echarts/core'),
        import('echarts/charts'),
        import('echarts/components'),
        import('echarts/renderers'),
      ]);
      if (disposed || !ref.current) return;
      core.use([
        charts.BarChart,
        components.GridComponent,
        components.TooltipComponent,
        components.LegendComponent,
        renderers.CanvasRenderer,
      ]);
      const c = core.init(ref.current);
      c.setOption({
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 32 },
        xAxis: { type: 'category', data: categories },
        yAxis: { type: 'value', axisLabel: percent ? { formatter: '{value} %' } : {} },
        series: series.map((s) => ({ name: s.name, type: 'bar', data: s.values })),
      });
      chart = c;
      window.addEventListener('resize', onResize);
    })();
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [categories, series, percent]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height: 260 }} />;
}
