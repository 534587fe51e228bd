// Every error the app can meet becomes a sentence in the seller's language that
// says what to do next. Raw messages from Rust or the network are never shown;
// an unknown code gets the general message plus the code, for the trainer.
import { CATALOGS, translate, type Lang, type MessageKey } from "./i18n/messages";

/** The error the Rust commands return: a stable code, maybe the field it is about, and details. */
export interface AppError {
  code: string;
  field?: string | null;
  params?: Record<string, unknown> | null;
}

/** Thrown by the api adapter when a command returns an error, so screens can `catch` it. */
export class CommandError extends Error implements AppError {
  readonly code: string;
  readonly field: string | null;
  readonly params: Record<string, unknown> | null;

  constructor(e: AppError) {
    super(e.code);
    this.name = "CommandError";
    this.code = e.code;
    this.field = e.field ?? null;
    this.params = e.params ?? null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/**
 * Reads anything thrown (a CommandError, an AppError object from IPC, an
 * exception from a plugin or the WebView) as an AppError. Anything that is
 * not ours is "internal": its text may be a Rust or JavaScript message, which
 * the seller must never see.
 */
export function asAppError(thrown: unknown): AppError {
  if (thrown instanceof CommandError) return thrown;
  if (isRecord(thrown) && typeof thrown["code"] === "string" && !(thrown instanceof Error)) {
    const field = thrown["field"];
    const params = thrown["params"];
    return {
      code: thrown["code"],
      field: typeof field === "string" ? field : null,
      params: isRecord(params) ? params : null,
    };
  }
  if (thrown instanceof TypeError && /fetch|network/i.test(thrown.message)) return { code: "offline" };
  return { code: "internal" };
}

/** Field names the engine reports, to the label the seller saw on the form. */
const FIELD_LABELS: Record<string, MessageKey> = {
  title: "form.name",
  name: "form.name",
  description: "form.description",
  price: "form.price",
  unit: "form.unit",
  category: "form.category",
  stock: "form.stock",
  quantity: "sell.how_much",
  change: "adjust.amount",
  village: "lots.village",
  altitude: "lots.altitude",
  altitude_m: "lots.altitude",
  harvested_on: "lots.harvested_on",
  environment: "lots.environment",
  hub_url: "first.hub_url",
  code: "first.code",
  reason: "orders.decline_reason",
  payment: "sell.payment",
  product: "cert.product",
  issuer: "cert.issuer",
  contact: "cert.contact",
  basis: "cert.basis",
};

export function hasMessage(code: string, lang: Lang = "en"): boolean {
  return `error.${code}` in CATALOGS[lang];
}

export interface ShownError {
  /** What to tell the seller, with what to do next. */
  message: string;
  /** The form field to mark, if the error is about one. */
  field: string | null;
  /** For codes without their own message: the code, to read out to a trainer. */
  detail: string | null;
}

/** The sentence to show for an error. */
export function describeError(thrown: unknown, lang: Lang): ShownError {
  const e = asAppError(thrown);
  const known = hasMessage(e.code, lang);
  const message = translate(lang, (known ? `error.${e.code}` : "error.unknown") as MessageKey);
  const field = e.field ?? null;
  return {
    message,
    field,
    detail: known ? null : translate(lang, "error.code_label", { code: e.code }),
  };
}

/** The label of a field, in `lang`, or null if the field has no label on screen. */
export function fieldLabel(field: string, lang: Lang, params: Record<string, string> = {}): string | null {
  const key = FIELD_LABELS[field];
  return key ? translate(lang, key, params) : null;
}

/** A hub's refusal of an order action, in the seller's words (the hub's English sentence is not shown). */
export function describeRefusal(code: string, lang: Lang): string {
  const message = translate(lang, (hasMessage(code, lang) ? `error.${code}` : "error.order_transition_refused") as MessageKey);
  return translate(lang, "orders.refused", { message });
}
