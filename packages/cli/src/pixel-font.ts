// A 3×5 pixel font for the axis labels of loss.png: digits, capitals and a few signs.
// Each glyph is five rows, top to bottom; '#' is ink. Lower case is drawn as upper case.
const GLYPHS: Record<string, string> = {
  '0': '### #.# #.# #.# ###',
  '1': '.#. ##. .#. .#. ###',
  '2': '##. ..# .#. #.. ###',
  '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#',
  '5': '### #.. ##. ..# ##.',
  '6': '.## #.. ### #.# ###',
  '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###',
  '9': '### #.# ### ..# ##.',
  a: '.#. #.# ### #.# #.#',
  b: '##. #.# ##. #.# ##.',
  c: '.## #.. #.. #.. .##',
  d: '##. #.# #.# #.# ##.',
  e: '### #.. ##. #.. ###',
  f: '### #.. ##. #.. #..',
  g: '.## #.. #.# #.# .##',
  h: '#.# #.# ### #.# #.#',
  i: '### .#. .#. .#. ###',
  j: '..# ..# ..# #.# .#.',
  k: '#.# #.# ##. #.# #.#',
  l: '#.. #.. #.. #.. ###',
  m: '#.# ### ### #.# #.#',
  n: '##. #.# #.# #.# #.#',
  o: '.#. #.# #.# #.# .#.',
  p: '##. #.# ##. #.. #..',
  q: '.#. #.# #.# ##. .##',
  r: '##. #.# ##. #.# #.#',
  s: '.## #.. .#. ..# ##.',
  t: '### .#. .#. .#. .#.',
  u: '#.# #.# #.# #.# ###',
  v: '#.# #.# #.# #.# .#.',
  w: '#.# #.# ### ### #.#',
  x: '#.# #.# .#. #.# #.#',
  y: '#.# #.# .#. .#. .#.',
  z: '### ..# .#. #.. ###',
  '.': '... ... ... ... .#.',
  ',': '... ... ... .#. #..',
  '-': '... ... ### ... ...',
  '+': '... .#. ### .#. ...',
  ':': '... .#. ... .#. ...',
  '/': '..# ..# .#. #.. #..',
  '(': '.#. #.. #.. #.. .#.',
  ')': '.#. ..# ..# ..# .#.',
  '$': '.## ##. .#. .## ##.',
  ' ': '... ... ... ... ...',
};

/** Glyph size in font pixels, and the gap between glyphs. */
export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
const GLYPH_GAP = 1;

/** Width in font pixels of `text` drawn with {@link textPixels}. */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + GLYPH_GAP) - GLYPH_GAP;
}

/**
 * The ink pixels of `text` as `[x, y]` offsets from its top-left corner, in font pixels.
 * Characters without a glyph are drawn as a filled block, so they show up instead of vanishing.
 */
export function textPixels(text: string): Array<[number, number]> {
  const pixels: Array<[number, number]> = [];
  [...text.toLowerCase()].forEach((char, index) => {
    const rows = (GLYPHS[char] ?? '### ### ### ### ###').split(' ');
    rows.forEach((row, y) => {
      [...row].forEach((cell, x) => {
        if (cell === '#') pixels.push([index * (GLYPH_WIDTH + GLYPH_GAP) + x, y]);
      });
    });
  });
  return pixels;
}
