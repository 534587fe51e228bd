// The guided lesson's words: each step's title, what to do, and its button.
import { formatDateTime } from "./format";
import type { Lang, MessageKey } from "./i18n/messages";
import type { LessonStep } from "./types";

export interface StepText {
  title: MessageKey;
  help: MessageKey;
  go: MessageKey;
}

export const LESSON_TEXT: Record<LessonStep, StepText> = {
  list_product: { title: "lesson.step.list_product", help: "lesson.help.list_product", go: "lesson.go.list_product" },
  take_photo: { title: "lesson.step.take_photo", help: "lesson.help.take_photo", go: "lesson.go.take_photo" },
  sale_offline: { title: "lesson.step.sale_offline", help: "lesson.help.sale_offline", go: "lesson.go.sale_offline" },
  sync: { title: "lesson.step.sync", help: "lesson.help.sync", go: "lesson.go.sync" },
  accept_order: { title: "lesson.step.accept_order", help: "lesson.help.accept_order", go: "lesson.go.accept_order" },
  print_label: { title: "lesson.step.print_label", help: "lesson.help.print_label", go: "lesson.go.print_label" },
};

/** When a step was done, in the device's time zone. */
export function lessonTime(instant: string, lang: Lang, timeZone?: string): string {
  return formatDateTime(instant, lang, timeZone);
}
