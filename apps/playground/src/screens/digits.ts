// Digits: draw on a canvas, the LeNet-5 answers with class probabilities as you draw.
import { h } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';

const SIZE = 280;

/**
 * The drawing as MNIST sees digits: the ink's bounding box scaled into 20x20 and centred in
 * 28x28, values in [0, 1] (1 = ink). Returns `undefined` for an empty canvas.
 */
export function toMnist(canvas: HTMLCanvasElement): Float32Array | undefined {
  const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3] > 0) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) return undefined;
  const box = Math.max(right - left + 1, bottom - top + 1);
  const scale = 20 / box;
  const small = new OffscreenCanvas(28, 28);
  const context = small.getContext('2d')!;
  const drawnWidth = (right - left + 1) * scale;
  const drawnHeight = (bottom - top + 1) * scale;
  context.drawImage(canvas, left, top, right - left + 1, bottom - top + 1, (28 - drawnWidth) / 2, (28 - drawnHeight) / 2, drawnWidth, drawnHeight);
  const pixels = context.getImageData(0, 0, 28, 28).data;
  return Float32Array.from({ length: 784 }, (_, index) => pixels[index * 4 + 3] / 255);
}

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const canvas = h('canvas', { width: SIZE, height: SIZE, class: 'draw', 'data-testid': 'draw' });
  const drawing = canvas.getContext('2d', { willReadFrequently: true })!;
  const bars = Array.from({ length: 10 }, (_, digit) => {
    const bar = h('span', { class: 'bar' });
    const value = h('span', { class: 'value' }, '-');
    return { row: h('div', { class: 'probability', 'data-digit': digit }, h('b', {}, String(digit)), h('span', { class: 'track' }, bar), value), bar, value };
  });
  const prediction = h('p', { class: 'prediction', 'data-testid': 'prediction' }, 'draw a digit');
  let busy = false;
  let again = false;

  const classify = async () => {
    if (busy) {
      again = true;
      return;
    }
    const pixels = toMnist(canvas);
    if (!pixels) return;
    busy = true;
    try {
      const probabilities = await context.client.call<number[]>({ type: 'infer', input: pixels });
      const best = probabilities.indexOf(Math.max(...probabilities));
      probabilities.forEach((p, digit) => {
        bars[digit].bar.style.width = `${(100 * p).toFixed(1)}%`;
        bars[digit].value.textContent = p.toFixed(3);
      });
      prediction.textContent = `It is a ${best} (${(100 * probabilities[best]).toFixed(1)}%)`;
      prediction.dataset.digit = String(best);
    } catch (error) {
      panel.say((error as Error).message, true);
    } finally {
      busy = false;
      if (again) {
        again = false;
        void classify();
      }
    }
  };

  let last: [number, number] | undefined;
  const point = (event: PointerEvent): [number, number] => {
    const rect = canvas.getBoundingClientRect();
    return [((event.clientX - rect.left) * SIZE) / rect.width, ((event.clientY - rect.top) * SIZE) / rect.height];
  };
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const next = point(event);
    Object.assign(drawing, { lineWidth: 22, lineCap: 'round', strokeStyle: '#000' });
    drawing.beginPath();
    drawing.moveTo(...last);
    drawing.lineTo(...next);
    drawing.stroke();
    last = next;
    void classify();
  });
  canvas.addEventListener('pointerup', () => {
    last = undefined;
    void classify();
  });
  const clear = () => {
    drawing.clearRect(0, 0, SIZE, SIZE);
    prediction.textContent = 'draw a digit';
    delete prediction.dataset.digit;
    bars.forEach(({ bar, value }) => {
      bar.style.width = '0';
      value.textContent = '-';
    });
  };
  const testAccuracy = h('span', { 'data-testid': 'test-accuracy' });

  const panel = new ModelPanel(context, {
    screen: 'digits',
    title: 'Digits',
    blurb: 'LeNet-5 (16/32 channels) trained by `tensorzoo train cnn-mnist`. Draw a digit; the probabilities follow your pen. Train here fits a fresh network on 2,000 MNIST digits.',
    series: ['loss', 'accuracy %'],
    metrics: ['accuracy'],
    defaultSteps: 100,
    onModel: () => classify(),
    onProgress: (progress) => {
      const extra = progress.extra as { testAccuracy?: number } | undefined;
      if (extra?.testAccuracy !== undefined) testAccuracy.textContent = `accuracy on 500 held-out digits: ${(100 * extra.testAccuracy).toFixed(1)}%`;
    },
    onTrained: () => classify(),
  });
  panel.content.append(
    h('div', { class: 'columns' }, h('div', {}, canvas, h('div', { class: 'row' }, h('button', { 'data-testid': 'clear', onclick: clear }, 'Clear'))), h('div', { class: 'probabilities' }, prediction, ...bars.map((bar) => bar.row))),
    testAccuracy,
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
