import { describe, expect, it } from "vitest";
import { normaliseHubUrl, parseEnrollmentQr } from "./enroll";

describe("parseEnrollmentQr", () => {
  it("reads the hub's link with its address and code", () => {
    expect(parseEnrollmentQr("highland://enroll?hub=https%3A%2F%2Fhub.example.cn%3A8443&code=K7QM-4XRP-Y")).toEqual({
      hubUrl: "https://hub.example.cn:8443",
      code: "K7QM-4XRP-Y",
    });
  });

  it("reads a bare code, in any case", () => {
    expect(parseEnrollmentQr(" k7qm-4xrp-y ")).toEqual({ hubUrl: null, code: "K7QM-4XRP-Y" });
  });

  it("refuses other QR codes", () => {
    expect(parseEnrollmentQr("https://example.com")).toBeNull();
    expect(parseEnrollmentQr("highland://enroll?hub=x")).toBeNull();
    expect(parseEnrollmentQr("HELLO")).toBeNull(); // L and O are never in codes
  });
});

describe("normaliseHubUrl", () => {
  it("trims, drops trailing slashes and leaves the scheme to the engine", () => {
    expect(normaliseHubUrl(" hub.example.cn/ ")).toBe("hub.example.cn");
    expect(normaliseHubUrl("192.168.1.10:7878")).toBe("192.168.1.10:7878");
    expect(normaliseHubUrl("http://192.168.1.10:8080")).toBe("http://192.168.1.10:8080");
    expect(normaliseHubUrl("")).toBe("");
  });
});
