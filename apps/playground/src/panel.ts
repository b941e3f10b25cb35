// What every screen shares: model source buttons, the training controls with a live chart,
// and the checkpoint buttons (IndexedDB, download, upload).
import { LiveChart } from './chart';
import { h, numberField } from './dom';
import type { ModelInfo, ScreenName, TrainProgress } from './protocol';
import { download, loadFromBrowser, saveToBrowser } from './storage';
import type { WorkerClient } from './worker-client';

/** Given to every screen's `mount`. */
export interface ScreenContext {
  client: WorkerClient;
  /** Absolute URL of the app's root (static assets: models/, data/). */
  baseUrl: string;
}

export interface PanelOptions {
  screen: ScreenName;
  title: string;
  blurb: string;
  /** Chart series: the loss first, then one per metric named in `metrics`. */
  series: string[];
  /** Progress metrics plotted after the loss, in `series` order. */
  metrics?: string[];
  /** Steps the Train button runs by default. */
  defaultSteps: number;
  /** `false` hides the "Train here" section (models that only run inference). Default `true`. */
  trainable?: boolean;
  /** `false` hides "Use pretrained" (no weights ship for the screen). Default `true`. */
  pretrained?: boolean;
  /** After a model is opened or loaded (refresh the inference view). */
  onModel?: (info: ModelInfo) => void | Promise<void>;
  /** Every training step (screen-specific extras). */
  onProgress?: (progress: TrainProgress) => void;
  /** After a training run ends or stops. */
  onTrained?: () => void | Promise<void>;
}

/** A screen's frame: header, its own content area, training and checkpoints. */
export class ModelPanel {
  readonly element: HTMLElement;
  /** Where the screen puts its inference view. */
  readonly content = h('section', { class: 'content' });
  readonly chart: LiveChart;
  private readonly infoLine = h('p', { class: 'info', 'data-testid': 'model-info' }, 'loading...');
  private readonly status = h('p', { class: 'status', 'data-testid': 'train-status', 'data-state': 'idle' }, 'not trained in this page yet');
  private readonly message = h('p', { class: 'message', 'data-testid': 'message' });
  private readonly trainButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly steps;
  private running = false;
  private unsubscribe: () => void = () => {};
  private lastStep = 0;

  constructor(
    private readonly context: ScreenContext,
    private readonly options: PanelOptions,
  ) {
    this.steps = numberField('steps', 'steps', options.defaultSteps, { min: 1, step: 1 });
    this.trainButton = h('button', { 'data-testid': 'train', onclick: () => void this.train() }, 'Train');
    this.stopButton = h('button', { 'data-testid': 'stop', disabled: true, onclick: () => void this.context.client.call({ type: 'stop' }) }, 'Stop');
    const chartBox = h('div', { class: 'chart', 'data-testid': 'chart' });
    this.chart = new LiveChart(chartBox, options.series);
    const upload = h('input', { type: 'file', accept: '.safetensors', 'data-testid': 'upload', onchange: () => void this.upload(upload) });
    this.element = h(
      'article',
      { class: `screen screen-${options.screen}`, 'data-testid': `screen-${options.screen}` },
      h('h2', {}, options.title),
      h('p', { class: 'blurb' }, options.blurb),
      h(
        'div',
        { class: 'row' },
        options.pretrained === false ? undefined : h('button', { 'data-testid': 'use-pretrained', onclick: () => void this.open('pretrained') }, 'Use pretrained'),
        options.pretrained === false ? undefined : h('button', { 'data-testid': 'fresh', onclick: () => void this.open('fresh') }, 'New model (random weights)'),
      ),
      this.infoLine,
      this.content,
      options.trainable === false
        ? undefined
        : h(
            'section',
            { class: 'training' },
            h('h3', {}, 'Train here'),
            h('div', { class: 'row' }, this.steps.element, this.trainButton, this.stopButton),
            this.status,
            chartBox,
          ),
      h(
        'section',
        { class: 'checkpoints' },
        h('h3', {}, 'Checkpoint'),
        h(
          'div',
          { class: 'row' },
          h('button', { 'data-testid': 'save-browser', onclick: () => void this.guard(() => this.saveBrowser()) }, 'Save in browser'),
          h('button', { 'data-testid': 'load-browser', onclick: () => void this.guard(() => this.loadBrowser()) }, 'Load from browser'),
          h('button', { 'data-testid': 'download', onclick: () => void this.guard(() => this.download()) }, 'Download .safetensors'),
          h('label', { class: 'upload' }, 'Load a file ', upload),
        ),
      ),
      this.message,
    );
  }

  /** Opens the pretrained model (what a screen shows first). */
  start(): Promise<void> {
    return this.open('pretrained');
  }

  dispose(): void {
    this.unsubscribe();
    if (this.running) void this.context.client.call({ type: 'stop' });
  }

  /** Runs `action`, showing its error in the message line instead of throwing. */
  async guard(action: () => Promise<unknown>): Promise<void> {
    try {
      this.say('');
      await action();
    } catch (error) {
      this.say((error as Error).message, true);
    }
  }

  say(text: string, isError = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', isError);
  }

  private async open(weights: 'pretrained' | 'fresh'): Promise<void> {
    await this.guard(async () => {
      this.infoLine.textContent = 'loading...';
      const info = await this.context.client.call<ModelInfo>({ type: 'open', screen: this.options.screen, weights, baseUrl: this.context.baseUrl });
      this.chart.clear();
      this.lastStep = 0;
      this.showInfo(info, this.options.pretrained === false ? 'no weights shipped' : weights === 'pretrained' ? 'pretrained' : 'random weights');
      await this.options.onModel?.(info);
    });
  }

  private showInfo(info: ModelInfo, source: string): void {
    const threads = info.threads > 1 && (info.backend === 'cpu' || info.backend === 'wasm') ? ` (${info.threads} threads)` : '';
    this.infoLine.textContent = `${info.description} · ${source} · step ${info.step} · backend ${info.backend}${threads}`;
    this.infoLine.dataset.threads = String(info.threads);
    this.infoLine.dataset.source = source;
    this.infoLine.dataset.backend = info.backend;
  }

  private async train(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.trainButton.disabled = true;
    this.stopButton.disabled = false;
    this.status.dataset.state = 'running';
    const steps = Math.max(1, Math.round(this.steps.get()));
    let first: number | undefined;
    let last: number | undefined;
    let count = 0;
    const started = performance.now();
    this.unsubscribe = this.context.client.onProgress((progress) => {
      if (Number.isFinite(progress.loss)) {
        first ??= progress.loss;
        last = progress.loss;
        count++;
        this.lastStep = progress.step;
        this.chart.push(progress.step, progress.loss, ...(this.options.metrics ?? []).map((name) => progress.metrics[name] ?? NaN));
        const metrics = Object.entries(progress.metrics)
          .map(([name, value]) => ` · ${name} ${value.toFixed(3)}`)
          .join('');
        this.status.textContent = `step ${progress.step} (${count}/${steps}) · loss ${progress.loss.toFixed(4)}${metrics} · ${Math.round(progress.samplesPerSecond)} samples/s`;
        Object.assign(this.status.dataset, { firstLoss: String(first), lastLoss: String(last), steps: String(count) });
      }
      this.options.onProgress?.(progress);
    });
    try {
      const info = await this.context.client.call<ModelInfo & { seconds: number }>({ type: 'train', steps });
      this.showInfo(info, this.infoLine.dataset.source === 'pretrained' ? 'pretrained, trained further' : 'trained here');
      this.status.textContent += ` · ${count} steps in ${((performance.now() - started) / 1000).toFixed(1)} s${count < steps ? ' (stopped; Train resumes)' : ''}`;
      await this.options.onTrained?.();
    } catch (error) {
      this.say((error as Error).message, true);
    } finally {
      this.unsubscribe();
      this.running = false;
      this.trainButton.disabled = false;
      this.stopButton.disabled = true;
      this.status.dataset.state = 'idle';
    }
  }

  private async saveBrowser(): Promise<void> {
    const bytes = await this.context.client.call<Uint8Array>({ type: 'save' });
    await saveToBrowser(this.options.screen, bytes);
    this.say(`saved ${formatBytes(bytes.length)} in this browser (IndexedDB)`);
  }

  private async loadBrowser(): Promise<void> {
    const bytes = await loadFromBrowser(this.options.screen);
    if (!bytes) throw new Error('nothing saved in this browser for this screen yet');
    await this.loadBytes(bytes, 'from this browser');
  }

  private async download(): Promise<void> {
    const bytes = await this.context.client.call<Uint8Array>({ type: 'save' });
    download(bytes, `${this.options.screen}-step${this.lastStep}.safetensors`);
    this.say(`downloaded ${formatBytes(bytes.length)}`);
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    await this.guard(async () => this.loadBytes(new Uint8Array(await file.arrayBuffer()), file.name));
    input.value = '';
  }

  private async loadBytes(bytes: Uint8Array, source: string): Promise<void> {
    const info = await this.context.client.call<ModelInfo>({ type: 'load', bytes }, [bytes.buffer]);
    this.showInfo(info, source);
    await this.options.onModel?.(info);
    this.say(`loaded ${source}`);
  }
}

export function formatBytes(size: number): string {
  return size >= 1e6 ? `${(size / 1e6).toFixed(2)} MB` : `${(size / 1e3).toFixed(1)} kB`;
}
