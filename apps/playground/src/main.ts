// The page: tabs (one screen per model family), the backend picker and the responsiveness
// readout. Screens load lazily; all tensor work happens in the worker.
import { h } from './dom';
import type { ScreenContext } from './panel';
import { PICKER_BACKENDS, SCREENS, type BackendStatus, type ScreenName } from './protocol';
import { WorkerClient } from './worker-client';
import './style.css';

type Mounted = { element: HTMLElement; dispose(): void };
const screens: Record<ScreenName, { label: string; load: () => Promise<{ mount(context: ScreenContext): Mounted }> }> = {
  digits: { label: 'Digits', load: () => import('./screens/digits') },
  gpt: { label: 'Names GPT', load: () => import('./screens/gpt') },
  vae: { label: 'VAE', load: () => import('./screens/vae') },
  dcgan: { label: 'DCGAN', load: () => import('./screens/dcgan') },
  seq2seq: { label: 'Seq2seq reverse', load: () => import('./screens/seq2seq') },
  regression: { label: 'Regression', load: () => import('./screens/regression') },
  classifier: { label: 'Image classifier', load: () => import('./screens/classifier') },
};

const client = new WorkerClient();
const context: ScreenContext = { client, baseUrl: new URL('./', location.href).href };
const root = document.getElementById('screen')!;
const tabs = document.getElementById('tabs')!;
const picker = document.getElementById('backend') as HTMLSelectElement;
const backendStatus = document.getElementById('backend-status')!;
let mounted: Mounted | undefined;
let current: ScreenName | undefined;

const currentScreen = (): ScreenName => {
  const name = location.hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as ScreenName) : 'digits';
};

async function show(name: ScreenName): Promise<void> {
  current = name;
  for (const link of tabs.querySelectorAll('a')) link.classList.toggle('active', link.dataset.screen === name);
  const module = await screens[name].load();
  if (current !== name) return;
  mounted?.dispose();
  mounted = module.mount(context);
  root.replaceChildren(mounted.element);
}

for (const name of SCREENS) tabs.append(h('a', { href: `#/${name}`, 'data-screen': name, 'data-testid': `tab-${name}` }, screens[name].label));
window.addEventListener('hashchange', () => void show(currentScreen()));

/** Fills the picker: every backend, disabled with the reason when it cannot run here. */
async function setUpBackends(): Promise<void> {
  const statuses = await client.call<BackendStatus[]>({ type: 'backends' });
  for (const name of PICKER_BACKENDS) {
    const status = statuses.find((entry) => entry.name === name)!;
    const label = status.available ? (status.reason ? `${name} (${status.reason})` : name) : `${name} — unavailable: ${status.reason}`;
    picker.append(h('option', { value: name, disabled: !status.available, title: status.reason ?? '' }, label));
  }
  picker.dataset.available = statuses.filter((status) => status.available).map((status) => status.name).join(',');
  const active = await client.call<string>({ type: 'setBackend', name: 'auto' });
  backendStatus.textContent = `running on ${active}`;
  backendStatus.dataset.backend = active;
}

picker.addEventListener('change', async () => {
  backendStatus.textContent = `switching to ${picker.value}...`;
  try {
    client.restart(); // a fresh engine for the new backend (see WorkerClient.restart)
    const active = await client.call<string>({ type: 'setBackend', name: picker.value as BackendStatus['name'] | 'auto' });
    backendStatus.textContent = `running on ${active}`;
    backendStatus.dataset.backend = active;
    await show(currentScreen()); // reopen the screen's model on the new backend
  } catch (error) {
    backendStatus.textContent = `could not switch: ${(error as Error).message}`;
  }
});

/**
 * Responsiveness readout: the worst frame interval over the last second (requestAnimationFrame)
 * and, for the ping button, the delay from the browser's input event to its handler.
 */
function setUpResponsiveness(): void {
  const readout = document.getElementById('responsiveness')!;
  let previous = performance.now();
  let worst = 0;
  let windowStart = previous;
  let ping = '';
  const frame = (now: number) => {
    worst = Math.max(worst, now - previous);
    previous = now;
    if (now - windowStart >= 1000) {
      readout.textContent = `worst frame ${worst.toFixed(0)} ms in the last second${ping}`;
      readout.dataset.worstFrame = worst.toFixed(1);
      worst = 0;
      windowStart = now;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  document.getElementById('ping')!.addEventListener('click', (event) => {
    const latency = performance.now() - event.timeStamp;
    ping = ` · click answered in ${latency.toFixed(1)} ms`;
    readout.dataset.clickLatency = latency.toFixed(2);
    readout.textContent = readout.textContent!.replace(/ · click.*$/, '') + ping;
  });
}

setUpResponsiveness();
await setUpBackends().catch((error: Error) => {
  backendStatus.textContent = `backend error: ${error.message}`;
});
await show(currentScreen());
