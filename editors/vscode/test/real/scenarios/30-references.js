// Find All References on a link lists exactly the backlinks of the note it
// leads to, and the note itself.
//
// VS Code's own Markdown support answers too, and VS Code merges both lists:
// its entries highlight the note's name inside a link (`[[Command palette]]`
// with only `Command palette` marked), carnet's highlight the whole link. The
// References view shows every entry with its highlight, so carnet's are
// counted exactly, note by note, and every other entry must be a part of one
// of those links (VS Code's; how many depends on how far its own indexing
// has got).
'use strict';

module.exports = {
  title: 'Find All References lists exactly the backlinks, and the note itself',
  async run({ wb, sc, say }) {
    const { page } = wb;
    // Tall enough for every entry to be drawn at once (the tree draws only what is on screen).
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: viewport.width, height: 8000 });
    try {
      await wb.atLink(sc.source, sc.link);
      await page.keyboard.press('Shift+Alt+F12');
      const rows = await wb.referencesView();
      // carnet's answer: each backlink's link, and the note itself (VS Code
      // asks with includeDeclaration) at its start, an empty highlight.
      const want = [...sc.vscode.references.map((r) => `${r.source}: ${r.link}`), `${sc.target}: `].sort();
      // A whole link, `[[…]]`, `![[…]]` or `[…](…)`; VS Code's mark a part of one.
      const whole = /^!?\[\[[^\]]*\]\]$|^!?\[[^\]]*\]\([^)]*\)$/;
      const carnet = rows.filter((r) => (r.highlight === '' && r.file === sc.target) || whole.test(r.highlight));
      const got = carnet.map((r) => `${r.file}: ${r.highlight}`).sort();
      const others = rows.filter((r) => !carnet.includes(r));
      const missing = want.filter((w) => !got.includes(w));
      const extra = got.filter((g) => !want.includes(g));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(
          `Find All References: ${got.length} entries of carnet's, ${want.length} wanted; missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}`,
        );
      }
      // The rest are VS Code's own: a part of one of these links, on its line.
      const odd = others.filter(
        (r) => !r.highlight || !carnet.some((c) => c.file === r.file && c.text === r.text && c.highlight.includes(r.highlight)),
      );
      if (odd.length) {
        throw new Error(`entries neither carnet's nor VS Code Markdown's: ${JSON.stringify(odd)}`);
      }
      say(`${rows.length} entries: exactly carnet's ${got.length} (the ${sc.vscode.references.length} backlinks of the ground truth and the note), and ${others.length} of VS Code's Markdown support`);
    } finally {
      await page.setViewportSize(viewport);
      await wb.command('View: Show Explorer');
    }
    await wb.closeAll();
  },
};
