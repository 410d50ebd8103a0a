/**
 * Which `--jobs` / `$OCLHUB_JOBS` values lint takes: a positive count or `auto`. Apart from jobs.ts so
 * that the re-run fast path (fast-rerun.ts), which loads nothing it does not need, can ask too.
 */
export function isJobsText(text: string): boolean {
  const value = text.trim().toLowerCase();
  return value === 'auto' || (/^\d+$/.test(value) && Number(value) >= 1);
}
