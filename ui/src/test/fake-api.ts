// Test double for the Api contract: every method fails loudly unless a test gives it.
import { vi } from "vitest";
import type { Api } from "../lib/api/contract";
import { API_CONTEXT } from "../lib/api/context";

export function fakeApi(methods: Partial<Api> = {}): Api {
  return new Proxy(methods as Api, {
    get(target, prop: string) {
      const m = (target as unknown as Record<string, unknown>)[prop];
      if (m !== undefined) return m;
      return vi.fn().mockRejectedValue(new Error(`fakeApi: ${prop} not given`));
    },
  });
}

export function apiContext(api: Api): Map<symbol, Api> {
  return new Map([[API_CONTEXT, api]]);
}
