// A tiny element builder: the whole UI is plain DOM (see README: why no framework).
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

/** `h('button', { onclick: run, 'data-testid': 'train' }, 'Train')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name in element && typeof value !== 'string') (element as unknown as Record<string, unknown>)[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** A labelled number input. */
export function numberField(label: string, testId: string, value: number, options: { min?: number; max?: number; step?: number } = {}): { element: HTMLLabelElement; get: () => number } {
  const input = h('input', { type: 'number', value: String(value), min: options.min, max: options.max, step: options.step ?? 'any', 'data-testid': testId });
  return { element: h('label', {}, `${label} `, input), get: () => Number(input.value) };
}

/**
 * Draws `count` grayscale images of 28x28 (values in [0, 1], row-major) into `canvas` as a grid
 * of `columns`, each pixel `scale` screen pixels.
 */
export function drawDigits(canvas: HTMLCanvasElement, images: Float32Array, count: number, columns: number, scale = 2): void {
  const rows = Math.ceil(count / columns);
  const size = 28;
  const image = new ImageData(columns * (size + 1), rows * (size + 1));
  image.data.fill(255);
  for (let index = 0; index < count; index++) {
    const left = (index % columns) * (size + 1);
    const top = Math.floor(index / columns) * (size + 1);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const value = Math.round(255 * (1 - Math.min(1, Math.max(0, images[index * 784 + y * size + x]))));
        const offset = ((top + y) * image.width + left + x) * 4;
        image.data[offset] = image.data[offset + 1] = image.data[offset + 2] = value;
      }
    }
  }
  const scratch = new OffscreenCanvas(image.width, image.height);
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  canvas.width = image.width * scale;
  canvas.height = image.height * scale;
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  canvas.dataset.updates = String(Number(canvas.dataset.updates ?? 0) + 1);
}
