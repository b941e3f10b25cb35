// VAE: samples, reconstructions, the latent line between two test digits and a 2-D latent walk.
import { drawDigits, h, numberField } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';
import type { VaeRequest } from '../models/vae';

type Images = { images: Float32Array; count: number; originals?: Float32Array };

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const samples = h('canvas', { 'data-testid': 'samples' });
  const reconstructions = h('canvas', { 'data-testid': 'reconstructions' });
  const line = h('canvas', { 'data-testid': 'interpolation' });
  const walk = h('canvas', { 'data-testid': 'walk' });
  const seed = numberField('seed', 'seed', 1, { min: 0, step: 1 });
  const from = numberField('from test digit', 'from', 0, { min: 0, max: 499, step: 1 });
  const to = numberField('to test digit', 'to', 7, { min: 0, max: 499, step: 1 });
  const axisA = numberField('walk axes', 'axis-a', 0, { min: 0, max: 19, step: 1 });
  const axisB = numberField('and', 'axis-b', 1, { min: 0, max: 19, step: 1 });
  const ask = (input: VaeRequest) => context.client.call<Images>({ type: 'infer', input });

  const drawAll = (): Promise<void> =>
    panel.guard(async () => {
      const sampled = await ask({ kind: 'samples', count: 32, seed: seed.get() });
      drawDigits(samples, sampled.images, sampled.count, 8);
      const rebuilt = await ask({ kind: 'reconstructions', count: 8 });
      const pairs = new Float32Array(16 * 784);
      pairs.set(rebuilt.originals!, 0);
      pairs.set(rebuilt.images, 8 * 784);
      drawDigits(reconstructions, pairs, 16, 8);
      await drawLine();
      await drawWalk();
    });
  const drawLine = async () => {
    const path = await ask({ kind: 'interpolate', from: from.get(), to: to.get(), steps: 10 });
    drawDigits(line, path.images, path.count, 10);
  };
  const drawWalk = async () => {
    const grid = await ask({ kind: 'walk', size: 9, span: 2.5, axes: [axisA.get(), axisB.get()] });
    drawDigits(walk, grid.images, grid.count, 9);
  };

  const panel: ModelPanel = new ModelPanel(context, {
    screen: 'vae',
    title: 'Variational autoencoder',
    blurb: 'The 784-400-20 VAE of `tensorzoo train vae-mnist` (Kingma & Welling). Loss: negative ELBO in nats per image.',
    series: ['negative ELBO'],
    defaultSteps: 60,
    onModel: () => drawAll(),
    onTrained: () => drawAll(),
  });
  panel.content.append(
    h('div', { class: 'row' }, seed.element, h('button', { 'data-testid': 'sample', onclick: () => void drawAll() }, 'Sample')),
    h('div', { class: 'columns' }, h('figure', {}, samples, h('figcaption', {}, 'samples from N(0, I)')), h('figure', {}, reconstructions, h('figcaption', {}, 'test digits (top) and reconstructions'))),
    h('div', { class: 'row' }, from.element, to.element, h('button', { 'data-testid': 'interpolate', onclick: () => void panel.guard(drawLine) }, 'Interpolate')),
    h('figure', {}, line, h('figcaption', {}, 'decoded points on the line between the two digits’ latent means')),
    h('div', { class: 'row' }, axisA.element, axisB.element, h('button', { 'data-testid': 'walk-button', onclick: () => void panel.guard(drawWalk) }, 'Walk')),
    h('figure', {}, walk, h('figcaption', {}, 'latent walk: two axes from -2.5 to 2.5, the other 18 at 0')),
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
