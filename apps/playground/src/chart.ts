// Live training curves with uPlot: one x axis (step), one or more series; redrawn at most once a frame.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = ['#c0392b', '#2471a3', '#229954', '#8e44ad'];

/** A chart that grows one point per {@link LiveChart.push}. */
export class LiveChart {
  private readonly data: number[][];
  private readonly plot: uPlot;
  private scheduled = false;

  /** `series` names the y values; a name ending in `%` goes on a right-hand 0-1 axis. */
  constructor(
    readonly element: HTMLElement,
    series: string[],
    options: { width?: number; height?: number; title?: string } = {},
  ) {
    this.data = [[], ...series.map(() => [])];
    const hasRatio = series.some((name) => name.endsWith('%'));
    this.plot = new uPlot(
      {
        title: options.title,
        width: options.width ?? 520,
        height: options.height ?? 220,
        scales: { x: { time: false }, ratio: { range: [0, 1] } },
        axes: [{ label: 'step' }, { label: series[0] }, ...(hasRatio ? [{ scale: 'ratio', side: 1, label: 'ratio' }] : [])],
        series: [{ label: 'step' }, ...series.map((label, index) => ({ label, stroke: COLOURS[index % COLOURS.length], width: 1.5, scale: label.endsWith('%') ? 'ratio' : 'y' }))],
      },
      this.data as uPlot.AlignedData,
      element,
    );
    element.dataset.points = '0';
  }

  /** Adds one point: `x` and one value per series. */
  push(x: number, ...values: number[]): void {
    this.data[0].push(x);
    values.forEach((value, index) => this.data[index + 1].push(value));
    this.element.dataset.points = String(this.data[0].length);
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.plot.setData(this.data as uPlot.AlignedData);
      });
    }
  }

  /** Replaces the whole data (e.g. a fitted line). */
  set(x: number[], ...series: number[][]): void {
    this.data.splice(0, this.data.length, x, ...series);
    this.element.dataset.points = String(x.length);
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  clear(): void {
    this.data.forEach((column) => (column.length = 0));
    this.element.dataset.points = '0';
    this.plot.setData(this.data as uPlot.AlignedData);
  }
}
