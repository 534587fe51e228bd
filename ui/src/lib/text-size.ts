// The large-text setting, applied to the whole document: app.css scales the
// root font size (and Tibetan's body size) under `.large-text`, and every
// size in the app is in rem, so one class grows every screen.

export const LARGE_TEXT_CLASS = "large-text";

export function applyLargeText(on: boolean, root: HTMLElement = document.documentElement): void {
  root.classList.toggle(LARGE_TEXT_CLASS, on);
}
