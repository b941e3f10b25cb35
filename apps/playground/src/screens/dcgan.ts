// DCGAN: a grid from the pretrained generator; while training, the fixed-noise grid refreshes.
import { drawDigits, h, numberField } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';
import { DCGAN_SAMPLE_EVERY as SAMPLE_EVERY } from '../protocol';

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const grid = h('canvas', { 'data-testid': 'samples' });
  const live = h('canvas', { 'data-testid': 'training-grid' });
  const liveCaption = h('figcaption', {}, `the trainer's 64 fixed noise vectors, every ${SAMPLE_EVERY} steps`);
  const seed = numberField('seed', 'seed', 1, { min: 0, step: 1 });
  const sample = (): Promise<void> =>
    panel.guard(async () => {
      const result = await context.client.call<{ images: Float32Array; count: number }>({ type: 'infer', input: { count: 64, seed: seed.get() } });
      drawDigits(grid, result.images, result.count, 8);
    });
  const panel: ModelPanel = new ModelPanel(context, {
    screen: 'dcgan',
    title: 'DCGAN',
    blurb: 'The generator of `tensorzoo train dcgan-mnist` (non-saturating loss, Adam 2e-4, batch 64, 12,000 steps); the grid is drawn by the moving average of its weights. The chart shows the discriminator and generator losses: they should hover, not fall, in a healthy GAN.',
    series: ['discriminator loss', 'generator loss'],
    metrics: ['generatorLoss'],
    defaultSteps: 50,
    onModel: () => sample(),
    onProgress: (progress) => {
      const extra = progress.extra as { grid?: Float32Array; count?: number } | undefined;
      if (extra?.grid) {
        drawDigits(live, extra.grid, extra.count ?? 64, 8);
        liveCaption.textContent = `fixed noise at step ${progress.step}`;
      }
    },
    onTrained: () => sample(),
  });
  panel.content.append(
    h('div', { class: 'row' }, seed.element, h('button', { 'data-testid': 'sample', onclick: () => void sample() }, 'Sample')),
    h('div', { class: 'columns' }, h('figure', {}, grid, h('figcaption', {}, '64 samples')), h('figure', {}, live, liveCaption)),
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
