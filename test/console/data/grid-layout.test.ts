import { cellAt, cellOrigin, gridLayout } from '../../../local/console/web/views/grid-layout';

describe('the Map Run grid layout', () => {
  it('fits as many 12-pixel cells with 2-pixel gaps as the width holds, in rows', () => {
    const layout = gridLayout(2_000, 1_000);
    expect(layout.columns).toBe(71);
    expect(layout.rows).toBe(29);
    expect(layout.width).toBeLessThanOrEqual(1_000);
    expect(layout.height).toBe(29 * 14 - 2);
  });

  it('finds the cell under every point of every cell, and none on a gap or past the last cell', () => {
    const count = 2_003;
    const layout = gridLayout(count, 300);
    for (let index = 0; index < count; index += 1) {
      const { x, y } = cellOrigin(layout, index);
      expect(cellAt(layout, count, x, y)).toBe(index);
      expect(cellAt(layout, count, x + 11.9, y + 11.9)).toBe(index);
      expect(cellAt(layout, count, x + 12.5, y)).toBe(-1);
    }
    const last = cellOrigin(layout, count - 1);
    expect(cellAt(layout, count, last.x + 14, last.y)).toBe(-1);
    expect(cellAt(layout, count, -1, 0)).toBe(-1);
  });
});
