// End-to-end tests of the BUILT playground (run `vite build` first; `pnpm --filter playground e2e`
// does both) in the Debian Chromium with WebGPU on SwiftShader, served by `vite preview`.
// No test framework: a list of named async checks, run in order in one page, with a summary.
// Writes screenshots/<screen>.png and e2e/report.json (pass counts, chunk sizes, responsiveness).
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import { decodeModel, setBackend } from '@tensorzoo/core';
import { cnnModels } from '@tensorzoo/cnn';

const APP = new URL('..', import.meta.url).pathname;
const PORT = 4173;
const BASE = `http://localhost:${PORT}/`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENS = ['digits', 'gpt', 'vae', 'dcgan', 'seq2seq', 'regression'];
/** Steps of the "train here" checks, per screen: enough for the loss of a fresh model to fall. */
const TRAIN_STEPS = {
  cpu: { digits: 12, gpt: 12, vae: 10, dcgan: 6, seq2seq: 12, regression: 25 },
  // WebGPU on SwiftShader emulates the GPU on the CPU: correct, but seconds per step.
  webgpu: { digits: 6, gpt: 8, vae: 5, dcgan: 5, seq2seq: 8, regression: 25 },
};
/** Backends the training checks run on; PLAYGROUND_E2E_BACKENDS=cpu skips the slow software WebGPU. */
const BACKENDS = (process.env.PLAYGROUND_E2E_BACKENDS ?? 'cpu,webgpu').split(',');
/** Longest wait for one training run. */
const TRAIN_TIMEOUT_MS = 240_000;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function startPreview() {
  const server = spawn('pnpm', ['exec', 'vite', 'preview', '--port', String(PORT), '--strictPort'], { cwd: APP, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  server.stdout.on('data', (chunk) => (output += chunk));
  server.stderr.on('data', (chunk) => (output += chunk));
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(BASE)).ok) return server;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`vite preview did not start:\n${output}`);
}

const server = await startPreview();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1180, height: 1100 }, acceptDownloads: true });
const page = await context.newPage();
page.setDefaultTimeout(60_000);

const problems = [];
const requested = [];
page.on('console', (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`));
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`));
page.on('response', (response) => response.status() >= 400 && problems.push(`HTTP ${response.status()}: ${response.url()}`));
context.on('request', (request) => requested.push(request.url()));
// Worker requests (chunks, models) are seen by the context, not the page.
page.on('worker', (worker) => worker.on('console', (message) => message.type() === 'error' && problems.push(`worker console error: ${message.text()}`)));

const results = [];
const report = { chunks: {}, responsiveness: {}, training: {}, backends: {} };

async function test(name, run) {
  const started = Date.now();
  const problemsBefore = problems.length;
  try {
    await run();
    assert(problems.length === problemsBefore, problems.slice(problemsBefore).join('\n'));
    results.push({ name, ok: true, seconds: (Date.now() - started) / 1000 });
    console.log(`  ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error: error.message });
    console.log(`  FAIL  ${name}: ${error.message.split('\n').slice(0, 6).join('\n        ')}`);
  }
}

const screen = (name) => page.getByTestId(`screen-${name}`);
const dataset = (locator, key) => locator.evaluate((element, key) => element.dataset[key], key);

/** Opens a screen (by its tab) and waits for its pretrained model. */
async function openScreen(name) {
  await page.getByTestId(`tab-${name}`).click();
  await screen(name).getByTestId('model-info').filter({ hasText: 'pretrained' }).waitFor();
}

/** Chooses a backend in the picker and waits until the worker runs on it. */
async function useBackend(name) {
  await page.getByTestId('backend').selectOption(name);
  await page.waitForFunction((name) => document.getElementById('backend-status')?.dataset.backend === name, name);
}

/** JS/wasm files fetched since `from` (an index into `requested`), with raw and gzip sizes. */
async function chunksSince(from) {
  const files = [...new Set(requested.slice(from).filter((url) => /\.(js|wasm|css)$/.test(url)).map((url) => new URL(url).pathname.replace(/^\//, '')))];
  const sizes = await Promise.all(files.map(async (file) => {
    const bytes = await readFile(new URL(`../dist/${file}`, import.meta.url));
    return { file, raw: bytes.length, gzip: gzipSync(bytes).length };
  }));
  return { files: sizes, raw: sizes.reduce((sum, file) => sum + file.raw, 0), gzip: sizes.reduce((sum, file) => sum + file.gzip, 0) };
}

/** Trains the screen's fresh model for its TRAIN_STEPS and checks the loss and the chart. */
async function trainFresh(name, backend) {
  const root = screen(name);
  await root.getByTestId('fresh').click();
  await root.getByTestId('model-info').filter({ hasText: 'random weights' }).waitFor();
  const chart = root.getByTestId('chart');
  assert((await dataset(chart, 'points')) === '0', 'the chart should start empty');
  await root.getByTestId('steps').fill(String(TRAIN_STEPS[backend][name]));
  const started = Date.now();
  await root.getByTestId('train').click();
  const status = root.getByTestId('train-status');
  await page.waitForFunction(() => document.querySelector('[data-testid=train-status]')?.dataset.state === 'idle' && document.querySelector('[data-testid=train]')?.disabled === false, null, { timeout: TRAIN_TIMEOUT_MS });
  const seconds = (Date.now() - started) / 1000;
  const steps = Number(await dataset(status, 'steps'));
  const first = Number(await dataset(status, 'firstLoss'));
  const last = Number(await dataset(status, 'lastLoss'));
  const points = Number(await dataset(chart, 'points'));
  report.training[`${name}/${backend}`] = { steps, firstLoss: first, lastLoss: last, seconds };
  assert(steps === TRAIN_STEPS[backend][name], `expected ${TRAIN_STEPS[backend][name]} steps, saw ${steps} (${await status.textContent()}; ${await root.getByTestId('message').textContent()})`);
  assert(points === steps, `the chart should have ${steps} points, has ${points}`);
  assert((await root.getByTestId('model-info').getAttribute('data-backend')) === backend, `trained on ${await root.getByTestId('model-info').getAttribute('data-backend')}, expected ${backend}`);
  // The preview serves COOP/COEP, so the worker runs the cpu products on one thread per core (up to 4).
  const threads = Number(await root.getByTestId('model-info').getAttribute('data-threads'));
  report.training[`${name}/${backend}`].threads = threads;
  if (backend === 'cpu') {
    const expected = await page.evaluate(() => (crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1));
    assert(threads === expected, `trained on ${threads} threads, expected ${expected} (crossOriginIsolated and hardwareConcurrency)`);
  }
  if (name === 'dcgan') {
    assert(Number(await dataset(root.getByTestId('training-grid'), 'updates')) >= 1, 'the fixed-noise grid was never drawn');
    assert(Number.isFinite(first) && Number.isFinite(last), `the losses are not finite: ${first}, ${last}`);
  } else {
    assert(last < first, `the loss did not fall: first ${first}, last ${last}`);
  }
}

console.log(`e2e: ${BASE} in ${CHROMIUM}`);
try {
  await test('the app loads and lists the four backends', async () => {
    await page.goto(`${BASE}#/digits`);
    await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.backend);
    const options = await page.getByTestId('backend').locator('option').evaluateAll((items) => items.map((item) => ({ value: item.value, disabled: item.disabled, label: item.textContent })));
    report.backends = { active: await dataset(page.locator('#backend-status'), 'backend'), options };
    assert(options.map((option) => option.value).join() === 'auto,webgpu,webgl,wasm,cpu', `options: ${options.map((option) => option.value)}`);
    for (const name of ['webgpu', 'cpu', 'wasm']) assert(!options.find((option) => option.value === name).disabled, `${name} should be available`);
    await screen('digits').getByTestId('model-info').filter({ hasText: 'pretrained' }).waitFor();
  });
  report.chunks.shell = await chunksSince(0);

  await test('digits: a drawn 1 is classified as 1 by the pretrained LeNet-5', async () => {
    const canvas = screen('digits').getByTestId('draw');
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    for (let y = 40; y <= 240; y += 10) await page.mouse.move(box.x + 140 + (y - 40) * -0.05, box.y + y);
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('[data-testid=prediction]')?.dataset.digit !== undefined);
    await page.waitForTimeout(300); // the last stroke's answer
    const digit = await dataset(screen('digits').getByTestId('prediction'), 'digit');
    assert(digit === '1', `predicted ${digit}: ${await screen('digits').getByTestId('prediction').textContent()}`);
    await page.screenshot({ path: `${APP}screenshots/digits.png`, fullPage: true });
  });

  for (const name of SCREENS.slice(1)) {
    const from = requested.length;
    await test(`${name}: the screen opens with its pretrained model`, async () => {
      await openScreen(name);
      const root = screen(name);
      if (name === 'gpt') {
        await page.waitForFunction(() => document.querySelector('[data-testid=names]')?.dataset.state === 'done');
        const names = await root.getByTestId('names').locator('li').allTextContents();
        report.gptNames = names;
        assert(names.length === 10 && names.every((text) => /^[A-Z][a-z]+$/.test(text)), `names: ${JSON.stringify(names)}`);
      } else if (name === 'seq2seq') {
        await page.waitForFunction(() => document.querySelector('[data-testid=greedy]')?.dataset.source === '12345');
        const greedy = await root.getByTestId('greedy').textContent();
        const beam = await root.getByTestId('beam').textContent();
        assert(greedy === '54321' && beam === '54321', `12345 -> greedy ${greedy}, beam ${beam}`);
      } else if (name === 'vae') {
        for (const id of ['samples', 'reconstructions', 'interpolation', 'walk']) await page.waitForFunction((id) => document.querySelector(`[data-testid=${id}]`)?.dataset.updates === '1', id);
      } else if (name === 'dcgan') {
        await page.waitForFunction(() => document.querySelector('[data-testid=samples]')?.dataset.updates === '1');
        // The class-conditional generator: ask for one digit, then for each digit again.
        await root.getByTestId('digit').selectOption('3');
        await page.waitForFunction(() => document.querySelector('[data-testid=samples]')?.dataset.updates === '2');
        const caption = await root.locator('figure figcaption').first().textContent();
        assert(caption.includes('digit 3'), `caption after choosing 3: ${caption}`);
        await root.getByTestId('digit').selectOption('all');
        await page.waitForFunction(() => document.querySelector('[data-testid=samples]')?.dataset.updates === '3');
      } else if (name === 'regression') {
        await page.waitForFunction(() => document.querySelector('[data-testid=fit-chart]')?.dataset.points === '41');
        const fit = await root.getByTestId('fit').textContent();
        const [intercept, slope] = fit.match(/-?\d+\.\d+/g).map(Number);
        assert(Math.abs(intercept - 1) < 0.1 && Math.abs(slope - 2) < 0.15, `pretrained fit: ${fit}`);
      }
      await page.waitForTimeout(200);
      await page.screenshot({ path: `${APP}screenshots/${name}.png`, fullPage: true });
    });
    report.chunks[name] = await chunksSince(from);
  }

  for (const backend of BACKENDS) {
    for (const name of SCREENS) {
      await test(`${name}: train a fresh model ${TRAIN_STEPS[backend][name]} steps on ${backend}; the loss falls and the chart updates`, async () => {
        if ((await dataset(page.locator('#backend-status'), 'backend')) !== backend) await useBackend(backend);
        await page.getByTestId(`tab-${name}`).click();
        await page.waitForFunction(({ name, backend }) => {
          const info = document.querySelector(`[data-testid=screen-${name}] [data-testid=model-info]`);
          return info?.dataset.source === 'pretrained' && info.dataset.backend === backend;
        }, { name, backend });
        await trainFresh(name, backend);
        if (name === 'dcgan' && backend === 'cpu') await page.screenshot({ path: `${APP}screenshots/dcgan-training.png`, fullPage: true });
        if (name === 'regression' && backend === 'cpu') await page.screenshot({ path: `${APP}screenshots/regression-training.png`, fullPage: true });
      });
    }
  }

  await test('the page answers clicks within 100 ms while the worker trains; stop and resume', async () => {
    await useBackend('cpu');
    await openScreen('digits');
    const root = screen('digits');
    await root.getByTestId('fresh').click();
    await root.getByTestId('model-info').filter({ hasText: 'random weights' }).waitFor();
    await root.getByTestId('steps').fill('400');
    await root.getByTestId('train').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=train-status]')?.dataset.steps ?? 0) >= 3);
    const latencies = [];
    const roundTrips = [];
    for (let index = 0; index < 8; index++) {
      const started = Date.now();
      await page.getByTestId('ping').click();
      roundTrips.push(Date.now() - started);
      latencies.push(Number(await dataset(page.locator('#responsiveness'), 'clickLatency')));
      await page.waitForTimeout(250);
    }
    const worstFrame = Number(await dataset(page.locator('#responsiveness'), 'worstFrame'));
    report.responsiveness = { clickLatencyMs: latencies, maxClickLatencyMs: Math.max(...latencies), playwrightClickRoundTripMs: roundTrips, worstFrameMs: worstFrame };
    assert((await dataset(root.getByTestId('train-status'), 'state')) === 'running', 'training should still be running');
    assert(Math.max(...latencies) < 100, `click latencies ${latencies.join(', ')} ms`);
    await page.screenshot({ path: `${APP}screenshots/digits-training.png`, fullPage: true });
    await root.getByTestId('stop').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=train-status]')?.dataset.state === 'idle');
    const stoppedAt = Number(await dataset(root.getByTestId('train-status'), 'steps'));
    assert(stoppedAt < 400, `stop did not stop (${stoppedAt} steps)`);
    const step = Number((await root.getByTestId('model-info').textContent()).match(/step (\d+)/)[1]);
    await root.getByTestId('steps').fill('3');
    await root.getByTestId('train').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=train-status]')?.dataset.state === 'idle' && document.querySelector('[data-testid=train-status]')?.dataset.steps === '3');
    const resumed = Number((await root.getByTestId('model-info').textContent()).match(/step (\d+)/)[1]);
    assert(resumed === step + 3, `resume should continue from step ${step}, now at ${resumed}`);
  });

  await test('checkpoints: IndexedDB round trip, a download that core decodeModel rebuilds in Node, uploads of it and of a CLI file', async () => {
    const root = screen('digits');
    const before = await root.getByTestId('model-info').textContent();
    await root.getByTestId('save-browser').click();
    await root.getByTestId('message').filter({ hasText: 'saved' }).waitFor();
    await root.getByTestId('use-pretrained').click();
    await root.getByTestId('model-info').filter({ hasText: 'pretrained' }).waitFor();
    await root.getByTestId('load-browser').click();
    await root.getByTestId('message').filter({ hasText: 'loaded from this browser' }).waitFor();
    const stepOf = (text) => text.match(/step (\d+)/)[1];
    assert(stepOf(await root.getByTestId('model-info').textContent()) === stepOf(before), 'the IndexedDB copy should have the same step');
    const [download] = await Promise.all([page.waitForEvent('download'), root.getByTestId('download').click()]);
    const path = await download.path();
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
    assert(header.__metadata__['tensorzoo.architecture'], `downloaded metadata: ${Object.keys(header.__metadata__)}`);
    // The file rebuilds in Node with core's decodeModel (what loadModel does with a path).
    await setBackend('cpu');
    const { model, info } = await decodeModel(bytes, { models: cnnModels });
    assert(model.typeName === 'LeNet5' && info.hasOptimizerState, `decoded a ${model.typeName}`);
    model.dispose();
    await root.getByTestId('upload').setInputFiles(path);
    await root.getByTestId('message').filter({ hasText: 'loaded' }).waitFor();
    await openScreen('gpt');
    await screen('gpt').getByTestId('upload').setInputFiles(`${APP}public/models/gpt-names.safetensors`);
    await screen('gpt').getByTestId('message').filter({ hasText: 'loaded gpt-names.safetensors' }).waitFor();
  });

  await test('classifier: a real torchvision MobileNetV2 state_dict loads (architecture read from the file) and classifies an image', async () => {
    await page.getByTestId('tab-classifier').click();
    const root = screen('classifier');
    await root.getByTestId('model-info').filter({ hasText: 'no checkpoint yet' }).waitFor();
    // The file scripts/reference/torchvision_models.py wrote from torchvision itself (width 0.1, 5 classes).
    await root.getByTestId('upload').setInputFiles(`${APP}../../packages/cnn/fixtures/torchvision-mobilenet_v2-tiny.safetensors`);
    await page.waitForFunction(() => {
      const screen = document.querySelector('[data-testid=screen-classifier]');
      return screen?.querySelector('[data-testid=model-info]')?.textContent?.includes('MobileNetV2') || screen?.querySelector('[data-testid=message]')?.textContent;
    });
    const info = await root.getByTestId('model-info').textContent();
    assert(info.includes('MobileNetV2 (width 0.1), 5 classes'), `model info: ${info}; message: ${await root.getByTestId('message').textContent()}`);
    await root.getByTestId('sample-image').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=top5]')?.dataset.count === '5');
    const probabilities = await root.getByTestId('top5').locator('li').evaluateAll((items) => items.map((item) => Number(item.dataset.probability)));
    const total = probabilities.reduce((sum, value) => sum + value, 0);
    assert(probabilities.every((value, index) => index === 0 || value <= probabilities[index - 1]), `top-5 not sorted: ${probabilities}`);
    assert(Math.abs(total - 1) < 1e-4, `the 5 classes' probabilities sum to ${total}, expected 1`);
    await page.screenshot({ path: `${APP}screenshots/classifier.png`, fullPage: true });
  });
} finally {
  const passed = results.filter((result) => result.ok).length;
  console.log(`\n${passed} passed, ${results.length - passed} failed (${results.length} checks)`);
  report.results = results;
  await mkdir(new URL('../e2e/', import.meta.url), { recursive: true });
  await writeFile(new URL('../e2e/report.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
  await browser.close();
  process.kill(-server.pid);
  process.exitCode = passed === results.length && results.length > 0 ? 0 : 1;
}
