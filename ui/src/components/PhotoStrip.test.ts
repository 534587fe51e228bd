import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { Photo, PhotoOf } from "../lib/types";
import { apiContext, fakeApi } from "../test/fake-api";
import PhotoStrip from "./PhotoStrip.svelte";

function photo(id: string, over: Partial<Photo> = {}): Photo {
  const file = (sha: string, side: number) => ({ sha256: sha, bytes: 20_000, width: side, height: (side * 3) / 4, here: true, on_hub: false, path: `/data/photos/${sha}.jpg` });
  return {
    id,
    subject_kind: "listing",
    subject_id: "L1",
    display: file(`d${id}`, 1600),
    thumbnail: file(`t${id}`, 320),
    waiting_to_upload: false,
    refused: false,
    latitude: null,
    longitude: null,
    ...over,
  };
}

/** An api holding `photos`, whose addPhoto appends one as the engine does. */
function photoApi(photos: Photo[], addPhoto = vi.fn(async () => {
  const p = photo(`P${photos.length + 1}`, { waiting_to_upload: true });
  photos.push(p);
  return p;
})) {
  return fakeApi({
    photosOf: vi.fn(async () => [...photos]),
    addPhoto,
    removePhoto: vi.fn(async (id: string) => {
      photos.splice(photos.findIndex((p) => p.id === id), 1);
    }),
    photoUrl: (sha) => `photo://localhost/${sha}.jpg`,
    syncStatus: vi.fn().mockRejectedValue(new Error("not needed")),
    listOrders: vi.fn().mockResolvedValue([]),
  });
}

function show(api: ReturnType<typeof fakeApi>, of: PhotoOf = { kind: "listing", id: "L1" }) {
  setLang("en");
  return render(PhotoStrip, { props: { app: new AppState(api), of }, context: apiContext(api) });
}

function choose(file: File): void {
  void fireEvent.change(screen.getByTestId("photo-input"), { target: { files: [file] } });
}

const jpeg = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], "IMG_0001.jpg", { type: "image/jpeg" });

describe("PhotoStrip", () => {
  it("shows thumbnails lazily, with a badge on those waiting to be sent", async () => {
    const api = photoApi([photo("P1"), photo("P2", { waiting_to_upload: true }), photo("P3", { thumbnail: { ...photo("P3").thumbnail, here: false, path: null } })]);
    show(api);
    await vi.waitFor(() => expect(screen.getAllByTestId("photo")).toHaveLength(3));
    const imgs = screen.getAllByTestId("photo-thumbnail");
    expect(imgs.map((i) => i.getAttribute("src"))).toEqual(["photo://localhost/tP1.jpg", "photo://localhost/tP2.jpg"]);
    expect(imgs[0]?.getAttribute("loading")).toBe("lazy");
    expect(screen.getAllByTestId("photo-waiting")).toHaveLength(1);
    expect(screen.getAllByTestId("photo")[1]?.dataset["waiting"]).toBe("true");
    expect(screen.getByText("Not on this tablet yet")).toBeTruthy();
    expect(api.photosOf).toHaveBeenCalledWith({ kind: "listing", id: "L1" });
    expect(screen.queryByTestId("photo-keep-location")).toBeNull();
  });

  it("adds a chosen photo, which then waits to be sent", async () => {
    const api = photoApi([]);
    show(api);
    await vi.waitFor(() => expect(api.photosOf).toHaveBeenCalled());
    const input = screen.getByTestId("photo-input");
    expect(input.getAttribute("accept")).toBe("image/*");
    // On desktop one button opens the file dialog.
    expect(input.hasAttribute("capture")).toBe(false);
    expect(screen.queryByTestId("photo-take")).toBeNull();
    expect(screen.getByTestId("photo-add").textContent).toContain("Add a photo");
    const file = jpeg();
    choose(file);
    await vi.waitFor(() => expect(screen.getAllByTestId("photo-waiting")).toHaveLength(1));
    expect(api.addPhoto).toHaveBeenCalledWith({ kind: "listing", id: "L1" }, file, false);
    expect(screen.queryByTestId("photo-error")).toBeNull();
  });

  it("offers the camera and the gallery on Android", async () => {
    const ua = vi.spyOn(navigator, "userAgent", "get").mockReturnValue("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 wv");
    try {
      const api = photoApi([]);
      show(api);
      expect(screen.getByTestId("photo-camera-input").getAttribute("capture")).toBe("environment");
      expect(screen.getByTestId("photo-take").textContent).toContain("Take a photo");
      expect(screen.getByTestId("photo-input").hasAttribute("capture")).toBe(false);
      expect(screen.getByTestId("photo-add").textContent).toContain("Choose a photo");
      const file = jpeg();
      void fireEvent.change(screen.getByTestId("photo-camera-input"), { target: { files: [file] } });
      await vi.waitFor(() => expect(api.addPhoto).toHaveBeenCalledWith({ kind: "listing", id: "L1" }, file, false));
    } finally {
      ua.mockRestore();
    }
  });

  it("keeps where a lot's photo was taken only when ticked", async () => {
    const api = photoApi([]);
    show(api, { kind: "lot", id: "LOT1" });
    await vi.waitFor(() => expect(api.photosOf).toHaveBeenCalled());
    const keep = screen.getByTestId("photo-keep-location") as HTMLInputElement;
    expect(keep.checked).toBe(false);
    choose(jpeg());
    await vi.waitFor(() => expect(api.addPhoto).toHaveBeenCalledTimes(1));
    expect(api.addPhoto).toHaveBeenLastCalledWith({ kind: "lot", id: "LOT1" }, expect.any(File), false);
    await fireEvent.click(keep);
    choose(jpeg());
    await vi.waitFor(() => expect(api.addPhoto).toHaveBeenCalledTimes(2));
    expect(api.addPhoto).toHaveBeenLastCalledWith({ kind: "lot", id: "LOT1" }, expect.any(File), true);
  });

  it("says in the seller's language why a photo was refused", async () => {
    const api = photoApi([], vi.fn().mockRejectedValue(new CommandError({ code: "unsupported_image_format", field: "photo", params: { format: "HEIC" } })));
    show(api);
    await vi.waitFor(() => expect(api.photosOf).toHaveBeenCalled());
    choose(jpeg());
    await vi.waitFor(() => expect(screen.getByTestId("photo-error")).toBeTruthy());
    expect(screen.getByTestId("photo-error").textContent).toContain("Highland cannot open this kind of picture.");
    expect(screen.queryAllByTestId("photo")).toHaveLength(0);
  });

  it("does not send a file larger than the engine takes", async () => {
    const api = photoApi([]);
    show(api);
    const big = jpeg();
    Object.defineProperty(big, "size", { value: 30 * 1024 * 1024 });
    choose(big);
    await vi.waitFor(() => expect(screen.getByTestId("photo-error").textContent).toContain("This photo file is too large."));
    expect(api.addPhoto).not.toHaveBeenCalled();
  });

  it("removes a photo after a second tap", async () => {
    const api = photoApi([photo("P1"), photo("P2")]);
    show(api);
    await vi.waitFor(() => expect(screen.getAllByTestId("photo")).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId("photo-remove")[0] as HTMLElement);
    expect(api.removePhoto).not.toHaveBeenCalled();
    expect(screen.getByTestId("photo-remove-ask").textContent).toContain("Remove this photo?");
    await fireEvent.click(screen.getByTestId("photo-remove-confirm"));
    expect(api.removePhoto).toHaveBeenCalledWith("P1");
    await vi.waitFor(() => expect(screen.getAllByTestId("photo")).toHaveLength(1));
    expect(screen.queryByTestId("photo-remove-ask")).toBeNull();
  });
});
