// Checkpoints kept in the browser: one IndexedDB object store, key = screen name, value = bytes.
const DATABASE = 'tensorzoo-playground';
const STORE = 'checkpoints';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transaction<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = run(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    database.close();
  }
}

/** Stores checkpoint bytes under `key`. */
export async function saveToBrowser(key: string, bytes: Uint8Array): Promise<void> {
  await transaction('readwrite', (store) => store.put(bytes, key));
}

/** The bytes stored under `key`, or `undefined`. */
export function loadFromBrowser(key: string): Promise<Uint8Array | undefined> {
  return transaction('readonly', (store) => store.get(key) as IDBRequest<Uint8Array | undefined>);
}

/** Offers `bytes` as a file download. */
export function download(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
