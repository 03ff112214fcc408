import { describe, expect, it } from 'vitest';
import { fitWithin, greyscale, QR_MAX_SIDE } from './qrPixels';

describe('pixels for the QR reader', () => {
  it('scales a large frame down to the bound, keeping its shape, and leaves small ones', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: QR_MAX_SIDE, height: 768 });
    expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 });
    expect(fitWithin(0, 0)).toEqual({ width: 1, height: 1 });
  });

  it('turns RGBA into one luma byte a pixel', () => {
    const rgba = new Uint8ClampedArray([0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 255, 10, 20, 30, 0]);
    expect(greyscale(rgba)).toEqual([0, 255, 76, 18]);
  });
});
