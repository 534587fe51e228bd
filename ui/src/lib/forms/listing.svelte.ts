// The add/edit product form's state. It outlives a failed save: on an error
// every field keeps what the seller typed, and the error names the field.
import type { Api } from "../api/contract";
import { asAppError } from "../errors";
import { fenToYuanText } from "../format";
import { isComplete } from "../keypad/keypad";
import { inUnit } from "../labels";
import type { Listing, ListingChanges, ListingInput } from "../types";
import { WEIGHT_UNITS, WHOLE_UNITS } from "../types";

/** Kilograms as typed for a weight per unit: "0.75", "2", up to grams. */
const KG = /^\d+(\.\d{1,3})?$/;

export class ListingDraft {
  title = $state("");
  category = $state("yak-meat");
  unit = $state("kg");
  price = $state("");
  /** Stock at the start, for a new listing only (required); later changes are adjustments. */
  stock = $state("");
  description = $state("");
  lotId = $state<string | null>(null);
  status = $state("listed");
  /** What one unit weighs, in kg as typed, for a product not sold by weight; "" when unknown. */
  weight = $state("");
  /** True while a text field holds characters that cannot be normalised. */
  titleInvalid = $state(false);
  descriptionInvalid = $state(false);
  error = $state<unknown>(null);
  saving = $state(false);
  /** A new product's photo, taken or chosen in the form; added once the product is saved. */
  photo = $state<Blob | null>(null);
  /** The photo could not be added after the product was saved (the product stays). */
  photoError = $state<unknown>(null);
  /** The name the category filled in, while the seller has not typed another. */
  private suggested = "";

  constructor(readonly editing: Listing | null = null) {
    if (editing) {
      this.title = editing.title;
      this.category = editing.category;
      this.unit = editing.unit;
      this.price = fenToYuanText(editing.price_fen);
      this.description = editing.description ?? "";
      this.lotId = editing.lot_id;
      this.status = editing.status;
      this.weight = editing.weight_per_unit_g === null ? "" : inUnit(editing.weight_per_unit_g, "kg");
    }
  }

  /**
   * Chooses the category of a new product and names it after the category,
   * in the seller's language, unless the seller already typed a name of
   * their own: "Honey" is a good start, and stays editable.
   */
  chooseCategory(category: string, nameOf: (category: string) => string): void {
    this.category = category;
    if (this.editing !== null) return;
    if (this.title.trim() === "" || this.title === this.suggested) {
      this.suggested = nameOf(category);
      this.title = this.suggested;
    }
  }

  /** The field the last error was about, so the form can mark it. */
  get errorField(): string | null {
    return this.error === null ? null : (asAppError(this.error).field ?? null);
  }

  /** A product counted or measured by volume needs a weight per unit for the buyer's truck. */
  get needsWeight(): boolean {
    return !WEIGHT_UNITS.includes(this.unit);
  }

  get weightValid(): boolean {
    return this.weight.trim() === "" || KG.test(this.weight.trim());
  }

  get stockMode(): "integer" | "quantity" {
    return WHOLE_UNITS.includes(this.unit) ? "integer" : "quantity";
  }

  get canSave(): boolean {
    return (
      !this.saving &&
      this.title.trim() !== "" &&
      isComplete(this.price) &&
      !this.titleInvalid &&
      !this.descriptionInvalid &&
      (!this.needsWeight || this.weightValid) &&
      (this.editing !== null || isComplete(this.stock))
    );
  }

  input(): ListingInput {
    const description = this.description.trim();
    return {
      title: this.title.trim(),
      category: this.category,
      unit: this.unit,
      price: this.price,
      stock: this.stock,
      description: description === "" ? null : description,
      lot_id: this.lotId,
      status: this.status,
    };
  }

  /** What changed, for an edit (category and unit are fixed once a listing exists). */
  changes(): ListingChanges {
    const description = this.description.trim();
    return {
      title: this.title.trim(),
      price: this.price,
      status: this.status,
      // "" clears a description the seller deleted; null leaves it alone.
      description: description === "" && (this.editing?.description ?? null) === null ? null : description,
      lot_id: this.lotId,
    };
  }

  /** Saves; returns the listing, or null with `error` set and every field as it was. */
  async save(api: Api): Promise<Listing | null> {
    if (this.saving) return null;
    this.saving = true;
    this.error = null;
    try {
      const saved = this.editing
        ? await api.editListing(this.editing.id, this.changes())
        : await api.createListing(this.input());
      const weight = this.weight.trim();
      const before = this.editing?.weight_per_unit_g ?? null;
      const typed = weight === "" ? null : weight;
      if (this.needsWeight && typed !== (before === null ? null : inUnit(before, "kg"))) {
        // Saved apart from the listing (its own operation); the product is
        // saved either way, and its page shows the weight it holds.
        try {
          await api.weighListing(saved.id, typed);
        } catch (e) {
          this.photoError = e;
        }
      }
      if (this.photo !== null && this.editing === null) {
        // The product is saved either way; a refused photo is said on its page.
        try {
          await api.addPhoto({ kind: "listing", id: saved.id }, this.photo, false);
        } catch (e) {
          this.photoError = e;
        }
      }
      return saved;
    } catch (e) {
      this.error = e;
      return null;
    } finally {
      this.saving = false;
    }
  }
}
