import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";

// Unmount what each test rendered (automatic only with vitest globals).
afterEach(() => cleanup());
