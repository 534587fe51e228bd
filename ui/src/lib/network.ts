// The workshop's practice network as the screens name it.
import type { MessageKey } from "./i18n/messages";
import type { SimulatedNetwork } from "./types";

/** The message naming each practice network. */
export const NETWORK_NAME: Record<SimulatedNetwork, MessageKey> = {
  offline: "network.offline",
  mountain_2g: "network.mountain_2g",
  "3g": "network.3g",
  good: "network.good",
};

/** Whether a hub at this address can be simulated: only plain http:// (see src-tauri/src/simulator.rs). */
export function canSimulate(hubUrl: string | null | undefined): boolean {
  return (hubUrl ?? "").trim().toLowerCase().startsWith("http://");
}
