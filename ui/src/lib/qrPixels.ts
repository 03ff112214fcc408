// Pixels for reading a QR code on the Rust side: a camera frame or a picture, drawn into a
// canvas no larger than it needs to be, as greyscale bytes (one per pixel, row by row).

/** Largest side sent: a QR code on another screen reads well at this size. */
export const QR_MAX_SIDE = 1024;

/** A size that fits within `max` on both sides, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, max = QR_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** RGBA pixels as greyscale (ITU-R BT.601 luma), one byte each. */
export function greyscale(rgba: Uint8ClampedArray | Uint8Array): number[] {
  const out = new Array<number>(Math.floor(rgba.length / 4));
  for (let i = 0, p = 0; p < out.length; i += 4, p++) {
    out[p] = Math.round(0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
  }
  return out;
}

/** Draws `source` (a video frame or a decoded picture) scaled down and returns its greyscale. */
export function pixelsOf(
  source: CanvasImageSource,
  width: number,
  height: number,
): { width: number; height: number; luma: number[] } | null {
  const size = fitWithin(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, 0, 0, size.width, size.height);
  const data = context.getImageData(0, 0, size.width, size.height).data;
  return { ...size, luma: greyscale(data) };
}
