import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState } from "../lib/app.svelte";
import { CommandError } from "../lib/errors";
import { setLang } from "../lib/i18n/i18n.svelte";
import type { Listing } from "../lib/types";
import { apiContext, certificateApi, fakeCertificate } from "../test/fake-api";
import CertificateForm from "./CertificateForm.svelte";

const YAK: Listing = {
  id: "L1", title: "Yak meat", category: "yak-meat", unit: "kg", price_fen: 6850, status: "listed", description: null,
  lot_id: "LOT1", stock: 12500, stock_unit: "g", stock_display: "12.5", sold: 0, sales_count: 0, reserved: 0, low_stock: false, weight_per_unit_g: null,
};

describe("CertificateForm", () => {
  it("explains the defaults, issues with the basis chosen and shows where the slip is", async () => {
    setLang("en");
    const api = certificateApi({ listings: [YAK], certificates: [fakeCertificate({ id: "C0", issued_on: "2026-09-01", quantity_display: "3" })] });
    render(CertificateForm, { props: { app: new AppState(api), lotId: "LOT1" }, context: apiContext(api) });

    expect(await screen.findAllByTestId("cert-item")).toHaveLength(1);
    expect(screen.getByTestId("cert-quantity-default").textContent).toContain("If empty: all of Yak meat you have, 12.5 kg");
    expect(screen.getByTestId("basis-own_word").getAttribute("aria-checked")).toBe("true");
    expect(screen.getByTestId("basis-lab_test").textContent).toContain("委托检测");
    expect(screen.getByTestId("basis-lab_test").textContent).toContain("Tested by a laboratory");

    await fireEvent.click(screen.getByTestId("basis-self_test"));
    await fireEvent.click(screen.getByTestId("cert-unit-jin"));
    for (const k of ["2", "0"]) await fireEvent.click(screen.getByTestId(`cert-quantity-${k}`));
    await fireEvent.click(screen.getByTestId("cert-issue"));

    expect(api.issueCertificate).toHaveBeenCalledWith("LOT1", {
      quantity: "20",
      unit: "jin",
      product: null,
      issuer: null,
      contact: null,
      basis: "self_test",
    });
    expect((await screen.findByTestId("cert-file")).textContent).toBe("/home/dolma/Documents/Highland/承诺达标合格证-2026-09-14-c1.pdf");
    expect(await screen.findAllByTestId("cert-item")).toHaveLength(2);
  });

  it("keeps what was typed and says what is missing in the seller's language when refused", async () => {
    setLang("zh-Hans");
    const issue = vi.fn().mockRejectedValue(new CommandError({ code: "needs_product", field: "product" }));
    const api = certificateApi({ issue });
    render(CertificateForm, { props: { app: new AppState(api), lotId: "LOT1" }, context: apiContext(api) });

    expect(await screen.findByText("这批收获还没有开过合格证。")).toBeTruthy();
    expect(screen.getByTestId("cert-quantity-default").textContent).toContain("请填写这一项");
    await fireEvent.input(screen.getByTestId("cert-contact"), { target: { value: "139 0000 0000" } });
    await fireEvent.click(screen.getByTestId("basis-lab_test"));
    for (const k of ["5"]) await fireEvent.click(screen.getByTestId(`cert-quantity-${k}`));
    await fireEvent.click(screen.getByTestId("cert-issue"));

    expect((await screen.findByTestId("cert-error")).textContent).toContain("高原集市不知道是哪种产品。请填写产品名称。");
    expect(issue).toHaveBeenCalledWith("LOT1", expect.objectContaining({ quantity: "5", unit: "kg", contact: "139 0000 0000", basis: "lab_test" }));
    expect((screen.getByTestId("cert-contact") as HTMLInputElement).value).toBe("139 0000 0000");
    expect(screen.getByTestId("cert-quantity-display").textContent).toContain("5");
    expect(screen.getByTestId("basis-lab_test").getAttribute("aria-checked")).toBe("true");
    expect(screen.queryByTestId("cert-issued")).toBeNull();
  });

  it("says wild-gathered produce is outside the 2026 rule, and still lets the seller issue one", async () => {
    setLang("en");
    const matsutake = { ...YAK, id: "L2", title: "Matsutake", category: "matsutake" };
    const choices = { categories: [], units: [], payments: [], listing_statuses: [], adjustment_kinds: [], certificate_bases: [], wild_categories: ["matsutake", "other-mushrooms", "cordyceps"] };
    const app = (listing: Listing): AppState => {
      const a = new AppState(certificateApi({ listings: [listing] }));
      a.info = { version: "0.1.0", device_id: "d1", profile: "real", settings: { language: "en", data_saver: false, profile: "real", practice_network: null, practice_network_set_at: null, low_stock_at: 3, large_text: false }, enrollment: null, choices };
      return a;
    };
    const api = certificateApi({ listings: [matsutake] });
    const { unmount } = render(CertificateForm, { props: { app: app(matsutake), lotId: "LOT1" }, context: apiContext(api) });
    expect((await screen.findByTestId("cert-wild")).textContent).toContain("outside the 2026 certificate rule");
    expect(screen.getByTestId("cert-form")).toBeTruthy();
    unmount();

    const farmed = certificateApi({ listings: [YAK] });
    render(CertificateForm, { props: { app: app(YAK), lotId: "LOT1" }, context: apiContext(farmed) });
    await screen.findByTestId("cert-form");
    await vi.waitFor(() => expect(farmed.listListings).toHaveBeenCalled());
    expect(screen.queryByTestId("cert-wild")).toBeNull();
  });
});
