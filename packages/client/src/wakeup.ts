/**
 * Where a poll() waits for background fetches: `wait(ms)` resolves after `ms` or at the next
 * `notify()`, whichever comes first. Waiters are removed when they resolve, so the list holds only
 * the polls waiting now (at most one per concurrent poll call).
 */
export class Wakeup {
  private waiters: (() => void)[] = [];

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
