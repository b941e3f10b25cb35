// Seq2seq reverse: type digits, read the greedy and beam-search outputs of the encoder-decoder.
import { h } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const input = h('input', { type: 'text', value: '12345', maxlength: 8, inputmode: 'numeric', 'data-testid': 'digits', oninput: () => void reverse() });
  const greedy = h('output', { 'data-testid': 'greedy' });
  const beam = h('output', { 'data-testid': 'beam' });
  const reverse = async () => {
    if (!/^[0-9]{1,8}$/.test(input.value)) {
      panel.say('type 1 to 8 digits', true);
      return;
    }
    await panel.guard(async () => {
      const result = await context.client.call<{ greedy: string; beam: string }>({ type: 'infer', input: input.value });
      if (result && input.value) {
        greedy.textContent = result.greedy;
        beam.textContent = result.beam;
        greedy.dataset.source = beam.dataset.source = input.value;
      }
    });
  };
  const panel = new ModelPanel(context, {
    screen: 'seq2seq',
    title: 'Seq2seq: reverse digits',
    blurb: 'A 2+2-layer encoder-decoder Transformer trained by `tensorzoo train seq2seq-reverse` on random strings of 3-8 digits.',
    series: ['loss (nats/token)'],
    defaultSteps: 60,
    onModel: () => reverse(),
    onTrained: () => reverse(),
  });
  panel.content.append(
    h('div', { class: 'row' }, h('label', {}, 'digits ', input), h('button', { 'data-testid': 'reverse', onclick: () => void reverse() }, 'Reverse')),
    h('p', {}, 'greedy: ', greedy),
    h('p', {}, 'beam (width 4): ', beam),
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
