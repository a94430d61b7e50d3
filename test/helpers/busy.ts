/** Block the calling thread in a CPU-bound loop for `ms` milliseconds. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x;
}
