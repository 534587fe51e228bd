import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { CommandError } from "../lib/errors";
import { Router } from "../lib/router.svelte";
import type { Order, Round } from "../lib/types";
import { apiContext, fakeApi, fakeRound } from "../test/fake-api";
import Orders from "./Orders.svelte";

function order(id: string, overrides: Partial<Order> = {}): Order {
  return {
    id,
    listing_id: "L1",
    listing_title: "yak meat",
    quantity: 12000,
    quantity_unit: "g",
    unit: "kg",
    quantity_display: "12",
    unit_price_fen: 6000,
    total_fen: 72000,
    hand_over_by: null,
    note: null,
    placed_at: "2026-10-10T08:00:00Z",
    state: "accepted",
    confirmed_state: "accepted",
    pending_action: null,
    refusal: null,
    reason: null,
    received_quantity: null,
    received_display: null,
    paid_fen: null,
    paid_method: null,
    sale_id: null,
    round_id: "R1",
    stop_id: "S2",
    loaded_quantity: null,
    loaded_display: null,
    loaded_weight_g: null,
    ...overrides,
  };
}

function round(overrides: Partial<Round> = {}): Round {
  return fakeRound({
    orders: [
      {
        order_id: "O1",
        listing_id: "L1",
        listing_title: "yak meat",
        quantity: 12000,
        unit: "kg",
        quantity_display: "12",
        weight_g: 12000,
        state: "accepted",
        stop_id: "S2",
        loaded_display: null,
        loaded_weight_g: null,
      },
    ],
    ...overrides,
  });
}

function show(api: ReturnType<typeof fakeApi>): Router {
  const router = new Router();
  router.reset({ name: "orders" });
  render(Orders, { props: { app: new AppState(api), router }, context: apiContext(api) });
  return router;
}

describe("Orders by round", () => {
  it("says when the truck comes, what to bring, and lists the orders not on a truck apart", async () => {
    setLang("en");
    const api = fakeApi({
      listOrders: vi.fn().mockResolvedValue([order("O1"), order("O2", { round_id: null, stop_id: null, listing_title: "honey" })]),
      listRounds: vi.fn().mockResolvedValue([round()]),
    });
    const router = show(api);
    expect((await screen.findByTestId("round-comes")).textContent).toBe(
      "The truck comes to Yubeng on Thursday, Oct 15, 2026 at about 10:30.",
    );
    expect(screen.getByTestId("round-bring").textContent).toBe("Bring 12 kg of yak meat.");
    // The order on the truck is under the truck; only the other one is in the list.
    const list = await screen.findByTestId("order-list");
    expect(list.textContent).toContain("honey");
    expect(list.textContent).not.toContain("yak meat");
    await fireEvent.click(screen.getByTestId("round-order"));
    expect(router.current).toEqual({ name: "order", id: "O1" });
  });

  it("sends 'I cannot come' with the reason chosen, and keeps it when refused", async () => {
    setLang("zh-Hans");
    const answerRound = vi
      .fn()
      .mockRejectedValueOnce(new CommandError({ code: "round_closed" }))
      .mockResolvedValue([round({ answer: "not-coming", answer_reason: "路断了", answer_pending: true })]);
    const api = fakeApi({
      listOrders: vi.fn().mockResolvedValue([order("O1")]),
      listRounds: vi.fn().mockResolvedValue([round()]),
      answerRound,
    });
    show(api);
    await fireEvent.click(await screen.findByTestId("round-not-coming"));
    const send = screen.getByTestId("round-send-not-coming") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    await fireEvent.click(screen.getByText("路断了"));
    await fireEvent.click(send);
    await waitFor(() => expect(answerRound).toHaveBeenCalledWith("R1", false, "路断了"));
    expect((await screen.findByTestId("round-error")).textContent).toContain("收货车已经出发");
    // The reason stays to send again.
    await fireEvent.click(screen.getByTestId("round-send-not-coming"));
    await waitFor(() => expect(answerRound).toHaveBeenCalledTimes(2));
  });

  it("shows the answer waiting for the hub, the hub's refusal, and no buttons once the truck has left", async () => {
    setLang("bo");
    const api = fakeApi({
      listOrders: vi.fn().mockResolvedValue([order("O1")]),
      listRounds: vi.fn().mockResolvedValue([
        round({
          state: "on-the-road",
          answer: "coming",
          answer_pending: false,
          refusal: { action: "answer", code: "round_closed", message: "The round is on the road." },
        }),
      ]),
    });
    show(api);
    expect((await screen.findByTestId("round-answer")).textContent).toContain("ཁྱེད་ཀྱིས་ཡོང་གི་ཡིན་ཞེས་ལན་བཏབ།");
    expect(screen.getByTestId("round-refusal").textContent).toContain("སྣུམ་འཁོར་ཐོན་ཟིན");
    expect(screen.getByTestId("round-state").textContent).toBe("སྣུམ་འཁོར་ཐོན་སོང་།");
    expect(screen.queryByTestId("round-coming")).toBeNull();
    expect(screen.getByTestId("round-comes").textContent).toContain("གཟའ་ཕུར་བུ།");
  });
});
