import { setBackend } from '@tensorzoo/core';

await setBackend('cpu');
