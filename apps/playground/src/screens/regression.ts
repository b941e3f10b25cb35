// Regression (seed article 000): the fitted line moves towards y = 2x + 1 as the network trains.
import { LiveChart } from '../chart';
import { h } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const box = h('div', { class: 'chart', 'data-testid': 'fit-chart' });
  const slopeLine = h('p', { 'data-testid': 'fit' });
  let fit: LiveChart | undefined;
  let grid: number[] = [];
  const show = (line: number[]) => {
    fit ??= new LiveChart(box, ['model', 'y = 2x + 1'], { title: 'fit on [-1, 1]' });
    fit.set(grid, line, grid.map((x) => 2 * x + 1));
    const slope = (line[line.length - 1] - line[0]) / (grid[grid.length - 1] - grid[0]);
    slopeLine.textContent = `model: y(0) = ${line[Math.floor(line.length / 2)].toFixed(3)}, mean slope ${slope.toFixed(3)} (target 1 and 2)`;
  };
  const panel = new ModelPanel(context, {
    screen: 'regression',
    title: 'Regression: y = 2x + 1',
    blurb: 'The 1-16-1 sigmoid network of seed article 000, pretrained by `tensorzoo train regression`. Start from random weights and watch the line fit.',
    series: ['loss (MSE)'],
    defaultSteps: 150,
    onModel: async () => {
      const result = await context.client.call<{ x: number[]; line: number[] }>({ type: 'infer', input: null });
      grid = result.x;
      show(result.line);
    },
    onProgress: (progress) => {
      const extra = progress.extra as { line?: number[] } | undefined;
      if (extra?.line && grid.length > 0) show(extra.line);
    },
  });
  panel.content.append(box, slopeLine);
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
