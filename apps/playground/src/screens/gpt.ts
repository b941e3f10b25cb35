// Names GPT: names appear character by character, with temperature, top-k, top-p and seed.
import { h, numberField } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const temperature = numberField('temperature', 'temperature', 0.8, { min: 0.05, max: 3, step: 0.05 });
  const topK = numberField('top-k', 'top-k', 30, { min: 1, step: 1 });
  const topP = numberField('top-p', 'top-p', 0.95, { min: 0.01, max: 1, step: 0.01 });
  const seed = numberField('seed', 'seed', 1, { min: 0, step: 1 });
  const count = numberField('names', 'count', 10, { min: 1, max: 50, step: 1 });
  const list = h('ol', { class: 'names', 'data-testid': 'names' });
  const button = h('button', { 'data-testid': 'generate', onclick: () => void generate() }, 'Generate');

  const generate = async () => {
    button.disabled = true;
    list.replaceChildren();
    list.dataset.state = 'running';
    const items: HTMLLIElement[] = [];
    const stop = context.client.onToken((data) => {
      const { name, text } = data as { name: number; text: string };
      while (items.length <= name) items.push(list.appendChild(h('li', {})));
      items[name].textContent += text;
    });
    await panel.guard(async () => {
      const names = await context.client.call<string[]>({
        type: 'infer',
        input: { count: count.get(), temperature: temperature.get(), topK: topK.get(), topP: topP.get(), seed: seed.get() },
      });
      names.forEach((name, index) => {
        items[index] ??= list.appendChild(h('li', {}));
        items[index].textContent = name || '(empty)';
      });
    });
    stop();
    list.dataset.state = 'done';
    button.disabled = false;
  };

  const panel = new ModelPanel(context, {
    screen: 'gpt',
    title: 'Names GPT',
    blurb: 'A 2-layer character GPT trained by `tensorzoo train gpt-names` on 4,951 English first names. Generation streams one token at a time from the worker.',
    series: ['loss (nats/token)'],
    defaultSteps: 60,
    onModel: () => generate(),
  });
  panel.content.append(h('div', { class: 'row' }, temperature.element, topK.element, topP.element, seed.element, count.element, button), list);
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
