// The title of a busy note carries carnet's "N backlinks" lens; clicking it
// runs carnet.showReferences, which opens VS Code's references view with
// exactly those links. It runs first, on the untouched vault: N is the
// ground truth's, and a scenario that fails may leave typed links behind.
'use strict';

const path = require('node:path');

module.exports = {
  title: 'the title lens reads "N backlinks"; clicking it lists them in the references view',
  async run({ wb, sc, say }) {
    // sc.references: every link to sc.target in the ground truth, "source:line".
    const want = sc.references.length;
    const files = new Set(sc.references.map((r) => path.basename(r.slice(0, r.lastIndexOf(':')))));
    await wb.openNote(sc.target);
    await wb.ready();
    const lens = await wb.codeLens(`${want} backlinks`);
    say(`the title lens reads "${want} backlinks"`);
    await lens.click();
    const got = await wb.until('the references view', () => wb.peekReferenceCount('Locations'));
    if (got !== want) {
      throw new Error(`the references view lists ${got} links; the lens counts ${want}`);
    }
    // Only carnet's answer is in this list (the command hands VS Code the
    // locations), so every file shown must link to the note.
    const shown = await wb.until('files in the references view', async () => {
      const f = await wb.peekReferenceFiles();
      return f.length > 0 ? f : null;
    });
    const stray = shown.filter((f) => !files.has(f));
    if (stray.length > 0) {
      throw new Error(`the references view lists ${stray.join(', ')}, which do not link to ${sc.target}`);
    }
    say(`the references view lists the ${got} links (${shown.length} of their ${files.size} notes in view)`);
    await wb.page.keyboard.press('Escape');
    await wb.closeAll();
  },
};
