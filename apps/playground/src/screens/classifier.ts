// Image classifier: load a torchvision ResNet or MobileNetV2 checkpoint (converted with three
// lines of Python, see the ResNet page of the docs), pick an image, read the top-5 classes.
import { h } from '../dom';
import { ModelPanel, type ScreenContext } from '../panel';
import type { ClassifierInput } from '../models/classifier';

const SIZE = 224;

/** A test pattern for when no photo is at hand: a sky, a sun and a meadow. */
function drawSample(context: CanvasRenderingContext2D): void {
  const sky = context.createLinearGradient(0, 0, 0, SIZE);
  sky.addColorStop(0, '#3b7dd8');
  sky.addColorStop(1, '#bcdcf5');
  context.fillStyle = sky;
  context.fillRect(0, 0, SIZE, SIZE);
  context.fillStyle = '#f7c948';
  context.beginPath();
  context.arc(160, 60, 28, 0, 2 * Math.PI);
  context.fill();
  context.fillStyle = '#4c9a2a';
  context.fillRect(0, 150, SIZE, SIZE - 150);
}

export function mount(context: ScreenContext): { element: HTMLElement; dispose(): void } {
  const canvas = h('canvas', { width: SIZE, height: SIZE, class: 'photo', 'data-testid': 'photo' });
  const drawing = canvas.getContext('2d', { willReadFrequently: true })!;
  const results = h('ol', { class: 'top5', 'data-testid': 'top5' });
  let hasImage = false;

  const classify = async () => {
    if (!hasImage) return;
    await panel.guard(async () => {
      const { data, width, height } = drawing.getImageData(0, 0, canvas.width, canvas.height);
      const input: ClassifierInput = { data, width, height };
      const top = await context.client.call<Array<{ label: string; probability: number }>>({ type: 'infer', input });
      results.replaceChildren(...top.map(({ label, probability }) => h('li', { 'data-probability': String(probability) }, `${label}: ${(100 * probability).toFixed(1)}%`)));
      results.dataset.count = String(top.length);
    });
  };
  const useImage = async (file: File | undefined) => {
    if (!file) return;
    const bitmap = await createImageBitmap(file);
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    drawing.drawImage(bitmap, 0, 0);
    bitmap.close();
    hasImage = true;
    await classify();
  };
  const imageInput = h('input', { type: 'file', accept: 'image/*', 'data-testid': 'image', onchange: () => void useImage(imageInput.files?.[0]) });

  const panel = new ModelPanel(context, {
    screen: 'classifier',
    title: 'Image classifier (torchvision weights)',
    blurb:
      'ResNet-18/34/50 or MobileNetV2 with torchvision\'s layout: load a torchvision state_dict saved as .safetensors ' +
      '(torchvision weights cannot ship with the app; three lines of Python convert them), then an image. ' +
      'The architecture is read from the file; preprocessing is torchvision\'s (resize 256, crop 224, ImageNet mean/std).',
    series: [],
    defaultSteps: 1,
    trainable: false,
    pretrained: false,
    onModel: () => classify(),
  });
  panel.content.append(
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'upload' }, 'Image ', imageInput),
      h(
        'button',
        {
          'data-testid': 'sample-image',
          onclick: () => {
            canvas.width = canvas.height = SIZE;
            drawSample(drawing);
            hasImage = true;
            void classify();
          },
        },
        'Use a test pattern',
      ),
    ),
    canvas,
    h('h3', {}, 'Top 5'),
    results,
  );
  void panel.start();
  return { element: panel.element, dispose: () => panel.dispose() };
}
