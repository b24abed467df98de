/**
 * A judge's reply read as a number, robustly: the first whole number in range, whatever is around
 * it ("8", "Score: 8/10", "**7**", "Candidate 2 is best"). Nothing in range: null (no verdict).
 */
const MAX_READ_CHARS = 200;

export function parseJudgeNumber(text: string, min: number, max: number): number | null {
  const head = text.slice(0, MAX_READ_CHARS);
  for (const match of head.matchAll(/\d+/g)) {
    const value = Number(match[0]);
    if (match[0].length <= 3 && value >= min && value <= max) return value;
  }
  return null;
}
