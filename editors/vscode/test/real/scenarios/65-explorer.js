// Renaming a note and a folder in the Explorer updates the links exactly
// once: carnet's edits are accepted in VS Code's refactoring prompt, and
// VS Code's own Markdown link updater stays out of the way. VS Code saves
// the notes a refactoring edited itself (files.refactoring.autoSave, on by
// default), so what is checked is what reaches the disk.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** Waits until every line of `lines` reads as it must on disk, and no editor is left unsaved. */
async function onDisk(wb, lines, moved = {}) {
  let last;
  await wb
    .until('the linking lines on disk', () => {
      try {
        wb.expectLines(lines, moved);
        return true;
      } catch (err) {
        last = err;
        return false;
      }
    }, 15000)
    .catch(() => {
      throw last;
    });
  const dirty = await wb.dirtyTabs();
  if (dirty.length) {
    throw new Error(`left unsaved after the move: ${dirty.join(', ')}`);
  }
}

module.exports = {
  title: 'renaming a note and a folder in the Explorer updates links exactly once',
  async run({ wb, sc, say }) {
    const e = sc.explorer;
    await wb.explorerRename(e.from, path.basename(e.to));
    await wb.until(`${e.to} on disk`, () => fs.existsSync(wb.abs(e.to)) && !fs.existsSync(wb.abs(e.from)));
    await onDisk(wb, e.backlinks, { [e.from]: e.to });
    say(`${e.from} -> ${e.to}: ${e.backlinks.length} linking lines updated once`);

    const before = wb.checkProblems();
    const f = sc.vscode.folder;
    await wb.explorerRename(f.from, path.basename(f.to));
    await wb.until(`${f.to}/ on disk`, () => fs.existsSync(wb.abs(f.to)) && !fs.existsSync(wb.abs(f.from)));
    await onDisk(wb, f.backlinks);
    const doubled = `${f.to}/${f.to}/`;
    for (const b of f.backlinks) {
      if (wb.read(b.source).includes(doubled)) {
        throw new Error(`${b.source} was updated twice: it holds ${doubled}`);
      }
    }
    const after = wb.checkProblems();
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(`carnet check before the folder move: ${JSON.stringify(before)}, after: ${JSON.stringify(after)}`);
    }
    say(`${f.from}/ -> ${f.to}/: ${f.backlinks.length} links written with its path updated once; carnet check finds what it found before`);
    await wb.closeAll();
  },
};
