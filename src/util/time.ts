// Virtual time is integer microseconds everywhere; these name the units. Pure: imports nothing.
export const US = 1;
export const MS = 1_000;
export const S = 1_000_000;
