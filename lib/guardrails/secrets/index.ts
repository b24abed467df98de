import type { Detector, Finding } from '../types';
import { type EntropyOptions, findHighEntropyTokens } from './entropy';
import { findKeyFormats } from './formats';

export interface SecretsOptions {
  /** Off by default turns the high-entropy rule off; the format rules always run. */
  highEntropy?: false | EntropyOptions;
}

/** Format rules first; a high-entropy token already covered by a format finding is not reported twice. */
export function secretsDetector(options: SecretsOptions = {}): Detector {
  return {
    name: 'secrets',
    detect(text: string): Finding[] {
      const formats = findKeyFormats(text);
      if (options.highEntropy === false) return formats;
      // One sweep over both lists in start order: linear however many findings there are.
      const byStart = [...formats].sort((a, b) => a.start - b.start);
      let k = 0;
      let reach = -1;
      const uncovered = findHighEntropyTokens(text, options.highEntropy ?? {}).filter((f) => {
        while (k < byStart.length && byStart[k]!.start < f.end) reach = Math.max(reach, byStart[k++]!.end);
        return reach <= f.start;
      });
      return [...formats, ...uncovered];
    },
  };
}
