// Search by name, as a seller types it: case and width do not matter, and
// Tibetan, Chinese and Latin text match by what they contain. Words typed
// apart must all be found, in any order ("yak dried" finds "Dried yak meat").

function fold(text: string): string {
  // NFKC folds full-width Latin and digits (ｙａｋ) to their usual forms.
  return text.normalize("NFKC").toLocaleLowerCase();
}

export function matchesSearch(title: string, query: string): boolean {
  const words = fold(query).split(/[\s\u0f0b\u0f0d]+/u).filter((w) => w !== "");
  if (words.length === 0) return true;
  const haystack = fold(title);
  return words.every((w) => haystack.includes(w));
}
