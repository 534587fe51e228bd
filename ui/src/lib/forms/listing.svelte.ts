// The add/edit product form's state. It outlives a failed save: on an error
// every field keeps what the seller typed, and the error names the field.
import type { Api } from "../api/contract";
import { asAppError } from "../errors";
import { fenToYuanText } from "../format";
import { isComplete } from "../keypad/keypad";
import type { Listing, ListingChanges, ListingInput } from "../types";
import { WHOLE_UNITS } from "../types";

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
  /** True while a text field holds characters that cannot be normalised. */
  titleInvalid = $state(false);
  descriptionInvalid = $state(false);
  error = $state<unknown>(null);
  saving = $state(false);

  constructor(readonly editing: Listing | null = null) {
    if (editing) {
      this.title = editing.title;
      this.category = editing.category;
      this.unit = editing.unit;
      this.price = fenToYuanText(editing.price_fen);
      this.description = editing.description ?? "";
      this.lotId = editing.lot_id;
      this.status = editing.status;
    }
  }

  /** The field the last error was about, so the form can mark it. */
  get errorField(): string | null {
    return this.error === null ? null : (asAppError(this.error).field ?? null);
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
      return saved;
    } catch (e) {
      this.error = e;
      return null;
    } finally {
      this.saving = false;
    }
  }
}
