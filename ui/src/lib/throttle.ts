// Throttle for the activity "touch" sent to the Rust side: the idle timer only needs to hear
// about activity now and then, not on every key press.

/** Returns a function that calls `fn` at most once per `intervalMs` (leading edge). */
export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last >= intervalMs) {
      last = t;
      fn();
    }
  };
}
