import { ArgumentError } from '@tensorzoo/core';
import pngjs, { type PNG } from 'pngjs';
import { GLYPH_HEIGHT, textPixels, textWidth } from './pixel-font';

/** An RGB colour, each channel 0-255. */
export type Color = readonly [red: number, green: number, blue: number];

/** One line of the plot: a value per epoch. */
export interface LossCurve {
  /** Legend text, e.g. `'train'`. */
  label: string;
  /** Loss per epoch; the first value is drawn at epoch 1. Non-finite values leave a gap. */
  values: readonly number[];
  /** Line colour. Default: the next colour of a tab10-like palette (blue, orange, green, red). */
  color?: Color;
}

/** Options of {@link plotLossCurve}. */
export interface PlotOptions {
  /** Image width in pixels. Default 640. */
  width?: number;
  /** Image height in pixels. Default 400. */
  height?: number;
  /** Caption drawn top left, before the y-axis name, e.g. the example's name. */
  title?: string;
  /** Name of the y axis. Default `'loss'`. */
  yLabel?: string;
  /** Logarithmic y axis: `true`, `false`, or `'auto'` (default): log when every value is > 0 and max / min >= {@link LOG_SCALE_RATIO}. */
  logScale?: boolean | 'auto';
}

/** With `logScale: 'auto'`, a y range whose max / min reaches this ratio is drawn on a log scale. */
export const LOG_SCALE_RATIO = 20;

const PALETTE: readonly Color[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40]];
const WHITE: Color = [255, 255, 255];
const AXIS: Color = [60, 60, 60];
const GRID: Color = [225, 225, 225];
const FONT_SCALE = 2; // screen pixels per font pixel

/**
 * Draws loss curves (loss per epoch) into a PNG: axes with tick labels, a light grid, one
 * coloured line per curve and a legend. The y axis turns logarithmic when the values span a
 * large range (see {@link PlotOptions.logScale}).
 *
 * @returns the PNG file's bytes.
 * @throws {ArgumentError} when there is no curve, no finite value, or the size is too small.
 * @example
 * ```ts
 * const png = plotLossCurve([
 *   { label: 'train', values: history.loss },
 *   { label: 'validation', values: history.valLoss },
 * ], { title: 'regression' });
 * await fs.writeFile('loss.png', png);
 * ```
 */
export function plotLossCurve(curves: readonly LossCurve[], options: PlotOptions = {}): Buffer {
  const { width = 640, height = 400, title, yLabel = 'loss' } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 200 || height < 120) {
    throw new ArgumentError('bad-argument', `plotLossCurve: width × height (${width} × ${height}) must be integers of at least 200 × 120.`);
  }
  const values = curves.flatMap((curve) => curve.values.filter(Number.isFinite));
  if (curves.length === 0 || values.length === 0) {
    throw new ArgumentError('bad-argument', 'plotLossCurve: pass at least one curve with a finite value, e.g. [{ label: "train", values: history.loss }].');
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  const log = options.logScale === 'auto' || options.logScale === undefined ? min > 0 && max / min >= LOG_SCALE_RATIO : options.logScale;
  if (log && min <= 0) throw new ArgumentError('bad-argument', `plotLossCurve: logScale needs values > 0, received ${min}.`);
  const scale = log ? logAxis(min, max) : linearAxis(min, max);
  const epochs = Math.max(...curves.map((curve) => curve.values.length));

  const image = new Image(width, height);
  const header = [title, `${yLabel}${log ? ' (log scale)' : ''}`].filter(Boolean).join(': ');
  // The legend sits right of the title, or on a row of its own when the two would overlap.
  const legendWidth = curves.reduce((sum, curve) => sum + textWidth(curve.label) * FONT_SCALE + 38, -16);
  const legendRow = 64 + textWidth(header) * FONT_SCALE + 24 > width - 16 - legendWidth ? 1 : 0;
  const legendY = 10 + legendRow * 16;
  const area = { left: 64, right: width - 16, top: 32 + legendRow * 16, bottom: height - 40 };
  const xOf = (epoch: number) => (epochs === 1 ? (area.left + area.right) / 2 : area.left + ((epoch - 1) / (epochs - 1)) * (area.right - area.left));
  const yOf = (value: number) => area.bottom - ((scale.transform(value) - scale.low) / (scale.high - scale.low)) * (area.bottom - area.top);

  for (const tick of scale.ticks) {
    const y = Math.round(yOf(tick));
    image.line(area.left, y, area.right, y, GRID, 1);
    const label = formatTick(tick);
    image.text(label, area.left - 8 - textWidth(label) * FONT_SCALE, y - GLYPH_HEIGHT, AXIS);
  }
  for (const epoch of linearAxis(1, Math.max(epochs, 2), true).ticks.filter((tick) => tick <= epochs)) {
    const x = Math.round(xOf(epoch));
    image.line(x, area.bottom, x, area.bottom + 4, AXIS, 1);
    const label = String(epoch);
    image.text(label, x - textWidth(label), area.bottom + 8, AXIS);
  }
  image.line(area.left, area.top, area.left, area.bottom, AXIS, 1);
  image.line(area.left, area.bottom, area.right, area.bottom, AXIS, 1);
  image.text('epoch', (area.left + area.right) / 2 - textWidth('epoch'), height - 16, AXIS);
  image.text(header, area.left, 10, AXIS);

  let legendRight = area.right;
  [...curves].reverse().forEach((curve, reversedIndex) => {
    const color = curve.color ?? PALETTE[(curves.length - 1 - reversedIndex) % PALETTE.length];
    const labelLeft = legendRight - textWidth(curve.label) * FONT_SCALE;
    image.text(curve.label, labelLeft, legendY, AXIS);
    image.line(labelLeft - 22, legendY + 5, labelLeft - 6, legendY + 5, color, 2);
    legendRight = labelLeft - 38;
    curve.values.forEach((value, index) => {
      const previous = curve.values[index - 1];
      if (!Number.isFinite(value)) return;
      if (index > 0 && Number.isFinite(previous)) image.line(xOf(index), yOf(previous), xOf(index + 1), yOf(value), color, 2);
      else image.line(xOf(index + 1), yOf(value), xOf(index + 1), yOf(value), color, 3); // a lone point
    });
  });
  return image.encode();
}

interface Axis {
  /** Axis ends, in transformed units. */
  low: number;
  high: number;
  /** Tick values, in data units. */
  ticks: number[];
  transform(value: number): number;
}

/** A linear axis with "nice" ticks (1, 2 or 5 × 10^k apart), widened to whole ticks. */
function linearAxis(min: number, max: number, integers = false): Axis {
  if (min === max) [min, max] = [min - (Math.abs(min) || 1) * 0.1, max + (Math.abs(max) || 1) * 0.1];
  const raw = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(integers ? 1 : 0, [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw)!);
  const low = integers ? min : Math.floor(min / step) * step;
  const high = integers ? max : Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return { low, high, ticks, transform: (value) => value };
}

/** A log10 axis over whole decades, ticked at powers of ten (and 2×, 5× when it spans one decade). */
function logAxis(min: number, max: number): Axis {
  const low = Math.floor(Math.log10(min));
  const high = Math.max(Math.ceil(Math.log10(max)), low + 1);
  const every = Math.ceil((high - low) / 8);
  const ticks: number[] = [];
  for (let power = low; power <= high; power += every) {
    for (const multiple of high - low === 1 ? [1, 2, 5] : [1]) ticks.push(Number((multiple * 10 ** power).toPrecision(12)));
  }
  return { low, high, ticks: ticks.filter((tick) => Math.log10(tick) <= high), transform: Math.log10 };
}

/** Short tick text: `0.25`, `1200`, `1e-5`. */
function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential().replace(/\.?0*e\+?/, 'e');
  return String(Number(value.toPrecision(4)));
}

/** An RGBA pixel buffer with the three drawing operations the plot needs. */
class Image {
  private readonly png: PNG;

  constructor(readonly width: number, readonly height: number) {
    this.png = new pngjs.PNG({ width, height });
    for (let i = 0; i < width * height; i++) this.png.data.set([...WHITE, 255], i * 4);
  }

  /** A `thickness`-pixel square at (x, y); off-image pixels are skipped. */
  dot(x: number, y: number, color: Color, thickness: number): void {
    const start = -Math.floor((thickness - 1) / 2);
    for (let dy = start; dy < start + thickness; dy++) {
      for (let dx = start; dx < start + thickness; dx++) {
        const px = Math.round(x) + dx;
        const py = Math.round(y) + dy;
        if (px >= 0 && py >= 0 && px < this.width && py < this.height) this.png.data.set([...color, 255], (py * this.width + px) * 4);
      }
    }
  }

  /** A straight line, stepping one pixel at a time along its longer direction. */
  line(x0: number, y0: number, x1: number, y1: number, color: Color, thickness: number): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let step = 0; step <= steps; step++) this.dot(x0 + ((x1 - x0) * step) / steps, y0 + ((y1 - y0) * step) / steps, color, thickness);
  }

  /** Text in the pixel font, top-left corner at (x, y). */
  text(text: string, x: number, y: number, color: Color): void {
    for (const [px, py] of textPixels(text)) this.dot(Math.round(x) + px * FONT_SCALE, Math.round(y) + py * FONT_SCALE, color, FONT_SCALE);
  }

  encode(): Buffer {
    return pngjs.PNG.sync.write(this.png);
  }
}
