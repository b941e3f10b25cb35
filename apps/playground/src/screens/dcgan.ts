// DCGAN: the pretrained class-conditional generator draws a grid (one digit per column, or
// all of one digit); while training, the fixed-noise grid refreshes.
import { drawDigits, h, numberField } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';
import { DCGAN_SAMPLE_EVERY as SAMPLE_EVERY } from '../protocol';

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const grid = h('canvas', { 'data-testid': 'samples' });
  const live = h('canvas', { 'data-testid': 'training-grid' });
  const liveCaption = h('figcaption', {}, `the trainer's 100 fixed noise vectors (digits 0-9 in turn), every ${SAMPLE_EVERY} steps`);
  const seed = numberField('seed', 'seed', 1, { min: 0, step: 1 });
  const digit = h(
    'select',
    { 'data-testid': 'digit', onchange: () => void sample() },
    h('option', { value: 'all' }, 'each digit (a column per digit)'),
    ...Array.from({ length: 10 }, (_, value) => h('option', { value: String(value) }, `only ${value}s`)),
  );
  const gridCaption = h('figcaption', {}, '100 samples');
  const sample = (): Promise<void> =>
    panel.guard(async () => {
      const chosen = digit.value === 'all' ? undefined : Number(digit.value);
      const result = await context.client.call<{ images: Float32Array; count: number }>({ type: 'infer', input: { count: 100, seed: seed.get(), digit: chosen } });
      drawDigits(grid, result.images, result.count, 10);
      gridCaption.textContent = chosen === undefined ? '100 samples: the digits 0-9, one per column' : `100 samples of the digit ${chosen}`;
    });
  const panel: ModelPanel = new ModelPanel(context, {
    screen: 'dcgan',
    title: 'DCGAN',
    blurb: 'The class-conditional generator of `tensorzoo train dcgan-mnist`: told which digit to draw, judged by a projection discriminator (non-saturating loss, Adam 2e-4, batch 64, 4,000 steps); the grid is drawn by the moving average of its weights. The chart shows the discriminator and generator losses: they should hover, not fall, in a healthy GAN.',
    series: ['discriminator loss', 'generator loss'],
    metrics: ['generatorLoss'],
    defaultSteps: 50,
    onModel: () => sample(),
    onProgress: (progress) => {
      const extra = progress.extra as { grid?: Float32Array; count?: number } | undefined;
      if (extra?.grid) {
        drawDigits(live, extra.grid, extra.count ?? 100, 10);
        liveCaption.textContent = `fixed noise at step ${progress.step}`;
      }
    },
    onTrained: () => sample(),
  });
  panel.content.append(
    h('div', { class: 'row' }, seed.element, h('label', {}, 'draw ', digit), h('button', { 'data-testid': 'sample', onclick: () => void sample() }, 'Sample')),
    h('div', { class: 'columns' }, h('figure', {}, grid, gridCaption), h('figure', {}, live, liveCaption)),
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
