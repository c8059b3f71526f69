// Every visible text of the page's cards with its WCAG 2 contrast against what is under it,
// after the cards' opacity and grayscale filter (composited over the page's white; the grey of
// grayscale(1) as the luminance weights applied to sRGB values): [{text, ratio, need}], need
// 3 for large text, else 4.5 (tests/explorer/test_accessibility.py).
() => {
  function rgba(s) { const m = s.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; }
  function lum(c) { const l = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; }
  function over(top, under) { const a = top[3]; return [0, 1, 2].map(i => a * top[i] + (1 - a) * under[i]).concat([1]); }
  function gray(c) { const y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; return [y, y, y, c[3]]; }
  const out = [];
  for (const el of document.querySelectorAll('.card *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || el.closest('.visually-hidden, .visually-hidden-live')) continue;
    let fg = rgba(cs.color), bg = null, op = 1, grey = false;
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (!bg) { const c = rgba(s.backgroundColor); if (c[3] > 0) bg = c; }
      op *= parseFloat(s.opacity);
      if (s.filter.includes('grayscale')) grey = true;
    }
    bg = bg || [255, 255, 255, 1];
    bg = over(bg, [255, 255, 255, 1]);
    fg = over(fg, bg);
    if (grey) { fg = gray(fg); bg = gray(bg); }
    const white = [255, 255, 255, 1];
    const f = over([...fg.slice(0, 3), op], white), b = over([...bg.slice(0, 3), op], white);
    const L1 = lum(f), L2 = lum(b);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    out.push({text: el.textContent.trim().slice(0, 40), tag: el.tagName, cls: el.className, ratio: Math.round(ratio * 100) / 100, need: large ? 3 : 4.5, opacity: Math.round(op * 100) / 100});
  }
  return out;
}
