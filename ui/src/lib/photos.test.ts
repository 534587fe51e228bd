import { describe, expect, it } from "vitest";
import { firstPhotos, kilobytes, readAsBase64 } from "./photos";
import type { Photo } from "./types";

describe("photos", () => {
  it("reads a file as the base64 add_photo takes", async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
    const text = await readAsBase64(new File([bytes], "a.jpg", { type: "image/jpeg" }));
    expect(text).toBe(Buffer.from(bytes).toString("base64"));
    expect(await readAsBase64(new Blob([]))).toBe("");
  });

  it("finds each listing's first photo", () => {
    const p = (id: string, kind: string, subject: string) => ({ id, subject_kind: kind, subject_id: subject }) as Photo;
    const first = firstPhotos([p("1", "lot", "A"), p("2", "listing", "A"), p("3", "listing", "A"), p("4", "listing", "B")]);
    expect([...first].map(([k, v]) => [k, v.id])).toEqual([["A", "2"], ["B", "4"]]);
  });

  it("rounds kilobytes up", () => {
    expect([kilobytes(0), kilobytes(1), kilobytes(1024), kilobytes(1025)]).toEqual([0, 1, 1, 2]);
  });
});
