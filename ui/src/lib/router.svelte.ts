// Which screen shows. A small stack, not a URL router: the app has no
// addresses to share, and the Android back button only needs "go back".

export type Route =
  | { name: "first-run" }
  | { name: "products" }
  | { name: "product"; id: string }
  | { name: "product-new" }
  | { name: "product-edit"; id: string }
  | { name: "adjust"; id: string }
  | { name: "sell"; listingId?: string }
  | { name: "orders" }
  | { name: "order"; id: string }
  | { name: "lots" }
  | { name: "lot-new" }
  | { name: "certificate"; lotId: string }
  | { name: "settings" }
  | { name: "lesson" };

export type TabName = "products" | "sell" | "orders" | "lots" | "settings";

export class Router {
  stack = $state<Route[]>([{ name: "products" }]);

  get current(): Route {
    return this.stack[this.stack.length - 1] ?? { name: "products" };
  }

  /** The tab the current screen belongs to, for the navigation bar. */
  get tab(): TabName {
    const n = this.current.name;
    if (n === "sell") return "sell";
    if (n === "orders" || n === "order") return "orders";
    if (n === "lots" || n === "lot-new" || n === "certificate") return "lots";
    if (n === "settings") return "settings";
    return "products";
  }

  /** Opens a screen on top of the current one. */
  push(route: Route): void {
    this.stack = [...this.stack, route];
  }

  /** Switches to a tab, forgetting the screens opened inside the previous one. */
  reset(route: Route): void {
    this.stack = [route];
  }

  /** Replaces the current screen (after saving a form, the form is not "back"). */
  replace(route: Route): void {
    this.stack = [...this.stack.slice(0, -1), route];
  }

  get canGoBack(): boolean {
    return this.stack.length > 1;
  }

  back(): void {
    if (this.stack.length > 1) this.stack = this.stack.slice(0, -1);
  }
}
