// Local declaration of the untyped `@trt2/gsm-charset-utils` (only what Rappel uses).
declare module "@trt2/gsm-charset-utils" {
  /** Whether `c` (one UTF-16 code unit) is in the GSM 03.38 basic or extension table. */
  export function isGsmChar(c: string): boolean;
  /** Segment count as the library computes it (splits at surrogate-pair boundaries, not graphemes). */
  export function getCharCount(text: string): {
    charCount: number;
    msgCount: number;
    charsPerSegment: number;
    encoding: "GSM" | "UCS2";
  };
  /** Replaces non-GSM characters by `replacementChar` after mapping a few look-alikes. */
  export function removeNonGsmChars(text: string, replacementChar?: string): string;
}
