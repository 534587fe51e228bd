import { getContext, setContext } from "svelte";
import type { Api } from "./contract";

/** Exported for tests, which pass the api in `render(..., { context })`. */
export const API_CONTEXT = Symbol("highland-api");

/** Makes `api` available to every component below the caller (App, or a test's wrapper). */
export function provideApi(api: Api): void {
  setContext(API_CONTEXT, api);
}

export function useApi(): Api {
  const api = getContext<Api | undefined>(API_CONTEXT);
  if (!api) throw new Error("useApi() outside provideApi()");
  return api;
}
