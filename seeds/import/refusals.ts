/** A row an import did not take: where it is, which field, and what is wrong, in words that say what to fix. */
export interface Refusal {
  file: string;
  line: number;
  field: string;
  reason: string;
}

/** The rows an import refused, and the ones it passed over on purpose (not a bus route, an entrance…), counted by reason. */
export class ImportTally {
  readonly refused: Refusal[] = [];
  readonly skipped = new Map<string, number>();

  refuse(file: string, line: number, field: string, reason: string): void {
    this.refused.push({ file, line, field, reason });
  }

  skip(reason: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  /** Refusals counted by file and reason, for the summary. */
  refusedByReason(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { file, field, reason } of this.refused) counts[`${file} ${field}: ${reason}`] = (counts[`${file} ${field}: ${reason}`] ?? 0) + 1;
    return counts;
  }
}

export const formatRefusal = ({ file, line, field, reason }: Refusal) => `${file}:${line}: ${field}: ${reason}`;

/** The checks most rows need, each answering what is wrong or undefined. */
export const check = {
  required: (value: string | undefined) => (value ? undefined : 'is empty; it is required'),
  number: (value: string | undefined, min: number, max: number) => {
    const parsed = Number(value);
    return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= min && parsed <= max ? undefined : `"${value ?? ''}" is not a number from ${min} to ${max}`;
  },
  integer: (value: string | undefined, min = 0) => (value !== undefined && /^-?\d+$/.test(value) && Number(value) >= min ? undefined : `"${value ?? ''}" is not a whole number of at least ${min}`),
  oneOf: (value: string | undefined, allowed: readonly string[]) => (allowed.includes(value ?? '') ? undefined : `"${value ?? ''}" is not one of ${allowed.map((a) => a || '(empty)').join(', ')}`),
};
