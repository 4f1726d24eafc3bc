/**
 * Whether a process id names a running process (signal 0 checks without sending anything; EPERM
 * means it runs under another user). Imports nothing: main.ts's early modules use it.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
