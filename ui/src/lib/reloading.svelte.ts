// One command's answer as a screen shows it: fetched when the screen opens
// and again whenever `changed` reads something new (a screen passes
// `() => app.revision`, which a local write or a finished sync moves),
// keeping the last answer on screen while the next loads. `error` is the
// last failure, cleared by the next success.

export class Reloading<T> {
  value = $state<T | null>(null);
  error = $state<unknown>(null);
  readonly #fetch: () => Promise<T>;

  /** Call while a component initialises: the reloading lives as long as it. */
  constructor(changed: () => unknown, fetch: () => Promise<T>) {
    this.#fetch = fetch;
    $effect(() => {
      changed();
      void this.load();
    });
  }

  load = async (): Promise<void> => {
    try {
      this.value = await this.#fetch();
      this.error = null;
    } catch (e) {
      this.error = e;
    }
  };
}
