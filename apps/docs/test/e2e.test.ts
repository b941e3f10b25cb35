import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Opens the BUILT site (vitepress preview) in Chromium: the home page, a guide, the API page of
// every package, a model page, and runs the live demos; no page may log a console error.
const docs = fileURLToPath(new URL('../', import.meta.url));
const screenshots = `${docs}screenshots/`;
const port = 4173 + Math.floor(Math.random() * 500);
const origin = `http://localhost:${port}`;
const PACKAGES = ['core', 'losses', 'optimizers', 'datasets', 'attention', 'transformer', 'cnn', 'gan', 'vae', 'cli'];

let server: ChildProcess;
let browser: Browser;
const consoleErrors: string[] = [];

async function waitForServer(): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(origin)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`vitepress preview did not answer on ${origin}`);
}

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${path}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${path}: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) consoleErrors.push(`${path}: HTTP ${response.status()} for ${response.url()}`);
  });
  const response = await page.goto(origin + path, { waitUntil: 'load' });
  await page.locator('.VPContent').waitFor();
  expect(response?.status(), path).toBe(200);
  return page;
}

beforeAll(async () => {
  if (!existsSync(`${docs}.vitepress/dist/index.html`)) throw new Error('apps/docs/.vitepress/dist is missing: run `pnpm --filter docs build` first.');
  mkdirSync(screenshots, { recursive: true });
  server = spawn(`${docs}node_modules/.bin/vitepress`, ['preview', '--port', String(port)], { cwd: docs, stdio: 'ignore' });
  await waitForServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

describe('the built docs site', () => {
  it('home page renders the hero and the quick-start snippet', async () => {
    const page = await open('/');
    await expect(page.locator('.VPHero .name').innerText()).resolves.toContain('TensorZoo');
    await expect(page.locator('code', { hasText: "setBackend('auto')" }).first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${screenshots}home.png`, fullPage: false });
    await page.close();
  });

  it('a guide renders its included, tested snippet', async () => {
    const page = await open('/guide/masks');
    await expect(page.locator('h1').innerText()).resolves.toContain('Masks and conventions');
    await expect(page.locator('table').first().innerText()).resolves.toContain('keyPaddingMask');
    await expect(page.locator('code', { hasText: 'causalMask' }).first().isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('every package has an API page generated from its TSDoc', async () => {
    for (const name of PACKAGES) {
      const page = await open(`/api/${name}`);
      await expect(page.locator('h1').innerText(), name).resolves.toContain(`@tensorzoo/${name}`);
      expect(await page.locator('.vp-doc h2, .vp-doc h3').count(), name).toBeGreaterThan(2);
      if (name === 'core') await page.screenshot({ path: `${screenshots}api-core.png` });
      await page.close();
    }
  });

  it('a model page shows generated parameter names, results and images', async () => {
    const page = await open('/models/vae');
    await expect(page.locator('.vp-doc').innerText()).resolves.toContain('encoder.0.weight');
    await expect(page.locator('.vp-doc').innerText()).resolves.toContain('119.8');
    const image = page.locator('img[alt="VAE samples"]');
    await image.scrollIntoViewIfNeeded();
    expect(await image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0)).toBe(true);
    await page.locator('h2', { hasText: 'Measured results' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${screenshots}model-vae.png` });
    await page.close();
  });

  it('the live regression demo trains in the page until its loss falls', async () => {
    const page = await open('/demos');
    const demo = page.getByTestId('regression-demo');
    await page.getByTestId('regression-train').click();
    await expect.poll(() => demo.getAttribute('data-status'), { timeout: 200_000, interval: 500 }).toMatch(/done|error/);
    expect(await demo.getAttribute('data-status'), await demo.innerText()).toBe('done');
    const first = Number(await demo.getAttribute('data-first-loss'));
    const last = Number(await demo.getAttribute('data-last-loss'));
    expect(last).toBeLessThan(first / 10);
    const backend = await page.getByTestId('regression-backend').innerText();
    console.log(`regression demo on ${backend}: loss ${first.toExponential(3)} -> ${last.toExponential(3)}`);
    await page.getByTestId('regression-demo').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${screenshots}demo-regression.png` });
    await page.close();
  });

  it('the pretrained names GPT generates names in the page', async () => {
    const page = await open('/demos');
    await page.getByTestId('names-generate').click();
    const demo = page.getByTestId('names-demo');
    await expect.poll(() => demo.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toMatch(/done|error/);
    expect(await demo.getAttribute('data-status'), await demo.innerText()).toBe('done');
    const names = (await page.getByTestId('names-output').innerText()).split(', ');
    expect(names).toHaveLength(8);
    expect(names.every((name) => /^[A-Za-z][A-Za-z'-]*$/.test(name))).toBe(true);
    console.log(`names: ${names.join(', ')}`);
    await page.close();
  });

  it('no page logged a console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
