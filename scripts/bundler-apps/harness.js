// Reports an app's result: on `window.__result` in a browser, on stdout and the exit code in Node.
/** The backend the app selects: `globalThis.__BACKEND__` (set by the app's first module) or cpu. */
export const backend = () => globalThis.__BACKEND__ ?? 'cpu';
export const OPTIONS = { allowFallbackAdapter: true };

export function report(run) {
  const done = (result) => {
    if (typeof window !== 'undefined') window.__result = result;
    else {
      console.log(JSON.stringify(result));
      if (!result.ok) process.exitCode = 1;
    }
  };
  run().then((detail) => done({ ok: true, detail }), (error) => done({ ok: false, detail: String(error?.stack ?? error) }));
}
