/**
 * A generated corpus of short product reviews with a sentiment label, for the text examples. No
 * small labelled corpus ships in an npm or Debian package (the nearest, a spam corpus, is 20 MB
 * in 12,000 files), so the reviews are written here, from a seed, with what makes word order
 * matter: negation ("not good"), intensifiers, and "but", after which the last clause decides.
 *
 *   The battery was not great but the screen is really excellent.   -> positive (1)
 */

const POSITIVE = ["good", "great", "excellent", "fantastic", "solid", "lovely", "reliable", "superb", "pleasant", "impressive"];
const NEGATIVE = ["bad", "awful", "terrible", "poor", "flimsy", "disappointing", "useless", "mediocre", "noisy", "broken"];
const ASPECTS = ["battery", "screen", "price", "sound", "design", "keyboard", "camera", "delivery", "support", "software", "case", "manual"];
const INTENSIFIERS = ["very", "really", "quite", "truly", "rather"];
const OPENERS = ["honestly", "overall", "well", "so", "frankly"];

/** Deterministic xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** `count` reviews and their labels (1 positive, 0 negative). */
export function syntheticReviews(count: number, seed: number): { texts: string[]; labels: number[] } {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const clause = (): { text: string; polarity: number } => {
    const positive = r() < 0.5;
    const negated = r() < 0.3;
    const words = ["the", pick(ASPECTS), pick(["was", "is", "felt"])];
    if (negated) words.push("not");
    if (r() < 0.4) words.push(pick(INTENSIFIERS));
    words.push(pick(positive ? POSITIVE : NEGATIVE));
    return { text: words.join(" "), polarity: (positive ? 1 : -1) * (negated ? -1 : 1) };
  };
  const texts: string[] = [];
  const labels: number[] = [];
  while (texts.length < count) {
    const parts = [clause()];
    let polarity = parts[0].polarity;
    let text = parts[0].text;
    const more = Math.floor(r() * 3);
    for (let i = 0; i < more; i++) {
      const next = clause();
      if (r() < 0.5) {
        // "X but Y": the clause after "but" decides.
        text += ` but ${next.text}`;
        polarity = next.polarity;
      } else {
        text += ` and ${next.text}`;
        polarity += next.polarity;
      }
    }
    if (polarity === 0) continue;
    if (r() < 0.3) text = `${pick(OPENERS)}, ${text}`;
    texts.push(`${text[0].toUpperCase()}${text.slice(1)}${r() < 0.5 ? "." : "!"}`);
    labels.push(polarity > 0 ? 1 : 0);
  }
  return { texts, labels };
}
