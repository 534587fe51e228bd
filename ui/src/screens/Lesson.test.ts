import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { setLang } from "../lib/i18n/i18n.svelte";
import { Router } from "../lib/router.svelte";
import { LESSON_STEPS, type AppInfo, type Lesson, type LessonStep } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import LessonScreen from "./Lesson.svelte";

const ENROLLED: AppInfo = {
  version: "0.1.0",
  device_id: "d1",
  profile: "real",
  settings: { language: "en", data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false },
  enrollment: { hub_url: "http://192.168.4.1:7878", seller_id: "s1", seller_name: "Dolma", village: "Xidang" },
};

/** A lesson with the given steps done, at 10:00 UTC on the day of the workshop. */
function lesson(done: LessonStep[]): Lesson {
  const steps = LESSON_STEPS.map((step) => ({ step, done_at: done.includes(step) ? "2026-12-04T10:00:00Z" : null }));
  const current = steps.find((s) => s.done_at === null)?.step ?? null;
  return { started_at: "2026-12-04T09:00:00Z", steps, current, finished: current === null };
}

function setup(api: ReturnType<typeof fakeApi>, info: AppInfo = ENROLLED) {
  const app = new AppState(api);
  app.info = info;
  const router = new Router();
  render(LessonScreen, { props: { app, router }, context: apiContext(api) });
  return { app, router };
}

describe("Lesson", () => {
  it("starts the lesson and shows the six steps in order, the first one current", async () => {
    setLang("en");
    const startLesson = vi.fn().mockResolvedValue(lesson([]));
    const api = fakeApi({ lesson: vi.fn().mockResolvedValue(null), startLesson });
    setup(api);
    await fireEvent.click(await screen.findByTestId("lesson-start"));
    expect(startLesson).toHaveBeenCalledOnce();
    const items = (await screen.findByTestId("lesson-steps")).querySelectorAll("li");
    expect([...items].map((li) => li.dataset["testid"])).toEqual(LESSON_STEPS.map((s) => `lesson-step-${s}`));
    expect(items[0]?.getAttribute("aria-current")).toBe("step");
    expect(items[0]?.textContent).toContain("List a product");
    expect(screen.queryByTestId("lesson-needs-hub")).toBeNull();
  });

  it("ticks off done steps with their time, highlights the next, and reloads when the app changes", async () => {
    setLang("zh-Hans");
    const answers = [lesson(["list_product", "take_photo"]), lesson(["list_product", "take_photo", "sale_offline"])];
    const api = fakeApi({ lesson: vi.fn(async () => answers.shift() ?? null) });
    const { app } = setup(api);
    const offline = await screen.findByTestId("lesson-step-sale_offline");
    expect(screen.getByTestId("lesson-step-list_product").dataset["done"]).toBe("yes");
    expect(screen.getAllByTestId("lesson-done-at")[0]?.textContent).toMatch(/完成$/);
    expect(offline.getAttribute("aria-current")).toBe("step");
    expect(offline.textContent).toContain("没有信号时卖货");
    // A sale recorded (a write) moves the revision: the screen asks again.
    app.changed();
    await vi.waitFor(() => expect(screen.getByTestId("lesson-step-sale_offline").dataset["done"]).toBe("yes"));
    expect(screen.getByTestId("lesson-step-sync").getAttribute("aria-current")).toBe("step");
  });

  it("takes the trainee to the right screen for each step, and sends for the sync step", async () => {
    setLang("en");
    const syncNow = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({
      lesson: vi.fn().mockResolvedValue(lesson([])),
      listListings: vi.fn().mockResolvedValue([{ id: "L1" }, { id: "L2" }]),
      syncNow,
      syncStatus: vi.fn().mockResolvedValue({ profile: "real", enrolled: true, hub_url: null, syncing: false, pending_ops: 0, last_sync_at: null, last_error: null, refused: [] }),
    });
    const { router } = setup(api);
    await fireEvent.click(await screen.findByTestId("lesson-go-list_product"));
    expect(router.current).toEqual({ name: "product-new" });
    await fireEvent.click(screen.getByTestId("lesson-go-take_photo"));
    await vi.waitFor(() => expect(router.current).toEqual({ name: "product", id: "L2" }));
    await fireEvent.click(screen.getByTestId("lesson-go-sale_offline"));
    expect(router.current).toEqual({ name: "sell" });
    await fireEvent.click(screen.getByTestId("lesson-network-sale_offline"));
    expect(router.current).toEqual({ name: "settings" });
    await fireEvent.click(screen.getByTestId("lesson-go-accept_order"));
    expect(router.current).toEqual({ name: "orders" });
    await fireEvent.click(screen.getByTestId("lesson-go-print_label"));
    expect(router.current).toEqual({ name: "lots" });
    await fireEvent.click(screen.getByTestId("lesson-go-sync"));
    expect(syncNow).toHaveBeenCalledOnce();
  });

  it("says the lesson is finished, starts again, and ends", async () => {
    setLang("bo");
    const startLesson = vi.fn().mockResolvedValue(lesson([]));
    const endLesson = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({ lesson: vi.fn().mockResolvedValue(lesson([...LESSON_STEPS])), startLesson, endLesson });
    setup(api);
    expect((await screen.findByTestId("lesson-finished")).textContent).toBe("ཡག་པོ་བྱུང་། རིམ་པ་ཚང་མ་ལེགས་གྲུབ་བྱུང་།");
    await fireEvent.click(screen.getByTestId("lesson-restart"));
    await vi.waitFor(() => expect(screen.queryByTestId("lesson-finished")).toBeNull());
    expect(screen.getByTestId("lesson-step-list_product").dataset["done"]).toBe("no");
    await fireEvent.click(screen.getByTestId("lesson-end"));
    expect(endLesson).toHaveBeenCalledOnce();
    expect(await screen.findByTestId("lesson-start")).toBeTruthy();
  });

  it("asks a trainee in the demo to connect to the workshop hub first", async () => {
    setLang("en");
    const api = fakeApi({ lesson: vi.fn().mockResolvedValue(null) });
    setup(api, { ...ENROLLED, profile: "demo" });
    expect((await screen.findByTestId("lesson-needs-hub")).textContent).toContain("Connect to the workshop hub first");
  });
});
