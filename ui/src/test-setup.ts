import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";

// Unmount what each test rendered (automatic only with vitest globals).
afterEach(() => cleanup());

// jsdom lays nothing out, so it has no ResizeObserver; Svelte's
// bind:clientHeight needs one. Nothing is ever resized here.
if (!("ResizeObserver" in globalThis)) {
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
