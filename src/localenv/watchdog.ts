// Watchdog for a non-detached control plane, run as its own process (`node watchdog.ts`).
// Its parent writes "<pid> <binary>" lines to our stdin as it starts components and holds the pipe
// open; when the pipe closes, however the parent ended (stop(), crash, SIGTERM, even SIGKILL), we
// stop whatever is still running. An 'exit' hook in the parent would miss signals and SIGKILL.
import { createInterface } from 'node:readline';
import { isRunning, stopProcess } from './process.ts';

const watched: { pid: number; bin: string }[] = [];
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const space = line.indexOf(' ');
  const pid = Number(line.slice(0, space));
  if (space > 0 && Number.isInteger(pid)) watched.push({ pid, bin: line.slice(space + 1) });
});
lines.on('close', () => {
  const alive = watched.filter(isRunning).reverse();
  void (async (): Promise<void> => {
    for (const p of alive) await stopProcess(p, 5_000).catch(() => undefined);
  })();
});
